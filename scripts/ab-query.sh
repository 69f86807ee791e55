#!/usr/bin/env bash
# Compares the query path of several builds on this shared, noisy machine:
# runs the bench's query child of each build in turn on one kept
# full-corpus index, RUNS rounds, each build once per round (so that a busy
# spell slows all of them), then prints each build's median warm p50, p95
# and p99 over the rounds, and its ratio to the first build's.
#
#   cd bench && go run . -sizes full -runs 1 -engines baobot -serve=false -keep -out /tmp/b
#   (cd bench && go build -o /tmp/bench-new .)     # and /tmp/bench-old from another checkout
#   scripts/ab-query.sh /tmp/b 5 /tmp/bench-old /tmp/bench-new
#
# CPUS sets GOMAXPROCS (default 2, the machine's); MIN_WORDS keeps only the
# questions of at least that many words (default: all). The index must not
# be open elsewhere: a child opens it for writing. Needs python3.
set -euo pipefail
kept=${1:?usage: $0 KEPT_BENCH_OUT RUNS BENCH_BINARY...}
runs=${2:?usage: $0 KEPT_BENCH_OUT RUNS BENCH_BINARY...}
shift 2
[ $# -ge 1 ] || { echo "usage: $0 KEPT_BENCH_OUT RUNS BENCH_BINARY..." >&2; exit 2; }
index=$kept/tmp/baobot-full
[ -d "$index" ] || { echo "no index at $index: run the bench with -keep first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c '
import json, sys
q = json.load(open(sys.argv[1]))
json.dump([x for x in q if len(x["text"].split()) >= int(sys.argv[3])], open(sys.argv[2], "w"))
' "$kept/tmp/queries-full.json" "$work/queries.json" "${MIN_WORDS:-0}"

for round in $(seq "$runs"); do
  for bin in "$@"; do
    GOMAXPROCS=${CPUS:-2} "$bin" -child query -engine baobot -dir "$index" -size full \
      -queries "$work/queries.json" 2>/dev/null >"$work/out.json"
    python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["warm"]
print(sys.argv[2], sys.argv[3], w["p50_ms"], w["p95_ms"], w["p99_ms"], sep="\t")
' "$work/out.json" "$bin" "$round" | tee -a "$work/rounds.tsv"
  done
done
python3 -c '
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1])]
order = list(dict.fromkeys(r[0] for r in rows))
med = {b: [statistics.median(float(r[i]) for r in rows if r[0] == b) for i in (2, 3, 4)] for b in order}
base = med[order[0]]
print("build\tp50 ms\tp95 ms\tp99 ms\tp50 ratio\tp99 ratio")
for b in order:
    m = med[b]
    print(b, *("%.3f" % x for x in m), "%.2f" % (m[0] / base[0]), "%.2f" % (m[2] / base[2]), sep="\t")
' "$work/rounds.tsv"
