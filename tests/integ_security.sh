#!/usr/bin/env bash
# tests/integ_security.sh — kwire against real Apache Kafka 4.4.0 (one node of its own,
# scripts/kafka.sh) with SSL, SASL_PLAINTEXT and SASL_SSL listeners: certificates made
# here with the openssl command (a CA, the broker's certificate for IP:127.0.0.1, an
# expired one on a listener of its own, a CA that signed nothing), SCRAM users created
# with Kafka's own kafka-configs tool, PLAIN users and the unsecured OAUTHBEARER
# validator in the listeners' JAAS settings, connections.max.reauth.ms=10000.
#
#   1. every command over each: SSL; SASL_PLAINTEXT and SASL_SSL with PLAIN,
#      SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWT); and SASL_SSL from a Java
#      client.properties file (-F: sasl.jaas.config, ssl.truststore.type=PEM,
#      ssl.truststore.location): api-versions and metadata name the TLS version and the
#      mechanism, topics create, produce, consume with a group and --commit (the records
#      read back as written), lag, groups, bench produce and bench consume; --dump shows
#      the SASL exchange with the secret (password, proof or token) redacted, and
#      --dump-secrets shows it
#   2. records written by kwire over SASL_SSL are read by Kafka's Java console consumer
#      over SASL_SSL (with the same client.properties)
#   3. the exporter over SASL_SSL serves kwire_up 1 and the group's lag
#   4. KIP-368: a producer and a consumer kept busy for 12 s over SASL_SSL re-authenticate
#      on their one connection (the broker's session lasts 10 s), nothing dropped
#   5. reconnect over TLS: a producer idle past connections.max.idle.ms reconnects for each
#      record with a full handshake, or resumes its session where openssl s_client finds
#      that the broker resumes one; nothing lost
#   6. bad input, each a one-line error naming the cause, exit 1, and one connection
#      attempt (no retry storm): wrong password, unknown user, a mechanism the listener
#      does not enable, expired certificate, certificate for another host name, a CA that
#      did not sign the broker, plaintext client on a TLS port and TLS client on a
#      plaintext port, SASL client on a plain listener, plain client on a SASL listener
#      (three attempts: it is told apart from a broker fault by repetition); produce fails
#      at once too; settings that cannot be loaded exit 2. The time each took is printed.
# The broker is stopped by PID at exit; its start-up may take 300 s on a loaded machine (the
# plain and the sanitizer pass start one each, beside the shared clusters).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-security.XXXXXX)
integ_name=integ_security
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
[ -n "${KW_KAFKA_ERROR:-}" ] && fail "real broker: $KW_KAFKA_ERROR"
command -v openssl >/dev/null || fail "the openssl command is needed (apt-get install openssl)"
command -v curl >/dev/null || fail "curl is needed (apt-get install curl)"

# ---- certificates (openssl command), EC P-256 ----
c=$tmp/certs
mkdir -p "$c"
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${newkey[@]}" -keyout "$c/ca.key" -out "$c/ca.pem" -days 2 -subj /CN=kwire-test-CA 2>"$c/err" ||
  fail "openssl: $(cat "$c/err")"
openssl req -x509 "${newkey[@]}" -keyout "$c/other-ca.key" -out "$c/other-ca.pem" -days 2 -subj /CN=unrelated-CA 2>/dev/null
for n in server expired; do
  days=2; [ $n = expired ] && days=-1 # notAfter a day before now
  openssl req "${newkey[@]}" -keyout "$c/$n.key" -out "$c/$n.csr" -subj "/CN=$n" 2>/dev/null
  openssl x509 -req -in "$c/$n.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial -out "$c/$n.crt" \
    -days $days -extfile <(printf "subjectAltName=IP:127.0.0.1\n") 2>/dev/null || fail "openssl x509 ($n)"
  cat "$c/$n.key" "$c/$n.crt" "$c/ca.pem" >"$c/$n.pem" # Kafka's PEM keystore: key, then the chain
done

# ---- the broker ----
sets=(--set ssl.keystore.type=PEM --set "ssl.keystore.location=$c/server.pem"
      --set listener.name.expired.ssl.keystore.type=PEM --set "listener.name.expired.ssl.keystore.location=$c/expired.pem"
      --set sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
      --set listener.name.plainonly.sasl.enabled.mechanisms=PLAIN
      --set connections.max.reauth.ms=10000)
