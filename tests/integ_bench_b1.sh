#!/usr/bin/env bash
# tests/integ_bench_b1.sh — lab B1 on real Apache Kafka: `kwire bench lab B1 --quick`
# starts a single-node Kafka (bench/kafka.c through scripts/kafka.sh) for each of its two
# combinations (all-lowest, all-highest broker settings), times produce + consume, and
# stops each broker by PID. Checked, through a wrapper around scripts/kafka.sh
# (KWIRE_KAFKA_SCRIPT) that notes what each started broker logged and its PID:
#   1. the JSON: two combinations with LABS.md's settings, every record produced and read
#      back, no failure; one CSV header and two rows; the chart drawn.
#   2. each broker ran with its combination (KafkaConfig values in its server.log:
#      socket.send/receive.buffer.bytes, num.network.threads, num.io.threads), and every
#      node started was gone when the lab ended; the nodes' directories were removed.
#   3. SIGINT to kwire while a broker runs: the broker is stopped by PID, its directory
#      removed, kwire ends on the signal.
#   4. bad input: B1 through bench compare, --quick on a lab without a subset: exit 2.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-b1.XXXXXX)
integ_name=integ_bench_b1
. tests/lib_integ.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
[ -n "${KW_KAFKA_ERROR:-}" ] && fail "real broker: $KW_KAFKA_ERROR"
command -v gnuplot >/dev/null || fail "gnuplot not installed"

# the wrapper: the real script, then what the started broker says it runs with
cat >"$tmp/kafka-wrap.sh" <<EOF
#!/usr/bin/env bash
"$top/scripts/kafka.sh" "\$@"
rc=\$?
if [ "\$1" = start ] && [ \$rc = 0 ]; then
  { echo "start \$(cat "\$2/node1/pid") \$2"
    grep -m1 -A400 'KafkaConfig values' "\$2/node1/server.log" |
      grep -E '^[[:space:]]+(socket\.send\.buffer\.bytes|socket\.receive\.buffer\.bytes|num\.network\.threads|num\.io\.threads) = ' |
      sed 's/^[[:space:]]*/  /'
  } >>"$tmp/brokers.log"
fi
[ "\$1" = stop ] && echo "stop \$(cat "\$2/node1/pid" 2>/dev/null) \$2" >>"$tmp/brokers.log"
exit \$rc
EOF
chmod +x "$tmp/kafka-wrap.sh"
mkdir -p "$tmp/t"
export KWIRE_KAFKA_SCRIPT=$tmp/kafka-wrap.sh TMPDIR=$tmp/t
# stop whatever a failed run left behind, by the PIDs the wrapper noted
at_exit 'for p in $(awk "/^start/ {print \$2}" "$tmp/brokers.log" 2>/dev/null); do kill -KILL $p 2>/dev/null; done'

# 1. the quick subset, 5000 records, one run per combination after its warm-up run
timeout 600 "$kw" --json bench lab B1 --quick --records 5000 --repeat 1 --csv "$tmp/b1.csv" --chart "$tmp/b1.svg" \
  >"$tmp/b1.json" 2>"$tmp/b1.err" || fail "bench lab B1 --quick exit $?"
python3 - "$tmp/b1.json" <<'EOF' || fail "B1 JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lab"] == "B1" and d["records"] == 5000 and d["lab_records"] == 50000, d
assert d["broker"].startswith("Apache Kafka 4.4.0, 1 node"), d["broker"]
want = [{"socket.send.buffer.bytes": "131072", "socket.receive.buffer.bytes": "131072",
         "num.network.threads": "2", "num.io.threads": "2"},
        {"socket.send.buffer.bytes": "1048576", "socket.receive.buffer.bytes": "1048576",
         "num.network.threads": "8", "num.io.threads": "8"}]
assert [r["settings"] for r in d["runs"]] == want, [r["settings"] for r in d["runs"]]
assert [r["run"] for r in d["runs"]] == [1, 81]
for r in d["runs"]:
    assert r["records"] == 5000 and r["failed"] == 0 and r["records_per_sec"] > 0, r
    assert r["records_per_batch"] > 1 and r["requests"] > 0, r
