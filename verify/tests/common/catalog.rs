//! Reading the catalog and writing canonical DDL: introspection equals the parsed model,
//! the canonical DDL of every fixture and system applies, and introspection's query count
//! does not grow with the schema.

use std::path::{Path, PathBuf};

use schema::Change;
use schema::diff::Object;
use schema::model::ConstraintKind;
use verify::Server;
use verify::introspect::{introspect, introspect_counted};

use super::repo;

/// Every construct fixture Postgres accepts without extensions: the catalog equals the
/// parsed model in everything codegen depends on.
pub fn introspection_matches_the_parsed_model(server: &Server) {
    let fixtures = repo().join("schema/tests/fixtures/constructs");
    for name in [
        "constraints.sql",
        "enums.sql",
        "domains.sql",
        "nullability_defaults.sql",
        "names_and_quoting.sql",
        "views_functions_triggers.sql",
        "alter_and_drop.sql",
        "expression_index_names.sql",
        "exclusion.sql",
    ] {
        let text = std::fs::read_to_string(fixtures.join(name)).unwrap();
        let parsed = schema::parse_sql(name, &text);
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        client
            .batch_execute(&text)
            .unwrap_or_else(|e| panic!("{name}: {}", verify::Error::db("apply", e)));
        let actual = introspect(&mut client, &[]).unwrap();
        let changes = schema::diff(&parsed.schema, &actual);
        let strict: Vec<String> = changes
            .iter()
            .filter(|c| c.affects_codegen())
            .map(ToString::to_string)
            .collect();
        assert!(strict.is_empty(), "{name}:\n{}", strict.join("\n"));
        // Exclusion constraints read the same from SQL and from the catalog, with no
        // filtering: the only differences left are expression texts Postgres reprints.
        let exclusion = |o: &Object| {
            matches!(o, Object::Constraint { constraint, .. }
                if matches!(constraint.kind, ConstraintKind::Exclusion { .. }))
        };
        let exclusions: Vec<String> = changes
            .iter()
            .filter(|c| match c {
                Change::Added(o) | Change::Removed(o) => exclusion(o),
                Change::Changed { before, after } => exclusion(before) || exclusion(after),
                _ => false,
            })
            .map(ToString::to_string)
            .collect();
        assert!(exclusions.is_empty(), "{name}:\n{}", exclusions.join("\n"));
        // Canonical DDL of the parsed model builds the same catalog.
        let db2 = server.create_database(None).unwrap();
        let mut client2 = server.connect(&db2).unwrap();
        client2
            .batch_execute(&parsed.schema.to_string())
            .unwrap_or_else(|e| panic!("{name}: {}", verify::Error::db("apply", e)));
        let again = introspect(&mut client2, &[]).unwrap();
        assert_eq!(actual.to_string(), again.to_string(), "{name}");
    }
}

/// Where a piece of canonical DDL comes from, and its model.
struct Case {
    name: String,
    parsed: schema::Parsed,
    /// Pieces of the messages of failures the repository declares (schemakit.toml, check a).
    declared: Vec<String>,
}

/// The folders of fixtures that are wrong on purpose: `errors/` is not SQL, `lint/` holds
/// the mistakes the linter finds, some of which Postgres refuses.
const WRONG_ON_PURPOSE: [&str; 2] = ["errors", "lint"];

