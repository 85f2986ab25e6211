//! The migration runner: applies a migration set's up and down scripts to a database,
//! recording what it applied in a tracking table: by default the table of the tool the
//! set was written for, in that tool's format ([`crate::tracking`]), so a database the
//! tool manages can be taken over and migrations that read the table keep working.
//!
//! The runner changes only what it was asked to: a target version that is not in the
//! set, an applied migration whose file is gone, a changed file, a migration marked
//! failed, a version the tracking table cannot hold or a tracking table of another shape
//! stops it before it changes anything. It never alters a table it did not create, and
//! `status` writes nothing.

use std::time::Instant;

use postgres::Client;
use schema::migrations::{Migration, MigrationSet, Script, Version};

use crate::Error;
use crate::tracking::{Choice, Format, Shape, Tracking};
pub use crate::tracking::{TrackingTable, checksum};

/// schemakit's own tracking table (the default of the numbered `-- UP`/`-- DOWN` layout).
pub const TRACKING_TABLE: &str = "schema_migrations";

/// The advisory lock key the runner holds while it runs ("schemakit" in ASCII, folded).
const LOCK_KEY: i64 = 0x7363_6865_6d61_6b69;

/// Why the runner refused to go on, or what it left behind.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// A target version that is not a version of the set.
    #[error("version `{version}` is not in the migration set ({known}); nothing was changed")]
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The versions of the set, summarized.
        known: String,
    },
    /// The tracking table exists with columns its format does not have.
    #[error(
        "table `{table}` exists but is not a {format} tracking table ({found}); schemakit never alters a table it did not create: choose another tracking table with --tracking-table NAME{}",
        take_over_hint(.fits)
    )]
    ForeignTable {
        /// The table.
        table: String,
        /// The format it was expected in.
        format: Format,
        /// Its columns and types, or what kind of relation it is.
        found: String,
        /// The formats whose columns it has.
        fits: Vec<Format>,
    },
    /// A migration the tracking table's format cannot record.
    #[error(
        "migration {version} cannot be recorded in `{table}` ({format}'s format): {reason}; choose another format with --tracking FORMAT; nothing was changed"
    )]
    Unrecordable {
        /// The tracking table.
        table: String,
        /// Its format.
        format: Format,
        /// The version.
        version: String,
        /// Why.
        reason: String,
    },
    /// A migration dropped or renamed the tracking table it was to be recorded in.
    #[error(
        "migration {version}: {message}: its script dropped or renamed the tracking table `{table}`, which the set uses as its own; record runs in another table with --tracking-table NAME, or in another tool's format with --tracking FORMAT"
    )]
    TrackingTableGone {
        /// The tracking table.
        table: String,
        /// The version.
        version: String,
        /// Postgres's message.
        message: String,
    },
    /// A name that cannot be a tracking table.
    #[error("tracking table `{name}`: {reason}")]
    TableName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Applied migrations whose files are not in the set.
    #[error(
        "migration(s) {versions} recorded as applied in `{table}` are not in the migration set; restore their files, or pass --ignore-missing to go on without them; nothing was changed"
    )]
    Missing {
        /// The tracking table.
        table: String,
        /// The missing versions, comma-separated.
        versions: String,
    },
    /// A migration is marked failed (dirty) in the tracking table.
    #[error(
        "migration {version} is marked failed in `{table}`: it ran outside a transaction and stopped part way, so some of its statements may have taken effect; nothing was changed\n  failed: {failure}\n  repair the database by hand, then clear the mark with `schemakit migrate … resolve {version} --as applied` (you completed it) or `--as pending` (you undid it)"
    )]
    Failed {
        /// The tracking table.
        table: String,
        /// The version.
        version: String,
        /// The failed statement and Postgres's message, as recorded.
        failure: String,
    },
    /// A no-transaction script failed part way; the migration is now marked failed where
    /// the format can mark it.
    #[error("{}", partly_applied(.table, .version, .script, .cause, *.marked))]
    PartlyApplied {
        /// The tracking table.
        table: String,
        /// The version.
        version: String,
        /// `up` or `down`.
        script: &'static str,
        /// The statement failure.
        cause: Box<Error>,
        /// Whether the migration is marked failed (some formats have no place for it).
        marked: bool,
    },
    /// `resolve` of a migration that is not marked failed.
    #[error("migration {version} is not marked failed in `{table}`; there is nothing to resolve")]
    NotFailed {
        /// The tracking table.
        table: String,
        /// The version asked for.
        version: String,
    },
}

