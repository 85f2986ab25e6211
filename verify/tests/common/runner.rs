//! The migration runner on a real server: up, down, redo and status, targets, the
//! tracking table, no-transaction migrations and the advisory lock.

use std::path::PathBuf;

use verify::Error;
use verify::Server;
use verify::runner::{self, Status};
use verify::tracking::{Choice, Format};

use super::{migrations, read};

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
    let applied = runner::applied(&mut client, &set).unwrap();
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
    assert!(
        statuses
            .migrations
            .iter()
            .all(|(_, s)| *s == Status::Applied)
    );
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
    let versions: Vec<String> = runner::applied(&mut client, &set)
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
        runner::applied(&mut client, &set).unwrap().len(),
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
    let versions: Vec<String> = runner::applied(&mut client, &set)
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

/// Three reversible one-table migrations, `001_a` to `003_c`, in the numbered layout.
fn three(name: &str) -> PathBuf {
    migrations(
        name,
        &[
            (
                "001_a.sql",
                "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "002_b.sql",
                "-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n",
            ),
            (
                "003_c.sql",
                "-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE c;\n",
            ),
        ],
    )
}

fn versions(
    client: &mut postgres::Client,
    runner: &runner::Runner,
    set: &schema::migrations::MigrationSet,
) -> Vec<String> {
    runner
        .applied(client, set)
        .unwrap()
        .into_iter()
        .map(|a| a.version)
        .collect()
}

fn relation_exists(client: &mut postgres::Client, name: &str) -> bool {
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

fn columns(client: &mut postgres::Client, table: &str) -> Vec<String> {
    client
        .query(
            "SELECT column_name || ' ' || data_type FROM information_schema.columns
             WHERE table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

pub fn a_target_version_not_in_the_set_is_refused_and_changes_nothing(server: &Server) {
    let set = read(&three("unknown-target"));
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let default = runner::Runner::default();
    for to in ["7", "abc", ""] {
        let err = runner::up(&mut client, &set, Some(to)).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Migrate(runner::MigrateError::UnknownVersion { version, .. }) if version == to
            ),
            "{err}"
        );
    }
    assert!(
        !relation_exists(&mut client, "schema_migrations"),
        "a refused up creates nothing"
    );
    assert!(!relation_exists(&mut client, "a"));
    runner::up(&mut client, &set, None).unwrap();
    let err = runner::down(&mut client, &set, Some("7"), None).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("version `7` is not in the migration set (3 migrations, from 001 to 003)"),
        "{err}"
    );
    assert_eq!(versions(&mut client, &default, &set), ["001", "002", "003"]);
    assert!(relation_exists(&mut client, "c"));
}

pub fn target_versions_compare_as_versions_not_as_text(server: &Server) {
    let dir = three("version-compare");
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let default = runner::Runner::default();
    assert_eq!(
        runner::up(&mut client, &set, Some("2")).unwrap(),
        ["001", "002"]
    );
    assert_eq!(
        runner::down(&mut client, &set, Some("01"), None).unwrap(),
        ["002"]
    );
    assert_eq!(versions(&mut client, &default, &set), ["001"]);
    // Renamed after it was applied: `1_a.sql` is still the applied `001`.
    std::fs::rename(dir.join("001_a.sql"), dir.join("1_a.sql")).unwrap();
    let set = read(&dir);
    let status = runner::status(&mut client, &set).unwrap();
    assert!(status.missing.is_empty(), "{:?}", status.missing);
    assert_eq!(status.migrations[0].1, Status::Applied);
    assert_eq!(runner::down(&mut client, &set, None, None).unwrap(), ["1"]);
    assert!(
        versions(&mut client, &default, &set).is_empty(),
        "the row recorded as `001` is removed"
    );
}

pub fn redo_reverts_and_reapplies_only_the_newest_applied(server: &Server) {
    let set = read(&three("redo"));
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let runner = runner::Runner::default();
    assert_eq!(runner.redo(&mut client, &set).unwrap(), None);
    runner.up(&mut client, &set, Some("2")).unwrap();
    client.batch_execute("INSERT INTO b VALUES (1)").unwrap();
    assert_eq!(
        runner.redo(&mut client, &set).unwrap().as_deref(),
        Some("002")
    );
    assert_eq!(versions(&mut client, &runner, &set), ["001", "002"]);
    assert!(!relation_exists(&mut client, "c"), "003 stays pending");
    let rows: i64 = client
        .query_one("SELECT count(*) FROM b", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 0, "002 was reverted and applied again");
}

