#!/usr/bin/env bash
# scripts/trogdor.sh — Apache Kafka's distributed test framework, Trogdor (its coordinator
# and agents, org.apache.kafka:trogdor from Maven Central: peers/trogdor/pom.xml),
# resolved once into the cache folder and run offline after that; for
# tests/integ_trogdor.sh, bench/trogdor_scale.sh and docs/TROGDOR.md.
#
#   trogdor.sh fetch                  resolve the jars into $KWIRE_CACHE/trogdor/VERSION/lib
#   trogdor.sh java                   print the java command prefix (classpath, logging), one
#                                     word a line
#   trogdor.sh coordinator TOPOLOGY NODE [LOG]   run the coordinator of TOPOLOGY (Trogdor's
#                                     JSON: {"nodes": {NAME: {"hostname", "trogdor.agent.port",
#                                     "trogdor.coordinator.port"}}}) as NODE, in the
#                                     foreground (exec: its PID is this script's)
#   trogdor.sh agent TOPOLOGY NODE    the same for an agent
#
# Environment: KWIRE_CACHE (default: the tree's .cache), TROGDOR_VERSION (default 4.3.1,
# the newest trogdor artifact on Maven Central), JAVA_HOME, TROGDOR_HEAP (default 256m),
# TROGDOR_LOG_LEVEL (default INFO). Java or Maven missing, jars not resolvable: one line
# saying what, exit 1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KWIRE_CACHE:-$top/.cache}
version=${TROGDOR_VERSION:-4.3.1}
me=trogdor.sh
lib=$cache/trogdor/$version/lib

die() { echo "$me: $*" >&2; exit 1; }

java_bin() {
  local j v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then j=$JAVA_HOME/bin/java
  else j=$(command -v java) || die "Java not found: Trogdor needs Java 17 or newer (apt-get install openjdk-17-jre-headless)"
  fi
  v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 17 ] || die "$j is Java ${v:-?}: Trogdor needs Java 17 or newer"
  echo "$j"
}

fetch() {
  [ -f "$lib/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven not found, needed once to fetch Trogdor $version from Maven Central (apt-get install maven)"
  java_bin >/dev/null
  rm -rf "$lib"; mkdir -p "$lib"
  echo "$me: fetching Trogdor $version from Maven Central into $lib (once)" >&2
  if ! mvn -q -B -f "$top/peers/trogdor/pom.xml" -Dmaven.repo.local="$cache/maven" \
        -Dtrogdor.version="$version" dependency:copy-dependencies \
        -DoutputDirectory="$lib" -DincludeScope=runtime >"$cache/trogdor/fetch-$version.log" 2>&1; then
    tail -5 "$cache/trogdor/fetch-$version.log" >&2
    rm -rf "$lib"
    die "could not resolve org.apache.kafka:trogdor:$version from Maven Central (full log: $cache/trogdor/fetch-$version.log)"
  fi
  [ -f "$lib/trogdor-$version.jar" ] || die "Trogdor $version resolved without trogdor-$version.jar"
  touch "$lib/.complete"
}

java_cmd() {
  fetch
  printf '%s\n' "$(java_bin)" "-Xmx${TROGDOR_HEAP:-256m}" -cp "$lib/*" \
    "-Dlog4j2.configurationFile=$top/peers/kafka/log4j2.properties" \
    "-Dkwire.log.level=${TROGDOR_LOG_LEVEL:-INFO}" -Djava.awt.headless=true
}

run() { # CLASS OPTION TOPOLOGY NODE
  local cls=$1 opt=$2 topo=${3:?TOPOLOGY missing} node=${4:?NODE missing} jc
  [ -f "$topo" ] || die "$topo: no such topology file"
  mapfile -t jc < <(java_cmd)
  [ ${#jc[@]} -gt 1 ] || exit 1
  exec "${jc[@]}" "$cls" "$opt" "$topo" --node-name "$node"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) fetch ;;
  java) java_cmd ;;
  coordinator) run org.apache.kafka.trogdor.coordinator.Coordinator --coordinator.config "$@" ;;
  agent) run org.apache.kafka.trogdor.agent.Agent --agent.config "$@" ;;
  *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
