//! `schemakit migrate`: apply, revert, redo or resolve migrations on a database, or show
//! their status.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::ValueEnum;

use super::Input;
use crate::color::Color;

/// `schemakit migrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The old spelling of PATH.
    #[arg(long, value_name = "PATH", hide = true, conflicts_with_all = ["paths", "system"])]
    pub dir: Option<PathBuf>,
    /// The database.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub options: MigrateOptions,
    #[command(subcommand)]
    pub action: MigrateAction,
}

/// Options of `schemakit migrate` that every action takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MigrateOptions {
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Go on although migrations recorded as applied are no longer in the set (up, down
    /// and redo leave them alone).
    #[arg(long, global = true)]
    pub ignore_missing: bool,
}

/// Which tracking table runs are recorded in: `migrate` and `verify` take the same.
#[derive(Debug, Clone, clap::Args)]
pub struct TrackingArgs {
    /// The tracking table's format: schemakit, diesel, sqlx, prisma, goose,
    /// golang-migrate, dbmate, flyway, refinery or drizzle (default: the system's
    /// `tracking` in schemakit.toml, else the set's own tool's, from its layout; sqlx's
    /// files are also golang-migrate's, Flyway's also refinery's).
    #[arg(long = "tracking", value_name = "FORMAT", global = true, value_parser = parse_tracking_format)]
    pub tracking_format: Option<verify::TrackingFormat>,
    /// The tracking table (`name` or `schema.name`, taken literally; default: the
    /// system's `tracking_table` in schemakit.toml, else the format's own table).
    /// schemakit never alters a table it did not create: choose another name when a
    /// table of another tool is in the way.
    #[arg(long, value_name = "NAME", global = true)]
    pub tracking_table: Option<String>,
}

fn parse_tracking_format(s: &str) -> Result<verify::TrackingFormat, String> {
    s.parse()
}

/// What `schemakit migrate` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (up to and including --to, a version of the set).
    Up {
        /// Stop after this version (compared as a version: `1` is `001`).
        #[arg(long)]
        to: Option<String>,
    },
    /// Revert applied migrations, newest first: one, --steps N, or down to --to (kept).
    Down {
        /// Revert down to this version of the set, which stays applied.
        #[arg(long, conflicts_with = "steps")]
        to: Option<String>,
        /// How many to revert.
        #[arg(long)]
        steps: Option<usize>,
    },
    /// Show applied, pending, changed, missing and failed migrations (writes nothing;
    /// exit 1 when one changed, is missing or failed).
    Status,
    /// Revert the newest applied migration and apply that one again.
    Redo,
    /// Clear the failed mark of a no-transaction migration that stopped part way, once
    /// you have repaired the database by hand.
    #[command(
        after_help = "Example: schemakit migrate migrations resolve 20240101120000 --as applied"
    )]
    Resolve {
        /// The version marked failed.
        version: String,
        /// `applied`: you completed its work by hand; `pending`: you undid it, and the
        /// next `up` runs it again.
        #[arg(long = "as", value_enum)]
        resolution: Resolution,
    },
}

/// What `resolve` records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Resolution {
    /// The migration counts as applied.
    Applied,
    /// The migration counts as pending again.
    Pending,
}