/// The end of [`MigrateError::ForeignTable`]'s message: how to take the table over.
fn take_over_hint(fits: &[Format]) -> String {
    match fits {
        [] => String::new(),
        [one] => {
            format!(", or take it over as it is with --tracking {one} (its columns are {one}'s)")
        }
        many => format!(
            ", or take it over as it is with --tracking {}",
            many.iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// [`MigrateError::PartlyApplied`]'s message.
fn partly_applied(table: &str, version: &str, script: &str, cause: &Error, marked: bool) -> String {
    let (recorded, then) = if marked {
        (
            format!("the migration is marked failed in `{table}`"),
            format!(
                "repair the database by hand, then clear the mark with `schemakit migrate … resolve {version} --as applied` or `--as pending`"
            ),
        )
    } else {
        (
            format!("`{table}` has no place to mark it failed, so it is not recorded"),
            "repair the database by hand before the next `up`, which runs it again from its first statement".to_string(),
        )
    };
    format!(
        "migration {version}: its {script} script ran outside a transaction and failed part way; the statements before the failing one took effect, and {recorded}\n{cause}\n  {then}"
    )
}

/// A statement that failed, with where it is and what Postgres said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatementFailure {
    /// `file:line:col` of the failing statement.
    pub location: String,
    /// The statement's first line.
    pub statement: String,
    /// Postgres's message.
    pub message: String,
    /// Postgres's DETAIL.
    pub detail: Option<String>,
    /// Postgres's HINT.
    pub hint: Option<String>,
    /// SQLSTATE.
    pub code: String,
}

impl std::fmt::Display for StatementFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (SQLSTATE {})",
            self.location, self.message, self.code
        )?;
        if let Some(d) = &self.detail {
            write!(f, "\n  detail: {d}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        write!(f, "\n  statement: {}", self.statement)
    }
}

/// A row of the tracking table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// The version as recorded.
    pub version: String,
    /// The name recorded with it (empty when none was).
    pub name: String,
    /// The checksum recorded when it was applied, as the format records it (hex; Flyway's
    /// and refinery's as decimal numbers); empty when the row has none.
    pub checksum: String,
    /// When the migration is marked failed: the statement that failed and Postgres's
    /// message, or what the format records instead.
    pub failure: Option<String>,
    /// How the format identifies the row (the version as recorded, Prisma's directory
    /// name, drizzle's hash).
    #[serde(skip)]
    pub(crate) key: String,
}

/// The state of one migration against a database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied with the same checksum.
    Applied,
    /// Not applied yet.
    Pending,
    /// Applied, but the file changed since: both checksums.
    Changed {
        /// Recorded.
        recorded: String,
        /// On disk now.
        current: String,
    },
    /// Ran outside a transaction and stopped part way (marked failed, or dirty).
    Failed {
        /// The statement that failed and Postgres's message, as recorded.
        failure: String,
    },
}

/// A migration set against a database: each migration with its status, and the applied
/// versions that are not in the set.
#[derive(Debug, Clone)]
pub struct SetStatus<'a> {
    /// Each migration of the set, in order.
    pub migrations: Vec<(&'a Migration, Status)>,
    /// Rows of the tracking table whose version is not in the set, in version order.
    pub missing: Vec<Applied>,
    /// For each applied migration of the set (by index), the version as recorded.
    recorded: Vec<Option<String>>,
}

impl SetStatus<'_> {
    /// Whether everything is as recorded: nothing changed, missing or failed.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self
                .migrations
                .iter()
                .all(|(_, s)| matches!(s, Status::Applied | Status::Pending))
    }
}

/// What `resolve` records for a migration marked failed, after the database was
/// repaired by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The migration's work was completed by hand: it counts as applied.
    Applied,
    /// The migration's partial work was undone by hand: it counts as pending again.
    Pending,
}

