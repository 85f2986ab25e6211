//! Database tests on an ephemeral cluster from local binaries: one cluster per test
//! binary, a fresh database per test.

#[macro_use]
mod common;

use std::sync::OnceLock;

use verify::Server;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        Server::local(None)
            .unwrap_or_else(|e| panic!("local binaries are required for these tests: {e}"))
    })
}

/// PostgreSQL 18 with pgvector: `$SCHEMAKIT_PG18_BIN`, by default where
/// scripts/postgres-runtime.sh puts it. Missing, the tests fail; they are never skipped.
fn vector_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = std::env::var_os("SCHEMAKIT_PG18_BIN")
            .map_or_else(|| "/opt/schemakit/pg18-vector/bin".into(), std::path::PathBuf::from);
        Server::local(Some(&bin)).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL 18 with pgvector is required in {} (run scripts/postgres-runtime.sh, or set SCHEMAKIT_PG18_BIN): {e}",
                bin.display()
            )
        })
    })
}

database_tests!();
