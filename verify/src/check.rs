//! `schemakit verify`'s checks for one system, each on its own fresh database:
//!
//! - a. every up migration applies;
//! - b. the catalog equals the parsed model in everything codegen depends on (other
//!   differences are listed after normalizing the parsed model through Postgres);
//! - c. step-wise round trip: each down restores the catalog its up started from;
//! - d. the canonical `schema.sql` builds the same catalog as the migrations;
//! - e. the catalog equals its checked-in snapshot.

use std::path::{Path, PathBuf};
use std::time::Instant;

use schema::migrations::{MigrationSet, Script};
use schema::model::{ConstraintKind, QualifiedName, Schema};
use schema::{Parsed, SourceFile};

use crate::introspect::introspect;
use crate::runner::{self, TRACKING_TABLE};
use crate::{Error, Server};

/// A failure a system declares as known (a defect kept on purpose): the check it
/// happens in and a piece of its message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpectedFailure {
    /// `a` … `e`.
    pub check: String,
    /// Text the failure must contain.
    pub contains: String,
    /// Why it is expected (shown in the report).
    #[serde(default)]
    pub reason: String,
}

/// What to verify for one system.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The system's name.
    pub name: String,
    /// Its migrations.
    pub set: MigrationSet,
    /// Its canonical DDL, when it has one.
    pub schema_sql: Option<PathBuf>,
    /// Its snapshot file (insta format), when it has one.
    pub snapshot: Option<PathBuf>,
    /// Migrations without a down script are allowed (Prisma, drizzle, forward-only sets).
    pub allow_irreversible: bool,
    /// Known failures.
    pub expected: Vec<ExpectedFailure>,
    /// Rewrite the snapshot instead of comparing.
    pub update_snapshot: bool,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "details")]
pub enum Outcome {
    /// It passed.
    Pass,
    /// It passed, with notes (differences that do not fail the check).
    PassWithNotes(Vec<String>),
    /// It failed, with what was found.
    Fail(Vec<String>),
    /// It could not run, and why.
    NotRun(String),
}

/// One check's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckResult {
    /// `a` … `e`.
    pub id: &'static str,
    /// What the check does.
    pub title: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// The declared expectation this result matched (a known failure), if any.
    pub expected: Option<ExpectedFailure>,
    /// A declared expected failure that did not happen: itself a failure.
    pub expectation_unmet: Option<ExpectedFailure>,
    /// Milliseconds taken.
    pub millis: u128,
}

impl CheckResult {
    /// Whether this result makes the run fail.
    pub fn is_failure(&self) -> bool {
        self.expectation_unmet.is_some()
            || (matches!(self.outcome, Outcome::Fail(_)) && self.expected.is_none())
    }
}

/// All checks of one system.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The system.
    pub system: String,
    /// The checks, a to e.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Whether any check failed (declared failures aside).
    pub fn failed(&self) -> bool {
        self.checks.iter().any(CheckResult::is_failure)
    }
}

fn tracking() -> QualifiedName {
    QualifiedName::public(TRACKING_TABLE)
}

/// Applies every statement of a SQL file in one transaction.
fn apply_file(server: &Server, db: &str, source: &SourceFile) -> Result<(), Error> {
    let source = std::sync::Arc::new(source.clone());
    let script = Script {
        source: source.clone(),
        start: 0,
        end: source.text.len(),
    };
    let mut client = server.connect(db)?;
    let mut tx = client
        .transaction()
        .map_err(|e| Error::db("cannot begin", e))?;
    runner::run_statements(&mut tx, &script)?;
    tx.commit().map_err(|e| Error::db("cannot commit", e))
}

fn catalog(server: &Server, db: &str) -> Result<Schema, Error> {
    let mut client = server.connect(db)?;
    introspect(&mut client, &[tracking()])
}

