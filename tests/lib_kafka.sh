# tests/lib_kafka.sh — real Apache Kafka for the integration scripts (scripts/kafka.sh).
# Sourced after tests/lib_integ.sh (uses tmp, fail, at_exit).
#
#   kafka_use [4.4.0|3.9.2]   KAFKA (bootstrap list) and KAFKA_DIR: the cluster that
#       scripts/with-kafka.sh shares (make test starts it once: 3 nodes of 4.4.0, 1 node of
#       3.9.2), else one started for this script alone (same shape) and stopped at exit by
#       PID. When the shared clusters could not start, fails with KW_KAFKA_ERROR's line.
#   kafka_own DIR [kafka.sh start options]   a cluster of the script's own, in DIR, for
#       checks that stop or kill nodes; stopped at exit. Sets KAFKA and KAFKA_DIR.
#   kafka_topic NAME PARTITIONS [RF] [name=value...]   creates a topic named NAME-<pid>
#       (unique to this run, so the plain and the sanitizer pass share a cluster) with
#       `kwire topics create`, waits until every partition has a leader, and prints the name.
#   kjava TOOL [ARGS...]      one of Kafka's Java tools (console-consumer, topics, ...;
#       scripts/kafka.sh tool) with KAFKA_DIR's version.

kafka_sh=${kafka_sh:-scripts/kafka.sh}

kafka_use() {
  local v=${1:-4.4.0} dir="" boot=""
  case "$v" in
    4.4.0) dir=${KW_KAFKA_DIR:-}; boot=${KW_KAFKA:-} ;;
    3.9.2) dir=${KW_KAFKA39_DIR:-}; boot=${KW_KAFKA39:-} ;;
    *) fail "kafka_use: unknown version $v" ;;
  esac
  if [ -n "$dir" ] && [ -f "$dir/bootstrap" ]; then
    KAFKA_DIR=$dir KAFKA=$boot
    return 0
  fi
  [ -n "${KW_KAFKA_ERROR:-}" ] && fail "real broker: $KW_KAFKA_ERROR"
  local n=3
  [ "$v" = 3.9.2 ] && n=1
  kafka_own "$tmp/kafka-$v" --brokers $n --version "$v"
}

kafka_own() {
  local dir=$1
  shift
  at_exit "$kafka_sh stop '$dir' >/dev/null 2>&1"
  "$kafka_sh" start "$dir" "$@" >"$tmp/kafka-start.out" 2>&1 ||
    { cat "$tmp/kafka-start.out" >&2; fail "could not start Apache Kafka ($*)"; }
  sed 's/^/  /' "$tmp/kafka-start.out"
  KAFKA_DIR=$dir KAFKA=$(cat "$dir/bootstrap")
}

kafka_topic() {
  local name="$1-$$" parts=$2 rf=${3:--1} c args=()
  shift 2; [ $# -gt 0 ] && shift
  [ "$rf" = -1 ] || args+=(--replication-factor "$rf")
  for c in "$@"; do args+=(--config "$c"); done
  "${KWIRE:-bin/kwire}" -b "$KAFKA" topics create "$name" --partitions "$parts" "${args[@]}" >/dev/null \
    2>"$tmp/topic.err" || fail "creating topic $name: $(cat "$tmp/topic.err")"
  # every partition led before anyone produces (the controller has just placed them)
  local i
  for i in $(seq 100); do
    [ "$("${KWIRE:-bin/kwire}" -b "$KAFKA" metadata "$name" 2>/dev/null | grep -c 'leader [0-9]')" -ge "$parts" ] && break
    sleep 0.1
  done
  echo "$name"
}

kjava() { "$kafka_sh" tool "$KAFKA_DIR" "$@"; }
# kjava_bg TOOL ARGS... &: the same in the background, the subshell replaced by the tool
# (kafka.sh execs java), so $! is the JVM's PID and stop_pid/kill by it stops the tool
kjava_bg() { exec "$kafka_sh" tool "$KAFKA_DIR" "$@"; }
