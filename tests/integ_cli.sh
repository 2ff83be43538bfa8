#!/usr/bin/env bash
# tests/integ_cli.sh — the `kwire` command as people use kcat (issue 14): every row of the
# issue's table run as written, each checking the behaviour a user expects:
#    1 records reach a pipe as they are consumed; `| head -1` ends consume at once
#    2 Ctrl-C (SIGINT by PID, in a pseudo-terminal and from a script) and SIGTERM on
#      produce: the input stops, accepted records are delivered, the summary, the exit
#      status; a second Ctrl-C abandons what is left and says how many
#    3 --json out of consume and -J into produce copy random binary keys, values and
#      headers exactly (null vs empty); delivery reports as JSON; --json refused where it
#      means nothing
#    4 an unreachable bootstrap is said within seconds with max.block.ms; the final error
#      names every address tried
#    5 an HTTP server (a Python one, and kwire's own exporter) as bootstrap fails at once
#    6 no topic is created unless asked, on the embedded broker and on Apache Kafka 4.4.0
#      (auto.create.topics.enable=true, its default)
#    7 the exporter answers scrapes from its last collection while a slow one runs; the
#      missing ListGroups said once
#    8 lag of an unknown group;  9 an offset out of range reset with one line
#   10 explain validates -X;  11 getopt-style options and kcat's -f fields
#   12 a 2 MB line;  13 messages naming the partition count, the port, the regex, the
#      field, the path once;  14 usage and CRC exit statuses
#   16 what api-versions says is sent is what --stats counts; fallbacks remembered
#   17 -k with -K;  18 one byte count, plurals;  19 --dump=json never mixed with the
#      summary;  20 --dump columns aligned;  21 kwire help, --version, docs/LABS.md, lag
#      --watch's exit status at Ctrl-C;  22 UTF-8 strings in decode; and the teaching
#      view: enum names, absolute offsets and timestamps, compression ratio, zigzag note.
# Times to fail (rows 4, 5) are measured and held to a generous bound (5 s): the point is
# failing fast instead of after 30-60 s, not a speed target. Every process started here
# is stopped by PID; the temporary directory is removed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/kwire-integ-cli.XXXXXX)
integ_name=integ_cli
. tests/lib_integ.sh
. tests/lib_kafka.sh
for f in "$kwire" bin/kwire-broker; do
  [ -x "$f" ] || make --no-print-directory "$f" >/dev/null || fail "building $f"
done

# A port nobody listens on: bound, then closed.
# ctl COMMAND: one control command to the broker, and its answer awaited
ctl() {
  local n
  n=$(grep -c . "$tmp/broker.err" 2>/dev/null || true)
  timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$tmp/ctl" || fail "control '$1'"
  for _ in $(seq 50); do
    [ "$(grep -c . "$tmp/broker.err" 2>/dev/null || true)" -gt "$n" ] && return 0
    sleep 0.1
  done
  fail "no answer to control '$1'"
}
pids=()
at_exit 'for p in "${pids[@]}"; do stop_pid "$p"; done'

echo "integ_cli: ($kwire)"
bin/kwire-broker --brokers 3 --topic t1:3 --topic pipe:1 --topic json:3 --topic copy:3 --topic oor:1 \
  --topic lagt:1 --topic big:1 --topic slow:1 --control "$tmp/ctl" >"$tmp/boot" 2>"$tmp/broker.err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
B=$(head -1 "$tmp/boot")
[ -n "$B" ] || fail "kwire-broker printed no bootstrap list"
K() { timeout 60 "$kwire" -b "$B" "$@"; }

# ---- row 1: pipes ----
# a reader that waits for each record before the next is produced: with output held
# back until consume exits, it would never see the first one
# (timeout itself in the background, not the K function: $! is then timeout's PID, and
# stop_pid's TERM reaches kwire through it)
timeout 60 "$kwire" -b "$B" consume -t pipe -f '%s\n' >"$tmp/pipe.fifo.out" 2>"$tmp/pipe.err" &
cpid=$!
pids+=("$cpid")
sleep 0.5
got_all=1
for i in 1 2 3; do
  echo "rec$i" | K -q -X linger.ms=0 produce -t pipe || got_all=0
  seen=0
  for _ in $(seq 100); do grep -qx "rec$i" "$tmp/pipe.fifo.out" && { seen=1; break; }; sleep 0.1; done
  [ $seen = 1 ] || got_all=0
