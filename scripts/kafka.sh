#!/usr/bin/env bash
# scripts/kafka.sh — a real Apache Kafka (KRaft mode) on 127.0.0.1 for kwire's tests, labs
# and benchmarks: Kafka's own jars from Maven Central (peers/kafka/pom.xml), resolved once
# into the cache folder and used offline after that.
#
#   kafka.sh fetch [VERSION]     resolve VERSION's jars into $KWIRE_CACHE/kafka/VERSION/lib
#   kafka.sh start DIR [--brokers N] [--version V] [--heap SIZE] [--set name=value]...
#                                [--listener NAME:PROTOCOL]... [--host ADDR] [--timeout S]
#       formats KRaft storage under DIR and starts N combined broker+controller nodes
#       (default 1; 3 makes a quorum of 3 voters) on free ports, waits until every broker is
#       registered (a Metadata answer lists N brokers) and prints the bootstrap list, the
#       start-up time and each node's memory. --set adds a broker setting to every node
#       (e.g. num.io.threads=8); --listener adds a listener on a free port of its own
#       (advertised, mapped to PROTOCOL; its settings come with --set). --host ADDR puts
#       the PLAINTEXT listener on ADDR instead of 127.0.0.1 (an address other hosts or
#       network namespaces reach, e.g. a bridge's; the controllers stay on 127.0.0.1). Writes
#       DIR/bootstrap (the PLAINTEXT list), DIR/listeners (NAME=list per listener) and per
#       node DIR/nodeK/{pid,port,server.properties,server.log}.
#   kafka.sh run [--rm] ...      as start, then stays in the foreground until SIGINT or
#                                SIGTERM and stops the nodes (`kwire broker --kafka`);
#                                --rm removes DIR when they have stopped
#   kafka.sh stop DIR            stops every node started in DIR, by PID (TERM, then KILL
#                                after 15 s), all at once
#   kafka.sh stop-node DIR K [SIGNAL]   signal node K (default TERM and wait for it to go;
#                                KILL for a crash, STOP/CONT to freeze and thaw it)
#   kafka.sh start-node DIR K [--timeout S]   start node K again with its settings and
#                                storage, and wait until it is registered (at most S s,
#                                default 120)
#   kafka.sh tool DIR|VERSION NAME [ARGS...]   run one of Kafka's Java tools with that
#                                version's jars: console-producer, console-consumer,
#                                producer-perf-test, consumer-perf-test, topics, configs,
#                                leader-election, metadata-quorum, get-offsets, or a class
#   kafka.sh java DIR|VERSION    print the java command line prefix (classpath, logging)
#
# Environment: KWIRE_CACHE (default: the tree's .cache), KWIRE (kwire binary used to see
# that brokers registered; default bin/kwire), JAVA_HOME, KAFKA_VERSION (default 4.4.0).
# Java missing or the jars not resolvable: one line saying what is missing and how to get
# it, exit 1. A node that does not become ready within --timeout (default 120 s): every
# node stopped by PID and the last lines of its log printed, exit 1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KWIRE_CACHE:-$top/.cache}
default_version=${KAFKA_VERSION:-4.4.0}
me=kafka.sh

die() { echo "$me: $*" >&2; exit 1; }

java_bin() {
  local j
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then j=$JAVA_HOME/bin/java
  else j=$(command -v java) || die "Java not found: Kafka needs Java 17 or newer (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
  fi
  local v
  v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 17 ] || die "$j is Java ${v:-?}: Kafka needs Java 17 or newer (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
  echo "$j"
}

libdir() { echo "$cache/kafka/$1/lib"; }

# fetch VERSION: resolve the jars once; later calls find them and do nothing
fetch() {
  local v=$1 lib
  lib=$(libdir "$v")
  [ -f "$lib/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven not found, needed once to fetch Kafka $v from Maven Central (apt-get install maven)"
  java_bin >/dev/null
  rm -rf "$lib"; mkdir -p "$lib"
  local prof=()
  case "$v" in 3.*) ;; *) prof=(-Dlog4j2) ;; esac
  echo "$me: fetching Apache Kafka $v from Maven Central into $lib (once)" >&2
  if ! mvn -q -B -f "$top/peers/kafka/pom.xml" -Dmaven.repo.local="$cache/maven" \
        -Dkafka.version="$v" "${prof[@]}" dependency:copy-dependencies \
        -DoutputDirectory="$lib" -DincludeScope=runtime >"$cache/kafka/fetch-$v.log" 2>&1; then
    tail -5 "$cache/kafka/fetch-$v.log" >&2
    rm -rf "$lib"
    die "could not resolve org.apache.kafka:kafka_2.13:$v from Maven Central (full log: $cache/kafka/fetch-$v.log)"
  fi
  [ -f "$lib/kafka_2.13-$v.jar" ] || die "Kafka $v resolved without kafka_2.13-$v.jar (see $cache/kafka/fetch-$v.log)"
  touch "$lib/.complete"
}

