#!/usr/bin/env bash
# tests/integ_kafka_produce.sh — the producer against real Apache Kafka 4.4.0 (the shared
# 3-node cluster of scripts/with-kafka.sh, or one of its own), which checks each batch's
# CRC, decompresses, and checks idempotent producers' sequence numbers:
#   1. grid: each codec (none gzip snappy lz4 zstd) x acks 0, 1, all x idempotence
#      (off, and on with acks=all: 20 runs), 4000 keyed records each (keys k0..k96, value
#      "v-RUN-N-...", headers h1=x and h2=y) into a 6-partition topic per run (replication
#      factor 3): every run's topic is read back by Kafka's own Java console consumer
#      (all topics in one JVM, by regex) and by `kwire consume`; both see every record
#      exactly once, in order per partition, with the key, value and headers sent, a
#      CreateTime within the run, and they agree on partition, offset and timestamp of
#      every record.
#   2. the Java console producer writes 2000 keyed records with headers for each codec;
#      `kwire consume` reads each back: keys, values, headers as written, once each.
#   3. keyed records land where Java's default partitioner puts them: the same 500 keys
#      produced by the Java console producer and by kwire into two 6-partition topics
#      map to the same partition, key for key.
# Everything started here is stopped by PID; every wait is bounded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kproduce.XXXXXX)
integ_name=integ_kafka_produce
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
kafka_use 4.4.0
N=4000
pfx=kp-${KW_PASS:-plain}

# 1. the grid
runs=()
for c in none gzip snappy lz4 zstd; do
  for mode in a0 a1 all-noidem all-idem; do runs+=("$c:$mode"); done
done
r=0
: >"$tmp/topics"
for run in "${runs[@]}"; do
  c=${run%%:*} mode=${run#*:}
  case $mode in
    a0) set_acks=(-X acks=0 -X enable.idempotence=false) ;;
    a1) set_acks=(-X acks=1 -X enable.idempotence=false) ;;
    all-noidem) set_acks=(-X acks=all -X enable.idempotence=false) ;;
    all-idem) set_acks=(-X acks=all -X enable.idempotence=true) ;;
  esac
  T=$(kafka_topic "$pfx-$c-$mode" 6 3)
  echo "$r $T $c $mode" >>"$tmp/topics"
  python3 - "$r" "$N" >"$tmp/in-$r.txt" <<'EOF'
import sys
r, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n): print("k%d:v-%d-%d-%s" % (i % 97, r, i, "abcdefghij" * (i % 13)))
EOF
  t0=$(date +%s%3N)
  "$kw" -b "$KAFKA" "${set_acks[@]}" -X compression.type="$c" -X linger.ms=5 \
    produce -t "$T" -K : -H h1=x -H h2=y "$tmp/in-$r.txt" >"$tmp/p-$r.out" 2>"$tmp/p-$r.err" ||
    fail "produce $run: exit $?: $(tail -3 "$tmp/p-$r.err")"
  t1=$(date +%s%3N)
  echo "$t0 $t1" >"$tmp/t-$r"
  grep -q "$N records sent, 0 failed" "$tmp/p-$r.err" || fail "produce $run: $(grep records "$tmp/p-$r.err")"
  # -c, not -e: after acks 0 or 1 the high watermark (where -e stops) reaches the last
  # record only when the followers have fetched it
  timeout 60 "$kw" -b "$KAFKA" consume -t "$T" -o beginning -c "$N" -f '%p\t%o\t%T\t%k\t%h\t%s\n' \
    >"$tmp/k-$r.txt" 2>"$tmp/k-$r.err" || fail "kwire consume $run: $(tail -3 "$tmp/k-$r.err")"
  r=$((r + 1))
done
total=$((N * r))
timeout 120 "$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$KAFKA" \
  --include "$pfx-.*-$$" --from-beginning --max-messages "$total" --timeout-ms 20000 \
  --formatter-property print.key=true --formatter-property print.partition=true \
  --formatter-property print.offset=true --formatter-property print.headers=true \
  --formatter-property print.timestamp=true >"$tmp/java.txt" 2>"$tmp/java.err"
[ "$(wc -l <"$tmp/java.txt")" -ge "$total" ] ||
  fail "Java console consumer read $(wc -l <"$tmp/java.txt") of $total records: $(tail -3 "$tmp/java.err")"
python3 - "$tmp" "$r" "$N" <<'EOF' || fail "grid read-back (above)"
import sys, collections
tmp, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = {}
for l in open(tmp + "/topics"):
    i, t, c, m = l.split(); names[int(i)] = "%s/%s (%s)" % (c, m, t)
bad = []
def expect(r, i):
    return "k%d" % (i % 97), "v-%d-%d-%s" % (r, i, "abcdefghij" * (i % 13))
def check(src, rows):
    # rows: run -> list of (partition, offset, ts, key, headers, value)
    for r in range(runs):
        t0, t1 = map(int, open("%s/t-%d" % (tmp, r)).read().split())
        got = rows.get(r, [])
        seen = set(); last = {}; keyed = {}
        for p, o, ts, k, h, v in got:
            parts = v.split("-", 3)
            i = int(parts[2])
            if (k, v) != expect(r, i): bad.append("%s %s: record %d is %r %r" % (src, names[r], i, k, v[:40])); continue
            if h != "h1=x,h2=y": bad.append("%s %s: record %d headers %r" % (src, names[r], i, h)); continue
            if not (t0 - 1000 <= ts <= t1 + 1000): bad.append("%s %s: record %d timestamp %d outside the run" % (src, names[r], i, ts))
            if i in seen: bad.append("%s %s: record %d twice" % (src, names[r], i))
            seen.add(i)
            if last.get(p, -1) > i: bad.append("%s %s: partition %d out of order at %d" % (src, names[r], p, i))
            last[p] = i
            if keyed.setdefault(k, p) != p: bad.append("%s %s: key %s on two partitions" % (src, names[r], k))
        if len(seen) != n: bad.append("%s %s: %d of %d records" % (src, names[r], len(seen), n))
