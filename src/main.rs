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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Canonical DDL, then the statements kept verbatim; diagnostics on stderr.
    Text,
    /// One JSON document with the model, the statements and the diagnostics.
    Json,
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
    match cli.command {
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
            let mut out = std::io::stdout().lock();
            write!(out, "{}", parsed.schema)?;
            let opaque: Vec<_> = parsed
                .statements
                .iter()
                .filter(|s| s.opaque.is_some())
                .collect();
            if !opaque.is_empty() {
                writeln!(out, "-- statements kept verbatim, not in the model above:")?;
                for s in opaque {
                    let reason = s.opaque.as_deref().unwrap_or_default();
                    writeln!(
                        out,
                        "--   {}  {}",
                        s.loc,
                        reason.trim_start_matches("opaque to the offline model: ")
                    )?;
                }
            }
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
