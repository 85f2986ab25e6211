//! The migration runner: applies a migration set's up and down scripts to a database,
//! recording what it applied in `schema_migrations` (the seed 000 shape, `version` and
//! `applied_at`, extended with `name`, `checksum` and `execution_ms`).

use std::time::Instant;

use postgres::Client;
use schema::migrations::{Migration, MigrationSet, Script};
use sha2::{Digest, Sha256};

use crate::Error;

/// The tracking table.
pub const TRACKING_TABLE: &str = "schema_migrations";

/// The advisory lock key the runner holds while it runs ("schemakit" in ASCII, folded).
const LOCK_KEY: i64 = 0x7363_6865_6d61_6b69;

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
    /// The version as written.
    pub version: String,
    /// The checksum recorded when it was applied (empty for rows written by other tools).
    pub checksum: String,
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
}

/// Creates the tracking table when missing.
pub fn ensure_tracking_table(client: &mut Client) -> Result<(), Error> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} (
                version VARCHAR(255) PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
                name TEXT,
                checksum TEXT,
                execution_ms BIGINT
            );
            ALTER TABLE {TRACKING_TABLE} ADD COLUMN IF NOT EXISTS name TEXT;
            ALTER TABLE {TRACKING_TABLE} ADD COLUMN IF NOT EXISTS checksum TEXT;
            ALTER TABLE {TRACKING_TABLE} ADD COLUMN IF NOT EXISTS execution_ms BIGINT;"
        ))
        .map_err(|e| Error::db("cannot create the tracking table", e))
}

/// The applied versions, in version order.
pub fn applied(client: &mut Client) -> Result<Vec<Applied>, Error> {
    ensure_tracking_table(client)?;
    let rows = client
        .query(
            &format!(
                "SELECT version, coalesce(checksum, '') FROM {TRACKING_TABLE} ORDER BY version"
            ),
            &[],
        )
        .map_err(|e| Error::db("cannot read the tracking table", e))?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            version: r.get(0),
            checksum: r.get(1),
        })
        .collect())
}

/// Each migration of the set with its status.
pub fn status<'a>(
    client: &mut Client,
    set: &'a MigrationSet,
) -> Result<Vec<(&'a Migration, Status)>, Error> {
    let applied = applied(client)?;
    Ok(set
        .migrations
        .iter()
        .map(|m| {
            let status = match applied.iter().find(|a| a.version == m.version.text) {
                None => Status::Pending,
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
        .collect())
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

/// Applies one migration's up script and records it, in one transaction unless the
/// migration is marked no-transaction. A failure leaves the database and the tracking
/// table as they were.
pub fn apply_up(client: &mut Client, m: &Migration) -> Result<u128, Error> {
    let start = Instant::now();
    let sum = checksum(&m.up);
    let record = format!(
        "INSERT INTO {TRACKING_TABLE} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)"
    );
    if m.no_transaction {
        run_statements(client, &m.up)?;
        let ms = start.elapsed().as_millis() as i64;
        client
            .execute(&record, &[&m.version.text, &m.name, &sum, &ms])
            .map_err(|e| Error::db("cannot record the migration", e))?;
    } else {
        let mut tx = client
            .transaction()
            .map_err(|e| Error::db("cannot begin", e))?;
        run_statements(&mut tx, &m.up)?;
        let ms = start.elapsed().as_millis() as i64;
        tx.execute(&record, &[&m.version.text, &m.name, &sum, &ms])
            .map_err(|e| {
                Error::db(
                    &format!(
                        "migration {}: cannot record it in {TRACKING_TABLE}",
                        m.version
                    ),
                    e,
                )
            })?;
        tx.commit().map_err(|e| Error::db("cannot commit", e))?;
    }
    Ok(start.elapsed().as_millis())
}

/// Applies one migration's down script and removes its record.
pub fn apply_down(client: &mut Client, m: &Migration) -> Result<u128, Error> {
    let Some(down) = &m.down else {
        return Err(Error::Irreversible(m.version.text.clone()));
    };
    let start = Instant::now();
    let forget = format!("DELETE FROM {TRACKING_TABLE} WHERE version = $1");
    if m.no_transaction {
        run_statements(client, down)?;
        client.execute(&forget, &[&m.version.text]).map_err(|e| {
            Error::db(
                &format!(
                    "migration {}: cannot remove its record from {TRACKING_TABLE}",
                    m.version
                ),
                e,
            )
        })?;
    } else {
        let mut tx = client
            .transaction()
            .map_err(|e| Error::db("cannot begin", e))?;
        run_statements(&mut tx, down)?;
        tx.execute(&forget, &[&m.version.text]).map_err(|e| {
            Error::db(
                &format!(
                    "migration {}: cannot remove its record from {TRACKING_TABLE}",
                    m.version
                ),
                e,
            )
        })?;
        tx.commit().map_err(|e| Error::db("cannot commit", e))?;
    }
    Ok(start.elapsed().as_millis())
}

/// Refuses to go on when an applied migration's file changed since.
fn refuse_changed(statuses: &[(&Migration, Status)]) -> Result<(), Error> {
    for (m, s) in statuses {
        if let Status::Changed { recorded, current } = s {
            return Err(Error::Changed {
                version: m.version.text.clone(),
                file: m.up.source.path.to_string(),
                recorded: recorded.clone(),
                current: current.clone(),
            });
        }
    }
    Ok(())
}

/// Applies pending migrations in order, up to and including `to` when given. Returns the
/// versions applied.
pub fn up(client: &mut Client, set: &MigrationSet, to: Option<&str>) -> Result<Vec<String>, Error> {
    with_lock(client, |client| {
        let statuses = status(client, set)?;
        refuse_changed(&statuses)?;
        let mut done = Vec::new();
        for (m, s) in statuses {
            if s == Status::Pending {
                apply_up(client, m)?;
                done.push(m.version.text.clone());
            }
            if to == Some(m.version.text.as_str()) {
                break;
            }
        }
        Ok(done)
    })
}

/// Reverts applied migrations newest first: `steps` of them, or down to (not including)
/// version `to`, or just the newest one. Returns the versions reverted.
pub fn down(
    client: &mut Client,
    set: &MigrationSet,
    to: Option<&str>,
    steps: Option<usize>,
) -> Result<Vec<String>, Error> {
    with_lock(client, |client| {
        let statuses = status(client, set)?;
        refuse_changed(&statuses)?;
        let applied: Vec<&Migration> = statuses
            .iter()
            .filter(|(_, s)| *s == Status::Applied)
            .map(|(m, _)| *m)
            .collect();
        let mut done = Vec::new();
        for m in applied.iter().rev() {
            if to == Some(m.version.text.as_str()) {
                break;
            }
            if to.is_none() && done.len() >= steps.unwrap_or(1) {
                break;
            }
            apply_down(client, m)?;
            done.push(m.version.text.clone());
        }
        Ok(done)
    })
}
