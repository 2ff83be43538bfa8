#!/usr/bin/env bash
# tests/integ_examples.sh — libkwire as a user gets it: `make install` into a scratch
# prefix (and into a DESTDIR stage, then `make uninstall` there), the pkg-config module,
# the shared library's soname and exported symbols (only kw_ names, nothing internal),
# the installed headers compiled alone (C and C++, nothing but the install's include
# folder), and examples/ built from the installed tree with `pkg-config --cflags --libs
# kwire` (plus one static link from Libs.private), then run: against the installed
# kwire-broker (the embedded mock, 3 brokers) and, when the shared real clusters are
# there (scripts/with-kafka.sh: KW_KAFKA), against Apache Kafka 4.4.0 with both group
# protocols. Asserted results: every record produced is acknowledged; the group consumer
# reads each of them exactly once (values and partition/offset pairs); after 40 more
# records the lag example prints "total lag 40" and exits 3 at a threshold of 40, 0 at
# 41; `kwire lag` agrees; a second member run reads exactly those 40 and the lag is 0.
# In the sanitizer pass (KW_PASS=asan) the examples are built with ASan+UBSan.
# Everything started here is stopped by PID.
set -u
cd "$(dirname "$0")/.."
for tool in pkg-config nm readelf c++; do
  command -v "$tool" >/dev/null || { echo "integ_examples: $tool not installed"; exit 1; }
done
tmp=$(mktemp -d /tmp/kwire-integ-examples.XXXXXX)
integ_name=integ_examples
. tests/lib_integ.sh
. tests/lib_kafka.sh
echo "integ_examples:"

# ---- install ----
prefix=$tmp/prefix
make -s install PREFIX="$prefix" >"$tmp/install.out" 2>"$tmp/install.err" || fail "make install PREFIX=$prefix"
stage=$tmp/stage
make -s install DESTDIR="$stage" PREFIX=/usr/local >"$tmp/stage.out" 2>"$tmp/stage.err" || fail "make install DESTDIR"
want="bin/kwire bin/kwire-broker include/kwire.h include/kwire/errors.h include/kwire/producer.h
include/kwire/consumer.h include/kwire/admin.h include/kwire/lag.h include/kwire/decode.h include/kwire/bench.h
include/kwire/config.h include/kwire/types.h include/kwire/kafka_errors.h lib/libkwire.a lib/libkwire.so
lib/libkwire.so.0 lib/pkgconfig/kwire.pc share/man/man1/kwire.1"
missing=""
for f in $want; do [ -e "$stage/usr/local/$f" ] || missing="$missing $f"; done
check "DESTDIR install has every file (missing:${missing:- none})" [ -z "$missing" ]
check "kwire.pc names the real prefix, not DESTDIR" grep -qx 'prefix=/usr/local' "$stage/usr/local/lib/pkgconfig/kwire.pc"
make -s uninstall DESTDIR="$stage" PREFIX=/usr/local >/dev/null 2>"$tmp/uninstall.err" || fail "make uninstall"
left=$(find "$stage" -type f -o -type l | sed "s|^$stage||")
check "make uninstall removes every file (left: ${left:-none})" [ -z "$left" ]

# ---- the shared library ----
lib=$prefix/lib
check "libkwire.so -> libkwire.so.0 -> libkwire.so.0.x.y" \
  bash -c '[ "$(readlink "$1/libkwire.so")" = libkwire.so.0 ] && readlink "$1/libkwire.so.0" | grep -qE "^libkwire\.so\.0\.[0-9]+\.[0-9]+$"' _ "$lib"
check "soname libkwire.so.0" bash -c 'readelf -d "$1" | grep -q "SONAME.*\[libkwire\.so\.0\]"' _ "$lib/libkwire.so"
nm -D --defined-only "$lib/libkwire.so" | awk '{print $3}' >"$tmp/syms"
nsyms=$(wc -l <"$tmp/syms")
other=$(grep -v '^kw_' "$tmp/syms" | head -5 | tr '\n' ' ')
internal=$(grep '^kw__' "$tmp/syms" | head -5 | tr '\n' ' ')
check "nm -D exports only kw_ symbols ($nsyms; others: ${other:-none})" [ -z "$other" ]
check "no kw__ internal symbol exported (${internal:-none})" [ -z "$internal" ]
check "the public calls are exported" bash -c 'for s in kw_strerror kw_config_new kw_producer_new kw_producer_send \
  kw_consumer_subscribe kw_consumer_poll kw_net_new kw_create_topics kw_snap_fill kw_lag_compute kw_print_frame_bytes \
  kw_hdr_new_default; do grep -qx "$s" "$1" || { echo "    $s missing"; exit 1; }; done' _ "$tmp/syms"
