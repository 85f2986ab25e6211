//! `schemakit verify`: each system's checks on a real Postgres, printed as a report. The
//! provider choice and the servers are `verify`'s ([`verify::choose_provider`],
//! [`verify::ServerPool`]); this module turns options into them and prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use verify::check::{Outcome, Report, Spec};
use verify::{ProviderOptions, Runtime, ServerPool};

use super::{Format, Input};
use crate::color::{Color, paint};

/// `schemakit verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub tracking: super::migrate::TrackingArgs,
    /// Rewrite the snapshots instead of comparing them.
    #[arg(long)]
    pub update: bool,
    /// Output format: the report, or one JSON document of every system's checks.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Where the Postgres comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// URL if given, else Docker if the image exists locally, else local binaries.
    Auto,
    /// `--database-url` / `DATABASE_URL`.
    Url,
    /// A container (testcontainers).
    Docker,
    /// An ephemeral cluster from local binaries.
    Local,
}

/// How `verify` gets a Postgres.
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

impl ServerArgs {
    fn options(&self) -> ProviderOptions {
        ProviderOptions {
            provider: match self.provider {
                Provider::Auto => verify::Provider::Auto,
                Provider::Url => verify::Provider::Url,
                Provider::Docker => verify::Provider::Docker,
                Provider::Local => verify::Provider::Local,
            },
            database_url: self.database_url.clone(),
            pg_bin: self.pg_bin.clone(),
            image: self.image.clone(),
        }
    }
}

/// What to do when no provider has a Postgres to give.
const NO_SERVER_HELP: &str = "no PostgreSQL available. Get one of:\n  1. an existing server: --database-url postgres://user@host/db (or DATABASE_URL)\n  2. Docker: start dockerd and build the images with `bash scripts/postgres-runtime.sh`\n  3. local binaries: install PostgreSQL (initdb, postgres) or pass --pg-bin DIR";

/// Runs `schemakit verify`: exit 0 when every check passed (declared known failures
/// included), 1 when one failed.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    // Ctrl-C, SIGTERM, SIGHUP: remove this run's clusters, containers and databases first.
    verify::cleanup::install_signal_handler(color.progress)
        .context("cannot install a signal handler")?;
    let json = args.format == Format::Json;
    let paint_report = color.stdout && !json;
    let options = args.server.options();
    let (format, table) = (
        args.tracking.tracking_format,
        args.tracking.tracking_table.as_deref(),
    );
    // The systems to verify, each with its runtime.
    let mut jobs: Vec<(Runtime, Spec)> = Vec::new();
    if args.input.paths.is_empty() {
        let config = args.input.load_config()?;
        for (name, sys) in args.input.systems(&config)? {
            let Some(migrations) = &sys.migrations else {
                bail!("system `{name}` has no `migrations`; verify needs a migration set");
            };
            let spec = Spec {
                name: name.clone(),
                set: args.input.read_set(&config.path(migrations), color)?,
                schema_sql: sys.schema.as_ref().map(|p| config.path(p)),
                snapshot: sys.snapshot.as_ref().map(|p| config.path(p)),
                allow_irreversible: sys.allow_irreversible,
                expected: sys.expect_failure.clone(),
                update_snapshot: args.update,
                tracking: sys.tracking(format, table)?,
            };
            let image = sys.image.as_deref().or(config.verify.image.as_deref());
            let pg_bin = sys
                .pg_bin
                .as_ref()
                .or(config.verify.pg_bin.as_ref())
                .map(|p| config.path(p));
            let runtime = verify::choose_provider(&options, image, pg_bin.as_deref())?;
            jobs.push((runtime, spec));
        }
    } else {
        for dir in &args.input.paths {
            let spec = Spec {
                name: dir.display().to_string(),
                set: args.input.read_set(dir, color)?,
                schema_sql: None,
                snapshot: None,
                allow_irreversible: false,
                expected: Vec::new(),
                update_snapshot: args.update,
                tracking: crate::config::tracking_choice(format, table)?,
            };
            jobs.push((verify::choose_provider(&options, None, None)?, spec));
        }
    }
    let mut pool = ServerPool::new(color.progress);
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut out = std::io::stdout().lock();
    for (runtime, spec) in &jobs {
        let fresh = !pool.is_running(runtime);
        let server = pool.get_or_start(runtime).map_err(|e| match e {
            verify::Error::NoBinaries => anyhow::anyhow!("{e}\n{NO_SERVER_HELP}"),
            e => anyhow::anyhow!(e),
        })?;
        if fresh {
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
        }
        let report = verify::check::verify_system(server, spec);
        // Interrupted, the checks may have failed only because their server was stopped:
        // report nothing.
        verify::cleanup::checkpoint();
        if !json {
            print_report(&mut out, &report, paint_report)?;
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

/// One system's report: a line per check with its mark, then its details indented; with
/// `color`, marks and diff lines painted.
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
