//! The migration runner: applies a migration set's up and down scripts to a database,
//! recording what it applied in a tracking table (`schema_migrations` unless told
//! otherwise: `version`, `applied_at`, `name`, `checksum`, `execution_ms`, and `failed`
//! with `failure` for a no-transaction migration that stopped part way).
//!
//! The runner changes only what it was asked to: a target version that is not in the
//! set, an applied migration whose file is gone, a changed file or a migration marked
//! failed stops it before it changes anything. It never alters a table it did not
//! create, and `status` writes nothing.

use std::fmt;
use std::time::Instant;

use postgres::Client;
use schema::migrations::{Migration, MigrationSet, Script, Version};
use sha2::{Digest, Sha256};

use crate::Error;

/// The default tracking table.
pub const TRACKING_TABLE: &str = "schema_migrations";

/// The advisory lock key the runner holds while it runs ("schemakit" in ASCII, folded).
const LOCK_KEY: i64 = 0x7363_6865_6d61_6b69;

/// The longest identifier Postgres keeps (longer ones are truncated).
const MAX_IDENTIFIER_BYTES: usize = 63;

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
    /// The tracking table exists with columns schemakit did not give it.
    #[error(
        "table `{table}` exists but is not a schemakit tracking table ({found}); schemakit never alters a table it did not create: choose another tracking table with --tracking-table NAME"
    )]
    ForeignTable {
        /// The table.
        table: String,
        /// Its columns and types, or what kind of relation it is.
        found: String,
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
    /// A no-transaction script failed part way; the migration is now marked failed.
    #[error(
        "migration {version}: its {script} script ran outside a transaction and failed part way; the statements before the failing one took effect, and the migration is marked failed in `{table}`\n{cause}\n  repair the database by hand, then clear the mark with `schemakit migrate … resolve {version} --as applied` or `--as pending`"
    )]
    PartlyApplied {
        /// The tracking table.
        table: String,
        /// The version.
        version: String,
        /// `up` or `down`.
        script: &'static str,
        /// The statement failure.
        cause: Box<Error>,
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

/// The table the runner records applied migrations in: a name, optionally qualified by
/// a schema, taken literally (no case folding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingTable {
    schema: Option<String>,
    name: String,
}

impl TrackingTable {
    /// Reads `name` or `schema.name`.
    pub fn parse(text: &str) -> Result<TrackingTable, MigrateError> {
        let bad = |reason: &str| MigrateError::TableName {
            name: text.to_string(),
            reason: reason.to_string(),
        };
        let (schema, name) = match text.split_once('.') {
            Some((s, n)) => (Some(s), n),
            None => (None, text),
        };
        for part in schema.into_iter().chain([name]) {
            if part.is_empty() {
                return Err(bad("expected `name` or `schema.name`"));
            }
            if part.contains('.') {
                return Err(bad("expected at most one `.`, between schema and table"));
            }
            if part.contains('\0') {
                return Err(bad("a name cannot contain a NUL character"));
            }
            if part.len() > MAX_IDENTIFIER_BYTES {
                return Err(bad("Postgres truncates names longer than 63 bytes"));
            }
        }
        Ok(TrackingTable {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        })
    }

    /// The table as SQL, quoted.
    fn sql(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        match &self.schema {
            Some(schema) => format!("{}.{}", quote(schema), quote(&self.name)),
            None => quote(&self.name),
        }
    }
}

impl Default for TrackingTable {
    fn default() -> TrackingTable {
        TrackingTable {
            schema: None,
            name: TRACKING_TABLE.to_string(),
        }
    }
}

impl fmt::Display for TrackingTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
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

/// The checksum of a script: SHA-256 of its text with CRLF line endings made LF, in hex.
pub fn checksum(script: &Script) -> String {
    let text = script.text().replace("\r\n", "\n");
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A row of the tracking table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// The version as recorded.
    pub version: String,
    /// The name recorded with it (empty when none was).
    pub name: String,
    /// The checksum recorded when it was applied (empty for rows written by other tools).
    pub checksum: String,
    /// When the migration is marked failed: the statement that failed and Postgres's
    /// message.
    pub failure: Option<String>,
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

/// What the runner found where the tracking table should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No such table.
    Absent,
    /// The shape earlier schemakit versions created: no `failed`, `failure` columns.
    Previous,
    /// The current shape.
    Current,
}

