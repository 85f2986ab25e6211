//! `schemakit verify`'s checks for one system, each on its own fresh database:
//!
//! - a. every up migration applies;
//! - b. the catalog equals the parsed model in everything codegen depends on (other
//!   differences are listed after normalizing the parsed model through Postgres);
//! - c. step-wise round trip: each down restores the catalog its up started from, each
//!   migration checked on its own, from what the ups before it give (column order and
//!   timestamps frozen from `'now'` are notes);
//! - d. the canonical `schema.sql` builds the same catalog as the migrations;
//! - e. the catalog equals its checked-in snapshot.
//!
//! Every comparison of two models is [`schema::diff()`]: it decides, and its [`Change`]s are
//! what a failure lists. The unified diff of canonical DDL ([`diff_text`]) follows them
//! for a reviewer to read; check e alone decides on text, since the snapshot file is text.

use std::path::{Path, PathBuf};
use std::time::Instant;

use schema::Change;
use schema::migrations::{MigrationSet, Script};
use schema::model::{QualifiedName, Schema};
use schema::{Parsed, SourceFile};

mod frozen;
mod round_trip;

use crate::introspect::introspect;
use crate::runner::{self, Runner};
use crate::tracking::Choice;
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
    /// The major the snapshot was made on, when the catalog differs across majors: on
    /// another, check e lists the differences as notes and writes no file. `None`: the
    /// snapshot holds on every major.
    pub snapshot_major: Option<u32>,
    /// The tracking table the runner records in (by default the set's own tool's).
    pub tracking: Choice,
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

fn catalog(server: &Server, db: &str, tracking: &QualifiedName) -> Result<Schema, Error> {
    let mut client = server.connect(db)?;
    introspect(&mut client, std::slice::from_ref(tracking))
}

/// A unified diff of two renderings, `-` expected and `+` actual, two lines of context:
/// presentation only, never the decision.
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

/// The changes from `a` to `b` a check reports: a heading naming both sides, one line per
/// change, then the unified diff of the two models' canonical DDL for a reviewer to read.
fn explain(
    heading: &str,
    changes: &[&Change],
    ddl: Option<(&str, &str)>,
    names: (&str, &str),
) -> Vec<String> {
    let mut out = vec![format!("{heading} ({} → {}):", names.0, names.1)];
    out.extend(changes.iter().map(|c| format!("  {c}")));
    if let Some((a, b)) = ddl {
        if a != b {
            out.extend(diff_text(a, b, names.0, names.1));
        }
    }
    out
}

/// [`explain`] for every change between two catalogs, or nothing when they are equal.
fn compare(heading: &str, a: &Schema, b: &Schema, names: (&str, &str)) -> Vec<String> {
    let changes = schema::diff(a, b);
    if changes.is_empty() {
        return Vec::new();
    }
    let all: Vec<&Change> = changes.iter().collect();
    explain(heading, &all, Some((&a.to_string(), &b.to_string())), names)
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
    let runner = Runner {
        tracking: spec.tracking.clone(),
        ignore_missing: false,
    };
    let tracking = runner.tracking(&spec.set).table.qualified();
    let mut parsed_schema = parsed.schema.clone();
    parsed_schema.tables.remove(&tracking);

    // a. all up migrations apply to a fresh database.
    let t = Timer(Instant::now());
    let main_db = server.create_database(None);
    let applied = main_db.and_then(|db| {
        let mut client = server.connect(&db)?;
        runner.up(&mut client, &spec.set, None)?;
        Ok(db)
    });
    // What the set's reader could not read and that may change the schema (a goose Go
    // migration: the set stops before it) is said next to check a.
    let unread: Vec<String> = spec
        .set
        .skipped
        .iter()
        .filter(|s| s.warning)
        .map(|s| format!("{}: {}", s.path.display(), s.why))
        .collect();
    let (outcome, migrated) = match applied {
        Ok(db) => match catalog(server, &db, &tracking) {
            Ok(cat) if unread.is_empty() => (Outcome::Pass, Some((db, cat))),
            Ok(cat) => (Outcome::PassWithNotes(unread.clone()), Some((db, cat))),
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
            // The strict part: what generated code depends on must match exactly.
            let changes = schema::diff(&parsed_schema, cat);
            let strict: Vec<&Change> = changes.iter().filter(|c| c.affects_codegen()).collect();
            // Where a statement kept verbatim (a procedure call, a function SELECT, a DO
            // block) names the object, the model cannot know what it did: the difference
            // is a note naming that statement, not a failure.
            let mut hidden_notes = Vec::new();
            let mut kept = Vec::new();
            for c in strict {
                let path = c.path();
                let by = path
                    .names
                    .get(1)
                    .or(path.names.first())
                    .and_then(|n| parsed.kept_verbatim_touching(n));
                match by {
                    Some(s) => {
                        let text: String = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
                        let short: String = text.chars().take(60).collect();
                        hidden_notes.push(format!(
                            "{c} (the statement kept verbatim at {} (`{short}`) may have made this; the model cannot follow it)",
                            s.loc
                        ));
                    }
                    None => kept.push(c),
                }
            }
            let strict = kept;
            let mut fails = if strict.is_empty() {
                Vec::new()
            } else {
                explain(
                    "the database differs from the parsed model in what generated code depends on",
                    &strict,
                    None,
                    ("parsed model", "database"),
                )
            };
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
                catalog(server, &db, &tracking)
            }) {
                Ok(normalized) => compare(
                    "the catalog differs from the parsed model",
                    &normalized,
                    cat,
                    ("parsed model, normalized by Postgres", "migrations"),
                ),
                Err(e) => vec![format!(
                    "the parsed model's canonical DDL does not apply: {e}"
                )],
            };
            let notes: Vec<String> = hidden_notes.into_iter().chain(notes).collect();
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
        Some(_) => round_trip::round_trip(server, spec, &runner),
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
                catalog(server, &db, &tracking)
            }) {
                Err(e) => Outcome::Fail(e.to_string().lines().map(str::to_string).collect()),
                Ok(canonical) => {
                    let lines = compare(
                        "schema.sql and the migrations build different catalogs",
                        &canonical,
                        cat,
                        (&path.display().to_string(), "migrations"),
                    );
                    if lines.is_empty() {
                        Outcome::Pass
                    } else {
                        Outcome::Fail(lines)
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
        (Some((_, cat)), Some(path)) => match spec.snapshot_major {
            Some(major) if major != server.major => {
                other_major_snapshot(spec, cat, path, major, server.major)
            }
            _ => snapshot_check(spec, cat, path),
        },
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
            // Every failure declared for the check must happen (a check that did not run
            // proves nothing either way); one that happens makes the failure known.
            let declared: Vec<&ExpectedFailure> =
                spec.expected.iter().filter(|x| x.check == id).collect();
            let text = match &outcome {
                Outcome::Fail(lines) => Some(lines.join("\n")),
                _ => None,
            };
            let happened =
                |x: &&&ExpectedFailure| text.as_ref().is_some_and(|t| t.contains(&x.contains));
            let expected = declared.iter().find(happened).map(|x| (*x).clone());
            let expectation_unmet = declared
                .iter()
                .filter(|_| !matches!(outcome, Outcome::NotRun(_)))
                .find(|x| !happened(x))
                .map(|x| (*x).clone());
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
            let mut lines = explain_snapshot(
                snapshot_body(&old).trim_end(),
                rendered,
                &path.display().to_string(),
            );
            lines.push(format!(
                "the new catalog is in {}.new: review it with `cargo insta review`, or run `schemakit verify --update`",
                path.display()
            ));
            Outcome::Fail(lines)
        }
    }
}

