//! Whether a table's CHECK constraints keep NULL out of an array column's elements.
//! Postgres lets any array hold NULL elements; only a CHECK rules them out, so the code
//! generator reads an array column as `Vec<Option<T>>` unless one of the usual spellings
//! of that CHECK is there.
//!
//! The CHECK text is matched token by token (whitespace is not significant, unquoted
//! words compare case-insensitively, quoted identifiers exactly, redundant parentheses
//! are ignored), so the spelling a migration wrote, the canonical one the model keeps and
//! the one `pg_get_constraintdef` prints all count.

use super::{ConstraintKind, Table};

/// How deep `AND`/`OR` nesting is followed: sqlparser refuses deeper expressions anyway.
const MAX_DEPTH: usize = 64;

/// Whether a CHECK constraint of `table` rules out NULL elements in the array column
/// `column` (its name as the model keeps it: folded, unquoted). A constraint counts when
/// it is, or has as an `AND` conjunct, one of:
///
/// - `array_position(col, NULL) IS NULL` (also with `NULL::type`),
/// - `cardinality(array_remove(col, NULL)) = cardinality(col)` (either side first),
/// - `col IS NULL OR` one of these.
///
/// `NOT (NULL = ANY (col))` does not count: `NULL = x` is never true, so the `ANY` is
/// NULL or false and the CHECK passes whatever the array holds.
pub fn forbids_null_elements(table: &Table, column: &str) -> bool {
    checks(table).any(|(_, expr)| covers(strip_parens(&tokens(expr)), column, 0))
}

/// The name of a CHECK constraint of `table` that looks as if it ruled out NULL elements
/// in `column` but does not: `NOT (NULL = ANY (col))`, alone or as an `AND` conjunct.
pub(crate) fn never_false_any_check<'t>(table: &'t Table, column: &str) -> Option<&'t str> {
    checks(table)
        .find(|(_, expr)| {
            let toks = tokens(expr);
            conjuncts(strip_parens(&toks))
                .iter()
                .any(|c| not_null_equals_any(strip_parens(c), column))
        })
        .map(|(name, _)| name)
}

/// The CHECK constraints of a table as (name, expression).
fn checks(table: &Table) -> impl Iterator<Item = (&str, &str)> {
    table.constraints.values().filter_map(|c| match &c.kind {
        ConstraintKind::Check { expr } => Some((c.name.as_str(), expr.as_str())),
        _ => None,
    })
}

/// A token of an expression.
#[derive(Debug)]
enum Tok {
    /// An unquoted word (keyword, name or number), folded to lower case.
    Word(String),
    /// A quoted identifier, its text without the quotes.
    Quoted(String),
    /// Punctuation, an operator or a string literal.
    Other(String),
}

impl Tok {
    fn is_word(&self, word: &str) -> bool {
        matches!(self, Tok::Word(w) if w == word)
    }

    fn is(&self, text: &str) -> bool {
        matches!(self, Tok::Other(o) if o == text)
    }
}

/// Characters that make up an operator (`=`, `<>`, `||`, …).
const OPERATOR: &str = "+-*/<>=~!@#%^&|`?";

fn tokens(expr: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '"' || c == '\'' {
            let mut text = String::new();
            while let Some(n) = chars.next() {
                if n == c {
                    // A doubled quote stands for itself.
                    if chars.peek() == Some(&c) {
                        chars.next();
                    } else {
                        break;
                    }
                }
                text.push(n);
            }
            out.push(if c == '"' {
                Tok::Quoted(text)
            } else {
                Tok::Other(format!("'{text}'"))
            });
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::from(c.to_ascii_lowercase());
            while let Some(&n) = chars.peek() {
                if !(n.is_alphanumeric() || n == '_' || n == '$') {
                    break;
                }
                word.push(n.to_ascii_lowercase());
                chars.next();
            }
            out.push(Tok::Word(word));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.push(Tok::Other("::".to_string()));
        } else if OPERATOR.contains(c) {
            let mut op = String::from(c);
            while let Some(&n) = chars.peek() {
                if !OPERATOR.contains(n) {
                    break;
                }
                op.push(n);
                chars.next();
            }
            out.push(Tok::Other(op));
        } else {
            out.push(Tok::Other(c.to_string()));
        }
    }
    out
}

