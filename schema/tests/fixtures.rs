//! Data-driven fixtures: every `.sql` file under `fixtures/constructs` and
//! `fixtures/errors`, and every directory under `fixtures/layouts`, is parsed and its
//! rendering compared with a snapshot. The example systems in `db/` are snapshotted too.

use std::fmt::Write;
use std::path::Path;

use schema::migrations::MigrationSet;
use schema::{Parsed, diagnostic};

/// The model as canonical DDL, the statements kept verbatim, and the diagnostics
/// rendered without colour: what a reviewer reads.
fn render(parsed: &Parsed) -> String {
    let mut out = parsed.schema.to_string();
    out.push_str(&parsed.opaque_listing());
    out.push_str("\n-- diagnostics:\n");
    out.push_str(&diagnostic::render_plain(&parsed.diagnostics));
    out
}

fn render_set(set: &MigrationSet) -> String {
    let mut out = format!("layout: {}\n", set.layout);
    for m in &set.migrations {
        let _ = writeln!(
            out,
            "{} {:?} up={}:{} down={} no_transaction={}",
            m.version,
            m.name,
            m.up.source.path,
            m.up.first_line(),
            m.down.as_ref().map_or("-".to_string(), |d| format!(
                "{}:{}",
                d.source.path,
                d.first_line()
            )),
            m.no_transaction
        );
    }
    out.push('\n');
    out + &render(&set.fold_up())
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn constructs() {
    insta::glob!("fixtures/constructs/*.sql", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let parsed = schema::parse_sql(&relative(path), &text);
        insta::assert_snapshot!(render(&parsed));
    });
}

#[test]
fn bad_input_gives_located_diagnostics_and_never_panics() {
    insta::glob!("fixtures/errors/*.sql", |path| {
        let rel = relative(path);
        let parsed = std::panic::catch_unwind(|| schema::parse_path(Path::new(&rel)));
        let Ok(parsed) = parsed else {
            panic!("parsing {rel} panicked");
        };
        assert!(
            !parsed.diagnostics.is_empty(),
            "{rel}: bad input must produce a diagnostic"
        );
        insta::assert_snapshot!(render(&parsed));
    });
}

#[test]
fn migration_layouts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "layout fixtures are missing");
    for case in cases {
        let rel = relative(&case);
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = match MigrationSet::read(Path::new(&rel), None) {
            Ok(set) => render_set(&set),
            Err(diags) => format!("error\n\n{}", diagnostic::render_plain(&diags)),
        };
        insta::assert_snapshot!(format!("layout_{name}"), out);
    }
}

/// Flyway names are `V<version>__<name>.sql`; any other name, whatever its first
/// character, is reported, never sliced in the middle of a character.
#[test]
fn flyway_names_that_do_not_fit_are_reported() {
    let out = match MigrationSet::read(
        Path::new("tests/fixtures/flyway_odd_names"),
        Some(schema::Layout::Flyway),
    ) {
        Ok(set) => render_set(&set),
        Err(diags) => format!("error\n\n{}", diagnostic::render_plain(&diags)),
    };
    insta::assert_snapshot!(out);
}

/// What `parse` rejects, `lint` rejects: the same error at the same place.
#[test]
fn lint_rejects_what_parse_rejects() {
    let dir = Path::new("tests/fixtures/lint/unparseable");
    let set = MigrationSet::read(dir, None)
        .unwrap_or_else(|d| panic!("{}", diagnostic::render_plain(&d)));
    let parsed = set.fold_up();
    let linted = schema::lint::lint(&set, &schema::lint::Options::default());
    assert!(parsed.has_errors() && linted.has_errors());
    let errors = |d: &[schema::Diagnostic]| {
        let errors: Vec<_> = d.iter().filter(|d| d.is_error()).cloned().collect();
        diagnostic::render_plain(&errors)
    };
    assert_eq!(errors(&linted.diagnostics), errors(&parsed.diagnostics));
}

#[test]
fn diesel_mixed_version_styles_sort_by_digits_with_transaction_flags() {
    let set = MigrationSet::read(Path::new("tests/fixtures/layouts/diesel"), None)
        .unwrap_or_else(|d| panic!("{}", diagnostic::render_plain(&d)));
    let order: Vec<(&str, bool)> = set
        .migrations
        .iter()
        .map(|m| (m.version.text.as_str(), m.no_transaction))
        .collect();
    assert_eq!(
        order,
        [
            ("00000000000000", false),
            ("2017-09-23-182408", false),
            ("20170923182500", true),
            ("2017-09-24-000000", false),
        ]
    );
}

