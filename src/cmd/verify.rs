//! `schemakit verify`: each system's checks on a real Postgres, printed as a report; with
//! `--pg`, on each PostgreSQL major, ending with a matrix of system × major × check. The
//! provider choice and the servers are `verify`'s ([`verify::choose_provider`],
//! [`verify::choose_for_major`], [`verify::ServerPool`]); this module turns options into
//! them and prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use verify::check::{CheckResult, ExpectedFailure, Outcome, Report, Spec};
use verify::{ProviderOptions, Runtime, ServerPool};

use super::{Format, Input};
use crate::color::{Color, paint};
use crate::config::{Config, PerMajor, System};

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
    /// Run every system on each of these PostgreSQL majors (`--pg 15,16,17,18`) and end
    /// with a matrix of system × major × check. A system runs only on the majors its
    /// `majors` list; scripts/postgres-runtime.sh installs the runtimes.
    #[arg(long, value_name = "MAJORS", num_args = 0..=1, value_delimiter = ',')]
    pub pg: Option<Vec<u32>>,
    /// Migrations without a down script pass check c, for every system of this run (as
    /// `allow_irreversible = true` in schemakit.toml).
    #[arg(long)]
    pub allow_irreversible: bool,
    /// A known failure, for every system of this run (as `[[systems.NAME.expect_failure]]`
    /// in schemakit.toml): the check (a–e), a colon, and text its failure contains
    /// (`--expect-failure 'c:relation "schema_migrations" does not exist'`). Repeatable;
    /// each must happen, or the run fails.
    #[arg(long, value_name = "CHECK:TEXT", value_parser = parse_expected)]
    pub expect_failure: Vec<ExpectedFailure>,
}

/// `--expect-failure CHECK:TEXT`.
fn parse_expected(arg: &str) -> Result<ExpectedFailure, String> {
    let Some((check, contains)) = arg.split_once(':') else {
        return Err("expected CHECK:TEXT, e.g. `c:does not exist`".to_string());
    };
    let check = check.trim();
    if !["a", "b", "c", "d", "e"].contains(&check) {
        return Err(format!(
            "`{check}` is not a check; the checks are a, b, c, d and e"
        ));
    }
    if contains.is_empty() {
        return Err(format!(
            "the text after `{check}:` is empty; give a piece of the failure's message"
        ));
    }
    Ok(ExpectedFailure {
        check: check.to_string(),
        contains: contains.to_string(),
        reason: String::new(),
    })
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
    /// The provider options these arguments give.
    pub(crate) fn options(&self) -> ProviderOptions {
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

/// How to get the runtimes `--pg` needs.
const INSTALL_HELP: &str = "install them with `bash scripts/postgres-runtime.sh`: local binaries in /opt/schemakit/pg14, pg16, pg17, pg18, pg16-vector and pg18-vector (15 is Debian's postgresql-15; `--local-only` stops there), and the images schemakit/postgres:<major>";

/// A system to verify: its checks, and its configuration when it comes from
/// `schemakit.toml` (a PATH argument has none).
struct Job<'c> {
    spec: Spec,
    system: Option<&'c System>,
}

/// One system on one server, or why it did not run there.
enum Cell {
    /// The checks ran on this server (`provider (description, version)`).
    Ran { server: String, report: Report },
    /// The system does not run on this major (its `majors`).
    NotRun(String),
}

impl Cell {
    fn failed(&self) -> bool {
        matches!(self, Cell::Ran { report, .. } if report.failed())
    }
}

/// Runs `schemakit verify`: exit 0 when every check passed (declared known failures
/// included), 1 when one failed.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    // Ctrl-C, SIGTERM, SIGHUP: remove this run's clusters, containers and databases first.
    verify::cleanup::install_signal_handler(color.progress)
        .context("cannot install a signal handler")?;
    let majors = match &args.pg {
        None => None,
        Some(list) => Some(requested_majors(list, args)?),
    };
    let config = if args.input.paths.is_empty() {
        Some(args.input.load_config()?)
    } else {
        None
    };
    let jobs = jobs(args, config.as_ref(), color)?;
    match majors {
        None => run_single(args, &jobs, config.as_ref(), color),
        Some(majors) => run_matrix(args, &jobs, config.as_ref(), &majors, color),
    }
}

