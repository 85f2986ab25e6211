//! schema::plan on seeded random pairs of schemas, proven on a real Postgres in both
//! directions: from `a`, the up script builds `b`'s catalog and the down script restores
//! `a`'s; and the same from `b` to `a`. 200 pairs by default; `SCHEMAKIT_PLAN_PAIRS=N`
//! runs N (and `SCHEMAKIT_PLAN_SEED=S` starts at seed S).

use schema::plan::{PlanOptions, plan};
use verify::Server;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    ty: &'static str,
    not_null: bool,
    default: Option<&'static str>,
}

#[derive(Clone, Debug)]
struct Tab {
    name: String,
    cols: Vec<Col>,
    unique: Option<String>,
    fk: Option<String>,
    index: Option<String>,
    check: bool,
}

#[derive(Clone, Debug)]
struct Model {
    labels: Vec<&'static str>,
    tables: Vec<Tab>,
    view: Option<(String, String)>,
}

const TYPES: [(&str, Option<&str>); 10] = [
    ("integer", Some("0")),
    ("bigint", Some("1")),
    ("text", Some("'x'")),
    ("character varying(20)", Some("'y'")),
    ("boolean", Some("false")),
    ("numeric", Some("0")),
    ("timestamp with time zone", Some("now()")),
    ("jsonb", Some("'{}'")),
    ("uuid", None),
    ("mood", Some("'happy'")),
];
const LABELS: [&str; 5] = ["happy", "sad", "meh", "angry", "calm"];

fn column(rng: &mut Rng, n: usize) -> Col {
    let (ty, default) = TYPES[rng.below(TYPES.len())];
    let default = default.filter(|_| rng.chance(40));
    Col {
        name: format!("c{n}"),
        ty,
        not_null: rng.chance(30) && default.is_some(),
        default,
    }
}

fn model(rng: &mut Rng) -> Model {
    let mut labels: Vec<&'static str> = LABELS[..2 + rng.below(3)].to_vec();
    labels.sort_by_key(|l| LABELS.iter().position(|x| x == l));
    let mut tables: Vec<Tab> = Vec::new();
    for t in 0..1 + rng.below(3) {
        let cols: Vec<Col> = (0..1 + rng.below(5)).map(|n| column(rng, n)).collect();
        let unique = cols
            .first()
            .map(|c| c.name.clone())
            .filter(|_| rng.chance(30));
        let fk = tables
            .first()
            .map(|p| p.name.clone())
            .filter(|_| rng.chance(40));
        let index = cols
            .last()
            .map(|c| c.name.clone())
            .filter(|_| rng.chance(40));
        tables.push(Tab {
            name: format!("t{t}"),
            cols,
            unique,
            fk,
            index,
            check: rng.chance(20),
        });
    }
    let view = tables
        .first()
        .and_then(|t| t.cols.first().map(|c| (t.name.clone(), c.name.clone())))
        .filter(|_| rng.chance(40));
    Model {
        labels,
        tables,
        view,
    }
}

