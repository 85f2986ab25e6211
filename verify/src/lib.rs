//! Postgres providers, the migration runner, catalog introspection, diff and snapshots (not yet written).
