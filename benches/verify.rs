//! Benchmark: catalog introspection of a 1000-table database against `pg_dump
//! --schema-only` of the same database (target ≤ 0.5×), the number of catalog queries
//! (must not grow with the table count), and the total `schemakit verify` time for the
//! five example systems against one bare `initdb` + start + `psql -f` of the same DDL.
//!
//! Run with `cargo bench --bench verify` (local binaries; plc_coach needs
//! scripts/postgres-runtime.sh for PostgreSQL 18 with pgvector).

#[path = "synthetic.rs"]
mod synthetic;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        out = Some(f());
        best = best.min(start.elapsed());
    }
    (best, out.unwrap_or_else(|| unreachable!()))
}

/// Runs `cmd` as `nobody` when the bench runs as root, as the verifier's clusters do.
fn as_postgres_user(cmd: &mut Command) -> &mut Command {
    if verify::server::running_as_root() {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

/// One bare `initdb` + start + `psql -f` of every system's schema.sql, then stop.
fn bare_initdb_start_psql(bin: &Path, files: &[PathBuf]) -> Duration {
    let dir = std::env::temp_dir().join(format!("schemakit-bare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::os::unix::fs::chown(&dir, Some(65534), Some(65534));
    let start = Instant::now();
    let data = dir.join("data");
    let ok = as_postgres_user(Command::new(bin.join("initdb")).arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "--auth=trust",
        "--no-sync",
    ]))
    .stdout(Stdio::null())
    .status()
    .is_ok_and(|s| s.success());
    assert!(ok, "initdb failed");
    let ok = as_postgres_user(
        Command::new(bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-k {} -c listen_addresses= -c fsync=off",
                dir.display()
            ))
            .args(["-w", "-l"])
            .arg(dir.join("log"))
            .arg("start"),
    )
    .stdout(Stdio::null())
    .status()
    .is_ok_and(|s| s.success());
    assert!(ok, "pg_ctl start failed");
    for (i, f) in files.iter().enumerate() {
        let db = format!("bare{i}");
        let _ = Command::new(bin.join("createdb"))
            .args(["-h"])
            .arg(&dir)
            .args(["-U", "postgres", &db])
            .status();
        let _ = Command::new(bin.join("psql"))
            .args(["-q", "-h"])
            .arg(&dir)
            .args(["-U", "postgres", "-d", &db, "-f"])
            .arg(f)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let elapsed = start.elapsed();
    let _ = as_postgres_user(Command::new(bin.join("pg_ctl")).arg("-D").arg(&data).args([
        "stop",
        "-m",
        "immediate",
    ]))
    .stdout(Stdio::null())
    .status();
    let _ = std::fs::remove_dir_all(&dir);
    elapsed
}

fn main() {
    let server = verify::Server::local(None).unwrap_or_else(|e| panic!("{e}"));
    let bin = verify::server::find_binaries(None).unwrap_or_else(|e| panic!("{e}"));
    println!("server: {}", server.version);

    let mut counts = Vec::new();
    for tables in [10, 1000] {
        let db = server
            .create_database(None)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut client = server.connect(&db).unwrap_or_else(|e| panic!("{e}"));
        // One table per round trip: a single transaction for all of them would need more
        // locks than a default server has.
        for ddl in synthetic::schema_sql(tables).split("\n\n") {
            client
                .batch_execute(ddl)
                .unwrap_or_else(|e| panic!("{}", verify::Error::db("synthetic schema", e)));
        }
        let (intro, (schema, queries)) = best_of(3, || {
            verify::introspect::introspect_counted(&mut client, &[])
                .unwrap_or_else(|e| panic!("{e}"))
        });
        assert_eq!(schema.tables.len(), tables);
        counts.push((tables, queries));
        let host = match server.config().get_hosts().first() {
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            None => String::new(),
        };
        let (dump, _) = best_of(3, || {
            let status = Command::new(bin.join("pg_dump"))
                .args(["--schema-only", "-h", &host, "-U", "postgres", "-d", &db])
                .stdout(Stdio::null())
                .status();
            assert!(status.is_ok_and(|s| s.success()), "pg_dump failed");
        });
        println!(
            "{tables:>5} tables: introspection {:>8.1} ms in {queries} queries; pg_dump --schema-only {:>8.1} ms; ratio {:.2} (target ≤ 0.5)",
            intro.as_secs_f64() * 1e3,
            dump.as_secs_f64() * 1e3,
            intro.as_secs_f64() / dump.as_secs_f64()
        );
    }
    println!(
        "catalog queries: {} for {} tables, {} for {} tables",
        counts[0].1, counts[0].0, counts[1].1, counts[1].0
    );
    drop(server);

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_schemakit"))
        .args(["verify", "--provider", "local"])
        .current_dir(root)
        .stdout(Stdio::null())
        .status();
    let verify_time = start.elapsed();
    println!(
        "schemakit verify, five systems (local binaries, two servers): {:.2} s (exit {:?})",
        verify_time.as_secs_f64(),
        status.ok().and_then(|s| s.code())
    );
    let files: Vec<PathBuf> = [
        "cira",
        "cost_tracker",
        "plc_coach",
        "text_assistant",
        "user_story_agent",
    ]
    .iter()
    .map(|s| root.join("db").join(s).join("schema.sql"))
    .collect();
    let bare = bare_initdb_start_psql(&bin, &files);
    println!(
        "bare initdb + start + psql -f of the five schema.sql files: {:.2} s; verify is {:.1}× that",
        bare.as_secs_f64(),
        verify_time.as_secs_f64() / bare.as_secs_f64()
    );
}
