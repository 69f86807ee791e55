#!/usr/bin/env bash
# Runs every fuzz target of baobot (every `func FuzzXxx` in a _test.go file
# of this module) for a bounded time each, one after the other. Not part of
# CI: run it by hand, e.g. before a release or after touching a parser.
#
#   scripts/fuzz.sh                 # every target, 30 s each
#   FUZZTIME=2m scripts/fuzz.sh     # longer
#   scripts/fuzz.sh Parse           # only the targets whose name matches
#
# FUZZTIME (30s) is go test's -fuzztime: a duration or a count such as 5000x.
# MINIMIZE (5s) is -fuzzminimizetime: how long Go may spend shrinking each new
# interesting input (its default, 60 s, stalls a short run).
#
# A crasher is kept where Go puts it, testdata/fuzz/FuzzXxx/<hash> beside the
# target, and from then on plain `go test` runs it as a regression case: fix
# the code, keep the file, commit both. The script ends by listing the
# crashers it found and exits 1 when there were any.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
minimize=${MINIMIZE:-5s}
filter=${1:-.}

# package directory and target name, one pair a line
targets=$(grep -rHo --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*' . |
  grep -v '^./bench/' |
  sed -E 's|^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)$|\1 \2|' |
  sort -u | grep -E " .*${filter}" || true)
if [ -z "$targets" ]; then
  echo "no fuzz target matches ${filter}" >&2
  exit 2
fi

before=$(find . -path '*/testdata/fuzz/*' -type f | sort)
failed=()
while read -r dir name; do
  echo "== ${dir}: ${name} (${fuzztime})"
  if ! go test "./${dir}" -run '^$' -fuzz "^${name}\$" -fuzztime "${fuzztime}" -fuzzminimizetime "${minimize}"; then
    failed+=("${dir} ${name}")
  fi
done <<<"$targets"

after=$(find . -path '*/testdata/fuzz/*' -type f | sort)
new=$(comm -13 <(echo "$before") <(echo "$after"))
echo
echo "== $(echo "$targets" | wc -l) targets, ${fuzztime} each"
if [ ${#failed[@]} -eq 0 ]; then
  echo "no crasher found"
  exit 0
fi
printf 'failed: %s\n' "${failed[@]}"
if [ -n "$new" ]; then
  echo "new regression cases (keep them, fix the code):"
  echo "$new"
fi
exit 1