for l in sasl_plaintext sasl_ssl plainonly; do
  sets+=(--set "listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";")
  for m in scram-sha-256 scram-sha-512; do
    sets+=(--set "listener.name.$l.$m.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;")
  done
  sets+=(--set "listener.name.$l.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"admin\";")
done
kafka_own "$tmp/kafka" --brokers 1 --timeout 300 --listener SSL:SSL --listener SASL_PLAINTEXT:SASL_PLAINTEXT \
  --listener SASL_SSL:SASL_SSL --listener EXPIRED:SSL --listener PLAINONLY:SASL_PLAINTEXT "${sets[@]}"
L() { sed -n "s/^$1=//p" "$KAFKA_DIR/listeners"; }
PLAIN=$KAFKA SSL=$(L SSL) SASLP=$(L SASL_PLAINTEXT) SASLS=$(L SASL_SSL) EXPIRED=$(L EXPIRED) PONLY=$(L PLAINONLY)
for b in "$SSL" "$SASLP" "$SASLS" "$EXPIRED" "$PONLY"; do [ -n "$b" ] || fail "a listener is missing: $(cat "$KAFKA_DIR/listeners")"; done

# SCRAM users with Kafka's own tool (over the PLAINTEXT listener), one mechanism per call
for m in 'SCRAM-SHA-256=[iterations=4096,password=alice-secret]' 'SCRAM-SHA-512=[password=alice-secret]'; do
  kjava configs --bootstrap-server "$PLAIN" --alter --add-config "$m" --entity-type users --entity-name alice \
    >"$tmp/configs.out" 2>"$tmp/configs.err" || fail "kafka-configs $m: $(tail -3 "$tmp/configs.err")"
done

# the Java clients' properties file, used by the Java console consumer and by kwire -F
cat >"$tmp/client.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";
ssl.truststore.type=PEM
ssl.truststore.location=$c/ca.pem
EOF

TLS=(-X "ssl.ca.location=$c/ca.pem")
USER=(-X sasl.username=alice -X sasl.password=alice-secret)
# NAME|BOOTSTRAP|expected on the security line (grep -E)|settings (word-split; no spaces in values)
profiles=(
  "ssl|$SSL|TLSv1\\.3 \\(|-X security.protocol=SSL ${TLS[*]}"
)
for m in PLAIN SCRAM-SHA-256 SCRAM-SHA-512 OAUTHBEARER; do
  if [ $m = OAUTHBEARER ]; then cred="-X sasl.oauthbearer.config=principal=admin"; else cred="${USER[*]}"; fi
  profiles+=("sasl_plaintext-$m|$SASLP|SASL $m|-X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=$m $cred")
  profiles+=("sasl_ssl-$m|$SASLS|TLSv1\\.3 \\(.*SASL $m|-X security.protocol=SASL_SSL ${TLS[*]} -X sasl.mechanism=$m $cred")
done
profiles+=("sasl_ssl-java-properties|$SASLS|TLSv1\\.3 \\(.*SASL SCRAM-SHA-512 as 'alice'|-F $tmp/client.properties")

N=300
seq 1 $N | sed 's/^/record-/' >"$tmp/in.txt"
pfx=sec-${KW_PASS:-plain}-$$
k=0
for p in "${profiles[@]}"; do
  IFS='|' read -r name boot want args <<<"$p"
  read -r -a X <<<"$args"
  k=$((k + 1))
  T=$pfx-t$k G=$pfx-g$k
  run() { "$kw" -b "$boot" "${X[@]}" "$@"; }
  run api-versions >"$tmp/av.out" 2>"$tmp/av.err" || fail "$name: api-versions: $(cat "$tmp/av.err")"
  grep -Eq "^  security: .*$want" "$tmp/av.out" || fail "$name: api-versions says: $(grep security "$tmp/av.out")"
  run topics create "$T" --partitions 1 >/dev/null 2>"$tmp/tc.err" || fail "$name: topics create: $(cat "$tmp/tc.err")"
  run metadata "$T" >"$tmp/md.out" 2>"$tmp/md.err" || fail "$name: metadata: $(cat "$tmp/md.err")"
  grep -Eq "^security: .*$want" "$tmp/md.out" || fail "$name: metadata says: $(head -2 "$tmp/md.out")"
  grep -q "topic \"$T\" with 1 partition" "$tmp/md.out" || fail "$name: metadata: $(cat "$tmp/md.out")"
  run produce -t "$T" "$tmp/in.txt" 2>"$tmp/p.err" || fail "$name: produce: $(cat "$tmp/p.err")"
  grep -q "$N records sent, 0 failed" "$tmp/p.err" || fail "$name: produce: $(head -1 "$tmp/p.err")"
  run consume -t "$T" -o beginning -c $N -g "$G" --commit >"$tmp/c.out" 2>"$tmp/c.err" ||
    fail "$name: consume: $(cat "$tmp/c.err")"
  cmp -s "$tmp/in.txt" "$tmp/c.out" || fail "$name: consume read $(wc -l <"$tmp/c.out") lines, not the $N written"
  run lag -g "$G" >"$tmp/lag.out" 2>"$tmp/lag.err" || fail "$name: lag: $(cat "$tmp/lag.err")"
  grep -q "TOTAL-LAG 0" "$tmp/lag.out" || fail "$name: lag: $(cat "$tmp/lag.out")"
  run groups >"$tmp/g.out" 2>"$tmp/g.err" || fail "$name: groups: $(cat "$tmp/g.err")"
  grep -q "^$G " "$tmp/g.out" || fail "$name: groups does not list $G: $(cat "$tmp/g.out")"
  run bench produce -t "$T" -n 5000 >"$tmp/bp.out" 2>"$tmp/bp.err" || fail "$name: bench produce: $(tail -2 "$tmp/bp.err")"
  grep -q "^5000 records sent" "$tmp/bp.out" || fail "$name: bench produce: $(head -2 "$tmp/bp.out")"
  run bench consume -t "$T" -n $((N + 5000)) >"$tmp/bc.out" 2>"$tmp/bc.err" ||
    fail "$name: bench consume: $(tail -2 "$tmp/bc.err")"
  grep -q ", $((N + 5000)), " "$tmp/bc.out" || fail "$name: bench consume: $(sed -n 2,3p "$tmp/bc.out")"
  # the SASL exchange in --dump: every field, the secret redacted
  if [ "$name" != ssl ]; then
    run --dump metadata "$T" >/dev/null 2>"$tmp/dump.txt" || fail "$name: --dump metadata"
    grep -q "SaslAuthenticate v2" "$tmp/dump.txt" || fail "$name: --dump shows no SaslAuthenticate"
    grep -q "<redacted, [0-9]* bytes>" "$tmp/dump.txt" || fail "$name: --dump redacts nothing"
    ! grep -q "alice-secret" "$tmp/dump.txt" || fail "$name: --dump shows the password"
    ! grep -q "eyJhbGciOiJub25lIn0" "$tmp/dump.txt" || fail "$name: --dump shows the token"
    case $name in *-PLAIN)
      run --dump --dump-secrets metadata "$T" >/dev/null 2>"$tmp/dump2.txt"
      grep -q '"alice-secret"' "$tmp/dump2.txt" || fail "$name: --dump-secrets does not show the password" ;;
    esac
  fi
  echo "  ok   $name: api-versions, metadata, topics, produce, consume -g --commit, lag, groups, bench, --dump"