/// A unified diff of two renderings, `-` expected and `+` actual, two lines of context.
pub fn diff_text(
    expected: &str,
    actual: &str,
    expected_name: &str,
    actual_name: &str,
) -> Vec<String> {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header(expected_name, actual_name)
        .to_string()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Everything codegen depends on, compared: column types, nullability, has-default,
/// identity and generated columns, primary, unique and foreign keys, enum labels.
pub fn codegen_differences(parsed: &Schema, actual: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, e) in &parsed.enums {
        match actual.enums.get(name) {
            None => out.push(format!("enum `{name}` is not in the database")),
            Some(a) if a.labels != e.labels => out.push(format!(
                "enum `{name}`: labels {:?} in the model, {:?} in the database",
                e.labels, a.labels
            )),
            _ => {}
        }
    }
    for name in actual
        .enums
        .keys()
        .filter(|k| !parsed.enums.contains_key(*k))
    {
        out.push(format!(
            "enum `{name}` is in the database but not in the model"
        ));
    }
    for (name, t) in &parsed.tables {
        let Some(a) = actual.tables.get(name) else {
            out.push(format!("table `{name}` is not in the database"));
            continue;
        };
        let pc: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let ac: Vec<&str> = a.columns.iter().map(|c| c.name.as_str()).collect();
        if pc != ac {
            out.push(format!(
                "table `{name}`: columns {pc:?} in the model, {ac:?} in the database"
            ));
        }
        for c in &t.columns {
            let Some(d) = a.column(&c.name) else { continue };
            let what = format!("table `{name}`: column `{}`", c.name);
            if c.data_type != d.data_type {
                out.push(format!(
                    "{what}: type `{}` in the model, `{}` in the database",
                    c.data_type, d.data_type
                ));
            }
            if c.not_null != d.not_null {
                out.push(format!(
                    "{what}: {} in the model, {} in the database",
                    nullness(c.not_null),
                    nullness(d.not_null)
                ));
            }
            if c.default.is_some() != d.default.is_some() {
                out.push(format!(
                    "{what}: default {:?} in the model, {:?} in the database",
                    c.default, d.default
                ));
            }
            if c.identity != d.identity {
                out.push(format!(
                    "{what}: identity {:?} in the model, {:?} in the database",
                    c.identity, d.identity
                ));
            }
            if c.generated.is_some() != d.generated.is_some() {
                out.push(format!(
                    "{what}: generated {:?} in the model, {:?} in the database",
                    c.generated, d.generated
                ));
            }
        }
        let keys = |s: &schema::model::Table| -> Vec<String> {
            s.constraints
                .values()
                .filter(|c| {
                    !matches!(
                        c.kind,
                        ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. }
                    )
                })
                .map(|c| match &c.kind {
                    ConstraintKind::ForeignKey(fk) => format!(
                        "{} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
                        c.name,
                        fk.columns.join(", "),
                        fk.ref_table,
                        fk.ref_columns.join(", "),
                        fk.on_delete.sql(),
                        fk.on_update.sql()
                    ),
                    ConstraintKind::PrimaryKey { columns, .. } => {
                        format!("{} PRIMARY KEY ({})", c.name, columns.join(", "))
                    }
                    ConstraintKind::Unique { columns, .. } => {
                        format!("{} UNIQUE ({})", c.name, columns.join(", "))
                    }
                    _ => String::new(),
                })
                .collect()
        };
        let (pk, ak) = (keys(t), keys(a));
        for k in pk.iter().filter(|k| !ak.contains(k)) {
            out.push(format!(
                "table `{name}`: key `{k}` is in the model but not in the database"
            ));
        }
        for k in ak.iter().filter(|k| !pk.contains(k)) {
            out.push(format!(
                "table `{name}`: key `{k}` is in the database but not in the model"
            ));
        }
    }
    for name in actual
        .tables
        .keys()
        .filter(|k| !parsed.tables.contains_key(*k))
    {
        out.push(format!(
            "table `{name}` is in the database but not in the model"
        ));
    }
    out
}

fn nullness(not_null: bool) -> &'static str {
    if not_null { "NOT NULL" } else { "nullable" }
}

/// The snapshot file's text, written as insta writes it (its header, trailing blank lines
/// trimmed), so accepting a `.snap.new` with `cargo insta accept` gives the same bytes as
/// `schemakit verify --update`.
pub fn snapshot_text(system: &str, source: &str, rendered: &str) -> String {
    format!(
        "---\nsource: {source}\nexpression: catalog of {system} after all up migrations\n---\n{}\n",
        rendered.trim_end()
    )
}

fn snapshot_body(file_text: &str) -> &str {
    // Everything after the second `---` line is the snapshot.
    let mut parts = file_text.splitn(3, "---\n");
    let _ = parts.next();
    let _ = parts.next();
    parts.next().unwrap_or(file_text)
}

struct Timer(Instant);

impl Timer {
    fn millis(&self) -> u128 {
        self.0.elapsed().as_millis()
    }
}

