//! `schemakit diff`: the next migration of a set, from the model its up scripts build to
//! the model of `schema.sql` ([`schema::plan::plan`]), proven on a real Postgres
//! ([`verify::prove`]) and only then written in the set's own layout
//! ([`schema::migrations::write`]). `--print` shows it and writes nothing; `--check`
//! writes nothing and exits 1 when a migration is needed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use schema::migrations::MigrationSet;
use schema::migrations::write::{NewMigration, Timestamp, keeps_downs, next_migration};
use schema::model::QualifiedName;
use schema::plan::{ColumnRename, Plan, PlanOptions, plan};
use verify::ServerPool;
use verify::prove::{Candidate, ProveError, prove};
use verify::runner::Runner;

use super::Input;
use super::migrate::TrackingArgs;
use super::verify::ServerArgs;
use crate::color::{Color, paint};
use crate::config::{Config, System};

/// `schemakit diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The canonical DDL the migrations must reach (with PATH; by default the system's
    /// `schema`, or the `schema.sql` of a system directory given as PATH).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// The new migration's name (letters, digits, `_`, `-`).
    #[arg(long, default_value = "schema_diff")]
    pub name: String,
    /// Print the up and down scripts instead of writing them (nothing is proven or
    /// written).
    #[arg(long, conflicts_with = "check")]
    pub print: bool,
    /// Write nothing; exit 1 when a migration is needed (schema.sql moved, no migration).
    #[arg(long)]
    pub check: bool,
    /// Make destructive changes (dropping a table, column, type or label, narrowing a
    /// type) where schema.sql says so; refused otherwise.
    #[arg(long)]
    pub allow_destructive: bool,
    /// A column renamed, not dropped and added: `TABLE.OLD=NEW` (`schema.table.OLD=NEW`
    /// outside `public`; names taken literally). Repeatable.
    #[arg(long = "rename", value_name = "TABLE.OLD=NEW", value_parser = parse_rename)]
    pub renames: Vec<ColumnRename>,
    /// Write the migration without proving it on a real Postgres.
    #[arg(long)]
    pub no_verify: bool,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub tracking: TrackingArgs,
}

/// `--rename TABLE.OLD=NEW`.
fn parse_rename(arg: &str) -> Result<ColumnRename, String> {
    let usage = || format!("`{arg}`: expected TABLE.OLD=NEW, e.g. `jobs.title=name`");
    let (left, to) = arg.split_once('=').ok_or_else(usage)?;
    let (table, from) = left.rsplit_once('.').ok_or_else(usage)?;
    let table = match table.split_once('.') {
        Some((schema, name)) => QualifiedName::new(schema, name),
        None => QualifiedName::public(table),
    };
    if [&table.schema, &table.name].iter().any(|s| s.is_empty()) || from.is_empty() || to.is_empty()
    {
        return Err(usage());
    }
    Ok(ColumnRename {
        table,
        from: from.to_string(),
        to: to.to_string(),
    })
}

/// One set and the schema.sql it must reach.
struct Job<'c> {
    name: String,
    set: MigrationSet,
    schema: PathBuf,
    runner: Runner,
    system: Option<&'c System>,
}

/// How one job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    /// Nothing to do, or done.
    Done,
    /// `--check`: a migration is needed.
    Needed,
    /// Refused, not proven, or an error.
    Failed,
}

/// Runs `schemakit diff`: exit 0 when nothing is needed or the migration was written
/// (or printed), 1 when `--check` finds a migration is needed, 2 when a change is refused,
/// the migration is not proven, or the input is wrong.
pub fn run(args: &Args, color: Color) -> anyhow::Result<ExitCode> {
    verify::cleanup::install_signal_handler(color.progress)
        .context("cannot install a signal handler")?;
    let config = if args.input.paths.is_empty() {
        Some(args.input.load_config()?)
    } else {
        None
    };
    let jobs = jobs(args, config.as_ref(), color)?;
    let mut pool = ServerPool::new(color.progress);
    let mut worst = Ending::Done;
    let many = jobs.len() > 1;
    for job in &jobs {
        let mut out = std::io::stdout().lock();
        if many {
            writeln!(out, "\n{}", paint(&job.name, "1", color.stdout))?;
        }
        drop(out);
        let ending = run_job(args, job, config.as_ref(), &mut pool, color)?;
        worst = worst.max(ending);
    }
    verify::cleanup::checkpoint();
    Ok(match worst {
        Ending::Done => ExitCode::SUCCESS,
        Ending::Needed => ExitCode::from(1),
        Ending::Failed => ExitCode::from(2),
    })
}

