//! `schemakit verify` and `schemakit migrate`: choosing a provider, running the checks
//! and printing the report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::ValueEnum;
use schema::migrations::MigrationSet;
use verify::Server;
use verify::check::{Outcome, Report, Spec};

use crate::config::Config;

/// Where the Postgres comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// URL if given, else Docker if reachable, else local binaries.
    Auto,
    /// `--database-url` / `DATABASE_URL`.
    Url,
    /// A container (testcontainers).
    Docker,
    /// An ephemeral cluster from local binaries.
    Local,
}

/// Options shared by `verify` and `migrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Which provider to use.
    #[arg(long, value_enum, default_value_t = Provider::Auto)]
    pub provider: Provider,
    /// An existing server (each run makes and drops its own databases).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Local PostgreSQL binaries (initdb, postgres).
    #[arg(long)]
    pub pg_bin: Option<PathBuf>,
    /// The Docker image (`name:tag`).
    #[arg(long)]
    pub image: Option<String>,
}

/// Whether a Docker daemon answers and has `image` locally (no registry is reachable,
/// so a missing image cannot be pulled).
pub fn docker_has_image(image: &str) -> bool {
    std::process::Command::new("docker")
        .args(["image", "inspect", image])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The way a system's server is started: its provider and runtime.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Runtime {
    Url(String),
    Docker(String),
    Local(Option<PathBuf>),
}

fn no_server_help() -> String {
    "no PostgreSQL available. Get one of:\n  1. an existing server: --database-url postgres://user@host/db (or DATABASE_URL)\n  2. Docker: start dockerd and build the images with `bash scripts/postgres-runtime.sh`\n  3. local binaries: install PostgreSQL (initdb, postgres) or pass --pg-bin DIR".to_string()
}

fn choose(
    args: &ServerArgs,
    image: Option<&str>,
    pg_bin: Option<&Path>,
) -> anyhow::Result<Runtime> {
    let url = || {
        args.database_url
            .clone()
            .context("--provider url needs --database-url or DATABASE_URL")
    };
    let docker = || -> anyhow::Result<Runtime> {
        let image =
            args.image.as_deref().or(image).context(
                "--provider docker needs an image: --image or `image` in schemakit.toml",
            )?;
        Ok(Runtime::Docker(image.to_string()))
    };
    let local = || Runtime::Local(args.pg_bin.clone().or(pg_bin.map(Path::to_path_buf)));
    Ok(match args.provider {
        Provider::Url => Runtime::Url(url()?),
        Provider::Docker => docker()?,
        Provider::Local => local(),
        Provider::Auto => {
            if args.database_url.is_some() {
                Runtime::Url(url()?)
            } else if args
                .image
                .as_deref()
                .or(image)
                .is_some_and(docker_has_image)
            {
                docker()?
            } else {
                local()
            }
        }
    })
}

fn start(runtime: &Runtime) -> anyhow::Result<Server> {
    let server = match runtime {
        Runtime::Url(url) => Server::from_url(url),
        Runtime::Docker(image) => verify::docker::start(image),
        Runtime::Local(bin) => Server::local(bin.as_deref()),
    };
    // Interrupted while starting, the failure is the interrupt's: report nothing.
    server
        .inspect_err(|_| verify::cleanup::checkpoint())
        .map_err(|e| match e {
            verify::Error::Environment(m) if m.starts_with("no PostgreSQL binaries") => {
                anyhow::anyhow!("{m}\n{}", no_server_help())
            }
            e => anyhow::anyhow!(e),
        })
}