check "internal calls are not (kw_conn_submit, kw_batch_next, kw_net_poll)" \
  bash -c '! grep -qxE "kw_conn_submit|kw_batch_next|kw_net_poll" "$1"' _ "$tmp/syms"

# ---- pkg-config and the headers ----
export PKG_CONFIG_PATH=$lib/pkgconfig
check "pkg-config --modversion kwire = kwire --version" \
  [ "$(pkg-config --modversion kwire)" = "$("$prefix/bin/kwire" --version | awk '{print $2}')" ]
cflags=$(pkg-config --cflags kwire) libs=$(pkg-config --libs kwire)
libs=$(echo $libs) # pkg-config ends it with a space
check "pkg-config --libs kwire: -L$lib -lkwire (got '$libs')" [ "$libs" = "-L$lib -lkwire" ]
check "pkg-config --static --libs kwire adds zlib, snappy, lz4, zstd, libpcap, OpenSSL" \
  bash -c 's=$(pkg-config --static --libs kwire); for l in -lz -lsnappy -llz4 -lzstd -lpcap -lssl -lcrypto; do case " $s " in *" $l "*) ;; *) exit 1;; esac; done'
hdr_bad=""
for h in "$prefix"/include/kwire.h "$prefix"/include/kwire/*.h; do
  n=${h#"$prefix"/include/}
  printf '#include <%s>\nint main(void) { return 0; }\n' "$n" >"$tmp/h.c"
  cc -std=c11 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o" 2>>"$tmp/hdr.err" || hdr_bad="$hdr_bad $n"
  c++ -x c++ -Wall -Werror $cflags -c "$tmp/h.c" -o "$tmp/h.o" 2>>"$tmp/hdr.err" || hdr_bad="$hdr_bad $n(C++)"
done
check "every installed header compiles alone, C11 -Wpedantic and C++ (bad:${hdr_bad:- none})" [ -z "$hdr_bad" ]
check "installed headers include only <kwire/...> and the C library" \
  bash -c '! grep -h "^#include" "$1"/include/kwire.h "$1"/include/kwire/*.h | grep -vE "\"kwire/|<(std(def|int|io)|signal)\.h>"' _ "$prefix"

# ---- the examples, built from the install ----
san=""
[ "${KW_PASS:-plain}" = asan ] && san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
for e in producer consumer_group lag_check; do
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Wextra -Werror $san -o "$tmp/$e" "examples/$e.c" $cflags $libs -Wl,-rpath,"$lib" \
    2>"$tmp/cc-$e.err" || fail "building examples/$e.c with pkg-config: $(head -5 "$tmp/cc-$e.err")"
done
check "the examples load libkwire.so.0 from the install" \
  bash -c 'ldd "$1" | grep -q "libkwire.so.0 => $2/libkwire.so.0"' _ "$tmp/producer" "$lib"
# shellcheck disable=SC2046
cc -std=c11 -o "$tmp/producer-static" examples/producer.c $cflags "$lib/libkwire.a" \
  $(pkg-config --static --libs kwire | sed 's/-lkwire//') 2>"$tmp/cc-static.err"
check "a static link from libkwire.a and Libs.private" [ -x "$tmp/producer-static" ]
check "kwire(1) lists every command" bash -c 'man -l "$1" 2>/dev/null | grep -q "^   produce" || grep -q "^\.SS produce" "$1"' _ \
  "$prefix/share/man/man1/kwire.1"

# run TOPIC-ON-BROKER: produce 100, read them as group G, 40 more, lag 40, read 40, lag 0
# (name: what the lines say; extra: settings for the consumer)
run_examples() {
  local name=$1 boot=$2 topic=$3 group=$4; shift 4
  local out=$tmp/$name
  "$tmp/producer" "$boot" "$topic" 100 >"$out.p1" 2>"$out.p1.err"
  check "$name: producer: 100 records acknowledged" grep -q '^produced 100 acked 100 failed 0 ' "$out.p1"
  timeout 120 "$tmp/consumer_group" "$boot" "$topic" "$group" 100 "$@" >"$out.c1" 2>"$out.c1.err"
  local rc=$?
  check "$name: consumer_group joined the group and read 100 records (exit $rc)" \
    bash -c '[ "$1" = 0 ] && grep -q "^assigned" "$2"' _ "$rc" "$out.c1.err"
  check "$name: every value once: record-0 .. record-99" \
    bash -c 'diff <(awk "{print \$3}" "$1" | sort) <(seq 0 99 | sed "s/^/record-/" | sort) >/dev/null' _ "$out.c1"
  check "$name: no partition/offset handed out twice" [ "$(awk '{print $1, $2}' "$out.c1" | sort -u | wc -l)" = 100 ]
  "$tmp/producer" "$boot" "$topic" 40 >"$out.p2" 2>"$out.p2.err"
  check "$name: producer: 40 more acknowledged" grep -q '^produced 40 acked 40 failed 0 ' "$out.p2"
  rc=0; "$tmp/lag_check" "$boot" "$group" >"$out.l1" 2>"$out.l1.err" || rc=$?
  check "$name: lag_check prints 'total lag 40' (exit $rc)" bash -c '[ "$1" = 0 ] && grep -qx "total lag 40" "$2"' _ "$rc" "$out.l1"
  check "$name: lag_check's rows add up (log-end - committed per partition)" \
    bash -c 'awk "\$1 == \"$2\" {s += \$5 - \$4; l += \$6} END {exit !(s == 40 && l == 40)}" "$1"' _ "$out.l1" "$group"
  rc=0; "$tmp/lag_check" "$boot" "$group" 40 >/dev/null 2>&1 || rc=$?
  check "$name: lag_check threshold 40: exit 3 (got $rc)" [ "$rc" = 3 ]
  rc=0; "$tmp/lag_check" "$boot" "$group" 41 >/dev/null 2>&1 || rc=$?
  check "$name: lag_check threshold 41: exit 0 (got $rc)" [ "$rc" = 0 ]
  local kl
  kl=$("$prefix/bin/kwire" -q -b "$boot" lag -g "$group" --json 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total_lag"])' 2>/dev/null)
  check "$name: kwire lag agrees (total_lag ${kl:-?})" [ "$kl" = 40 ]
  timeout 120 "$tmp/consumer_group" "$boot" "$topic" "$group" 40 "$@" >"$out.c2" 2>"$out.c2.err"
  rc=$?
  check "$name: a new member starts at the commits: exactly 40 records (exit $rc)" \
    bash -c '[ "$1" = 0 ] && [ "$(wc -l <"$2")" = 40 ] && [ "$(awk "{print \$3}" "$2" | sort -u | wc -l)" = 40 ]' _ "$rc" "$out.c2"
  "$tmp/lag_check" "$boot" "$group" >"$out.l2" 2>&1
  check "$name: then lag_check prints 'total lag 0'" grep -qx "total lag 0" "$out.l2"
}

# ---- against the installed embedded broker ----
"$prefix/bin/kwire-broker" --brokers 3 --topic ex:3 >"$tmp/boot" 2>"$tmp/broker.err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
B=$(head -1 "$tmp/boot")
[ -n "$B" ] || fail "the installed kwire-broker did not start"
# the mock completes a rebalance only once every member it knows has joined again or
# session.timeout.ms has passed (a member that left included): a short one
run_examples mock "$B" ex "exg-$$" session.timeout.ms=6000 heartbeat.interval.ms=1000

# ---- against Apache Kafka (the shared clusters of scripts/with-kafka.sh) ----
if [ -n "${KW_KAFKA:-}${KW_KAFKA_ERROR:-}" ]; then
  kafka_use 4.4.0
  t=$(kafka_topic examples 3)
  run_examples kafka-classic "$KAFKA" "$t" "exg-classic-$$"
  t=$(kafka_topic examples-848 3)
  run_examples kafka-consumer "$KAFKA" "$t" "exg-848-$$" group.protocol=consumer
else
  echo "  (Apache Kafka part not run: no shared cluster; run under scripts/with-kafka.sh)"
fi

checks_done