done
check "1: consume -f '%s\\n': each record reaches the pipe as it is consumed (3 of 3, one at a time)" [ $got_all = 1 ]
stop_pid "$cpid"
# | head -1 with nothing more arriving: consume sees the reader gone and exits
t0=$(now_ms)
timeout 20 bash -c "'$kwire' -b '$B' consume -t pipe -o beginning | head -1 >'$tmp/head.out'; exit \${PIPESTATUS[0]}"
rc=$?
t1=$(now_ms)
check "1: consume | head -1 exits by itself (exit $rc, $((t1 - t0)) ms, bound 5000 ms)" \
  sh -c "[ $rc -ne 124 ] && [ $((t1 - t0)) -lt 5000 ] && [ \"\$(cat '$tmp/head.out')\" = rec1 ]"
# a slow reader: every record arrives once, in order
seq 1 3000 | K -q produce -t pipe -p 0
K consume -t pipe -o beginning -e -f '%s\n' | $py -c '
import sys, time
n = 0
for line in sys.stdin:
    n += 1
    if n % 300 == 0: time.sleep(0.05)
    sys.stdout.write(line)' >"$tmp/slow.out"
check "1: a slow reader gets all 3003 records in order" \
  cmp -s "$tmp/slow.out" <(printf 'rec1\nrec2\nrec3\n'; seq 1 3000)

