//! `migrate` and `verify` record runs in the set's own tool's tracking table unless
//! `--tracking FORMAT` (or `tracking =` in schemakit.toml) says otherwise.

use super::{database, migrate, query, schemakit, scratch, sql, states, text};

/// Three reversible migrations `1_a` … `3_c` in sqlx's (and golang-migrate's) layout.
fn sqlx_three(name: &str) -> std::path::PathBuf {
    scratch(
        name,
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            ("2_b.up.sql", "CREATE TABLE b (id int);\n"),
            ("2_b.down.sql", "DROP TABLE b;\n"),
            ("3_c.up.sql", "CREATE TABLE c (id int);\n"),
            ("3_c.down.sql", "DROP TABLE c;\n"),
        ],
    )
}

#[test]
fn migrate_tracking_takes_over_a_golang_migrate_database() {
    let dir = sqlx_three("golang-migrate");
    let (db, url) = database();
    sql(
        &db,
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);
         INSERT INTO schema_migrations VALUES (1, false);
         CREATE TABLE a (id int);",
    );
    // sqlx's files default to sqlx's table, which is not there: nothing applied yet.
    let out = migrate(&url, &dir, &["status"]);
    assert_eq!(states(&out), ["pending", "pending", "pending"]);
    let out = migrate(&url, &dir, &["--tracking", "golang-migrate", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(states(&out), ["applied", "pending", "pending"]);
    let out = migrate(&url, &dir, &["up", "--tracking", "golang-migrate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "applied 2\napplied 3\n");
    assert_eq!(
        query(&db, "SELECT version || ' ' || dirty FROM schema_migrations"),
        ["3 false"],
        "golang-migrate's one row, as golang-migrate writes it"
    );
    // The same choice made once in schemakit.toml.
    let config = dir.join("schemakit.toml");
    std::fs::write(
        &config,
        format!(
            "[systems.app]\nmigrations = {:?}\ntracking = \"golang-migrate\"\n",
            dir.display().to_string()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.display().to_string();
    let out = schemakit(&[
        "migrate",
        "--config",
        &config,
        "--system",
        "app",
        "--database-url",
        &url,
        "down",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "reverted 3\n");
    assert_eq!(
        query(&db, "SELECT version || ' ' || dirty FROM schema_migrations"),
        ["2 false"]
    );
    // An unknown format is a usage error that lists the formats.
    let out = migrate(&url, &dir, &["--tracking", "liquibase", "status"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unknown tracking format `liquibase`")
            && stderr.contains("golang-migrate")
            && stderr.contains("drizzle"),
        "{stderr}"
    );
}

#[test]
fn verify_records_in_the_sets_own_tools_table_unless_told_otherwise() {
    // A set that retires a legacy `schema_migrations` (schemakit's own table's name).
    let dir = scratch(
        "verify-tracking",
        &[
            (
                "1_retire.up.sql",
                "DROP TABLE IF EXISTS schema_migrations;\nCREATE TABLE a (id int);\n",
            ),
            ("1_retire.down.sql", "DROP TABLE a;\n"),
        ],
    );
    let dir = dir.to_string_lossy().into_owned();
    let (_, url) = database();
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", &dir, "--provider", "url", "--database-url", &url];
        args.extend_from_slice(extra);
        schemakit(&args)
    };
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = verify(&["--tracking", "schemakit"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("dropped or renamed the tracking table `schema_migrations`")
            && stdout.contains("--tracking FORMAT"),
        "{stdout}"
    );
    let out = verify(&[
        "--tracking",
        "schemakit",
        "--tracking-table",
        "schemakit_runs",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