/// The index of the token that closes the parenthesis or bracket at `open`.
fn closing(t: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in t.iter().enumerate().skip(open) {
        if tok.is("(") || tok.is("[") {
            depth += 1;
        } else if tok.is(")") || tok.is("]") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `t` without parentheses around the whole of it.
fn strip_parens(mut t: &[Tok]) -> &[Tok] {
    while t.len() >= 2 && t[0].is("(") && closing(t, 0) == Some(t.len() - 1) {
        t = &t[1..t.len() - 1];
    }
    t
}

/// `t` split at the tokens outside any parentheses that `at` picks.
fn split_top(t: &[Tok], mut at: impl FnMut(&Tok) -> bool) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, tok) in t.iter().enumerate() {
        if tok.is("(") || tok.is("[") {
            depth += 1;
        } else if tok.is(")") || tok.is("]") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && at(tok) {
            parts.push(&t[start..i]);
            start = i + 1;
        }
    }
    parts.push(&t[start..]);
    parts
}

/// The `AND` conjuncts of `t` (the `AND` of a `BETWEEN` does not split).
fn conjuncts(t: &[Tok]) -> Vec<&[Tok]> {
    let mut between = 0usize;
    split_top(t, |tok| {
        if tok.is_word("between") {
            between += 1;
        } else if tok.is_word("and") {
            if between == 0 {
                return true;
            }
            between -= 1;
        }
        false
    })
}

/// Whether `t` (parentheses stripped) rules out NULL elements in `col`.
fn covers(t: &[Tok], col: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let disjuncts = split_top(t, |tok| tok.is_word("or"));
    if disjuncts.len() > 1 {
        // Every alternative is either "the column is NULL" or keeps NULLs out itself.
        let covering: Vec<bool> = disjuncts
            .iter()
            .map(|d| covers(strip_parens(d), col, depth + 1))
            .collect();
        return covering.iter().any(|c| *c)
            && disjuncts
                .iter()
                .zip(&covering)
                .all(|(d, c)| *c || is_null_test(strip_parens(d), col));
    }
    let parts = conjuncts(t);
    if parts.len() > 1 {
        return parts
            .iter()
            .any(|c| covers(strip_parens(c), col, depth + 1));
    }
    array_position_is_null(t, col) || cardinality_unchanged(t, col)
}

/// `col` itself, in parentheses or not, quoted or not.
fn is_column(t: &[Tok], col: &str) -> bool {
    match strip_parens(t) {
        [Tok::Word(w)] => w == col,
        [Tok::Quoted(q)] => q == col,
        _ => false,
    }
}

/// `NULL`, possibly cast: `NULL::text`.
fn is_null_value(t: &[Tok]) -> bool {
    let parts = split_top(strip_parens(t), |tok| tok.is("::"));
    let Some((value, casts)) = parts.split_first() else {
        return false;
    };
    matches!(strip_parens(value), [null] if null.is_word("null"))
        && casts.iter().all(|c| !c.is_empty())
}

/// `col IS NULL`.
fn is_null_test(t: &[Tok], col: &str) -> bool {
    match t {
        [c @ .., is, null] => is.is_word("is") && null.is_word("null") && is_column(c, col),
        _ => false,
    }
}

/// A call of the function `name` (or `pg_catalog.name`): its arguments.
fn call<'a>(t: &'a [Tok], name: &str) -> Option<Vec<&'a [Tok]>> {
    let t = strip_parens(t);
    let t = match t {
        [schema, dot, rest @ ..] if schema.is_word("pg_catalog") && dot.is(".") => rest,
        _ => t,
    };
    let [f, open, ..] = t else {
        return None;
    };
    if !f.is_word(name) || !open.is("(") || closing(t, 1) != Some(t.len() - 1) {
        return None;
    }
    let inner = &t[2..t.len() - 1];
    if inner.is_empty() {
        return Some(Vec::new());
    }
    Some(split_top(inner, |tok| tok.is(",")))
}

