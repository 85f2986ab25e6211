//! Check c, the step-wise round trip: every migration with a down script is checked on its
//! own, from the database its up started from.
//!
//! A main line database gets each up in order. Before a migration with a down, the
//! catalog is read; after its up it is read again, then the down runs, the catalog must
//! equal the one before the up, and the up runs again. When that leaves the main line
//! other than its up alone would (the down or the second up failed, or the catalog after
//! it is not the one after the first), the main line is replaced by a copy (`CREATE
//! DATABASE … TEMPLATE`) of a shadow database that only ever got the ups, so the next
//! migration is checked from exactly what its ups give, whatever this one did.
//!
//! Two kinds of difference fail nothing and are notes: column order (a down that drops a
//! column and adds it back puts it last) and timestamps Postgres froze when it evaluated
//! `'now'` as an object was created ([`super::frozen`]).

use std::collections::BTreeSet;

use postgres::Client;
use schema::Change;
use schema::migrations::{Layout, Migration, MigrationSet, Script};
use schema::model::diff::Path;
use schema::model::{QualifiedName, Schema};

use super::frozen::{self, Window};
use super::{Outcome, Spec, explain};
use crate::introspect::introspect;
use crate::runner::Runner;
use crate::{Error, Server};

/// Check c for `spec`'s set.
pub(super) fn round_trip(server: &Server, spec: &Spec, runner: &Runner) -> Outcome {
    let set = &spec.set;
    let irreversible: Vec<&Migration> =
        set.migrations.iter().filter(|m| m.down.is_none()).collect();
    let reversible = set.migrations.len() - irreversible.len();
    let by_design = matches!(set.layout, Layout::Prisma | Layout::Drizzle);
    if set.migrations.is_empty() {
        return Outcome::NotRun("the set has no migrations".to_string());
    }
    if reversible == 0 && by_design && !spec.allow_irreversible {
        return Outcome::NotRun(format!(
            "the {} layout has no down migrations by design, so there is nothing to round-trip",
            set.layout
        ));
    }
    let mut fails = Vec::new();
    let mut notes = Vec::new();
    let mut findings = Vec::new();
    let stopped = match reversible {
        0 => None,
        _ => walk(server, spec, runner, &mut findings).err(),
    };
    let failing: Vec<&Finding> = findings.iter().filter(|f| !f.failure.is_empty()).collect();
    if !failing.is_empty() {
        let versions: Vec<&str> = failing.iter().map(|f| f.version.as_str()).collect();
        fails.push(format!(
            "{} of {reversible} migration(s) with a down script fail the round trip: {}",
            failing.len(),
            versions.join(", ")
        ));
    }
    for f in &findings {
        fails.extend(f.failure.iter().cloned());
    }
    fails.extend(stopped);
    let noted: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.failure.is_empty() && !f.notes.is_empty())
        .collect();
    if !noted.is_empty() {
        notes.push(format!(
            "{} migration(s) restore the catalog but for column order or timestamps frozen from 'now', which fails nothing:",
            noted.len()
        ));
        for f in noted {
            notes.extend(f.notes.iter().cloned());
        }
    }
    if !irreversible.is_empty() {
        if spec.allow_irreversible {
            let design = if by_design {
                format!(" (the {} layout has none by design)", set.layout)
            } else {
                String::new()
            };
            notes.push(format!(
                "{} migration(s) without a down script{design}, allowed for this system",
                irreversible.len()
            ));
        } else {
            fails.push(format!(
                "{} migration(s) have no down script: they are irreversible; add one, or set allow_irreversible = true for this system in schemakit.toml (--allow-irreversible on the command line):",
                irreversible.len()
            ));
            fails.extend(irreversible.iter().map(|m| {
                format!(
                    "migration {} ({}) has no down script",
                    m.version, m.up.source.path
                )
            }));
        }
    }
    if !fails.is_empty() {
        fails.extend(notes);
        Outcome::Fail(fails)
    } else if notes.is_empty() {
        Outcome::Pass
    } else {
        Outcome::PassWithNotes(notes)
    }
}

/// What check c found for one migration with a down script.
struct Finding {
    /// Its version.
    version: String,
    /// Why it fails, a heading first; empty when it does not.
    failure: Vec<String>,
    /// Differences that fail nothing, a heading first.
    notes: Vec<String>,
}

/// `path:line` of the start of a script.
fn location(script: &Script) -> String {
    format!("{}:{}", script.source.path, script.first_line())
}

