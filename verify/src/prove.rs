//! The proof of a new migration before it is written (`schemakit diff`): on fresh
//! databases of a real Postgres, the set's ups and then the new up build the catalog
//! `schema.sql` builds, the new down restores the catalog before the up, and the up
//! applies again to the same catalog.
//!
//! Every comparison is [`schema::diff()`]. The new up must reach `schema.sql`'s catalog
//! exactly, since `schemakit verify`'s check d compares the same two catalogs afterwards;
//! after the down, and after the up again, column order is a note, as in check c (a column
//! dropped and added back comes last), and any other difference fails.

use std::fmt;
use std::sync::Arc;

use postgres::Client;
use schema::migrations::{MigrationSet, Script};
use schema::model::{QualifiedName, Schema};
use schema::{Change, SourceFile};

use crate::check::diff_text;
use crate::introspect::introspect;
use crate::runner::{self, Runner};
use crate::{Error, Server};

/// A new migration to prove, and what it is proven against.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The set it follows.
    pub set: &'a MigrationSet,
    /// Its up script.
    pub up: &'a str,
    /// Its down script; `None` proves the up alone.
    pub down: Option<&'a str>,
    /// Whether it runs outside a transaction.
    pub no_transaction: bool,
    /// The canonical DDL (`schema.sql`) the set must reach with it.
    pub target: &'a SourceFile,
    /// The runner that applies the set (its tracking table is left out of every catalog).
    pub runner: &'a Runner,
}

/// One step of the proof, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The set's ups apply to a fresh database.
    SetApplies,
    /// The new up applies after them.
    UpApplies,
    /// `schema.sql` applies to another fresh database.
    TargetApplies,
    /// The two catalogs are equal.
    ReachesTarget,
    /// The new down applies.
    DownApplies,
    /// The catalog after the down is the one before the up.
    DownRestores,
    /// The new up applies again.
    UpAppliesAgain,
    /// The catalog after it is the one after the first up.
    UpRepeats,
}

