//! Database tests on an ephemeral cluster from local binaries: one cluster per test
//! binary, a fresh database per test.

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

#[test]
fn up_applies_in_order_and_records_versions_with_checksums() {
    common::up_applies_in_order_and_records_versions_with_checksums(server());
}

#[test]
fn a_failing_migration_leaves_database_and_tracking_table_unchanged() {
    common::a_failing_migration_leaves_database_and_tracking_table_unchanged(server());
}

#[test]
fn an_edited_applied_migration_is_refused_with_both_checksums() {
    common::an_edited_applied_migration_is_refused_with_both_checksums(server());
}

#[test]
fn no_transaction_migrations_run_outside_a_transaction() {
    common::no_transaction_migrations_run_outside_a_transaction(server());
}

#[test]
fn down_reverts_newest_first_by_steps_and_to() {
    common::down_reverts_newest_first_by_steps_and_to(server());
}

#[test]
fn the_advisory_lock_serializes_two_runners() {
    common::the_advisory_lock_serializes_two_runners(server());
}

#[test]
fn introspection_matches_the_parsed_model() {
    common::introspection_matches_the_parsed_model(server());
}

#[test]
fn introspection_sends_the_same_number_of_queries_for_any_table_count() {
    common::introspection_sends_the_same_number_of_queries_for_any_table_count(server());
}

#[test]
fn verify_passes_every_check_for_cira() {
    common::verify_passes_every_check_for_cira(server());
}

#[test]
fn verify_finds_the_user_story_agent_down_dropping_the_tracking_table() {
    common::verify_finds_the_user_story_agent_down_dropping_the_tracking_table(server());
}

#[test]
fn verify_reports_drift_between_schema_sql_and_migrations() {
    common::verify_reports_drift_between_schema_sql_and_migrations(server());
}

#[test]
fn plc_coach_fails_on_its_now_predicate_with_file_and_line_on_pgvector() {
    let server = vector_server();
    assert!(
        server.major >= 16,
        "pgvector needs PostgreSQL 16 or 18 here"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/plc_coach/migrations");
    let set = schema::migrations::MigrationSet::read(&dir, None).unwrap();
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let err = verify::runner::up(&mut client, &set, None).unwrap_err();
    let verify::Error::Statement(f) = err else {
        panic!("{err}")
    };
    assert!(
        f.location.ends_with("0001_initial_schema.up.sql:66:1"),
        "{f}"
    );
    assert_eq!(
        f.message,
        "functions in index predicate must be marked IMMUTABLE"
    );
}