print("  " + "; ".join("run %d: %.0f records/s, %.1f records/batch" % (r["run"], r["records_per_sec"],
                       r["records_per_batch"]) for r in d["runs"]))
EOF
[ "$(wc -l <"$tmp/b1.csv")" -eq 3 ] || fail "B1 CSV should have a header and 2 rows"
head -1 "$tmp/b1.csv" | grep -q "^lab,run,socket.send.buffer.bytes,socket.receive.buffer.bytes,num.network.threads,num.io.threads," ||
  fail "B1 CSV header: $(head -1 "$tmp/b1.csv")"
grep -q "<svg" "$tmp/b1.svg" || fail "B1 chart"

# 2. what each broker ran with, and that all of them are gone
sed 's/^/  /' "$tmp/brokers.log"
python3 - "$tmp/brokers.log" <<'EOF' || fail "the brokers B1 started"
import sys
blocks, cur = [], None
for l in open(sys.argv[1]):
    w = l.split()
    if w[0] == "start": cur = {"pid": w[1]}; blocks.append(cur)
    elif w[0] == "stop": pass
    else: cur[w[0]] = w[2]
assert len(blocks) == 2, blocks
lo = {"socket.send.buffer.bytes": "131072", "socket.receive.buffer.bytes": "131072", "num.network.threads": "2", "num.io.threads": "2"}
hi = {"socket.send.buffer.bytes": "1048576", "socket.receive.buffer.bytes": "1048576", "num.network.threads": "8", "num.io.threads": "8"}
for b, w in zip(blocks, (lo, hi)):
    got = {k: b.get(k) for k in w}
    assert got == w, (got, w)
EOF
for p in $(awk '/^start/ {print $2}' "$tmp/brokers.log"); do
  kill -0 "$p" 2>/dev/null && fail "broker PID $p still runs after the lab"
done
[ "$(awk '/^stop/' "$tmp/brokers.log" | wc -l)" -ge 2 ] || fail "each broker should be stopped through the script"
[ -z "$(ls -A "$tmp/t")" ] || fail "the nodes' directories were left: $(ls "$tmp/t")"

# 3. SIGINT while a broker runs: stopped by PID, directory removed
: >"$tmp/brokers.log"
"$kw" bench lab B1 --quick --records 200000 --repeat 3 >"$tmp/int.out" 2>"$tmp/int.err" &
kpid=$!
for _ in $(seq 600); do grep -q "^start" "$tmp/brokers.log" 2>/dev/null && break; sleep 0.2; done
grep -q "^start" "$tmp/brokers.log" || { kill -KILL $kpid; fail "no broker started within 120 s"; }
node=$(awk '/^start/ {print $2; exit}' "$tmp/brokers.log")
sleep 1
kill -INT $kpid
for _ in $(seq 300); do kill -0 $kpid 2>/dev/null || break; sleep 0.1; done
kill -0 $kpid 2>/dev/null && { kill -KILL $kpid; fail "kwire did not end within 30 s of SIGINT"; }
wait $kpid
st=$?
[ $st = 130 ] || fail "kwire should end on SIGINT (status 130), not $st"
kill -0 "$node" 2>/dev/null && fail "the broker (PID $node) still runs after SIGINT"
[ -z "$(ls -A "$tmp/t")" ] || fail "SIGINT left the nodes' directory: $(ls "$tmp/t")"

# 4. bad input
"$kw" bench compare --lab B1 >/dev/null 2>"$tmp/cmp.err"; [ $? = 2 ] && grep -q "broker settings" "$tmp/cmp.err" ||
  fail "bench compare --lab B1 should exit 2 saying it sweeps broker settings"
"$kw" bench lab C1 --quick >/dev/null 2>&1; [ $? = 2 ] || fail "--quick on C1 should exit 2"
echo "integ_bench_b1: ok"
