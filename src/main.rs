//! `schemakit`: keeps a PostgreSQL schema, the Rust code that uses it, and the real
//! database in agreement.
//!
//! Exit codes: 0 success; 1 a check found drift (later commands); 2 usage error, bad
//! input or environment error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use schema::migrations::{Layout, MigrationSet};

mod config;
mod generate;
mod verify_cmd;

/// Keeps a PostgreSQL schema, the Rust code that uses it, and the real database in agreement.
#[derive(Debug, Parser)]
#[command(
    name = "schemakit",
    version,
    after_help = "Example: schemakit parse db/cira/migrations\n\nExit codes: 0 success, 1 drift found, 2 usage, input or environment error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse SQL files or migration directories and print each folded schema model.
    #[command(after_help = "Example: schemakit parse db/user_story_agent/migrations --format json")]
    Parse {
        /// .sql files, or migration directories (their layout is detected).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The migration layout, when detection should not decide.
        #[arg(long, value_parser = parse_layout)]
        layout: Option<Layout>,
    },
    /// Generate Rust types and SQL helpers into the generated crate (no database needed).
    #[command(
        after_help = "Examples:\n  schemakit generate\n  schemakit generate --system cira\n  schemakit generate db/cira/schema.sql --out /tmp/cira"
    )]
    Generate {
        /// A DDL file or migration directory to generate one module from, without
        /// schemakit.toml (needs --out).
        input: Option<PathBuf>,
        /// The module directory to write (with an input path).
        #[arg(long, requires = "input")]
        out: Option<PathBuf>,
        /// The module name (with an input path; default: the --out directory's name).
        #[arg(long, requires = "input")]
        module: Option<String>,
        /// Only this system of schemakit.toml.
        #[arg(long, conflicts_with = "input")]
        system: Option<String>,
        /// The configuration file.
        #[arg(long, default_value = config::FILE_NAME)]
        config: PathBuf,
    },
    /// Verify migrations against a real Postgres: apply, compare with the parsed model,
    /// round-trip downs, compare with schema.sql, compare with the snapshot.
    #[command(
        after_help = "Examples:\n  schemakit verify\n  schemakit verify --system cira --provider local\n  schemakit verify path/to/migrations --database-url postgres://postgres@localhost/postgres\n\nExit codes: 0 all checks pass, 1 a check failed (drift), 2 usage or environment error."
    )]
    Verify {
        /// An ad-hoc migration directory instead of the systems of schemakit.toml.
        dir: Option<PathBuf>,
        /// Only this system.
        #[arg(long, conflicts_with = "dir")]
        system: Option<String>,
        #[command(flatten)]
        server: verify_cmd::ServerArgs,
        /// Rewrite the snapshots instead of comparing them.
        #[arg(long)]
        update: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The configuration file.
        #[arg(long, default_value = config::FILE_NAME)]
        config: PathBuf,
    },
    /// Apply or revert migrations on a database, or show their status.
    #[command(
        after_help = "Example: schemakit migrate --system cira --database-url postgres://postgres@localhost/app up\n\nA no-transaction migration that fails part way is marked failed in the tracking table, and\n`up`, `down` and `redo` refuse to run until you repair the database by hand and clear the\nmark with `schemakit migrate … resolve VERSION --as applied` (you completed it) or\n`--as pending` (you undid it).\n\nExit codes: 0 done; 1 a migration failed, or `status` found a changed, missing or failed\nmigration; 2 usage error (an unknown version, a tracking table of another tool)."
    )]
    Migrate {
        /// The migration directory.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A system of schemakit.toml.
        #[arg(long, conflicts_with = "dir")]
        system: Option<String>,
        /// The database.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// The configuration file.
        #[arg(long, default_value = config::FILE_NAME)]
        config: PathBuf,
        #[command(flatten)]
        options: verify_cmd::MigrateOptions,
        #[command(subcommand)]
        action: verify_cmd::MigrateAction,
    },
    /// Static checks over migration sets: each finding with its rule, location and fix.
    #[command(
        after_help = "Examples:\n  schemakit lint db/user_story_agent/migrations\n  schemakit lint --system cira --format github\n\nSuppress a finding with `-- schemakit:allow <rule>` on or above the statement.\nExit codes: 0 no findings, 1 findings, 2 usage or input error."
    )]
    Lint {
        /// A migration directory (default: every system of schemakit.toml).
        dir: Option<PathBuf>,
        /// Only this system.
        #[arg(long, conflicts_with = "dir")]
        system: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// Switch a rule on (e.g. prefer-text, timestamp-without-time-zone).
        #[arg(long)]
        enable: Vec<String>,
        /// Switch a rule off.
        #[arg(long)]
        disable: Vec<String>,
        /// Treat every migration file as meant to be re-runnable.
        #[arg(long)]
        rerunnable: bool,
        /// The configuration file.
        #[arg(long, default_value = config::FILE_NAME)]
        config: PathBuf,
    },
    /// Check that the generated code is what the DDL produces; exit 1 and print a diff if not.
    #[command(after_help = "Example: schemakit check --system cira")]
    Check {
        /// Only this system of schemakit.toml.
        #[arg(long)]
        system: Option<String>,
        /// The configuration file.
        #[arg(long, default_value = config::FILE_NAME)]
        config: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Canonical DDL, then the statements kept verbatim; diagnostics on stderr.
    Text,
    /// One JSON document with the model, the statements and the diagnostics.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LintFormat {
    /// `file:line:col: rule: message` and a help line.
    Text,
    /// A JSON array of findings.
    Json,
    /// GitHub Actions annotations (`::warning file=…,line=…::…`).
    Github,
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Layout::ALL.iter().map(|l| l.name()).collect();
        format!(
            "unknown layout `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

/// Deeply nested SQL (a CHECK of a thousand `OR`s) recurses deeply in sqlparser; the
/// work runs on a thread with a stack large enough for it.
const STACK_BYTES: usize = 512 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .name("schemakit".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    let result = match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "internal error: the worker thread panicked"
            ))
        }),
        Err(e) => Err(anyhow::anyhow!("cannot start the worker thread: {e}")),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let color = std::io::stderr().is_terminal();
    match cli.command {
        Command::Generate {
            input,
            out,
            module,
            system,
            config,
        } => {
            let plan = match (&input, &out) {
                (Some(input), Some(out)) => {
                    generate::plan_single(input, out, module.as_deref(), color)?
                }
                (Some(_), None) => anyhow::bail!("generating from a path needs --out DIR"),
                _ => generate::plan_config(
                    &config::Config::find(Some(&config))?,
                    system.as_deref(),
                    color,
                )?,
            };
            let Ok(plan) = plan else {
                return Ok(ExitCode::from(2));
            };
            let written = generate::write(&plan)?;
            for p in &written.changed {
                eprintln!("wrote {}", p.display());
            }
            for p in &written.removed {
                eprintln!("removed {}", p.display());
            }
            for p in &written.foreign {
                eprintln!("left alone {} (not written by schemakit)", p.display());
            }
            eprintln!(
                "{} file(s) written, {} unchanged, {} removed",
                written.changed.len(),
                written.unchanged,
                written.removed.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            dir,
            system,
            server,
            update,
            format,
            config,
        } => verify_cmd::verify(
            &config,
            system.as_deref(),
            dir.as_deref(),
            &server,
            update,
            format == Format::Json,
        ),
        Command::Migrate {
            dir,
            system,
            database_url,
            config,
            options,
            action,
        } => verify_cmd::migrate(
            &config,
            system.as_deref(),
            dir.as_deref(),
            database_url.as_deref(),
            &options,
            &action,
        ),
        Command::Lint {
            dir,
            system,
            format,
            enable,
            disable,
            rerunnable,
            config,
        } => lint(
            &config,
            dir.as_deref(),
            system.as_deref(),
            format,
            enable,
            disable,
            rerunnable,
        ),
        Command::Check { system, config } => {
            let config = config::Config::find(Some(&config))?;
            let Ok(plan) = generate::plan_config(&config, system.as_deref(), color)? else {
                return Ok(ExitCode::from(2));
            };
            let diff = generate::check(&plan);
            if diff.is_empty() {
                eprintln!("generated code is up to date ({} files)", plan.files.len());
                Ok(ExitCode::SUCCESS)
            } else {
                print!("{diff}");
                eprintln!(
                    "generated code is out of date; run `schemakit generate` and commit the result"
                );
                Ok(ExitCode::from(1))
            }
        }
        Command::Parse {
            paths,
            format,
            layout,
        } => {
            let mut failed = false;
            let mut docs = Vec::new();
            for path in &paths {
                if format == Format::Text && paths.len() > 1 {
                    println!("-- ==== {} ====\n", path.display());
                }
                let (doc, ok) = parse(path, format, layout)?;
                docs.extend(doc);
                failed |= !ok;
            }
            if format == Format::Json {
                let mut out = std::io::stdout().lock();
                match docs.as_slice() {
                    [one] => serde_json::to_writer_pretty(&mut out, one)?,
                    many => serde_json::to_writer_pretty(&mut out, many)?,
                }
                writeln!(out)?;
            }
            Ok(if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Parses one path; prints it in text format, or returns its JSON document. The flag
/// says whether it parsed without errors.
fn parse(
    path: &std::path::Path,
    format: Format,
    layout: Option<Layout>,
) -> anyhow::Result<(Option<serde_json::Value>, bool)> {
    let parsed = match (layout, path.is_dir()) {
        (Some(layout), true) => match MigrationSet::read(path, Some(layout)) {
            Ok(set) => set.fold_up(),
            Err(diagnostics) => schema::Parsed {
                diagnostics,
                ..Default::default()
            },
        },
        _ => schema::parse_path(path),
    };
    let ok = !parsed.has_errors();
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "path": path.display().to_string(),
                "schema": serde_json::to_value(&parsed.schema)?,
                "statements": serde_json::to_value(&parsed.statements)?,
                "diagnostics": serde_json::to_value(&parsed.diagnostics)?,
            });
            Ok((Some(doc), ok))
        }
        Format::Text => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write!(out, "{}", parsed.schema)?;
            write!(out, "{}", parsed.opaque_listing())?;
            out.flush()?;
            let color = std::io::stderr().is_terminal();
            eprint!("{}", schema::diagnostic::render(&parsed.diagnostics, color));
            let errors = parsed.diagnostics.iter().filter(|d| d.is_error()).count();
            let notes = parsed.diagnostics.len() - errors;
            eprintln!(
                "{}: {errors} error(s), {notes} warning(s) and note(s)",
                path.display()
            );
            Ok((None, ok))
        }
    }
}

