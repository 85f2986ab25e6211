//! Codegen snapshots: one fixture per construct, every generated file in one snapshot.

use std::fmt::Write;

fn generate(path: &std::path::Path, overrides: codegen::TypeOverrides) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let parsed = schema::parse_sql("fixture.sql", &text);
    assert!(
        !parsed.has_errors(),
        "{}: fixture does not parse",
        path.display()
    );
    let opts = codegen::Options {
        module: "fixture".into(),
        source: "fixture.sql".into(),
        overrides,
        threads: 2,
        ..codegen::Options::default()
    };
    match codegen::generate(&parsed.schema, &opts) {
        Ok(files) => {
            let again = codegen::generate(&parsed.schema, &opts).unwrap_or_default();
            assert_eq!(files, again, "generating twice must give the same bytes");
            let mut out = String::new();
            for (path, text) in files {
                let _ = write!(out, "=== {path} ===\n{text}\n");
            }
            out
        }
        Err(errors) => {
            let mut out = String::from("error\n");
            for e in errors {
                let _ = writeln!(out, "{e}");
            }
            out
        }
    }
}

#[test]
fn constructs() {
    insta::glob!("fixtures/*.sql", |path| {
        insta::assert_snapshot!(generate(path, codegen::TypeOverrides::default()));
    });
}

#[test]
fn overrides_map_unmapped_types_and_single_columns() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unmapped_type.sql");
    let mut overrides = codegen::TypeOverrides::default();
    overrides.types.insert("interval".into(), "String".into());
    overrides.types.insert("money".into(), "i64".into());
    overrides
        .types
        .insert("public.citext".into(), "String".into());
    overrides
        .columns
        .insert("odd.price".into(), "my_crate::Money".into());
    let out = generate(&path, overrides);
    assert!(out.contains("pub span: String"), "{out}");
    assert!(out.contains("pub price: Option<my_crate::Money>"), "{out}");
    assert!(out.contains("pub name: Option<String>"), "{out}");
}

#[test]
fn a_bad_override_is_an_error_naming_it() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unmapped_type.sql");
    let mut overrides = codegen::TypeOverrides::default();
    overrides
        .types
        .insert("interval".into(), "not a type!".into());
    let out = generate(&path, overrides);
    assert!(out.starts_with("error"), "{out}");
    assert!(out.contains("override `interval` = `not a type!`"), "{out}");
}

/// A type override is written as given, so what would break the code around it is
/// refused: a comment, a type without a size; spacing is its author's and still reads
/// as `Vec<u8>`.
#[test]
fn an_override_is_written_as_given_and_what_would_break_it_is_refused() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unmapped_type.sql");
    for (value, reason) in [
        ("String // case-insensitive", "cannot hold a comment"),
        ("String /* ci */", "cannot hold a comment"),
        ("dyn std::any::Any + Send", "concrete type"),
        ("impl Clone", "concrete type"),
    ] {
        let mut overrides = codegen::TypeOverrides::default();
        overrides.types.insert("interval".into(), value.into());
        let out = generate(&path, overrides);
        assert!(
            out.starts_with("error") && out.contains(reason),
            "{value}: {out}"
        );
    }
    let sql = "CREATE TABLE blobs (k bytea PRIMARY KEY, u bytea NOT NULL UNIQUE, v text);";
    let parsed = schema::parse_sql("blobs.sql", sql);
    let mut opts = codegen::Options {
        module: "blobs".into(),
        source: "blobs.sql".into(),
        ..codegen::Options::default()
    };
    opts.overrides
        .columns
        .insert("blobs.u".into(), " Vec <u8> ".into());
    let files = codegen::generate(&parsed.schema, &opts).unwrap_or_else(|e| panic!("{e:?}"));
    let blobs = &files["blobs/blobs.rs"];
    assert!(blobs.contains("pub u: Vec <u8>,"), "{blobs}");
    assert!(blobs.contains("u: &[u8]"), "{blobs}");
}

/// What a review found: casts that truncate, a bit(n) written as bit(1), an upsert on a
/// DEFERRABLE key, a row struct called `Iterator`, two keys with one suffix.
#[test]
fn casts_keep_lengths_where_postgres_needs_them_and_names_stay_apart() {
    let sql = "CREATE DOMAIN code AS varchar(5);
        CREATE TABLE iterators (id int PRIMARY KEY DEFERRABLE, c code NOT NULL, flags bit(8));
        CREATE TABLE pairs (id int PRIMARY KEY, a int, b int, CONSTRAINT a_and_b UNIQUE (b, a),
            UNIQUE (a, b));";
    let parsed = schema::parse_sql("review.sql", sql);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let opts = codegen::Options {
        module: "review".into(),
        source: "review.sql".into(),
        ..codegen::Options::default()
    };
    let files = codegen::generate(&parsed.schema, &opts).unwrap_or_else(|e| panic!("{e:?}"));
    let iterators = &files["review/iterators.rs"];
    assert!(
        iterators.contains("cast: \"::character varying\""),
        "{iterators}"
    );
    assert!(
        !iterators.contains("character varying(5)"),
        "no truncating cast: {iterators}"
    );
    assert!(iterators.contains("::text::bit(8)"), "{iterators}");
    assert!(iterators.contains("pub struct IteratorRow"), "{iterators}");
    assert!(
        !iterators.contains("Upsertable"),
        "no upsert on a DEFERRABLE key: {iterators}"
    );
    let pairs = &files["review/pairs.rs"];
    assert!(
        pairs.contains("impl schemakit_support::Upsertable for Table {}"),
        "{pairs}"
    );
    assert!(pairs.contains("pub fn find_by_a_and_b("), "{pairs}");
    assert!(pairs.contains("pub fn find_by_b_and_a("), "{pairs}");
}