/// `b`: `a` changed the ways a developer changes a schema.
fn mutate(rng: &mut Rng, a: &Model) -> Model {
    let mut b = a.clone();
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 => {
                let n = (10..)
                    .find(|k| !b.tables.iter().any(|t| t.name == format!("t{k}")))
                    .unwrap_or(99);
                b.tables.push(Tab {
                    name: format!("t{n}"),
                    cols: vec![column(rng, 0)],
                    unique: None,
                    fk: b
                        .tables
                        .first()
                        .map(|t| t.name.clone())
                        .filter(|_| rng.chance(50)),
                    index: None,
                    check: false,
                });
            }
            1 if b.tables.len() > 1 => {
                let gone = b.tables.remove(rng.below(b.tables.len())).name;
                for t in &mut b.tables {
                    if t.fk.as_deref() == Some(gone.as_str()) {
                        t.fk = None;
                    }
                }
                if b.view.as_ref().is_some_and(|(t, _)| *t == gone) {
                    b.view = None;
                }
            }
            2 => {
                let t = rng.below(b.tables.len());
                let n = b.tables[t].cols.len() + 20;
                let mut c = column(rng, n);
                if c.not_null && c.default.is_none() {
                    c.not_null = false;
                }
                b.tables[t].cols.push(c);
            }
            3 => {
                let t = rng.below(b.tables.len());
                let tab = &mut b.tables[t];
                if tab.cols.len() > 1 {
                    let gone = tab.cols.remove(rng.below(tab.cols.len())).name;
                    if tab.unique.as_deref() == Some(gone.as_str()) {
                        tab.unique = None;
                    }
                    if tab.index.as_deref() == Some(gone.as_str()) {
                        tab.index = None;
                    }
                    if b.view
                        .as_ref()
                        .is_some_and(|(vt, vc)| *vt == tab.name && *vc == gone)
                    {
                        b.view = None;
                    }
                }
            }
            4 => {
                let t = rng.below(b.tables.len());
                let c = rng.below(b.tables[t].cols.len());
                let col = &mut b.tables[t].cols[c];
                // Widening type changes, which keep every value.
                col.ty = match col.ty {
                    "integer" => "bigint",
                    "character varying(20)" => "text",
                    other => other,
                };
            }
            5 => {
                let t = rng.below(b.tables.len());
                let c = rng.below(b.tables[t].cols.len());
                let col = &mut b.tables[t].cols[c];
                // A NOT NULL column without a default cannot be added to a table with rows:
                // the plan refuses it, so the pairs keep to columns that have one.
                if col.default.is_some() || col.not_null {
                    col.not_null = !col.not_null;
                }
            }
            6 => {
                let t = rng.below(b.tables.len());
                let tab = &mut b.tables[t];
                tab.index = match tab.index {
                    Some(_) => None,
                    None => tab.cols.last().map(|c| c.name.clone()),
                };
            }
            7 => {
                // Labels added in place, or one removed (through a new type).
                if rng.chance(60) && b.labels.len() < LABELS.len() {
                    let next = LABELS.iter().find(|l| !b.labels.contains(l)).copied();
                    if let Some(l) = next {
                        b.labels.insert(rng.below(b.labels.len() + 1), l);
                    }
                } else if b.labels.len() > 2 {
                    // Never a label a default names.
                    let i = rng.below(b.labels.len());
                    if b.labels[i] != "happy" {
                        b.labels.remove(i);
                    }
                }
            }
            _ => {
                b.view = match b.view {
                    Some(_) => None,
                    None => b
                        .tables
                        .first()
                        .and_then(|t| t.cols.first().map(|c| (t.name.clone(), c.name.clone()))),
                };
            }
        }
    }
    b
}

fn sql(m: &Model) -> String {
    let mut out = String::new();
    let labels: Vec<String> = m.labels.iter().map(|l| format!("'{l}'")).collect();
    out.push_str(&format!(
        "CREATE TYPE mood AS ENUM ({});\n",
        labels.join(", ")
    ));
    for t in &m.tables {
        let mut lines = vec!["id integer PRIMARY KEY".to_string()];
        for c in &t.cols {
            let mut line = format!("{} {}", c.name, c.ty);
            if c.not_null {
                line.push_str(" NOT NULL");
            }
            if let Some(d) = c.default {
                line.push_str(&format!(" DEFAULT {d}"));
            }
            lines.push(line);
        }
        if let Some(p) = &t.fk {
            lines.push(format!("parent_id integer REFERENCES {p} (id)"));
        }
        if let Some(u) = &t.unique {
            lines.push(format!("UNIQUE ({u})"));
        }
        if t.check {
            lines.push("CHECK (id > 0)".into());
        }
        out.push_str(&format!(
            "CREATE TABLE {} ({});\n",
            t.name,
            lines.join(", ")
        ));
        if let Some(i) = &t.index {
            out.push_str(&format!(
                "CREATE INDEX {}_{i}_idx ON {} ({i});\n",
                t.name, t.name
            ));
        }
    }
    if let Some((t, c)) = &m.view {
        out.push_str(&format!("CREATE VIEW v AS SELECT id, {c} FROM {t};\n"));
    }
    out
}