fn lint(
    config_path: &std::path::Path,
    dir: Option<&std::path::Path>,
    system: Option<&str>,
    format: LintFormat,
    enable: Vec<String>,
    disable: Vec<String>,
    rerunnable: bool,
) -> anyhow::Result<ExitCode> {
    for rule in enable.iter().chain(&disable) {
        if !schema::lint::RULES.iter().any(|(r, _, _)| r == rule) {
            let names: Vec<&str> = schema::lint::RULES.iter().map(|(r, _, _)| *r).collect();
            anyhow::bail!(
                "unknown lint rule `{rule}`; the rules are: {}",
                names.join(", ")
            );
        }
    }
    let opts = schema::lint::Options {
        enable: enable.into_iter().collect(),
        disable: disable.into_iter().collect(),
        rerunnable,
    };
    let dirs: Vec<PathBuf> = match dir {
        Some(d) => vec![d.to_path_buf()],
        None => {
            let config = config::Config::find(Some(config_path))?;
            config
                .selected(system)?
                .into_iter()
                .filter_map(|(_, s)| s.migrations.as_ref().map(|m| config.path(m)))
                .collect()
        }
    };
    let mut findings = Vec::new();
    let mut diagnostics = Vec::new();
    for d in &dirs {
        let set = MigrationSet::read(d, None)
            .map_err(|diags| anyhow::anyhow!("{}", schema::diagnostic::render_plain(&diags)))?;
        let linted = schema::lint::lint(&set, &opts);
        findings.extend(linted.findings);
        diagnostics.extend(linted.diagnostics);
    }
    // What `parse` rejects, `lint` rejects: the same diagnostics, exit 2, no findings.
    let color = std::io::stderr().is_terminal();
    eprint!("{}", schema::diagnostic::render(&diagnostics, color));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!("{errors} error(s): the migrations do not parse; nothing was linted");
        return Ok(ExitCode::from(2));
    }
    let mut out = std::io::stdout().lock();
    match format {
        LintFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &findings)?;
            writeln!(out)?;
        }
        LintFormat::Github => {
            for f in &findings {
                writeln!(
                    out,
                    "::warning file={},line={},col={},title={}::{}",
                    github_property(&f.loc.file),
                    f.loc.line,
                    f.loc.col,
                    github_property(f.rule),
                    github_data(&format!("{} (fix: {})", f.message, f.help))
                )?;
            }
        }
        LintFormat::Text => {
            for f in &findings {
                writeln!(
                    out,
                    "{}: {}: {}\n  help: {}",
                    f.loc, f.rule, f.message, f.help
                )?;
            }
            eprintln!("{} finding(s)", findings.len());
        }
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A GitHub Actions workflow command's message, escaped so that no file name or message
/// can end the command or start another: `%`, CR and LF.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (`file=…`, `title=…`): as [`github_data`], and
/// `:` and `,`, which end a property.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}
