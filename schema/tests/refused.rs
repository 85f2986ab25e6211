//! A statement Postgres would refuse changes nothing: for each class of refused DROP,
//! ALTER, RENAME and CREATE, the model after the script equals the model before the
//! refused statement, and the refusal is an error. A DO block the model cannot follow
//! changes nothing either.

/// The setup, then the setup and `statement`: equal models, and an error (or, for
/// `opaque`, an opaque note) about the statement.
fn check(case: &str, setup: &str, statement: &str, opaque: bool) {
    let before = schema::parse_sql("setup.sql", setup);
    assert!(
        !before.has_errors(),
        "{case}: the setup has errors: {:?}",
        before.diagnostics
    );
    let after = schema::parse_sql("case.sql", &format!("{setup}\n{statement}\n"));
    let line = setup.lines().count() + 1;
    let about = |d: &&schema::Diagnostic| d.loc.line as usize >= line;
    if opaque {
        assert!(
            after
                .diagnostics
                .iter()
                .filter(about)
                .any(|d| d.code == schema::diagnostic::Code::Opaque),
            "{case}: no opaque note: {:?}",
            after.diagnostics
        );
    } else {
        assert!(
            after.diagnostics.iter().filter(about).any(|d| d.is_error()),
            "{case}: `{statement}` was not refused"
        );
    }
    assert_eq!(
        before.schema.to_string(),
        after.schema.to_string(),
        "{case}: `{statement}` changed the model"
    );
    assert!(
        before.schema == after.schema,
        "{case}: `{statement}` changed the model (outside its DDL)"
    );
}

const TABLES: &str = "CREATE TABLE parents (id integer PRIMARY KEY, code text UNIQUE);
CREATE TABLE children (id integer PRIMARY KEY, parent_id integer REFERENCES parents (id), note text);
CREATE INDEX children_note ON children (note);";

#[test]
fn a_refused_drop_changes_nothing() {
    let schema_setup = "CREATE SCHEMA s;\nCREATE TABLE s.t (id integer PRIMARY KEY);\nCREATE TYPE s.mood AS ENUM ('a');\nCREATE VIEW s.v AS SELECT 1 AS one;";
    check("non-empty schema", schema_setup, "DROP SCHEMA s;", false);
    check(
        "type in use",
        "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE t (id integer PRIMARY KEY, m mood);",
        "DROP TYPE mood;",
        false,
    );
    check(
        "domain in use",
        "CREATE DOMAIN pos AS integer CHECK (VALUE > 0);\nCREATE TABLE t (id integer PRIMARY KEY, n pos);",
        "DROP DOMAIN pos;",
        false,
    );
    check(
        "function used by a trigger",
        "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        "DROP FUNCTION touch();",
        false,
    );
    check("table with referrers", TABLES, "DROP TABLE parents;", false);
    check(
        "table a view reads",
        "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM t;",
        "DROP TABLE t;",
        false,
    );
    check(
        "view a view reads",
        "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE VIEW v1 AS SELECT id FROM t;\nCREATE VIEW v2 AS SELECT id FROM v1;",
        "DROP VIEW v1;",
        false,
    );
    check(
        "one of several tables missing",
        TABLES,
        "DROP TABLE children, nowhere;",
        false,
    );
    check("missing view", TABLES, "DROP VIEW nowhere;", false);
    check(
        "index behind a constraint",
        TABLES,
        "DROP INDEX parents_pkey;",
        false,
    );
    check("missing sequence", TABLES, "DROP SEQUENCE nowhere;", false);
}

#[test]
fn a_refused_alter_changes_nothing() {
    check(
        "missing table",
        TABLES,
        "ALTER TABLE nowhere ADD COLUMN x integer;",
        false,
    );
    check(
        "one action of several fails",
        TABLES,
        "ALTER TABLE children ADD COLUMN extra integer, ADD COLUMN note text;",
        false,
    );
    check(
        "drop a column a foreign key uses",
        TABLES,
        "ALTER TABLE parents DROP COLUMN id;",
        false,
    );
    check(
        "drop a key a foreign key uses",
        TABLES,
        "ALTER TABLE parents DROP CONSTRAINT parents_pkey;",
        false,
    );
    check(
        "drop a missing column",
        TABLES,
        "ALTER TABLE children ADD COLUMN extra integer, DROP COLUMN nowhere;",
        false,
    );
    check(
        "foreign key to a missing column",
        TABLES,
        "ALTER TABLE children ADD COLUMN extra integer, ADD FOREIGN KEY (extra) REFERENCES parents (nope);",
        false,
    );
    check(
        "add an existing enum label",
        "CREATE TYPE mood AS ENUM ('a', 'b');",
        "ALTER TYPE mood ADD VALUE 'a';",
        false,
    );
    check(
        "create a table with a bad reference",
        TABLES,
        "CREATE TABLE other (id integer PRIMARY KEY, p integer REFERENCES nowhere (id));",
        false,
    );
    check(
        "create a table with a column twice",
        TABLES,
        "CREATE TABLE other (a integer, a text);",
        false,
    );
}

#[test]
fn a_refused_rename_changes_nothing() {
    check(
        "rename a missing column",
        TABLES,
        "ALTER TABLE children RENAME COLUMN nowhere TO x;",
        false,
    );
    check(
        "rename a column onto another",
        TABLES,
        "ALTER TABLE children RENAME COLUMN note TO parent_id;",
        false,
    );
    check(
        "rename a table onto another",
        TABLES,
        "ALTER TABLE children RENAME TO parents;",
        false,
    );
    check(
        "rename a missing enum label",
        "CREATE TYPE mood AS ENUM ('a', 'b');",
        "ALTER TYPE mood RENAME VALUE 'nope' TO 'c';",
        false,
    );
}

#[test]
fn an_opaque_do_block_changes_nothing() {
    check(
        "guard with an opaque statement inside",
        TABLES,
        "DO $$ BEGIN CREATE TABLE z (a integer); GRANT SELECT ON z TO someone; EXCEPTION WHEN duplicate_object THEN null; END $$;",
        true,
    );
}

/// Views depend on what their queries read, by name resolution, never by text: a table
/// whose name appears only in a string or a column name does not hold a view, and CASCADE
/// drops the views that read the views it drops.
#[test]
fn views_depend_on_what_they_read_not_on_words_in_their_text() {
    let setup = "CREATE TABLE jobs (id integer PRIMARY KEY);\nCREATE TABLE t (jobs integer);\nCREATE VIEW labels AS SELECT 'jobs' AS word, jobs FROM t;";
    let parsed = schema::parse_sql("case.sql", &format!("{setup}\nDROP TABLE jobs;\n"));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    assert!(
        parsed
            .schema
            .views
            .contains_key(&schema::model::QualifiedName::public("labels"))
    );

    let setup = "CREATE TABLE t (id integer PRIMARY KEY);\nCREATE VIEW v1 AS SELECT id FROM t;\nCREATE VIEW v2 AS SELECT id FROM v1;\nCREATE VIEW other AS SELECT 1 AS one;";
    let parsed = schema::parse_sql("case.sql", &format!("{setup}\nDROP TABLE t CASCADE;\n"));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let views: Vec<String> = parsed
        .schema
        .views
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(views, ["other"]);
}
