#!/usr/bin/env bash
# tests/integ_decode.sh — `kwire explain` and `kwire decode` end to end, no broker:
#   1. explain builds a Produce v7 request (gzip, 3 records) and writes the frame; decode
#      of that frame (binary and hex) prints exactly what explain printed;
#   2. the frame wrapped in a pcap by text2pcap: tshark's Kafka dissector and kwire's
#      capture reader agree on API key, version and record count;
#   3. every API and version kwire describes (all of Kafka 4.4) is explained and round-trips
#      through decode; JSON output is valid JSON;
#   4. malformed input and usage errors give their exit status and a clear message;
#   5. the captured traffic (tests/data/traffic-*.pcap): every response is paired with
#      its request, every request answered (or in flight when the capture ended), and no
#      decode error is printed.
# Real broker: none needed (explain and decode work on bytes); the dump of real Kafka
# traffic held against decode of its capture is in tests/integ_dump.sh.
set -u
cd "$(dirname "$0")/.."
KW=${KWIRE:-bin/kwire}
PY=/usr/bin/python3
[ -x "$KW" ] || { echo "integ_decode: $KW not built"; exit 1; }
T=$(mktemp -d /tmp/kw-integ-decode.XXXXXX)
tmp=$T
integ_name=integ_decode
. tests/lib_integ.sh
# check DESCRIPTION 'CONDITION': not the library's check, on purpose: the condition is a
# string evaluated here (it reads the $rc and files of the command just before), and a
# pass prints nothing (the loops over every API and version make hundreds of checks);
# it counts in the library's checks and fails, closed by checks_done
check() {
  checks=$((checks + 1))
  eval "$2" || { echo "integ_decode: FAIL: $1"; fails=$((fails + 1)); }
}

# ---- 1. explain -> raw frame -> decode ----
$KW explain produce --version 7 -X compression.type=gzip --records 3 --raw "$T/p7.bin" >"$T/explain.txt" 2>"$T/err"; rc=$?
check "explain produce exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "explain wrote the frame" '[ -s "$T/p7.bin" ]'
$KW decode --request "$T/p7.bin" >"$T/decode.txt" 2>"$T/err"; rc=$?
check "decode --request exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "decode shows what explain showed" 'diff -u "$T/explain.txt" "$T/decode.txt" >"$T/diff" || { cat "$T/diff"; false; }'
check "heading names Produce v7" 'grep -q "^== request  Produce v7  correlation_id 1  size $(stat -c %s "$T/p7.bin")$" "$T/decode.txt"'
check "three records in the decompressed region" '[ "$(grep -cE "^[0-9a-f]{8} .* \[[0-9]+\] +Record$" "$T/decode.txt")" -eq 3 ]'
check "gzip region opened" 'grep -q -- "---- region 1: decompressed gzip" "$T/decode.txt"'
check "CRC valid" 'grep -qE " crc +uint32 +valid$" "$T/decode.txt"'
check "labs payload" '[ "$(grep -cE "value +bytes +\"\\{\\\\\"data\\\\\": \\\\\"AAAA" "$T/decode.txt")" -eq 3 ]'
od -An -tx1 -v "$T/p7.bin" >"$T/p7.hex"
$KW decode --request "$T/p7.bin" --json >"$T/decode.json" 2>/dev/null
check "decode --json is valid JSON" '$PY -m json.tool "$T/decode.json" >/dev/null'
$KW decode --hex --request "$T/p7.hex" >"$T/decode-hex.txt" 2>/dev/null
check "--hex input decodes the same" 'cmp -s "$T/decode.txt" "$T/decode-hex.txt"'
check "JSON has the record values" '$PY - "$T/decode.json" <<EOF
import json, sys
d = json.load(open(sys.argv[1]))
f = d["frames"][0]
assert f["api"] == "Produce" and f["version"] == 7, f
vals = [x for x in f["fields"] if x["kind"] == "field" and x["name"] == "value" and x["region"] == 1]
assert len(vals) == 3, len(vals)
assert all(len(bytes.fromhex(v["hex"])) == 92 for v in vals)
EOF'

