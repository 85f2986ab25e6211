//! Database tests shared by the providers: each test takes the binary's one server and
//! makes its own fresh database.

// Test helpers: a failed call is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use schema::Change;
use schema::diff::Object;
use schema::migrations::MigrationSet;
use schema::model::ConstraintKind;
use verify::check::{Outcome, Spec};
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
        "exclusion.sql",
    ] {
        let text = std::fs::read_to_string(fixtures.join(name)).unwrap();
        let parsed = schema::parse_sql(name, &text);
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        client
            .batch_execute(&text)
            .unwrap_or_else(|e| panic!("{name}: {}", verify::Error::db("apply", e)));
        let actual = introspect(&mut client, &[]).unwrap();
        let changes = schema::diff(&parsed.schema, &actual);
        let strict: Vec<String> = changes
            .iter()
            .filter(|c| c.affects_codegen())
            .map(ToString::to_string)
            .collect();
        assert!(strict.is_empty(), "{name}:\n{}", strict.join("\n"));
        // Exclusion constraints read the same from SQL and from the catalog, with no
        // filtering: the only differences left are expression texts Postgres reprints.
        let exclusion = |o: &Object| {
            matches!(o, Object::Constraint { constraint, .. }
                if matches!(constraint.kind, ConstraintKind::Exclusion { .. }))
        };
        let exclusions: Vec<String> = changes
            .iter()
            .filter(|c| match c {
                Change::Added(o) | Change::Removed(o) => exclusion(o),
                Change::Changed { before, after } => exclusion(before) || exclusion(after),
                _ => false,
            })
            .map(ToString::to_string)
            .collect();
        assert!(exclusions.is_empty(), "{name}:\n{}", exclusions.join("\n"));
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

/// Where a piece of canonical DDL comes from, and its model.
struct Case {
    name: String,
    parsed: schema::Parsed,
    /// Pieces of the messages of failures the repository declares (schemakit.toml, check a).
    declared: Vec<String>,
}

/// The folders of fixtures that are wrong on purpose: `errors/` is not SQL, `lint/` holds
/// the mistakes the linter finds, some of which Postgres refuses.
const WRONG_ON_PURPOSE: [&str; 2] = ["errors", "lint"];

/// The cases under `schema/tests/fixtures`: in a folder of folders (`layouts/`), each
/// migration folder; in a folder of files (`constructs/`), each `.sql` file. The folders
/// in [`WRONG_ON_PURPOSE`] are left out.
fn fixture_cases() -> Vec<Case> {
    let root = repo().join("schema/tests/fixtures");
    let mut paths = Vec::new();
    for folder in sorted_entries(&root) {
        let wrong = folder
            .file_name()
            .is_some_and(|n| WRONG_ON_PURPOSE.iter().any(|w| n == *w));
        if wrong || !folder.is_dir() {
            continue;
        }
        let entries = sorted_entries(&folder);
        let of_folders = entries.iter().any(|e| e.is_dir());
        paths.extend(entries.into_iter().filter(|e| {
            if of_folders {
                e.is_dir()
            } else {
                e.extension().is_some_and(|x| x == "sql")
            }
        }));
    }
    paths
        .into_iter()
        .map(|path| Case {
            name: path
                .strip_prefix(repo())
                .unwrap_or(&path)
                .display()
                .to_string(),
            parsed: schema::parse_path(&path),
            declared: Vec::new(),
        })
        .collect()
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

/// Every system of schemakit.toml: its migrations' model and its schema.sql's, with the
/// failures it declares for check a (the migrations' own statements failing).
fn system_cases() -> Vec<Case> {
    let config: toml::Table = std::fs::read_to_string(repo().join("schemakit.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let systems = config["systems"].as_table().unwrap();
    let mut cases = Vec::new();
    for (name, system) in systems {
        let declared: Vec<String> = system
            .get("expect_failure")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
            .filter(|x| x.get("check").and_then(|c| c.as_str()) == Some("a"))
            .filter_map(|x| x.get("contains").and_then(|c| c.as_str()))
            .map(str::to_string)
            .collect();
        for key in ["migrations", "schema"] {
            let Some(path) = system.get(key).and_then(|p| p.as_str()) else {
                continue;
            };
            cases.push(Case {
                name: format!("{name} ({path})"),
                parsed: schema::parse_path(&repo().join(path)),
                declared: declared.clone(),
            });
        }
    }
    assert!(cases.len() >= 11, "systems are missing from schemakit.toml");
    cases
}

/// Applies a case's canonical DDL statement by statement in one transaction (a savepoint
/// each, so one failure hides no other) and returns the failures: the case, the statement
/// and Postgres's message.
fn apply_canonical(server: &Server, case: &Case) -> Vec<String> {
    let ddl = case.parsed.schema.to_string();
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let mut tx = client.transaction().unwrap();
    let chunks = schema::split::split(&ddl)
        .unwrap_or_else(|e| panic!("{}: the canonical DDL does not split: {e:?}", case.name));
    let mut failures = Vec::new();
    for chunk in chunks {
        let statement = &ddl[chunk.start..chunk.end];
        tx.batch_execute("SAVEPOINT statement").unwrap();
        match tx.batch_execute(statement) {
            Ok(()) => tx.batch_execute("RELEASE SAVEPOINT statement").unwrap(),
            Err(e) => {
                let message = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                failures.push(format!("{}: {message}\n    in: {statement}", case.name));
                tx.batch_execute("ROLLBACK TO SAVEPOINT statement").unwrap();
            }
        }
    }
    failures
}

/// The canonical DDL (`Display for Schema`) of every fixture and every system applies to a
/// real Postgres: types and functions before the tables that need them, functions and
/// views after what they read, every function attribute and body style valid. Models that
/// use pgvector run on `vector`. A system's only allowed failures are the ones it declares
/// for its migrations, and those must happen.
pub fn canonical_ddl_of_every_fixture_and_system_applies(server: &Server, vector: &Server) {
    let mut cases = fixture_cases();
    assert!(cases.len() >= 30, "fixtures are missing: {}", cases.len());
    cases.extend(system_cases());
    let mut unexpected = Vec::new();
    for case in &cases {
        let server = if case.parsed.schema.extensions.contains_key("vector") {
            vector
        } else {
            server
        };
        let failures = apply_canonical(server, case);
        for declared in &case.declared {
            assert!(
                failures.iter().any(|f| f.contains(declared.as_str())),
                "{}: the declared failure `{declared}` did not happen",
                case.name
            );
        }
        unexpected.extend(
            failures
                .into_iter()
                .filter(|f| !case.declared.iter().any(|d| f.contains(d.as_str()))),
        );
    }
    assert!(
        unexpected.is_empty(),
        "canonical DDL that Postgres refuses:\n{}",
        unexpected.join("\n")
    );
}

/// Function attributes, body styles and what functions and views read (among the
/// fixture's own relations and functions) are the same from SQL and from the catalog.
pub fn functions_and_views_read_the_same_from_sql_and_from_the_catalog(server: &Server) {
    let path = repo().join("schema/tests/fixtures/constructs/dependency_order.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = schema::parse_sql("dependency_order.sql", &text).schema;
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    client
        .batch_execute(&text)
        .unwrap_or_else(|e| panic!("{}", verify::Error::db("apply", e)));
    let actual = introspect(&mut client, &[]).unwrap();
    let own = |d: &schema::model::DependsOn| -> Vec<String> {
        d.0.iter()
            .filter(|n| {
                parsed.tables.contains_key(*n)
                    || parsed.views.contains_key(*n)
                    || parsed.functions.keys().any(|k| &k.name == *n)
            })
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        parsed.functions.keys().collect::<Vec<_>>(),
        actual.functions.keys().collect::<Vec<_>>()
    );
    for (key, p) in &parsed.functions {
        let a = &actual.functions[key];
        let attributes = |f: &schema::model::Function| {
            format!(
                "{:?} {:?} strict={} definer={} leakproof={} {:?} cost={:?} rows={:?} {:?} reads {:?}",
                f.body_style,
                f.volatility,
                f.strict,
                f.security_definer,
                f.leakproof,
                f.parallel,
                f.cost,
                f.rows,
                f.config,
                own(&f.depends_on)
            )
        };
        assert_eq!(attributes(p), attributes(a), "function `{}`", key.name);
    }
    for (name, v) in &parsed.views {
        assert_eq!(
            own(&v.depends_on),
            own(&actual.views[name].depends_on),
            "view `{name}`"
        );
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

fn versions(client: &mut postgres::Client, runner: &runner::Runner) -> Vec<String> {
    runner
        .applied(client)
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
    assert_eq!(versions(&mut client, &default), ["001", "002", "003"]);
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
    assert_eq!(versions(&mut client, &default), ["001"]);
    // Renamed after it was applied: `1_a.sql` is still the applied `001`.
    std::fs::rename(dir.join("001_a.sql"), dir.join("1_a.sql")).unwrap();
    let set = read(&dir);
    let status = runner::status(&mut client, &set).unwrap();
    assert!(status.missing.is_empty(), "{:?}", status.missing);
    assert_eq!(status.migrations[0].1, Status::Applied);
    assert_eq!(runner::down(&mut client, &set, None, None).unwrap(), ["1"]);
    assert!(
        versions(&mut client, &default).is_empty(),
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
    assert_eq!(versions(&mut client, &runner), ["001", "002"]);
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
    assert_eq!(versions(&mut client, &runner), ["001", "002", "003"]);
    runner.ignore_missing = true;
    assert_eq!(
        runner.down(&mut client, &set, None, Some(2)).unwrap(),
        ["003", "001"],
        "told to ignore it, down leaves the missing one alone"
    );
    assert_eq!(versions(&mut client, &runner), ["002"]);
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
    let runner = runner::Runner::default();
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
        .resolve(&mut client, "1", runner::Resolution::Applied)
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
            .resolve(&mut client, "02", runner::Resolution::Applied)
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
                .resolve(&mut client, "1", runner::Resolution::Pending)
                .unwrap_err(),
            default.applied(&mut client).unwrap_err(),
        ] {
            let Error::Migrate(runner::MigrateError::ForeignTable { table, found }) = &err else {
                panic!("{tool}: {err}")
            };
            assert_eq!(table, "schema_migrations");
            assert!(found.starts_with("columns version "), "{tool}: {found}");
            assert!(err.to_string().contains("--tracking-table"), "{err}");
        }
        assert_eq!(columns(&mut client, "schema_migrations"), before, "{tool}");
        assert!(!relation_exists(&mut client, "a"), "{tool}");
        let ours = runner::Runner {
            table: runner::TrackingTable::parse("schemakit_migrations").unwrap(),
            ignore_missing: false,
        };
        assert_eq!(
            ours.up(&mut client, &set, None).unwrap(),
            ["001", "002", "003"]
        );
        assert_eq!(versions(&mut client, &ours), ["001", "002", "003"]);
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
    assert!(runner::applied(&mut client).unwrap().is_empty());
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
        fn a_target_version_not_in_the_set_is_refused_and_changes_nothing() {
            common::a_target_version_not_in_the_set_is_refused_and_changes_nothing(server());
        }

        #[test]
        fn target_versions_compare_as_versions_not_as_text() {
            common::target_versions_compare_as_versions_not_as_text(server());
        }

        #[test]
        fn redo_reverts_and_reapplies_only_the_newest_applied() {
            common::redo_reverts_and_reapplies_only_the_newest_applied(server());
        }

        #[test]
        fn an_applied_migration_missing_from_the_set_is_listed_and_refused() {
            common::an_applied_migration_missing_from_the_set_is_listed_and_refused(server());
        }

        #[test]
        fn a_no_transaction_migration_that_fails_part_way_is_marked_failed() {
            common::a_no_transaction_migration_that_fails_part_way_is_marked_failed(server());
        }

        #[test]
        fn a_tracking_table_of_another_tool_is_never_altered() {
            common::a_tracking_table_of_another_tool_is_never_altered(server());
        }

        #[test]
        fn status_writes_nothing() {
            common::status_writes_nothing(server());
        }

        #[test]
        fn introspection_matches_the_parsed_model() {
            common::introspection_matches_the_parsed_model(server());
        }

        #[test]
        fn functions_and_views_read_the_same_from_sql_and_from_the_catalog() {
            common::functions_and_views_read_the_same_from_sql_and_from_the_catalog(server());
        }

        #[test]
        fn canonical_ddl_of_every_fixture_and_system_applies() {
            common::canonical_ddl_of_every_fixture_and_system_applies(server(), vector_server());
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