done

# ---- 2. the Java console consumer reads kwire's records over SASL_SSL ----
JT=$pfx-java
"$kw" -b "$SASLS" -F "$tmp/client.properties" topics create "$JT" --partitions 3 >/dev/null 2>"$tmp/jt.err" ||
  fail "topics create $JT: $(cat "$tmp/jt.err")"
"$kw" -b "$SASLS" -F "$tmp/client.properties" produce -t "$JT" -K : <(sed 's/^\(.*\)$/k\1:\1/' "$tmp/in.txt") \
  2>"$tmp/jp.err" || fail "produce for Java: $(cat "$tmp/jp.err")"
timeout 120 "$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$SASLS" --topic "$JT" \
  --from-beginning --max-messages $N --consumer.config "$tmp/client.properties" >"$tmp/java.out" 2>"$tmp/java.err" ||
  fail "Java console consumer over SASL_SSL: $(grep -v '^\s*at ' "$tmp/java.err" | tail -3)"
# (the tool's stdout may carry a log line besides the records)
[ "$(grep '^record-' "$tmp/java.out" | sort)" = "$(sort "$tmp/in.txt")" ] ||
  fail "the Java console consumer read $(grep -c '^record-' "$tmp/java.out") records, not the $N kwire wrote"
echo "  ok   Kafka's Java console consumer over SASL_SSL read the $N records kwire wrote over SASL_SSL"

