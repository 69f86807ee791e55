# baobot in a container: `baobot serve` as a non-root user, the database on
# a volume at /data. README.md, "Operations", explains; in short:
#
#   docker build -t baobot .
#   docker run -d --name baobot --restart on-failure:5 --env-file baobot.env \
#     -v baobot-data:/data -p 127.0.0.1:9090:9090 baobot
#
# where baobot.env (mode 600) holds BAOBOT_DISCORD_TOKEN=…, and port 9090
# serves /healthz and /metrics, published on this host's loopback only.
#
# No HEALTHCHECK: the runtime image is distroless, without a shell, curl or
# wget to run one with. Probe GET /healthz on port 9090 from outside the
# container instead (a Kubernetes httpGet probe, a load balancer, a monitor).

# ---- build: a static binary (no cgo: bbolt and everything else is pure Go)
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/baobot . \
 && mkdir -p /out/data

# ---- run: distroless static, user nonroot (65532)
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/baobot /usr/local/bin/baobot
# /data belongs to nonroot, so a new named volume mounted there does too.
COPY --from=build --chown=65532:65532 /out/data /data
ENV BAOBOT_DB=/data/baobot.db \
    BAOBOT_METRICS_ADDR=:9090
VOLUME ["/data"]
WORKDIR /data
EXPOSE 9090
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/baobot"]
CMD ["serve"]