impl Step {
    /// What the step shows when it passes.
    pub fn title(self) -> &'static str {
        match self {
            Step::SetApplies => "the set's migrations apply to a fresh database",
            Step::UpApplies => "the new up applies after them",
            Step::TargetApplies => "schema.sql applies to a fresh database",
            Step::ReachesTarget => "the set with the new up builds the catalog schema.sql builds",
            Step::DownApplies => "the new down applies",
            Step::DownRestores => "the new down restores the catalog from before the up",
            Step::UpAppliesAgain => "the new up applies again after the down",
            Step::UpRepeats => "the new up applied again builds the same catalog",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A proven migration: the steps that passed and the catalogs either side of it.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The steps, in order (without the down's when there was no down to prove).
    pub steps: Vec<Step>,
    /// The catalog after the set's ups.
    pub before: Schema,
    /// The catalog after the new up.
    pub after_up: Schema,
    /// Differences that fail nothing (column order after the down or the second up).
    pub notes: Vec<String>,
}

/// The step that failed, with the failing statement and Postgres's message, or the
/// differences between the catalogs it compared (one per line, then the text diff of their
/// canonical DDL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step.
    pub step: Step,
    /// What was found, one line each.
    pub details: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not proven: {}", self.step)?;
        for line in &self.details {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// Why a migration is not proven.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// A step failed.
    #[error("{0}")]
    Failed(Failure),
    /// The proof could not run (a database could not be made, a catalog read).
    #[error(transparent)]
    Environment(#[from] Error),
}

/// A database made for the proof, dropped when the proof is done with it.
struct Scratch<'s> {
    server: &'s Server,
    name: String,
    client: Client,
}

impl<'s> Scratch<'s> {
    fn new(server: &'s Server) -> Result<Scratch<'s>, Error> {
        let name = server.create_database(None)?;
        let client = server.connect(&name)?;
        Ok(Scratch {
            server,
            name,
            client,
        })
    }

    fn catalog(&mut self, exclude: &QualifiedName) -> Result<Schema, Error> {
        introspect(&mut self.client, std::slice::from_ref(exclude))
    }
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        // Best effort: the server drops whatever is left when it goes.
        let _ = self.server.drop_database(&self.name);
    }
}

/// Runs a script statement by statement, as the runner runs a migration: in one
/// transaction, or outside one when `no_transaction`.
fn run(client: &mut Client, script: &Script, no_transaction: bool) -> Result<(), Error> {
    if no_transaction {
        return runner::run_statements(client, script);
    }
    let mut tx = client
        .transaction()
        .map_err(|e| Error::db("cannot begin", e))?;
    runner::run_statements(&mut tx, script)?;
    tx.commit().map_err(|e| Error::db("cannot commit", e))
}

fn script(name: &str, text: &str) -> Script {
    let source = Arc::new(SourceFile::new(name, text));
    Script {
        end: source.text.len(),
        source,
        start: 0,
    }
}

/// What stopped `step` (a statement Postgres refused, a script that cannot be split, a
/// commit refused by a deferred constraint, the runner refusing the set) as its failure.
fn failed(step: Step, e: Error) -> ProveError {
    ProveError::Failed(Failure {
        step,
        details: e.to_string().lines().map(str::to_string).collect(),
    })
}

/// The differences from `a` to `b` as a failure of `step`, or nothing when they are equal.
/// With `order_is_note`, differences of column order alone go to `notes` instead.
fn compare(
    step: Step,
    a: &Schema,
    b: &Schema,
    names: (&str, &str),
    order_is_note: bool,
    notes: &mut Vec<String>,
) -> Result<(), ProveError> {
    let (order, changes): (Vec<Change>, Vec<Change>) = schema::diff(a, b)
        .into_iter()
        .partition(|c| order_is_note && matches!(c, Change::ColumnOrder { .. }));
    if changes.is_empty() {
        notes.extend(order.iter().map(|c| {
            format!(
                "{step}, but for column order ({} → {}): {c}",
                names.0, names.1
            )
        }));
        return Ok(());
    }
    let mut details = vec![format!(
        "{} difference(s) ({} → {}):",
        changes.len(),
        names.0,
        names.1
    )];
    details.extend(changes.iter().map(|c| format!("  {c}")));
    details.extend(order.iter().map(|c| format!("  note: {c}")));
    details.extend(diff_text(&a.to_string(), &b.to_string(), names.0, names.1));
    Err(ProveError::Failed(Failure { step, details }))
}

/// Proves `candidate` on `server`: each step on fresh databases, stopping at the first that
/// fails.
pub fn prove(server: &Server, candidate: &Candidate<'_>) -> Result<Proof, ProveError> {
    let Candidate {
        set,
        up,
        down,
        no_transaction,
        target,
        runner,
    } = *candidate;
    let exclude = runner.tracking(set).table.qualified();
    let mut steps = Vec::new();
    let mut notes = Vec::new();

    let mut main = Scratch::new(server)?;
    runner
        .up(&mut main.client, set, None)
        .map_err(|e| failed(Step::SetApplies, e))?;
    let before = main.catalog(&exclude)?;
    steps.push(Step::SetApplies);

    let up = script("new migration (up)", up);
    run(&mut main.client, &up, no_transaction).map_err(|e| failed(Step::UpApplies, e))?;
    let after_up = main.catalog(&exclude)?;
    steps.push(Step::UpApplies);

    let target_catalog = {
        let mut db = Scratch::new(server)?;
        let source = Script {
            source: Arc::new(target.clone()),
            start: 0,
            end: target.text.len(),
        };
        run(&mut db.client, &source, false).map_err(|e| failed(Step::TargetApplies, e))?;
        db.catalog(&exclude)?
    };
    steps.push(Step::TargetApplies);
    let target_name = target.path.to_string();
    compare(
        Step::ReachesTarget,
        &target_catalog,
        &after_up,
        (&target_name, "the set with the new up"),
        false,
        &mut notes,
    )?;
    steps.push(Step::ReachesTarget);

    if let Some(down) = down {
        let down = script("new migration (down)", down);
        run(&mut main.client, &down, no_transaction).map_err(|e| failed(Step::DownApplies, e))?;
        steps.push(Step::DownApplies);
        let after_down = main.catalog(&exclude)?;
        compare(
            Step::DownRestores,
            &before,
            &after_down,
            ("before the up", "after the up and the down"),
            true,
            &mut notes,
        )?;
        steps.push(Step::DownRestores);
        run(&mut main.client, &up, no_transaction).map_err(|e| failed(Step::UpAppliesAgain, e))?;
        steps.push(Step::UpAppliesAgain);
        let again = main.catalog(&exclude)?;
        compare(
            Step::UpRepeats,
            &after_up,
            &again,
            ("after the up", "after the up, the down and the up"),
            true,
            &mut notes,
        )?;
        steps.push(Step::UpRepeats);
    }
    Ok(Proof {
        steps,
        before,
        after_up,
        notes,
    })
}
