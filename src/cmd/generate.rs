//! `schemakit generate`: the generator's files for the configured systems (or one PATH),
//! planned in memory and written all at once. `check` compares the same plan with disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;

use super::Input;
use crate::color::Color;
use crate::config::Config;

/// `schemakit generate` (and `schemakit check`, which compares instead of writing).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The module directory of a PATH (without schemakit.toml).
    #[arg(long, requires = "paths")]
    pub out: Option<PathBuf>,
    /// The module name of a PATH (default: the --out directory's name).
    #[arg(long, requires = "paths")]
    pub module: Option<String>,
    /// Render every file, even one whose header says it was rendered from the same input
    /// (for a schemakit built from changed sources).
    #[arg(long)]
    pub render_all: bool,
}

/// Runs `schemakit generate`: exit 0 with everything written, 2 when the input has
/// errors (nothing is written).
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    let Ok(plan) = plan(args, "generate", color)? else {
        return Ok(ExitCode::from(2));
    };
    let written = write(&plan)?;
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

/// The plan of `args`: one PATH into `--out`, or the selected systems of the
/// configuration. `Err(InputErrors)` when the input had errors, which were printed.
pub fn plan(args: &Args, command: &str, color: Color) -> anyhow::Result<Result<Plan, InputErrors>> {
    match (args.input.one_path(command)?, &args.out) {
        (Some(path), Some(out)) => plan_single(
            &args.input,
            path,
            out,
            args.module.as_deref(),
            args.render_all,
            color,
        ),
        (Some(_), None) => bail!("generating from a path needs --out DIR"),
        (None, _) => plan_config(
            &args.input,
            &args.input.load_config()?,
            args.render_all,
            color,
        ),
    }
}

/// Files to write and the module directories they are written to. A `.rs` file in one of
/// those directories that the plan does not contain is stale when it carries schemakit's
/// `@generated` header, and removed; any other file there is left alone.
#[derive(Debug, Default)]
pub struct Plan {
    /// Path (relative to the current directory) → what it holds.
    pub files: BTreeMap<PathBuf, Planned>,
    /// Directories the plan generates modules into.
    pub module_dirs: Vec<PathBuf>,
}

/// A file of the plan.
#[derive(Debug)]
pub enum Planned {
    /// The generated file on disk, reused as it is: codegen found it rendered from the
    /// same input, its text unedited.
    Unchanged,
    /// This text.
    Text(String),
}

/// The text at `path` now, if there is a readable one in a regular file.
pub fn on_disk(path: &Path) -> Option<String> {
    if !is_regular(path) {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Whether `path` is a regular file or a link to one: only those are read, since a FIFO
/// or a device named `*.rs` would block or never end.
fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Why no plan could be made: the input had errors, which were printed.
#[derive(Debug)]
pub struct InputErrors;

/// The generator's options for the module `module` of `source`. How many threads render
/// is the CLI's choice: all the cores there are.
fn options(
    source: &Path,
    module: &str,
    overrides: codegen::TypeOverrides,
    renames: codegen::Renames,
    array_elements_not_null: std::collections::BTreeSet<String>,
) -> codegen::Options {
    codegen::Options {
        module: module.to_string(),
        source: source.display().to_string(),
        overrides,
        renames,
        array_elements_not_null,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    }
}

/// Parses `source` (as `input` says) and generates its module into `dir`, reusing the
/// files there whose input is unchanged unless `render_all`.
fn plan_module(
    plan: &mut Plan,
    input: &Input,
    source: &Path,
    dir: &Path,
    opts: &codegen::Options,
    render_all: bool,
    color: Color,
) -> Result<(), InputErrors> {
    // What schemakit wrote there before (unless every file is to be rendered) is read,
    // and the naming rules are built, while the SQL is parsed.
    let read_previous = || {
        if render_all {
            BTreeMap::new()
        } else {
            previous_files(dir, &opts.module)
        }
    };
    let (parsed, previous) = std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("previous files".into())
            .spawn_scoped(scope, || {
                codegen::prepare();
                read_previous()
            });
        let parsed = input.parse(source);
        let previous = match reading {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read_previous(),
        };
        (parsed, previous)
    });
    // Generation needs the ups only: errors in down scripts are reported, and do not
    // stop it.
    let down_errors: Vec<_> = parsed
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(i, d)| d.is_error() && parsed.from_downs.contains(i))
        .map(|(_, d)| d.clone())
        .collect();
    if !down_errors.is_empty() {
        eprint!("{}", schema::diagnostic::render(&down_errors, color.stderr));
        eprintln!(
            "{}: {} error(s) in down scripts; generated from the up scripts",
            source.display(),
            down_errors.len()
        );
    }
    let errors: Vec<_> = parsed.up_errors().cloned().collect();
    if !errors.is_empty() {
        eprint!("{}", schema::diagnostic::render(&errors, color.stderr));
        eprintln!(
            "{}: {} error(s); nothing generated",
            source.display(),
            errors.len()
        );
        return Err(InputErrors);
    }
    let generated = codegen::generate_reusing(&parsed.schema, opts, &previous);
    let prefix = format!("{}/", opts.module);
    let in_dir = |path: &str| dir.join(path.strip_prefix(&prefix).unwrap_or(path));
    let generated = generated.map(|files| {
        files
            .into_iter()
            .map(|(path, text)| {
                let planned = match text {
                    codegen::Output::Reused => Planned::Unchanged,
                    codegen::Output::Text(text) => Planned::Text(text),
                };
                (in_dir(&path), planned)
            })
            .collect::<Vec<_>>()
    });
    match generated {
        Ok(files) => {
            plan.files.extend(files);
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

/// What schemakit wrote in `dir` before, keyed as codegen keys the files of `module`: a
/// file whose input did not change is not rendered again. Each file is read into the same
/// buffer and only its first line and fingerprint are kept, so memory does not grow with
/// the generated code and the text is hashed while it is in the cache.
fn previous_files(dir: &Path, module: &str) -> BTreeMap<String, codegen::Previous> {
    use std::io::Read;
    let mut previous = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return previous;
    };
    let mut buffer = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path
            .file_name()
            .filter(|_| path.extension().is_some_and(|e| e == "rs"))
        else {
            continue;
        };
        if !is_regular(&path) {
            continue;
        }
        buffer.clear();
        let read = std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut buffer));
        if let Some(file) = read.ok().and_then(|_| codegen::Previous::of(&buffer)) {
            previous.insert(format!("{module}/{}", name.to_string_lossy()), file);
        }
    }
    previous
}

