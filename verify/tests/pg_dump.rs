//! `pg_dump --schema-only` as input: the dump of each example system's migrated database
//! parses back to the model the catalog gives, on the same database. Local binaries; the
//! systems that need pgvector run on PostgreSQL 18 with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use verify::Server;
use verify::runner::Runner;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The migration directory of every system of schemakit.toml, and whether it needs pgvector.
fn systems() -> Vec<(String, PathBuf, bool)> {
    let text = std::fs::read_to_string(repo().join("schemakit.toml")).unwrap_or_default();
    let config: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("schemakit.toml: {e}"));
    let mut out = Vec::new();
    for (name, system) in config
        .get("systems")
        .and_then(|s| s.as_table())
        .into_iter()
        .flatten()
    {
        let Some(dir) = system.get("migrations").and_then(|m| m.as_str()) else {
            continue;
        };
        let dir = repo().join(dir);
        let vector = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|t| {
                    t.to_ascii_lowercase()
                        .contains("extension if not exists vector")
                })
            });
        out.push((name.clone(), dir, vector));
    }
    assert!(out.len() >= 6, "systems are missing from schemakit.toml");
    out
}

fn bin(vector: bool) -> PathBuf {
    if vector {
        std::env::var_os("SCHEMAKIT_PG18_BIN")
            .map_or_else(|| "/opt/schemakit/pg18-vector/bin".into(), PathBuf::from)
    } else {
        verify::server::find_binaries(None)
            .unwrap_or_else(|e| panic!("local binaries are required: {e}"))
    }
}

#[test]
fn pg_dump_of_every_example_system_parses_back_to_its_catalog() {
    let mut failures = Vec::new();
    for (name, dir, vector) in systems() {
        let bin = bin(vector);
        let server = Server::local(Some(&bin)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        let set = schema::MigrationSet::read(&dir, None)
            .unwrap_or_else(|d| panic!("{name}: {}", schema::diagnostic::render_plain(&d)));
        let runner = Runner::default();
        // A system whose migrations fail part way (a defect kept on purpose) is compared
        // as far as they got: the dump and the catalog are of the same database.
        let _ = runner.up(&mut client, &set, None);
        let tracking = runner.tracking(&set).table.qualified();
        let mut catalog =
            verify::introspect::introspect(&mut client, std::slice::from_ref(&tracking))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        // pg_dump writes `CREATE EXTENSION` without the version installed.
        for e in catalog.extensions.values_mut() {
            e.version = None;
        }
        let socket = match server.config().get_hosts() {
            [postgres::config::Host::Unix(dir)] => dir.clone(),
            hosts => panic!("the local cluster listens on a socket, not {hosts:?}"),
        };
        let port = server.config().get_ports().first().copied().unwrap_or(5432);
        let user = server.config().get_user().unwrap_or("postgres").to_string();
        let out = Command::new(bin.join("pg_dump"))
            .args(["--schema-only", "--no-owner", "--no-privileges"])
            .arg("--host")
            .arg(&socket)
            .args(["--port", &port.to_string(), "--username", &user, &db])
            .output()
            .unwrap_or_else(|e| panic!("{name}: cannot run pg_dump: {e}"));
        assert!(
            out.status.success(),
            "{name}: pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dump = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut parsed = schema::parse_sql(&format!("{name}.dump.sql"), &dump);
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "{name}: the dump does not parse:\n{}",
                schema::diagnostic::render_plain(&errors)
            ));
            continue;
        }
        // The runner's tracking table (with its sequence, and its own schema for drizzle)
        // is in the dump, and never in the catalog model.
        parsed.schema.tables.remove(&tracking);
        parsed.schema.indexes.retain(|_, i| i.table != tracking);
        parsed
            .schema
            .sequences
            .retain(|q, _| !(q.schema == tracking.schema && q.name.starts_with(&tracking.name)));
        if tracking.schema != "public"
            && !parsed
                .schema
                .tables
                .keys()
                .any(|t| t.schema == tracking.schema)
        {
            parsed.schema.schemas.remove(&tracking.schema);
        }
        let changes = schema::diff(&parsed.schema, &catalog);
        if !changes.is_empty() {
            failures.push(format!(
                "{name}: the dump's model differs from the catalog (dump → catalog):\n{}",
                schema::diff::listing(&changes)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
