//! Benchmark: `schemakit generate` (parse + fold + codegen) on a synthetic 1000-table
//! schema, against bare sqlparser parsing of the same text: cold (every file rendered;
//! target ≤ 3× the bare parse), and again after one table changed, with the files of the
//! first run on hand (only that table's file is rendered; target ≤ 1.3×).
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

fn main() {
    let tables = 1000;
    let sql = synthetic::schema_sql(tables);
    let runs = 5;

    let (parse, statements) = best_of(runs, || {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        sqlparser::parser::Parser::parse_sql(&dialect, &sql).map_or(0, |s| s.len())
    });

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
    let (regen, rendered) = best_of(runs, || {
        let parsed = schema::parse_sql("synthetic.sql", &edited_sql);
        let again = codegen::generate_reusing(&parsed.schema, &opts, &files).unwrap_or_default();
        // A reused file is borrowed from `files`: only a rendered one can differ.
        again
            .iter()
            .filter(|(path, text)| {
                matches!(text, std::borrow::Cow::Owned(_))
                    && files.get(*path).map(String::as_str) != Some(text.as_ref())
            })
            .count()
    });
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
}