/// The sets to diff: the PATH given, or the systems of `schemakit.toml`.
fn jobs<'c>(args: &Args, config: Option<&'c Config>, color: Color) -> anyhow::Result<Vec<Job<'c>>> {
    let (format, table) = (
        args.tracking.tracking_format,
        args.tracking.tracking_table.as_deref(),
    );
    let Some(config) = config else {
        let Some(path) = args.input.one_path("diff")? else {
            bail!("diff needs a PATH or a schemakit.toml");
        };
        let schema = match &args.schema {
            Some(file) => file.clone(),
            None if path.join("schema.sql").is_file() && super::set_dir(path) != path => {
                path.join("schema.sql")
            }
            None => bail!(
                "diff {}: name the schema.sql the migrations must reach with --schema FILE",
                path.display()
            ),
        };
        let set = args.input.read_set(path, color)?;
        let runner = runner(crate::config::tracking_choice(format, table)?);
        return Ok(vec![Job {
            name: path.display().to_string(),
            set,
            schema,
            runner,
            system: None,
        }]);
    };
    if args.schema.is_some() {
        bail!("--schema goes with a PATH; a system's schema.sql is its `schema` in schemakit.toml");
    }
    let mut jobs = Vec::new();
    for (name, sys) in args.input.systems(config)? {
        let (Some(migrations), Some(schema)) = (&sys.migrations, &sys.schema) else {
            if args.input.system.is_some() {
                bail!(
                    "system `{name}` needs both `migrations` and `schema` in schemakit.toml for diff"
                );
            }
            let missing = if sys.migrations.is_none() {
                "migrations"
            } else {
                "schema"
            };
            println!("system `{name}` has no `{missing}` in schemakit.toml: nothing to diff");
            continue;
        };
        jobs.push(Job {
            name: name.clone(),
            set: args.input.read_set(&config.path(migrations), color)?,
            schema: config.path(schema),
            runner: runner(sys.tracking(format, table)?),
            system: Some(sys),
        });
    }
    Ok(jobs)
}

fn runner(tracking: verify::tracking::Choice) -> Runner {
    Runner {
        tracking,
        ignore_missing: false,
    }
}

/// Reads a model; errors (in the up scripts, for a set) stop the job, rendered.
fn model(parsed: schema::Parsed, what: &str, color: Color) -> anyhow::Result<schema::Schema> {
    let errors: Vec<schema::Diagnostic> = parsed.up_errors().cloned().collect();
    if !errors.is_empty() {
        bail!(
            "{what} has errors; fix them first:\n{}",
            schema::diagnostic::render(&errors, color.stderr)
        );
    }
    Ok(parsed.schema)
}

fn run_job(
    args: &Args,
    job: &Job,
    config: Option<&Config>,
    pool: &mut ServerPool,
    color: Color,
) -> anyhow::Result<Ending> {
    let tracking = job.runner.tracking(&job.set).table.qualified();
    let mut from = model(
        job.set.fold_up(),
        &format!("the migration set {}", job.set.dir.display()),
        color,
    )?;
    let mut to = model(
        schema::parse_path(&job.schema),
        &job.schema.display().to_string(),
        color,
    )?;
    // The runner's tracking table is the runner's, not the schema's.
    from.tables.remove(&tracking);
    to.tables.remove(&tracking);
    // Renames said once in schemakit.toml, then those on the command line.
    let mut renames = Vec::new();
    for r in job
        .system
        .map(|s| s.diff.renames.as_slice())
        .unwrap_or_default()
    {
        renames.push(
            parse_rename(r)
                .map_err(|e| anyhow::anyhow!("[systems.{}.diff] renames: {e}", job.name))?,
        );
    }
    renames.extend(args.renames.iter().cloned());
    let opts = PlanOptions {
        allow_destructive: args.allow_destructive,
        renames,
        // `-- UP`/`-- DOWN` and drizzle migrations always run in a transaction.
        concurrently: !matches!(
            job.set.layout,
            schema::Layout::UpDown | schema::Layout::Drizzle
        ),
    };
    let mut out = std::io::stdout().lock();
    let plan = match plan(&from, &to, &opts) {
        Ok(plan) => plan,
        Err(refusals) => {
            eprintln!(
                "{} {} change(s) from the migrations to {} refused:",
                paint("refused:", "31;1", color.stderr),
                refusals.len(),
                job.schema.display()
            );
            for r in &refusals {
                eprintln!("  - {r}");
            }
            eprintln!(
                "nothing was written; pass --allow-destructive to make destructive changes, or --rename TABLE.OLD=NEW where a column was renamed"
            );
            return Ok(Ending::Failed);
        }
    };
    if plan.is_empty() {
        writeln!(
            out,
            "nothing to do: the migrations already build {}",
            job.schema.display()
        )?;
        return Ok(Ending::Done);
    }
    if args.check {
        writeln!(
            out,
            "a migration is needed: {} differs from what the migrations build ({} change(s)):",
            job.schema.display(),
            changes(&plan)
        )?;
        summary(&mut out, &plan)?;
        writeln!(out, "run `schemakit diff` to write it")?;
        return Ok(Ending::Needed);
    }
    let up = plan.up_sql();
    let down = plan.down_sql();
    let no_transaction = plan.no_transaction();
    if args.print {
        let outside = if no_transaction {
            " (runs outside a transaction)"
        } else {
            ""
        };
        writeln!(out, "-- up{outside}\n{up}\n-- down{outside}\n{down}")?;
        return Ok(Ending::Done);
    }
    // What the layout cannot say stops the job before a server is started.
    let keeps_down = keeps_downs(&job.set);
    let now = Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default(),
    );
    let new = next_migration(
        &job.set,
        &args.name,
        &up,
        keeps_down.then_some(down.as_str()),
        no_transaction,
        now,
    )
    .with_context(|| format!("cannot write the migration in {}", job.set.dir.display()))?;
    writeln!(
        out,
        "the new migration {} ({} change(s)):",
        new.version,
        changes(&plan)
    )?;
    summary(&mut out, &plan)?;
    if args.no_verify {
        eprintln!(
            "{} --no-verify: the migration is NOT proven on a real Postgres; run `schemakit verify` before applying it",
            paint("warning:", "33;1", color.stderr)
        );
    } else {
        let target = schema::source::read_file(&job.schema)
            .map_err(|d| anyhow::anyhow!("{}", schema::diagnostic::render(&[d], color.stderr)))?;
        let runtime = super::verify::runtime(&args.server.options(), job.system, config)?;
        let server = super::verify::server(pool, &runtime, &mut out, false)?;
        let candidate = Candidate {
            set: &job.set,
            up: &up,
            down: Some(&down),
            no_transaction,
            target: &target,
            runner: &job.runner,
        };
        match prove(server, &candidate) {
            Ok(proof) => {
                for step in &proof.steps {
                    writeln!(out, "  {} {step}", paint("✓", "32", color.stdout))?;
                }
                for note in &proof.notes {
                    writeln!(out, "  note: {note}")?;
                }
            }
            Err(ProveError::Failed(failure)) => {
                verify::cleanup::checkpoint();
                eprintln!("{}", paint(&failure.to_string(), "31", color.stderr));
                eprintln!(
                    "nothing was written; `schemakit diff --print` shows the scripts, `--no-verify` writes them unproven"
                );
                return Ok(Ending::Failed);
            }
            Err(ProveError::Environment(e)) => {
                return Err(anyhow::anyhow!(e).context("cannot prove the migration"));
            }
        }
    }
    if !keeps_down {
        writeln!(
            out,
            "note: the {} set keeps no down scripts, so the down is not written",
            job.set.layout
        )?;
    }
    write_files(&new)?;
    for f in &new.files {
        let verb = if f.replaces { "updated" } else { "wrote" };
        writeln!(out, "{verb} {}", f.path.display())?;
    }
    Ok(Ending::Done)
}