# ---- 3. the exporter over SASL_SSL ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kw" -b "$SASLS" -F "$tmp/client.properties" exporter --listen "127.0.0.1:$port" >/dev/null 2>"$tmp/exp.err" &
epid=$!
at_exit "stop_pid $epid"
ok=0
for _ in $(seq 50); do
  curl -s "http://127.0.0.1:$port/metrics" >"$tmp/metrics.txt" 2>/dev/null &&
    grep -q '^kwire_up 1' "$tmp/metrics.txt" && grep -q "kafka_consumergroup_lag_sum{consumergroup=\"$pfx-g2\"" "$tmp/metrics.txt" &&
    { ok=1; break; }
  sleep 0.2
done
stop_pid $epid
[ $ok = 1 ] || fail "exporter over SASL_SSL: $(grep -E 'kwire_up|lag_sum' "$tmp/metrics.txt" | head -3) $(cat "$tmp/exp.err")"
echo "  ok   exporter over SASL_SSL: kwire_up 1 and the groups' lag"

# ---- 4. KIP-368 re-authentication on a 10 s session ----
RT=$pfx-reauth
S256=(-b "$SASLS" -X security.protocol=SASL_SSL "${TLS[@]}" -X sasl.mechanism=SCRAM-SHA-256 "${USER[@]}")
"$kw" "${S256[@]}" topics create "$RT" --partitions 1 >/dev/null 2>&1 || fail "topics create $RT"
"$kw" "${S256[@]}" --stats consume -t "$RT" -o end -c 12 >"$tmp/ra-c.out" 2>"$tmp/ra-c.err" &
cpid=$!
at_exit "stop_pid $cpid"
sleep 1
(for i in $(seq 12); do echo "late-$i"; sleep 1; done) |
  "$kw" "${S256[@]}" --stats -X linger.ms=0 produce -t "$RT" 2>"$tmp/ra-p.err" || fail "re-auth produce: $(cat "$tmp/ra-p.err")"
for _ in $(seq 100); do kill -0 $cpid 2>/dev/null || break; sleep 0.1; done
wait $cpid || fail "re-auth consume: $(cat "$tmp/ra-c.err")"
[ "$(wc -l <"$tmp/ra-c.out")" = 12 ] || fail "re-auth consume read $(wc -l <"$tmp/ra-c.out") records, not 12"
for f in ra-c ra-p; do
  grep -Eq "SASL: 1 authentication\(s\), [1-9][0-9]* re-authentication\(s\)" "$tmp/$f.err" ||
    fail "$f: no re-authentication: $(grep -E 'SASL:|connect' "$tmp/$f.err")"
  grep -q " 1 connect(s), 0 failed, 0 drop(s)" "$tmp/$f.err" || fail "$f: $(grep 'connect' "$tmp/$f.err")"
done
echo "  ok   KIP-368: producer and consumer re-authenticated on their one connection ($(grep -o '[0-9]* re-auth' "$tmp/ra-c.err"), $(grep -o '[0-9]* re-auth' "$tmp/ra-p.err")), nothing dropped"

# ---- 5. reconnect over TLS: the saved session is offered, and resumed if the broker will ----
# connections.max.idle.ms=1000 closes the producer's idle connection between two records, so
# three records 3 s apart take three TLS connections. Whether Kafka's JVM resumes a session is
# asked of openssl s_client against the same listener (TLS 1.2 session id and TLS 1.3 ticket):
# where it resumes, kwire must resume too; where it does not, kwire must reconnect cleanly.
IT=$pfx-idle
"$kw" -b "$SSL" -X security.protocol=SSL "${TLS[@]}" topics create "$IT" --partitions 1 >/dev/null 2>&1 ||
  fail "topics create $IT"
(echo idle-1; sleep 3; echo idle-2; sleep 3; echo idle-3) |
  "$kw" -b "$SSL" -X security.protocol=SSL "${TLS[@]}" -X connections.max.idle.ms=1000 -X linger.ms=0 --stats \
    produce -t "$IT" 2>"$tmp/idle.err" || fail "produce with idle reconnects: $(cat "$tmp/idle.err")"
