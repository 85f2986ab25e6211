//! The tracking table: where the runner records which migrations it applied. By default
//! it is the table of the tool the set was written for, with that tool's columns, written
//! the way that tool writes it, so schemakit can take over a database the tool already
//! manages, the tool can take it back, and migrations that read the table keep working.
//!
//! | format | default table | a row per | checksum | failed mark |
//! | --- | --- | --- | --- | --- |
//! | `schemakit` | `schema_migrations` | migration | SHA-256 (CRLF made LF) | `failed`, `failure` |
//! | `diesel` | `__diesel_schema_migrations` | migration | — | — |
//! | `sqlx` | `_sqlx_migrations` | migration | SHA-384 | `success = false` |
//! | `prisma` | `_prisma_migrations` | attempt | SHA-256 | unfinished, `logs` |
//! | `goose` | `goose_db_version` | event | — | — |
//! | `golang-migrate` | `schema_migrations` | database (one row) | — | `dirty` |
//! | `dbmate` | `schema_migrations` | migration | — | — |
//! | `flyway` | `flyway_schema_history` | attempt | CRC-32 of the lines | `success = false` |
//! | `refinery` | `refinery_schema_history` | migration | SipHash-1-3 | — |
//! | `drizzle` | `drizzle.__drizzle_migrations` | migration | SHA-256 (CRLF made LF) | — |
//!
//! What a format has no column for is not kept: without a checksum an edited applied file
//! goes unnoticed, and without a failed mark a no-transaction migration that stopped part
//! way is not recorded at all (the tool itself would run it again).

mod checksums;
mod read;
mod write;

use std::fmt;
use std::path::Path;

use postgres::Client;
use schema::migrations::{Layout, Migration};
use schema::model::QualifiedName;

use crate::Error;
use crate::runner::MigrateError;

/// The longest identifier Postgres keeps (longer ones are truncated).
const MAX_IDENTIFIER_BYTES: usize = 63;

/// The layout of a tracking table and how rows are written to it: schemakit's own, or
/// another tool's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// schemakit's own: one row per applied migration, with its name, checksum, time and
    /// failed mark.
    Schemakit,
    /// diesel: the version, dashes removed, and when it ran.
    Diesel,
    /// sqlx: version, description, SHA-384 checksum, success, time in nanoseconds.
    Sqlx,
    /// Prisma: one row per attempt, by directory name, with the SHA-256 of `migration.sql`.
    Prisma,
    /// goose: one row per event (`is_applied`), a version 0 row first.
    Goose,
    /// golang-migrate: one row, the current version and whether it is dirty.
    GolangMigrate,
    /// dbmate (and Rails): the applied versions.
    Dbmate,
    /// Flyway: one row per attempt, with description, script, CRC-32 and success.
    Flyway,
    /// refinery: version, name, time (RFC 3339 text) and SipHash checksum.
    Refinery,
    /// drizzle: the SHA-256 of each file and its journal timestamp.
    Drizzle,
}

impl Format {
    /// Every format, for help texts and `--tracking`.
    pub const ALL: [Format; 10] = [
        Format::Schemakit,
        Format::Diesel,
        Format::Sqlx,
        Format::Prisma,
        Format::Goose,
        Format::GolangMigrate,
        Format::Dbmate,
        Format::Flyway,
        Format::Refinery,
        Format::Drizzle,
    ];