# ---- 2. tshark and kwire's capture reader on the same frame ----
od -Ax -tx1 -v "$T/p7.bin" >"$T/p7.od"
if command -v text2pcap >/dev/null && command -v tshark >/dev/null; then
  text2pcap -q -T 40000,9092 "$T/p7.od" "$T/p7.pcap" 2>/dev/null || text2pcap -T 40000,9092 "$T/p7.od" "$T/p7.pcap" >/dev/null 2>&1
  tshark -r "$T/p7.pcap" -d tcp.port==9092,kafka -V >"$T/tshark.txt" 2>/dev/null
  check "tshark: Produce v7 request" 'grep -q "Kafka (Produce v7 Request)" "$T/tshark.txt"'
  check "tshark: API key 0, version 7" 'grep -q "API Key: Produce (0)" "$T/tshark.txt" && grep -q "API Version: 7" "$T/tshark.txt"'
  check "tshark: gzip batch of 3 records" 'grep -q "Compression Codec: Gzip" "$T/tshark.txt" && [ "$(grep -cE "^ +Record$" "$T/tshark.txt")" -eq 3 ]'
  check "tshark: same payload" '[ "$(grep -c "Value: \"{\"data\": \"AAAA" "$T/tshark.txt")" -eq 3 ]'
  $KW decode "$T/p7.pcap" >"$T/pcap.txt" 2>"$T/pcap.err"; rc=$?
  check "kwire decode of the pcap exit 0 ($(cat "$T/pcap.err"))" '[ $rc -eq 0 ]'
  check "kwire: Produce v7 request from 40000 to 9092" 'grep -qE "^== .*  stream 1  [0-9.]+:40000 -> [0-9.]+:9092  request  Produce v7  correlation_id 1" "$T/pcap.txt"'
  check "kwire: 3 records from the pcap" '[ "$(grep -cE "\[[0-9]+\] +Record$" "$T/pcap.txt")" -eq 3 ]'
  check "kwire: request without response reported" 'grep -q "got no response in the capture" "$T/pcap.txt"'
  tsv=""
  # every API: tshark's dissector reads kwire's request without complaint, at kwire's
  # highest version or, when tshark knows fewer versions, the highest it knows
  while read -r key name lo hi; do
    v=$hi
    for attempt in 1 2; do
      $KW -q explain "$name" --version "$v" --group g1 --topic t1 --raw "$T/ts.bin" >/dev/null 2>&1
      od -Ax -tx1 -v "$T/ts.bin" >"$T/ts.od"
      text2pcap -q -T 40000,9092 "$T/ts.od" "$T/ts.pcap" >/dev/null 2>&1
      tshark -r "$T/ts.pcap" -d tcp.port==9092,kafka -V >"$T/ts.txt" 2>&1
      tv=$(sed -n "s/.*Unsupported .* version. Supports v[0-9]*-\([0-9]*\).*/\1/p" "$T/ts.txt" | head -1)
      [ -n "$tv" ] && [ "$tv" -lt "$v" ] && [ "$tv" -ge "$lo" ] && [ $attempt -eq 1 ] && { v=$tv; continue; }
      break
    done
    check "tshark reads $name v$v: API key $key" 'grep -qE "API Key: .*\($key\)$" "$T/ts.txt" && grep -qE "Kafka \(.* v$v Request\)" "$T/ts.txt"'
    check "tshark finds $name v$v well formed" '! grep -qi "malformed" "$T/ts.txt"'
    tsv="$tsv $name:v$v"
  done < <(sed -n 's/^ *X(\([0-9]*\), *\([A-Za-z]*\), *\([0-9]*\), *\([0-9]*\)).*/\1 \2 \3 \4/p' proto/proto.h)
  echo "integ_decode: tshark cross-checked:$tsv"
else
  echo "integ_decode: text2pcap/tshark missing: tshark checks skipped"
fi

# ---- 3. every explainable API, both formats ----
for args in "apiversions" "apiversions --version 0" "metadata orders payments" "metadata --version 0" \
            "produce --records 2 -X compression.type=zstd -X acks=1" "produce --version 3 -X compression.type=lz4" \
            "produce -X compression.type=snappy --records 5" "fetch --topic t1 -X isolation.level=read_committed" \
            "fetch --version 4 -X fetch.max.wait.ms=100"; do
  # shellcheck disable=SC2086
  $KW -q explain $args --raw "$T/x.bin" >"$T/x.txt" 2>"$T/x.err"; rc=$?
  check "explain $args exit 0 ($(cat "$T/x.err"))" '[ $rc -eq 0 ]'
  $KW decode --request "$T/x.bin" >"$T/y.txt" 2>"$T/y.err"
  check "decode of explain $args ($(cat "$T/y.err"))" 'cmp -s "$T/x.txt" "$T/y.txt"'
  # the one note a record set carries: how its zigzag varints are written
  check "no error in explain $args" '! grep "^!!" "$T/x.txt" | grep -qv "zigzag varints"'
  # shellcheck disable=SC2086
  $KW -q explain $args --json >"$T/x.json" 2>/dev/null
  check "explain $args --json valid" '$PY -m json.tool "$T/x.json" >/dev/null'
