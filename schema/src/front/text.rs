//! Token scans over expression text stored in the model (CHECK expressions, index
//! keys, predicates, defaults): which columns an expression mentions, and renaming one.
//! Postgres's rules ([`crate::rules`]) use them without naming sqlparser.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::model::names;
use crate::model::*;

/// The one column a CHECK expression mentions, when it mentions exactly one.
pub(crate) fn single_column_reference(expr: &str, columns: &[Column]) -> Option<String> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, expr).tokenize().ok()?;
    let mut found: Vec<String> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Word(w) = t {
            let is_call = matches!(tokens.get(i + 1), Some(Token::LParen));
            let name = folded(w);
            if !is_call && columns.iter().any(|c| c.name == name) && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

pub(crate) fn constraint_mentions(c: &Constraint, column: &str) -> bool {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).any(|c| c == column),
        ConstraintKind::ForeignKey(fk) => fk.columns.iter().any(|c| c == column),
        ConstraintKind::Check { expr } => mentions_word(expr, column),
        ConstraintKind::Exclusion {
            elements,
            include,
            predicate,
            ..
        } => {
            include.iter().any(|c| c == column)
                || elements.iter().any(|e| mentions_word(e, column))
                || predicate
                    .as_deref()
                    .is_some_and(|p| mentions_word(p, column))
        }
    }
}

pub(crate) fn index_mentions(i: &Index, column: &str) -> bool {
    i.include.iter().any(|c| c == column)
        || i.keys.iter().any(|k| match &k.expr {
            KeyExpr::Column(c) => c == column,
            KeyExpr::Expression(e) => mentions_word(e, column),
        })
        || i.predicate
            .as_deref()
            .is_some_and(|p| mentions_word(p, column))
}

/// An expression with every reference to column `old` renamed to `new` (identifier
/// tokens only; string literals and function names are left alone).
pub(crate) fn rename_in_expr(text: &str, old: &str, new: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, text).tokenize() else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        let is_call = matches!(tokens.get(i + 1), Some(Token::LParen));
        match t {
            Token::Word(w) if !is_call && folded(w) == old => out.push_str(&quote_ident(new)),
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

/// A word token as Postgres stores it: ASCII-folded unless quoted.
pub(crate) fn folded(w: &sqlparser::tokenizer::Word) -> String {
    if w.quote_style.is_some() {
        w.value.clone()
    } else {
        w.value.to_ascii_lowercase()
    }
}

/// Whether an expression refers to `column`: an identifier token, folded as Postgres
/// folds it, equal to the name (string literals and other case do not count).
pub(crate) fn mentions_word(text: &str, column: &str) -> bool {
    let dialect = PostgreSqlDialect {};
    match Tokenizer::new(&dialect, text).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .any(|t| matches!(t, Token::Word(w) if folded(w) == column)),
        Err(_) => text.contains(column),
    }
}

/// The sequence behind a serial or identity column, if the column has one.
pub(crate) fn implicit_sequence(table: &Table, column: &Column) -> Option<String> {
    if column.identity.is_some() {
        return Some(names::make_object_name(
            &table.name.name,
            Some(&column.name),
            "seq",
        ));
    }
    let d = column.default.as_deref()?;
    let rest = d.strip_prefix("nextval('")?;
    let name = &rest[..rest.find('\'')?];
    Some(
        name.rsplit('.')
            .next()
            .unwrap_or(name)
            .trim_matches('"')
            .to_string(),
    )
}
