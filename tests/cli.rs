//! End-to-end tests of the `schemakit` binary: exit codes, output formats, and the
//! parsed model of each example system as a reviewer reads it.

use std::path::Path;
use std::process::{Command, Output};

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
        stdout.contains(
            "db/plc_coach/migrations/0001_initial_schema.up.sql:66:1: volatile-index-expression"
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