done
# every API kwire describes, at every version (KW_API_MAP in proto/api_table.h)
while read -r name lo hi; do
  for v in $(seq "$lo" "$hi"); do
    $KW -q explain "$name" --version "$v" --group g1 --topic t1 --raw "$T/x.bin" >"$T/x.txt" 2>"$T/x.err"; rc=$?
    check "explain $name v$v exit 0 ($(head -2 "$T/x.err"))" '[ $rc -eq 0 ]'
    check "explain $name v$v heading" 'grep -q "^== request  $name v$v  correlation_id 1  size $(stat -c %s "$T/x.bin")$" "$T/x.txt"'
    $KW decode --request "$T/x.bin" >"$T/y.txt" 2>"$T/y.err"
    check "decode of explain $name v$v ($(head -2 "$T/y.err"))" 'cmp -s "$T/x.txt" "$T/y.txt"'
    check "no error or note in explain $name v$v" '! grep "^!!" "$T/x.txt" | grep -qv "zigzag varints"'
  done
done < <(sed -n 's/^ *X(\([0-9]*\), *\([A-Za-z]*\), *\([0-9]*\), *\([0-9]*\), *-*[0-9]*).*/\2 \3 \4/p' proto/api_table.h)
n_apis=$(grep -c '^ *X([0-9]*, [A-Za-z]*, [0-9]*, [0-9]*, -*[0-9]*)' proto/api_table.h)
check "explain walked every described API ($n_apis)" '[ "$n_apis" -ge 90 ]'
$KW explain fetch --version 4 -X fetch.min.bytes=7 -X max.partition.fetch.bytes=4096 >"$T/f.txt" 2>/dev/null
check "fetch settings land in the request" 'grep -qE " min_bytes +int32 +7$" "$T/f.txt" && grep -qE " partition_max_bytes +int32 +4096$" "$T/f.txt" && grep -qE " max_bytes +int32 +52428800$" "$T/f.txt"'
$KW explain produce -X acks=0 -X request.timeout.ms=1234 >"$T/a.txt" 2>/dev/null
check "produce settings land in the request" 'grep -qE " acks +int16 +0 \(none: no response\)$" "$T/a.txt" && grep -qE " timeout_ms +int32 +1234$" "$T/a.txt"'
$KW explain apiversions >"$T/av.txt"
check "ApiVersions names kwire" 'grep -qE "client_software_name +compact_string +\"kwire\"" "$T/av.txt"'

# ---- 4. errors ----
head -c 120 "$T/p7.bin" >"$T/short.bin"
$KW decode --request "$T/short.bin" >"$T/short.txt" 2>"$T/short.err"; rc=$?
check "truncated frame: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "truncated frame: message names offset and field" 'grep -qE "decoding stopped at offset [0-9]+ .*\(field [^)]+\)" "$T/short.err"'
check "truncated frame: error shown in the dump" 'grep -q "^!! ERROR at offset" "$T/short.txt"'
printf '00 01 zz' >"$T/badhex.txt"
$KW decode --hex --request "$T/badhex.txt" >/dev/null 2>"$T/e"; rc=$?
check "bad hex: exit 1 (got $rc)" '[ $rc -eq 1 ] && grep -q "not hex text" "$T/e"'
$KW decode --response NoSuchApi 1 "$T/p7.bin" >/dev/null 2>&1; rc=$?
check "unknown API: exit 2 (got $rc)" '[ $rc -eq 2 ]'
$KW decode >/dev/null 2>&1; rc=$?
check "nothing to decode: exit 2 (got $rc)" '[ $rc -eq 2 ]'
$KW explain produce --version 99 >/dev/null 2>&1; rc=$?
check "explain bad version: exit 2 (got $rc)" '[ $rc -eq 2 ]'
$KW explain produce -X compression.type=brotli >/dev/null 2>&1; rc=$?
check "explain bad setting: exit 2 (got $rc)" '[ $rc -eq 2 ]'
$KW explain produce --version 6 -X compression.type=zstd >/dev/null 2>"$T/e"; rc=$?
check "zstd before Produce v7 refused: exit 2 (got $rc)" '[ $rc -eq 2 ] && grep -q "needs Produce v7" "$T/e"'
$KW decode --help >"$T/h" 2>&1; rc=$?
check "decode --help exit 0" '[ $rc -eq 0 ] && grep -q "^usage: kwire decode" "$T/h"'
$KW explain --help >"$T/h" 2>&1; rc=$?
check "explain --help exit 0" '[ $rc -eq 0 ] && grep -q "^usage: kwire explain" "$T/h"'
$KW decode /nonexistent.pcap >/dev/null 2>"$T/e"; rc=$?
check "missing capture: exit 1" '[ $rc -eq 1 ] && grep -q "nonexistent.pcap" "$T/e"'
# a response body decoded on its own: the ApiVersions v0 response kwire's own frame
# encoder would build is not at hand here, so use a hand-written one
printf '0000 00000001 0012 0000 0004' >"$T/av0.hex"
$KW decode --response apiversions 0 --hex "$T/av0.hex" >"$T/av0.txt" 2>"$T/e"; rc=$?
check "response body decode exit 0 ($(cat "$T/e"))" '[ $rc -eq 0 ] && grep -qE " max_version +int16 +4$" "$T/av0.txt"'
printf '00000012 00000007 0000 00000001 0012 0000 0004' >"$T/av0f.hex"
$KW decode --response ApiVersions 0 --frame --hex "$T/av0f.hex" >"$T/av0f.txt" 2>"$T/e"; rc=$?
check "response frame decode exit 0 ($(cat "$T/e"))" '[ $rc -eq 0 ] && grep -q "correlation_id 7" "$T/av0f.txt"'

