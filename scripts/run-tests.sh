#!/usr/bin/env bash
# scripts/run-tests.sh LABEL PROGRAM... — run cmocka programs, print each one's output,
# and end with one "LABEL: N passed, N failed" line counted over all cmocka tests.
set -u
label=$1; shift
pass=0; fail=0; bad=()
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -E '^\[  (FAILED|  OK  |PASSED|ERROR) *\]|^\[ *FAILED|tests? (passed|failed)|runtime error|ERROR: AddressSanitizer|LeakSanitizer' | grep -v '^\[       OK \]' || true
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or sanitizer abort
  if [ $rc -ne 0 ]; then
    bad+=("$t"); printf '%s\n' "$out" | tail -40
    # for the report at the end of `make test`: the failed cmocka lines and the tail
    [ -n "${KW_FAILURES:-}" ] && mkdir -p "$KW_FAILURES" &&
      { printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) *\]|runtime error|Sanitizer' | head -20
        echo "-- last lines:"; printf '%s\n' "$out" | tail -25; } >"$KW_FAILURES/$label--$(basename "$t").txt"
  fi
  pass=$((pass + p)); fail=$((fail + f))
done
echo "$label: $pass passed, $fail failed"
[ -n "${KW_SUMMARY:-}" ] && echo "$label $pass $fail" >> "$KW_SUMMARY"
[ ${#bad[@]} -eq 0 ] || { echo "failing programs: ${bad[*]}"; exit 1; }