/// Runs `f` holding the runner's advisory lock, so two runners against one database
/// serialize instead of interleaving.
pub fn with_lock<T>(
    client: &mut Client,
    f: impl FnOnce(&mut Client) -> Result<T, Error>,
) -> Result<T, Error> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .map_err(|e| Error::db("cannot take the migration lock", e))?;
    let result = f(client);
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]);
    result
}

/// The migration of `set` that `text` names, compared as versions (`1` = `001`).
fn target<'a>(set: &'a MigrationSet, text: &str) -> Result<&'a Version, Error> {
    let unknown = || {
        let known = match set.migrations.as_slice() {
            [] => "the set is empty".to_string(),
            [m] => format!("its one version is {}", m.version),
            [first, .., last] => format!(
                "{} migrations, from {} to {}",
                set.migrations.len(),
                first.version,
                last.version
            ),
        };
        Error::from(MigrateError::UnknownVersion {
            version: text.to_string(),
            known,
        })
    };
    // As written (`20240304123642_traces_view`, a drizzle tag), as a version, or by its
    // number when one migration has it.
    if let Some(v) = set
        .migrations
        .iter()
        .map(|m| &m.version)
        .find(|v| v.text == text)
    {
        return Ok(v);
    }
    let version = Version::parse(text).ok_or_else(unknown)?;
    if let Some(v) = set
        .migrations
        .iter()
        .map(|m| &m.version)
        .find(|v| **v == version)
    {
        return Ok(v);
    }
    let mut same = set
        .migrations
        .iter()
        .map(|m| &m.version)
        .filter(|v| v.same_number(&version));
    match (same.next(), same.next()) {
        (Some(v), None) => Ok(v),
        _ => Err(unknown()),
    }
}

/// Whether a recorded version is `version` (as versions, or as text when the recorded
/// one is not a version at all).
fn same_version(recorded: &str, version: &Version) -> bool {
    recorded == version.text || Version::parse(recorded).is_some_and(|v| v == *version)
}

/// Applies and reverts migrations, recording them in one tracking table.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    /// The tracking table and its format; what is left open follows the set (its tool's
    /// format, that format's table).
    pub tracking: Choice,
    /// Go on although applied migrations are not in the set (they are left alone).
    pub ignore_missing: bool,
}

impl Runner {
    /// A runner recording in `format`'s default table.
    pub fn with_format(format: Format) -> Runner {
        Runner {
            tracking: Choice::of(format),
            ignore_missing: false,
        }
    }

    /// The tracking table for `set`.
    pub fn tracking(&self, set: &MigrationSet) -> Tracking {
        self.tracking.resolve(set.layout)
    }

    /// Creates the tracking table when it is missing; refuses a table of another shape.
    pub fn ensure_tracking_table(
        &self,
        client: &mut Client,
        set: &MigrationSet,
    ) -> Result<(), Error> {
        let tracking = self.tracking(set);
        let shape = tracking.shape(client)?;
        tracking.prepare(client, shape)
    }

    /// The rows of the tracking table as the set's migrations see them, in version order
    /// (none when it does not exist). Writes nothing.
    pub fn applied(&self, client: &mut Client, set: &MigrationSet) -> Result<Vec<Applied>, Error> {
        let tracking = self.tracking(set);
        let shape = tracking.shape(client)?;
        tracking.read(client, shape, set)
    }

