#!/usr/bin/env bash
# Prints the README's evaluation table: `baobot eval squad` on the XQuAD
# development files, Vietnamese under every question transform, then English,
# Spanish and Russian. Run from the repository root; the data is in ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${XQUAD_DIR:-../shared/data/xquad}
bin=$(mktemp -d)/baobot
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" .

row() { # lang transform
  "$bin" eval squad --json --transform "$2" "$data/xquad.$1.dev.json" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("| %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |" % (sys.argv[1], sys.argv[2], r["recall_at_1"], r["recall_at_5"], r["mrr_at_10"], r["snippet_hit_at_1"], r["snippet_hit_at_3"], r["confident_ratio"], r["off_topic_confident_ratio"]))' "$1" "$2"
}
echo "| file | transform | recall@1 | recall@5 | MRR@10 | snippet hit@1 | snippet hit@3 | confident | off-topic confident |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for t in none strip-accents nfd old-tone; do row vi "$t"; done
for l in en es ru; do row "$l" none; done