fn run(client: &mut postgres::Client, sql: &str) -> Result<(), String> {
    let chunks = schema::split::split(sql).map_err(|e| format!("{e:?}"))?;
    for c in chunks {
        let statement = &sql[c.start..c.end];
        client
            .batch_execute(statement)
            .map_err(|e| format!("{statement}: {e}"))?;
    }
    Ok(())
}

fn differences(a: &schema::Schema, b: &schema::Schema) -> String {
    let changes: Vec<schema::Change> = schema::diff(a, b)
        .into_iter()
        .filter(|c| !matches!(c, schema::Change::ColumnOrder { .. }))
        .collect();
    schema::diff::listing(&changes)
}

/// Applies `plan(from, to)` on a database built from `from_sql`: its up must give
/// `to_catalog`, its down the catalog it started from.
fn prove(
    server: &Server,
    from_sql: &str,
    to_sql: &str,
    to_catalog: &schema::Schema,
) -> Result<(), String> {
    let from = schema::parse_sql("a.sql", from_sql).schema;
    let to = schema::parse_sql("b.sql", to_sql).schema;
    let opts = PlanOptions {
        allow_destructive: true,
        ..PlanOptions::default()
    };
    let p = plan(&from, &to, &opts).map_err(|r| format!("refused: {r:?}"))?;
    let db = server.create_database(None).map_err(|e| e.to_string())?;
    let mut client = server.connect(&db).map_err(|e| e.to_string())?;
    run(&mut client, from_sql)?;
    let start = verify::introspect::introspect(&mut client, &[]).map_err(|e| e.to_string())?;
    run(&mut client, &p.up_sql()).map_err(|e| format!("up: {e}\n{}", p.up_sql()))?;
    let up = verify::introspect::introspect(&mut client, &[]).map_err(|e| e.to_string())?;
    let d = differences(&up, to_catalog);
    if !d.is_empty() {
        return Err(format!("after up ≠ target: {d}\n{}", p.up_sql()));
    }
    run(&mut client, &p.down_sql()).map_err(|e| format!("down: {e}\n{}", p.down_sql()))?;
    let down = verify::introspect::introspect(&mut client, &[]).map_err(|e| e.to_string())?;
    let d = differences(&down, &start);
    if !d.is_empty() {
        return Err(format!("after down ≠ start: {d}\n{}", p.down_sql()));
    }
    server.drop_database(&db).map_err(|e| e.to_string())
}

fn catalog_of(server: &Server, sql: &str) -> Result<schema::Schema, String> {
    let db = server.create_database(None).map_err(|e| e.to_string())?;
    let mut client = server.connect(&db).map_err(|e| e.to_string())?;
    run(&mut client, sql)?;
    let c = verify::introspect::introspect(&mut client, &[]).map_err(|e| e.to_string())?;
    server.drop_database(&db).map_err(|e| e.to_string())?;
    Ok(c)
}

#[test]
fn random_pairs_are_proven_in_both_directions() {
    let pairs: u64 = std::env::var("SCHEMAKIT_PLAN_PAIRS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let first: u64 = std::env::var("SCHEMAKIT_PLAN_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let server = Server::local(None).unwrap_or_else(|e| panic!("local binaries: {e}"));
    let mut failures = Vec::new();
    for seed in first..first + pairs {
        let mut rng = Rng::new(seed);
        let a = model(&mut rng);
        let b = mutate(&mut rng, &a);
        let (a_sql, b_sql) = (sql(&a), sql(&b));
        let result = catalog_of(&server, &a_sql).and_then(|a_cat| {
            let b_cat = catalog_of(&server, &b_sql)?;
            prove(&server, &a_sql, &b_sql, &b_cat).map_err(|e| format!("a → b: {e}"))?;
            prove(&server, &b_sql, &a_sql, &a_cat).map_err(|e| format!("b → a: {e}"))
        });
        if let Err(e) = result {
            failures.push(format!("seed {seed}:\n-- a\n{a_sql}-- b\n{b_sql}{e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {pairs} pairs failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
