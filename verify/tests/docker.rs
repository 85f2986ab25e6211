//! Database tests in a container started with testcontainers from the locally built
//! image `schemakit/postgres:15` (scripts/postgres-runtime.sh builds it; no registry is
//! reachable here): one container per test binary, a fresh database per test. When
//! Docker is not running these tests fail and say why; they are never skipped.

#[macro_use]
mod common;

use std::sync::OnceLock;

use verify::Server;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        verify::docker::start("schemakit/postgres:15").unwrap_or_else(|e| {
            panic!("Docker and the image schemakit/postgres:15 are required (run scripts/postgres-runtime.sh): {e}")
        })
    })
}

fn vector_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        verify::docker::start("schemakit/postgres:18-vector").unwrap_or_else(|e| {
            panic!("Docker and the image schemakit/postgres:18-vector are required (run scripts/postgres-runtime.sh): {e}")
        })
    })
}

#[test]
fn the_server_runs_in_a_container() {
    assert_eq!(server().kind, verify::ProviderKind::Docker);
    assert!(
        server().version.starts_with("PostgreSQL 15"),
        "{}",
        server().version
    );
}

database_tests!();
