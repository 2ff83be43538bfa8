#!/usr/bin/env bash
# bench/peers/setup.sh — build or install the peers of `kwire bench compare` into the cache
# folder (once; later calls find them and return at once):
#
#   setup.sh franz-go   bench/peers/franz (franz-go, pinned by its go.mod/go.sum) built with
#                       the Go module proxy into $cache/peers/franz-go/kwire-franz (modules
#                       and build cache under $cache/go)
#   setup.sh python     a venv of /usr/bin/python3 at $cache/peers/venv with
#                       bench/peers/python/requirements.txt (confluent-kafka, kafka-python,
#                       pinned) from PyPI
#   setup.sh all        both; `make peers` runs this
#
# Prints the path of what is ready (the binary, the venv's python). When a peer cannot be
# had: one line "setup.sh: PEER: why" on stderr (Go missing, the module proxy or PyPI not
# reachable, ...) and exit 1 — bench compare shows that line as the peer's "missing" reason.
# Environment: KWIRE_CACHE (default: the tree's .cache).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KWIRE_CACHE:-$top/.cache}
peers=$top/bench/peers

fail() { echo "setup.sh: $1: $2" >&2; exit 1; }

# newer SOURCES... than TARGET (or TARGET missing)?
stale() {
  local t=$1 s
  shift
  [ -e "$t" ] || return 0
  for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
  return 1
}

franz() {
  local out=$cache/peers/franz-go/kwire-franz src=$peers/franz
  if stale "$out" "$src/main.go" "$src/go.mod" "$src/go.sum"; then
    command -v go >/dev/null || fail franz-go "Go not found (franz-go v1.22 needs Go 1.26 or newer on PATH)"
    local gv
    gv=$(go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    read -r gmaj gmin <<<"${gv:-0 0}"
    [ "$gmaj" -gt 1 ] || [ "$gmin" -ge 26 ] || fail franz-go "$(go env GOVERSION 2>/dev/null) is too old (franz-go v1.22 needs Go 1.26 or newer)"
    mkdir -p "$cache/peers/franz-go" "$cache/go" || fail franz-go "cannot create $cache/peers/franz-go"
    local log=$cache/peers/franz-go/build.log
    echo "setup.sh: building the franz-go peer (modules from the Go module proxy, cached in $cache/go)" >&2
    if ! (cd "$src" && GOFLAGS=-mod=mod GOMODCACHE=$cache/go/mod GOCACHE=$cache/go/build \
          go build -o "$out.tmp" .) >"$log" 2>&1; then
      rm -f "$out.tmp"
      fail franz-go "go build failed: $(grep -v '^go: downloading' "$log" | tail -1) (log: $log)"
    fi
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

python() {
  local venv=$cache/peers/venv req=$peers/python/requirements.txt
  local stamp=$venv/.complete
  if stale "$stamp" "$req"; then
    [ -x /usr/bin/python3 ] || fail python "/usr/bin/python3 not found (apt-get install python3)"
    /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null ||
      fail python "python3's venv module not found (apt-get install python3-venv)"
    rm -rf "$venv"
    mkdir -p "$cache/peers" || fail python "cannot create $cache/peers"
    local log=$cache/peers/venv-setup.log
    echo "setup.sh: installing the Python peers from PyPI into $venv ($(grep -v '^#' "$req" | tr '\n' ' '))" >&2
    if ! { /usr/bin/python3 -m venv "$venv" &&
           "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$req"; } >"$log" 2>&1; then
      rm -rf "$venv"
      fail python "pip install failed: $(grep -E 'ERROR|Error' "$log" | tail -1) (log: $log)"
    fi
    touch "$stamp"
  fi
  echo "$venv/bin/python"
}

# one setup at a time (make test's two integration passes may ask at once)
mkdir -p "$cache/peers" 2>/dev/null || fail "${1:-setup}" "cannot create $cache/peers"
exec 9>"$cache/peers/.setup.lock"
command -v flock >/dev/null && flock 9

case "${1:-}" in
  franz-go) franz ;;
  python) python ;;
  all) rc=0; franz || rc=1; python || rc=1; exit $rc ;;
  *) echo "usage: setup.sh franz-go|python|all" >&2; exit 2 ;;
esac
