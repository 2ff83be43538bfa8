"""tests/compare_check.py — checks the JSON of `kwire bench compare` (and of --lab, with its
CSV) for the integration scripts: every client asked for has its rows, each "ok" row moved
exactly the records asked (N; kafka-python N/10) with positive figures, a "missing" or
"failed" row has a reason and no figure at all (never a zero), the ratios are taken against
the right kwire row with the targets of bench/compare.c, their verdicts follow from value and
target, and a lab's summary follows from its runs.

    compare_check.py JSON N CLIENT=STATUS[:REASON] ... [--lab LAB | --repeat R] [--csv FILE]

STATUS is ok, missing, failed, or a|b (either); REASON, when given, must be in the error of
a row that is not ok. Prints one line per row; exit 1 with the first fault.
"""
import csv
import json
import sys

TARGETS = {  # (client, metric) -> target, for both directions unless noted
    ("java", "records_per_sec"): ">= 1.0", ("java", "cpu_per_record"): "<= 0.5", ("java", "peak_rss"): "<= 0.25",
    ("franz-go", "records_per_sec"): ">= 1.0", ("franz-go", "cpu_per_record"): "<= 0.8",
    ("kcat", "records_per_sec"): ">= 1.0", ("kcat", "cpu_per_record"): "<= 0.5",
    ("confluent-kafka", "records_per_sec"): ">= 1.0", ("confluent-kafka", "cpu_per_record"): "<= 0.5",
    ("kafka-python", "records_per_sec"): ">= 30", ("kafka-python-deb", "records_per_sec"): ">= 30",
}
PRODUCE_ONLY = {("kcat", "peak_rss"): "<= 1.0"}
FIGURES = ("records_per_sec", "mb_per_sec", "seconds", "cpu_seconds", "cpu_s_per_million", "peak_rss_mb")
REPORTS_LATENCY = ("kwire", "java", "franz-go")


def die(msg):
    print("compare_check: " + msg)
    sys.exit(1)


def target(client, direction, metric):
    if (client, metric) in TARGETS:
        return TARGETS[(client, metric)]
    if direction == "produce":
        return PRODUCE_ONLY.get((client, metric))
    return None


def check_run(where, r, n, expect):
    c, dr = r["client"], r["direction"]
    want = n // 10 if c.startswith("kafka-python") else n
    status, _, reason = expect[c].partition(":")
    if r["status"] not in status.split("|"):
        die("%s %s %s: status %s (%s), expected %s" % (where, c, dr, r["status"], r.get("error"), status))
    if r["expected"] != want:
        die("%s %s %s: expected %r, not %d" % (where, c, dr, r["expected"], want))
    if r["status"] == "ok":
        if r["records"] != want:
            die("%s %s %s: records %r != %d" % (where, c, dr, r["records"], want))
        for k in FIGURES:
            if not (isinstance(r[k], (int, float)) and r[k] > 0):
                die("%s %s %s: %s = %r, not positive" % (where, c, dr, k, r.get(k)))
        if abs(r["records_per_sec"] - r["records"] / r["seconds"]) > 0.01 * r["records_per_sec"]:
            die("%s %s %s: records_per_sec does not follow from records and seconds" % (where, c, dr))
        if dr == "produce" and r["broker_held"] not in (want, -1):
            die("%s %s produce: the broker holds %r records, expected %d" % (where, c, r["broker_held"], want))
        lat = r.get("latency_ms")
        if dr == "produce" and c in REPORTS_LATENCY and not lat:
            die("%s %s produce: no latency percentiles" % (where, c))
        if lat:
            if dr != "produce":
                die("%s %s consume has latency_ms" % (where, c))
            vals = [lat[k] for k in ("p50", "p95", "p99", "p999", "max") if k in lat]
            if not all(v > 0 for v in vals) or vals != sorted(vals):
                die("%s %s produce: latency percentiles %r not positive and ascending" % (where, c, lat))
        if "own_records_per_sec" in r and not r["own_records_per_sec"] > 0:
            die("%s %s %s: own_records_per_sec %r" % (where, c, dr, r["own_records_per_sec"]))
    else:
        for k in FIGURES + ("latency_ms", "own_seconds"):
            if k in r:
                die("%s %s %s: %s but has %s = %r" % (where, c, dr, r["status"], k, r[k]))
        if r["status"] == "missing" and "records" in r:
            die("%s %s %s: missing but has records" % (where, c, dr))
        if not r.get("error"):
            die("%s %s %s: %s without a reason" % (where, c, dr, r["status"]))
        if reason and reason not in r["error"]:
            die("%s %s %s: reason %r does not mention %r" % (where, c, dr, r["error"], reason))


