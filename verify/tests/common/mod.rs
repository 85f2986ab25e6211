//! Database tests shared by the providers: each test takes the binary's one server and
//! makes its own fresh database.

// Test helpers: a failed call is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use schema::migrations::MigrationSet;
use verify::check::{Outcome, Spec, codegen_differences};
use verify::introspect::{introspect, introspect_counted};
use verify::runner::{self, Status};
use verify::{Error, Server};

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

pub fn up_applies_in_order_and_records_versions_with_checksums(server: &Server) {
    let dir = migrations(
        "order",
        &[
            (
                "2_b.sql",
                "-- UP\nCREATE TABLE b (id int REFERENCES a (id));\n-- DOWN\nDROP TABLE b;\n",
            ),
            (
                "10_c.sql",
                "-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE c;\n",
            ),
            (
                "1_a.sql",
                "-- UP\nCREATE TABLE a (id int PRIMARY KEY);\n-- DOWN\nDROP TABLE a;\n",
            ),
        ],
    );
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    assert_eq!(
        runner::up(&mut client, &set, None).unwrap(),
        ["1", "2", "10"]
    );
    let applied = runner::applied(&mut client).unwrap();
    assert_eq!(applied.len(), 3);
    assert!(
        applied.iter().all(|a| a.checksum.len() == 64),
        "{applied:?}"
    );
    assert!(
        runner::up(&mut client, &set, None).unwrap().is_empty(),
        "a second up applies nothing"
    );
    let statuses = runner::status(&mut client, &set).unwrap();
    assert!(statuses.iter().all(|(_, s)| *s == Status::Applied));
}

pub fn a_failing_migration_leaves_database_and_tracking_table_unchanged(server: &Server) {
    let dir = migrations(
        "failing",
        &[
            (
                "1_a.sql",
                "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "2_b.sql",
                "-- UP\nCREATE TABLE b (id int);\n\nINSERT INTO a (nope) VALUES (1);\n-- DOWN\nDROP TABLE b;\n",
            ),
        ],
    );
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let err = runner::up(&mut client, &set, None).unwrap_err();
    let Error::Statement(f) = err else {
        panic!("expected a statement failure, got {err}")
    };
    assert!(f.location.ends_with("2_b.sql:4:1"), "{f}");
    assert_eq!(
        f.message,
        "column \"nope\" of relation \"a\" does not exist"
    );
    assert_eq!(f.code, "42703");
    let versions: Vec<String> = runner::applied(&mut client)
        .unwrap()
        .into_iter()
        .map(|a| a.version)
        .collect();
    assert_eq!(versions, ["1"]);
    let b: i64 = client
        .query_one("SELECT count(*) FROM pg_class WHERE relname = 'b'", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        b, 0,
        "the failed migration's first statement must be rolled back"
    );
}

pub fn an_edited_applied_migration_is_refused_with_both_checksums(server: &Server) {
    let dir = migrations(
        "edited",
        &[(
            "1_a.sql",
            "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n",
        )],
    );
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    runner::up(&mut client, &read(&dir), None).unwrap();
    std::fs::write(
        dir.join("1_a.sql"),
        "-- UP\nCREATE TABLE a (id bigint);\n-- DOWN\nDROP TABLE a;\n",
    )
    .unwrap();
    let err = runner::up(&mut client, &read(&dir), None).unwrap_err();
    let Error::Changed {
        version,
        file,
        recorded,
        current,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(version, "1");
    assert!(file.ends_with("1_a.sql"));
    assert_ne!(recorded, current);
    assert!(
        err.to_string().contains(recorded.as_str()) && err.to_string().contains(current.as_str())
    );
}

pub fn no_transaction_migrations_run_outside_a_transaction(server: &Server) {
    let dir = migrations(
        "notx",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int, name text);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            (
                "2_idx.up.sql",
                "-- no-transaction\nCREATE INDEX CONCURRENTLY a_name_idx ON a (name);\n",
            ),
            (
                "2_idx.down.sql",
                "-- no-transaction\nDROP INDEX CONCURRENTLY a_name_idx;\n",
            ),
        ],
    );
    let set = read(&dir);
    assert!(set.migrations[1].no_transaction);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    runner::up(&mut client, &set, None).unwrap();
    assert_eq!(
        runner::down(&mut client, &set, None, Some(1)).unwrap(),
        ["2"]
    );
}

pub fn down_reverts_newest_first_by_steps_and_to(server: &Server) {
    let dir = migrations(
        "down",
        &[
            (
                "1_a.sql",
                "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "2_b.sql",
                "-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n",
            ),
            (
                "3_c.sql",
                "-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE c;\n",
            ),
            (
                "4_d.sql",
                "-- UP\nCREATE TABLE d (id int);\n-- DOWN\nDROP TABLE d;\n",
            ),
        ],
    );
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    runner::up(&mut client, &set, Some("3")).unwrap();
    assert_eq!(
        runner::applied(&mut client).unwrap().len(),
        3,
        "--to stops after that version"
    );
    assert_eq!(
        runner::down(&mut client, &set, None, Some(2)).unwrap(),
        ["3", "2"]
    );
    runner::up(&mut client, &set, None).unwrap();
    assert_eq!(
        runner::down(&mut client, &set, Some("2"), None).unwrap(),
        ["4", "3"]
    );
    let versions: Vec<String> = runner::applied(&mut client)
        .unwrap()
        .into_iter()
        .map(|a| a.version)
        .collect();
    assert_eq!(versions, ["1", "2"]);
}