/// Runs every check for one system.
pub fn verify_system(server: &Server, spec: &Spec) -> Report {
    let mut checks = Vec::new();
    let parsed: Parsed = spec.set.fold_up();
    let mut parsed_schema = parsed.schema.clone();
    parsed_schema.tables.remove(&tracking());

    // a. all up migrations apply to a fresh database.
    let t = Timer(Instant::now());
    let main_db = server.create_database(None);
    let applied = main_db.and_then(|db| {
        let mut client = server.connect(&db)?;
        runner::up(&mut client, &spec.set, None)?;
        Ok(db)
    });
    let (outcome, migrated) = match applied {
        Ok(db) => match catalog(server, &db) {
            Ok(cat) => (Outcome::Pass, Some((db, cat))),
            Err(e) => (Outcome::Fail(vec![e.to_string()]), None),
        },
        Err(e) => (
            Outcome::Fail(e.to_string().lines().map(str::to_string).collect()),
            None,
        ),
    };
    checks.push((
        "a",
        "all up migrations apply to a fresh database",
        outcome,
        t.millis(),
    ));
    let not_run = |why: &str| Outcome::NotRun(why.to_string());

    // b. the catalog equals the parsed model.
    let t = Timer(Instant::now());
    let outcome = match &migrated {
        None => not_run("the migrations did not apply (check a)"),
        Some((_, cat)) => {
            let mut fails = codegen_differences(&parsed_schema, cat);
            // Opaque statements hide things from the model: say so next to any difference.
            let opaque = parsed
                .statements
                .iter()
                .filter(|s| s.opaque.is_some())
                .count();
            if !fails.is_empty() && opaque > 0 {
                fails.push(format!("note: {opaque} statement(s) are opaque to the offline model (see `schemakit parse`)"));
            }
            // Normalize the parsed model through Postgres and list remaining differences.
            let notes = match server.create_database(None).and_then(|db| {
                apply_file(
                    server,
                    &db,
                    &SourceFile::new("parsed model (canonical DDL)", parsed_schema.to_string()),
                )?;
                catalog(server, &db)
            }) {
                Ok(normalized) => {
                    let (e, a) = (normalized.to_string(), cat.to_string());
                    if e == a {
                        Vec::new()
                    } else {
                        diff_text(&e, &a, "parsed model, normalized by Postgres", "migrations")
                    }
                }
                Err(e) => vec![format!(
                    "the parsed model's canonical DDL does not apply: {e}"
                )],
            };
            if !fails.is_empty() {
                fails.extend(notes);
                Outcome::Fail(fails)
            } else if notes.is_empty() {
                Outcome::Pass
            } else {
                Outcome::PassWithNotes(notes)
            }
        }
    };
    checks.push((
        "b",
        "the catalog matches the parsed model",
        outcome,
        t.millis(),
    ));

    // c. step-wise round trip.
    let t = Timer(Instant::now());
    let outcome = match &migrated {
        None => not_run("the migrations did not apply (check a)"),
        Some(_) => round_trip(server, spec),
    };
    checks.push((
        "c",
        "each down restores the catalog its up started from",
        outcome,
        t.millis(),
    ));

    // d. schema.sql gives the same catalog.
    let t = Timer(Instant::now());
    let outcome = match (&migrated, &spec.schema_sql) {
        (_, None) => not_run("the system has no schema.sql"),
        (None, _) => not_run("the migrations did not apply (check a)"),
        (Some((_, cat)), Some(path)) => match schema::source::read_file(path) {
            Err(d) => Outcome::Fail(vec![d.to_string()]),
            Ok(source) => match server.create_database(None).and_then(|db| {
                apply_file(server, &db, &source)?;
                catalog(server, &db)
            }) {
                Err(e) => Outcome::Fail(e.to_string().lines().map(str::to_string).collect()),
                Ok(canonical) => {
                    let (e, a) = (canonical.to_string(), cat.to_string());
                    if e == a {
                        Outcome::Pass
                    } else {
                        Outcome::Fail(diff_text(&e, &a, &path.display().to_string(), "migrations"))
                    }
                }
            },
        },
    };
    checks.push((
        "d",
        "schema.sql builds the same catalog as the migrations",
        outcome,
        t.millis(),
    ));

    // e. snapshot.
    let t = Timer(Instant::now());
    let outcome = match (&migrated, &spec.snapshot) {
        (_, None) => not_run("no snapshot file is configured"),
        (None, _) => not_run("the migrations did not apply (check a)"),
        (Some((_, cat)), Some(path)) => snapshot_check(spec, cat, path),
    };
    checks.push((
        "e",
        "the catalog equals its checked-in snapshot",
        outcome,
        t.millis(),
    ));

    let checks = checks
        .into_iter()
        .map(|(id, title, outcome, millis)| {
            let declared = spec.expected.iter().find(|x| x.check == id);
            let text = match &outcome {
                Outcome::Fail(lines) => Some(lines.join("\n")),
                _ => None,
            };
            let expected = match (&text, declared) {
                (Some(t), Some(x)) if t.contains(&x.contains) => Some(x.clone()),
                _ => None,
            };
            let expectation_unmet = match (&text, declared) {
                (Some(t), Some(x)) if !t.contains(&x.contains) => Some(x.clone()),
                (None, Some(x)) if !matches!(outcome, Outcome::NotRun(_)) => Some(x.clone()),
                _ => None,
            };
            CheckResult {
                id,
                title,
                outcome,
                expected,
                expectation_unmet,
                millis,
            }
        })
        .collect();
    Report {
        system: spec.name.clone(),
        checks,
    }
}

