//! Inputs the fuzz targets in `fuzz/` found, minimized, each pinned by a test named after
//! the behaviour it broke.

use schema::diagnostic;

/// Parses `sql`, prints the model as canonical DDL and parses that again: no errors, and
/// the same model.
fn check_round_trip(sql: &str) {
    let first = schema::parse_sql("input.sql", sql);
    assert!(
        !first.has_errors(),
        "the input must parse:\n{}",
        diagnostic::render_plain(&first.diagnostics)
    );
    let ddl = first.schema.to_string();
    let second = schema::parse_sql("canonical.sql", &ddl);
    assert!(
        !second.has_errors(),
        "canonical DDL does not parse cleanly:\n{}\n{ddl}",
        diagnostic::render_plain(&second.diagnostics)
    );
    assert!(
        first.schema == second.schema,
        "the model changed through canonical DDL: {}\n{ddl}",
        schema::diff::listing(&schema::diff(&first.schema, &second.schema))
    );
}

#[test]
fn function_body_ending_in_the_dollar_tag_round_trips() {
    check_round_trip("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT 1 $body$$;");
    check_round_trip("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ $body$ $body_$$;");
}
