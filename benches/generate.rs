//! Benchmark: `schemakit generate` (parse + fold + codegen) on a synthetic 1000-table
//! schema, against bare sqlparser parsing of the same text. Target: ≤ 2× the bare parse.
//!
//! Run with `cargo bench --bench generate`.

#[path = "synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};

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
        "schemakit generate (total)    {:>9.1} ms  ({:.2}× bare parse; target ≤ 2×)",
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() / parse.as_secs_f64()
    );
}
