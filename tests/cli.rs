//! End-to-end tests of the `schemakit` binary: exit codes, output formats, and the
//! parsed model of each example system as a reviewer reads it.

use std::path::Path;
use std::process::{Command, Output};

/// `--tracking` and `tracking =`: the tracking table of the set's tool, or another.
#[path = "cli/tracking.rs"]
mod tracking;

/// Commands that must not hang a test.
#[path = "within/mod.rs"]
mod within;

/// `verify --pg`: every system on each PostgreSQL major, as a matrix.
#[path = "cli/matrix.rs"]
mod matrix;

/// Sets schemakit did not write: system directories as PATH, errors in downs.
#[path = "cli/real_sets.rs"]
mod real_sets;

/// `verify DIR` without a configuration: layouts without downs, and known failures and
/// irreversible migrations declared on the command line.
#[path = "cli/verify_ad_hoc.rs"]
mod verify_ad_hoc;

/// `schemakit diff`: the next migration from schema.sql, proven, then written.
#[path = "cli/diff.rs"]
mod diff;

fn schemakit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemakit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run schemakit: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn parse_prints_each_example_system_and_exits_zero() {
    let mut systems: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("db"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    systems.sort();
    assert_eq!(systems.len(), 5);
    for system in systems {
        let dir = format!("db/{system}/migrations");
        let out = schemakit(&["parse", &dir]);
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
        insta::assert_snapshot!(format!("parse_{system}"), text(&out.stdout));
    }
}

#[test]
fn parse_json_is_one_document_with_model_statements_and_diagnostics() {
    let out = schemakit(&["parse", "db/cost_tracker/migrations", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", text(&out.stdout)));
    let tables = doc["schema"]["tables"].as_array().map_or(0, Vec::len);
    assert_eq!(tables, 4, "cost_tracker's drizzle code defines four tables");
    assert!(doc["statements"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(doc["diagnostics"].is_array());
}

#[test]
fn bad_input_exits_two_with_a_located_diagnostic() {
    let out = schemakit(&["parse", "schema/tests/fixtures/errors/truncated.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("schema/tests/fixtures/errors/truncated.sql:3:13"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_path_exits_two_and_names_the_path() {
    let out = schemakit(&["parse", "no/such/file.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such/file.sql"));
}

#[test]
fn opaque_statements_are_listed_with_locations_and_exit_zero() {
    let out = schemakit(&[
        "parse",
        "schema/tests/fixtures/constructs/opaque_statements.sql",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("opaque_statements.sql:2:1  DO block"),
        "{stdout}"
    );
    assert!(
        stdout.contains("opaque_statements.sql:16:1  GRANT"),
        "{stdout}"
    );
}

#[test]
fn explicit_layout_overrides_detection() {
    let out = schemakit(&[
        "parse",
        "schema/tests/fixtures/layouts/sqlx",
        "--layout",
        "prisma",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = schemakit(&[
        "parse",
        "schema/tests/fixtures/layouts/sqlx",
        "--layout",
        "nonsense",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected one of"));
}

#[test]
fn lint_reports_findings_with_locations_and_exits_one() {
    let out = schemakit(&["lint", "db/plc_coach/migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("volatile-index-expression\n")
            && stdout.contains("╭─[db/plc_coach/migrations/0001_initial_schema.up.sql:66:1]")
            && stdout.contains(
                " 66 │ CREATE INDEX idx_sessions_id ON sessions (id) WHERE expires_at > NOW();"
            ),
        "{stdout}"
    );
    let out = schemakit(&["lint", "db/cost_tracker/migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn lint_writes_github_annotations_and_json() {
    let out = schemakit(&["lint", "db/cira/migrations", "--format", "github"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("::warning file=db/cira/migrations/20250911000000_initial_schema.sql,line=42,col=1,title=duplicate-index::"),
        "{stdout}"
    );
    let out = schemakit(&["lint", "db/cira/migrations", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        doc.as_array()
            .is_some_and(|a| a.iter().any(|f| f["rule"] == "duplicate-index")),
        "{doc}"
    );
}

#[test]
fn lint_rejects_unknown_rules() {
    let out = schemakit(&["lint", "db/cira/migrations", "--disable", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown lint rule `no-such-rule`"));
}

/// A system's `array_elements_not_null` silences `array-null-elements` for the columns it
/// lists, as the generator reads them as `Vec<T>`.
#[test]
fn lint_honours_the_configured_array_elements() {
    let dir = scratch(
        "arrays",
        &[(
            "001_posts.sql",
            "CREATE TABLE posts (id bigint PRIMARY KEY, tags text[] NOT NULL, refs int[]);\n",
        )],
    );
    let config = dir.join("schemakit.toml");
    let write = |listed: &str| {
        std::fs::write(
            &config,
            format!(
                "[systems.blog]\nmigrations = {:?}\narray_elements_not_null = [{listed}]\n",
                dir.display().to_string()
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    };
    let lint = || {
        let config = config.display().to_string();
        let out = schemakit(&["lint", "--config", &config, "--format", "json"]);
        let findings: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
        findings
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["rule"] == "array-null-elements")
                    .count()
            })
            .unwrap_or_default()
    };
    write("");
    assert_eq!(lint(), 2, "both arrays");
    write("\"posts.tags\"");
    assert_eq!(lint(), 1, "only refs");
}

// ----- migrate, against a local cluster ----------------------------------------------

/// The test binary's one local cluster.
fn server() -> &'static verify::Server {
    static SERVER: std::sync::OnceLock<verify::Server> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        verify::Server::local(None)
            .unwrap_or_else(|e| panic!("local binaries are required for these tests: {e}"))
    })
}

/// A fresh database: its name and a connection string for `--database-url`.
fn database() -> (String, String) {
    let server = server();
    let db = server
        .create_database(None)
        .unwrap_or_else(|e| panic!("{e}"));
    let config = server.config();
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres");
    let url = format!("host='{host}' port={port} user='{user}' dbname='{db}'");
    (db, url)
}

fn sql(db: &str, statements: &str) {
    let mut client = server().connect(db).unwrap_or_else(|e| panic!("{e}"));
    client
        .batch_execute(statements)
        .unwrap_or_else(|e| panic!("{statements}: {e}"));
}

fn query(db: &str, statement: &str) -> Vec<String> {
    let mut client = server().connect(db).unwrap_or_else(|e| panic!("{e}"));
    client
        .query(statement, &[])
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A scratch migration directory with the given files.
fn scratch(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("schemakit-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn three(name: &str) -> std::path::PathBuf {
    scratch(
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

fn migrate(url: &str, dir: &Path, args: &[&str]) -> Output {
    let dir = dir.display().to_string();
    let mut all = vec!["migrate", "--dir", &dir, "--database-url", url];
    all.extend_from_slice(args);
    schemakit(&all)
}

/// The first word of the status column of `migrate status`, one entry per migration.
fn states(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| {
            let state = l.get(62..).unwrap_or_default();
            state
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn migrate_to_an_unknown_version_exits_two_and_changes_nothing() {
    let dir = three("unknown-target");
    let (db, url) = database();
    let out = migrate(&url, &dir, &["up", "--to", "9"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("version `9` is not in the migration set"),
        "{}",
        text(&out.stderr)
    );
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(states(&out), ["pending", "pending", "pending"]);
    assert_eq!(
        query(
            &db,
            "SELECT count(*)::text FROM pg_class WHERE relname = 'schema_migrations'"
        ),
        ["0"],
        "neither the refused up nor status creates the tracking table"
    );
    assert_eq!(
        migrate(&url, &dir, &["up", "--to", "2"]).status.code(),
        Some(0)
    );
    let out = migrate(&url, &dir, &["down", "--to", "9"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(states(&out), ["applied", "applied", "pending"]);
}

#[test]
fn migrate_redo_reapplies_only_the_newest_applied_migration() {
    let dir = three("redo");
    let (_, url) = database();
    assert_eq!(
        migrate(&url, &dir, &["up", "--to", "001"]).status.code(),
        Some(0)
    );
    let out = migrate(&url, &dir, &["redo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "reverted 001\napplied 001\n");
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(states(&out), ["applied", "pending", "pending"]);
}

#[test]
fn migrate_status_lists_missing_and_changed_migrations_and_exits_one() {
    let dir = three("missing");
    let (_, url) = database();
    assert_eq!(migrate(&url, &dir, &["up"]).status.code(), Some(0));
    std::fs::remove_file(dir.join("002_b.sql")).unwrap_or_else(|e| panic!("{e}"));
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let line = stdout.lines().nth(1).unwrap_or_default();
    assert!(
        line.starts_with("002 ") && line.contains("MISSING"),
        "{stdout}"
    );
    let out = migrate(&url, &dir, &["down"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--ignore-missing"),
        "{}",
        text(&out.stderr)
    );
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(
        states(&out),
        ["applied", "MISSING", "applied"],
        "down reverted nothing"
    );
    let out = migrate(&url, &dir, &["down", "--ignore-missing"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "reverted 003\n");
    std::fs::write(
        dir.join("001_a.sql"),
        "-- UP\nCREATE TABLE a (id bigint);\n-- DOWN\nDROP TABLE a;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("002_b.sql"),
        "-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("CHANGED since applied"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn migrate_marks_a_failed_no_transaction_migration_until_resolved() {
    let dir = scratch(
        "failed",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int, name text);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            (
                "2_idx.up.sql",
                "-- no-transaction\nCREATE TABLE side_effect (id int);\nCREATE INDEX CONCURRENTLY a_nope_idx ON a (nope);\n",
            ),
            (
                "2_idx.down.sql",
                "-- no-transaction\nDROP INDEX CONCURRENTLY a_nope_idx;\n",
            ),
        ],
    );
    let (db, url) = database();
    // schemakit's own table keeps the failed statement (sqlx's, the layout's default,
    // has no column for it).
    let migrate = |url: &str, dir: &Path, args: &[&str]| {
        let mut all = vec!["--tracking", "schemakit"];
        all.extend_from_slice(args);
        migrate(url, dir, &all)
    };
    let out = migrate(&url, &dir, &["up"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("resolve 2"),
        "{}",
        text(&out.stderr)
    );
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.len() == 4
            && lines[1].starts_with("2 ")
            && lines[1].contains("FAILED part way")
            && lines[2].contains("2_idx.up.sql:3:1: column \"nope\" does not exist")
            && lines[3].contains("statement: CREATE INDEX CONCURRENTLY a_nope_idx"),
        "{stdout}"
    );
    let out = migrate(&url, &dir, &["up"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("marked failed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        query(
            &db,
            "SELECT count(*)::text FROM pg_class WHERE relname = 'side_effect'"
        ),
        ["1"],
        "up refused: the first statement did not run twice"
    );
    // Repaired: the partial work undone by hand, the migration fixed.
    sql(&db, "DROP TABLE side_effect");
    std::fs::write(
        dir.join("2_idx.up.sql"),
        "-- no-transaction\nCREATE TABLE side_effect (id int);\nCREATE INDEX CONCURRENTLY a_nope_idx ON a (name);\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = migrate(&url, &dir, &["resolve", "2", "--as", "pending"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = migrate(&url, &dir, &["resolve", "2", "--as", "pending"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let out = migrate(&url, &dir, &["up"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "applied 2\n");
}

#[test]
fn migrate_refuses_a_tracking_table_of_another_tool_without_altering_it() {
    let dir = three("foreign");
    let (db, url) = database();
    sql(
        &db,
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO schema_migrations VALUES (20240101, false);",
    );
    let columns =
        "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
                   FROM information_schema.columns WHERE table_name = 'schema_migrations'";
    for action in ["status", "up"] {
        let out = migrate(&url, &dir, &[action]);
        assert_eq!(out.status.code(), Some(2), "{action}");
        let stderr = text(&out.stderr);
        assert!(
            stderr
                .contains("table `schema_migrations` exists but is not a schemakit tracking table")
                && stderr.contains("--tracking-table")
                && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
    assert_eq!(query(&db, columns), ["version bigint, dirty boolean"]);
    let out = migrate(
        &url,
        &dir,
        &["--tracking-table", "schemakit_migrations", "up"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = migrate(
        &url,
        &dir,
        &["status", "--tracking-table", "schemakit_migrations"],
    );
    assert_eq!(states(&out), ["applied", "applied", "applied"]);
    assert_eq!(query(&db, columns), ["version bigint, dirty boolean"]);

    // The same choice made once in schemakit.toml, for `migrate --system`.
    let config = dir.join("schemakit.toml");
    std::fs::write(
        &config,
        format!(
            "[systems.app]\nmigrations = {:?}\ntracking_table = \"schemakit_migrations\"\n",
            dir.display().to_string()
        ),
    )
    .unwrap_or_default();
    let config = config.display().to_string();
    let out = schemakit(&[
        "migrate",
        "--config",
        &config,
        "--system",
        "app",
        "--database-url",
        &url,
        "status",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(states(&out), ["applied", "applied", "applied"]);
}

#[test]
fn migrate_help_documents_how_to_clear_a_failed_mark() {
    let out = schemakit(&["migrate", "--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("resolve VERSION --as applied"), "{help}");
    assert!(
        help.contains("--tracking-table") && help.contains("--ignore-missing"),
        "{help}"
    );
}

/// Runs schemakit, failing the test instead of hanging when it does not finish in time.
fn schemakit_within(args: &[&str], seconds: u64) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemakit"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    within::output_within(command, seconds)
}

#[test]
fn diagnostics_on_lines_beyond_65536_columns_render_a_clipped_excerpt() {
    let out = schemakit(&["parse", "schema/tests/fixtures/errors/long_line_note.sql"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("long_line_note.sql:1:65537"), "{err}");
    assert!(err.contains("…"), "the excerpt is clipped: {err}");
    assert!(err.lines().all(|l| l.chars().count() < 200), "{err}");
    let out = schemakit(&["parse", "schema/tests/fixtures/errors/long_line_fuzz_1.sql"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("long_line_fuzz_1.sql:4:91558"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn flyway_names_without_a_version_are_an_error_not_a_panic() {
    let out = schemakit(&[
        "parse",
        "schema/tests/fixtures/flyway_odd_names",
        "--layout",
        "flyway",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`__init.sql` does not fit"), "{err}");
    assert!(err.contains("`Überblick__notes.sql`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn special_files_named_like_migrations_are_skipped_and_listed() {
    let dir = scratch(
        "fifo_migrations",
        &[("001_users.sql", "CREATE TABLE users (id int);\n")],
    );
    let fifo = dir.join("002_pipe.sql");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("cannot run mkfifo: {e}"));
    assert!(made.success());
    let dir = dir.to_string_lossy().into_owned();
    let fifo = fifo.to_string_lossy().into_owned();
    let out = schemakit_within(&["parse", &dir], 60);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(text(&out.stdout).contains("CREATE TABLE users"));
    assert!(err.contains(&format!("{fifo}: skipped: a FIFO")), "{err}");
    let out = schemakit_within(&["lint", &dir], 60);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{fifo}: skipped: a FIFO")), "{err}");
    let out = schemakit_within(&["parse", &fifo], 60);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("a FIFO is not a regular file"), "{err}");
}

#[test]
fn lint_rejects_what_parse_rejects_with_the_same_location() {
    let dir = "schema/tests/fixtures/lint/unparseable";
    let parse = schemakit(&["parse", dir]);
    let lint = schemakit(&["lint", dir]);
    assert_eq!(parse.status.code(), Some(2));
    assert_eq!(lint.status.code(), Some(2), "{}", text(&lint.stdout));
    let place = "unparseable/002_broken.sql:2:14";
    assert!(
        text(&parse.stderr).contains(place),
        "{}",
        text(&parse.stderr)
    );
    assert!(text(&lint.stderr).contains(place), "{}", text(&lint.stderr));
    assert!(text(&lint.stdout).is_empty(), "{}", text(&lint.stdout));
}

#[test]
fn github_annotations_escape_file_names_and_messages() {
    let long = format!(
        "CREATE TABLE \"a\n::error::{}\" (id int);\n",
        "x".repeat(64)
    );
    let dir = scratch(
        "github_escaping",
        &[("001_a\n::error file=x,line=1::pwned.sql", &long)],
    );
    let dir = dir.to_string_lossy().into_owned();
    let out = schemakit(&["lint", &dir, "--format", "github"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.lines().all(|l| l.starts_with("::warning file=")),
        "{stdout}"
    );
    assert!(
        stdout.contains("001_a%0A%3A%3Aerror file=x%2Cline=1%3A%3Apwned.sql,line=1,col="),
        "{stdout}"
    );
    assert!(stdout.contains("`a%0A::error::xxx"), "{stdout}");
}

// ----- one colour policy -------------------------------------------------------------

/// Runs schemakit with `NO_COLOR` as given (unset with `None`), output into pipes.
fn schemakit_no_color(args: &[&str], no_color: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemakit"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run schemakit: {e}"))
}

/// Runs schemakit on a pseudo-terminal (util-linux `script`), so that `auto` sees a
/// terminal; returns what the terminal showed (stdout and stderr together).
fn schemakit_on_terminal(args: &[&str], no_color: Option<&str>) -> String {
    let mut line = sh_word(env!("CARGO_BIN_EXE_schemakit"));
    for a in args {
        line.push(' ');
        line.push_str(&sh_word(a));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null());
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run script (util-linux): {e}"));
    text(&out.stdout)
}

fn sh_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

const ESC: &str = "\x1b[";
const BAD_SQL: &str = "schema/tests/fixtures/errors/truncated.sql";

#[test]
fn color_always_paints_diagnostics_into_a_pipe_and_overrules_no_color() {
    let out = schemakit_no_color(&["parse", BAD_SQL, "--color", "always"], Some("1"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(ESC), "{}", text(&out.stderr));
    let out = schemakit_no_color(
        &[
            "--color=always",
            "lint",
            "schema/tests/fixtures/lint/unparseable",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(ESC), "{}", text(&out.stderr));
}

#[test]
fn auto_and_never_leave_a_pipe_plain() {
    for args in [
        &["parse", BAD_SQL][..],
        &["parse", BAD_SQL, "--color", "auto"],
        &["parse", BAD_SQL, "--color", "never"],
    ] {
        let out = schemakit_no_color(args, None);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(!err.contains(ESC), "{args:?}: {err}");
        assert!(err.contains("truncated.sql:3:13"), "{args:?}: {err}");
    }
}

#[test]
fn on_a_terminal_auto_paints_unless_no_color_is_set_or_color_is_never() {
    let shown = schemakit_on_terminal(&["parse", BAD_SQL], None);
    assert!(shown.contains("truncated.sql:3:13"), "{shown}");
    assert!(shown.contains(ESC), "auto on a terminal paints: {shown}");
    // NO_COLOR counts when set and not empty.
    let shown = schemakit_on_terminal(&["parse", BAD_SQL], Some(""));
    assert!(shown.contains(ESC), "an empty NO_COLOR is unset: {shown}");
    let shown = schemakit_on_terminal(&["parse", BAD_SQL], Some("1"));
    assert!(shown.contains("truncated.sql:3:13"), "{shown}");
    assert!(!shown.contains(ESC), "NO_COLOR: {shown}");
    let shown = schemakit_on_terminal(&["parse", BAD_SQL, "--color", "never"], None);
    assert!(!shown.contains(ESC), "--color never: {shown}");
}

#[test]
fn verify_paints_its_report_only_when_the_policy_says_so() {
    let dir = three("verify-color");
    let dir = dir.to_string_lossy().into_owned();
    let (_, url) = database();
    let run = |color: &str| {
        let out = schemakit(&[
            "verify",
            &dir,
            "--provider",
            "url",
            "--database-url",
            &url,
            "--color",
            color,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        text(&out.stdout)
    };
    let painted = run("always");
    assert!(painted.contains("\x1b[32m✓\x1b[0m a "), "{painted}");
    let plain = run("never");
    assert!(plain.contains("  ✓ a ") && !plain.contains(ESC), "{plain}");
}

#[test]
fn usage_errors_follow_the_color_option_too() {
    let out = schemakit_no_color(&["--color", "never", "parse", "--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains(ESC), "{}", text(&out.stderr));
    let out = schemakit_no_color(&["--color", "always", "parse", "--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(ESC), "{}", text(&out.stderr));
}

// ----- the same input options on every command that reads migrations ---------------

#[test]
fn every_command_that_reads_migrations_takes_path_system_layout_and_config() {
    for command in ["parse", "generate", "check", "verify", "migrate", "lint"] {
        let out = schemakit(&[command, "--help"]);
        let help = text(&out.stdout);
        for option in [
            "[PATH]",
            "--system <SYSTEM>",
            "--layout <LAYOUT>",
            "--config <CONFIG>",
            "--color <COLOR>",
        ] {
            assert!(
                help.contains(option),
                "{command} --help lacks {option}:\n{help}"
            );
        }
    }
}

#[test]
fn layout_is_honoured_by_every_command_before_anything_runs() {
    let sqlx = "schema/tests/fixtures/layouts/sqlx";
    let out_dir =
        std::env::temp_dir().join(format!("schemakit-cli-{}-layout-out", std::process::id()));
    let out_dir = out_dir.to_string_lossy().into_owned();
    for args in [
        &["parse", sqlx][..],
        &["lint", sqlx],
        &["generate", sqlx, "--out", &out_dir],
        &["check", sqlx, "--out", &out_dir],
        &[
            "verify",
            sqlx,
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ],
        &[
            "migrate",
            sqlx,
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "status",
        ],
    ] {
        let mut args = args.to_vec();
        args.extend(["--layout", "prisma"]);
        let out = schemakit(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            !err.contains("cannot connect"),
            "{args:?} read the set first: {err}"
        );
    }
    assert!(!Path::new(&out_dir).exists(), "generate wrote nothing");
}

#[test]
fn system_selects_the_same_input_as_its_path() {
    let by_path = schemakit(&["parse", "db/cira/migrations"]);
    let by_system = schemakit(&["parse", "--system", "cira"]);
    assert_eq!(
        by_system.status.code(),
        Some(0),
        "{}",
        text(&by_system.stderr)
    );
    assert_eq!(text(&by_path.stdout), text(&by_system.stdout));
    let by_path = schemakit(&["lint", "db/plc_coach/migrations", "--format", "json"]);
    let by_system = schemakit(&["lint", "--system", "plc_coach", "--format", "json"]);
    assert_eq!(by_system.status.code(), Some(1));
    assert_eq!(text(&by_path.stdout), text(&by_system.stdout));
    // check with a PATH compares the same module that the system generates.
    let out = schemakit(&[
        "check",
        "db/cira/migrations",
        "--out",
        "generated/src/cira",
        "--module",
        "cira",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = schemakit(&["parse", "db/cira/migrations", "--system", "cira"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "PATH and --system exclude each other"
    );
}

#[test]
fn config_names_the_systems_of_every_command() {
    let dir = scratch(
        "config",
        &[(
            "schemakit.toml",
            "[generate]\nout = \"gen\"\n[systems.tiny]\nmigrations = \"migrations\"\n",
        )],
    );
    std::fs::create_dir_all(dir.join("migrations")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("migrations/001_t.sql"),
        "-- UP\nCREATE TABLE t (id int PRIMARY KEY, note varchar(10));\n-- DOWN\nDROP TABLE t;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.join("schemakit.toml").to_string_lossy().into_owned();
    let out = schemakit(&["parse", "--config", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("CREATE TABLE t ("),
        "{}",
        text(&out.stdout)
    );
    let out = schemakit(&[
        "lint",
        "--config",
        &config,
        "--system",
        "tiny",
        "--enable",
        "prefer-text",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("prefer-text\n") && text(&out.stdout).contains("001_t.sql:2:1]"),
        "{}",
        text(&out.stdout)
    );
    let out = schemakit(&["check", "--config", &config]);
    assert_eq!(out.status.code(), Some(1), "nothing generated yet");
    let out = schemakit(&["generate", "--config", &config]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.join("gen/tiny/t.rs").is_file());
    let out = schemakit(&["check", "--config", &config, "--system", "tiny"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let (_, url) = database();
    let out = schemakit(&[
        "migrate",
        "--config",
        &config,
        "--system",
        "tiny",
        "--database-url",
        &url,
        "up",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "applied 001\n");
}

#[test]
fn migrate_takes_the_set_as_a_path_and_still_as_dir() {
    let dir = three("positional");
    let path = dir.to_string_lossy().into_owned();
    let (_, url) = database();
    let out = schemakit(&["migrate", &path, "--database-url", &url, "up", "--to", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "applied 001\n");
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(states(&out), ["applied", "pending", "pending"]);
    let out = schemakit(&["migrate", &path, &path, "--database-url", &url, "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("migrate takes one PATH"),
        "{}",
        text(&out.stderr)
    );
}
