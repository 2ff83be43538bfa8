#!/usr/bin/env bash
# tests/integ_bench_compare.sh — `kwire bench compare -n 20000 --json` on the embedded
# broker: kwire, librdkafka (kcat) and kafka-python each produce and consume; every run
# is "ok" with records == expected (20000; kafka-python 2000, N/10, with its times scaled x10) and positive seconds,
# records/s, CPU and peak RSS, and the ratios against the targets are present. Then with
# PATH holding no kcat, librdkafka is reported "missing" with no figures (never zeros),
# the other clients still run, and the command exits 0; a fake kcat that consumes only
# 10 records is reported "failed" with that count, not timed. Every run is bounded by timeout.
# Run from the top dir after `make all`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-compare.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "integ_bench_compare: FAIL: $*" >&2; [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err" >&2; exit 1; }
[ -x "$kwire" ] && [ -x bin/kwire-broker ] || fail "make all first"
command -v kcat >/dev/null || fail "kcat is not installed (this test needs it)"
/usr/bin/python3 -c 'import kafka' 2>/dev/null || fail "python3-kafka is not installed (this test needs it)"

# check JSON KCAT_STATUS: the runs and ratios as expected
check() {
  /usr/bin/python3 - "$1" "$2" <<'PYEOF'
import json, sys
path, kcat_status = sys.argv[1], sys.argv[2]
d = json.load(open(path))
def die(msg):
    print(msg); sys.exit(1)
if d["records"] != 20000 or d["kafka_python_records"] != 2000:
    die("records %r / kafka_python_records %r" % (d["records"], d["kafka_python_records"]))
runs = {(r["client"], r["direction"]): r for r in d["runs"]}
if len(runs) != 6:
    die("expected 6 runs, got %d" % len(runs))
for client in ("kwire", "librdkafka", "kafka-python"):
    want = 2000 if client == "kafka-python" else 20000
    for direction in ("produce", "consume"):
        r = runs[(client, direction)]
        status = kcat_status if client == "librdkafka" else "ok"
        if r["status"] != status:
            die("%s %s: status %s (%s), expected %s" % (client, direction, r["status"], r.get("error"), status))
        if r["expected"] != want:
            die("%s %s: expected %r" % (client, direction, r["expected"]))
        if status == "ok":
            if r["records"] != want:
                die("%s %s: records %r != %d" % (client, direction, r["records"], want))
            for k in ("seconds", "records_per_sec", "cpu_seconds", "cpu_s_per_million", "peak_rss_mb"):
                if not (isinstance(r[k], (int, float)) and r[k] > 0):
                    die("%s %s: %s = %r, not positive" % (client, direction, k, r[k]))
            if abs(r["records_per_sec"] - r["records"] / r["seconds"]) > 0.01 * r["records_per_sec"]:
                die("%s %s: records_per_sec inconsistent" % (client, direction))
            if direction == "produce" and r["broker_held"] != want:
                die("%s produce: the broker holds %r records, expected %d" % (client, r["broker_held"], want))
            if client == "kafka-python":
                if r["scale"] != 10 or abs(r["seconds_scaled_to_records"] - 10 * r["seconds"]) > 1e-3 * r["seconds"] + 1e-5:
                    die("kafka-python %s: scaling %r" % (direction, r))
            elif "scale" in r:
                die("%s %s is scaled" % (client, direction))
        else:
            # missing: no figure at all, and never a zero
            for k in ("records", "seconds", "records_per_sec", "cpu_s_per_million", "peak_rss_mb"):
                if k in r:
                    die("%s %s: missing but has %s = %r" % (client, direction, k, r[k]))
            if "kcat" not in r["error"]:
                die("%s %s: error %r does not name kcat" % (client, direction, r["error"]))
ratios = d["ratios"]
if len(ratios) != 12:
    die("expected 12 ratios (2 directions x 2 peers x records/s, CPU, RSS), got %d" % len(ratios))
for q in ratios:
    against_ok = kcat_status == "ok" or q["kwire_over"] != "librdkafka"
    if against_ok:
        if not (isinstance(q["value"], float) and q["value"] > 0):
            die("ratio %r has no positive value" % q)
        if "target" in q and q["met"] not in (True, False):
            die("ratio %r: met is not a boolean" % q)
        if "target" in q and q["met"] != (q["value"] >= float(q["target"].split()[1]) if q["target"].startswith(">=")
                                          else q["value"] <= float(q["target"].split()[1])):
            die("ratio %r: met does not follow from value and target" % q)
    elif q["value"] is not None or q.get("met") is not None:
        die("ratio %r against a missing client has a value" % q)
targets = sorted((q["direction"], q["kwire_over"], q["metric"], q["target"]) for q in ratios if "target" in q)
want = sorted([(dr, "librdkafka", "records_per_sec", ">= 1.0") for dr in ("produce", "consume")] +
              [(dr, "librdkafka", "cpu_per_record", "<= 0.5") for dr in ("produce", "consume")] +
              [(dr, "kafka-python", "records_per_sec", ">= 30") for dr in ("produce", "consume")] +
              [("produce", "librdkafka", "peak_rss", "<= 1.0")])
if targets != want:
    die("targets %r" % targets)
for (c, dr), r in sorted(runs.items()):
    if r["status"] == "ok":
        print("  %-12s %-7s %6d records %8.3f s %10.0f records/s %9.3f CPU s/M %6.1f MB" %
              (c, dr, r["records"], r["seconds"], r["records_per_sec"], r["cpu_s_per_million"], r["peak_rss_mb"]))
    else:
        print("  %-12s %-7s %s: %s" % (c, dr, r["status"], r["error"]))
PYEOF
}