    fn status_with<'a>(
        &self,
        client: &mut Client,
        tracking: &Tracking,
        set: &'a MigrationSet,
        shape: Shape,
    ) -> Result<SetStatus<'a>, Error> {
        let mut recorded: Vec<Option<Applied>> = vec![None; set.migrations.len()];
        let mut missing = Vec::new();
        for a in tracking.read(client, shape, set)? {
            let found = set
                .migrations
                .iter()
                .position(|m| same_version(&a.version, &m.version));
            match found {
                Some(i) if recorded[i].is_none() => recorded[i] = Some(a),
                _ => missing.push(a),
            }
        }
        let migrations = set
            .migrations
            .iter()
            .zip(&recorded)
            .map(|(m, a)| {
                let status = match a {
                    None => Status::Pending,
                    Some(Applied {
                        failure: Some(failure),
                        ..
                    }) => Status::Failed {
                        failure: failure.clone(),
                    },
                    Some(a) if tracking.matches(&a.checksum, m) => Status::Applied,
                    Some(a) => Status::Changed {
                        recorded: a.checksum.clone(),
                        current: tracking.checksum(m).unwrap_or_default(),
                    },
                };
                (m, status)
            })
            .collect();
        Ok(SetStatus {
            migrations,
            missing,
            recorded: recorded.into_iter().map(|a| a.map(|a| a.key)).collect(),
        })
    }

    /// Each migration of the set with its status, and the applied versions missing from
    /// the set. Writes nothing: without a tracking table every migration is pending.
    pub fn status<'a>(
        &self,
        client: &mut Client,
        set: &'a MigrationSet,
    ) -> Result<SetStatus<'a>, Error> {
        let tracking = self.tracking(set);
        let shape = tracking.shape(client)?;
        self.status_with(client, &tracking, set, shape)
    }

    /// Refuses to go on when a migration is marked failed, an applied one changed, or
    /// (unless told to ignore them) applied ones are missing from the set.
    fn refuse(&self, tracking: &Tracking, status: &SetStatus<'_>) -> Result<(), Error> {
        let failed = status
            .migrations
            .iter()
            .filter_map(|(m, s)| match s {
                Status::Failed { failure } => Some((m.version.text.clone(), failure.clone())),
                _ => None,
            })
            .chain(
                status
                    .missing
                    .iter()
                    .filter_map(|a| Some((a.version.clone(), a.failure.clone()?))),
            )
            .next();
        if let Some((version, failure)) = failed {
            return Err(MigrateError::Failed {
                table: tracking.table.to_string(),
                version,
                failure,
            }
            .into());
        }
        for (m, s) in &status.migrations {
            if let Status::Changed { recorded, current } = s {
                return Err(Error::Changed {
                    version: m.version.text.clone(),
                    file: m.up.source.path.to_string(),
                    recorded: recorded.clone(),
                    current: current.clone(),
                });
            }
        }
        if !status.missing.is_empty() && !self.ignore_missing {
            return Err(MigrateError::Missing {
                table: tracking.table.to_string(),
                versions: status
                    .missing
                    .iter()
                    .map(|a| a.version.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
            .into());
        }
        Ok(())
    }

    /// Under the lock: the tracking table made ready (created when `create`), the status,
    /// and the refusals. `None` when there is no tracking table and none was created.
    fn begin<'a>(
        &self,
        client: &mut Client,
        tracking: &Tracking,
        set: &'a MigrationSet,
        create: bool,
    ) -> Result<Option<SetStatus<'a>>, Error> {
        let shape = tracking.shape(client)?;
        if shape == Shape::Absent && !create {
            return Ok(None);
        }
        tracking.prepare(client, shape)?;
        let status = self.status_with(client, tracking, set, Shape::Current)?;
        self.refuse(tracking, &status)?;
        Ok(Some(status))
    }

    /// Applies pending migrations in order, up to and including version `to` when given
    /// (which must be a version of the set). Returns the versions applied.
    pub fn up(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        to: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        let to = to.map(|t| target(set, t)).transpose()?;
        let tracking = self.tracking(set);
        let wanted = |m: &&Migration| to.is_none_or(|to| m.version <= *to);
        for m in set.migrations.iter().filter(wanted) {
            tracking.check_recordable(m)?;
        }
        with_lock(client, |client| {
            let Some(status) = self.begin(client, &tracking, set, true)? else {
                return Ok(Vec::new());
            };
            let mut done = Vec::new();
            for (m, s) in &status.migrations {
                if !wanted(m) {
                    break;
                }
                if *s == Status::Pending {
                    apply(client, &tracking, set, m)?;
                    done.push(m.version.text.clone());
                }
            }
            Ok(done)
        })
    }

    /// Reverts applied migrations newest first: down to (not including) version `to`
    /// (which must be a version of the set), or `steps` of them, or just the newest one.
    /// Returns the versions reverted.
    pub fn down(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        to: Option<&str>,
        steps: Option<usize>,
    ) -> Result<Vec<String>, Error> {
        let to = to.map(|t| target(set, t)).transpose()?;
        let tracking = self.tracking(set);
        with_lock(client, |client| {
            let Some(status) = self.begin(client, &tracking, set, false)? else {
                return Ok(Vec::new());
            };
            let mut done = Vec::new();
            for (m, recorded) in status.applied().rev() {
                match to {
                    Some(to) if m.version <= *to => break,
                    None if done.len() >= steps.unwrap_or(1) => break,
                    _ => {}
                }
                revert(client, &tracking, set, m, recorded)?;
                done.push(m.version.text.clone());
            }
            Ok(done)
        })
    }

    /// Reverts the newest applied migration and applies that one again. Returns its
    /// version, or `None` when nothing is applied.
    pub fn redo(&self, client: &mut Client, set: &MigrationSet) -> Result<Option<String>, Error> {
        let tracking = self.tracking(set);
        with_lock(client, |client| {
            let Some(status) = self.begin(client, &tracking, set, false)? else {
                return Ok(None);
            };
            let Some((m, recorded)) = status.applied().next_back() else {
                return Ok(None);
            };
            if m.down.is_none() {
                return Err(Error::Irreversible(m.version.text.clone()));
            }
            revert(client, &tracking, set, m, recorded)?;
            apply(client, &tracking, set, m)?;
            Ok(Some(m.version.text.clone()))
        })
    }

    /// Clears the failed mark of migration `version` once the database was repaired by
    /// hand: it counts as applied, or as pending again. Returns the version as recorded.
    pub fn resolve(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        version: &str,
        resolution: Resolution,
    ) -> Result<String, Error> {
        let tracking = self.tracking(set);
        let not_failed = || {
            Error::from(MigrateError::NotFailed {
                table: tracking.table.to_string(),
                version: version.to_string(),
            })
        };
        let wanted = Version::parse(version);
        with_lock(client, |client| {
            let shape = tracking.shape(client)?;
            let row = tracking
                .read(client, shape, set)?
                .into_iter()
                .find(|a| {
                    a.failure.is_some()
                        && match &wanted {
                            Some(v) => same_version(&a.version, v),
                            None => a.version == version,
                        }
                })
                .ok_or_else(not_failed)?;
            tracking.resolve(client, set, &row, resolution)?;
            Ok(row.version)
        })
    }

    /// Applies one migration's up script and records it, in one transaction unless the
    /// migration is marked no-transaction. A failure in a transaction leaves the database
    /// and the tracking table as they were; a failure outside one marks the migration
    /// failed where the format can.
    pub fn apply(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        m: &Migration,
    ) -> Result<u128, Error> {
        apply(client, &self.tracking(set), set, m)
    }

    /// Applies one migration's down script and removes its record (`recorded`, the row's
    /// key: the version as the tracking table has it, Prisma's directory name, drizzle's
    /// hash).
    pub fn revert(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        m: &Migration,
        recorded: &str,
    ) -> Result<u128, Error> {
        revert(client, &self.tracking(set), set, m, recorded)
    }
}

