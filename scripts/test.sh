#!/usr/bin/env bash
# Quick start, step 2: the full test suite. Database tests run for real both on local
# binaries and in Docker containers, so the runtimes are prepared first (idempotent:
# a couple of seconds when everything is in place).
set -euo pipefail
cd "$(dirname "$0")/.."
# The runtime script's decisions (stub docker/dockerd), then the runtimes for real.
bash scripts/test-postgres-runtime.sh
bash scripts/postgres-runtime.sh
cargo test --workspace --locked "$@"
# The generated crate with every feature: the round trips call the blocking and the async
# API (feature `tokio`) on a real Postgres, with `serde` on.
cargo test -p generated --all-features --locked "$@"
# The example program of the README, against a database started as the quick start does.
cargo run --locked -q --example tour
