//! schema::plan proven on a real Postgres: for each fixture pair
//! (schema/tests/fixtures/plan/<case>/{before,after}.sql) the up script takes `before`'s
//! catalog to `after`'s, the down script takes it back, and the up applies again.

use std::path::{Path, PathBuf};

use schema::plan::{PlanOptions, plan};
use verify::Server;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/tests/fixtures/plan")
}

/// Runs each statement of `sql` on its own (so `CONCURRENTLY` and `ADD VALUE` run
/// outside a transaction block).
fn run(client: &mut postgres::Client, sql: &str, what: &str) {
    let chunks = schema::split::split(sql).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    for c in chunks {
        let statement = &sql[c.start..c.end];
        client
            .batch_execute(statement)
            .unwrap_or_else(|e| panic!("{what}: {statement}: {e}"));
    }
}

fn catalog(server: &Server, sql: &str, what: &str) -> schema::Schema {
    let db = server
        .create_database(None)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut client = server
        .connect(&db)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    run(&mut client, sql, what);
    verify::introspect::introspect(&mut client, &[]).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Equal catalogs, up to column order (Postgres cannot reorder columns: a down that
/// adds a dropped column back adds it at the end, as check c notes).
fn same(a: &schema::Schema, b: &schema::Schema, what: &str) {
    let changes: Vec<schema::Change> = schema::diff(a, b)
        .into_iter()
        .filter(|c| !matches!(c, schema::Change::ColumnOrder { .. }))
        .collect();
    assert!(
        changes.is_empty(),
        "{what}:\n{}",
        schema::diff::listing(&changes)
    );
}

#[test]
fn every_fixture_plan_applies_and_reverts_on_postgres() {
    let server = Server::local(None).unwrap_or_else(|e| panic!("local binaries: {e}"));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut proven = 0;
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let before_sql = std::fs::read_to_string(case.join("before.sql")).unwrap();
        let after_sql = std::fs::read_to_string(case.join("after.sql")).unwrap();
        let before = schema::parse_sql("before.sql", &before_sql).schema;
        let after = schema::parse_sql("after.sql", &after_sql).schema;
        let opts = PlanOptions {
            allow_destructive: true,
            ..PlanOptions::default()
        };
        let p = plan(&before, &after, &opts).unwrap_or_else(|r| panic!("{name}: {r:?}"));
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        run(&mut client, &before_sql, &format!("{name}: before.sql"));
        let start = verify::introspect::introspect(&mut client, &[]).unwrap();
        run(&mut client, &p.up_sql(), &format!("{name}: up"));
        let up = verify::introspect::introspect(&mut client, &[]).unwrap();
        same(
            &up,
            &catalog(&server, &after_sql, &name),
            &format!(
                "{name}: the up script does not build after.sql's catalog (after up → after.sql)"
            ),
        );
        run(&mut client, &p.down_sql(), &format!("{name}: down"));
        same(
            &verify::introspect::introspect(&mut client, &[]).unwrap(),
            &start,
            &format!("{name}: the down script does not restore before.sql's catalog"),
        );
        run(&mut client, &p.up_sql(), &format!("{name}: up again"));
        same(
            &verify::introspect::introspect(&mut client, &[]).unwrap(),
            &up,
            &format!("{name}: the up script does not apply again"),
        );
        proven += 1;
    }
    assert!(proven >= 6, "plan fixtures are missing");
}
