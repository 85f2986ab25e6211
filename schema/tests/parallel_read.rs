//! A long script's statements are read on several threads and applied in order: the
//! model, the diagnostics and the statements are those of reading it one statement at a
//! time.

use std::sync::Arc;

use schema::{Folder, SourceFile};

/// 300 statements: tables that reference the one before, indexes, an ALTER of an earlier
/// table, a statement that is not SQL and one Postgres would refuse, in the middle of a
/// window, so that order matters everywhere.
fn script() -> String {
    let mut sql = String::new();
    for i in 0..100 {
        let fk = if i == 0 {
            String::new()
        } else {
            format!(", parent_id int REFERENCES t{} (id)", i - 1)
        };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id int PRIMARY KEY, name text{fk});\n"
        ));
        sql.push_str(&format!("CREATE INDEX t{i}_name ON t{i} (name);\n"));
        match i {
            40 => sql.push_str("THIS IS NOT SQL;\n"),
            70 => sql.push_str("ALTER TABLE missing ADD COLUMN x int;\n"),
            _ => sql.push_str(&format!("ALTER TABLE t{} ADD COLUMN c{i} int;\n", i / 2)),
        }
    }
    sql
}

#[test]
fn a_long_script_folds_as_its_statements_one_at_a_time() {
    let sql = script();
    let whole = schema::parse_sql("s.sql", &sql);

    // The same statements, each its own source: fewer than a window, read on this thread.
    let mut folder = Folder::new();
    let mut statements = Vec::new();
    for (offset, line) in sql.lines().enumerate() {
        let padded = format!("{}{line}\n", "\n".repeat(offset));
        statements.extend(folder.apply_source(&Arc::new(SourceFile::new("s.sql", padded))));
    }
    let (schema, diagnostics) = folder.finish();

    assert_eq!(whole.schema, schema);
    assert_eq!(whole.statements.len(), 300);
    let messages = |d: &[schema::Diagnostic]| -> Vec<String> {
        d.iter()
            .map(|d| format!("{}: {}", d.loc, d.message))
            .collect()
    };
    assert_eq!(messages(&whole.diagnostics), messages(&diagnostics));
    assert!(whole.has_errors(), "the script holds two errors");
    let kept: Vec<(u32, Option<String>)> = whole
        .statements
        .iter()
        .map(|s| (s.loc.line, s.opaque.clone()))
        .collect();
    let one_by_one: Vec<(u32, Option<String>)> = statements
        .iter()
        .map(|s| (s.loc.line, s.opaque.clone()))
        .collect();
    assert_eq!(kept, one_by_one);
}