def check_ratios(where, ratios, runs, dirs):
    against = {"kcat": "kwire-cli"}
    seen = set()
    for q in ratios:
        c, dr, m = q["kwire_over"], q["direction"], q["metric"]
        seen.add((c, dr, m))
        if dr not in dirs:
            die("%s: a ratio for %s" % (where, dr))
        if q["kwire"] != against.get(c, "kwire"):
            die("%s: %s's ratio taken against %s" % (where, c, q["kwire"]))
        both = runs[(q["kwire"], dr)]["status"] == "ok" and runs[(c, dr)]["status"] == "ok"
        if both != (q["value"] is not None):
            die("%s: ratio %r with statuses %s/%s" % (where, q, runs[(q["kwire"], dr)]["status"], runs[(c, dr)]["status"]))
        if both and not q["value"] > 0:
            die("%s: ratio %r not positive" % (where, q))
        t = target(c, dr, m)
        if q.get("target") != t:
            die("%s: ratio %r: target %r expected" % (where, q, t))
        if t and both:
            bound = float(t.split()[1])
            ok = q["value"] >= bound if t.startswith(">=") else q["value"] <= bound
            if q["met"] is not ok:
                die("%s: ratio %r: met does not follow" % (where, q))
        elif t and q["met"] is not None:
            die("%s: ratio %r against a run with no figures has a verdict" % (where, q))
    peers = {c for (c, _) in runs if c not in ("kwire", "kwire-cli")}
    want = {(c, dr, m) for c in peers for dr in dirs for m in ("records_per_sec", "cpu_per_record", "peak_rss")}
    if seen != want:
        die("%s: ratios %r, expected %r" % (where, sorted(seen), sorted(want)))


def show(where, r):
    if r["status"] == "ok":
        lat = r.get("latency_ms", {})
        print("  %s%-17s %-7s %8d rec %8.3f s %10.0f rec/s %8.3f CPU s/M %6.1f MB%s" % (
            where, r["client"], r["direction"], r["records"], r["seconds"], r["records_per_sec"],
            r["cpu_s_per_million"], r["peak_rss_mb"], "  p99 %.1f ms" % lat["p99"] if "p99" in lat else ""))
    else:
        print("  %s%-17s %-7s %s: %s" % (where, r["client"], r["direction"], r["status"], r["error"]))


