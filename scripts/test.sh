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
# The generated crate's async API (feature `tokio`), on a real Postgres too.
cargo test -p generated --features tokio --locked --test roundtrip_async "$@"