/// `--pg`'s list, sorted, checked against the other options.
fn requested_majors(list: &[u32], args: &Args) -> anyhow::Result<Vec<u32>> {
    let mut majors = list.to_vec();
    majors.sort_unstable();
    majors.dedup();
    if majors.is_empty() {
        bail!("--pg needs the majors to run on, e.g. `--pg 15,16,17,18`; {INSTALL_HELP}");
    }
    if majors.len() > 1 {
        let one = |what: &str| {
            anyhow::anyhow!(
                "{what} names one runtime for {} majors; with several majors give `image` or `pg_bin` per major in schemakit.toml (`pg_bin = {{ 16 = \"…\", 18 = \"…\" }}`), or run one major (`--pg N`)",
                majors.len()
            )
        };
        if args.server.image.is_some() {
            return Err(one("--image"));
        }
        if args.server.pg_bin.is_some() {
            return Err(one("--pg-bin"));
        }
        if args.update {
            bail!(
                "--update writes one snapshot per system: run it on one major (`--pg N`), or without --pg"
            );
        }
    }
    Ok(majors)
}

/// The systems to verify: those of `schemakit.toml` (`config`), or the PATH arguments.
fn jobs<'c>(args: &Args, config: Option<&'c Config>, color: Color) -> anyhow::Result<Vec<Job<'c>>> {
    let (format, table) = (
        args.tracking.tracking_format,
        args.tracking.tracking_table.as_deref(),
    );
    let mut jobs = Vec::new();
    let Some(config) = config else {
        for dir in &args.input.paths {
            let spec = Spec {
                name: dir.display().to_string(),
                set: args.input.read_set(dir, color)?,
                schema_sql: None,
                snapshot: None,
                allow_irreversible: args.allow_irreversible,
                expected: args.expect_failure.clone(),
                update_snapshot: args.update,
                snapshot_major: None,
                tracking: crate::config::tracking_choice(format, table)?,
            };
            jobs.push(Job { spec, system: None });
        }
        return Ok(jobs);
    };
    for (name, sys) in args.input.systems(config)? {
        let Some(migrations) = &sys.migrations else {
            bail!("system `{name}` has no `migrations`; verify needs a migration set");
        };
        let spec = Spec {
            name: name.clone(),
            set: args.input.read_set(&config.path(migrations), color)?,
            schema_sql: sys.schema.as_ref().map(|p| config.path(p)),
            snapshot: sys.snapshot.as_ref().map(|p| config.path(p)),
            allow_irreversible: sys.allow_irreversible || args.allow_irreversible,
            expected: [&sys.expect_failure[..], &args.expect_failure[..]].concat(),
            update_snapshot: args.update,
            snapshot_major: sys.snapshot_major,
            tracking: sys.tracking(format, table)?,
        };
        jobs.push(Job {
            spec,
            system: Some(sys),
        });
    }
    Ok(jobs)
}

/// The server line of the report and of the JSON document.
fn server_name(server: &verify::Server) -> String {
    format!(
        "{} ({}, {})",
        server.kind.name(),
        server.description,
        server.version
    )
}

/// The runtime a system runs on without `--pg`: the provider options, then the system's
/// `image` or `pg_bin`, then `[verify]`'s (a PATH argument has no system).
pub(crate) fn runtime(
    options: &ProviderOptions,
    system: Option<&System>,
    config: Option<&Config>,
) -> anyhow::Result<Runtime> {
    Ok(match (system, config) {
        (Some(sys), Some(config)) => {
            let image = sys
                .image
                .as_ref()
                .and_then(PerMajor::default_value)
                .or(config.verify.image.as_ref());
            let pg_bin = sys
                .pg_bin
                .as_ref()
                .and_then(PerMajor::default_value)
                .or(config.verify.pg_bin.as_ref())
                .map(|p| config.path(p));
            verify::choose_provider(options, image.map(String::as_str), pg_bin.as_deref())?
        }
        _ => verify::choose_provider(options, None, None)?,
    })
}

/// Starts (or takes from the pool) the server of `runtime`; a fresh one is announced on
/// `out` (unless `json`), with what interrupted runs had left on it.
pub(crate) fn server<'p>(
    pool: &'p mut ServerPool,
    runtime: &Runtime,
    out: &mut impl Write,
    json: bool,
) -> anyhow::Result<&'p verify::Server> {
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
    Ok(server)
}