/// The cases under `schema/tests/fixtures`: in a folder of folders (`layouts/`), each
/// migration folder; in a folder of files (`constructs/`), each `.sql` file. The folders
/// in [`WRONG_ON_PURPOSE`] are left out.
fn fixture_cases() -> Vec<Case> {
    let root = repo().join("schema/tests/fixtures");
    let mut paths = Vec::new();
    for folder in sorted_entries(&root) {
        let wrong = folder
            .file_name()
            .is_some_and(|n| WRONG_ON_PURPOSE.iter().any(|w| n == *w));
        if wrong || !folder.is_dir() {
            continue;
        }
        let entries = sorted_entries(&folder);
        let of_folders = entries.iter().any(|e| e.is_dir());
        paths.extend(entries.into_iter().filter(|e| {
            if of_folders {
                e.is_dir()
            } else {
                e.extension().is_some_and(|x| x == "sql")
            }
        }));
    }
    paths
        .into_iter()
        .map(|path| Case {
            name: path
                .strip_prefix(repo())
                .unwrap_or(&path)
                .display()
                .to_string(),
            parsed: schema::parse_path(&path),
            declared: Vec::new(),
        })
        .collect()
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

/// Every system of schemakit.toml: its migrations' model and its schema.sql's, with the
/// failures it declares for check a (the migrations' own statements failing).
fn system_cases() -> Vec<Case> {
    let config: toml::Table = std::fs::read_to_string(repo().join("schemakit.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let systems = config["systems"].as_table().unwrap();
    let mut cases = Vec::new();
    for (name, system) in systems {
        let declared: Vec<String> = system
            .get("expect_failure")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
            .filter(|x| x.get("check").and_then(|c| c.as_str()) == Some("a"))
            .filter_map(|x| x.get("contains").and_then(|c| c.as_str()))
            .map(str::to_string)
            .collect();
        for key in ["migrations", "schema"] {
            let Some(path) = system.get(key).and_then(|p| p.as_str()) else {
                continue;
            };
            cases.push(Case {
                name: format!("{name} ({path})"),
                parsed: schema::parse_path(&repo().join(path)),
                declared: declared.clone(),
            });
        }
    }
    assert!(cases.len() >= 11, "systems are missing from schemakit.toml");
    cases
}

/// Applies a case's canonical DDL statement by statement in one transaction (a savepoint
/// each, so one failure hides no other) and returns the failures: the case, the statement
/// and Postgres's message.
fn apply_canonical(server: &Server, case: &Case) -> Vec<String> {
    let ddl = case.parsed.schema.to_string();
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    let mut tx = client.transaction().unwrap();
    let chunks = schema::split::split(&ddl)
        .unwrap_or_else(|e| panic!("{}: the canonical DDL does not split: {e:?}", case.name));
    let mut failures = Vec::new();
    for chunk in chunks {
        let statement = &ddl[chunk.start..chunk.end];
        tx.batch_execute("SAVEPOINT statement").unwrap();
        match tx.batch_execute(statement) {
            Ok(()) => tx.batch_execute("RELEASE SAVEPOINT statement").unwrap(),
            Err(e) => {
                let message = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                failures.push(format!("{}: {message}\n    in: {statement}", case.name));
                tx.batch_execute("ROLLBACK TO SAVEPOINT statement").unwrap();
            }
        }
    }
    failures
}

/// The canonical DDL (`Display for Schema`) of every fixture and every system applies to a
/// real Postgres: types and functions before the tables that need them, functions and
/// views after what they read, every function attribute and body style valid. Models that
/// use pgvector run on `vector`. A system's only allowed failures are the ones it declares
/// for its migrations, and those must happen.
pub fn canonical_ddl_of_every_fixture_and_system_applies(server: &Server, vector: &Server) {
    let mut cases = fixture_cases();
    assert!(cases.len() >= 30, "fixtures are missing: {}", cases.len());
    cases.extend(system_cases());
    let mut unexpected = Vec::new();
    for case in &cases {
        let server = if case.parsed.schema.extensions.contains_key("vector") {
            vector
        } else {
            server
        };
        let failures = apply_canonical(server, case);
        for declared in &case.declared {
            assert!(
                failures.iter().any(|f| f.contains(declared.as_str())),
                "{}: the declared failure `{declared}` did not happen",
                case.name
            );
        }
        unexpected.extend(
            failures
                .into_iter()
                .filter(|f| !case.declared.iter().any(|d| f.contains(d.as_str()))),
        );
    }
    assert!(
        unexpected.is_empty(),
        "canonical DDL that Postgres refuses:\n{}",
        unexpected.join("\n")
    );
}

/// Function attributes, body styles and what functions and views read (among the
/// fixture's own relations and functions) are the same from SQL and from the catalog.
pub fn functions_and_views_read_the_same_from_sql_and_from_the_catalog(server: &Server) {
    let path = repo().join("schema/tests/fixtures/constructs/dependency_order.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = schema::parse_sql("dependency_order.sql", &text).schema;
    let db = server.create_database(None).unwrap();
    let mut client = server.connect(&db).unwrap();
    client
        .batch_execute(&text)
        .unwrap_or_else(|e| panic!("{}", verify::Error::db("apply", e)));
    let actual = introspect(&mut client, &[]).unwrap();
    let own = |d: &schema::model::DependsOn| -> Vec<String> {
        d.0.iter()
            .filter(|n| {
                parsed.tables.contains_key(*n)
                    || parsed.views.contains_key(*n)
                    || parsed.functions.keys().any(|k| &k.name == *n)
            })
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        parsed.functions.keys().collect::<Vec<_>>(),
        actual.functions.keys().collect::<Vec<_>>()
    );
    for (key, p) in &parsed.functions {
        let a = &actual.functions[key];
        let attributes = |f: &schema::model::Function| {
            format!(
                "{:?} {:?} strict={} definer={} leakproof={} {:?} cost={:?} rows={:?} {:?} reads {:?}",
                f.body_style,
                f.volatility,
                f.strict,
                f.security_definer,
                f.leakproof,
                f.parallel,
                f.cost,
                f.rows,
                f.config,
                own(&f.depends_on)
            )
        };
        assert_eq!(attributes(p), attributes(a), "function `{}`", key.name);
    }
    for (name, v) in &parsed.views {
        assert_eq!(
            own(&v.depends_on),
            own(&actual.views[name].depends_on),
            "view `{name}`"
        );
    }
}

pub fn introspection_sends_the_same_number_of_queries_for_any_table_count(server: &Server) {
    let mut counts = Vec::new();
    for tables in [1, 40] {
        let db = server.create_database(None).unwrap();
        let mut client = server.connect(&db).unwrap();
        let ddl: String = (0..tables)
            .map(|i| format!("CREATE TABLE t{i} (id int PRIMARY KEY, name text UNIQUE, v int CHECK (v > 0));\nCREATE INDEX ON t{i} (v);\n"))
            .collect();
        client.batch_execute(&ddl).unwrap();
        let (schema, sent) = introspect_counted(&mut client, &[]).unwrap();
        assert_eq!(schema.tables.len(), tables);
        counts.push(sent);
    }
    assert_eq!(counts[0], counts[1]);
    assert_eq!(counts[0], verify::introspect::QUERY_COUNT);
}
