#!/usr/bin/env bash
# scripts/leftovers.sh NAME=VALUE — the processes still running with NAME=VALUE in their
# environment (what an integration script started carries the mark scripts/integration.sh
# gives it), after up to 10 s for them to finish exiting: each printed as "PID command" on
# stdout and then killed (KILL, by that PID). Exit 0 when none was left, 1 otherwise.
set -u
mark=${1:?usage: leftovers.sh NAME=VALUE}
left() { grep -lsxzF -- "$mark" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/\([0-9]*\)/environ$|\1|'; }
pids=()
for _ in $(seq 100); do
  mapfile -t pids < <(left)
  [ ${#pids[@]} -eq 0 ] && exit 0
  sleep 0.1
done
for p in "${pids[@]}"; do
  cmd=$(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-200)
  [ -n "$cmd" ] || continue # gone meanwhile, or a zombie
  echo "$p $cmd"
  kill -KILL "$p" 2>/dev/null
done | grep . && exit 1
exit 0