/// Check e on a major other than the one the snapshot was made on (`snapshot_major`):
/// differences are notes, and nothing is written (`--update` included), so the snapshot
/// and its `.snap.new` stay the snapshot major's.
fn other_major_snapshot(
    spec: &Spec,
    cat: &Schema,
    path: &Path,
    snapshot_major: u32,
    major: u32,
) -> Outcome {
    if spec.update_snapshot {
        return Outcome::NotRun(format!(
            "--update writes {} only on PostgreSQL {snapshot_major}, the major it was made on (`snapshot_major`)",
            path.display()
        ));
    }
    let rendered = cat.to_string();
    let rendered = rendered.trim_end();
    match std::fs::read_to_string(path) {
        Err(e) => Outcome::NotRun(format!(
            "cannot read {}: {e}; it is made on PostgreSQL {snapshot_major} (`snapshot_major`)",
            path.display()
        )),
        Ok(old) if snapshot_body(&old).trim_end() == rendered => Outcome::Pass,
        Ok(old) => {
            let mut notes = vec![format!(
                "the snapshot was made on PostgreSQL {snapshot_major} (`snapshot_major`); on {major} the catalog differs, which fails nothing:"
            )];
            notes.extend(explain_snapshot(
                snapshot_body(&old).trim_end(),
                rendered,
                &path.display().to_string(),
            ));
            Outcome::PassWithNotes(notes)
        }
    }
}

/// Why a snapshot's text and the catalog's differ: the snapshot and the catalog's canonical
/// DDL are both read back into models and compared with [`schema::diff()`] (so both sides
/// went through the same parser), then the text diff follows.
fn explain_snapshot(snapshot: &str, rendered: &str, name: &str) -> Vec<String> {
    let names = (name, "database");
    let old = schema::parse_sql(name, snapshot);
    if old.has_errors() {
        let mut lines = vec![format!(
            "{name} does not read back as a model ({} error(s)); the text differs:",
            old.diagnostics.iter().filter(|d| d.is_error()).count()
        )];
        lines.extend(diff_text(snapshot, rendered, name, "database"));
        return lines;
    }
    let new = schema::parse_sql("database", rendered);
    let changes = schema::diff(&old.schema, &new.schema);
    if changes.is_empty() {
        let mut lines = vec![format!(
            "{name} describes the same catalog, printed differently (the canonical DDL's printing changed):"
        )];
        lines.extend(diff_text(snapshot, rendered, name, "database"));
        return lines;
    }
    let all: Vec<&Change> = changes.iter().collect();
    explain(
        "the catalog differs from its snapshot",
        &all,
        Some((snapshot, rendered)),
        names,
    )
}