kw = {}
for r in range(runs):
    for l in open("%s/k-%d.txt" % (tmp, r), encoding="utf-8"):
        p, o, ts, k, h, v = l.rstrip("\n").split("\t", 5)
        kw.setdefault(r, []).append((int(p), int(o), int(ts), k, h, v))
check("kwire", kw)
java = {}
for l in open(tmp + "/java.txt", encoding="utf-8"):
    f = l.rstrip("\n").split("\t", 5)
    if len(f) != 6 or not f[0].startswith("CreateTime:"): bad.append("java: unexpected line %r" % l[:80]); continue
    ts = int(f[0].split(":")[1]); p = int(f[1].split(":")[1]); o = int(f[2].split(":")[1])
    h = f[3].replace(":", "=") if f[3] != "NO_HEADERS" else ""
    v = f[5]; r = int(v.split("-")[1])
    java.setdefault(r, []).append((p, o, ts, f[4], h, v))
check("java", java)
# the two readers agree on where and when each record is
for r in range(runs):
    a = {(p, o): (ts, k, v) for p, o, ts, k, h, v in kw.get(r, [])}
    b = {(p, o): (ts, k, v) for p, o, ts, k, h, v in java.get(r, [])}
    if a != b: bad.append("%s: kwire and the Java consumer disagree on %d records" % (names[r], len(set(a.items()) ^ set(b.items()))))
if bad:
    print("\n".join(bad[:30])); sys.exit(1)
print("  grid: %d runs x %d records read back by kwire and by the Java console consumer, each once, in order, equal" % (runs, n))
EOF

# 2. the Java console producer's records, each codec, read by kwire
for c in none gzip snappy lz4 zstd; do
  T=$(kafka_topic "$pfx-java-$c" 3 3)
  python3 -c '
import sys
for i in range(2000): print("h1:x,h2:%d\tjk%d\tjv-%d-%s" % (i, i % 31, i, "xyz" * (i % 7)))' >"$tmp/jin.txt"
  timeout 60 "$kafka_sh" tool "$KAFKA_DIR" console-producer --bootstrap-server "$KAFKA" --topic "$T" \
    --command-property compression.type="$c" --command-property linger.ms=5 \
    --reader-property parse.key=true --reader-property key.separator=$'\t' --reader-property parse.headers=true \
    --reader-property headers.delimiter=$'\t' --reader-property headers.separator=, \
    --reader-property headers.key.separator=: \
    <"$tmp/jin.txt" >/dev/null 2>"$tmp/jp.err" || fail "Java console producer ($c): $(tail -3 "$tmp/jp.err")"
  timeout 60 "$kw" -b "$KAFKA" -X check.crcs=true consume -t "$T" -o beginning -e -f '%p\t%k\t%h\t%s\n' \
    >"$tmp/jk.txt" 2>"$tmp/jk.err" || fail "kwire consume of the Java producer's $c records: $(tail -3 "$tmp/jk.err")"
  python3 - "$tmp/jk.txt" "$c" <<'EOF' || fail "Java producer ($c) read back by kwire"
import sys
seen = set(); bad = []
for l in open(sys.argv[1], encoding="utf-8"):
    p, k, h, v = l.rstrip("\n").split("\t", 3)
    i = int(v.split("-")[1])
    if (k, h, v) != ("jk%d" % (i % 31), "h1=x,h2=%d" % i, "jv-%d-%s" % (i, "xyz" * (i % 7))): bad.append((k, h, v[:30]))
    if i in seen: bad.append(("twice", i))
    seen.add(i)
if bad or len(seen) != 2000:
    print(sys.argv[2], len(seen), bad[:5]); sys.exit(1)
EOF
done
echo "  the Java console producer's records (none gzip snappy lz4 zstd) read back by kwire, each once"

# 3. keyed partitioning as Java's default partitioner (murmur2 of the key)
TJ=$(kafka_topic "$pfx-keys-java" 6 1)
TK=$(kafka_topic "$pfx-keys-kwire" 6 1)
python3 -c '
for i in range(500): print("key-%d:%d" % (i * 7919, i))' >"$tmp/keys.txt"
timeout 60 "$kafka_sh" tool "$KAFKA_DIR" console-producer --bootstrap-server "$KAFKA" --topic "$TJ" \
  --reader-property parse.key=true --reader-property key.separator=: <"$tmp/keys.txt" >/dev/null 2>"$tmp/jp.err" ||
  fail "Java console producer (keys): $(tail -3 "$tmp/jp.err")"
"$kw" -b "$KAFKA" produce -t "$TK" -K : "$tmp/keys.txt" >/dev/null 2>"$tmp/kp.err" || fail "kwire produce (keys): $(tail -3 "$tmp/kp.err")"
for t in "$TJ" "$TK"; do
  timeout 60 "$kw" -b "$KAFKA" consume -t "$t" -o beginning -e -f '%k %p\n' 2>"$tmp/kc.err" | sort >"$tmp/map-$t" ||
    fail "consume $t: $(tail -3 "$tmp/kc.err")"
done
[ "$(wc -l <"$tmp/map-$TK")" = 500 ] || fail "keys: $(wc -l <"$tmp/map-$TK") of 500 records read"
cmp -s "$tmp/map-$TJ" "$tmp/map-$TK" ||
  fail "keys on other partitions than Java's: $(diff "$tmp/map-$TJ" "$tmp/map-$TK" | head -5)"
echo "  500 keys: kwire's partition equals the Java producer's for each"
echo "$integ_name: ok"
