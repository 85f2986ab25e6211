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

#[test]
fn user_types_in_public_named_like_built_in_types_keep_their_schema() {
    check_round_trip(
        "CREATE TABLE t (a public.float8, b public.serial, c public._int4, d public.bigint[], e public.string, f public.\"char\");",
    );
    check_round_trip("CREATE DOMAIN d AS public.text;");
    check_round_trip(
        "CREATE FUNCTION f(a public.float8) RETURNS public.int LANGUAGE sql AS $$ SELECT 1 $$;",
    );
}

#[test]
fn function_without_returns_takes_its_result_from_out_parameters() {
    check_round_trip("CREATE FUNCTION f(OUT a integer) LANGUAGE sql AS $$ SELECT 1 $$;");
    check_round_trip(
        "CREATE FUNCTION f(INOUT a integer, OUT b text) LANGUAGE sql AS $$ SELECT 1, 'x' $$;",
    );
    let parsed = schema::parse_sql(
        "input.sql",
        "CREATE FUNCTION f(OUT a integer) LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    let returns: Vec<_> = parsed
        .schema
        .functions
        .values()
        .map(|f| f.returns.clone())
        .collect();
    assert_eq!(returns, [Some("integer".to_string())]);
}

#[test]
fn function_without_returns_or_out_parameters_is_refused() {
    let parsed = schema::parse_sql(
        "input.sql",
        "CREATE FUNCTION f() LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    assert!(parsed.has_errors());
    assert!(parsed.schema.functions.is_empty());
    let rendered = diagnostic::render_plain(&parsed.diagnostics);
    assert!(
        rendered.contains("function result type must be specified"),
        "{rendered}"
    );
}

#[test]
fn function_without_a_body_is_refused() {
    let parsed = schema::parse_sql("input.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql;");
    assert!(parsed.has_errors());
    assert!(parsed.schema.functions.is_empty());
}