grep -q "3 records sent, 0 failed" "$tmp/idle.err" || fail "produce with idle reconnects: $(tail -1 "$tmp/idle.err")"
"$kw" -b "$SSL" -X security.protocol=SSL "${TLS[@]}" consume -t "$IT" -o beginning -c 3 -e >"$tmp/idle.out" \
  2>"$tmp/idle-c.err" || fail "consume $IT: $(cat "$tmp/idle-c.err")"
[ "$(tr '\n' ' ' <"$tmp/idle.out")" = "idle-1 idle-2 idle-3 " ] || fail "read back after reconnects: $(cat "$tmp/idle.out")"
conns=$(sed -n 's/^[^ ]*: \([0-9]*\) connect(s), 0 failed.*/\1/p' "$tmp/idle.err" | awk '{s += $1} END {print s + 0}')
hs=$(sed -n 's/^  TLS: \([0-9]*\) handshake(s), \([0-9]*\) resumed.*/\1 \2/p' "$tmp/idle.err" |
  awk '{h += $1; r += $2} END {print h + 0, r + 0}')
[ "$conns" -ge 3 ] && [ "${hs% *}" = "$conns" ] ||
  fail "idle reconnects: $conns connection(s), handshakes/resumed $hs: $(grep -E 'connect|TLS' "$tmp/idle.err")"
jvm_resumes=0
for v in -tls1_2 -tls1_3; do
  sleep 1 | timeout 10 openssl s_client $v -connect "$SSL" -CAfile "$c/ca.pem" -sess_out "$tmp/s$v.pem" \
    >"$tmp/s_client.out" 2>&1
  [ -s "$tmp/s$v.pem" ] || fail "openssl s_client $v saved no session: $(grep -iE 'error|New,' "$tmp/s_client.out" | head -2)"
  sleep 1 | timeout 10 openssl s_client $v -connect "$SSL" -CAfile "$c/ca.pem" -sess_in "$tmp/s$v.pem" \
    >"$tmp/s_client.out" 2>&1
  grep -q '^Reused,' "$tmp/s_client.out" && jvm_resumes=1
done
if [ $jvm_resumes = 1 ]; then
  [ "${hs#* }" -ge 1 ] || fail "openssl s_client resumes a session on $SSL, kwire resumed none: $(grep TLS "$tmp/idle.err")"
  echo "  ok   reconnect over TLS: $conns connections, ${hs#* } resumed (openssl s_client resumes there too)"
else
  echo "  ok   reconnect over TLS: $conns connections, each a full handshake, nothing lost; Kafka's JSSE resumed no session for openssl s_client either (TLS 1.2 id, TLS 1.3 ticket)"
fi