/// Walks the set on a main line, checking each migration with a down script. An error
/// ends the walk: what was found until then stays in `findings`.
fn walk(
    server: &Server,
    spec: &Spec,
    runner: &Runner,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    let set = &spec.set;
    let mut line = Line::start(server, runner, set).map_err(|e| e.to_string())?;
    let window = Window::start(&mut line.client).map_err(|e| e.to_string())?;
    let mut before: Option<Schema> = None;
    for m in &set.migrations {
        let stopped = |e: Error| {
            format!(
                "check c stopped at migration {}; the migrations after it are not checked: {e}",
                m.version
            )
        };
        if m.down.is_some() && before.is_none() {
            before = Some(line.catalog().map_err(stopped)?);
        }
        line.apply(m).map_err(stopped)?;
        let Some(start) = before.take().filter(|_| m.down.is_some()) else {
            continue;
        };
        let after_up = line.catalog().map_err(stopped)?;
        let (finding, damaged) = line.check(m, &start, &after_up, &window).map_err(stopped)?;
        findings.push(finding);
        if damaged {
            line.restore(m).map_err(stopped)?;
        }
        before = Some(after_up);
    }
    Ok(())
}

/// The differences between two catalogs, as check c weighs them.
#[derive(Default)]
struct Differences {
    /// Those that fail the check.
    real: Vec<Change>,
    /// Column order, which does not.
    order: Vec<Change>,
    /// Objects that differ only in timestamps frozen from `'now'`, which do not either.
    frozen: Vec<Change>,
}

impl Differences {
    fn between(a: &Schema, b: &Schema, window: &Window) -> Differences {
        let (order, rest): (Vec<Change>, Vec<Change>) = schema::diff(a, b)
            .into_iter()
            .partition(|c| matches!(c, Change::ColumnOrder { .. }));
        if rest.is_empty() {
            return Differences {
                order,
                ..Differences::default()
            };
        }
        // What is left once frozen timestamps are masked on both sides is real.
        let masked = schema::diff(
            &frozen::mask_schema(a, window),
            &frozen::mask_schema(b, window),
        );
        let left: BTreeSet<(Path, String)> = masked.iter().map(key).collect();
        let (real, frozen) = rest.into_iter().partition(|c| left.contains(&key(c)));
        Differences {
            real,
            order,
            frozen,
        }
    }

    fn is_empty(&self) -> bool {
        self.real.is_empty() && self.order.is_empty() && self.frozen.is_empty()
    }

    /// One line per difference that fails nothing, after `prefix`.
    fn note_lines(&self, prefix: &str) -> Vec<String> {
        let frozen = self
            .frozen
            .iter()
            .map(|c| format!("{prefix}{c} (only in timestamps frozen from 'now')"));
        let order = self.order.iter().map(|c| format!("{prefix}{c}"));
        order.chain(frozen).collect()
    }
}

/// What identifies a change apart from the values it carries: the object's path and what
/// about it changed.
fn key(c: &Change) -> (Path, String) {
    let what = match c {
        Change::Added(_) => "added".to_string(),
        Change::Removed(_) => "removed".to_string(),
        Change::Changed { .. } => "changed".to_string(),
        Change::Column { attribute, .. } => format!("column {attribute:?}"),
        Change::EnumLabels { .. } => "labels".to_string(),
        Change::ColumnOrder { .. } => "order".to_string(),
        Change::Comment { .. } => "comment".to_string(),
    };
    (c.path(), what)
}

/// The main line: a database that is, before each migration, what the ups before it give.
struct Line<'a> {
    server: &'a Server,
    runner: &'a Runner,
    set: &'a MigrationSet,
    exclude: [QualifiedName; 1],
    /// The main line's database.
    db: String,
    /// Runs the migrations.
    client: Client,
    /// Reads the catalog, in the ISO date style (how [`frozen`] reads timestamps).
    inspector: Client,
    /// A database that only ever got ups, made when the main line first needs restoring.
    shadow: Option<String>,
}

impl<'a> Line<'a> {
    fn start(server: &'a Server, runner: &'a Runner, set: &'a MigrationSet) -> Result<Self, Error> {
        let db = server.create_database(None)?;
        let (mut client, inspector) = Line::connect(server, &db)?;
        runner.ensure_tracking_table(&mut client, set)?;
        Ok(Line {
            server,
            runner,
            set,
            exclude: [runner.tracking(set).table.qualified()],
            db,
            client,
            inspector,
            shadow: None,
        })
    }

