//! `schemakit generate` and `schemakit check`: the generator's files, written to disk or
//! compared with what is there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::config::Config;

/// Files to write and the module directories they are written to. A `.rs` file in one of
/// those directories that the plan does not contain is stale when it carries schemakit's
/// `@generated` header, and removed; any other file there is left alone.
#[derive(Debug, Default)]
pub struct Plan {
    /// Path (relative to the current directory) → text.
    pub files: BTreeMap<PathBuf, String>,
    /// Directories the plan generates modules into.
    pub module_dirs: Vec<PathBuf>,
}

/// Why no plan could be made: the input had errors, which were printed.
#[derive(Debug)]
pub struct InputErrors;

/// Parses `source` and generates its module into `dir`.
fn plan_module(
    plan: &mut Plan,
    source: &Path,
    dir: &Path,
    module: &str,
    overrides: codegen::TypeOverrides,
    renames: codegen::Renames,
    color: bool,
) -> Result<(), InputErrors> {
    let parsed = schema::parse_path(source);
    if parsed.has_errors() {
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        eprint!("{}", schema::diagnostic::render(&errors, color));
        eprintln!(
            "{}: {} error(s); nothing generated",
            source.display(),
            errors.len()
        );
        return Err(InputErrors);
    }
    let opts = codegen::Options {
        module: module.to_string(),
        source: source.display().to_string(),
        overrides,
        renames,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    match codegen::generate(&parsed.schema, &opts) {
        Ok(files) => {
            for (path, text) in files {
                let rel = path
                    .strip_prefix(&format!("{module}/"))
                    .unwrap_or(&path)
                    .to_string();
                plan.files.insert(dir.join(rel), text);
            }
            plan.module_dirs.push(dir.to_path_buf());
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {}: {e}", source.display());
            }
            Err(InputErrors)
        }
    }
}

/// The plan for the configured systems (or one of them).
pub fn plan_config(
    config: &Config,
    system: Option<&str>,
    color: bool,
) -> anyhow::Result<Result<Plan, InputErrors>> {
    let out = config.path(&config.generate.out);
    let mut plan = Plan::default();
    let mut failed = false;
    for (name, sys) in config.selected(system)? {
        let Some(source) = sys.source() else { continue };
        let module = sys.module(name)?;
        let overrides = codegen::TypeOverrides {
            types: sys.types.clone(),
            columns: sys.columns.clone(),
        };
        if plan_module(
            &mut plan,
            &config.path(source),
            &out.join(&module),
            &module,
            overrides,
            sys.rename.to_codegen(),
            color,
        )
        .is_err()
        {
            failed = true;
        }
    }
    if failed {
        return Ok(Err(InputErrors));
    }
    let mut systems: Vec<(String, String)> = Vec::new();
    for (name, sys) in &config.systems {
        if let Some(source) = sys.source() {
            systems.push((sys.module(name)?, source.display().to_string()));
        }
    }
    plan.files
        .insert(out.join("lib.rs"), codegen::lib_file(&systems)?);
    Ok(Ok(plan))
}

/// The plan for one DDL file or migration directory, without a config file.
pub fn plan_single(
    source: &Path,
    out: &Path,
    module: Option<&str>,
    color: bool,
) -> anyhow::Result<Result<Plan, InputErrors>> {
    let module = match module {
        Some(m) => m.to_string(),
        None => match out.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => bail!(
                "cannot derive a module name from --out {}; pass --module",
                out.display()
            ),
        },
    };
    let mut plan = Plan::default();
    Ok(plan_module(
        &mut plan,
        source,
        out,
        &module,
        codegen::TypeOverrides::default(),
        codegen::Renames::default(),
        color,
    )
    .map(|()| plan))
}

/// What `write` did.
#[derive(Debug, Default)]
pub struct Written {
    /// Files created or changed.
    pub changed: Vec<PathBuf>,
    /// Files that were already up to date.
    pub unchanged: usize,
    /// Stale generated files removed.
    pub removed: Vec<PathBuf>,
    /// Files in a module directory that schemakit did not write, left alone.
    pub foreign: Vec<PathBuf>,
}

/// Whether `path` is a file schemakit wrote: it starts with the `@generated` header.
fn is_generated(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; codegen::GENERATED_HEADER.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| start == codegen::GENERATED_HEADER.as_bytes())
}

/// The `.rs` files of the plan's module directories that the plan does not contain:
/// generated ones (stale) and the rest (foreign), each sorted.
fn leftovers(plan: &Plan) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut stale, mut foreign) = (Vec::new(), Vec::new());
    for dir in &plan.module_dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") || plan.files.contains_key(&path) {
                continue;
            }
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if regular && is_generated(&path) {
                stale.push(path);
            } else {
                foreign.push(path);
            }
        }
    }
    stale.sort();
    foreign.sort();
    (stale, foreign)
}

/// Files the plan would overwrite that schemakit did not write.
fn would_overwrite(plan: &Plan) -> Vec<&Path> {
    plan.files
        .keys()
        .filter(|p| p.symlink_metadata().is_ok() && !is_generated(p))
        .map(PathBuf::as_path)
        .collect()
}

/// Writes every file of the plan that differs from disk, and removes stale generated
/// ones. Refuses, before writing anything, when a file it would write exists and was not
/// written by schemakit.
pub fn write(plan: &Plan) -> anyhow::Result<Written> {
    let clobbered = would_overwrite(plan);
    if !clobbered.is_empty() {
        let list: Vec<String> = clobbered.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "refusing to overwrite {} file(s) that schemakit did not write (no `{}` header): {}; move them away or generate into another directory",
            list.len(),
            codegen::GENERATED_HEADER,
            list.join(", ")
        );
    }
    let (stale, foreign) = leftovers(plan);
    let mut written = Written {
        foreign,
        ..Written::default()
    };
    for (path, text) in &plan.files {
        if std::fs::read_to_string(path).is_ok_and(|old| old == *text) {
            written.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        written.changed.push(path.clone());
    }
    for path in stale {
        std::fs::remove_file(&path)
            .map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", path.display()))?;
        written.removed.push(path);
    }
    Ok(written)
}

/// A unified diff of every file that differs from the plan; empty when all agree.
pub fn check(plan: &Plan) -> String {
    let mut out = String::new();
    for (path, text) in &plan.files {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        if old != *text {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&old, text);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&name, &name)
                    .to_string(),
            );
        }
    }
    for path in leftovers(plan).0 {
        out.push_str(&format!(
            "--- {}\n+++ /dev/null\n(stale: no longer generated)\n",
            path.display()
        ));
    }
    out
}
