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

/// PostgreSQL 18 with pgvector, from scripts/postgres-runtime.sh.
fn vector_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        Server::local(Some(std::path::Path::new("/opt/schemakit/pg18-vector/bin")))
            .unwrap_or_else(|e| panic!("run scripts/postgres-runtime.sh first: {e}"))
    })
}

database_tests!();