    /// The format's name on the command line and in `schemakit.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Schemakit => "schemakit",
            Format::Diesel => "diesel",
            Format::Sqlx => "sqlx",
            Format::Prisma => "prisma",
            Format::Goose => "goose",
            Format::GolangMigrate => "golang-migrate",
            Format::Dbmate => "dbmate",
            Format::Flyway => "flyway",
            Format::Refinery => "refinery",
            Format::Drizzle => "drizzle",
        }
    }

    /// The format called `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The format of the tool that writes sets in `layout`. golang-migrate shares sqlx's
    /// files and refinery Flyway's: those two are chosen explicitly.
    pub fn for_layout(layout: Layout) -> Format {
        match layout {
            Layout::UpDown => Format::Schemakit,
            Layout::Dbmate => Format::Dbmate,
            Layout::Goose => Format::Goose,
            Layout::Sqlx => Format::Sqlx,
            Layout::Diesel => Format::Diesel,
            Layout::Flyway => Format::Flyway,
            Layout::Prisma => Format::Prisma,
            Layout::Drizzle => Format::Drizzle,
        }
    }

    /// The table the tool uses unless told otherwise.
    pub fn default_table(self) -> TrackingTable {
        let (schema, name) = match self {
            Format::Schemakit | Format::GolangMigrate | Format::Dbmate => {
                (None, "schema_migrations")
            }
            Format::Diesel => (None, "__diesel_schema_migrations"),
            Format::Sqlx => (None, "_sqlx_migrations"),
            Format::Prisma => (None, "_prisma_migrations"),
            Format::Goose => (None, "goose_db_version"),
            Format::Flyway => (None, "flyway_schema_history"),
            Format::Refinery => (None, "refinery_schema_history"),
            Format::Drizzle => (Some("drizzle"), "__drizzle_migrations"),
        };
        TrackingTable {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        }
    }

    /// The columns the tool creates, with the types `format_type` prints.
    fn columns(self) -> &'static [(&'static str, &'static str)] {
        const VARCHAR_255: &str = "character varying(255)";
        const TIMESTAMPTZ: &str = "timestamp with time zone";
        const TIMESTAMP: &str = "timestamp without time zone";
        match self {
            Format::Schemakit => &[
                ("version", VARCHAR_255),
                ("applied_at", TIMESTAMPTZ),
                ("name", "text"),
                ("checksum", "text"),
                ("execution_ms", "bigint"),
                ("failed", "boolean"),
                ("failure", "text"),
            ],
            Format::Diesel => &[("version", "character varying(50)"), ("run_on", TIMESTAMP)],
            Format::Sqlx => &[
                ("version", "bigint"),
                ("description", "text"),
                ("installed_on", TIMESTAMPTZ),
                ("success", "boolean"),
                ("checksum", "bytea"),
                ("execution_time", "bigint"),
            ],
            Format::Prisma => &[
                ("id", "character varying(36)"),
                ("checksum", "character varying(64)"),
                ("finished_at", TIMESTAMPTZ),
                ("migration_name", VARCHAR_255),
                ("logs", "text"),
                ("rolled_back_at", TIMESTAMPTZ),
                ("started_at", TIMESTAMPTZ),
                ("applied_steps_count", "integer"),
            ],
            Format::Goose => &[
                ("id", "integer"),
                ("version_id", "bigint"),
                ("is_applied", "boolean"),
                ("tstamp", TIMESTAMP),
            ],
            Format::GolangMigrate => &[("version", "bigint"), ("dirty", "boolean")],
            Format::Dbmate => &[("version", VARCHAR_255)],
            Format::Flyway => &[
                ("installed_rank", "integer"),
                ("version", "character varying(50)"),
                ("description", "character varying(200)"),
                ("type", "character varying(20)"),
                ("script", "character varying(1000)"),
                ("checksum", "integer"),
                ("installed_by", "character varying(100)"),
                ("installed_on", TIMESTAMP),
                ("execution_time", "integer"),
                ("success", "boolean"),
            ],
            Format::Refinery => &[
                ("version", "integer"),
                ("name", VARCHAR_255),
                ("applied_on", VARCHAR_255),
                ("checksum", VARCHAR_255),
            ],
            Format::Drizzle => &[
                ("id", "integer"),
                ("hash", "text"),
                ("created_at", "bigint"),
            ],
        }
    }

    /// Whether a table with `columns` (name, type) is in this format. A text `version`
    /// column may be `text` or a `varchar` of any length (Rails's is unbounded).
    fn fits(self, columns: &[(String, String)]) -> bool {
        fits(self.columns(), columns)
    }

    /// Whether this format has a place to mark a migration that stopped part way.
    pub fn marks_failures(self) -> bool {
        matches!(
            self,
            Format::Schemakit
                | Format::Sqlx
                | Format::Prisma
                | Format::GolangMigrate
                | Format::Flyway
        )
    }
}

fn fits(expected: &[(&str, &str)], columns: &[(String, String)]) -> bool {
    columns.len() == expected.len()
        && expected.iter().all(|(name, ty)| {
            columns.iter().any(|(n, t)| {
                n == name
                    && (t == ty
                        || (*name == "version"
                            && ty.starts_with("character varying")
                            && (t == "text" || t.starts_with("character varying"))))
            })
        })
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Format::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!(
                "unknown tracking format `{s}`; expected one of: {}",
                names.join(", ")
            )
        })
    }
}

