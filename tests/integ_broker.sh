#!/usr/bin/env bash
# tests/integ_broker.sh — integration test of bin/kwire-broker (the librdkafka mock cluster):
# argument errors exit 2; a 3-broker cluster with test-topic:6 prints its bootstrap list and
# port file; kcat -L sees 3 brokers and 6 partitions; control-FIFO commands are answered on
# stderr and take effect (leader move, topic creation, unknown broker, bad command);
# Metadata auto-creates unknown topics with 4 partitions; SIGTERM and SIGINT stop it with
# exit status 0 and the FIFO it created is removed. Every wait has a timeout; on failure
# the broker is killed, its stderr shown, and the script exits 1. Run from the top dir.
# Real broker: this script tests the embedded mock itself; the Apache Kafka launcher
# (`kwire broker --kafka`, scripts/kafka.sh) is tested by tests/integ_kafka_broker.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
broker=bin/kwire-broker
tmp=$(mktemp -d /tmp/kwire-integ-broker.XXXXXX)
integ_name=integ_broker
. tests/lib_integ.sh
# on failure, the whole stderr of the broker under test (its answers to the FIFO commands)
integ_on_fail() { [ -s "$tmp/err" ] && sed 's/^/  broker stderr: /' "$tmp/err"; }

# wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds or time is up.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# send COMMAND EXPECTED_REPLY: write one line to the FIFO, wait for the exact reply line.
send() {
  timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$tmp/ctl" || fail "writing '$1' to the FIFO"
  wait_for 10 grep -qxF -- "$2" "$tmp/err" || fail "no reply '$2' to '$1'"
}

# stop SIGNAL: signal the broker by PID, wait (bounded) and require exit status 0.
stop() {
  kill -"$1" "$pid" || fail "broker $pid not running before SIG$1"
  wait_for 15 sh -c '! kill -0 "$1" 2>/dev/null || { ps -o stat= -p "$1" | grep -q Z; }' sh "$pid" ||
    fail "broker did not exit within 15 s of SIG$1"
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  [ "$rc" -eq 0 ] || fail "broker exited with status $rc after SIG$1"
}

command -v kcat >/dev/null || fail "kcat not installed"
if [ ! -x "$broker" ]; then make --no-print-directory "$broker" >/dev/null || fail "building $broker"; fi

# 1. bad arguments: message and exit status 2
for args in "--brokers 0" "--brokers x" "--topic t" "--topic t:0" "--topic t:2:4" "--bogus" \
            "--control"; do
  rc=0
  # shellcheck disable=SC2086
  timeout 10 "$broker" $args >/dev/null 2>"$tmp/usage" || rc=$?
  [ "$rc" -eq 2 ] || fail "'kwire-broker $args' exited $rc, expected 2"
  grep -q "usage:" "$tmp/usage" || fail "'kwire-broker $args' printed no usage"
done

# 2. start 3 brokers with test-topic:6
"$broker" --brokers 3 --topic test-topic:6 --control "$tmp/ctl" --port-file "$tmp/port" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for 10 test -s "$tmp/out" || fail "no bootstrap line on stdout within 10 s"
boot=$(head -n1 "$tmp/out")
echo "$boot" | grep -Eqx '127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}' ||
  fail "bootstrap line '$boot' is not three 127.0.0.1:PORT entries"
[ "$(cat "$tmp/port")" = "$boot" ] || fail "port file differs from stdout"
[ -p "$tmp/ctl" ] || fail "control FIFO was not created"

# 3. kcat sees 3 brokers and test-topic with 6 partitions
timeout 20 kcat -b "$boot" -L -t test-topic >"$tmp/md" 2>&1 || fail "kcat -L failed: $(cat "$tmp/md")"
grep -q "^ 3 brokers:" "$tmp/md" || fail "kcat -L does not list 3 brokers: $(cat "$tmp/md")"
for b in 1 2 3; do
  grep -q "broker $b at 127.0.0.1:" "$tmp/md" || fail "broker $b missing from metadata"
done
grep -q 'topic "test-topic" with 6 partitions:' "$tmp/md" ||
  fail "test-topic does not have 6 partitions: $(cat "$tmp/md")"

# 4. fault commands through the FIFO, each answered on stderr
send "leader test-topic 0 2" "ok leader test-topic 0 2"
timeout 20 kcat -b "$boot" -L -t test-topic >"$tmp/md" 2>&1 || fail "kcat -L after leader move"
grep -q "partition 0, leader 2," "$tmp/md" || fail "partition 0 leader is not 2: $(cat "$tmp/md")"
send "rtt 99 10" "error: rtt 99 10: Broker: Broker not available"
send "no-such-command 1" \
  "error: unknown command 'no-such-command' (down, up, rtt, leader, errors, broker-errors, clear, topic, coordinator)"
send "errors 0 NOT_LEADER_FOR_PARTITION 6" "ok errors 0 NOT_LEADER_FOR_PARTITION 6"
send "broker-errors 1 1 REQUEST_TIMED_OUT:50 0:0" "ok broker-errors 1 1 REQUEST_TIMED_OUT:50 0:0"
send "clear 0" "ok clear 0"
send "coordinator group g1 3" "ok coordinator group g1 3"
send "down 3" "ok down 3"
send "up 3" "ok up 3"
send "topic made-topic 2 1" "ok topic made-topic 2 1"
timeout 20 kcat -b "$boot" -L -t made-topic >"$tmp/md" 2>&1 || fail "kcat -L made-topic"
grep -q 'topic "made-topic" with 2 partitions:' "$tmp/md" || fail "made-topic: $(cat "$tmp/md")"

# 5. auto-creation: Metadata for an unknown topic creates it with the mock's 4 partitions
timeout 20 kcat -b "$boot" -L -t auto-topic >"$tmp/md" 2>&1 || fail "kcat -L auto-topic"
grep -q 'topic "auto-topic" with 4 partitions:' "$tmp/md" || fail "auto-topic: $(cat "$tmp/md")"

# 6. SIGTERM: exit 0, FIFO removed
stop TERM
[ ! -e "$tmp/ctl" ] || fail "control FIFO left behind"

# 7. SIGINT on a cluster without a FIFO: exit 0
: >"$tmp/out"
"$broker" --brokers 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for 10 test -s "$tmp/out" || fail "1-broker cluster printed no bootstrap line"
grep -Eqx '127\.0\.0\.1:[0-9]+' "$tmp/out" || fail "1-broker bootstrap line: $(cat "$tmp/out")"
stop INT

echo "integ_broker: ok"
