//! The names a table takes besides its own (its constraints, the indexes behind them, the
//! sequences behind serial columns) are taken while it has them and free once it does
//! not: after a drop, a rename, or a statement Postgres refused and the fold undid. The
//! index behind these answers is kept per table (`rules/dependents.rs`), not rebuilt.

fn errors(sql: &str) -> Vec<String> {
    schema::parse_sql("names.sql", sql)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.loc.line, d.message))
        .collect()
}

#[test]
fn a_constraints_index_name_is_taken_until_its_table_is_dropped() {
    let taken = errors(
        "CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE a_pkey (x int);",
    );
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert!(taken[0].starts_with("2:"), "{taken:?}");
    let freed = errors(
        "CREATE TABLE a (id int PRIMARY KEY);
DROP TABLE a;
CREATE TABLE a_pkey (x int);",
    );
    assert!(freed.is_empty(), "{freed:?}");
}

#[test]
fn a_renamed_constraint_frees_its_old_name_and_takes_the_new() {
    let out = errors(
        "CREATE TABLE b (id int, CONSTRAINT b_key UNIQUE (id));
ALTER TABLE b RENAME CONSTRAINT b_key TO k;
CREATE TABLE b_key (x int);
CREATE TABLE k (x int);
ALTER TABLE b ADD CONSTRAINT k CHECK (id > 0);",
    );
    let lines: Vec<&str> = out.iter().map(|e| &e[..2]).collect();
    assert_eq!(lines, ["4:", "5:"], "{out:?}");
}

#[test]
fn a_refused_statement_takes_no_name() {
    let out = errors(
        "CREATE TABLE c (id int PRIMARY KEY, r int REFERENCES missing (id));
CREATE TABLE c_pkey (x int);",
    );
    assert_eq!(out.len(), 1, "only the refused CREATE TABLE: {out:?}");
    assert!(out[0].starts_with("1:"), "{out:?}");
}

#[test]
fn a_serial_columns_sequence_is_taken_until_its_table_is_dropped() {
    let taken = errors(
        "CREATE TABLE s (id serial);
CREATE SEQUENCE s_id_seq;",
    );
    assert_eq!(taken.len(), 1, "{taken:?}");
    let freed = errors(
        "CREATE TABLE s (id serial);
DROP TABLE s;
CREATE SEQUENCE s_id_seq;",
    );
    assert!(freed.is_empty(), "{freed:?}");
}