/// The columns of the current shape, with the types `format_type` prints.
const COLUMNS: &[(&str, &str)] = &[
    ("version", "character varying(255)"),
    ("applied_at", "timestamp with time zone"),
    ("name", "text"),
    ("checksum", "text"),
    ("execution_ms", "bigint"),
    ("failed", "boolean"),
    ("failure", "text"),
];

/// How many of [`COLUMNS`] the previous shape had.
const PREVIOUS_COLUMNS: usize = 5;

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
    let version = Version::parse(text).ok_or_else(unknown)?;
    set.migrations
        .iter()
        .map(|m| &m.version)
        .find(|v| **v == version)
        .ok_or_else(unknown)
}

/// Whether a recorded version is `version` (as versions, or as text when the recorded
/// one is not a version at all).
fn same_version(recorded: &str, version: &Version) -> bool {
    match Version::parse(recorded) {
        Some(v) => v == *version,
        None => recorded == version.text,
    }
}

/// Reads column `i` of a row, as an error rather than a panic when it does not fit.
fn column<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    i: usize,
    table: &TrackingTable,
) -> Result<T, Error> {
    row.try_get(i)
        .map_err(|e| Error::db(&format!("cannot read the tracking table `{table}`"), e))
}

/// Applies and reverts migrations, recording them in one tracking table.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    /// The tracking table.
    pub table: TrackingTable,
    /// Go on although applied migrations are not in the set (they are left alone).
    pub ignore_missing: bool,
}