/// `array_position(col, NULL) IS NULL`.
fn array_position_is_null(t: &[Tok], col: &str) -> bool {
    let [position @ .., is, null] = t else {
        return false;
    };
    is.is_word("is")
        && null.is_word("null")
        && call(position, "array_position").is_some_and(
            |args| matches!(args.as_slice(), [c, n] if is_column(c, col) && is_null_value(n)),
        )
}

/// `cardinality(array_remove(col, NULL)) = cardinality(col)`, either side first.
fn cardinality_unchanged(t: &[Tok], col: &str) -> bool {
    let sides = split_top(t, |tok| tok.is("="));
    let [left, right] = sides.as_slice() else {
        return false;
    };
    let of_column = |side: &[Tok]| {
        call(side, "cardinality")
            .is_some_and(|args| matches!(args.as_slice(), [a] if is_column(a, col)))
    };
    let of_removed = |side: &[Tok]| {
        call(side, "cardinality").is_some_and(|args| match args.as_slice() {
            [a] => call(a, "array_remove").is_some_and(
                |args| matches!(args.as_slice(), [c, n] if is_column(c, col) && is_null_value(n)),
            ),
            _ => false,
        })
    };
    (of_removed(left) && of_column(right)) || (of_column(left) && of_removed(right))
}

/// `NOT (NULL = ANY (col))` or `NOT NULL = ANY (col)` (also `SOME`).
fn not_null_equals_any(t: &[Tok], col: &str) -> bool {
    let [not, rest @ ..] = t else {
        return false;
    };
    if !not.is_word("not") {
        return false;
    }
    let sides = split_top(strip_parens(rest), |tok| tok.is("="));
    let [left, right] = sides.as_slice() else {
        return false;
    };
    let any = |name| {
        call(right, name).is_some_and(|args| matches!(args.as_slice(), [a] if is_column(a, col)))
    };
    is_null_value(left) && (any("any") || any("some"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table `posts` with array columns `tags`, `Tags` and `labels` and the CHECK,
    /// read through the front end as any migration is.
    fn posts(check: &str) -> Table {
        let sql = format!(
            "CREATE TABLE posts (id int, tags text[], \"Tags\" text[], labels text[], CONSTRAINT c CHECK ({check}));"
        );
        let parsed = crate::parse_sql("posts.sql", &sql);
        assert!(!parsed.has_errors(), "{sql}: {:?}", parsed.diagnostics);
        let table = parsed.schema.tables.into_values().next();
        table.unwrap_or_else(|| panic!("{sql}: no table"))
    }

    fn forbids(check: &str, column: &str) -> bool {
        forbids_null_elements(&posts(check), column)
    }

    /// `posts` with the CHECK's text set as is, not as the front end would spell it.
    fn forbids_as_stored(expr: &str, column: &str) -> bool {
        let mut table = posts("true");
        for c in table.constraints.values_mut() {
            c.kind = ConstraintKind::Check {
                expr: expr.to_string(),
            };
        }
        forbids_null_elements(&table, column)
    }

    #[test]
    fn array_position_is_null_forbids_null_elements() {
        assert!(forbids("array_position(tags, NULL) IS NULL", "tags"));
        assert!(forbids("array_position(tags, NULL::text) IS NULL", "tags"));
        assert!(forbids(
            "ARRAY_POSITION(tags, NULL::CHARACTER VARYING) IS NULL",
            "tags"
        ));
    }

    #[test]
    fn cardinality_after_array_remove_forbids_null_elements_either_side_first() {
        assert!(forbids(
            "cardinality(array_remove(tags, NULL)) = cardinality(tags)",
            "tags"
        ));
        assert!(forbids(
            "cardinality(tags) = cardinality(array_remove(tags, NULL::text))",
            "tags"
        ));
    }

    #[test]
    fn a_null_column_as_the_alternative_still_forbids_null_elements() {
        assert!(forbids(
            "tags IS NULL OR array_position(tags, NULL) IS NULL",
            "tags"
        ));
        assert!(forbids(
            "(tags IS NULL) OR (cardinality(array_remove(tags, NULL)) = cardinality(tags))",
            "tags"
        ));
    }

    #[test]
    fn a_conjunct_forbids_null_elements() {
        assert!(forbids(
            "cardinality(tags) > 0 AND array_position(tags, NULL) IS NULL AND id > 0",
            "tags"
        ));
        assert!(forbids(
            "id BETWEEN 1 AND 9 AND (tags IS NULL OR array_position(tags, NULL) IS NULL)",
            "tags"
        ));
    }

    #[test]
    fn quoted_names_match_exactly() {
        assert!(forbids("array_position(\"Tags\", NULL) IS NULL", "Tags"));
        assert!(!forbids("array_position(\"Tags\", NULL) IS NULL", "tags"));
        // Unquoted, `Tags` folds to `tags`.
        assert!(!forbids("array_position(Tags, NULL) IS NULL", "Tags"));
        assert!(forbids("array_position(Tags, NULL) IS NULL", "tags"));
        assert!(forbids("array_position(\"tags\", NULL) IS NULL", "tags"));
    }

    #[test]
    fn spacing_case_and_redundant_parentheses_do_not_matter() {
        // As `pg_get_constraintdef` prints it, and as someone might store it.
        assert!(forbids_as_stored(
            "((array_position(tags, NULL::text) IS NULL))",
            "tags"
        ));
        assert!(forbids_as_stored(
            "( ( ARRAY_POSITION ( ( tags ) , ( NULL ) :: TEXT ) ) IS  NULL )",
            "tags"
        ));
        assert!(forbids_as_stored(
            "((cardinality(array_remove(tags, NULL::text)) = cardinality(tags)))",
            "tags"
        ));
        assert!(forbids_as_stored(
            "pg_catalog.array_position(tags,NULL)IS NULL",
            "tags"
        ));
    }

    /// `NULL = x` is never true, so `NULL = ANY (col)` is NULL or false and its negation
    /// never fails a CHECK: Postgres accepts `'{x,NULL}'` under it.
    #[test]
    fn not_null_equals_any_rules_out_nothing() {
        for check in [
            "NOT (NULL = ANY(tags))",
            "NOT NULL = ANY (tags)",
            "NOT (NULL::text = ANY (tags))",
            "(NOT (NULL = ANY (tags))) AND id > 0",
        ] {
            assert!(!forbids(check, "tags"), "{check}");
            assert_eq!(never_false_any_check(&posts(check), "tags"), Some("c"));
            assert_eq!(never_false_any_check(&posts(check), "labels"), None);
        }
        let fine = posts("array_position(tags, NULL) IS NULL");
        assert_eq!(never_false_any_check(&fine, "tags"), None);
    }

    #[test]
    fn a_check_on_another_column_does_not_count() {
        assert!(!forbids("array_position(labels, NULL) IS NULL", "tags"));
        assert!(!forbids(
            "cardinality(array_remove(labels, NULL)) = cardinality(tags)",
            "tags"
        ));
        assert!(!forbids(
            "labels IS NULL OR array_position(tags, NULL) IS NULL",
            "tags"
        ));
    }

    #[test]
    fn a_check_that_mentions_the_column_otherwise_does_not_count() {
        for check in [
            "cardinality(tags) > 0",
            "tags IS NULL",
            "tags IS NOT NULL",
            "array_position(tags, 'x') IS NULL",
            "array_position(tags, NULL) IS NOT NULL",
            "array_position(tags, NULL) = 1",
            "array_position(tags, NULL, 2) IS NULL",
            "array_position(tags, NULL) IS NULL OR id > 0",
            "cardinality(array_remove(tags, 'x')) = cardinality(tags)",
            "cardinality(array_remove(tags, NULL)) >= cardinality(tags)",
            "NOT (array_position(tags, NULL) IS NULL)",
        ] {
            assert!(!forbids(check, "tags"), "{check}");
        }
    }

    #[test]
    fn text_that_is_not_an_expression_counts_for_nothing() {
        for expr in [
            "",
            "(",
            ")",
            "((",
            "\"",
            "'",
            "::",
            "array_position(",
            "IS NULL",
        ] {
            assert!(!forbids_as_stored(expr, "tags"), "{expr}");
            assert!(!forbids_as_stored(expr, ""), "{expr}");
        }
    }
}