pub fn an_applied_migration_missing_from_the_set_is_listed_and_refused(server: &Server) {
    let dir = three("missing");
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let mut runner = runner::Runner::default();
    runner.up(&mut client, &read(&dir), None).unwrap();
    std::fs::remove_file(dir.join("002_b.sql")).unwrap();
    let set = read(&dir);
    let status = runner.status(&mut client, &set).unwrap();
    let missing: Vec<&str> = status.missing.iter().map(|a| a.version.as_str()).collect();
    assert_eq!(missing, ["002"]);
    assert!(!status.is_clean());
    for err in [
        runner.down(&mut client, &set, None, Some(2)).unwrap_err(),
        runner.up(&mut client, &set, None).unwrap_err(),
        runner.redo(&mut client, &set).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Migrate(runner::MigrateError::Missing { versions, .. }) if versions == "002"),
            "{err}"
        );
        assert!(err.to_string().contains("--ignore-missing"), "{err}");
    }
    assert_eq!(versions(&mut client, &runner, &set), ["001", "002", "003"]);
    runner.ignore_missing = true;
    assert_eq!(
        runner.down(&mut client, &set, None, Some(2)).unwrap(),
        ["003", "001"],
        "told to ignore it, down leaves the missing one alone"
    );
    assert_eq!(versions(&mut client, &runner, &set), ["002"]);
}

pub fn a_no_transaction_migration_that_fails_part_way_is_marked_failed(server: &Server) {
    let dir = migrations(
        "failed-notx",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int, name text);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            (
                "2_idx.up.sql",
                "-- no-transaction\nCREATE TABLE side_effect (id int);\nCREATE INDEX CONCURRENTLY a_nope_idx ON a (nope);\n",
            ),
            (
                "2_idx.down.sql",
                "-- no-transaction\nDROP TABLE side_effect;\n",
            ),
            ("3_c.up.sql", "CREATE TABLE c (id int);\n"),
            ("3_c.down.sql", "DROP TABLE c;\n"),
        ],
    );
    let set = read(&dir);
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    // schemakit's own table keeps the failed statement (sqlx's, this layout's default,
    // only `success = false`: `tracking::a_failed_mark_is_kept_where_the_format_has_one`).
    let runner = runner::Runner::with_format(Format::Schemakit);
    let err = runner.up(&mut client, &set, None).unwrap_err();
    let Error::Migrate(runner::MigrateError::PartlyApplied { version, cause, .. }) = &err else {
        panic!("{err}")
    };
    assert_eq!(version, "2");
    assert!(matches!(**cause, Error::Statement(_)), "{cause}");
    assert!(err.to_string().contains("resolve 2"), "{err}");
    assert!(
        relation_exists(&mut client, "side_effect"),
        "partial work stays"
    );
    let status = runner.status(&mut client, &set).unwrap();
    let Status::Failed { failure } = &status.migrations[1].1 else {
        panic!("{:?}", status.migrations[1].1)
    };
    assert!(failure.contains("2_idx.up.sql:3:1"), "{failure}");
    assert!(
        failure.contains("CREATE INDEX CONCURRENTLY a_nope_idx"),
        "the failed statement is recorded: {failure}"
    );
    assert!(!status.is_clean());
    for err in [
        runner.up(&mut client, &set, None).unwrap_err(),
        runner.down(&mut client, &set, None, None).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::Migrate(runner::MigrateError::Failed { version, .. }) if version == "2"),
            "{err}"
        );
    }
    assert!(!relation_exists(&mut client, "c"), "up refused: 3 not run");
    let err = runner
        .resolve(&mut client, &set, "1", runner::Resolution::Applied)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Migrate(runner::MigrateError::NotFailed { .. })),
        "{err}"
    );
    // Repaired by hand: the column the index needs, then the index.
    client
        .batch_execute("ALTER TABLE a ADD COLUMN nope int; CREATE INDEX a_nope_idx ON a (nope);")
        .unwrap();
    assert_eq!(
        runner
            .resolve(&mut client, &set, "02", runner::Resolution::Applied)
            .unwrap(),
        "2"
    );
    assert_eq!(
        runner.status(&mut client, &set).unwrap().migrations[1].1,
        Status::Applied
    );
    assert_eq!(runner.up(&mut client, &set, None).unwrap(), ["3"]);
}

