#!/usr/bin/env bash
# scripts/integration.sh [plain|asan|valgrind [SCRIPT...]] — run every tests/integ_*.sh,
# or only the SCRIPTs named (each starts the peers it needs, e.g. the embedded broker, and
# stops them by PID), then one closing count line.
#
# Every script takes the kwire binary from $KWIRE (default bin/kwire) and the helper
# programs of tests/tool_*.c from $KW_TOOLS (default build/tests). With `asan` they run
# with KWIRE=bin-asan/kwire and KW_TOOLS=build/tools-asan (AddressSanitizer +
# UndefinedBehaviorSanitizer, built by `make integration-asan`) and LeakSanitizer on
# (detect_leaks=1: every run is checked for leaks at exit). Scripts often send kwire's
# stderr to files or /dev/null, so the sanitizers write their reports to files
# (log_path) in a directory of their own: a script passes only if it passes and no
# report file appeared while it ran; the reports are printed. The benchmark-like scripts
# keep their record counts: they assert that figures are present, not speeds, and the
# whole asan pass takes about as long as the plain one (both are mostly waits on brokers
# and peers). `valgrind` (make integration-valgrind, outside make test) runs bin/kwire
# under memcheck instead.
#
# Each script runs with KW_INTEG_RUN=<pass>-<script>-<pid> in its environment, which every
# process it starts inherits; a process still carrying it after the script ended (and up
# to 10 s for it to exit) fails the script, and is killed by its PID (scripts/leftovers.sh).
#
# Each script's output is held until it ends and then printed as one block headed by its
# name, mode, verdict and seconds, so that `make test` can run the plain and the asan
# pass side by side (both are mostly waits) and still print readable logs.
set -u
mode=${1:-plain}
label=integration
if [ "$mode" = asan ]; then
  label=integration-asan
  export KWIRE=${KWIRE:-bin-asan/kwire} KW_TOOLS=${KW_TOOLS:-build/tools-asan}
  [ -x "$KWIRE" ] || { echo "integration-asan: $KWIRE not built (make bin-asan/kwire)"; exit 1; }
  logs=$(mktemp -d /tmp/kwire-asan-logs.XXXXXX)
  trap 'rm -rf "$logs"' EXIT
  # exitcode 86 for ASan errors and leaks alike, so no script can mistake a report for a
  # kwire exit status it expects (1 failure, 2 usage, 3 lag over threshold)
  export ASAN_OPTIONS="detect_leaks=1:exitcode=86:abort_on_error=0:log_path=$logs/asan:log_exe_name=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export LSAN_OPTIONS="exitcode=86${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$logs/ubsan:log_exe_name=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
elif [ "$mode" = valgrind ]; then
  # not in `make test` (too slow for CI): bin/kwire under valgrind's memcheck, through a
  # wrapper so that the scripts' "$KWIRE" stays one word; -q leaves a log empty unless
  # valgrind found an error or a definite/indirect leak
  label=integration-valgrind
  command -v valgrind >/dev/null || { echo "integration-valgrind: valgrind not installed"; exit 1; }
  logs=$(mktemp -d /tmp/kwire-valgrind.XXXXXX)
  trap 'rm -rf "$logs"' EXIT
  # valgrind by its full path: some scripts run kwire with a PATH of their own
  printf '#!/bin/sh\nexec %s -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --log-file=%s/vg.%%p %s/bin/kwire "$@"\n' \
    "$(command -v valgrind)" "$logs" "$PWD" >"$logs/kwire"
  chmod +x "$logs/kwire"
  export KWIRE=$logs/kwire
elif [ "$mode" != plain ]; then
  echo "usage: $0 [plain|asan|valgrind]" >&2; exit 2
fi
export KW_PASS=$mode # scripts sharing a real-broker cluster across passes name topics apart
pass=0; fail=0
out=$(mktemp /tmp/kwire-integ-out.XXXXXX)
trap 'rm -f "$out"; [ -n "${logs:-}" ] && rm -rf "$logs"' EXIT
shift $(( $# > 0 ? 1 : 0 ))
[ $# -gt 0 ] || set -- tests/integ_*.sh # scripts named after the mode: only those
for t in "$@"; do
  [ -e "$t" ] || continue
  ok=1
  start=$(date +%s)
  mark=KW_INTEG_RUN=$label-$(basename "$t" .sh)-$$
  env "$mark" bash "$t" >"$out" 2>&1 || ok=0
  secs=$(( $(date +%s) - start ))
  # every process the script started carries the mark: one still running now was not
  # stopped by the script (a script must stop what it starts, by PID)
  if ! scripts/leftovers.sh "$mark" >"$out.left"; then
    { echo "integration $t: left running after the script ended (now killed):"; cat "$out.left"; } >>"$out"
    ok=0
  fi
  rm -f "$out.left"
  # a shell error inside a test script (a function called before it is defined, a typo'd
  # command, an unset variable) means a check did not run as written: the script fails
  if grep -Eq '^(tests|scripts)/[^ :]*: line [0-9]+: .*(command not found|unbound variable|syntax error|bad substitution|integer expression expected|ambiguous redirect)' "$out"; then
    echo "integration $t: the shell reported errors in the script (above)" >>"$out"
    ok=0
  fi
  if [ "$mode" = asan ] && [ -n "$(ls -A "$logs")" ]; then
    { echo "integration-asan $t: sanitizer reports:"
      for f in "$logs"/*; do echo "---- $(basename "$f")"; cat "$f"; done; } >>"$out"
    rm -f "$logs"/*
    ok=0
  fi
  if [ "$mode" = valgrind ]; then
    for f in "$logs"/vg.*; do
      [ -e "$f" ] || continue
      [ -s "$f" ] && { { echo "integration-valgrind $t: valgrind report:"; cat "$f"; } >>"$out"; ok=0; }
      rm -f "$f"
    done
  fi
  # one block per script: header, then everything it printed
  { echo "== $label $t: $([ $ok = 1 ] && echo ok || echo FAILED) ($secs s)"; cat "$out"; } | cat
  if [ $ok = 1 ]; then pass=$((pass + 1)); else
    echo "$label $t: FAILED"; fail=$((fail + 1))
    # for the report at the end of `make test`: the lines that say what failed, then the tail
    [ -n "${KW_FAILURES:-}" ] && mkdir -p "$KW_FAILURES" &&
      { grep -E 'FAIL|not ok|rror|Sanitizer|runtime error' "$out" | head -30
        echo "-- last lines:"; tail -30 "$out"; } >"$KW_FAILURES/$label--$(basename "$t" .sh).txt"
  fi
done
echo "$label: $pass passed, $fail failed"
[ -n "${KW_SUMMARY:-}" ] && echo "$label $pass $fail" >> "$KW_SUMMARY"
[ $fail -eq 0 ]