fn example_systems() -> Vec<(String, std::path::PathBuf)> {
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("../db");
    let mut systems: Vec<_> = std::fs::read_dir(&db)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    systems.sort();
    systems
}

#[test]
fn example_systems_parse() {
    let systems = example_systems();
    assert_eq!(systems.len(), 5, "expected the five example systems in db/");
    for (name, dir) in systems {
        let migrations = dir.join("migrations");
        let display = format!("db/{name}/migrations");
        let set = MigrationSet::read(&migrations, None)
            .unwrap_or_else(|d| panic!("{}", diagnostic::render_plain(&d)));
        let set = MigrationSet {
            dir: display.into(),
            ..set
        };
        let text = render_set(&set).replace(&*dir.to_string_lossy(), &format!("db/{name}"));
        insta::assert_snapshot!(format!("system_{name}"), text);
    }
}

/// Model → canonical DDL → parse gives the same model, for every fixture and system.
#[test]
fn canonical_ddl_round_trips_to_the_same_model() {
    let mut inputs: Vec<(String, Parsed)> = Vec::new();
    let constructs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/constructs");
    for entry in std::fs::read_dir(constructs)
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        inputs.push((
            relative(&entry.path()),
            schema::parse_sql("input.sql", &text),
        ));
    }
    for (name, dir) in example_systems() {
        inputs.push((name, schema::parse_path(&dir.join("migrations"))));
        inputs.push((
            format!("{}/schema.sql", dir.display()),
            schema::parse_path(&dir.join("schema.sql")),
        ));
    }
    assert!(inputs.len() > 10);
    for (name, first) in inputs {
        let ddl = first.schema.to_string();
        let second = schema::parse_sql("canonical.sql", &ddl);
        let errors: Vec<_> = second.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(
            errors.is_empty(),
            "{name}: canonical DDL does not parse cleanly:\n{}\n{ddl}",
            diagnostic::render_plain(&second.diagnostics)
        );
        assert_eq!(
            first.schema, second.schema,
            "{name}: the model changed through canonical DDL:\n{ddl}"
        );
    }
}

/// Lint fixtures: each directory under `fixtures/lint` is a migration set; its findings
/// (all rules on, including the ones off by default) are the snapshot.
#[test]
fn lint_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3);
    let opts = schema::lint::Options {
        enable: ["prefer-text", "timestamp-without-time-zone"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ..Default::default()
    };
    for case in cases {
        let rel = relative(&case);
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let set = MigrationSet::read(Path::new(&rel), None)
            .unwrap_or_else(|d| panic!("{}", diagnostic::render_plain(&d)));
        let mut out = String::new();
        let linted = schema::lint::lint(&set, &opts);
        for f in &linted.findings {
            let _ = writeln!(
                out,
                "{}: {}: {}\n  help: {}",
                f.loc, f.rule, f.message, f.help
            );
        }
        if !linted.diagnostics.is_empty() {
            out.push_str("\n-- diagnostics:\n");
            out.push_str(&diagnostic::render_plain(&linted.diagnostics));
        }
        insta::assert_snapshot!(format!("lint_{name}"), out);
    }
}

#[test]
fn lint_finds_the_example_systems_documented_defects() {
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("../db");
    let lint = |system: &str| -> Vec<(String, u32)> {
        let set = MigrationSet::read(&db.join(system).join("migrations"), None)
            .unwrap_or_else(|d| panic!("{}", diagnostic::render_plain(&d)));
        schema::lint::lint(&set, &schema::lint::Options::default())
            .findings
            .into_iter()
            .map(|f| (f.rule.to_string(), f.loc.line))
            .collect()
    };
    let has = |found: &[(String, u32)], rule: &str, line: u32| {
        found.iter().any(|(r, l)| r == rule && *l == line)
    };
    let usa = lint("user_story_agent");
    assert!(has(&usa, "foreign-key-without-on-delete", 41), "{usa:?}");
    assert!(has(&usa, "unindexed-foreign-key", 32), "{usa:?}");
    assert!(has(&usa, "array-null-elements", 18), "{usa:?}");
    let cira = lint("cira");
    assert!(has(&cira, "duplicate-index", 42), "{cira:?}");
    let plc = lint("plc_coach");
    assert!(has(&plc, "volatile-index-expression", 66), "{plc:?}");
}
