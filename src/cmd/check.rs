//! `schemakit check`: the generated code compared with what the DDL produces now; a
//! unified diff and exit 1 when they differ.

use std::process::ExitCode;

use super::generate::{self, Args, Plan, Planned};
use crate::color::Color;

/// Runs `schemakit check`: exit 0 when the files on disk are the plan, 1 with a diff when
/// not, 2 when the input has errors.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    let Ok(plan) = generate::plan(args, "check", color)? else {
        return Ok(ExitCode::from(2));
    };
    let diff = diff(&plan);
    if diff.is_empty() {
        eprintln!("generated code is up to date ({} files)", plan.files.len());
        Ok(ExitCode::SUCCESS)
    } else {
        print!("{diff}");
        eprintln!("generated code is out of date; run `schemakit generate` and commit the result");
        Ok(ExitCode::from(1))
    }
}

/// A unified diff of every file that differs from the plan; empty when all agree.
fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for (path, planned) in &plan.files {
        // A reused file is as it was on disk: nothing to compare.
        let Planned::Text(text) = planned else {
            continue;
        };
        let old = generate::on_disk(path).unwrap_or_default();
        if old != *text {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(old.as_str(), text.as_str());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string(),
            );
        }
    }
    for path in generate::leftovers(plan).0 {
        out.push_str(&format!(
            "--- {}\n+++ /dev/null\n(stale: no longer generated)\n",
            path.display()
        ));
    }
    out
}