# the java command prefix for VERSION: classpath and logging settings
java_cmd() {
  local v=$1
  fetch "$v"
  printf '%s\n' "$(java_bin)" -cp "$(libdir "$v")/*" \
    "-Dlog4j2.configurationFile=$top/peers/kafka/log4j2.properties" \
    "-Dlog4j.configuration=file:$top/peers/kafka/log4j.properties" \
    -Djava.awt.headless=true
}

# free TCP ports on 127.0.0.1, N of them, distinct (held together while chosen)
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

cluster_id() {
  python3 -c 'import uuid, base64
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"): print(s); break'
}

rss_mb() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# is node K of DIR alive?
alive() { local p; p=$(cat "$1/node$2/pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }

# number of brokers the cluster at BOOTSTRAP lists (0 when it does not answer)
brokers_seen() {
  local kw=${KWIRE:-$top/bin/kwire}
  if [ -x "$kw" ]; then
    timeout 10 "$kw" -b "$1" -X request.timeout.ms=3000 -X socket.connection.setup.timeout.ms=1000 \
      metadata 2>/dev/null | sed -n 's/^\([0-9]*\) brokers*:$/\1/p' | head -1
  else # no kwire built: the listener answering must do
    (exec 3<>"/dev/tcp/${1%%:*}/${1##*:}") 2>/dev/null && echo "${2:-1}"
  fi
}

launch_node() { # DIR K
  local dir=$1 k=$2 v
  v=$(cat "$dir/version")
  mapfile -t jc < <(java_cmd "$v")
  local heap
  heap=$(cat "$dir/heap")
  (
    cd "$dir/node$k" || exit 1
    exec "${jc[0]}" "-Xmx$heap" "-Xms$heap" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "${jc[@]:1}" \
      kafka.Kafka "$dir/node$k/server.properties" >>"$dir/node$k/server.log" 2>&1
  ) &
  echo $! >"$dir/node$k/pid"
}

# wait until every live node's broker is registered; on timeout or a dead node, say why
wait_ready() { # DIR N TIMEOUT
  local dir=$1 n=$2 timeout=$3 boot deadline k seen
  boot=$(cat "$dir/bootstrap")
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    for k in $(seq "$n"); do
      [ -f "$dir/node$k/stopped" ] && continue
      if ! alive "$dir" "$k"; then
        echo "$me: node $k exited during start-up; last lines of $dir/node$k/server.log:" >&2
        tail -15 "$dir/node$k/server.log" >&2
        return 1
      fi
    done
    seen=$(brokers_seen "$boot" "$n")
    [ -n "$seen" ] && [ "$seen" -ge "$(live_count "$dir" "$n")" ] && return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$me: the cluster did not become ready within $timeout s (brokers registered: ${seen:-none});" \
           "last lines of each node's log:" >&2
      for k in $(seq "$n"); do echo "-- node $k" >&2; tail -8 "$dir/node$k/server.log" >&2; done
      return 1
    fi
    sleep 0.3
  done
}

live_count() { local c=0 k; for k in $(seq "$2"); do [ -f "$1/node$k/stopped" ] || c=$((c + 1)); done; echo $c; }

start() {
  local dir="" n=1 v=$default_version heap=512m timeout=120 sets=() listeners=() host=127.0.0.1
  while [ $# -gt 0 ]; do
    case "$1" in
      --brokers) n=$2; shift 2 ;;
      --version) v=$2; shift 2 ;;
      --heap) heap=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      --set) sets+=("$2"); shift 2 ;;
      --listener) listeners+=("$2"); shift 2 ;;
      --host) host=$2; shift 2 ;;
      -*) die "start: unknown option $1" ;;
      *) [ -z "$dir" ] || die "start: one DIR only"; dir=$1; shift ;;
    esac
  done
  [ -n "$dir" ] || die "start: DIR missing (kafka.sh start DIR [--brokers N] ...)"
  [[ "$n" =~ ^[1-9]$ ]] || die "start: --brokers $n: 1 to 9 nodes"
  for s in "${sets[@]}"; do [[ "$s" == *=* ]] || die "start: --set $s: expected name=value"; done
  for l in "${listeners[@]}"; do [[ "$l" =~ ^[A-Za-z_]+:(PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL)$ ]] ||
    die "start: --listener $l: expected NAME:PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)"; done
  java_bin >/dev/null
  fetch "$v"
  mkdir -p "$dir" || die "start: cannot create $dir"
  dir=$(cd "$dir" && pwd)
  started_dir=$dir
  [ -e "$dir/bootstrap" ] && alive "$dir" 1 && die "start: a cluster already runs in $dir (kafka.sh stop $dir)"
  rm -rf "$dir"/node* "$dir"/bootstrap "$dir"/listeners
  echo "$v" >"$dir/version"; echo "$heap" >"$dir/heap"; echo "$n" >"$dir/nodes"
  local nl=${#listeners[@]} ports i k id voters="" boot="" rf=$(( n < 3 ? n : 3 ))
  local misr=$(( rf < 2 ? rf : 2 ))
  read -r -a ports <<<"$(free_ports $(( n * (2 + nl) )))"
  [ ${#ports[@]} = $(( n * (2 + nl) )) ] || die "start: could not find $(( n * (2 + nl) )) free ports on 127.0.0.1 (python3 needed)"
  for k in $(seq "$n"); do
    i=$(( (k - 1) * (2 + nl) ))
    voters+="${voters:+,}$k@127.0.0.1:${ports[i + 1]}"
    boot+="${boot:+,}$host:${ports[i]}"
  done
  id=$(cluster_id)
  local extra_l extra_a extra_m lname lproto j
  for k in $(seq "$n"); do
    i=$(( (k - 1) * (2 + nl) ))
    mkdir -p "$dir/node$k/data"
    echo "${ports[i]}" >"$dir/node$k/port"
    extra_l=""; extra_a=""; extra_m=""
    for j in $(seq 0 $(( nl - 1 ))); do
      lname=${listeners[j]%%:*}; lproto=${listeners[j]##*:}
      extra_l+=",$lname://127.0.0.1:${ports[i + 2 + j]}"
      extra_m+=",$lname:$lproto"
      echo "$lname=127.0.0.1:${ports[i + 2 + j]}" >>"$dir/node$k/listeners"
    done
    extra_a=$extra_l
    {
      echo "# node $k of $n, Kafka $v, written by scripts/kafka.sh"
      echo "process.roles=broker,controller"
      echo "node.id=$k"
      echo "controller.quorum.voters=$voters"
      echo "listeners=PLAINTEXT://$host:${ports[i]},CONTROLLER://127.0.0.1:${ports[i + 1]}$extra_l"
      echo "advertised.listeners=PLAINTEXT://$host:${ports[i]}$extra_a"
      echo "controller.listener.names=CONTROLLER"
      echo "inter.broker.listener.name=PLAINTEXT"
      echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$extra_m"
      echo "log.dirs=$dir/node$k/data"
      echo "offsets.topic.replication.factor=$rf"
      echo "transaction.state.log.replication.factor=$rf"
      echo "transaction.state.log.min.isr=$misr"
      echo "share.coordinator.state.topic.replication.factor=$rf"
      echo "share.coordinator.state.topic.min.isr=$misr"
      echo "group.initial.rebalance.delay.ms=0"
      for s in "${sets[@]}"; do echo "$s"; done
    } >"$dir/node$k/server.properties"
  done
  # the PLAINTEXT list, then every added listener's list
  echo "$boot" >"$dir/bootstrap"
  for j in $(seq 0 $(( nl - 1 ))); do
    lname=${listeners[j]%%:*}
    echo "$lname=$(for k in $(seq "$n"); do sed -n "s/^$lname=//p" "$dir/node$k/listeners"; done | paste -sd,)"
  done >"$dir/listeners"
  local t0 t1 fmt_pids=() jc
  t0=$(date +%s.%N)
  mapfile -t jc < <(java_cmd "$v")
  for k in $(seq "$n"); do
    "${jc[@]}" -Dkwire.log.level=WARN kafka.tools.StorageTool format -t "$id" \
      -c "$dir/node$k/server.properties" >"$dir/node$k/format.log" 2>&1 &
    fmt_pids+=($!)
  done
  for k in $(seq "$n"); do
    wait "${fmt_pids[k - 1]}" || { cat "$dir/node$k/format.log" >&2; die "formatting node $k's storage failed"; }
  done
  for k in $(seq "$n"); do launch_node "$dir" "$k"; done
  if ! wait_ready "$dir" "$n" "$timeout"; then stop "$dir" >/dev/null; exit 1; fi
  t1=$(date +%s.%N)
  local mem=""
  for k in $(seq "$n"); do mem+="${mem:+, }node $k $(rss_mb "$(cat "$dir/node$k/pid")") MB"; done
  echo "kafka $v: $n node$([ "$n" = 1 ] || echo s) ready in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}') s (storage format included); resident memory: $mem"
  echo "bootstrap: $boot"
  [ "$nl" -gt 0 ] && sed 's/^/listener /' "$dir/listeners"
  return 0
}

stop_pids() { # PID... : TERM all, wait up to 15 s, KILL what is left
  local p left i
  for p in "$@"; do kill -TERM "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
  for i in $(seq 150); do
    left=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
  for i in $(seq 100); do # a killed process is gone when this returns
    left=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.05
  done
  return 0
}

stop() {
  local dir=${1:?stop DIR} pids=() k p n
  [ -f "$dir/nodes" ] || return 0
  n=$(cat "$dir/nodes")
  for k in $(seq "$n"); do
    p=$(cat "$dir/node$k/pid" 2>/dev/null) && pids+=("$p")
  done
  [ ${#pids[@]} -gt 0 ] && stop_pids "${pids[@]}"
  rm -f "$dir/bootstrap"
}

stop_node() { # DIR K [SIGNAL]
  local dir=$1 k=$2 sig=${3:-TERM} p
  p=$(cat "$dir/node$k/pid") || die "stop-node: no node $k in $dir"
  case "$sig" in
    TERM) stop_pids "$p"; touch "$dir/node$k/stopped" ;;
    KILL) kill -KILL "$p" 2>/dev/null; while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; touch "$dir/node$k/stopped" ;;
    STOP|CONT) kill "-$sig" "$p" ;;
    *) die "stop-node: signal $sig: TERM, KILL, STOP or CONT" ;;
  esac
}

start_node() { # DIR K [--timeout S]
  local dir=$1 k=$2 n timeout=120
  [ "${3:-}" = --timeout ] && timeout=${4:?start-node: --timeout S}
  n=$(cat "$dir/nodes")
  [ -f "$dir/node$k/server.properties" ] || die "start-node: no node $k in $dir"
  alive "$dir" "$k" && die "start-node: node $k already runs"
  rm -f "$dir/node$k/stopped"
  launch_node "$dir" "$k"
  wait_ready "$dir" "$n" "$timeout" || exit 1
}

tool() {
  local where=$1 name=$2 v cls
  shift 2
  if [ -f "$where/version" ]; then v=$(cat "$where/version"); else v=$where; fi
  case "$name" in
    console-producer) case "$v" in 3.*) cls=kafka.tools.ConsoleProducer ;; *) cls=org.apache.kafka.tools.ConsoleProducer ;; esac ;;
    console-consumer) case "$v" in 3.*) cls=kafka.tools.ConsoleConsumer ;; *) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;; esac ;;
    producer-perf-test) cls=org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf-test) case "$v" in 3.*) cls=kafka.tools.ConsumerPerformance ;; *) cls=org.apache.kafka.tools.ConsumerPerformance ;; esac ;;
    topics) case "$v" in 3.*) cls=kafka.admin.TopicCommand ;; *) cls=org.apache.kafka.tools.TopicCommand ;; esac ;;
    configs) case "$v" in 3.*) cls=kafka.admin.ConfigCommand ;; *) cls=org.apache.kafka.tools.ConfigCommand ;; esac ;;
    leader-election) cls=org.apache.kafka.tools.LeaderElectionCommand ;;
    metadata-quorum) cls=org.apache.kafka.tools.MetadataQuorumCommand ;;
    get-offsets) cls=org.apache.kafka.tools.GetOffsetShell ;;
    consumer-groups) case "$v" in 3.*) cls=kafka.admin.ConsumerGroupCommand ;; *) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;; esac ;;
    storage) cls=kafka.tools.StorageTool ;;
    *.*) cls=$name ;;
    *) die "tool: unknown tool $name" ;;
  esac
  local jc
  mapfile -t jc < <(java_cmd "$v")
  exec "${jc[@]}" -Xmx512m -Dkwire.log.level=WARN "$cls" "$@"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) fetch "${1:-$default_version}" ;;
  start) start "$@" ;;
  run)
    rm_dir=0 args=()
    for a in "$@"; do if [ "$a" = --rm ]; then rm_dir=1; else args+=("$a"); fi; done
    set -- "${args[@]}"
    started_dir=""
    trap '[ -n "$started_dir" ] && stop "$started_dir"; [ $rm_dir = 1 ] && [ -n "$started_dir" ] && rm -rf "$started_dir"; exit 0' INT TERM
    start "$@" || { [ $rm_dir = 1 ] && [ -n "$started_dir" ] && rm -rf "$started_dir"; exit 1; }
    while :; do sleep 1 & wait $!; done ;;
  stop) stop "$@" ;;
  stop-node) stop_node "$@" ;;
  start-node) start_node "$@" ;;
  tool) tool "$@" ;;
  java) where=${1:?java DIR|VERSION}; if [ -f "$where/version" ]; then java_cmd "$(cat "$where/version")"; else java_cmd "$where"; fi ;;
  *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
