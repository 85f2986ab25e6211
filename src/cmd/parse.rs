//! `schemakit parse`: each path's folded schema model, as canonical DDL or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{Format, Input};
use crate::color::Color;

/// `schemakit parse`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Output format: canonical DDL and the statements kept verbatim, or one JSON
    /// document with the model, the statements and the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `schemakit parse`: exit 0, or 2 when a path has errors.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    let paths: Vec<PathBuf> = if args.input.paths.is_empty() {
        let config = args.input.load_config()?;
        args.input
            .systems(&config)?
            .into_iter()
            .filter_map(|(_, s)| s.source().map(|p| config.path(p)))
            .collect()
    } else {
        args.input.paths.clone()
    };
    let mut failed = false;
    let mut docs = Vec::new();
    for path in &paths {
        if args.format == Format::Text && paths.len() > 1 {
            println!("-- ==== {} ====\n", path.display());
        }
        let (doc, ok) = parse(&args.input, path, args.format, color)?;
        docs.extend(doc);
        failed |= !ok;
    }
    if args.format == Format::Json {
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

/// Parses one path; prints it in text format, or returns its JSON document. The flag
/// says whether it parsed without errors.
fn parse(
    input: &Input,
    path: &Path,
    format: Format,
    color: Color,
) -> anyhow::Result<(Option<serde_json::Value>, bool)> {
    let parsed = input.parse(path);
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
            eprint!(
                "{}",
                schema::diagnostic::render(&parsed.diagnostics, color.stderr)
            );
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
