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
    /// Parse a SQL file or a migration directory and print the folded schema model.
    #[command(after_help = "Example: schemakit parse db/user_story_agent/migrations --format json")]
    Parse {
        /// A .sql file, or a migration directory (its layout is detected).
        path: PathBuf,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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
            path,
            format,
            layout,
        } => parse(&path, format, layout),
    }
}

fn parse(
    path: &std::path::Path,
    format: Format,
    layout: Option<Layout>,
) -> anyhow::Result<ExitCode> {
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
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "schema": parsed.schema,
                "statements": parsed.statements,
                "diagnostics": parsed.diagnostics,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Text => {
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
            eprintln!("{errors} error(s), {notes} warning(s) and note(s)");
        }
    }
    Ok(if parsed.has_errors() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
