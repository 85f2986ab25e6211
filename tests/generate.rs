//! `schemakit generate` and `schemakit check` end to end, on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn schemakit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemakit"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run schemakit: {e}"))
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemakit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

#[test]
fn the_checked_in_generated_crate_is_up_to_date() {
    let out = schemakit(repo(), &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "generated/ is stale; run `cargo run -- generate`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_fails_after_a_one_character_ddl_edit_and_passes_after_generate() {
    let dir = scratch("check");
    let ddl = std::fs::read_to_string(repo().join("db/cira/schema.sql")).unwrap_or_default();
    assert!(
        ddl.contains("VARCHAR(50)"),
        "the fixture edit needs `VARCHAR(50)` in cira's schema.sql"
    );
    std::fs::write(dir.join("schema.sql"), &ddl).unwrap_or_default();
    std::fs::write(
        dir.join("schemakit.toml"),
        "[generate]\nout = \"out/src\"\n\n[systems.cira]\nschema = \"schema.sql\"\n",
    )
    .unwrap_or_default();

    assert_eq!(schemakit(&dir, &["generate"]).status.code(), Some(0));
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));

    // One character: the column becomes nullable-free text → a different Rust doc and SQL.
    std::fs::write(
        dir.join("schema.sql"),
        ddl.replacen("VARCHAR(50)", "VARCHAR(51)", 1),
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-    /// Column `jobs.client_id`: `character varying(50)`"),
        "{diff}"
    );
    assert!(
        diff.contains("+    /// Column `jobs.client_id`: `character varying(51)`"),
        "{diff}"
    );

    assert_eq!(schemakit(&dir, &["generate"]).status.code(), Some(0));
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));

    // A table that disappears takes its file with it.
    let ddl = std::fs::read_to_string(dir.join("schema.sql")).unwrap_or_default();
    let trimmed = ddl.replace(
        "CREATE INDEX idx_job_results_job_id ON job_results(job_id);",
        "",
    ) + "\nDROP TABLE job_results;\n";
    std::fs::write(dir.join("schema.sql"), trimmed).unwrap_or_default();
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(1));
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("out/src/cira/job_results.rs").exists());
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_from_a_path_needs_no_config() {
    let dir = scratch("single");
    let out_dir = dir.join("cira");
    let ddl = repo().join("db/cira/schema.sql");
    let out = schemakit(
        &dir,
        &[
            "generate",
            &ddl.to_string_lossy(),
            "--out",
            &out_dir.to_string_lossy(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("mod.rs").is_file());
    assert!(out_dir.join("jobs.rs").is_file());
    assert!(out_dir.join("enums.rs").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unmapped_type_exits_two_and_says_how_to_map_it() {
    let dir = scratch("unmapped");
    std::fs::write(
        dir.join("odd.sql"),
        "CREATE TABLE odd (id integer PRIMARY KEY, span interval);\n",
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["generate", "odd.sql", "--out", "odd"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("column `span` has type `interval`"), "{err}");
    assert!(err.contains("schemakit.toml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
