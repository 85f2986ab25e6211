//! Benchmark: `schemakit generate` (parse + fold + codegen) on a synthetic 1000-table
//! schema, against bare sqlparser parsing of the same text: cold (every file rendered;
//! target ≤ 3× the bare parse), and again after one table changed, with the files of the
//! first run on hand (only that table's file is rendered; target ≤ 1.3×).
//!
//! The targets are wall-clock times, best of 10 runs; schemakit reads SQL on every core
//! while the bare parse uses one. So the regeneration's CPU time (user and system, all
//! threads, the mean of 20 runs) is printed beside it, against the bare parse's: that
//! figure is what the wall-clock one approaches when the other cores are busy.
//!
//! The figures above are of the library, in one warm process. Last, the commands
//! themselves, `schemakit check` and `schemakit generate`, each run in a directory of its
//! own after each one-table edit (the previous files on disk), against a fresh process of
//! this benchmark that reads the same file and parses it with bare sqlparser; all three
//! include starting a process.
//!
//! Run with `cargo bench --bench generate`.

#[path = "synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};

/// The CLI's allocator (src/main.rs), so that the figures are the CLI's; the bare parse
/// runs with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    match last {
        Some(out) => (best, out),
        None => unreachable!("runs > 0"),
    }
}

/// CPU time (user and system, all threads, the finished ones included) this process has
/// used, from `/proc/self/stat` in clock ticks of 10 ms (`USER_HZ` is 100 on Linux);
/// `None` where there is no such file.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15; fields[0] is field 3.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The mean CPU time of one run of `f`, over `runs` runs.
fn mean_cpu<T>(runs: u32, mut f: impl FnMut() -> T) -> Option<Duration> {
    let start = cpu_time()?;
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    Some((cpu_time()? - start) / runs)
}

/// sqlparser alone on `sql`: how many statements it read.
fn bare_parse(sql: &str) -> usize {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    sqlparser::parser::Parser::parse_sql(&dialect, sql).map_or(0, |s| s.len())
}

/// Set in a child process of this benchmark: parse the SQL file it names with bare
/// sqlparser and exit (a fresh process's bare parse, beside the command's figure).
const PARSE_CHILD: &str = "SCHEMAKIT_BENCH_PARSE";

/// The wall-clock time of `command` run to the exit code `code`, with the last line it
/// printed.
fn timed(command: &mut std::process::Command, code: i32) -> Option<(Duration, String)> {
    let start = Instant::now();
    let out = command.output().ok()?;
    let elapsed = start.elapsed();
    (out.status.code() == Some(code)).then(|| {
        let mut printed = String::from_utf8_lossy(&out.stdout).into_owned();
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
        let last = printed.lines().last().unwrap_or_default().to_string();
        (elapsed, last)
    })
}

/// What [`command_figures`] measured, each the best of its runs.
struct CommandFigures {
    /// A fresh process's bare parse.
    bare: Duration,
    /// `schemakit check` after a one-table edit (finding two files out of date).
    check: Duration,
    /// `schemakit generate` after a one-table edit, and the last line it printed.
    generate: (Duration, String),
}

