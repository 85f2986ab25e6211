//! `schemakit`: keeps a PostgreSQL schema, the Rust code that uses it, and the real
//! database in agreement.
//!
//! This file is the command line and the dispatch; each command is a module of `cmd`.
//! Exit codes: 0 success; 1 a check found drift; 2 usage error, bad input or environment
//! error.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;
mod color;
mod config;

use color::{Color, ColorChoice};

/// Keeps a PostgreSQL schema, the Rust code that uses it, and the real database in agreement.
#[derive(Debug, Parser)]
#[command(
    name = "schemakit",
    version,
    after_help = "Example: schemakit parse db/cira/migrations\n\nExit codes: 0 success, 1 drift found, 2 usage, input or environment error."
)]
struct Cli {
    /// When to colour output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse SQL files or migration directories and print each folded schema model.
    #[command(
        after_help = "Examples:\n  schemakit parse db/user_story_agent/migrations --format json\n  schemakit parse --system cira"
    )]
    Parse(cmd::parse::Args),
    /// Generate Rust types and SQL helpers into the generated crate (no database needed).
    #[command(
        after_help = "Examples:\n  schemakit generate\n  schemakit generate --system cira\n  schemakit generate db/cira/schema.sql --out /tmp/cira"
    )]
    Generate(cmd::generate::Args),
    /// Verify migrations against a real Postgres: apply, compare with the parsed model,
    /// round-trip downs, compare with schema.sql, compare with the snapshot.
    #[command(
        after_help = "Examples:\n  schemakit verify\n  schemakit verify --system cira --provider local\n  schemakit verify path/to/migrations --database-url postgres://postgres@localhost/postgres\n\nExit codes: 0 all checks pass, 1 a check failed (drift), 2 usage or environment error."
    )]
    Verify(cmd::verify::Args),
    /// Apply or revert migrations on a database, or show their status.
    #[command(
        subcommand_precedence_over_arg = true,
        after_help = "Example: schemakit migrate --system cira --database-url postgres://postgres@localhost/app up\n\nA no-transaction migration that fails part way is marked failed in the tracking table, and\n`up`, `down` and `redo` refuse to run until you repair the database by hand and clear the\nmark with `schemakit migrate … resolve VERSION --as applied` (you completed it) or\n`--as pending` (you undid it).\n\nExit codes: 0 done; 1 a migration failed, or `status` found a changed, missing or failed\nmigration; 2 usage error (an unknown version, a tracking table of another tool)."
    )]
    Migrate(cmd::migrate::Args),
    /// Static checks over migration sets: each finding with its rule, location and fix.
    #[command(
        after_help = "Examples:\n  schemakit lint db/user_story_agent/migrations\n  schemakit lint --system cira --format github\n\nSuppress a finding with `-- schemakit:allow <rule>` on or above the statement.\nExit codes: 0 no findings, 1 findings, 2 usage or input error."
    )]
    Lint(cmd::lint::Args),
    /// Write the next migration from schema.sql: the change from what the migrations build,
    /// in the set's own layout, proven on a real Postgres before it is written.
    #[command(
        after_help = "Examples:\n  schemakit diff --system cira\n  schemakit diff db/cira --print\n  schemakit diff --check\n  schemakit diff path/to/migrations --schema schema.sql --rename jobs.title=name\n\nExit codes: 0 nothing to do, or the migration was written (or printed); 1 --check found a\nmigration is needed; 2 a change was refused (see --allow-destructive, --rename), the\nmigration was not proven, or a usage, input or environment error."
    )]
    Diff(cmd::diff::Args),
    /// Check that the generated code is what the DDL produces; exit 1 and print a diff if not.
    #[command(
        after_help = "Examples:\n  schemakit check --system cira\n  schemakit check db/cira/schema.sql --out /tmp/cira"
    )]
    Check(cmd::generate::Args),
}

/// mimalloc: reading and folding allocate many small objects on several threads (syntax
/// trees read on one thread are freed on another), where the system allocator's locks
/// cost a third of `generate`'s time (`cargo bench --bench generate`, which uses it too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Deeply nested SQL (a CHECK of a thousand `OR`s) recurses deeply in sqlparser; the
/// work runs on a thread with a stack large enough for it.
const STACK_BYTES: usize = schema::READ_STACK_BYTES;

fn main() -> ExitCode {
    // clap prints help and usage errors before `--color` is parsed: it is told first.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let choice = ColorChoice::from_raw_args(&args);
    let matches = Cli::command()
        .color(choice.to_clap())
        .get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let color = Color::detect(cli.color);
    let worker = std::thread::Builder::new()
        .name("schemakit".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli.command, color));
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

fn run(command: Command, color: Color) -> anyhow::Result<ExitCode> {
    match command {
        Command::Parse(args) => cmd::parse::run(&args, color),
        Command::Generate(args) => cmd::generate::run(&args, color),
        Command::Check(args) => cmd::check::run(&args, color),
        Command::Verify(args) => cmd::verify::run(&args, color),
        Command::Migrate(args) => cmd::migrate::run(&args, color),
        Command::Lint(args) => cmd::lint::run(&args, color),
        Command::Diff(args) => cmd::diff::run(&args, color),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
