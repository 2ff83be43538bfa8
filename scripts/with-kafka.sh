#!/usr/bin/env bash
# scripts/with-kafka.sh COMMAND [ARGS...] — run COMMAND beside the real-broker clusters the
# integration scripts share, started once (side by side) and stopped by PID afterwards:
#   KW_KAFKA_DIR / KW_KAFKA      Apache Kafka 4.4.0, 3 combined nodes (the reference)
#   KW_KAFKA39_DIR / KW_KAFKA39  Apache Kafka 3.9.2, 1 node (accepts the versions 4.0 removed)
# (directories of scripts/kafka.sh start, and their PLAINTEXT bootstrap lists). Scripts
# that share them create topics of their own (tests/lib_kafka.sh: kafka_topic). When a
# cluster cannot start (no Java, jars not resolvable), KW_KAFKA_ERROR says why: COMMAND
# still runs, the mock-based tests pass or fail on their own, and every real-broker check
# fails with that one line. Exit status: COMMAND's.
set -u
# already inside one (make test wraps both integration passes): share it
if { [ -n "${KW_KAFKA_DIR:-}" ] && [ -f "$KW_KAFKA_DIR/bootstrap" ]; } || [ -n "${KW_KAFKA_ERROR:-}" ]; then
  exec "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
base=${KW_KAFKA_BASE:-$top/build/kafka}
mkdir -p "$base"
d44=$base/shared-4.4.0 d39=$base/shared-3.9.2
"$top/scripts/kafka.sh" stop "$d44" >/dev/null 2>&1
"$top/scripts/kafka.sh" stop "$d39" >/dev/null 2>&1
cleanup() {
  "$top/scripts/kafka.sh" stop "$d44" >/dev/null 2>&1 &
  "$top/scripts/kafka.sh" stop "$d39" >/dev/null 2>&1 &
  wait
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$top/scripts/kafka.sh" start "$d44" --brokers 3 --version 4.4.0 >"$base/start-4.4.0.log" 2>&1 &
p44=$!
"$top/scripts/kafka.sh" start "$d39" --brokers 1 --version 3.9.2 >"$base/start-3.9.2.log" 2>&1 &
p39=$!
err=""
if wait $p44; then
  export KW_KAFKA_DIR=$d44 KW_KAFKA=$(cat "$d44/bootstrap")
else
  err="Kafka 4.4.0 did not start: $(grep -m1 'kafka.sh:' "$base/start-4.4.0.log" || tail -1 "$base/start-4.4.0.log")"
fi
if wait $p39; then
  export KW_KAFKA39_DIR=$d39 KW_KAFKA39=$(cat "$d39/bootstrap")
else
  err="${err:+$err; }Kafka 3.9.2 did not start: $(grep -m1 'kafka.sh:' "$base/start-3.9.2.log" || tail -1 "$base/start-3.9.2.log")"
fi
cat "$base/start-4.4.0.log" "$base/start-3.9.2.log" | sed 's/^/with-kafka: /'
[ -n "$err" ] && { export KW_KAFKA_ERROR=$err; echo "with-kafka: $err" >&2; }
"$@"