    fn connect(server: &Server, db: &str) -> Result<(Client, Client), Error> {
        let client = server.connect(db)?;
        let mut inspector = server.connect(db)?;
        inspector
            .batch_execute("SET DateStyle = ISO")
            .map_err(|e| Error::db("cannot set the date style", e))?;
        Ok((client, inspector))
    }

    fn catalog(&mut self) -> Result<Schema, Error> {
        introspect(&mut self.inspector, &self.exclude)
    }

    fn apply(&mut self, m: &Migration) -> Result<(), Error> {
        self.runner.apply(&mut self.client, self.set, m).map(drop)
    }

    /// Runs `m`'s down and its up again on the main line, where `m`'s up was just applied
    /// (`before` and `after_up` are the catalogs either side of it). Returns what was found,
    /// and whether the main line must be restored.
    fn check(
        &mut self,
        m: &Migration,
        before: &Schema,
        after_up: &Schema,
        window: &Window,
    ) -> Result<(Finding, bool), Error> {
        let down = m.down.as_ref().map_or_else(String::new, location);
        let mut finding = Finding {
            version: m.version.text.clone(),
            failure: Vec::new(),
            notes: Vec::new(),
        };
        let key = self.runner.tracking(self.set).key(m);
        if let Err(e) = self.runner.revert(&mut self.client, self.set, m, &key) {
            finding.failure.push(format!(
                "migration {} ({down}): the down script fails: {e}",
                m.version
            ));
            // In a transaction a failed down changed nothing; outside one it may have.
            return Ok((finding, m.no_transaction));
        }
        let after_down = self.catalog()?;
        let diff = Differences::between(before, &after_down, window);
        if !diff.real.is_empty() {
            let real: Vec<&Change> = diff.real.iter().collect();
            finding.failure = explain(
                &format!(
                    "migration {} ({down}): up then down does not restore the catalog",
                    m.version
                ),
                &real,
                Some((&before.to_string(), &after_down.to_string())),
                ("before up", "after up and down"),
            );
            // The notes go under the failure, before its text diff.
            let notes = diff.note_lines("  note: ");
            let at = 1 + real.len();
            finding.failure.splice(at..at, notes);
        } else if !diff.is_empty() {
            let mut why = Vec::new();
            if !diff.order.is_empty() {
                why.push("column order (a column dropped and added back comes last)");
            }
            if !diff.frozen.is_empty() {
                why.push("timestamps Postgres froze when it evaluated 'now' at creation");
            }
            finding.notes.push(format!(
                "migration {} ({down}): the down restores the catalog but for {}:",
                m.version,
                why.join(", and ")
            ));
            finding.notes.extend(diff.note_lines("  "));
        }
        // The up again: it must apply, and the main line must be what it was after the up.
        let damaged = match self.apply(m) {
            Err(e) => {
                finding.failure.push(format!(
                    "migration {} ({}): the up does not apply again after the down: {e}",
                    m.version,
                    location(&m.up)
                ));
                true
            }
            Ok(()) if diff.is_empty() => false,
            Ok(()) => {
                let again = self.catalog()?;
                let d = Differences::between(after_up, &again, window);
                !(d.real.is_empty() && d.order.is_empty())
            }
        };
        Ok((finding, damaged))
    }

    /// Makes the main line what the ups up to and including `m` give: a copy of the
    /// shadow database, brought there with ups alone.
    fn restore(&mut self, m: &Migration) -> Result<(), Error> {
        let shadow = match &self.shadow {
            Some(db) => db.clone(),
            None => {
                let db = self.server.create_database(None)?;
                self.shadow = Some(db.clone());
                db
            }
        };
        {
            // Closed before the copy: a template database must have no other sessions.
            let mut client = self.server.connect(&shadow)?;
            self.runner
                .up(&mut client, self.set, Some(&m.version.text))?;
        }
        let db = self.server.create_database(Some(&shadow))?;
        let (client, inspector) = Line::connect(self.server, &db)?;
        let old = std::mem::replace(&mut self.db, db);
        self.client = client;
        self.inspector = inspector;
        let _ = self.server.drop_database(&old);
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        // Best effort: the server drops whatever is left when it goes.
        let _ = self.server.drop_database(&self.db);
        if let Some(shadow) = &self.shadow {
            let _ = self.server.drop_database(shadow);
        }
    }
}