/// The best of `runs` fresh-process bare parses, `schemakit check` runs and
/// `schemakit generate` runs, each command after a one-table edit (the schema switched
/// between `sql` and `edited`); `None` (after saying so) where a run failed.
fn command_figures(sql: &str, edited: &str, runs: usize) -> Option<CommandFigures> {
    let dir = std::env::temp_dir().join(format!("schemakit-bench-generate-{}", std::process::id()));
    let schema = dir.join("db").join("schema.sql");
    let setup = std::fs::create_dir_all(dir.join("db")).and_then(|()| {
        std::fs::write(
            dir.join("schemakit.toml"),
            "[generate]\nout = \"src\"\n\n[systems.synthetic]\nschema = \"db/schema.sql\"\n",
        )
    });
    let schemakit = |subcommand: &str| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_schemakit"));
        c.arg(subcommand).current_dir(&dir);
        c
    };
    let this = std::env::current_exe().ok()?;
    let figures = setup.ok().and_then(|()| {
        std::fs::write(&schema, sql).ok()?;
        timed(&mut schemakit("generate"), 0)?;
        let mut best = CommandFigures {
            bare: Duration::MAX,
            check: Duration::MAX,
            generate: (Duration::MAX, String::new()),
        };
        for run in 0..runs {
            std::fs::write(&schema, if run % 2 == 0 { edited } else { sql }).ok()?;
            let (took, _) = timed(
                std::process::Command::new(&this).env(PARSE_CHILD, &schema),
                0,
            )?;
            best.bare = best.bare.min(took);
            // Out of date: exit 1.
            let (took, _) = timed(&mut schemakit("check"), 1)?;
            best.check = best.check.min(took);
            let (took, written) = timed(&mut schemakit("generate"), 0)?;
            if took < best.generate.0 {
                best.generate = (took, written);
            }
        }
        Some(best)
    });
    if figures.is_none() {
        eprintln!("the commands' figures failed in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    figures
}

fn main() {
    if let Some(file) = std::env::var_os(PARSE_CHILD) {
        let sql = std::fs::read_to_string(file).unwrap_or_default();
        std::process::exit(if bare_parse(&sql) > 0 { 0 } else { 1 });
    }
    let tables = 1000;
    let sql = synthetic::schema_sql(tables);
    let runs = 10;

    let (parse, statements) = best_of(runs, || bare_parse(&sql));

    let (model, parsed) = best_of(runs, || schema::parse_sql("synthetic.sql", &sql));
    assert!(
        !parsed.has_errors(),
        "the synthetic schema must parse cleanly"
    );

    let opts = codegen::Options {
        module: "synthetic".into(),
        source: "synthetic.sql".into(),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        ..codegen::Options::default()
    };
    let (codegen_only, files) = best_of(runs, || codegen::generate(&parsed.schema, &opts));
    let files = files.unwrap_or_default();
    let bytes: usize = files.values().map(String::len).sum();

    let total = model + codegen_only;

    // One table edited: a column added to the middle table.
    let edited_sql = sql.replacen(
        &format!(
            "    due_on date\n);\nCREATE INDEX table_{:04}_parent_idx",
            tables / 2
        ),
        &format!(
            "    due_on date,\n    note text\n);\nCREATE INDEX table_{:04}_parent_idx",
            tables / 2
        ),
        1,
    );
    assert_ne!(edited_sql, sql, "the edit must apply");
    // What `generate` keeps of the files on disk, read from them the way it does: a file
    // at a time.
    let read_previous = || -> std::collections::BTreeMap<String, codegen::Previous> {
        files
            .iter()
            .filter_map(|(path, text)| {
                let bytes = std::hint::black_box(text.as_bytes().to_vec());
                Some((path.clone(), codegen::Previous::of(&bytes)?))
            })
            .collect()
    };
    let regenerate = || {
        let parsed = schema::parse_sql("synthetic.sql", &edited_sql);
        codegen::generate_reusing(&parsed.schema, &opts, &read_previous()).unwrap_or_default()
    };
    let (regen, rendered) = best_of(runs, || {
        // Only a rendered file can differ from the previous one.
        regenerate()
            .iter()
            .filter(|(path, output)| match output {
                codegen::Output::Text(text) => files.get(*path) != Some(text),
                codegen::Output::Reused => false,
            })
            .count()
    });
    let cpu_runs = 20;
    let parse_cpu = mean_cpu(cpu_runs, || bare_parse(&sql));
    let regen_cpu = mean_cpu(cpu_runs, regenerate);
    let command = command_figures(&sql, &edited_sql, runs);
    println!(
        "synthetic schema: {tables} tables, {} statements, {} KiB of SQL",
        statements,
        sql.len() / 1024
    );
    println!(
        "bare sqlparser parse          {:>9.1} ms",
        parse.as_secs_f64() * 1e3
    );
    println!(
        "schemakit parse + fold        {:>9.1} ms  ({:.2}× bare parse)",
        model.as_secs_f64() * 1e3,
        model.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "schemakit codegen             {:>9.1} ms  ({} files, {} KiB)",
        codegen_only.as_secs_f64() * 1e3,
        files.len(),
        bytes / 1024
    );
    println!(
        "schemakit generate (cold)     {:>9.1} ms  ({:.2}× bare parse; target ≤ 3×)",
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "generate after a 1-table edit {:>9.1} ms  ({:.2}× bare parse; target ≤ 1.3×; {rendered} file(s) changed)",
        regen.as_secs_f64() * 1e3,
        regen.as_secs_f64() / parse.as_secs_f64()
    );
    if let (Some(parse_cpu), Some(regen_cpu)) = (parse_cpu, regen_cpu) {
        println!(
            "  its CPU time, all threads   {:>9.1} ms  ({:.2}× the bare parse's {:.1} ms; mean of {cpu_runs} runs)",
            regen_cpu.as_secs_f64() * 1e3,
            regen_cpu.as_secs_f64() / parse_cpu.as_secs_f64(),
            parse_cpu.as_secs_f64() * 1e3
        );
    }
    if let Some(c) = command {
        let bare = c.bare.as_secs_f64();
        println!("the commands, each a fresh process, after a 1-table edit:");
        println!("  bare sqlparser parse        {:>9.1} ms", bare * 1e3);
        println!(
            "  schemakit check             {:>9.1} ms  ({:.2}× bare parse)",
            c.check.as_secs_f64() * 1e3,
            c.check.as_secs_f64() / bare
        );
        println!(
            "  schemakit generate          {:>9.1} ms  ({:.2}× bare parse; {})",
            c.generate.0.as_secs_f64() * 1e3,
            c.generate.0.as_secs_f64() / bare,
            c.generate.1
        );
    }
}