start=$(date +%s)
timeout 60 "$kwire" bench compare -n 20000 --json > "$tmp/all.json" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "bench compare exited $rc"
check "$tmp/all.json" ok || fail "all three clients: $(cat "$tmp/all.json")"

# the text form carries the same rows and the target verdicts
timeout 60 "$kwire" bench compare -n 2000 > "$tmp/all.txt" 2> "$tmp/err" || fail "text run failed"
grep -Eq "^kafka-python +produce +200 " "$tmp/all.txt" || fail "text: no kafka-python row of 200 records: $(cat "$tmp/all.txt")"
grep -Eq "target >= 30 +(met|NOT MET)" "$tmp/all.txt" || fail "text: no verdict for the kafka-python target"
grep -q "^kafka-python scaled x10 to 2000 records: produce ~" "$tmp/all.txt" || fail "text: no scaled kafka-python line"

# kcat not on PATH: reported missing, the rest still measured, exit 0
mkdir "$tmp/nopath"
timeout 60 env PATH="$tmp/nopath" "$kwire" bench compare -n 20000 --json > "$tmp/nokcat.json" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "without kcat: exited $rc"
check "$tmp/nokcat.json" missing || fail "without kcat: $(cat "$tmp/nokcat.json")"
timeout 60 env PATH="$tmp/nopath" "$kwire" bench compare -n 2000 > "$tmp/nokcat.txt" 2> "$tmp/err" || fail "text run without kcat failed"
grep -Eq "^librdkafka +produce +- +missing: kcat not found" "$tmp/nokcat.txt" || fail "text: kcat not reported missing: $(cat "$tmp/nokcat.txt")"

# a kcat that moves fewer records than asked: its consume is "failed" (with the count it
# moved and no figures), the others are measured, exit 0
mkdir "$tmp/fake"
cat > "$tmp/fake/kcat" <<'SH'
#!/bin/sh
case " $* " in *" -C "*) i=0; while [ $i -lt 10 ]; do echo x; i=$((i + 1)); done ;; esac
exit 0
SH
chmod +x "$tmp/fake/kcat"
timeout 60 env PATH="$tmp/fake" "$kwire" bench compare -n 20000 --json > "$tmp/short.json" 2> "$tmp/err" ||
  fail "with a short kcat: exited non-zero"
/usr/bin/python3 - "$tmp/short.json" <<'PYEOF' || fail "with a short kcat: $(cat "$tmp/short.json")"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {(r["client"], r["direction"]): r for r in d["runs"]}
r = runs[("librdkafka", "consume")]
assert r["status"] == "failed" and r["records"] == 10 and "seconds" not in r and "records_per_sec" not in r, r
assert "moved 10 of 20000" in r["error"], r
for c in ("kwire", "kafka-python"):
    for dr in ("produce", "consume"):
        assert runs[(c, dr)]["status"] == "ok", runs[(c, dr)]
q = [q for q in d["ratios"] if q["direction"] == "consume" and q["kwire_over"] == "librdkafka"]
assert q and all(x["value"] is None for x in q), q
PYEOF

# a kwire-broker that fails at start-up: exit 1, and the message says what it wrote
# (kwire looks for kwire-broker beside its own executable first)
mkdir "$tmp/selfdir"
cp "$kwire" "$tmp/selfdir/kwire"
printf '#!/bin/sh\necho "kwire-broker: cannot create topic x: no memory today" >&2\nexit 1\n' > "$tmp/selfdir/kwire-broker"
chmod +x "$tmp/selfdir/kwire-broker"
rc=0; timeout 60 "$tmp/selfdir/kwire" bench compare -n 2000 > /dev/null 2> "$tmp/err" || rc=$?
[ $rc -eq 1 ] || fail "failing kwire-broker: exited $rc, expected 1"
grep -q "could not start kwire-broker (it printed no bootstrap line: kwire-broker: cannot create topic x: no memory today); give a broker with -b" "$tmp/err" ||
  fail "failing kwire-broker: $(cat "$tmp/err")"

# bad arguments are usage errors
"$kwire" bench compare -n 0 > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "-n 0 exited $rc, expected 2"
"$kwire" bench compare --bogus > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--bogus exited $rc, expected 2"

echo "integ_bench_compare: ok ($(( $(date +%s) - start )) s)"