fn apply(
    client: &mut Client,
    tracking: &Tracking,
    set: &MigrationSet,
    m: &Migration,
) -> Result<u128, Error> {
    tracking.check_recordable(m)?;
    let start = Instant::now();
    if m.no_transaction {
        if let Err(e) = run_statements(client, &m.up) {
            return Err(partly(
                client,
                tracking,
                m,
                true,
                e,
                &tracking.key(m),
                start,
            ));
        }
        tracking.record_applied(client, set, m, start.elapsed())?;
    } else {
        let mut tx = client
            .transaction()
            .map_err(|e| Error::db("cannot begin", e))?;
        run_statements(&mut tx, &m.up)?;
        tracking.record_applied(&mut tx, set, m, start.elapsed())?;
        tx.commit().map_err(|e| Error::db("cannot commit", e))?;
    }
    Ok(start.elapsed().as_millis())
}

fn revert(
    client: &mut Client,
    tracking: &Tracking,
    set: &MigrationSet,
    m: &Migration,
    recorded: &str,
) -> Result<u128, Error> {
    let Some(down) = &m.down else {
        return Err(Error::Irreversible(m.version.text.clone()));
    };
    let start = Instant::now();
    if m.no_transaction {
        if let Err(e) = run_statements(client, down) {
            return Err(partly(client, tracking, m, false, e, recorded, start));
        }
        tracking.record_reverted(client, set, m, recorded)?;
    } else {
        let mut tx = client
            .transaction()
            .map_err(|e| Error::db("cannot begin", e))?;
        run_statements(&mut tx, down)?;
        tracking.record_reverted(&mut tx, set, m, recorded)?;
        tx.commit().map_err(|e| Error::db("cannot commit", e))?;
    }
    Ok(start.elapsed().as_millis())
}

