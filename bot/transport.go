package bot

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// transport is the RoundTripper of the session's HTTP client. It sends every
// request to the configured API base URL, whatever scheme and host discordgo
// wrote in it (discordgo's Endpoint variables are never touched), and tries
// again, a bounded number of times, when the answer is a server error.
//
// The base URL's path, if any, is put before the request's, so the bot can
// sit behind a proxy at https://proxy.example/discord. Gateway discovery goes
// through here too; the websocket address is the one the answer names.
type transport struct {
	base    *url.URL
	next    http.RoundTripper
	retries int           // further attempts after a server error
	backoff time.Duration // before the first retry; doubled for each next one
	log     *slog.Logger
	metrics Metrics // counts every error answer, retries included; set by New
}

// Server errors worth another try: the request may well succeed the next time.
var retryStatus = map[int]bool{
	http.StatusInternalServerError: true, http.StatusBadGateway: true,
	http.StatusServiceUnavailable: true, http.StatusGatewayTimeout: true,
}

// newTransport returns a transport to apiURL over next.
func newTransport(apiURL string, next http.RoundTripper, log *slog.Logger) (*transport, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord.api_url must be an absolute http or https URL such as https://discord.com")
	}
	return &transport{base: u, next: next, retries: 2, backoff: 250 * time.Millisecond, log: log, metrics: noMetrics{}}, nil
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req := r.Clone(r.Context())
		req.URL.Scheme, req.URL.Host, req.Host = t.base.Scheme, t.base.Host, ""
		if prefix := strings.TrimSuffix(t.base.Path, "/"); prefix != "" {
			req.URL.Path, req.URL.RawPath = prefix+r.URL.Path, ""
		}
		if attempt > 0 && r.Body != nil {
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := t.next.RoundTrip(req)
		switch {
		case err != nil:
			t.metrics.RESTError(0)
		case resp.StatusCode >= 400:
			t.metrics.RESTError(resp.StatusCode)
		}
		if err != nil || !retryStatus[resp.StatusCode] {
			return resp, err
		}
		path, log := redactPath(r.URL.Path), loggerFrom(r.Context(), t.log)
		if attempt >= t.retries || (r.Body != nil && r.GetBody == nil) {
			log.Error("Discord answered a server error; giving up", "method", r.Method, "path", path,
				"status", resp.StatusCode, "attempts", attempt+1)
			return resp, nil
		}
		wait := t.backoff << attempt
		log.Warn("Discord answered a server error; retrying", "method", r.Method, "path", path,
			"status", resp.StatusCode, "retry_in", wait)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return nil, r.Context().Err()
		}
	}
}

// tokenSegment matches the secret part of interaction and webhook URLs.
var tokenSegment = regexp.MustCompile(`(/(?:interactions|webhooks)/[0-9]+/)[^/?\s"]+`)

// redactPath is a URL or a text quoting one, with interaction and webhook
// tokens replaced, for logs.
func redactPath(s string) string {
	return tokenSegment.ReplaceAllString(s, "${1}[token]")
}
