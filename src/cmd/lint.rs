//! `schemakit lint`: static checks over migration sets, each finding with its rule,
//! location and fix, as text, JSON or GitHub annotations.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Input;
use crate::color::Color;

/// `schemakit lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Switch a rule on (e.g. prefer-text, timestamp-without-time-zone).
    #[arg(long)]
    pub enable: Vec<String>,
    /// Switch a rule off.
    #[arg(long)]
    pub disable: Vec<String>,
    /// Treat every migration file as meant to be re-runnable.
    #[arg(long)]
    pub rerunnable: bool,
}

/// `--format` of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Each finding with its rule, message, an excerpt of the file and the fix.
    Text,
    /// A JSON array of findings.
    Json,
    /// GitHub Actions annotations (`::warning file=…,line=…::…`).
    Github,
}

/// Runs `schemakit lint`: exit 0 without findings, 1 with findings, 2 when a set does not
/// parse (then nothing is linted).
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    for rule in args.enable.iter().chain(&args.disable) {
        if !schema::lint::RULES.iter().any(|(r, _, _)| r == rule) {
            let names: Vec<&str> = schema::lint::RULES.iter().map(|(r, _, _)| *r).collect();
            anyhow::bail!(
                "unknown lint rule `{rule}`; the rules are: {}",
                names.join(", ")
            );
        }
    }
    let opts = schema::lint::Options {
        enable: args.enable.iter().cloned().collect(),
        disable: args.disable.iter().cloned().collect(),
        rerunnable: args.rerunnable,
        array_elements_not_null: Default::default(),
    };
    // Each set with its options: a system's `array_elements_not_null` applies to it.
    let sets: Vec<(PathBuf, schema::lint::Options)> = if args.input.paths.is_empty() {
        let config = args.input.load_config()?;
        args.input
            .systems(&config)?
            .into_iter()
            .filter_map(|(_, s)| {
                let dir = config.path(s.migrations.as_ref()?);
                let opts = schema::lint::Options {
                    array_elements_not_null: s.array_elements_not_null.clone(),
                    ..opts.clone()
                };
                Some((dir, opts))
            })
            .collect()
    } else {
        args.input
            .paths
            .iter()
            .map(|p| (p.clone(), opts.clone()))
            .collect()
    };
    let mut findings = Vec::new();
    let mut diagnostics = Vec::new();
    for (d, opts) in &sets {
        let set = args.input.read_set(d, color)?;
        let linted = schema::lint::lint(&set, opts);
        findings.extend(linted.findings);
        diagnostics.extend(linted.diagnostics);
    }
    // What `parse` rejects, `lint` rejects: the same diagnostics, exit 2, no findings.
    eprint!("{}", schema::diagnostic::render(&diagnostics, color.stderr));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!("{errors} error(s): the migrations do not parse; nothing was linted");
        return Ok(ExitCode::from(2));
    }
    let mut out = std::io::stdout().lock();
    match args.format {
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
            // Each finding as a diagnostic: rule, message, an excerpt of the file, the fix.
            let diagnostics: Vec<schema::Diagnostic> =
                findings.iter().map(|f| f.diagnostic.clone()).collect();
            write!(
                out,
                "{}",
                schema::diagnostic::render(&diagnostics, color.stdout)
            )?;
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