# ---- 6. bad input ----
bad() { # NAME BOOTSTRAP MAX_ATTEMPTS PHRASE SETTINGS...
  local name=$1 boot=$2 max=$3 phrase=$4 t0 t1 rc att
  shift 4
  t0=$(date +%s%N)
  "$kw" -b "$boot" "$@" metadata >"$tmp/bad.out" 2>"$tmp/bad.err"
  rc=$?
  t1=$(date +%s%N)
  [ $rc = 1 ] || fail "$name: exit $rc, not 1: $(cat "$tmp/bad.err")"
  [ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "$name: not one line: $(cat "$tmp/bad.err")"
  grep -qF -- "$phrase" "$tmp/bad.err" || fail "$name: '$(cat "$tmp/bad.err")' does not say '$phrase'"
  # no retry storm: the connection attempts the broker saw
  "$kw" -b "$boot" "$@" --stats metadata >/dev/null 2>"$tmp/bad-stats.err"
  att=$(sed -n 's/.*: \([0-9]*\) connect(s), \([0-9]*\) failed.*/\1 \2/p' "$tmp/bad-stats.err" | awk '{s += $1 + $2} END {print s + 0}')
  [ "$att" -ge 1 ] && [ "$att" -le "$max" ] || fail "$name: $att connection attempts (at most $max)"
  printf '  ok   %-44s exit 1 in %4d ms, %d attempt(s): %s\n' "$name" $(( (t1 - t0) / 1000000 )) "$att" \
    "$(sed 's/^kwire metadata: //' "$tmp/bad.err")"
}
SSLX=(-X security.protocol=SASL_SSL "${TLS[@]}")
bad "wrong password (SCRAM-SHA-512)" "$SASLS" 1 "as 'alice' failed" "${SSLX[@]}" -X sasl.mechanism=SCRAM-SHA-512 \
  -X sasl.username=alice -X sasl.password=wrong
bad "wrong password (PLAIN)" "$SASLP" 1 "SASL_AUTHENTICATION_FAILED" -X security.protocol=SASL_PLAINTEXT \
  -X sasl.mechanism=PLAIN -X sasl.username=alice -X sasl.password=wrong
bad "unknown user (SCRAM-SHA-256)" "$SASLS" 1 "as 'mallory' failed" "${SSLX[@]}" -X sasl.mechanism=SCRAM-SHA-256 \
  -X sasl.username=mallory -X sasl.password=x
bad "mechanism the listener does not enable" "$PONLY" 1 "does not enable SCRAM-SHA-512 on this listener (it enables PLAIN)" \
  -X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=SCRAM-SHA-512 "${USER[@]}"
bad "expired certificate" "$EXPIRED" 1 "(CN=expired) expired on" -X security.protocol=SSL "${TLS[@]}"
bad "certificate for another host name" "localhost:${SSL##*:}" 1 "is for IP:127.0.0.1, not localhost" \
  -X security.protocol=SSL "${TLS[@]}"
bad "CA that did not sign the broker" "$SSL" 1 "not hold (ssl.ca.location)" -X security.protocol=SSL \
  -X "ssl.ca.location=$c/other-ca.pem"
bad "plaintext client on a TLS port" "$SSL" 1 "answered in TLS" -X security.protocol=PLAINTEXT
bad "TLS client on a plaintext port" "$PLAIN" 1 "without answering the ClientHello" -X security.protocol=SSL "${TLS[@]}"
bad "SASL client on a PLAINTEXT listener" "$PLAIN" 1 "ILLEGAL_SASL_STATE" -X security.protocol=SASL_PLAINTEXT \
  -X sasl.mechanism=PLAIN "${USER[@]}"
bad "plain client on a SASL_PLAINTEXT listener" "$SASLP" 3 "a SASL_PLAINTEXT or SASL_SSL listener does that" \
  -X security.protocol=PLAINTEXT
# the producer gives up at once as well
t0=$(date +%s%N)
"$kw" -b "$SASLS" "${SSLX[@]}" -X sasl.mechanism=PLAIN -X sasl.username=alice -X sasl.password=wrong \
  produce -t "$pfx-t1" "$tmp/in.txt" >/dev/null 2>"$tmp/bp.err"
rc=$? t1=$(date +%s%N)
[ $rc = 1 ] && [ "$(wc -l <"$tmp/bp.err")" = 1 ] && grep -q "SASL_AUTHENTICATION_FAILED" "$tmp/bp.err" ||
  fail "produce with a wrong password: exit $rc: $(cat "$tmp/bp.err")"
printf '  ok   %-44s exit 1 in %4d ms: %s\n' "produce with a wrong password" $(( (t1 - t0) / 1000000 )) "$(cat "$tmp/bp.err")"
# settings that cannot be loaded: a settings error, exit 2
"$kw" -b "$SSL" -X security.protocol=SSL -X ssl.ca.location=/nonexistent/ca.pem metadata >/dev/null 2>"$tmp/s.err"
rc=$?
[ $rc = 2 ] && grep -q "ssl.ca.location: /nonexistent/ca.pem: No such file or directory" "$tmp/s.err" ||
  fail "missing CA file: exit $rc: $(cat "$tmp/s.err")"
"$kw" -b "$SASLS" -X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-256 metadata >/dev/null 2>"$tmp/s.err"
rc=$?
[ $rc = 2 ] && grep -q "needs both" "$tmp/s.err" || fail "SCRAM without a password: exit $rc: $(cat "$tmp/s.err")"
"$kw" -b "$SASLS" -X security.protocol=SASL_SSL metadata >/dev/null 2>"$tmp/s.err"
rc=$?
[ $rc = 2 ] && grep -q "GSSAPI (Kerberos, Kafka's default) is not supported" "$tmp/s.err" ||
  fail "GSSAPI: exit $rc: $(cat "$tmp/s.err")"
echo "  ok   settings that cannot be used: exit 2 (missing CA file, SCRAM without a password, GSSAPI)"
echo "integ_security: ok"