# ---- 5. captured traffic ----
n=0
for f in tests/data/traffic-*.pcap; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  $KW decode "$f" >"$T/t.txt" 2>"$T/t.err"; rc=$?
  sum=$(grep "^kwire decode: $f:" "$T/t.err")
  check "$f: exit 0 (got $rc: $(grep -v "^kwire decode: $f:" "$T/t.err" | head -3))" '[ $rc -eq 0 ]'
  check "$f: no decode error printed" '! grep -q "^!! ERROR" "$T/t.txt"'
  req=$(sed -n 's/.* \([0-9]*\) requests, .*/\1/p' <<<"$sum")
  paired=$(sed -n 's/.*(\([0-9]*\) paired, .*/\1/p' <<<"$sum")
  unpaired=$(sed -n 's/.* \([0-9]*\) unpaired).*/\1/p' <<<"$sum")
  noresp=$(sed -n 's/.* \([0-9]*\) without response.*/\1/p' <<<"$sum")
  inflight=$(grep -c "got no response in the capture" "$T/t.txt")
  check "$f: every response paired ($sum)" '[ -n "$req" ] && [ "$unpaired" = 0 ] && [ "$req" -gt 0 ]'
  check "$f: every request answered or in flight at the end ($sum)" \
        '[ $((paired + noresp)) -eq "$req" ] && [ "$noresp" -eq "$inflight" ]'
  $KW decode --json "$f" >"$T/t.json" 2>/dev/null
  check "$f: --json valid" '$PY -m json.tool "$T/t.json" >/dev/null'
done
[ $n -gt 0 ] || echo "integ_decode: no tests/data/traffic-*.pcap: capture checks skipped"
# pcapng reads the same as pcap; --port picks the same client side
f=tests/data/traffic-kcat-produce.pcap
if [ -f "$f" ] && command -v editcap >/dev/null; then
  editcap -F pcapng "$f" "$T/t.pcapng" 2>/dev/null
  $KW -q decode "$f" >"$T/a.txt" 2>/dev/null
  $KW -q decode "$T/t.pcapng" >"$T/b.txt" 2>/dev/null
  check "pcapng decodes like pcap" 'cmp -s "$T/a.txt" "$T/b.txt"'
  port=$(sed -n 's/^== .*  [0-9.]*:[0-9]* -> [0-9.]*:\([0-9]*\)  request .*/\1/p' "$T/a.txt" | head -1)
  $KW -q decode --port "$port" "$f" >"$T/c.txt" 2>/dev/null
  check "--port $port finds the same frames" '[ "$(grep -c "^== " "$T/c.txt")" -ge 1 ] && grep "^== " "$T/a.txt" | grep -q ":$port  request" && diff <(grep "^== " "$T/a.txt" | grep -F ":$port ") <(grep "^== " "$T/c.txt") >/dev/null'
fi