/// A tracking table's name, optionally qualified by a schema, taken literally (no case
/// folding).
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

    /// The table as a model name (`public` when no schema is given), to leave it out of
    /// the catalog.
    pub fn qualified(&self) -> QualifiedName {
        QualifiedName::new(self.schema.as_deref().unwrap_or("public"), &self.name)
    }

    /// The table as SQL, quoted.
    pub(crate) fn sql(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote(schema), quote(&self.name)),
            None => quote(&self.name),
        }
    }
}

impl Default for TrackingTable {
    fn default() -> TrackingTable {
        Format::Schemakit.default_table()
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

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// What was chosen (on the command line or in `schemakit.toml`); each part left open
/// defaults: the format to the set's own tool's, the table to the format's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// The format, when chosen.
    pub format: Option<Format>,
    /// The table, when chosen.
    pub table: Option<TrackingTable>,
}

impl Choice {
    /// A format at its default table.
    pub fn of(format: Format) -> Choice {
        Choice {
            format: Some(format),
            table: None,
        }
    }

    /// The tracking table for a set in `layout`.
    pub fn resolve(&self, layout: Layout) -> Tracking {
        let format = self.format.unwrap_or(Format::for_layout(layout));
        Tracking {
            format,
            table: self.table.clone().unwrap_or_else(|| format.default_table()),
        }
    }
}

/// A tracking table and its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// How rows are laid out and written.
    pub format: Format,
    /// Where.
    pub table: TrackingTable,
}

/// What the runner found where the tracking table should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// No such table.
    Absent,
    /// schemakit's table as earlier versions created it: no `failed`, `failure` columns.
    Previous,
    /// The format's shape.
    Current,
}

/// How many of schemakit's columns its previous shape had.
const PREVIOUS_COLUMNS: usize = 5;

/// Reads column `i` of a row, as an error rather than a panic when it does not fit.
pub(crate) fn column<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    i: usize,
    table: &TrackingTable,
) -> Result<T, Error> {
    row.try_get(i)
        .map_err(|e| Error::db(&format!("cannot read the tracking table `{table}`"), e))
}

/// A migration's version as an integer, for the tools that record one.
fn int_version(m: &Migration) -> Option<i64> {
    m.version.text.parse().ok()
}