impl Runner {
    /// What is where the tracking table should be. Reads the catalog only; a table of
    /// another shape is an error.
    fn shape(&self, client: &mut Client) -> Result<Shape, Error> {
        let rows = client
            .query(
                "SELECT c.relkind::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
                 FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_attribute a
                   ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE c.oid = to_regclass($1)
                 ORDER BY a.attnum",
                &[&self.table.sql()],
            )
            .map_err(|e| Error::db(&format!("cannot look up table `{}`", self.table), e))?;
        let Some(first) = rows.first() else {
            return Ok(Shape::Absent);
        };
        let kind: String = column(first, 0, &self.table)?;
        let mut columns: Vec<(String, String)> = Vec::new();
        for row in &rows {
            let name: Option<String> = column(row, 1, &self.table)?;
            let ty: Option<String> = column(row, 2, &self.table)?;
            if let (Some(name), Some(ty)) = (name, ty) {
                columns.push((name, ty));
            }
        }
        let fits = |expected: &[(&str, &str)]| {
            columns.len() == expected.len()
                && expected.iter().all(|(name, ty)| {
                    columns.iter().any(|(n, t)| {
                        n == name
                            && (t == ty
                                || (*name == "version"
                                    && (t == "text" || t.starts_with("character varying"))))
                    })
                })
        };
        let found = match kind.as_str() {
            "r" | "p" if fits(COLUMNS) => return Ok(Shape::Current),
            "r" | "p" if fits(&COLUMNS[..PREVIOUS_COLUMNS]) => return Ok(Shape::Previous),
            "r" | "p" => format!(
                "columns {}",
                columns
                    .iter()
                    .map(|(n, t)| format!("{n} {t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "v" => "a view, not a table".to_string(),
            "m" => "a materialized view, not a table".to_string(),
            "f" => "a foreign table".to_string(),
            "S" => "a sequence, not a table".to_string(),
            other => format!("a relation of kind `{other}`, not a table"),
        };
        Err(MigrateError::ForeignTable {
            table: self.table.to_string(),
            found,
        }
        .into())
    }

    /// Creates the tracking table, or brings the shape earlier schemakit versions created
    /// up to date. Never touches a table of another shape.
    fn prepare(&self, client: &mut Client, shape: Shape) -> Result<(), Error> {
        let t = self.table.sql();
        let sql = match shape {
            Shape::Current => return Ok(()),
            Shape::Absent => format!(
                "CREATE TABLE {t} (
                    version VARCHAR(255) PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
                    name TEXT,
                    checksum TEXT,
                    execution_ms BIGINT,
                    failed BOOLEAN NOT NULL DEFAULT FALSE,
                    failure TEXT
                )"
            ),
            Shape::Previous => format!(
                "ALTER TABLE {t} ADD COLUMN failed BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN failure TEXT"
            ),
        };
        client.batch_execute(&sql).map_err(|e| {
            Error::db(
                &format!("cannot create the tracking table `{}`", self.table),
                e,
            )
        })
    }

    /// Creates the tracking table when it is missing; refuses a table of another shape.
    pub fn ensure_tracking_table(&self, client: &mut Client) -> Result<(), Error> {
        let shape = self.shape(client)?;
        self.prepare(client, shape)
    }

    fn read(&self, client: &mut Client, shape: Shape) -> Result<Vec<Applied>, Error> {
        let failure = match shape {
            Shape::Absent => return Ok(Vec::new()),
            Shape::Previous => "NULL::text",
            Shape::Current => "CASE WHEN failed THEN coalesce(failure, '') END",
        };
        let rows = client
            .query(
                &format!(
                    "SELECT version::text, coalesce(name, ''), coalesce(checksum, ''), {failure}
                     FROM {} ORDER BY version",
                    self.table.sql()
                ),
                &[],
            )
            .map_err(|e| {
                Error::db(
                    &format!("cannot read the tracking table `{}`", self.table),
                    e,
                )
            })?;
        let mut applied = Vec::with_capacity(rows.len());
        for row in &rows {
            applied.push(Applied {
                version: column(row, 0, &self.table)?,
                name: column(row, 1, &self.table)?,
                checksum: column(row, 2, &self.table)?,
                failure: column(row, 3, &self.table)?,
            });
        }
        applied.sort_by_cached_key(|a| (Version::parse(&a.version), a.version.clone()));
        Ok(applied)
    }

    /// The rows of the tracking table, in version order (none when it does not exist).
    /// Writes nothing.
    pub fn applied(&self, client: &mut Client) -> Result<Vec<Applied>, Error> {
        let shape = self.shape(client)?;
        self.read(client, shape)
    }

    fn status_with<'a>(
        &self,
        client: &mut Client,
        set: &'a MigrationSet,
        shape: Shape,
    ) -> Result<SetStatus<'a>, Error> {
        let mut recorded: Vec<Option<Applied>> = vec![None; set.migrations.len()];
        let mut missing = Vec::new();
        for a in self.read(client, shape)? {
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
                    Some(a) => {
                        let current = checksum(&m.up);
                        if a.checksum.is_empty() || a.checksum == current {
                            Status::Applied
                        } else {
                            Status::Changed {
                                recorded: a.checksum.clone(),
                                current,
                            }
                        }
                    }
                };
                (m, status)
            })
            .collect();
        Ok(SetStatus {
            migrations,
            missing,
            recorded: recorded.into_iter().map(|a| a.map(|a| a.version)).collect(),
        })
    }

    /// Each migration of the set with its status, and the applied versions missing from
    /// the set. Writes nothing: without a tracking table every migration is pending.
    pub fn status<'a>(
        &self,
        client: &mut Client,
        set: &'a MigrationSet,
    ) -> Result<SetStatus<'a>, Error> {
        let shape = self.shape(client)?;
        self.status_with(client, set, shape)
    }

    /// Refuses to go on when a migration is marked failed, an applied one changed, or
    /// (unless told to ignore them) applied ones are missing from the set.
    fn refuse(&self, status: &SetStatus<'_>) -> Result<(), Error> {
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
                table: self.table.to_string(),
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
                table: self.table.to_string(),
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
        set: &'a MigrationSet,
        create: bool,
    ) -> Result<Option<SetStatus<'a>>, Error> {
        let shape = self.shape(client)?;
        if shape == Shape::Absent && !create {
            return Ok(None);
        }
        self.prepare(client, shape)?;
        let status = self.status_with(client, set, Shape::Current)?;
        self.refuse(&status)?;
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
        with_lock(client, |client| {
            let Some(status) = self.begin(client, set, true)? else {
                return Ok(Vec::new());
            };
            let mut done = Vec::new();
            for (m, s) in &status.migrations {
                if to.is_some_and(|to| m.version > *to) {
                    break;
                }
                if *s == Status::Pending {
                    self.apply(client, m)?;
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
        with_lock(client, |client| {
            let Some(status) = self.begin(client, set, false)? else {
                return Ok(Vec::new());
            };
            let mut done = Vec::new();
            for (m, recorded) in status.applied().rev() {
                match to {
                    Some(to) if m.version <= *to => break,
                    None if done.len() >= steps.unwrap_or(1) => break,
                    _ => {}
                }
                self.revert(client, m, recorded)?;
                done.push(m.version.text.clone());
            }
            Ok(done)
        })
    }

    /// Reverts the newest applied migration and applies that one again. Returns its
    /// version, or `None` when nothing is applied.
    pub fn redo(&self, client: &mut Client, set: &MigrationSet) -> Result<Option<String>, Error> {
        with_lock(client, |client| {
            let Some(status) = self.begin(client, set, false)? else {
                return Ok(None);
            };
            let Some((m, recorded)) = status.applied().next_back() else {
                return Ok(None);
            };
            if m.down.is_none() {
                return Err(Error::Irreversible(m.version.text.clone()));
            }
            self.revert(client, m, recorded)?;
            self.apply(client, m)?;
            Ok(Some(m.version.text.clone()))
        })
    }

    /// Clears the failed mark of migration `version` once the database was repaired by
    /// hand: it counts as applied, or as pending again. Returns the version as recorded.
    pub fn resolve(
        &self,
        client: &mut Client,
        version: &str,
        resolution: Resolution,
    ) -> Result<String, Error> {
        let not_failed = || {
            Error::from(MigrateError::NotFailed {
                table: self.table.to_string(),
                version: version.to_string(),
            })
        };
        let wanted = Version::parse(version);
        with_lock(client, |client| {
            let shape = self.shape(client)?;
            let row = self
                .read(client, shape)?
                .into_iter()
                .find(|a| {
                    a.failure.is_some()
                        && match &wanted {
                            Some(v) => same_version(&a.version, v),
                            None => a.version == version,
                        }
                })
                .ok_or_else(not_failed)?;
            let t = self.table.sql();
            let sql = match resolution {
                Resolution::Applied => {
                    format!("UPDATE {t} SET failed = FALSE, failure = NULL WHERE version = $1")
                }
                Resolution::Pending => format!("DELETE FROM {t} WHERE version = $1"),
            };
            client.execute(&sql, &[&row.version]).map_err(|e| {
                Error::db(
                    &format!(
                        "migration {}: cannot clear its mark in `{}`",
                        row.version, self.table
                    ),
                    e,
                )
            })?;
            Ok(row.version)
        })
    }

    /// Applies one migration's up script and records it, in one transaction unless the
    /// migration is marked no-transaction. A failure in a transaction leaves the database
    /// and the tracking table as they were; a failure outside one marks the migration
    /// failed.
    pub fn apply(&self, client: &mut Client, m: &Migration) -> Result<u128, Error> {
        let start = Instant::now();
        let sum = checksum(&m.up);
        let t = self.table.sql();
        let record = format!(
            "INSERT INTO {t} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)"
        );
        let cannot_record = |e| {
            Error::db(
                &format!(
                    "migration {}: cannot record it in `{}`",
                    m.version, self.table
                ),
                e,
            )
        };
        if m.no_transaction {
            if let Err(e) = run_statements(client, &m.up) {
                let ms = start.elapsed().as_millis() as i64;
                let mark = format!(
                    "INSERT INTO {t} (version, name, checksum, execution_ms, failed, failure) VALUES ($1, $2, $3, $4, TRUE, $5)"
                );
                return Err(self.partly(
                    client,
                    m,
                    "up",
                    e,
                    &mark,
                    &[&m.version.text, &m.name, &sum, &ms],
                ));
            }
            let ms = start.elapsed().as_millis() as i64;
            client
                .execute(&record, &[&m.version.text, &m.name, &sum, &ms])
                .map_err(cannot_record)?;
        } else {
            let mut tx = client
                .transaction()
                .map_err(|e| Error::db("cannot begin", e))?;
            run_statements(&mut tx, &m.up)?;
            let ms = start.elapsed().as_millis() as i64;
            tx.execute(&record, &[&m.version.text, &m.name, &sum, &ms])
                .map_err(cannot_record)?;
            tx.commit().map_err(|e| Error::db("cannot commit", e))?;
        }
        Ok(start.elapsed().as_millis())
    }

    /// Applies one migration's down script and removes its record (`recorded`, the
    /// version as the tracking table has it).
    pub fn revert(
        &self,
        client: &mut Client,
        m: &Migration,
        recorded: &str,
    ) -> Result<u128, Error> {
        let Some(down) = &m.down else {
            return Err(Error::Irreversible(m.version.text.clone()));
        };
        let start = Instant::now();
        let t = self.table.sql();
        let forget = format!("DELETE FROM {t} WHERE version = $1");
        let cannot_forget = |e| {
            Error::db(
                &format!(
                    "migration {}: cannot remove its record from {}",
                    m.version, self.table
                ),
                e,
            )
        };
        if m.no_transaction {
            if let Err(e) = run_statements(client, down) {
                let mark = format!("UPDATE {t} SET failed = TRUE, failure = $2 WHERE version = $1");
                return Err(self.partly(client, m, "down", e, &mark, &[&recorded]));
            }
            client
                .execute(&forget, &[&recorded])
                .map_err(cannot_forget)?;
        } else {
            let mut tx = client
                .transaction()
                .map_err(|e| Error::db("cannot begin", e))?;
            run_statements(&mut tx, down)?;
            tx.execute(&forget, &[&recorded]).map_err(cannot_forget)?;
            tx.commit().map_err(|e| Error::db("cannot commit", e))?;
        }
        Ok(start.elapsed().as_millis())
    }

    /// A no-transaction script failed with `e`: marks the migration failed with `mark`
    /// (its parameters, then the failure text last) and says so. Errors that are not a
    /// statement failure (the script could not be split) ran nothing and mark nothing.
    fn partly(
        &self,
        client: &mut Client,
        m: &Migration,
        script: &'static str,
        e: Error,
        mark: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Error {
        let Error::Statement(failure) = &e else {
            return e;
        };
        let text = failure.to_string();
        let mut all: Vec<&(dyn postgres::types::ToSql + Sync)> = params.to_vec();
        all.push(&text);
        if let Err(db) = client.execute(mark, &all) {
            return Error::db(
                &format!(
                    "migration {}: its {script} script failed part way ({text}), and it cannot be marked failed in `{}`",
                    m.version, self.table
                ),
                db,
            );
        }
        MigrateError::PartlyApplied {
            table: self.table.to_string(),
            version: m.version.text.clone(),
            script,
            cause: Box::new(e),
        }
        .into()
    }
}

impl<'a> SetStatus<'a> {
    /// The applied migrations of the set (not failed, not changed), oldest first, each
    /// with its version as recorded.
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

// The default runner, for callers that need no options.

/// Creates the default tracking table when missing; refuses a table of another shape.
pub fn ensure_tracking_table(client: &mut Client) -> Result<(), Error> {
    Runner::default().ensure_tracking_table(client)
}

/// The rows of the default tracking table, in version order. Writes nothing.
pub fn applied(client: &mut Client) -> Result<Vec<Applied>, Error> {
    Runner::default().applied(client)
}

/// Each migration of the set with its status against the default tracking table.
pub fn status<'a>(client: &mut Client, set: &'a MigrationSet) -> Result<SetStatus<'a>, Error> {
    Runner::default().status(client, set)
}

/// [`Runner::up`] with the default tracking table.
pub fn up(client: &mut Client, set: &MigrationSet, to: Option<&str>) -> Result<Vec<String>, Error> {
    Runner::default().up(client, set, to)
}

/// [`Runner::down`] with the default tracking table.
pub fn down(
    client: &mut Client,
    set: &MigrationSet,
    to: Option<&str>,
    steps: Option<usize>,
) -> Result<Vec<String>, Error> {
    Runner::default().down(client, set, to, steps)
}

/// [`Runner::apply`] with the default tracking table.
pub fn apply_up(client: &mut Client, m: &Migration) -> Result<u128, Error> {
    Runner::default().apply(client, m)
}

/// [`Runner::revert`] with the default tracking table.
pub fn apply_down(client: &mut Client, m: &Migration) -> Result<u128, Error> {
    Runner::default().revert(client, m, &m.version.text)
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