def main(argv):
    path, n = argv[1], int(argv[2])
    expect, lab, csv_path, repeat = {}, None, None, 0
    args = argv[3:]
    while args:
        a = args.pop(0)
        if a == "--lab":
            lab = args.pop(0)
        elif a == "--repeat":
            repeat = int(args.pop(0))
            lab = "repeat"
        elif a == "--csv":
            csv_path = args.pop(0)
        else:
            c, _, s = a.partition("=")
            expect[c] = s
    d = json.load(open(path))
    if d["records"] != n or d["kafka_python_records"] != n // 10 or d["payload_bytes"] != 92:
        die("header %r" % {k: d.get(k) for k in ("records", "kafka_python_records", "payload_bytes")})
    clients = [c["client"] for c in d["clients"]]
    if sorted(clients) != sorted(expect):
        die("clients %r, expected %r" % (clients, sorted(expect)))
    for c in d["clients"]:
        if c["against"] != ("kwire-cli" if c["client"] in ("kcat", "kwire-cli") else "kwire"):
            die("client %r" % c)
    sets = d["runs"] if lab else [{"run": 0, "results": d["runs"], "ratios": d["ratios"]}]
    if repeat and (d.get("repeat") != repeat or len(sets) != repeat):
        die("repeat %r with %d runs, expected %d" % (d.get("repeat"), len(sets), repeat))
    if lab and not repeat and d["lab"] != lab:
        die("lab %r" % d["lab"])
    dirs = sorted({r["direction"] for s in sets for r in s["results"]})
    topics = set()
    for s in sets:
        where = "run %d:" % s["run"] if lab else ""
        runs = {(r["client"], r["direction"]): r for r in s["results"]}
        if sorted(runs) != sorted((c, dr) for c in clients for dr in dirs):
            die("%s rows %r" % (where, sorted(runs)))
        for r in s["results"]:
            check_run(where or "", r, n, expect)
            topics.add((r["topic"], r["direction"]))
            show(where + " " if where else "", r)
        check_ratios(where or "compare", s["ratios"], runs, dirs)
    if "produce" in dirs and len({t for t, dr in topics if dr == "produce"}) != len(clients) * len(sets):
        die("expected a fresh topic per client%s" % (" and run" if lab else ""))
    if lab:
        for sm in d["summary"]:
            key = (sm["direction"], sm["kwire_over"], sm["metric"])
            per_run = [q["value"] for s in sets for q in s["ratios"]
                       if (q["direction"], q["kwire_over"], q["metric"]) == key and q["value"] is not None]
            if sm["runs_measured"] != len(per_run):
                die("summary %r: runs_measured vs %d" % (sm, len(per_run)))
            if per_run and not (min(per_run) - 1e-3 <= sm["geometric_mean"] <= max(per_run) + 1e-3):
                die("summary %r outside the runs' range" % sm)
            if not per_run and "geometric_mean" in sm:
                die("summary %r has a mean of nothing" % sm)
            if "target" in sm:
                met = sum(1 for s in sets for q in s["ratios"]
                          if (q["direction"], q["kwire_over"], q["metric"]) == key and q.get("met") is True)
                if sm["runs_met"] != met:
                    die("summary %r: runs_met does not follow from the runs" % sm)
    if repeat:
        spread = {(x["client"], x["direction"]): x for x in d["spread"]}
        if sorted(spread) != sorted((c, dr) for c in clients for dr in dirs):
            die("spread rows %r" % sorted(spread))
        for (c, dr), x in spread.items():
            oks = [r for s in sets for r in s["results"] if (r["client"], r["direction"]) == (c, dr) and r["status"] == "ok"]
            for key, field in (("records_per_sec", "records_per_sec"), ("peak_rss_mb", "peak_rss_mb"),
                               ("cpu_s_per_million", "cpu_s_per_million")):
                if not oks:
                    if key in x:
                        die("spread %r of a client never measured" % x)
                    continue
                vals = sorted(r[field] for r in oks)
                sp = x[key]
                if sp["runs"] != len(vals) or abs(sp["min"] - vals[0]) > 1e-3 * vals[0] + 1e-3 or \
                        abs(sp["max"] - vals[-1]) > 1e-3 * vals[-1] + 1e-3 or not sp["min"] <= sp["median"] <= sp["max"]:
                    die("spread %s of %s %s: %r vs %r" % (key, c, dr, sp, vals))
    if csv_path:
        rows = list(csv.DictReader(open(csv_path)))
        if len(rows) != len(clients) * len(sets) * len(dirs):
            die("csv: %d rows for %d runs" % (len(rows), len(sets)))
        for row in rows:
            if row["lab"] != lab or row["client"] not in clients:
                die("csv row %r" % row)
            if row["status"] == "ok" and not float(row["records_per_sec"]) > 0:
                die("csv row %r" % row)
            if row["status"] != "ok" and any(row[k] for k in ("records", "seconds", "records_per_sec", "peak_rss_mb")):
                die("csv row not measured but has a figure: %r" % row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
