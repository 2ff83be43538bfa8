#!/usr/bin/env bash
# scripts/readme-block.sh NAME FILE — keep a generated table in the docs honest.
#
# README.md and docs/*.md carry blocks written by test runs between two marker lines:
#     <!-- NAME:begin -->
#     ...generated text...
#     <!-- NAME:end -->
# This compares the block with FILE (the text a test just generated). Same: exit 0.
# Different: print the diff and exit 1, unless KW_UPDATE_README=1, in which case the block
# is replaced by FILE and the script exits 0. The block lives in the one document that has
# its markers ($KW_README names it instead); none has them: an error.
set -u
name=$1; file=$2
top=$(cd "$(dirname "$0")/.." && pwd)
begin="<!-- $name:begin -->"; end="<!-- $name:end -->"
readme=${KW_README:-}
if [ -z "$readme" ]; then
  readme=$(grep -lxF "$begin" "$top/README.md" "$top"/docs/*.md 2>/dev/null | head -1)
  [ -n "$readme" ] || { echo "readme-block: no document in README.md or docs/ has the '$begin' marker" >&2; exit 1; }
fi
doc=${readme#"$top"/}
if ! grep -qxF "$begin" "$readme" || ! grep -qxF "$end" "$readme"; then
  echo "readme-block: $readme has no '$begin' / '$end' markers" >&2; exit 1
fi
current=$(awk -v b="$begin" -v e="$end" '$0 == e {f = 0} f {print} $0 == b {f = 1}' "$readme")
if [ "$current" = "$(cat "$file")" ]; then exit 0; fi
if [ "${KW_UPDATE_README:-0}" = 1 ]; then
  tmp=$(mktemp "$readme.XXXXXX")
  awk -v b="$begin" -v e="$end" -v f="$file" '
    $0 == b {print; while ((getline l < f) > 0) print l; skip = 1; next}
    $0 == e {skip = 0}
    !skip {print}' "$readme" > "$tmp" && mv "$tmp" "$readme"
  echo "readme-block: $doc block '$name' updated from $file"
  exit 0
fi
echo "readme-block: $doc block '$name' differs from this run's table ($file):" >&2
diff <(printf '%s\n' "$current") "$file" >&2
echo "readme-block: rerun with KW_UPDATE_README=1 to write the new table into $doc" >&2
exit 1
