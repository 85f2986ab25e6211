//! Database tests shared by the providers: each test takes the binary's one server and
//! makes its own fresh database. `runner` holds the migration runner's tests, `tracking`
//! those of each tool's tracking table, `catalog` introspection's and canonical DDL's,
//! `checks` those of `verify`'s checks, `round_trip` check c's on sets schemakit did not
//! write, `prove` the proof of a new migration (`schemakit diff`); the `database_tests!`
//! macro turns each into a `#[test]` of the including binary.

// Test helpers: a failed call is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod catalog;
pub mod checks;
pub mod prove;
pub mod round_trip;
pub mod runner;
pub mod tracking;

use std::path::{Path, PathBuf};

use schema::migrations::MigrationSet;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch migration directory with the given files.
pub fn migrations(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemakit-verify-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(&dir)).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn read(dir: &Path) -> MigrationSet {
    MigrationSet::read(dir, None)
        .unwrap_or_else(|d| panic!("{}", schema::diagnostic::render_plain(&d)))
}

/// The tests every provider runs, as `#[test]` functions calling the including file's
/// `server()` (PostgreSQL 15) and `vector_server()` (PostgreSQL 18 with pgvector).
#[macro_export]
macro_rules! database_tests {
    () => {
        #[test]
        fn up_applies_in_order_and_records_versions_with_checksums() {
            common::runner::up_applies_in_order_and_records_versions_with_checksums(server());
        }

        #[test]
        fn a_failing_migration_leaves_database_and_tracking_table_unchanged() {
            common::runner::a_failing_migration_leaves_database_and_tracking_table_unchanged(server());
        }

        #[test]
        fn an_edited_applied_migration_is_refused_with_both_checksums() {
            common::runner::an_edited_applied_migration_is_refused_with_both_checksums(server());
        }

        #[test]
        fn no_transaction_migrations_run_outside_a_transaction() {
            common::runner::no_transaction_migrations_run_outside_a_transaction(server());
        }

        #[test]
        fn down_reverts_newest_first_by_steps_and_to() {
            common::runner::down_reverts_newest_first_by_steps_and_to(server());
        }

        #[test]
        fn the_advisory_lock_serializes_two_runners() {
            common::runner::the_advisory_lock_serializes_two_runners(server());
        }

        #[test]
        fn a_target_version_not_in_the_set_is_refused_and_changes_nothing() {
            common::runner::a_target_version_not_in_the_set_is_refused_and_changes_nothing(server());
        }

        #[test]
        fn target_versions_compare_as_versions_not_as_text() {
            common::runner::target_versions_compare_as_versions_not_as_text(server());
        }

        #[test]
        fn redo_reverts_and_reapplies_only_the_newest_applied() {
            common::runner::redo_reverts_and_reapplies_only_the_newest_applied(server());
        }

        #[test]
        fn an_applied_migration_missing_from_the_set_is_listed_and_refused() {
            common::runner::an_applied_migration_missing_from_the_set_is_listed_and_refused(server());
        }

        #[test]
        fn a_no_transaction_migration_that_fails_part_way_is_marked_failed() {
            common::runner::a_no_transaction_migration_that_fails_part_way_is_marked_failed(server());
        }

        #[test]
        fn a_tracking_table_of_another_tool_is_never_altered() {
            common::runner::a_tracking_table_of_another_tool_is_never_altered(server());
        }

        #[test]
        fn status_writes_nothing() {
            common::runner::status_writes_nothing(server());
        }

        #[test]
        fn each_format_creates_its_tools_table_exactly() {
            common::tracking::each_format_creates_its_tools_table_exactly(server());
        }

        #[test]
        fn each_format_records_up_and_down_and_reads_them_back() {
            common::tracking::each_format_records_up_and_down_and_reads_them_back(server());
        }

        #[test]
        fn a_database_each_tool_manages_is_taken_over() {
            common::tracking::a_database_each_tool_manages_is_taken_over(server());
        }

        #[test]
        fn a_flyway_baseline_counts_for_the_migrations_up_to_it() {
            common::tracking::a_flyway_baseline_counts_for_the_migrations_up_to_it(server());
        }

        #[test]
        fn a_failed_mark_is_kept_where_the_format_has_one() {
            common::tracking::a_failed_mark_is_kept_where_the_format_has_one(server());
        }

        #[test]
        fn a_diesel_migration_that_reads_diesels_table_passes_check_a() {
            common::tracking::a_diesel_migration_that_reads_diesels_table_passes_check_a(server());
        }

        #[test]
        fn a_set_that_drops_its_legacy_schema_migrations_passes_check_a() {
            common::tracking::a_set_that_drops_its_legacy_schema_migrations_passes_check_a(server());
        }

        #[test]
        fn examples_pass_every_check_in_their_tools_tables() {
            common::tracking::examples_pass_every_check_in_their_tools_tables(server());
        }

        #[test]
        fn introspection_matches_the_parsed_model() {
            common::catalog::introspection_matches_the_parsed_model(server());
        }

        #[test]
        fn functions_and_views_read_the_same_from_sql_and_from_the_catalog() {
            common::catalog::functions_and_views_read_the_same_from_sql_and_from_the_catalog(server());
        }

        #[test]
        fn canonical_ddl_of_every_fixture_and_system_applies() {
            common::catalog::canonical_ddl_of_every_fixture_and_system_applies(server(), vector_server());
        }

        #[test]
        fn introspection_sends_the_same_number_of_queries_for_any_table_count() {
            common::catalog::introspection_sends_the_same_number_of_queries_for_any_table_count(server());
        }

        #[test]
        fn verify_passes_every_check_for_cira() {
            common::checks::verify_passes_every_check_for_cira(server());
        }

        #[test]
        fn verify_finds_the_user_story_agent_down_dropping_the_tracking_table() {
            common::checks::verify_finds_the_user_story_agent_down_dropping_the_tracking_table(server());
        }

        #[test]
        fn each_migration_is_checked_from_the_database_before_it() {
            common::round_trip::each_migration_is_checked_from_the_database_before_it(server());
        }

        #[test]
        fn a_down_that_only_reorders_columns_passes_with_a_note() {
            common::round_trip::a_down_that_only_reorders_columns_passes_with_a_note(server());
        }

        #[test]
        fn timestamps_frozen_from_now_are_notes_and_written_ones_are_compared() {
            common::round_trip::timestamps_frozen_from_now_are_notes_and_written_ones_are_compared(server());
        }

        #[test]
        fn a_layout_without_downs_by_design_is_not_round_tripped() {
            common::round_trip::a_layout_without_downs_by_design_is_not_round_tripped(server());
        }

        #[test]
        fn every_declared_failure_of_a_check_must_happen() {
            common::round_trip::every_declared_failure_of_a_check_must_happen(server());
        }

        #[test]
        fn verify_reports_drift_between_schema_sql_and_migrations() {
            common::checks::verify_reports_drift_between_schema_sql_and_migrations(server());
        }

        #[test]
        fn a_complete_migration_is_proven_up_down_and_up_again() {
            common::prove::a_complete_migration_is_proven_up_down_and_up_again(server());
        }

        #[test]
        fn an_incomplete_up_is_not_proven_and_the_differences_are_listed() {
            common::prove::an_incomplete_up_is_not_proven_and_the_differences_are_listed(server());
        }

        #[test]
        fn a_down_that_leaves_something_behind_is_not_proven() {
            common::prove::a_down_that_leaves_something_behind_is_not_proven(server());
        }

        #[test]
        fn a_failing_statement_is_named_with_postgres_message() {
            common::prove::a_failing_statement_is_named_with_postgres_message(server());
        }

        #[test]
        fn a_no_transaction_migration_runs_outside_a_transaction() {
            common::prove::a_no_transaction_migration_runs_outside_a_transaction(server());
        }

        #[test]
        fn plc_coach_fails_on_its_now_predicate_with_file_and_line_on_pgvector() {
            let server = vector_server();
            assert!(
                server.major >= 16,
                "pgvector needs PostgreSQL 16 or 18 here"
            );
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/plc_coach/migrations");
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
    };
}
