# tests/lib_integ.sh — sourced by every integration script (tests/integ_*.sh): cleanup at
# exit, stop_pid, fail, check/checks_done, ctl, free_port, start_broker, now_ms (named
# outside the integ_*.sh glob: it is not a test).
# Before sourcing: integ_name (the script's name, for messages) and tmp (its scratch directory).
# The script keeps the broker's PID in pid; on exit the broker is stopped by that PID
# (TERM, up to 5 s, then KILL), every command added with at_exit runs, and tmp is removed
# (kept, and its path said, when KW_KEEP_TMP is set: for a look after a failure).

pid=""
integ_exit_cmds=()
at_exit() { integ_exit_cmds+=("$1"); } # at_exit 'COMMAND': run at exit, before tmp goes

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

integ_cleanup() {
  local c
  for c in "${integ_exit_cmds[@]}"; do eval "$c"; done
  [ -n "$pid" ] && stop_pid "$pid"
  if [ -n "${KW_KEEP_TMP:-}" ]; then echo "$integ_name: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap integ_cleanup EXIT

# fail MESSAGE: say it with the last lines of every tmp/*.err (and whatever the script's
# integ_on_fail function, when it defines one, prints: e.g. its brokers' logs), exit 1
fail() {
  echo "$integ_name: FAIL: $*" >&2
  for f in "$tmp"/*.err; do [ -s "$f" ] && tail -5 "$f" | sed "s|^|  $(basename "$f"): |" >&2; done
  declare -F integ_on_fail >/dev/null && integ_on_fail >&2
  exit 1
}

# ctl COMMAND: one command to the broker's control FIFO (tmp/ctl)
ctl() { timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$tmp/ctl" || fail "control '$1'"; }

# check DESCRIPTION COMMAND...: run COMMAND (as words, not a string to eval); print
# "  ok   DESCRIPTION" or "  FAIL DESCRIPTION" on stdout; count both in checks and the
# failures in fails. checks_done closes a script that uses check.
fails=0
checks=0
check() {
  local integ_desc=$1
  shift
  checks=$((checks + 1))
  if "$@"; then echo "  ok   $integ_desc"; else echo "  FAIL $integ_desc"; fails=$((fails + 1)); fi
}

# checks_done: the closing line. Every check passed: "NAME: N of N checks passed", status
# 0; otherwise fail (so the tails of tmp/*.err and integ_on_fail's output are shown).
checks_done() {
  [ "$fails" -eq 0 ] || fail "$fails of $checks checks failed"
  echo "$integ_name: $checks of $checks checks passed"
}

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (bound, then closed):
# for a server about to be started, or as a port nobody listens on
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_broker ARGS...: bin/kwire-broker ARGS in the background, stdout to tmp/boot,
# stderr to tmp/broker.err; its PID in pid (stopped at exit) and its bootstrap list (the
# first line it prints) in bs; fail when none comes within 10 s
start_broker() {
  bin/kwire-broker "$@" >"$tmp/boot" 2>"$tmp/broker.err" &
  pid=$!
  local _
  for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
  bs=$(head -1 "$tmp/boot")
  [ -n "$bs" ] || fail "kwire-broker $* printed no bootstrap list"
}

now_ms() { date +%s%3N; } # the wall clock in milliseconds