/// The plan for the configured systems (or the one `--system` names).
fn plan_config(
    input: &Input,
    config: &Config,
    render_all: bool,
    color: Color,
) -> anyhow::Result<Result<Plan, InputErrors>> {
    let out = config.path(&config.generate.out);
    let mut plan = Plan::default();
    let mut failed = false;
    for (name, sys) in input.systems(config)? {
        let Some(source) = sys.source() else { continue };
        let module = sys.module(name)?;
        let overrides = codegen::TypeOverrides {
            types: sys.types.clone(),
            columns: sys.columns.clone(),
        };
        let source = config.path(source);
        let opts = options(
            &source,
            &module,
            overrides,
            sys.rename.to_codegen(),
            sys.array_elements_not_null.clone(),
        );
        let dir = out.join(&module);
        failed |= plan_module(&mut plan, input, &source, &dir, &opts, render_all, color).is_err();
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
    plan.files.insert(
        out.join("lib.rs"),
        Planned::Text(codegen::lib_file(&systems)?),
    );
    Ok(Ok(plan))
}

/// The plan for one DDL file or migration directory, without a config file.
fn plan_single(
    input: &Input,
    source: &Path,
    out: &Path,
    module: Option<&str>,
    render_all: bool,
    color: Color,
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
    let opts = options(
        source,
        &module,
        codegen::TypeOverrides::default(),
        codegen::Renames::default(),
        std::collections::BTreeSet::new(),
    );
    let mut plan = Plan::default();
    Ok(plan_module(&mut plan, input, source, out, &opts, render_all, color).map(|()| plan))
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
    is_regular(path)
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut start))
            .is_ok_and(|()| start == codegen::GENERATED_HEADER.as_bytes())
}

/// The `.rs` files of the plan's module directories that the plan does not contain:
/// generated ones (stale) and the rest (foreign), each sorted.
pub(super) fn leftovers(plan: &Plan) -> (Vec<PathBuf>, Vec<PathBuf>) {
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

/// Files the plan would overwrite that schemakit did not write. (A reused file was read
/// as schemakit's when the plan was made, and is not written.)
fn would_overwrite(plan: &Plan) -> Vec<&Path> {
    plan.files
        .iter()
        .filter(|(p, planned)| {
            matches!(planned, Planned::Text(_)) && p.symlink_metadata().is_ok() && !is_generated(p)
        })
        .map(|(p, _)| p.as_path())
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
    for (path, planned) in &plan.files {
        let text = match planned {
            Planned::Text(text) if on_disk(path).is_none_or(|old| old != *text) => text,
            _ => {
                written.unchanged += 1;
                continue;
            }
        };
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