# ---- 6. the frames cut from those captures (tests/data/frames/MANIFEST.tsv) ----
M=tests/data/frames/MANIFEST.tsv
if [ -f "$M" ]; then
  decoded=0; undescribed=0
  while IFS=$'\t' read -r file key name ver dir corr len src conn; do
    [ "$file" = file ] && continue
    fr=tests/data/frames/$file
    if [ "$dir" = req ]; then
      $KW decode --request "$fr" >"$T/fr.txt" 2>"$T/fr.err"; rc=$?
    else
      $KW decode --response "$name" "$ver" --frame "$fr" >"$T/fr.txt" 2>"$T/fr.err"; rc=$?
      if [ $rc -eq 2 ] && grep -q "does not describe" "$T/fr.err"; then undescribed=$((undescribed + 1)); continue; fi
    fi
    check "$file: exit 0 (got $rc: $(head -2 "$T/fr.err"))" '[ $rc -eq 0 ]'
    check "$file: heading says $name v$ver correlation_id $corr size $len" \
          'grep -qE "^== (request|response)  $name v$ver  correlation_id $corr  size $len$" "$T/fr.txt"'
    check "$file: no error" '! grep -q "^!! ERROR" "$T/fr.txt"'
    if grep -q "not decoded" "$T/fr.txt"; then undescribed=$((undescribed + 1)); else decoded=$((decoded + 1)); fi
  done <"$M"
  echo "integ_decode: frames: $decoded decoded field by field, $undescribed of APIs kwire does not describe (shown as raw bytes)"
  # the capture reader finds exactly the frames the extractor cut
  for f in tests/data/traffic-*.pcap; do
    want=$(awk -F'\t' -v s="$(basename "$f")" '$8 == s' "$M" | wc -l)
    got=$($KW -q decode "$f" 2>/dev/null | grep -cE "^== .*  (request|response)  ")
    check "$f: $want frames as in MANIFEST (kwire found $got)" '[ "$want" -eq "$got" ]'
  done
fi

# ---- 7. the teaching view covers every byte of every frame exactly once ----
# (region 0: FIELDs and ENTERs' owned prefixes, from the JSON; a field's sub-fields,
# such as the attribute bits, repeat its exact span and are counted once; a SASL secret
# is shown redacted, its length without its hex)
cover() {
  $PY - "$@" <<'PYEOF'
import json, sys
bad = frames = 0
for path in sys.argv[1:]:
    for f in json.load(open(path))["frames"]:
        if f.get("kind") != "frame":
            continue
        frames += 1
        spans = {}
        for x in f["fields"]:
            # a redacted field (a SASL secret) has its length but no hex
            if x.get("region", 0) != 0 or ("hex" not in x and not x.get("redacted")) or \
               x["kind"] not in ("field", "enter") or not x["length"]:
                continue
            hx = x.get("hex", "redacted")
            if x["offset"] in spans and spans[x["offset"]] != (x["length"], hx):
                print(path, f.get("api"), f.get("direction"), "two different fields at", x["offset"]); bad += 1
            spans[x["offset"]] = (x["length"], hx)
        pos = 0
        for off in sorted(spans):
            if off != pos:
                print(path, f.get("api"), f.get("version"), f.get("direction"), f.get("correlation_id"),
                      "bytes", pos, "to", off, "not covered" if off > pos else "covered twice"); bad += 1
                break
            pos = off + spans[off][0]
        else:
            if pos != f["size"]:
                print(path, f.get("api"), f.get("direction"), "covered", pos, "of", f["size"]); bad += 1
print("covered:", frames, "frames,", bad, "bad")
sys.exit(1 if bad or not frames else 0)
PYEOF
}
i=0
for f in tests/data/traffic-*.pcap; do
  [ -e "$f" ] || continue
  i=$((i + 1)); $KW -q decode --json "$f" >"$T/cov$i.json" 2>/dev/null
done
while read -r name lo hi; do
  i=$((i + 1)); $KW -q explain "$name" --json -X compression.type=gzip --records 2 >"$T/cov$i.json" 2>/dev/null
done < <(sed -n 's/^ *X(\([0-9]*\), *\([A-Za-z]*\), *\([0-9]*\), *\([0-9]*\), *-*[0-9]*).*/\2 \3 \4/p' proto/api_table.h)
covmsg=$(cover "$T"/cov*.json 2>&1 | tail -3 | tr '\n' ' ')
check "every byte of every frame shown exactly once ($covmsg)" 'cover "$T"/cov*.json >/dev/null'
echo "integ_decode: $covmsg"

checks_done
