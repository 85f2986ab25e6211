//! Benchmark: reading scales with the input.
//!
//! 1. Time: N one-table migrations (N = 1000, 2000, 4000), one file per version, read as a
//!    migration set (`schema::parse_path`, what `schemakit parse DIR` does before
//!    printing), against the same N statements in one file. Twice: without down scripts
//!    (sqlx) and with a `DROP TABLE` down each (up-down, so the offline down check runs).
//!    Target: 4000 migrations within 3× of the one file.
//! 2. Memory: peak resident set size of a process that parses one large file of such
//!    statements (10 MB and 50 MB), read from `/proc/self/status` (`VmHWM`) in a child
//!    process (this benchmark re-run with `SCHEMAKIT_BENCH_RSS=FILE`). Target: memory
//!    proportional to the input (the same bytes of memory per byte of input at both
//!    sizes).
//!
//! Run with `cargo bench --bench parse_scale`. No assertions: it prints the figures.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The CLI's allocator (src/main.rs), so that time and memory are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const COUNTS: [usize; 3] = [1000, 2000, 4000];
const RUNS: usize = 3;
const LARGE_MB: [usize; 2] = [10, 50];

fn statement(i: usize) -> String {
    format!(
        "CREATE TABLE t{i:07} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
    )
}

/// Writes the N-migration directories and the one file; returns (sqlx dir, up-down dir,
/// one file).
fn write_inputs(root: &Path, n: usize) -> std::io::Result<(PathBuf, PathBuf, PathBuf)> {
    let sqlx = root.join(format!("sqlx_{n}"));
    let up_down = root.join(format!("up_down_{n}"));
    std::fs::create_dir_all(&sqlx)?;
    std::fs::create_dir_all(&up_down)?;
    let mut one = String::new();
    for i in 0..n {
        let s = statement(i);
        std::fs::write(
            sqlx.join(format!("{:05}_t{i}.sql", i + 1)),
            format!("{s};\n"),
        )?;
        std::fs::write(
            up_down.join(format!("{:05}_t{i}.sql", i + 1)),
            format!("-- UP\n{s};\n-- DOWN\nDROP TABLE t{i:07};\n"),
        )?;
        one.push_str(&s);
        one.push_str(";\n");
    }
    let file = root.join(format!("one_{n}.sql"));
    std::fs::write(&file, one)?;
    Ok((sqlx, up_down, file))
}

/// The best of `RUNS` readings of `path`, and the number of tables it read.
fn time(path: &Path) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut tables = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let parsed = schema::parse_path(path);
        best = best.min(start.elapsed());
        tables = parsed.schema.tables.len();
        assert!(!parsed.has_errors(), "{}: does not parse", path.display());
    }
    (best, tables)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// In the child: parse the file, print `VmHWM` in kB.
fn child(file: &str) {
    let parsed = schema::parse_path(Path::new(file));
    let tables = parsed.schema.tables.len();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{hwm} {tables}");
}

/// Peak RSS in kB of a child process that parses `file`.
fn peak_rss(file: &Path) -> Option<(u64, usize)> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .env("SCHEMAKIT_BENCH_RSS", file)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

fn main() {
    if let Ok(file) = std::env::var("SCHEMAKIT_BENCH_RSS") {
        child(&file);
        return;
    }
    let root = std::env::temp_dir().join(format!("schemakit-bench-parse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "reading N one-table migrations vs the same N statements in one file (best of {RUNS})"
    );
    println!(
        "{:>6} {:>12} {:>8} {:>14} {:>8} {:>10}",
        "N", "files, sqlx", "ratio", "files, up-down", "ratio", "one file"
    );
    for n in COUNTS {
        let (sqlx, up_down, file) =
            write_inputs(&root, n).unwrap_or_else(|e| panic!("cannot write the inputs: {e}"));
        let (one, t1) = time(&file);
        let (dir, t2) = time(&sqlx);
        let (down, t3) = time(&up_down);
        assert!(t1 == n && t2 == n && t3 == n, "expected {n} tables");
        println!(
            "{n:>6} {:>12} {:>7.1}× {:>14} {:>7.1}× {:>10}",
            ms(dir),
            dir.as_secs_f64() / one.as_secs_f64(),
            ms(down),
            down.as_secs_f64() / one.as_secs_f64(),
            ms(one)
        );
    }
    println!("\npeak memory parsing one large file (child process, VmHWM)");
    println!(
        "{:>8} {:>10} {:>12} {:>16}",
        "input", "tables", "peak RSS", "RSS / input"
    );
    let empty = root.join("empty.sql");
    let _ = std::fs::write(&empty, "SELECT 1;\n");
    let base = peak_rss(&empty).map_or(0, |(kb, _)| kb);
    println!(
        "{:>8} {:>10} {:>9} MB {:>16}",
        "0 MB",
        0,
        base / 1024,
        "(process baseline)"
    );
    for mb in LARGE_MB {
        let file = root.join(format!("large_{mb}mb.sql"));
        let mut text = String::new();
        let mut i = 0;
        while text.len() < mb * 1_000_000 {
            text.push_str(&statement(i));
            text.push_str(";\n");
            i += 1;
        }
        std::fs::write(&file, &text).unwrap_or_else(|e| panic!("cannot write the input: {e}"));
        match peak_rss(&file) {
            Some((kb, tables)) => println!(
                "{:>5} MB {tables:>10} {:>9} MB {:>15.1}×",
                mb,
                kb / 1024,
                (kb.saturating_sub(base) * 1024) as f64 / text.len() as f64
            ),
            None => println!("{mb:>5} MB: the child process failed"),
        }
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_dir_all(&root);
}
