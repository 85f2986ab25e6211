#!/usr/bin/env bash
# Runs each fuzz target for a fixed time, starting from the checked-in corpus, and fails
# on the first crash. Used by .ci/run; works on a stable toolchain.
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 25 s; sql migrations codegen)
#
# New inputs go to a temporary directory and are thrown away; the checked-in corpus is
# only read. A crash leaves its input in fuzz/artifacts/<target>/ and the exit status
# non-zero.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-25}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sql migrations codegen)

# cargo-fuzz passes nightly-only flags (-Zsanitizer, -Cpasses=sancov-module);
# RUSTC_BOOTSTRAP lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
cargo_fuzz_version=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q "$cargo_fuzz_version"; then
    cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi

# A build of its own: the flags differ from the workspace's, so sharing a target
# directory would rebuild one or the other every time.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    target_dir="$CARGO_TARGET_DIR/fuzz"
else
    target_dir="$PWD/target"
fi
# No sanitizer: the code under test has no unsafe (unsafe_code = "forbid"), and ASan
# would halve the executions. Debug assertions on: an overflow is a crash.
flags=(--sanitizer none --debug-assertions --target-dir "$target_dir")

# cargo fuzz has no --locked: check the committed lock file first.
if ! cargo metadata --locked --format-version 1 >/dev/null; then
    echo "fuzz/Cargo.lock is out of date: run \`cargo update --workspace --manifest-path fuzz/Cargo.toml\` and commit it" >&2
    exit 1
fi
cargo fuzz build "${flags[@]}"

for t in "${targets[@]}"; do
    args=(-max_total_time="$seconds" -max_len=4096 -timeout=20 -print_final_stats=1)
    case "$t" in
        sql | codegen) args+=(-dict=sql.dict) ;;
    esac
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    printf -- '--- fuzz %s for %ss\n' "$t" "$seconds"
    # The first directory receives new inputs; the second only seeds.
    set +e
    cargo fuzz run "${flags[@]}" "$t" "$scratch" "corpus/$t" -- "${args[@]}" 2>&1 |
        grep -Ev '^(#[0-9]+\s+(NEW|REDUCE|pulse)|\s+NEW_FUNC)'
    status="${PIPESTATUS[0]}"
    set -e
    rm -rf "$scratch"
    trap - EXIT
    if [ "$status" -ne 0 ]; then
        echo "fuzz target $t failed (exit $status); a crashing input is saved in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