/// A no-transaction script failed with `e`: marks the migration failed where the format
/// can (`recorded`: its row, for a down) and says so. Errors that are not a statement
/// failure (the script could not be split) ran nothing and mark nothing.
fn partly(
    client: &mut Client,
    tracking: &Tracking,
    m: &Migration,
    up: bool,
    e: Error,
    recorded: &str,
    start: Instant,
) -> Error {
    let Error::Statement(failure) = &e else {
        return e;
    };
    let text = failure.to_string();
    let script = if up { "up" } else { "down" };
    let marked = match tracking.mark_failed(client, m, up, &text, recorded, start.elapsed()) {
        Ok(marked) => marked,
        Err(db) => {
            return Error::Environment(format!(
                "migration {}: its {script} script failed part way ({text}), and it cannot be marked failed in `{}`: {db}",
                m.version, tracking.table
            ));
        }
    };
    MigrateError::PartlyApplied {
        table: tracking.table.to_string(),
        version: m.version.text.clone(),
        script,
        cause: Box::new(e),
        marked,
    }
    .into()
}

impl<'a> SetStatus<'a> {
    /// The applied migrations of the set (not failed, not changed), oldest first, each
    /// with its row's key.
    fn applied(&self) -> impl DoubleEndedIterator<Item = (&'a Migration, &str)> + '_ {
        self.migrations
            .iter()
            .zip(&self.recorded)
            .filter_map(|((m, s), r)| match (s, r) {
                (Status::Applied, Some(r)) => Some((*m, r.as_str())),
                _ => None,
            })
    }
}

// The runner that follows the set, for callers that need no options.

/// Creates the set's tracking table when missing; refuses a table of another shape.
pub fn ensure_tracking_table(client: &mut Client, set: &MigrationSet) -> Result<(), Error> {
    Runner::default().ensure_tracking_table(client, set)
}

/// The rows of the set's tracking table, in version order. Writes nothing.
pub fn applied(client: &mut Client, set: &MigrationSet) -> Result<Vec<Applied>, Error> {
    Runner::default().applied(client, set)
}

/// Each migration of the set with its status against its tracking table.
pub fn status<'a>(client: &mut Client, set: &'a MigrationSet) -> Result<SetStatus<'a>, Error> {
    Runner::default().status(client, set)
}

/// [`Runner::up`] with the set's tracking table.
pub fn up(client: &mut Client, set: &MigrationSet, to: Option<&str>) -> Result<Vec<String>, Error> {
    Runner::default().up(client, set, to)
}

/// [`Runner::down`] with the set's tracking table.
pub fn down(
    client: &mut Client,
    set: &MigrationSet,
    to: Option<&str>,
    steps: Option<usize>,
) -> Result<Vec<String>, Error> {
    Runner::default().down(client, set, to, steps)
}

/// Applies the statements of a script one by one, so a failure names its statement.
pub fn run_statements(
    client: &mut impl postgres::GenericClient,
    script: &Script,
) -> Result<(), Error> {
    let text = script.text();
    let chunks = schema::split::split(text).map_err(|e| {
        let loc = script.source.loc_at(script.start + e.offset);
        Error::Environment(format!("{loc}: {}", e.message))
    })?;
    for chunk in chunks {
        let sql = &text[chunk.start..chunk.end];
        if let Err(e) = client.batch_execute(sql) {
            let loc = script.source.loc_at(script.start + chunk.start);
            let (message, detail, hint, code) = match e.as_db_error() {
                Some(db) => (
                    db.message().to_string(),
                    db.detail().map(str::to_string),
                    db.hint().map(str::to_string),
                    db.code().code().to_string(),
                ),
                None => (e.to_string(), None, None, String::new()),
            };
            return Err(Error::Statement(Box::new(StatementFailure {
                location: loc.to_string(),
                statement: sql.lines().next().unwrap_or_default().to_string(),
                message,
                detail,
                hint,
                code,
            })));
        }
    }
    Ok(())
}
