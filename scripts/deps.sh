#!/usr/bin/env bash
# scripts/deps.sh PURPOSE — make sure the Debian packages kwire needs are installed.
# PURPOSE is build (compile only), test (build + peers the tests talk to) or run (the
# README's main job). As root it installs what is missing with apt-get; otherwise it
# prints the exact apt-get line to run and exits 1.
set -euo pipefail
purpose=${1:-build}
build="make gcc clang libclang-rt-14-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libpcap-dev libssl-dev librdkafka-dev libcmocka-dev"
peers="openjdk-17-jre-headless openjdk-17-jdk-headless maven openssl kcat tshark python3-kafka python3-venv python3-snappy python3-lz4 python3-zstandard prometheus valgrind gnuplot-nox curl"
run="openjdk-17-jre-headless maven gnuplot-nox time kcat python3-kafka python3-snappy python3-lz4 python3-zstandard"
case "$purpose" in
  build) want="$build" ;;
  test)  want="$build $peers" ;;
  run)   want="$build $run" ;;
  *) echo "usage: $0 build|test|run" >&2; exit 2 ;;
esac
missing=()
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "deps: missing packages. Run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