/// The file name of a migration's up script, and the name of its directory.
fn file_and_dir(m: &Migration) -> (String, String) {
    let path = Path::new(&*m.up.source.path);
    let name = |p: Option<&Path>| {
        p.and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    (name(Some(path)), name(path.parent()))
}

/// schemakit's checksum of a script: SHA-256 of its text with CRLF made LF, in hex
/// (drizzle's hash of a file is the same).
pub fn checksum(script: &schema::migrations::Script) -> String {
    checksums::sha256_hex(&script.text().replace("\r\n", "\n"))
}

impl Tracking {
    /// A format at its default table.
    pub fn new(format: Format) -> Tracking {
        Tracking {
            format,
            table: format.default_table(),
        }
    }

    fn t(&self) -> String {
        self.table.sql()
    }

    /// What is where the tracking table should be. Reads the catalog only; a relation of
    /// another shape is an error naming the formats it does fit.
    pub(crate) fn shape(&self, client: &mut Client) -> Result<Shape, Error> {
        let rows = client
            .query(
                "SELECT c.relkind::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
                 FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_attribute a
                   ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE c.oid = to_regclass($1)
                 ORDER BY a.attnum",
                &[&self.t()],
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
        let is_table = matches!(kind.as_str(), "r" | "p");
        if is_table && self.format.fits(&columns) {
            return Ok(Shape::Current);
        }
        if is_table
            && self.format == Format::Schemakit
            && fits(&Format::Schemakit.columns()[..PREVIOUS_COLUMNS], &columns)
        {
            return Ok(Shape::Previous);
        }
        let found = match kind.as_str() {
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
        let fits: Vec<Format> = Format::ALL
            .into_iter()
            .filter(|f| is_table && f.fits(&columns))
            .collect();
        Err(MigrateError::ForeignTable {
            table: self.table.to_string(),
            format: self.format,
            found,
            fits,
        }
        .into())
    }

    /// Creates the table as its tool does, or brings schemakit's previous shape up to
    /// date. Never touches a table of another shape.
    pub(crate) fn prepare(&self, client: &mut Client, shape: Shape) -> Result<(), Error> {
        let t = self.t();
        let sql = match (shape, self.format) {
            (Shape::Current, _) => return Ok(()),
            (Shape::Previous, _) => format!(
                "ALTER TABLE {t} ADD COLUMN failed BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN failure TEXT"
            ),
            (Shape::Absent, format) => {
                let mut sql = String::new();
                if let (Some(schema), Format::Drizzle | Format::Dbmate) =
                    (&self.table.schema, format)
                {
                    sql = format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote(schema));
                }
                sql.push_str(&self.create_sql(&t));
                sql
            }
        };
        client.batch_execute(&sql).map_err(|e| {
            Error::db(
                &format!("cannot create the tracking table `{}`", self.table),
                e,
            )
        })
    }

    /// The tool's own `CREATE TABLE` (and what it runs with it).
    fn create_sql(&self, t: &str) -> String {
        match self.format {
            Format::Schemakit => format!(
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
            // diesel_migrations' setup_migration_table.sql.
            Format::Diesel => format!(
                "CREATE TABLE {t} (
                    version VARCHAR(50) PRIMARY KEY NOT NULL,
                    run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
                )"
            ),
            // sqlx-postgres migrate.rs, ensure_migrations_table.
            Format::Sqlx => format!(
                "CREATE TABLE {t} (
                    version BIGINT PRIMARY KEY,
                    description TEXT NOT NULL,
                    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                    success BOOLEAN NOT NULL,
                    checksum BYTEA NOT NULL,
                    execution_time BIGINT NOT NULL
                )"
            ),
            // prisma-engines sql-schema-connector, postgres flavour.
            Format::Prisma => format!(
                "CREATE TABLE {t} (
                    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
                    checksum                VARCHAR(64) NOT NULL,
                    finished_at             TIMESTAMPTZ,
                    migration_name          VARCHAR(255) NOT NULL,
                    logs                    TEXT,
                    rolled_back_at          TIMESTAMPTZ,
                    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
                    applied_steps_count     INTEGER NOT NULL DEFAULT 0
                )"
            ),
            // goose v3 dialectquery/postgres.go, and the version 0 row goose inserts with it.
            Format::Goose => format!(
                "CREATE TABLE {t} (
                    id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
                    version_id bigint NOT NULL,
                    is_applied boolean NOT NULL,
                    tstamp timestamp NOT NULL DEFAULT now()
                );
                INSERT INTO {t} (version_id, is_applied) VALUES (0, true)"
            ),
            // golang-migrate database/postgres, ensureVersionTable.
            Format::GolangMigrate => format!(
                "CREATE TABLE {t} (version bigint not null primary key, dirty boolean not null)"
            ),
            // dbmate pkg/driver/postgres, CreateMigrationsTable.
            Format::Dbmate => format!("CREATE TABLE {t} (version varchar(255) primary key)"),
            // Flyway PostgreSQLDatabase.getRawCreateScript.
            Format::Flyway => {
                let pk = quote(&format!("{}_pk", self.table.name));
                let idx = quote(&format!("{}_s_idx", self.table.name));
                format!(
                    "CREATE TABLE {t} (
                        \"installed_rank\" INT NOT NULL,
                        \"version\" VARCHAR(50),
                        \"description\" VARCHAR(200) NOT NULL,
                        \"type\" VARCHAR(20) NOT NULL,
                        \"script\" VARCHAR(1000) NOT NULL,
                        \"checksum\" INTEGER,
                        \"installed_by\" VARCHAR(100) NOT NULL,
                        \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),
                        \"execution_time\" INTEGER NOT NULL,
                        \"success\" BOOLEAN NOT NULL
                    );
                    ALTER TABLE {t} ADD CONSTRAINT {pk} PRIMARY KEY (\"installed_rank\");
                    CREATE INDEX {idx} ON {t} (\"success\")"
                )
            }
            // refinery_core traits/mod.rs, ASSERT_MIGRATIONS_TABLE_QUERY.
            Format::Refinery => format!(
                "CREATE TABLE {t} (
                    version INT4 PRIMARY KEY,
                    name VARCHAR(255),
                    applied_on VARCHAR(255),
                    checksum VARCHAR(255)
                )"
            ),
            // drizzle-orm pg-core dialect.ts, migrate.
            Format::Drizzle => format!(
                "CREATE TABLE {t} (
                    id SERIAL PRIMARY KEY,
                    hash text NOT NULL,
                    created_at bigint
                )"
            ),
        }
    }

    /// How the format identifies a migration's row (what `record_reverted` and `resolve`
    /// are given).
    pub(crate) fn key(&self, m: &Migration) -> String {
        let int = || int_version(m).map_or_else(|| m.version.text.clone(), |v| v.to_string());
        match self.format {
            Format::Schemakit | Format::Dbmate => m.version.text.clone(),
            Format::Diesel => m.version.text.replace('-', ""),
            Format::Sqlx | Format::Goose | Format::GolangMigrate | Format::Refinery => int(),
            Format::Flyway => m.version.text.replace('_', "."),
            Format::Prisma => prisma_name(m),
            Format::Drizzle => checksum(&m.up),
        }
    }

    /// The migration's checksum as the format records it, when it records one.
    pub(crate) fn checksum(&self, m: &Migration) -> Option<String> {
        let text = m.up.text();
        match self.format {
            Format::Schemakit | Format::Drizzle => Some(checksum(&m.up)),
            Format::Sqlx => Some(checksums::hex(&checksums::sha384(text))),
            Format::Prisma => Some(checksums::sha256_hex(text)),
            Format::Flyway => Some(checksums::flyway(text).to_string()),
            Format::Refinery => i32::try_from(int_version(m)?)
                .ok()
                .map(|v| checksums::refinery(&m.name, v, text).to_string()),
            Format::Diesel | Format::Goose | Format::GolangMigrate | Format::Dbmate => None,
        }
    }

    /// Whether `recorded` (empty when the row has none) fits the migration as it is now.
    pub(crate) fn matches(&self, recorded: &str, m: &Migration) -> bool {
        let Some(current) = self.checksum(m) else {
            return true;
        };
        recorded.is_empty()
            || recorded == current
            // Prisma accepts a file whose line endings changed since.
            || (self.format == Format::Prisma
                && recorded == checksums::sha256_hex(&m.up.text().replace("\r\n", "\n")))
    }

    /// Refuses a migration the format cannot record, before anything runs.
    pub(crate) fn check_recordable(&self, m: &Migration) -> Result<(), MigrateError> {
        let too_long = |limit: usize, what: &str, value: &str| {
            (value.chars().count() > limit).then(|| {
                format!(
                    "its {what} `{value}` is longer than the {limit} characters the column holds"
                )
            })
        };
        let key = self.key(m);
        let reason = match self.format {
            Format::Sqlx | Format::Goose | Format::GolangMigrate => int_version(m)
                .is_none()
                .then(|| "the version must be a whole number (the column is BIGINT)".to_string()),
            Format::Refinery => int_version(m)
                .and_then(|v| i32::try_from(v).ok())
                .is_none()
                .then(|| "the version must be a whole number (the column is INT4)".to_string()),
            Format::Diesel => too_long(50, "version", &key),
            Format::Flyway => too_long(50, "version", &key)
                .or_else(|| too_long(1000, "script name", &file_and_dir(m).0)),
            Format::Schemakit | Format::Dbmate | Format::Prisma => too_long(255, "version", &key),
            Format::Drizzle => None,
        };
        match reason {
            None => Ok(()),
            Some(reason) => Err(MigrateError::Unrecordable {
                table: self.table.to_string(),
                format: self.format,
                version: m.version.text.clone(),
                reason,
            }),
        }
    }
}

/// Prisma's `migration_name`: the migration's directory (`<timestamp>_<name>`), or for a
/// set in another layout, `<version>_<name>`.
fn prisma_name(m: &Migration) -> String {
    let (file, dir) = file_and_dir(m);
    if file == "migration.sql" {
        dir
    } else if m.name.is_empty() {
        m.version.text.clone()
    } else {
        format!("{}_{}", m.version.text, m.name)
    }
}

/// A drizzle migration's journal tag: its file name without `.sql`.
fn tag(m: &Migration) -> String {
    file_and_dir(m).0.trim_end_matches(".sql").to_string()
}
