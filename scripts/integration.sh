#!/usr/bin/env bash
# scripts/integration.sh — run every tests/integ_*.sh (each starts the peers it needs,
# e.g. the embedded broker, and stops them by PID), then one closing count line.
set -u
pass=0; fail=0
for t in tests/integ_*.sh; do
  [ -e "$t" ] || continue
  if bash "$t"; then pass=$((pass + 1)); else echo "integration $t: FAILED"; fail=$((fail + 1)); fi
done
echo "integration: $pass passed, $fail failed"
[ -n "${KW_SUMMARY:-}" ] && echo "integration $pass $fail" >> "$KW_SUMMARY"
[ $fail -eq 0 ]
