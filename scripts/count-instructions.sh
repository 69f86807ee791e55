#!/usr/bin/env bash
# Counts the instructions the query path executes, with valgrind's callgrind:
# the bench's query child (cold pass, then warm pass) over every 13th
# question of a kept full-corpus index's query set (201 of 2,612: titles and
# XQuAD), on one CPU and with the collector off. Unlike times on this shared
# machine, the count hardly moves between runs (within 0.5 %), so it tells
# apart changes to the serial work of a question a few percent apart; it
# cannot show what runs on other CPUs, nor cache misses.
#
#   cd bench && go run . -sizes full -runs 1 -engines baobot -serve=false -keep -out /tmp/b
#   scripts/count-instructions.sh /tmp/b [REV ...]
#
# With revisions, each is built from a temporary worktree with this checkout's
# bench/ copied in (so every build answers the same way); without, this
# checkout. Needs valgrind (apt-get install valgrind) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
kept=${1:?usage: $0 KEPT_BENCH_OUT [REV ...]}
shift
index=$kept/tmp/baobot-full
[ -d "$index" ] || { echo "no index at $index: run the bench with -keep first" >&2; exit 1; }
work=$(mktemp -d)
trap 'for w in "$work"/tree-*; do [ -d "$w" ] && git worktree remove --force "$w"; done; rm -rf "$work"' EXIT
python3 -c 'import json,sys; q=json.load(open(sys.argv[1])); json.dump(q[::13], open(sys.argv[2], "w"))' \
  "$kept/tmp/queries-full.json" "$work/queries.json"

count() { # name bench-binary
  GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
    --callgrind-out-file="$work/callgrind.out" "$2" -child query -engine baobot \
    -dir "$index" -size full -queries "$work/queries.json" 2>"$work/valgrind.log" >/dev/null
  printf '%s\t%s instructions\n' "$1" "$(sed -n 's/.*Collected : //p' "$work/valgrind.log")"
}

if [ $# -eq 0 ]; then
  (cd bench && go build -o "$work/bench" .)
  count "$(git describe --always --dirty)" "$work/bench"
fi
for rev in "$@"; do
  tree=$work/tree-$rev
  git worktree add --quiet --detach "$tree" "$rev"
  rm -rf "$tree/bench" && cp -r bench "$tree/bench" && rm -rf "$tree/bench/results"
  (cd "$tree/bench" && go build -o "$work/bench-$rev" .)
  count "$rev" "$work/bench-$rev"
done