/// How many changes the up script makes (a change may take several steps).
fn changes(plan: &Plan) -> usize {
    let distinct: std::collections::BTreeSet<&String> = plan.up.iter().map(|s| &s.change).collect();
    distinct.len()
}

/// One line per change the up script makes.
fn summary(out: &mut impl Write, plan: &Plan) -> std::io::Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    // A change made in several steps (a table, then its foreign keys) is listed once.
    for step in plan.up.iter().filter(|s| seen.insert(&s.change)) {
        let outside = if step.no_transaction {
            " (outside a transaction)"
        } else {
            ""
        };
        writeln!(out, "  {}{outside}", step.change)?;
    }
    Ok(())
}

/// Writes a new migration's files: each new file must not exist; on a failure, the files
/// already written are removed and a replaced file gets its old text back.
fn write_files(new: &NewMigration) -> anyhow::Result<()> {
    let mut done: Vec<(&Path, Option<String>)> = Vec::new();
    let mut made_dirs: Vec<PathBuf> = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for f in &new.files {
            if let Some(parent) = f.path.parent() {
                if !parent.exists() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                    made_dirs.push(parent.to_path_buf());
                }
            }
            if f.replaces {
                let old = std::fs::read_to_string(&f.path)
                    .with_context(|| format!("cannot read {}", f.path.display()))?;
                std::fs::write(&f.path, &f.text)
                    .with_context(|| format!("cannot write {}", f.path.display()))?;
                done.push((&f.path, Some(old)));
            } else {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&f.path)
                    .with_context(|| format!("cannot create {}", f.path.display()))?;
                done.push((&f.path, None));
                file.write_all(f.text.as_bytes())
                    .with_context(|| format!("cannot write {}", f.path.display()))?;
            }
        }
        Ok(())
    })();
    if result.is_err() {
        for (path, old) in done.iter().rev() {
            let _ = match old {
                Some(text) => std::fs::write(path, text),
                None => std::fs::remove_file(path),
            };
        }
        for dir in made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_name_a_table_a_column_and_its_new_name() {
        let r = parse_rename("jobs.title=name").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.table, QualifiedName::public("jobs"));
        assert_eq!((r.from.as_str(), r.to.as_str()), ("title", "name"));
        let r = parse_rename("app.jobs.title=name").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.table, QualifiedName::new("app", "jobs"));
        for bad in ["jobs", "title=name", "jobs.title=", ".title=name", "a..b=c"] {
            assert!(parse_rename(bad).is_err(), "{bad}");
        }
    }
}
