//! Sets schemakit did not write, read the way their authors' tools read them.

use super::*;

/// A system directory (`db/cira`: `migrations/` and `schema.sql`) given as PATH is read
/// as that system's migrations, by every command that reads a set.
#[test]
fn a_system_directory_is_read_as_its_migrations() {
    let by_dir = schemakit(&["parse", "db/cira"]);
    assert_eq!(by_dir.status.code(), Some(0), "{}", text(&by_dir.stderr));
    let by_set = schemakit(&["parse", "db/cira/migrations"]);
    assert_eq!(text(&by_dir.stdout), text(&by_set.stdout));
    let lint_dir = schemakit(&["lint", "db/cira", "--format", "json"]);
    let lint_set = schemakit(&["lint", "db/cira/migrations", "--format", "json"]);
    assert_eq!(lint_dir.status.code(), lint_set.status.code());
    assert_eq!(
        text(&lint_dir.stdout).matches("\"code\"").count(),
        text(&lint_set.stdout).matches("\"code\"").count(),
        "{}",
        text(&lint_dir.stdout)
    );
}

/// `generate` needs the up scripts only: an error in a down script is reported, and the
/// code is written.
#[test]
fn an_error_in_a_down_script_does_not_stop_generate() {
    let dir = scratch(
        "down-error",
        &[
            (
                "001_jobs.up.sql",
                "CREATE TABLE jobs (id integer PRIMARY KEY);\n",
            ),
            ("001_jobs.down.sql", "DROP TABLE no_such_table;\n"),
        ],
    );
    let out_dir = dir.join("out");
    let out = schemakit(&[
        "generate",
        &dir.display().to_string(),
        "--out",
        &out_dir.display().to_string(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("table `no_such_table` does not exist"),
        "{err}"
    );
    assert!(err.contains("1 error(s) in down scripts"), "{err}");
    assert!(out_dir.join("jobs.rs").is_file(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A goose set with a Go migration is read, and verified, up to it; `verify` says where
/// and why it stopped.
#[test]
fn verify_says_where_a_goose_set_with_go_migrations_stops() {
    let dir = scratch(
        "goose-go",
        &[
            (
                "00001_a.sql",
                "-- +goose Up\nCREATE TABLE a (id integer PRIMARY KEY);\n-- +goose Down\nDROP TABLE a;\n",
            ),
            ("00002_backfill.go", "package migrations\n"),
            (
                "00003_c.sql",
                "-- +goose Up\nCREATE TABLE c (id integer PRIMARY KEY);\n-- +goose Down\nDROP TABLE c;\n",
            ),
        ],
    );
    let out = schemakit(&["verify", &dir.display().to_string(), "--provider", "local"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("goose Go migration 00002")
            && stdout.contains("1 SQL migration(s) after it not read"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
