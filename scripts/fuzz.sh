#!/usr/bin/env bash
# Runs every fuzz target (built by `make fuzz` in a libFuzzer build) for a set
# time each, starting from the seed corpus in fuzz/corpus/<target>/, and
# prints a line per target: inputs run, coverage, corpus size, findings.
# A finding (crash, hang over 5 s, or a refusal that does not name its
# place) is saved under <build>/fuzz-findings/ and makes the run fail; copy
# it into fuzz/corpus/<target>/ once fixed, so every build replays it.
#
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
set -uo pipefail
build=${1:?build directory}
seconds=${2:?seconds per target}
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(project_file item_file sqlite_split postgres_split checksum targets_file connection_string)
fi
findings="$build/fuzz-findings"
mkdir -p "$findings"
failed=0
printf '%-18s %12s %8s %8s %8s  %s\n' target inputs cov ft corpus result
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t"
  mkdir -p "$work"
  log="$build/fuzz-$t.log"
  # New inputs go to the work corpus; the seeds in the repository stay as
  # they are. Leaks are reported by the sanitizers' own runs, not here.
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$findings/$t-" \
    "$work" "$here/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  done_line=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  if [ "$rc" -eq 0 ]; then result=ok; else result="FOUND (see $log)"; failed=1; fi
  printf '%-18s %12s %8s %8s %8s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: findings saved in $findings; replay one with: $build/fuzz/fuzz_<target> <file>" >&2
fi
exit "$failed"
