# tests/lib_integ.sh — sourced by integration scripts that start kwire-broker themselves
# (named outside the integ_*.sh glob: it is not a test).
# Before sourcing: integ_name (the script's name, for messages) and tmp (its scratch directory).
# The script keeps the broker's PID in pid; on exit the broker is stopped by that PID
# (TERM, up to 5 s, then KILL), every command added with at_exit runs, and tmp is removed.

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
  rm -rf "$tmp"
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