# ---- row 2: Ctrl-C on produce ----
cat >"$tmp/ptyrun.py" <<'EOF'
# ptyrun.py DELAY LINE... -- COMMAND: run COMMAND in a pseudo-terminal, type each LINE, send
# SIGINT to its PID (as Ctrl-C does to the foreground process), optionally a second after
# DELAY2; print what it wrote and its exit status
import os, pty, select, signal, sys, time
args = sys.argv[1:]
second = float(args.pop(0))
sep = args.index("--")
lines, cmd = args[:sep], args[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b""
def pump(sec):
    global out
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try: out += os.read(fd, 65536)
            except OSError: return
time.sleep(0.3)
for l in lines:
    os.write(fd, l.encode() + b"\n")
pump(0.7)
os.kill(pid, signal.SIGINT)
if second > 0:
    pump(second)
    os.kill(pid, signal.SIGINT)
deadline = time.time() + 30
status = None
while time.time() < deadline:
    pump(0.1)
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = os.waitstatus_to_exitcode(st)
        break
pump(0.2)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("EXIT %s" % status)
EOF
$py "$tmp/ptyrun.py" 0 typed-in-a-terminal -- "$kwire" -b "$B" -X linger.ms=3000 produce -t t1 -p 2 >"$tmp/pty.out"
K consume -t t1 -p 2 -o -1 -e >"$tmp/pty.last"
check "2: Ctrl-C in a terminal: the line is delivered, the summary printed, exit 0" \
  sh -c "grep -q '^EXIT 0$' '$tmp/pty.out' && grep -q 'kwire produce: 1 record sent, 0 failed, 0 refused' '$tmp/pty.out' &&
         grep -q 'interrupted: no more input is read; delivering the 1 accepted record' '$tmp/pty.out' &&
         grep -qx typed-in-a-terminal '$tmp/pty.last'"
# from a script: SIGINT and SIGTERM by PID while the input (a FIFO) is still open
for sig in INT TERM; do
  mkfifo "$tmp/in.$sig"
  "$kwire" -b "$B" -X linger.ms=3000 produce -t t1 -p 1 <"$tmp/in.$sig" >"$tmp/sig.out" 2>"$tmp/sig.err" &
  ppid=$!
  pids+=("$ppid")
  exec 7>"$tmp/in.$sig"
  printf 'by-script-%s-1\nby-script-%s-2\n' "$sig" "$sig" >&7
  sleep 0.7
  kill -"$sig" "$ppid"
  wait "$ppid"
  rc=$?
  exec 7>&-
  check "2: SIG$sig from a script: 2 records delivered, summary, exit 0 (exit $rc)" \
    sh -c "[ $rc = 0 ] && grep -q 'kwire produce: 2 records sent, 0 failed, 0 refused' '$tmp/sig.err'"
done
K consume -t t1 -p 1 -o -4 -e >"$tmp/sig.last"
check "2: the records sent before SIGINT and SIGTERM are in the topic" \
  sh -c "grep -qx by-script-INT-2 '$tmp/sig.last' && grep -qx by-script-TERM-2 '$tmp/sig.last'"
# a second Ctrl-C while the records cannot be delivered: the partition's leader is down
# (the other brokers answer Metadata)
ctl "leader slow 0 1"
ctl "down 1"
$py "$tmp/ptyrun.py" 1 stuck-1 stuck-2 -- "$kwire" -b "$B" -X linger.ms=0 -X delivery.timeout.ms=120000 \
  produce -t slow >"$tmp/pty2.out"
ctl "up 1"
check "2: a second Ctrl-C exits at once saying 2 records were abandoned (exit 1)" \
  sh -c "grep -q '^EXIT 1$' '$tmp/pty2.out' && grep -q 'interrupted again: 2 records abandoned' '$tmp/pty2.out' &&
         grep -q 'kwire produce: 0 records sent, 2 failed' '$tmp/pty2.out'"

# ---- row 3: JSON in and out ----
$py - "$tmp/json.in" <<'EOF'
import base64, json, os, random, sys
random.seed(14)
def field(obj, name, b):
    if b is None:
        obj[name] = None
        return
    try:
        obj[name] = b.decode("utf-8")
    except UnicodeDecodeError:
        obj[name] = base64.b64encode(b).decode()
        obj[name + "_encoding"] = "base64"
def rnd(maxlen):
    r = random.random()
    if r < 0.1: return None
    if r < 0.2: return b""
    n = random.randint(1, maxlen)
    if random.random() < 0.5: return os.urandom(n)
    return "".join(random.choice("abcé€𝄞\n\t\"\\ {}") for _ in range(n)).encode()
with open(sys.argv[1], "w") as f:
    for i in range(300):
        rec = {"partition": i % 3, "timestamp": 1700000000000 + i}
        field(rec, "key", rnd(30))
        field(rec, "value", rnd(300))
        hs = []
        for k in range(random.randint(0, 4)):
            h = {}
            field(h, "name", rnd(10) or b"")
            field(h, "value", rnd(20))
            hs.append(h)
        if hs and random.random() < 0.3: hs.append(dict(hs[0]))  # a repeated name
        rec["headers"] = hs
        f.write(json.dumps(rec) + "\n")
EOF
K --json produce -J -t json <"$tmp/json.in" >"$tmp/json.reports" 2>"$tmp/json.err"
rc=$?
check "3: produce -J: 300 records sent, exit 0 ($(tail -1 "$tmp/json.err"))" \
  sh -c "[ $rc = 0 ] && grep -q 'kwire produce: 300 records sent, 0 failed, 0 refused' '$tmp/json.err'"
check "3: produce --json: one delivery report per record with an offset and no error" $py - "$tmp/json.reports" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 300, len(r)
assert sorted(x["record"] for x in r) == list(range(1, 301))
assert all(x["error"] is None and x["offset"] >= 0 and x["topic"] == "json" for x in r)
EOF
K consume -t json --json -o beginning -e >"$tmp/json.out"
cat >"$tmp/same.py" <<'EOF'
# same.py IN OUT: every record of IN is in OUT with the same bytes (per partition, in order)
import base64, json, sys
def val(o, k):
    v = o.get(k)
    if v is None: return None
    return base64.b64decode(v) if o.get(k + "_encoding") == "base64" else v.encode("utf-8")
def norm(o):
    return (o["partition"], o.get("timestamp"), val(o, "key"), val(o, "value"),
            [(val(h, "name"), val(h, "value")) for h in o.get("headers") or []])
a = [norm(json.loads(l)) for l in open(sys.argv[1])]
b = [norm(json.loads(l)) for l in open(sys.argv[2])]
key = lambda r: r[0]
for p in range(3):
    x = [r for r in a if r[0] == p]
    y = [r for r in b if r[0] == p]
    assert x == y, "partition %d differs: %d vs %d records" % (p, len(x), len(y))
assert len(a) == len(b) == 300
EOF
check "3: consume --json gives back every key, value and header byte for byte (null vs empty kept)" \
  $py "$tmp/same.py" "$tmp/json.in" "$tmp/json.out"
check "3: the envelope: topic, partition, offset, timestamp and type, headers as a list" $py - "$tmp/json.out" <<'EOF'
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert list(o)[:6] == ["topic", "partition", "offset", "timestamp", "timestamp_type", "key"], list(o)
assert o["timestamp_type"] == "CreateTime" and isinstance(o["headers"], list)
EOF
K consume -t json --json -o beginning -e | K -q produce -J -t copy
K consume -t copy --json -o beginning -e >"$tmp/copy.out"
check "3: consume --json | produce -J -t copy copies the records exactly" $py "$tmp/same.py" "$tmp/json.in" "$tmp/copy.out"
for c in "topics list" "exporter" "broker"; do
  K --json $c >/dev/null 2>"$tmp/j.err"
  rc=$?
  check "3: --json $c: exit 2, says so" sh -c "[ $rc = 2 ] && grep -q 'json means nothing to this command' '$tmp/j.err'"
done

# ---- row 4: unreachable bootstrap ----
P1=$(free_port)
P2=$(free_port)
printf 'a\nb\n' >"$tmp/two"
t0=$(now_ms)
"$kwire" -b "127.0.0.1:$P1,127.0.0.1:$P2" -X max.block.ms=8000 produce -t t1 "$tmp/two" >/dev/null 2>"$tmp/unr.err" &
upid=$!
pids+=("$upid")
first=""
for _ in $(seq 100); do grep -q 'max.block.ms' "$tmp/unr.err" && { first=$(now_ms); break; }; sleep 0.05; done
wait "$upid"
rc=$?
check "4: a stderr line names the broker and max.block.ms, $(( ${first:-999999} - t0 )) ms in (bound 5000 ms)" \
  sh -c "[ -n '$first' ] && [ $(( ${first:-999999} - t0 )) -lt 5000 ] &&
         grep -q '127.0.0.1:$P1: connect failed: Connection refused; retrying until max.block.ms (8000 ms) runs out' '$tmp/unr.err'"
check "4: the final error names every bootstrap address tried (exit $rc)" \
  sh -c "[ $rc = 1 ] && grep 'first error' '$tmp/unr.err' | grep -q '127.0.0.1:$P1: connect failed' &&
         grep 'first error' '$tmp/unr.err' | grep -q '127.0.0.1:$P2: connect failed'"
for c in "metadata" "consume -t t1"; do
  t0=$(now_ms)
  timeout 60 "$kwire" -b "127.0.0.1:$P1,127.0.0.1:$P2" $c >/dev/null 2>"$tmp/unr2.err"
  rc=$?
  t1=$(now_ms)
  check "4: $c fails in $((t1 - t0)) ms (bound 5000) naming both addresses" \
    sh -c "[ $rc = 1 ] && [ $((t1 - t0)) -lt 5000 ] && grep -q '127.0.0.1:$P1' '$tmp/unr2.err' && grep -q '127.0.0.1:$P2' '$tmp/unr2.err'"
done

# ---- row 5: a peer that speaks HTTP ----
$py -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    try:
        c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
' >"$tmp/http.port" &
pids+=($!)
"$kwire" -b "$B" exporter --listen 127.0.0.1:0 --group g >"$tmp/exp0.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && grep -q listening "$tmp/exp0.out" && break; sleep 0.05; done
H=127.0.0.1:$(head -1 "$tmp/http.port")
E=$(sed -n 's/^listening on //p' "$tmp/exp0.out")
for peer in "$H" "$E"; do
  for c in metadata "consume -t t1" "produce -t t1"; do
    t0=$(now_ms)
    echo x | timeout 60 "$kwire" -b "$peer" $c >/dev/null 2>"$tmp/http.err"
    rc=$?
    t1=$(now_ms)
    check "5: $c against HTTP at $peer: exit 1 in $((t1 - t0)) ms (bound 5000): does not speak the Kafka protocol" \
      sh -c "[ $rc = 1 ] && [ $((t1 - t0)) -lt 5000 ] &&
             grep -q '$peer: does not speak the Kafka protocol (first bytes look like HTTP)' '$tmp/http.err'"
  done
done

# ---- row 6: no topic created unless asked ----
K metadata nosuch-a >/dev/null 2>"$tmp/m6.err"
rc=$?
K consume -t nosuch-b -e 2>"$tmp/c6.err"
rc2=$?
K topics list >"$tmp/list6"
check "6: metadata / consume of an unknown topic: exit 1, 'unknown topic', nothing created (embedded broker, Metadata v2)" \
  sh -c "[ $rc = 1 ] && [ $rc2 = 1 ] && grep -q 'unknown topic nosuch-a' '$tmp/m6.err' &&
         grep -q 'unknown topic nosuch-b' '$tmp/c6.err' && ! grep -q nosuch '$tmp/list6'"
K metadata --auto-create made-on-request >/dev/null 2>&1
check "6: metadata --auto-create creates it" sh -c "K() { timeout 60 '$kwire' -b '$B' \"\$@\"; }; K topics list | grep -qx made-on-request"
kafka_use 4.4.0
n6=nosuch-$$
timeout 60 "$kwire" -b "$KAFKA" metadata "$n6" >/dev/null 2>"$tmp/km.err"
rc=$?
timeout 60 "$kwire" -b "$KAFKA" consume -t "$n6-c" -e >/dev/null 2>"$tmp/kc.err"
rc2=$?
timeout 60 "$kwire" -b "$KAFKA" topics list >"$tmp/klist" 2>&1
kjava topics --bootstrap-server "$KAFKA" --list >"$tmp/klist.java" 2>/dev/null
check "6: Kafka 4.4.0 (auto.create.topics.enable=true): unknown topic, exit 1, not created (kwire and kafka-topics.sh)" \
  sh -c "[ $rc = 1 ] && [ $rc2 = 1 ] && grep -q 'unknown topic $n6' '$tmp/km.err' && grep -q 'unknown topic $n6-c' '$tmp/kc.err' &&
         ! grep -q '$n6' '$tmp/klist' && ! grep -q '$n6' '$tmp/klist.java'"
timeout 60 "$kwire" -b "$KAFKA" metadata --auto-create "$n6-asked" >/dev/null 2>&1
sleep 1
check "6: Kafka 4.4.0: metadata --auto-create creates it" \
  sh -c "timeout 60 '$kwire' -b '$KAFKA' topics list | grep -qx '$n6-asked'"

# ---- row 7: the exporter answers from its last collection ----
"$kwire" -b "$B" exporter --listen 127.0.0.1:0 --interval 0.2 >"$tmp/exp.out" 2>"$tmp/exp.err" &
epid=$!
pids+=("$epid")
for _ in $(seq 100); do grep -q listening "$tmp/exp.out" && break; sleep 0.05; done
E=$(sed -n 's/^listening on //p' "$tmp/exp.out")
curl -s "http://$E/metrics" >"$tmp/m1"
sleep 1.5 # several collections
check "7: the brokers' missing ListGroups said once on stderr (after $(grep -c . "$tmp/exp.err") lines)" \
  sh -c "[ \$(grep -c 'do not implement ListGroups' '$tmp/exp.err') = 1 ]"
check "7: kwire_scrape_duration_seconds and kwire_up 1 served" \
  sh -c "grep -q '^kwire_scrape_duration_seconds ' '$tmp/m1' && grep -qx 'kwire_up 1' '$tmp/m1'"
ctl "rtt -1 1500" # a slow cluster: each collection now takes seconds
sleep 2
worst=0
for i in 1 2 3 4 5; do
  t=$(curl -s -o "$tmp/m2" -w '%{time_total}' "http://$E/metrics")
  ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
  [ "$ms" -gt "$worst" ] && worst=$ms
done
ctl "rtt -1 0"
check "7: while collections take seconds, 5 scrapes answer from the last one (slowest $worst ms, bound 1000)" \
  sh -c "[ $worst -lt 1000 ] && grep -q '^kwire_up ' '$tmp/m2'"
stop_pid "$epid"

# ---- rows 8, 9, 10 ----
K lag -g NOGROUP --threshold 1 >"$tmp/l8.out" 2>"$tmp/l8.err"
rc=$?
check "8: lag of an unknown group: exit 1, named" \
  sh -c "[ $rc = 1 ] && grep -q 'group NOGROUP is unknown to the coordinator (no committed offsets)' '$tmp/l8.err'"
seq 0 9 | K -q produce -t oor -p 0
K -X auto.offset.reset=earliest consume -t oor -p 0 -o 999 -e >"$tmp/o9.out" 2>"$tmp/o9.err"
rc=$?
check "9: offset 999 out of range: reset to earliest with one line, the records printed" \
  sh -c "[ $rc = 0 ] && [ \$(grep -c 'out of range' '$tmp/o9.err') = 1 ] &&
         grep -q 'offset 999 out of range for oor \\[0\\] (its log holds 0..10), reset to earliest (0)' '$tmp/o9.err' &&
         seq 0 9 | cmp -s - '$tmp/o9.out'"
K consume -t oor -g fresh-$$ -o beginning -e >"$tmp/o9g.out" 2>"$tmp/o9g.err"
rc=$?
check "9: a group member without committed offsets: 'no committed offset', started by auto.offset.reset" \
  sh -c "[ $rc = 0 ] && grep -q 'no committed offset for oor \\[0\\]: starting at earliest (0) by auto.offset.reset' '$tmp/o9g.err' &&
         ! grep -q 'out of range' '$tmp/o9g.err' && seq 0 9 | cmp -s - '$tmp/o9g.out'"
"$kwire" explain Produce -X lingerr.ms=5 >/dev/null 2>"$tmp/e10.err"
rc=$?
check "10: explain -X lingerr.ms=5: exit 2, the setting named" \
  sh -c "[ $rc = 2 ] && grep -q 'lingerr.ms: unknown setting (did you mean linger.ms?)' '$tmp/e10.err'"

# ---- row 11: getopt-style options, kcat's fields ----
long=$(K consume -t oor -p 0 -o -1 -e)
short=$(timeout 60 "$kwire" "-b$B" consume -toor -p0 -o-1 -e)
longeq=$(timeout 60 "$kwire" "--bootstrap=$B" consume -t oor -p 0 -o -1 -e)
check "11: -tT -p0 -o-1 -b\$B and --bootstrap=\$B read what -t T -p 0 -o -1 does" \
  sh -c "[ '$long' = 9 ] && [ '$short' = 9 ] && [ '$longeq' = 9 ]"
ts=$(K consume -t oor -p 0 -o 5 -c 1 -f '%T')
check "11: -o s@TS is accepted (exit $?)" sh -c "timeout 60 '$kwire' -b '$B' consume -t oor -p 0 -o 's@$ts' -e >/dev/null"
printf 'kk:vv\n' | K -q produce -t oor -p 0 -K :
K consume -t oor -p 0 -o -1 -e -f '%k|%K|%s|%S|%R|%t|%p|%o\n' >"$tmp/f11"
check "11: -f %k %K %s %S %R %t %p %o (kcat's fields)" \
  sh -c "printf 'kk|2|vv|2|\\000\\000\\000\\002|oor|0|10\\n' | cmp -s - '$tmp/f11'"
K lag -g NOGROUP --threshold=1 >/dev/null 2>&1
check "11: --threshold=1 (--long=value) parses (exit $?, 1 = the unknown group)" [ $? = 1 ]

# ---- rows 12, 13, 14 ----
head -c 2097152 /dev/zero | tr '\0' a >"$tmp/big.line"
K produce -t big "$tmp/big.line" >/dev/null 2>"$tmp/big.err"
rc=$?
check "12: a 2 MB line: exit 1 naming max.request.size and the record's size" \
  sh -c "[ $rc = 1 ] && grep -q 'a record of 2097152 bytes (key 0 + value 2097152 + headers 0) does not fit max.request.size (1048576 bytes' '$tmp/big.err'"
echo x | K produce -t t1 -p 999 >/dev/null 2>"$tmp/p13.err"
check "13: produce -p 999 names the partition count" \
  grep -q 'partition 999 does not exist: topic t1 has 3 partitions (0..2)' "$tmp/p13.err"
"$kwire" -b "$B" exporter --listen 127.0.0.1:0 >"$tmp/exp13.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$tmp/exp13.out" && break; sleep 0.05; done
E13=$(sed -n 's/^listening on //p' "$tmp/exp13.out")
K exporter --listen "$E13" >/dev/null 2>"$tmp/busy.err"
check "13: exporter on a busy port names the port and errno (exit $?)" \
  grep -q "cannot listen on $E13: Address already in use (EADDRINUSE" "$tmp/busy.err"
K exporter --listen 127.0.0.1:0 --group-filter '(' >/dev/null 2>"$tmp/re.err"
rc=$?
check "13: --group-filter '(' names the regex error (exit $rc)" \
  sh -c "[ $rc = 2 ] && grep -q \"group-filter '(': Unmatched ( or\" '$tmp/re.err'"
K consume -t t1 -f '%Z' >/dev/null 2>"$tmp/fz.err"
rc=$?
check "13: -f '%Z' names the field (exit $rc)" sh -c "[ $rc = 2 ] && grep -q 'unknown field %Z' '$tmp/fz.err'"
"$kwire" decode "$tmp/missing.pcap" >/dev/null 2>"$tmp/miss.err"
check "13: decode missing.pcap names the path once" \
  sh -c "[ \$(grep -o 'missing.pcap' '$tmp/miss.err' | wc -l) = 1 ]"
K consume -t t1 -o stored >/dev/null 2>"$tmp/st.err"
rc=$?
check "14: consume -o stored without -g: exit 2 (usage)" sh -c "[ $rc = 2 ] && grep -q 'needs -g GROUP' '$tmp/st.err'"
"$kwire" explain Produce --records 3 --raw "$tmp/p.bin" >/dev/null
$py -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[-10] ^= 0xff; open(sys.argv[2], 'wb').write(d)" \
  "$tmp/p.bin" "$tmp/pbad.bin"
"$kwire" decode --request "$tmp/pbad.bin" >"$tmp/crc.out" 2>"$tmp/crc.err"
rc=$?
check "14: decode --request of a frame with a flipped byte: the dump says MISMATCH, exit 1" \
  sh -c "[ $rc = 1 ] && grep -q MISMATCH '$tmp/crc.out' && grep -q 'CRC-32C mismatch' '$tmp/crc.err'"

# ---- row 16: what api-versions says is sent ----
K api-versions >"$tmp/av.out"
echo x | K --stats produce -t t1 >/dev/null 2>"$tmp/av.stats"
check "16: api-versions 'use' is what goes on the wire: ApiVersions v0 and InitProducerId v4" \
  sh -c "grep -Eq '^  ApiVersions +18 .* v0$' '$tmp/av.out' && grep -Eq '^  InitProducerId +22 .* v4$' '$tmp/av.out' &&
         grep -q 'InitProducerId v4: 1 request' '$tmp/av.stats'"
K --stats consume -t t1 -o beginning -e >/dev/null 2>"$tmp/lo.stats"
v5=$(grep -o 'ListOffsets v5: [0-9]* request' "$tmp/lo.stats" | awk '{s += $3} END {print s + 0}')
v3=$(grep -o 'ListOffsets v3: [0-9]* request' "$tmp/lo.stats" | awk '{s += $3} END {print s + 0}')
check "16: the ListOffsets fallback is remembered per broker ($v5 at v5 for 3 brokers, then $v3 at v3)" \
  sh -c "[ $v5 -ge 1 ] && [ $v5 -le 3 ] && [ $v3 -ge 2 ]"

# ---- rows 17, 18, 19, 20 ----
echo a | K produce -t t1 -k K -K : >/dev/null 2>"$tmp/kk.err"
rc=$?
check "17: -k with -K: exit 2 naming both" sh -c "[ $rc = 2 ] && grep -q -- '-k KEY (one key for every record) and -K DELIM' '$tmp/kk.err'"
echo 'k1:v1' | K produce -t t1 -K : 2>"$tmp/b1.err" >/dev/null
echo 'v1' | K produce -t t1 -k k1 2>"$tmp/b2.err" >/dev/null
check "18: one byte count for -k and -K (key + value), '1 record'" \
  sh -c "grep -q '1 record sent, 0 failed, 0 refused, 4 bytes (keys + values + headers)' '$tmp/b1.err' &&
         grep -q '1 record sent, 0 failed, 0 refused, 4 bytes (keys + values + headers)' '$tmp/b2.err'"
echo x | K --dump=json produce -t t1 >/dev/null 2>"$tmp/d19.err"
rc=$?
check "19: --dump=json to stderr is refused (exit 2): it would mix with the summary" \
  sh -c "[ $rc = 2 ] && grep -q 'needs --dump-file' '$tmp/d19.err'"
echo x | K --dump=json --dump-file "$tmp/d19.json" produce -t t1 >/dev/null 2>"$tmp/d19b.err"
check "19: --dump-file holds one JSON document, the summary stays on stderr" \
  sh -c "$py -m json.tool '$tmp/d19.json' >/dev/null && grep -q '1 record sent' '$tmp/d19b.err'"
echo x | K --dump --dump-file "$tmp/d20.txt" produce -t t1 >/dev/null 2>&1
check "20: --dump text: in every frame the type and value columns line up" $py - "$tmp/d20.txt" <<'EOF'
import re, sys
frames, cur = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("=="):
        cur = []
        frames.append(cur)
        continue
    m = re.match(r"^[0-9a-f]{8}  .{47}  (.*)$", line.rstrip("\n"))
    if not m: continue
    right = line.rstrip("\n")[59:]
    parts = re.match(r"^( *\S+ +)(\S+ +)(.+)$", right)
    # (the attribute bits' types, "bits 0-2", hold a space: their value column is not checked)
    if parts and not parts.group(2).startswith("bit"):
        cur.append((len(parts.group(1)), len(parts.group(1)) + len(parts.group(2))))
assert frames and all(len(set(f)) <= 1 for f in frames if f), [sorted(set(f)) for f in frames]
EOF

# ---- row 21 ----
"$kwire" help >"$tmp/help.out"
rc=$?
"$kwire" help consume >"$tmp/helpc.out"
check "21: kwire help lists the commands and help; kwire help consume is consume's usage; --version in help" \
  sh -c "[ $rc = 0 ] && grep -q '^  help ' '$tmp/help.out' && grep -q -- '--version' '$tmp/help.out' &&
         grep -q '^usage: kwire consume' '$tmp/helpc.out' && '$kwire' --version | grep -q '^kwire '"
check "21: README links the labs inside the repository (docs/LABS.md)" \
  sh -c "grep -q '(docs/LABS.md)' README.md && [ -s docs/LABS.md ] && ! grep -q 'shared/LABS' README.md"
printf 'x\n%.0s' $(seq 1 50) | K -q produce -t lagt -p 0
K -q consume -t lagt -o beginning -c 10 -g lag21 --commit >/dev/null
"$kwire" -b "$B" lag -g lag21 --watch 0.2 --threshold 5 >"$tmp/w21.out" 2>&1 &
wpid=$!
pids+=("$wpid")
for _ in $(seq 100); do grep -q WARNING "$tmp/w21.out" && break; sleep 0.05; done
kill -INT "$wpid"
wait "$wpid"
rc=$?
check "21: lag --watch: Ctrl-C after a tick over the threshold exits 3 (got $rc); help says so" \
  sh -c "[ $rc = 3 ] && '$kwire' lag --help | grep -q 'With --watch, the status at Ctrl-C is that of the last tick'"

# ---- row 22 and the teaching view ----
$py - "$tmp/md3.bin" <<'EOF'
import struct, sys
def s(b): return struct.pack(">h", len(b)) + b
body = struct.pack(">i", 0) + struct.pack(">i", 2)
body += struct.pack(">i", 1) + s("h\u00e9".encode()) + struct.pack(">i", 9092) + s("\u20ac".encode())
body += struct.pack(">i", 2) + s("\U0001D11E".encode()) + struct.pack(">i", 9092) + s(b"bad\xff")
body += s(b"cluster") + struct.pack(">i", 1) + struct.pack(">i", 0)
open(sys.argv[1], "wb").write(body)
EOF
"$kwire" decode --response Metadata 3 "$tmp/md3.bin" >"$tmp/u.txt"
"$kwire" decode --json --response Metadata 3 "$tmp/md3.bin" >"$tmp/u.json"
check "22: UTF-8 strings shown as the characters (é, €, 𝄞), an invalid byte as \\xff with a note" \
  sh -c "grep -q '\"hé\"' '$tmp/u.txt' && grep -q '\"€\"' '$tmp/u.txt' && grep -q '\"𝄞\"' '$tmp/u.txt' &&
         grep -q '\"bad\\\\xff\"' '$tmp/u.txt' && grep -q '^!! not valid UTF-8' '$tmp/u.txt'"
check "22: --json: proper JSON strings" $py - "$tmp/u.json" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))["frames"][0]["fields"]
vals = [x.get("value") for x in f if x.get("name") in ("host", "rack")]
assert vals == ['"hé"', '"€"', '"𝄞"', '"bad\\xff"'], vals
EOF
"$kwire" explain Produce --records 3 -X compression.type=gzip -X acks=all >"$tmp/teach.txt"
"$kwire" explain Fetch >"$tmp/teachf.txt" 2>/dev/null
K --dump --dump-file "$tmp/teachm.txt" metadata t1 >/dev/null
check "teaching view: acks -1 (all), isolation_level 0 (read_uncommitted), error_code 0 (NONE)" \
  sh -c "grep -Eq 'acks +int16 +-1 \\(all' '$tmp/teach.txt' && grep -Eq 'isolation_level +int8 +0 \\(read_uncommitted\\)' '$tmp/teachf.txt' &&
         grep -Eq 'error_code +int16 +0 \\(NONE\\)' '$tmp/teachm.txt'"
check "teaching view: each record's absolute offset and ISO 8601 timestamp beside the deltas" \
  sh -c "grep -Eq 'offsetDelta +varint +2 \\(offset 2\\)' '$tmp/teach.txt' &&
         grep -Eq 'timestampDelta +varlong +0 \\(timestamp [0-9]+, [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\\)' '$tmp/teach.txt' &&
         grep -Eq 'baseTimestamp +int64 +[0-9]+ \\([0-9-]+T[0-9:.]+Z\\)' '$tmp/teach.txt'"
check "teaching view: the batch's compression ratio and a note on zigzag varints" \
  sh -c "grep -q 'region 1: decompressed gzip, [0-9]* bytes from [0-9]*: compression ratio [0-9.]*' '$tmp/teach.txt' &&
         [ \$(grep -c 'zigzag varints' '$tmp/teach.txt') = 1 ]"

checks_done