/// The checks of one system on `server`, or why the system does not run on its major.
fn run_cell(server: &verify::Server, job: &Job) -> Cell {
    if let Some(why) = job.system.and_then(|s| s.excludes(server.major)) {
        return Cell::NotRun(why);
    }
    let report = verify::check::verify_system(server, &job.spec);
    // Interrupted, the checks may have failed only because their server was stopped:
    // report nothing.
    verify::cleanup::checkpoint();
    Cell::Ran {
        server: server_name(server),
        report,
    }
}

/// Prints a cell as the run goes: the system's checks, or why it did not run. `cli`: the
/// known failures declared with `--expect-failure`.
fn print_cell(
    out: &mut impl Write,
    heading: &str,
    cell: &Cell,
    cli: &[ExpectedFailure],
    color: bool,
) -> std::io::Result<()> {
    match cell {
        Cell::Ran { report, .. } => print_report(out, heading, report, cli, color),
        Cell::NotRun(why) => {
            writeln!(out, "\n{}", paint(heading, "1", color))?;
            writeln!(out, "  {} not run: {why}", paint("-", "2", color))
        }
    }
}

/// Without `--pg`: each system on its runtime, as configured.
fn run_single(
    args: &Args,
    jobs: &[Job],
    config: Option<&Config>,
    color: Color,
) -> anyhow::Result<ExitCode> {
    let json = args.format == Format::Json;
    let paint_report = color.stdout && !json;
    let options = args.server.options();
    let mut runtimes = Vec::new();
    for job in jobs {
        runtimes.push(runtime(&options, job.system, config)?);
    }
    let mut pool = ServerPool::new(color.progress);
    let mut cells: Vec<(&str, Cell)> = Vec::new();
    let mut out = std::io::stdout().lock();
    for (job, runtime) in jobs.iter().zip(&runtimes) {
        let server = server(&mut pool, runtime, &mut out, json)?;
        let cell = run_cell(server, job);
        if !json {
            print_cell(
                &mut out,
                &job.spec.name,
                &cell,
                &args.expect_failure,
                paint_report,
            )?;
        }
        cells.push((&job.spec.name, cell));
    }
    verify::cleanup::checkpoint();
    let failed = cells.iter().any(|(_, c)| c.failed());
    if json {
        let doc: Vec<serde_json::Value> = cells
            .iter()
            .map(|(system, cell)| match cell {
                Cell::Ran { server, report } => {
                    serde_json::json!({ "server": server, "report": report, "failed": report.failed() })
                }
                Cell::NotRun(why) => {
                    serde_json::json!({ "system": system, "not_run": why, "failed": false })
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        let (not_run, checks) = summary(cells.iter().map(|(_, c)| c));
        let not_run = match not_run {
            0 => String::new(),
            n => format!(" ({n} not run on a major it does not support)"),
        };
        writeln!(out, "\n{} system(s){not_run}, {checks}", cells.len())?;
    }
    Ok(exit_code(failed))
}

/// `--pg`: every system on each major, then the matrix.
fn run_matrix(
    args: &Args,
    jobs: &[Job],
    config: Option<&Config>,
    majors: &[u32],
    color: Color,
) -> anyhow::Result<ExitCode> {
    let json = args.format == Format::Json;
    let paint_report = color.stdout && !json;
    let options = args.server.options();
    // Every cell's runtime first: a major that is not installed stops the run before
    // anything starts. Docker is asked once per image.
    let images = std::cell::RefCell::new(std::collections::BTreeMap::<String, bool>::new());
    let has_image = |image: &str| {
        *images
            .borrow_mut()
            .entry(image.to_string())
            .or_insert_with(|| verify::docker::has_image(image))
    };
    let mut plan: Vec<(u32, &Job, Option<Runtime>)> = Vec::new();
    for &major in majors {
        for job in jobs {
            if job.system.is_some_and(|s| s.excludes(major).is_some()) {
                plan.push((major, job, None));
                continue;
            }
            let image = job
                .system
                .and_then(|s| s.image.as_ref())
                .and_then(|i| i.for_major(major));
            let pg_bin = match (job.system, config) {
                (Some(sys), Some(config)) => sys
                    .pg_bin
                    .as_ref()
                    .and_then(|b| b.for_major(major))
                    .map(|p| config.path(p)),
                _ => None,
            };
            let runtime = verify::choose_for_major(
                &options,
                major,
                image.map(String::as_str),
                pg_bin.as_deref(),
                has_image,
            )
            .map_err(|e| match e {
                verify::Error::MajorUnavailable { .. } => {
                    anyhow::anyhow!("system `{}`: {e}; {INSTALL_HELP}", job.spec.name)
                }
                e => anyhow::anyhow!(e),
            })?;
            plan.push((major, job, Some(runtime)));
        }
    }
    let mut pool = ServerPool::new(color.progress);
    let mut cells: Vec<(u32, &str, Cell)> = Vec::new();
    let mut out = std::io::stdout().lock();
    for (major, job, runtime) in plan {
        // A major's servers stop when the run moves on to the next major.
        if cells.last().is_some_and(|(m, _, _)| *m != major) {
            pool = ServerPool::new(color.progress);
        }
        let cell = match &runtime {
            None => Cell::NotRun(
                job.system
                    .and_then(|s| s.excludes(major))
                    .unwrap_or_default(),
            ),
            Some(runtime) => {
                let server = server(&mut pool, runtime, &mut out, json)?;
                if server.major != major {
                    bail!(
                        "system `{}`: the runtime for PostgreSQL {major} ({}) is PostgreSQL {}; check --image and --pg-bin, or give `image` or `pg_bin` per major in schemakit.toml (`{{ {major} = \"…\" }}`)",
                        job.spec.name,
                        runtime.describe(),
                        server.major
                    );
                }
                run_cell(server, job)
            }
        };
        if !json {
            let heading = format!("{} · PostgreSQL {major}", job.spec.name);
            print_cell(
                &mut out,
                &heading,
                &cell,
                &args.expect_failure,
                paint_report,
            )?;
        }
        cells.push((major, &job.spec.name, cell));
    }
    verify::cleanup::checkpoint();
    let failed = cells.iter().any(|(_, _, c)| c.failed());
    if json {
        let doc = serde_json::json!({
            "majors": majors,
            "cells": cells.iter().map(|(major, system, cell)| match cell {
                Cell::Ran { server, report } => serde_json::json!({
                    "system": system, "major": major, "server": server,
                    "report": report, "failed": report.failed(),
                }),
                Cell::NotRun(why) => serde_json::json!({
                    "system": system, "major": major, "not_run": why, "failed": false,
                }),
            }).collect::<Vec<_>>(),
            "failed": failed,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        let systems: Vec<&str> = jobs.iter().map(|j| j.spec.name.as_str()).collect();
        print_matrix(&mut out, &systems, majors, &cells, paint_report)?;
        let (not_run, checks) = summary(cells.iter().map(|(_, _, c)| c));
        let not_run_text = match not_run {
            0 => String::new(),
            n => format!(", {n} not run (a major the system does not support)"),
        };
        writeln!(
            out,
            "\n{} system(s) × {} major(s): {} run{not_run_text}; {checks}",
            systems.len(),
            majors.len(),
            cells.len() - not_run
        )?;
    }
    Ok(exit_code(failed))
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The closing line's counts: the cells not run (a major the system does not support),
/// and the checks of the others and how they ended.
fn summary<'a>(cells: impl Iterator<Item = &'a Cell>) -> (usize, String) {
    let (mut not_run, mut total, mut failures, mut known) = (0, 0, 0, 0);
    for cell in cells {
        match cell {
            Cell::Ran { report, .. } => {
                total += report.checks.len();
                failures += report.checks.iter().filter(|c| c.is_failure()).count();
                known += report
                    .checks
                    .iter()
                    .filter(|c| c.expected.is_some())
                    .count();
            }
            Cell::NotRun(_) => not_run += 1,
        }
    }
    (
        not_run,
        format!("{total} checks: {failures} failed, {known} known failure(s) as declared"),
    )
}

/// A check's mark and its colour: `✓` passed, `!` a declared known failure, `✗` failed
/// (or a declared failure did not happen), `-` not run.
fn mark(c: &CheckResult) -> (&'static str, &'static str) {
    match (&c.outcome, &c.expected, &c.expectation_unmet) {
        (_, _, Some(_)) => ("✗", "31"),
        (Outcome::Fail(_), Some(_), _) => ("!", "33"),
        (Outcome::Fail(_), None, _) => ("✗", "31"),
        (Outcome::Pass | Outcome::PassWithNotes(_), _, _) => ("✓", "32"),
        (Outcome::NotRun(_), _, _) => ("-", "2"),
    }
}

/// The matrix: a row per system, a column per major, each cell the marks of checks a–e
/// (or `not run`, with the reason below the table).
fn print_matrix(
    out: &mut impl Write,
    systems: &[&str],
    majors: &[u32],
    cells: &[(u32, &str, Cell)],
    color: bool,
) -> std::io::Result<()> {
    const NOT_RUN: &str = "not run";
    let first = systems.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let width = NOT_RUN.len().max(
        cells
            .iter()
            .filter_map(|(_, _, c)| match c {
                Cell::Ran { report, .. } => Some(report.checks.len()),
                Cell::NotRun(_) => None,
            })
            .max()
            .unwrap_or(0),
    );
    writeln!(
        out,
        "\nmatrix: checks a–e per system and PostgreSQL major (✓ passed, ! known failure, ✗ failed, - not run)"
    )?;
    let mut header = format!("{:first$}", "");
    for major in majors {
        header.push_str(&format!("  {major:<width$}"));
    }
    writeln!(out, "{}", header.trim_end())?;
    for system in systems {
        let mut line = format!("{system:first$}");
        let mut not_run: Vec<(u32, &str)> = Vec::new();
        for major in majors {
            let cell = cells
                .iter()
                .find(|(m, s, _)| m == major && s == system)
                .map(|(_, _, c)| c);
            let (text, len) = match cell {
                Some(Cell::Ran { report, .. }) => {
                    let marks: String = report
                        .checks
                        .iter()
                        .map(|c| {
                            let (m, code) = mark(c);
                            paint(m, code, color)
                        })
                        .collect();
                    (marks, report.checks.len())
                }
                Some(Cell::NotRun(why)) => {
                    not_run.push((*major, why));
                    (paint(NOT_RUN, "2", color), NOT_RUN.len())
                }
                None => (String::new(), 0),
            };
            line.push_str("  ");
            line.push_str(&text);
            line.push_str(&" ".repeat(width.saturating_sub(len)));
        }
        writeln!(out, "{}", line.trim_end())?;
        // The reasons, once per distinct reason.
        let mut reasons: Vec<&str> = not_run.iter().map(|(_, w)| *w).collect();
        reasons.dedup();
        for why in reasons {
            let on: Vec<String> = not_run
                .iter()
                .filter(|(_, w)| *w == why)
                .map(|(m, _)| m.to_string())
                .collect();
            writeln!(out, "{:first$}  not run on {}: {why}", "", on.join(", "))?;
        }
    }
    Ok(())
}

/// One system's report under `heading`: a line per check with its mark, then its details
/// indented; with `color`, marks and diff lines painted. `cli`: the known failures
/// declared with `--expect-failure` (the others are schemakit.toml's).
fn print_report(
    out: &mut impl Write,
    heading: &str,
    report: &Report,
    cli: &[ExpectedFailure],
    color: bool,
) -> std::io::Result<()> {
    writeln!(out, "\n{}", paint(heading, "1", color))?;
    for c in &report.checks {
        let (m, code) = mark(c);
        let mark = paint(m, code, color);
        let details: Vec<String> = match (&c.outcome, &c.expected, &c.expectation_unmet) {
            (_, _, Some(x)) if cli.contains(x) => vec![format!(
                "declared known failure did not happen: `{}`; drop `--expect-failure {}:…`",
                x.contains, x.check
            )],
            (_, _, Some(x)) => vec![format!(
                "declared known failure did not happen: `{}` ({}); remove it from schemakit.toml",
                x.contains, x.reason
            )],
            (Outcome::Fail(lines), Some(x), _) if cli.contains(x) => {
                let mut d = vec![format!(
                    "known failure, declared with --expect-failure: `{}`",
                    x.contains
                )];
                d.extend(lines.iter().cloned());
                d
            }
            (Outcome::Fail(lines), Some(x), _) => {
                let mut d = vec![format!(
                    "known failure, declared in schemakit.toml: {}",
                    x.reason
                )];
                d.extend(lines.iter().cloned());
                d
            }
            (Outcome::Fail(lines), None, _) => lines.clone(),
            (Outcome::Pass, _, _) => Vec::new(),
            (Outcome::PassWithNotes(notes), _, _) => notes.clone(),
            (Outcome::NotRun(why), _, _) => vec![format!("not run: {why}")],
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