/// Runs `schemakit migrate`: exit 0 when done; 1 when a migration failed or `status`
/// found one changed, missing or failed; 2 on a usage error.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    use verify::runner::{MigrateError, Runner, Status};

    let (options, action) = (&args.options, &args.action);
    let (format, table) = (
        options.tracking.tracking_format,
        options.tracking.tracking_table.as_deref(),
    );
    let mut tracking = crate::config::tracking_choice(format, table)?;
    let dir: PathBuf = match (
        args.input.one_path("migrate")?,
        args.dir.as_deref(),
        &args.input.system,
    ) {
        (Some(d), _, _) | (None, Some(d), _) => d.to_path_buf(),
        (None, None, Some(name)) => {
            let config = args.input.load_config()?;
            let (_, sys) = args
                .input
                .systems(&config)?
                .into_iter()
                .next()
                .with_context(|| format!("unknown system `{name}`"))?;
            let m = sys
                .migrations
                .as_ref()
                .with_context(|| format!("system `{name}` has no migrations"))?;
            tracking = sys.tracking(format, table)?;
            config.path(m)
        }
        (None, None, None) => bail!("name the migration set: PATH or --system NAME"),
    };
    let url = args
        .database_url
        .as_deref()
        .context("migrate needs --database-url or DATABASE_URL")?;
    let runner = Runner {
        tracking,
        ignore_missing: options.ignore_missing,
    };
    let set = args.input.read_set(&dir, color)?;
    let mut client = verify::server::connect_url(url)?;
    // A target or table that cannot be used is a usage error (2); a migration that
    // fails or a state the runner refuses to act on is 1.
    let fail = |e: verify::Error| -> anyhow::Result<ExitCode> {
        eprintln!("error: {e}");
        let usage = matches!(
            e,
            verify::Error::Migrate(
                MigrateError::UnknownVersion { .. }
                    | MigrateError::ForeignTable { .. }
                    | MigrateError::TableName { .. }
                    | MigrateError::NotFailed { .. }
                    | MigrateError::Unrecordable { .. }
            )
        );
        Ok(ExitCode::from(if usage { 2 } else { 1 }))
    };
    match action {
        MigrateAction::Up { to } => match runner.up(&mut client, &set, to.as_deref()) {
            Ok(done) => report_done("applied", &done),
            Err(e) => fail(e),
        },
        MigrateAction::Down { to, steps } => {
            match runner.down(&mut client, &set, to.as_deref(), *steps) {
                Ok(done) => report_done("reverted", &done),
                Err(e) => fail(e),
            }
        }
        MigrateAction::Redo => match runner.redo(&mut client, &set) {
            Ok(Some(v)) => {
                println!("reverted {v}\napplied {v}");
                Ok(ExitCode::SUCCESS)
            }
            Ok(None) => {
                println!("nothing applied, nothing to redo");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => fail(e),
        },
        MigrateAction::Resolve {
            version,
            resolution,
        } => {
            let (resolution, what) = match resolution {
                Resolution::Applied => (verify::runner::Resolution::Applied, "applied"),
                Resolution::Pending => (verify::runner::Resolution::Pending, "pending"),
            };
            match runner.resolve(&mut client, &set, version, resolution) {
                Ok(v) => {
                    println!("resolved {v}: no longer marked failed, now {what}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => fail(e),
            }
        }
        MigrateAction::Status => {
            let status = match runner.status(&mut client, &set) {
                Ok(status) => status,
                Err(e) => return fail(e),
            };
            // The set's migrations and the missing ones, in version order.
            let mut rows: Vec<(Option<schema::migrations::Version>, String, String, String)> =
                Vec::new();
            for (m, s) in &status.migrations {
                let state = match s {
                    Status::Applied => "applied".to_string(),
                    Status::Pending => "pending".to_string(),
                    Status::Changed { recorded, current } => {
                        format!("CHANGED since applied (recorded {recorded}, now {current})")
                    }
                    Status::Failed { failure } => failed_state(&m.version.text, failure),
                };
                rows.push((
                    Some(m.version.clone()),
                    m.version.text.clone(),
                    m.name.clone(),
                    state,
                ));
            }
            for a in &status.missing {
                let state = match &a.failure {
                    Some(failure) => {
                        format!(
                            "MISSING from the set, {}",
                            failed_state(&a.version, failure)
                        )
                    }
                    None => "MISSING (recorded as applied, its file is not in the set)".to_string(),
                };
                rows.push((
                    schema::migrations::Version::parse(&a.version),
                    a.version.clone(),
                    a.name.clone(),
                    state,
                ));
            }
            rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            for (_, version, name, state) in rows {
                println!("{version:<20} {name:<40} {state}");
            }
            Ok(if status.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// The status of a migration marked failed: what to do on the first line, the failed
/// statement and Postgres's message indented below.
fn failed_state(version: &str, failure: &str) -> String {
    let mut state = format!(
        "FAILED part way, its completed statements remain; repair the database, then `resolve {version} --as applied|pending`"
    );
    for line in failure.lines() {
        state.push_str("\n    ");
        state.push_str(line.trim_start());
    }
    state
}

fn report_done(what: &str, versions: &[String]) -> anyhow::Result<ExitCode> {
    if versions.is_empty() {
        println!("nothing {what}");
    }
    for v in versions {
        println!("{what} {v}");
    }
    Ok(ExitCode::SUCCESS)
}
