#!/usr/bin/env bash
# scripts/test-report.sh — the end of `make test`: what failed, then one line per suite
# and the total. Each runner (run-tests.sh, fuzz.sh, integration.sh) adds
# "label passed failed" to $KW_SUMMARY, and for each program, fuzzer or script that failed
# an excerpt of its output to $KW_FAILURES/<label>--<name>.txt. The excerpts are printed
# here, last, so that the tail of a CI log names what failed and shows why. A suite with
# no line in the summary (it stopped before its count, e.g. a build error) counts as a
# failure.
set -u
: "${KW_SUMMARY:?}" "${KW_FAILURES:?}"
want="plain asan fuzz integration integration-asan"
for f in "$KW_FAILURES"/*.txt; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .txt)
  echo "==== failed: ${n%%--*} ${n#*--}"
  cat "$f"
done
touch "$KW_SUMMARY"
missing=
for s in $want; do
  grep -q "^$s " "$KW_SUMMARY" || missing="$missing $s"
done
failed=$(for f in "$KW_FAILURES"/*.txt; do [ -e "$f" ] && basename "$f" .txt | sed 's/--/:/'; done | tr '\n' ' ')
awk -v missing="$missing" -v failed="$failed" '
  {p += $2; f += $3; d = d sprintf(" %s %d/%d", $1, $2, $2 + $3)}
  END {
    print "suites:" d
    if (missing != "") printf "suites that did not finish:%s\n", missing
    if (failed != "") printf "failed: %s\n", failed
    printf "total: %d passed, %d failed\n", p, f
    exit (f > 0 || missing != "")
  }' "$KW_SUMMARY"
