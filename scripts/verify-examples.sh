#!/usr/bin/env bash
# Quick start, step 1: verify the five example systems on a real Postgres.
# Prepares the local PostgreSQL 18 + pgvector binaries (plc_coach needs pgvector), then
# runs `schemakit verify`: in containers when Docker is running and the images exist,
# otherwise on ephemeral clusters from local binaries (the embedded default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/postgres-runtime.sh --local-only
cargo run --locked -q -- verify "$@"
