//! schemakit's verifier: gets a real Postgres (an existing server, a Docker container or
//! local binaries), applies migration sets up and down with a tracking table, reads the
//! catalog back into the same schema model the parser produces, and compares the two.
//! This is the only crate that talks to a database.

pub mod check;
pub mod cleanup;
pub mod docker;
pub mod introspect;
pub mod prove;
pub mod provider;
pub mod runner;
pub mod server;
pub mod tracking;

pub use provider::{
    Provider, ProviderOptions, Runtime, ServerPool, choose_for_major, choose_provider,
};
pub use server::{ProviderKind, Server};
pub use tracking::{Format as TrackingFormat, Tracking, TrackingTable};

/// What went wrong talking to Postgres or getting one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No server could be had, or the environment is wrong.
    #[error("{0}")]
    Environment(String),
    /// The local provider found no PostgreSQL binaries.
    #[error(
        "no PostgreSQL binaries found (looked at PATH, pg_config --bindir and /usr/lib/postgresql/*/bin); pass --pg-bin DIR"
    )]
    NoBinaries,
    /// `verify --pg`: a major has no runtime here.
    #[error("PostgreSQL {major} is not available here: no {}", looked.join(", no "))]
    MajorUnavailable {
        /// The major.
        major: u32,
        /// What was looked for (images, binary directories).
        looked: Vec<String>,
    },
    /// A provider was asked for without what it needs.
    #[error("--provider {provider} needs {needs}")]
    ProviderNeeds {
        /// The provider's name.
        provider: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A database call failed.
    #[error("{context}: {message}")]
    Db {
        /// What was being done.
        context: String,
        /// Postgres's message (with detail and hint).
        message: String,
    },
    /// A migration statement failed.
    #[error("{0}")]
    Statement(Box<runner::StatementFailure>),
    /// A down was asked of a migration without a down script.
    #[error("migration {0} has no down script")]
    Irreversible(String),
    /// An applied migration's file changed since it was applied.
    #[error(
        "migration {version} was applied with checksum {recorded}, but {file} now has checksum {current}; restore the file, or write a new migration instead of editing an applied one"
    )]
    Changed {
        /// The version.
        version: String,
        /// Its file.
        file: String,
        /// The recorded checksum.
        recorded: String,
        /// The checksum of the file now.
        current: String,
    },
    /// The migration runner refused to go on, or left a migration marked failed.
    #[error(transparent)]
    Migrate(#[from] runner::MigrateError),
}

impl Error {
    /// A database error with what was being done.
    pub fn db(context: &str, e: postgres::Error) -> Error {
        let message = match e.as_db_error() {
            Some(db) => {
                let mut m = db.message().to_string();
                if let Some(d) = db.detail() {
                    m.push_str(&format!(" (detail: {d})"));
                }
                if let Some(h) = db.hint() {
                    m.push_str(&format!(" (hint: {h})"));
                }
                m
            }
            None => {
                let mut m = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    m.push_str(&format!(": {s}"));
                    source = s.source();
                }
                m
            }
        };
        Error::Db {
            context: context.to_string(),
            message,
        }
    }
}
