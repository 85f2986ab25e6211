//! Incremental generation: a file is reused exactly when its input is unchanged and its
//! text is the one it was rendered as.

use std::collections::BTreeMap;

const SCHEMA: &str = "
CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
    id bigint PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id),
    title text NOT NULL
);
CREATE TABLE shelves (id bigint PRIMARY KEY, label text);
";

fn opts() -> codegen::Options {
    codegen::Options {
        module: "lib".into(),
        source: "schema.sql".into(),
        threads: 2,
        ..codegen::Options::default()
    }
}

fn generate(sql: &str, previous: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let parsed = schema::parse_sql("schema.sql", sql);
    assert!(!parsed.has_errors(), "the schema must parse");
    let files = codegen::generate_reusing(&parsed.schema, &opts(), &read(previous))
        .unwrap_or_else(|e| panic!("{e:?}"));
    texts(files, previous)
}

/// What codegen keeps of each previous file, as `generate` reads them from disk.
fn read(previous: &BTreeMap<String, String>) -> BTreeMap<String, codegen::Previous> {
    previous
        .iter()
        .filter_map(|(path, text)| Some((path.clone(), codegen::Previous::of(text.as_bytes())?)))
        .collect()
}

/// The files as text, a reused one being the previous file of its path as it is (what
/// `generate` and `check` take for "reused, as on disk").
fn texts(
    files: BTreeMap<String, codegen::Output>,
    previous: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    files
        .into_iter()
        .map(|(path, output)| {
            let text = match output {
                codegen::Output::Text(text) => text,
                codegen::Output::Reused => previous
                    .get(&path)
                    .unwrap_or_else(|| panic!("{path} reused with no previous file"))
                    .clone(),
            };
            (path, text)
        })
        .collect()
}

/// `text` with a marker comment added to its body and the output fingerprint made to
/// match it: a file schemakit would never render, which only reuse can return.
fn marked(text: &str) -> String {
    let (first, body) = text.split_once('\n').unwrap_or_default();
    let body = format!("{body}// marker\n");
    let output = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(body.as_bytes()));
    let (head, _) = first.rsplit_once(' ').unwrap_or_default();
    format!("{head} {output}\n{body}")
}

fn all_marked(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(path, text)| (path.clone(), marked(text)))
        .collect()
}

fn is_marked(files: &BTreeMap<String, String>, path: &str) -> bool {
    files.get(path).is_some_and(|t| t.ends_with("// marker\n"))
}

#[test]
fn an_edit_renders_the_table_and_its_children_and_reuses_the_rest() {
    let cold = generate(SCHEMA, &BTreeMap::new());
    let edited = SCHEMA.replace("name text NOT NULL", "name text NOT NULL, born date");
    let again = generate(&edited, &all_marked(&cold));
    assert!(!is_marked(&again, "lib/authors.rs"), "the edited table");
    assert!(
        !is_marked(&again, "lib/books.rs"),
        "a child: its get_author selects the parent's columns"
    );
    assert!(is_marked(&again, "lib/shelves.rs"), "an unrelated table");
    // What was rendered is what a cold run renders.
    let fresh = generate(&edited, &BTreeMap::new());
    assert_eq!(again["lib/authors.rs"], fresh["lib/authors.rs"]);
    assert_eq!(again["lib/books.rs"], fresh["lib/books.rs"]);
}

#[test]
fn moving_a_table_in_the_file_renders_nothing() {
    let cold = generate(SCHEMA, &BTreeMap::new());
    let moved = format!("\n\n-- a comment that moves every line\n{SCHEMA}");
    let again = generate(&moved, &all_marked(&cold));
    for path in ["lib/authors.rs", "lib/books.rs", "lib/shelves.rs"] {
        assert!(is_marked(&again, path), "{path} was rendered again");
    }
}

#[test]
fn a_hand_edit_is_rendered_again() {
    let cold = generate(SCHEMA, &BTreeMap::new());
    let mut previous = cold.clone();
    if let Some(text) = previous.get_mut("lib/shelves.rs") {
        text.push_str("// edited by hand\n");
    }
    let again = generate(SCHEMA, &previous);
    assert_eq!(again, cold);
}

#[test]
fn an_option_that_changes_types_renders_every_table_it_reaches() {
    let cold = generate(SCHEMA, &BTreeMap::new());
    let parsed = schema::parse_sql("schema.sql", SCHEMA);
    let mut opts = opts();
    opts.overrides
        .columns
        .insert("shelves.label".into(), "my_crate::Label".into());
    let previous = all_marked(&cold);
    let again = codegen::generate_reusing(&parsed.schema, &opts, &read(&previous))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let again = texts(again, &previous);
    // Type options are shared by every table: each is rendered again.
    for path in ["lib/authors.rs", "lib/books.rs", "lib/shelves.rs"] {
        assert!(!is_marked(&again, path), "{path} was reused");
    }
    assert!(again["lib/shelves.rs"].contains("my_crate::Label"));
}

#[test]
fn only_a_file_under_schemakits_header_is_a_previous_file() {
    let cold = generate(SCHEMA, &BTreeMap::new());
    let text = &cold["lib/shelves.rs"];
    assert!(codegen::Previous::of(text.as_bytes()).is_some());
    assert_eq!(
        codegen::Previous::of(b"// written by hand\nfn f() {}\n"),
        None
    );
    // The header alone, with no line ending it, is not a file schemakit wrote.
    assert_eq!(
        codegen::Previous::of(codegen::GENERATED_HEADER.as_bytes()),
        None
    );
    // A first line that is not UTF-8 is not schemakit's either.
    let mut bytes = codegen::GENERATED_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b" \xff\n");
    assert_eq!(codegen::Previous::of(&bytes), None);
}