fn round_trip(server: &Server, spec: &Spec) -> Outcome {
    let mut fails = Vec::new();
    let db = match server.create_database(None) {
        Ok(db) => db,
        Err(e) => return Outcome::Fail(vec![e.to_string()]),
    };
    let result = (|| -> Result<(), Error> {
        let mut client = server.connect(&db)?;
        runner::ensure_tracking_table(&mut client)?;
        for m in &spec.set.migrations {
            let before = introspect(&mut client, &[tracking()])?.to_string();
            runner::apply_up(&mut client, m)?;
            if m.down.is_none() {
                if !spec.allow_irreversible {
                    fails.push(format!(
                        "migration {} ({}) has no down script: it is irreversible; add one, or set allow_irreversible = true for this system in schemakit.toml",
                        m.version, m.up.source.path
                    ));
                }
                continue;
            }
            if let Err(e) = runner::apply_down(&mut client, m) {
                fails.push(format!(
                    "migration {}: the down script fails: {e}",
                    m.version
                ));
                // Put the database back where the sequence expects it.
                runner::apply_up(&mut client, m).ok();
                continue;
            }
            let after = introspect(&mut client, &[tracking()])?.to_string();
            if before != after {
                fails.push(format!(
                    "migration {}: up then down does not restore the catalog:",
                    m.version
                ));
                fails.extend(diff_text(&before, &after, "before up", "after up and down"));
            }
            runner::apply_up(&mut client, m)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        fails.push(e.to_string());
    }
    if fails.is_empty() {
        let irreversible = spec
            .set
            .migrations
            .iter()
            .filter(|m| m.down.is_none())
            .count();
        if irreversible > 0 {
            Outcome::PassWithNotes(vec![format!(
                "{irreversible} migration(s) without a down script, allowed for this system"
            )])
        } else {
            Outcome::Pass
        }
    } else {
        Outcome::Fail(fails)
    }
}

fn snapshot_check(spec: &Spec, cat: &Schema, path: &Path) -> Outcome {
    let rendered = cat.to_string();
    // Snapshots are stored without trailing blank lines, as insta stores them.
    let rendered = rendered.trim_end();
    let text = snapshot_text(&spec.name, &spec.set.dir.display().to_string(), rendered);
    if spec.update_snapshot {
        return match std::fs::write(path, &text) {
            Ok(()) => {
                let _ = std::fs::remove_file(path.with_extension("snap.new"));
                Outcome::PassWithNotes(vec![format!("wrote {}", path.display())])
            }
            Err(e) => Outcome::Fail(vec![format!("cannot write {}: {e}", path.display())]),
        };
    }
    match std::fs::read_to_string(path) {
        Err(_) => {
            let _ = std::fs::write(path.with_extension("snap.new"), &text);
            Outcome::Fail(vec![format!(
                "{} does not exist; run `schemakit verify --update` (or review {}.new with `cargo insta review`)",
                path.display(),
                path.display()
            )])
        }
        Ok(old) if snapshot_body(&old).trim_end() == rendered => {
            let _ = std::fs::remove_file(path.with_extension("snap.new"));
            Outcome::Pass
        }
        Ok(old) => {
            let _ = std::fs::write(path.with_extension("snap.new"), &text);
            let mut lines = diff_text(
                snapshot_body(&old).trim_end(),
                rendered,
                &path.display().to_string(),
                "database",
            );
            lines.push(format!(
                "the new catalog is in {}.new: review it with `cargo insta review`, or run `schemakit verify --update`",
                path.display()
            ));
            Outcome::Fail(lines)
        }
    }
}