pub fn the_advisory_lock_serializes_two_runners(server: &Server) {
    let dir = migrations(
        "lock",
        &[
            (
                "1_slow.sql",
                "-- UP\nCREATE TABLE a (id int);\nSELECT pg_sleep(0.5);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "2_b.sql",
                "-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n",
            ),
        ],
    );
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let results: Vec<Result<Vec<String>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut client = server.connect(&db).map_err(|e| e.to_string())?;
                    runner::up(&mut client, &set, None).map_err(|e| e.to_string())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut applied: Vec<String> = results.into_iter().flat_map(|r| r.unwrap()).collect();
    applied.sort();
    assert_eq!(
        applied,
        ["1", "2"],
        "each migration is applied exactly once"
    );
}

/// Every construct fixture Postgres accepts without extensions: the catalog equals the
/// parsed model in everything codegen depends on.
pub fn introspection_matches_the_parsed_model(server: &Server) {
    let fixtures = repo().join("schema/tests/fixtures/constructs");
    for name in [
        "constraints.sql",
        "enums.sql",
        "domains.sql",
        "nullability_defaults.sql",
        "names_and_quoting.sql",
        "views_functions_triggers.sql",
        "alter_and_drop.sql",
        "expression_index_names.sql",
    ] {
        let text = std::fs::read_to_string(fixtures.join(name)).unwrap();
        let parsed = schema::parse_sql(name, &text);
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        client
            .batch_execute(&text)
            .unwrap_or_else(|e| panic!("{name}: {}", verify::Error::db("apply", e)));
        let actual = introspect(&mut client, &[]).unwrap();
        let diffs = codegen_differences(&parsed.schema, &actual);
        assert!(diffs.is_empty(), "{name}:\n{}", diffs.join("\n"));
        // Canonical DDL of the parsed model builds the same catalog.
        let db2 = server.create_database(None).unwrap();
        let mut client2 = server.connect(&db2).unwrap();
        client2
            .batch_execute(&parsed.schema.to_string())
            .unwrap_or_else(|e| panic!("{name}: {}", verify::Error::db("apply", e)));
        let again = introspect(&mut client2, &[]).unwrap();
        assert_eq!(actual.to_string(), again.to_string(), "{name}");
    }
}

pub fn introspection_sends_the_same_number_of_queries_for_any_table_count(server: &Server) {
    let mut counts = Vec::new();
    for tables in [1, 40] {
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        let ddl: String = (0..tables)
            .map(|i| format!("CREATE TABLE t{i} (id int PRIMARY KEY, name text UNIQUE, v int CHECK (v > 0));\nCREATE INDEX ON t{i} (v);\n"))
            .collect();
        client.batch_execute(&ddl).unwrap();
        let (schema, sent) = introspect_counted(&mut client, &[]).unwrap();
        assert_eq!(schema.tables.len(), tables);
        counts.push(sent);
    }
    assert_eq!(counts[0], counts[1]);
    assert_eq!(counts[0], verify::introspect::QUERY_COUNT);
}

fn spec(system: &str) -> Spec {
    let dir = repo().join("db").join(system);
    let set = read(&dir.join("migrations"));
    Spec {
        name: system.to_string(),
        set,
        schema_sql: Some(dir.join("schema.sql")),
        snapshot: Some(dir.join("catalog.snap")),
        allow_irreversible: matches!(system, "cira" | "cost_tracker" | "text_assistant"),
        expected: Vec::new(),
        update_snapshot: false,
    }
}

fn outcome<'a>(report: &'a verify::check::Report, id: &str) -> &'a Outcome {
    &report.checks.iter().find(|c| c.id == id).unwrap().outcome
}

pub fn verify_passes_every_check_for_cira(server: &Server) {
    let report = verify::check::verify_system(server, &spec("cira"));
    assert!(!report.failed(), "{report:#?}");
    for id in ["a", "b", "c", "d", "e"] {
        assert!(
            matches!(
                outcome(&report, id),
                Outcome::Pass | Outcome::PassWithNotes(_)
            ),
            "{id}: {report:#?}"
        );
    }
}

pub fn verify_finds_the_user_story_agent_down_dropping_the_tracking_table(server: &Server) {
    let report = verify::check::verify_system(server, &spec("user_story_agent"));
    let Outcome::Fail(lines) = outcome(&report, "c") else {
        panic!("{report:#?}")
    };
    assert!(
        lines
            .join("\n")
            .contains("relation \"schema_migrations\" does not exist"),
        "{lines:?}"
    );
    for id in ["a", "b", "d", "e"] {
        assert!(
            matches!(
                outcome(&report, id),
                Outcome::Pass | Outcome::PassWithNotes(_)
            ),
            "{id}: {report:#?}"
        );
    }
}

pub fn verify_reports_drift_between_schema_sql_and_migrations(server: &Server) {
    let dir = migrations(
        "drift",
        &[
            (
                "migrations/1_a.sql",
                "-- UP\nCREATE TABLE a (id int PRIMARY KEY, name text NOT NULL);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "schema.sql",
                "CREATE TABLE a (id int PRIMARY KEY, name text);\n",
            ),
        ],
    );
    let mut s = spec("cira");
    s.name = "drift".into();
    s.set = read(&dir.join("migrations"));
    s.schema_sql = Some(dir.join("schema.sql"));
    s.snapshot = None;
    let report = verify::check::verify_system(server, &s);
    let Outcome::Fail(lines) = outcome(&report, "d") else {
        panic!("{report:#?}")
    };
    let text = lines.join("\n");
    assert!(
        text.contains("-    name text,") && text.contains("+    name text NOT NULL,"),
        "{text}"
    );
    assert!(report.failed());
}

/// The tests every provider runs, as `#[test]` functions calling the including file's
/// `server()` (PostgreSQL 15) and `vector_server()` (PostgreSQL 18 with pgvector).
#[macro_export]
macro_rules! database_tests {
    () => {
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
