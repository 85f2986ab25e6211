#!/usr/bin/env bash
# Minimizes a grown corpus into the checked-in one, fuzz/corpus/<target>/, kept small:
# every input is cut to its first BYTES bytes, then libFuzzer picks a set cover of the
# edges they reach (hit counts ignored).
#
#   bash fuzz/minimize.sh TARGET GROWN_CORPUS_DIR... [-- BYTES]     (default: 512)
#
# The checked-in corpus is one of the inputs, so nothing it covers is lost.
set -euo pipefail
cd "$(dirname "$0")"

target="$1"
shift
dirs=()
bytes=512
while [ $# -gt 0 ]; do
    case "$1" in
        --) bytes="$2"; shift 2 ;;
        *) dirs+=("$(realpath "$1")"); shift ;;
    esac
done

export RUSTC_BOOTSTRAP=1
cargo fuzz build --sanitizer none --debug-assertions "$target"
bin="target/$(rustc -vV | sed -n "s/^host: //p")/release/$target"

cut="$(mktemp -d)"
out="$(mktemp -d)"
trap 'rm -rf "$cut" "$out"' EXIT
mkdir -p "corpus/$target"
for dir in "corpus/$target" "${dirs[@]}"; do
    find "$dir" -maxdepth 1 -type f -print0 |
        while IFS= read -r -d '' f; do head -c "$bytes" "$f" >"$cut/$(basename "$f")"; done
done
# Cut inputs are new inputs: one that crashes is left out of the corpus and kept in
# artifacts/<target>/ to be fixed.
mkdir -p "artifacts/$target"
"$bin" -set_cover_merge=1 -use_counters=0 -max_len=4096 -artifact_prefix="artifacts/$target/" \
    "$out" "$cut" 2>&1 | grep -a -e '^MERGE-OUTER: [0-9]' -e '^MERGE-OUTER: attempt'
# Files are named by their SHA-1, as libFuzzer names them.
rm -rf "corpus/$target"
mkdir "corpus/$target"
cp "$out"/* "corpus/$target/"
printf '%s: %s files, %s\n' "$target" "$(ls "corpus/$target" | wc -l)" \
    "$(du -sh --apparent-size "corpus/$target" | cut -f1)"