pub fn a_tracking_table_of_another_tool_is_never_altered(server: &Server) {
    let set = read(&three("foreign"));
    for (tool, ddl) in [
        (
            "golang-migrate",
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (1, false);",
        ),
        (
            "rails",
            "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101000000');",
        ),
    ] {
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        client.batch_execute(ddl).unwrap();
        let before = columns(&mut client, "schema_migrations");
        let default = runner::Runner::default();
        for err in [
            default.status(&mut client, &set).unwrap_err(),
            default.up(&mut client, &set, None).unwrap_err(),
            default.down(&mut client, &set, None, None).unwrap_err(),
            default.redo(&mut client, &set).unwrap_err(),
            default
                .resolve(&mut client, &set, "1", runner::Resolution::Pending)
                .unwrap_err(),
            default.applied(&mut client, &set).unwrap_err(),
        ] {
            let Error::Migrate(runner::MigrateError::ForeignTable {
                table, found, fits, ..
            }) = &err
            else {
                panic!("{tool}: {err}")
            };
            assert_eq!(table, "schema_migrations");
            assert!(found.starts_with("columns version "), "{tool}: {found}");
            assert!(err.to_string().contains("--tracking-table"), "{err}");
            // The message says which format would take the table over as it is.
            let format = if tool == "rails" { "dbmate" } else { tool };
            assert_eq!(fits, &[Format::from_name(format).unwrap()], "{tool}");
            assert!(
                err.to_string().contains(&format!("--tracking {format}")),
                "{err}"
            );
        }
        assert_eq!(columns(&mut client, "schema_migrations"), before, "{tool}");
        assert!(!relation_exists(&mut client, "a"), "{tool}");
        let ours = runner::Runner {
            tracking: Choice {
                format: None,
                table: Some(runner::TrackingTable::parse("schemakit_migrations").unwrap()),
            },
            ignore_missing: false,
        };
        assert_eq!(
            ours.up(&mut client, &set, None).unwrap(),
            ["001", "002", "003"]
        );
        assert_eq!(versions(&mut client, &ours, &set), ["001", "002", "003"]);
        assert_eq!(columns(&mut client, "schema_migrations"), before, "{tool}");
    }
}

pub fn status_writes_nothing(server: &Server) {
    let set = read(&three("status-read-only"));
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    client
        .batch_execute("SET default_transaction_read_only = on")
        .unwrap();
    let status = runner::status(&mut client, &set).unwrap();
    assert!(
        status.migrations.iter().all(|(_, s)| *s == Status::Pending),
        "without a tracking table everything is pending"
    );
    assert!(runner::applied(&mut client, &set).unwrap().is_empty());
    // A table in the shape earlier schemakit versions created is read as it is.
    client
        .batch_execute("SET default_transaction_read_only = off")
        .unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(), name TEXT, checksum TEXT, execution_ms BIGINT);
             INSERT INTO schema_migrations (version) VALUES ('1');
             CREATE TABLE a (id int);",
        )
        .unwrap();
    client
        .batch_execute("SET default_transaction_read_only = on")
        .unwrap();
    let status = runner::status(&mut client, &set).unwrap();
    assert_eq!(status.migrations[0].1, Status::Applied);
    assert_eq!(status.migrations[1].1, Status::Pending);
    assert_eq!(columns(&mut client, "schema_migrations").len(), 5);
    // The first command that writes brings it up to date.
    client
        .batch_execute("SET default_transaction_read_only = off")
        .unwrap();
    assert_eq!(runner::up(&mut client, &set, None).unwrap(), ["002", "003"]);
    assert_eq!(columns(&mut client, "schema_migrations").len(), 7);
}