/// `schemakit verify`.
pub fn verify(
    config_path: &Path,
    system: Option<&str>,
    dir: Option<&Path>,
    args: &ServerArgs,
    update: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    // Ctrl-C, SIGTERM, SIGHUP: remove this run's clusters, containers and databases first.
    verify::cleanup::install_signal_handler().context("cannot install a signal handler")?;
    let color = !json
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    // The systems to verify, each with its runtime.
    let mut jobs: Vec<(Runtime, Spec)> = Vec::new();
    if let Some(dir) = dir {
        let set = MigrationSet::read(dir, None)
            .map_err(|d| anyhow::anyhow!(schema::diagnostic::render_plain(&d)))?;
        let spec = Spec {
            name: dir.display().to_string(),
            set,
            schema_sql: None,
            snapshot: None,
            allow_irreversible: false,
            expected: Vec::new(),
            update_snapshot: update,
        };
        jobs.push((choose(args, None, None)?, spec));
    } else {
        let config = Config::find(Some(config_path))?;
        for (name, sys) in config.selected(system)? {
            let Some(migrations) = &sys.migrations else {
                bail!("system `{name}` has no `migrations`; verify needs a migration set");
            };
            let path = config.path(migrations);
            let set = MigrationSet::read(&path, None)
                .map_err(|d| anyhow::anyhow!("{}", schema::diagnostic::render_plain(&d)))?;
            let spec = Spec {
                name: name.clone(),
                set,
                schema_sql: sys.schema.as_ref().map(|p| config.path(p)),
                snapshot: sys.snapshot.as_ref().map(|p| config.path(p)),
                allow_irreversible: sys.allow_irreversible,
                expected: sys.expect_failure.clone(),
                update_snapshot: update,
            };
            let image = sys.image.as_deref().or(config.verify.image.as_deref());
            let pg_bin = sys
                .pg_bin
                .as_ref()
                .or(config.verify.pg_bin.as_ref())
                .map(|p| config.path(p));
            jobs.push((choose(args, image, pg_bin.as_deref())?, spec));
        }
    }
    // One server per runtime per run.
    let mut servers: BTreeMap<Runtime, Server> = BTreeMap::new();
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut out = std::io::stdout().lock();
    for (runtime, spec) in &jobs {
        if !servers.contains_key(runtime) {
            // Progress only on a terminal; logs and pipes stay quiet.
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!("starting {} …", describe(runtime));
            }
            let server = start(runtime)?;
            if !json {
                writeln!(
                    out,
                    "server: {} — {}, {}",
                    server.kind.name(),
                    server.description,
                    server.version
                )?;
            }
            if !server.removed_leftovers.is_empty() {
                eprintln!(
                    "removed {} database(s) that interrupted runs on this machine left: {}",
                    server.removed_leftovers.len(),
                    server.removed_leftovers.join(", ")
                );
            }
            servers.insert(runtime.clone(), server);
        }
        let Some(server) = servers.get(runtime) else {
            continue;
        };
        let report = verify::check::verify_system(server, spec);
        // Interrupted, the checks may have failed only because their server was stopped:
        // report nothing.
        verify::cleanup::checkpoint();
        if !json {
            print_report(&mut out, &report, color)?;
        }
        reports.push((
            format!(
                "{} ({}, {})",
                server.kind.name(),
                server.description,
                server.version
            ),
            report,
        ));
    }
    verify::cleanup::checkpoint();
    let failed = reports.iter().any(|(_, r)| r.failed());
    if json {
        let doc: Vec<serde_json::Value> = reports
            .iter()
            .map(|(server, r)| serde_json::json!({ "server": server, "report": r, "failed": r.failed() }))
            .collect();
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        let total: usize = reports.iter().map(|(_, r)| r.checks.len()).sum();
        let failures: usize = reports
            .iter()
            .map(|(_, r)| r.checks.iter().filter(|c| c.is_failure()).count())
            .sum();
        let known: usize = reports
            .iter()
            .map(|(_, r)| r.checks.iter().filter(|c| c.expected.is_some()).count())
            .sum();
        writeln!(
            out,
            "\n{} system(s), {total} checks: {failures} failed, {known} known failure(s) as declared",
            reports.len()
        )?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(runtime: &Runtime) -> String {
    match runtime {
        Runtime::Url(_) => "the existing server".into(),
        Runtime::Docker(image) => format!("a container from {image}"),
        Runtime::Local(Some(bin)) => format!("a local cluster from {}", bin.display()),
        Runtime::Local(None) => "a local cluster".into(),
    }
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn print_report(out: &mut impl Write, report: &Report, color: bool) -> std::io::Result<()> {
    writeln!(out, "\n{}", paint(&report.system, "1", color))?;
    for c in &report.checks {
        let (mark, details): (String, Vec<String>) = match (
            &c.outcome,
            &c.expected,
            &c.expectation_unmet,
        ) {
            (_, _, Some(x)) => (
                paint("✗", "31", color),
                vec![format!(
                    "declared known failure did not happen: `{}` ({}); remove it from schemakit.toml",
                    x.contains, x.reason
                )],
            ),
            (Outcome::Fail(lines), Some(x), _) => {
                let mut d = vec![format!(
                    "known failure, declared in schemakit.toml: {}",
                    x.reason
                )];
                d.extend(lines.iter().cloned());
                (paint("!", "33", color), d)
            }
            (Outcome::Fail(lines), None, _) => (paint("✗", "31", color), lines.clone()),
            (Outcome::Pass, _, _) => (paint("✓", "32", color), Vec::new()),
            (Outcome::PassWithNotes(notes), _, _) => (paint("✓", "32", color), notes.clone()),
            (Outcome::NotRun(why), _, _) => {
                (paint("-", "2", color), vec![format!("not run: {why}")])
            }
        };
        writeln!(
            out,
            "  {mark} {}  {} ({:.1} s)",
            c.id,
            c.title,
            c.millis as f64 / 1000.0
        )?;
        for line in details {
            let line = if color && line.starts_with('-') && !line.starts_with("---") {
                paint(&line, "31", true)
            } else if color && line.starts_with('+') && !line.starts_with("+++") {
                paint(&line, "32", true)
            } else {
                line
            };
            writeln!(out, "      {line}")?;
        }
    }
    Ok(())
}

/// Options of `schemakit migrate` that every action takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MigrateOptions {
    /// The tracking table (`name` or `schema.name`, taken literally). schemakit never
    /// alters a table it did not create: choose another name when a table of another
    /// tool is in the way.
    #[arg(long, global = true, default_value = verify::runner::TRACKING_TABLE)]
    pub tracking_table: String,
    /// Go on although migrations recorded as applied are no longer in the set (up, down
    /// and redo leave them alone).
    #[arg(long, global = true)]
    pub ignore_missing: bool,
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
        after_help = "Example: schemakit migrate --dir migrations resolve 20240101120000 --as applied"
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

/// `schemakit migrate`.
pub fn migrate(
    config_path: &Path,
    system: Option<&str>,
    dir: Option<&Path>,
    url: Option<&str>,
    options: &MigrateOptions,
    action: &MigrateAction,
) -> anyhow::Result<ExitCode> {
    use verify::runner::{MigrateError, Runner, Status, TrackingTable};

    let dir: PathBuf = match (dir, system) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(name)) => {
            let config = Config::find(Some(config_path))?;
            let sys = config
                .systems
                .get(name)
                .with_context(|| format!("unknown system `{name}`"))?;
            let m = sys
                .migrations
                .as_ref()
                .with_context(|| format!("system `{name}` has no migrations"))?;
            config.path(m)
        }
        (None, None) => bail!("name the migration set: --dir PATH or --system NAME"),
    };
    let url = url.context("migrate needs --database-url or DATABASE_URL")?;
    let runner = Runner {
        table: TrackingTable::parse(&options.tracking_table)?,
        ignore_missing: options.ignore_missing,
    };
    let set = MigrationSet::read(&dir, None)
        .map_err(|d| anyhow::anyhow!("{}", schema::diagnostic::render_plain(&d)))?;
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
            match runner.resolve(&mut client, version, resolution) {
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
