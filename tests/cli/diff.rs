//! `schemakit diff` end to end on a scratch system directory (a sqlx set and a
//! schema.sql that adds a table, a column and an index): `--check` finds the migration
//! missing, `--print` shows it, a real run proves it on a local cluster and writes the
//! pair, after which `--check` finds nothing; destructive changes and renames are refused
//! unless said, and a migration Postgres refuses is not written.

use std::path::{Path, PathBuf};

use super::{schemakit, text};

const JOBS_UP: &str = "CREATE TABLE jobs (id bigint PRIMARY KEY, title text NOT NULL);\n";
const JOBS_DOWN: &str = "DROP TABLE jobs;\n";
const SCHEMA: &str = "CREATE TABLE jobs (id bigint PRIMARY KEY, title text NOT NULL, priority integer NOT NULL DEFAULT 0);\n\
                      CREATE INDEX jobs_priority_idx ON jobs (priority);\n\
                      CREATE TABLE runs (id bigint PRIMARY KEY, job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE);\n\
                      CREATE INDEX runs_job_id_idx ON runs (job_id);\n";

/// A system directory: `migrations/` with one sqlx pair creating `jobs`, and `schema.sql`.
fn system(name: &str, schema_sql: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("schemakit-cli-{}-diff-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap_or_else(|e| panic!("{e}"));
    for (file, text) in [
        ("20240101000000_jobs.up.sql", JOBS_UP),
        ("20240101000000_jobs.down.sql", JOBS_DOWN),
    ] {
        std::fs::write(migrations.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dir.join("schema.sql"), schema_sql).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// The files of the set, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("migrations"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `schemakit diff DIR args…`: the exit code, stdout and stderr.
fn diff(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = dir.to_string_lossy();
    let mut all = vec!["diff", &dir];
    all.extend_from_slice(args);
    let out = schemakit(&all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn check_finds_the_missing_migration_and_writes_nothing() {
    let dir = system("check", SCHEMA);
    let before = files(&dir);
    let (code, out, err) = diff(&dir, &["--check"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("a migration is needed")
            && out.contains("table `public.runs` added")
            && out.contains("column `public.jobs.priority` added")
            && out.contains("index `public.jobs_priority_idx` added"),
        "{out}"
    );
    assert_eq!(files(&dir), before);
}

#[test]
fn print_shows_the_up_and_down_scripts_and_writes_nothing() {
    let dir = system("print", SCHEMA);
    let before = files(&dir);
    let (code, out, err) = diff(&dir, &["--print"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (up, down) = out
        .split_once("-- down")
        .unwrap_or_else(|| panic!("no down script: {out}"));
    assert!(
        up.starts_with("-- up (runs outside a transaction)\n"),
        "{out}"
    );
    for statement in [
        "CREATE TABLE runs (",
        "ALTER TABLE jobs ADD COLUMN priority integer NOT NULL DEFAULT 0;",
        "CREATE INDEX CONCURRENTLY jobs_priority_idx ON jobs USING btree (priority);",
    ] {
        assert!(up.contains(statement), "{statement}: {out}");
    }
    for statement in [
        "DROP TABLE runs;",
        "ALTER TABLE jobs DROP COLUMN priority;",
        "DROP INDEX CONCURRENTLY jobs_priority_idx;",
    ] {
        assert!(down.contains(statement), "{statement}: {out}");
    }
    assert_eq!(files(&dir), before);
}

#[test]
fn a_proven_migration_is_written_and_the_diff_is_then_complete() {
    let dir = system("write", SCHEMA);
    let (code, out, err) = diff(&dir, &["--provider", "local", "--name", "add_runs"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("✓ the set with the new up builds the catalog schema.sql builds")
            && out.contains("✓ the new down restores the catalog from before the up"),
        "{out}"
    );
    let written = files(&dir);
    assert_eq!(written.len(), 4, "{written:?}");
    let up = written
        .iter()
        .find(|f| f.ends_with("_add_runs.up.sql"))
        .unwrap_or_else(|| panic!("{written:?}"));
    let version = up.trim_end_matches("_add_runs.up.sql");
    assert!(
        version.len() == 14 && version > "20240101000000",
        "a timestamp after the set's last: {version}"
    );
    assert!(
        written.contains(&format!("{version}_add_runs.down.sql")),
        "{written:?}"
    );
    assert!(
        out.contains(&format!(
            "wrote {}",
            dir.join("migrations").join(up).display()
        )),
        "{out}"
    );
    let up_text =
        std::fs::read_to_string(dir.join("migrations").join(up)).unwrap_or_else(|e| panic!("{e}"));
    assert!(up_text.starts_with("-- no-transaction\n"), "{up_text}");
    // The diff is complete and idempotent.
    let (code, out, err) = diff(&dir, &["--check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("nothing to do"), "{out}");
    // And the set verifies: every up applies, every down restores.
    let dir_text = dir.to_string_lossy();
    let out = schemakit(&["verify", &dir_text, "--provider", "local"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn a_dropped_column_is_refused_unless_destructive_changes_are_allowed() {
    let dir = system(
        "destructive",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, title text NOT NULL);\n",
    );
    for (file, text) in [
        (
            "20240102000000_note.up.sql",
            "ALTER TABLE jobs ADD COLUMN note text;\n",
        ),
        (
            "20240102000000_note.down.sql",
            "ALTER TABLE jobs DROP COLUMN note;\n",
        ),
    ] {
        std::fs::write(dir.join("migrations").join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let before = files(&dir);
    for args in [&["--check"][..], &["--print"], &["--no-verify"]] {
        let (code, out, err) = diff(&dir, args);
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(
            err.contains("column `public.jobs.note` removed")
                && err.contains("--allow-destructive"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(files(&dir), before);
    let (code, out, err) = diff(&dir, &["--print", "--allow-destructive"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("ALTER TABLE jobs DROP COLUMN note;")
            && out.contains("ALTER TABLE jobs ADD COLUMN note text;"),
        "{out}"
    );
}

#[test]
fn a_renamed_column_is_a_rename_only_when_said() {
    let dir = system(
        "rename",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, name text NOT NULL);\n",
    );
    let (code, _, err) = diff(&dir, &["--print"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--rename TABLE.OLD=NEW"), "{err}");
    let (code, out, err) = diff(&dir, &["--print", "--rename", "jobs.title=name"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("ALTER TABLE jobs RENAME COLUMN title TO name;")
            && out.contains("ALTER TABLE jobs RENAME COLUMN name TO title;"),
        "{out}"
    );
    let (code, _, err) = diff(&dir, &["--print", "--rename", "jobs=name"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn a_migration_postgres_refuses_is_not_written() {
    let dir = system(
        "unproven",
        &format!(
            "{JOBS_UP}CREATE FUNCTION job_total() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM no_such_table';\n"
        ),
    );
    let before = files(&dir);
    let (code, out, err) = diff(&dir, &["--provider", "local"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("not proven: the new up applies after them")
            && err.contains("relation \"no_such_table\" does not exist")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(files(&dir), before);
    // --no-verify writes it, and says loudly that it is not proven.
    let (code, out, err) = diff(&dir, &["--no-verify"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("NOT proven"), "{err}");
    assert_eq!(files(&dir).len(), before.len() + 2);
}

/// A rename said once for a system in schemakit.toml (`[systems.<name>.diff] renames`).
#[test]
fn a_rename_can_be_said_in_schemakit_toml() {
    let dir = system(
        "rename-config",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, name text NOT NULL);\n",
    );
    std::fs::write(
        dir.join("schemakit.toml"),
        "[systems.app]\nmigrations = \"migrations\"\nschema = \"schema.sql\"\n\n[systems.app.diff]\nrenames = [\"jobs.title=name\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.join("schemakit.toml").to_string_lossy().into_owned();
    let out = schemakit(&["diff", "--config", &config, "--system", "app", "--print"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("ALTER TABLE jobs RENAME COLUMN title TO name;"),
        "{stdout}"
    );
}
