#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS FUZZER... — run each libFuzzer target for SECONDS, starting
# from its committed corpus fuzz/corpus/NAME/ (seeds) plus a scratch corpus under
# build/. A crash leaves its input in build/fuzz-findings/NAME/ and fails the run.
set -u
secs=$1; shift
fail=0; n=0
for f in "$@"; do
  name=$(basename "$f")
  seeds=fuzz/corpus/$name; work=build/fuzz-corpus/$name; found=build/fuzz-findings/$name
  mkdir -p "$seeds" "$work" "$found"
  log=build/fuzz-$name.log
  if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$found/" "$work" "$seeds" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $name: ok, ${execs:-?} runs in ${secs}s"
    n=$((n + 1))
  else
    echo "fuzz $name: FAILED (see $log, input in $found/)"; tail -30 "$log"; fail=$((fail + 1))
    [ -n "${KW_FAILURES:-}" ] && mkdir -p "$KW_FAILURES" &&
      { echo "log $log, input in $found/"; tail -30 "$log"; } >"$KW_FAILURES/fuzz--$name.txt"
  fi
done
echo "fuzz: $n passed, $fail failed"
[ -n "${KW_SUMMARY:-}" ] && echo "fuzz $n $fail" >> "$KW_SUMMARY"
[ $fail -eq 0 ]
