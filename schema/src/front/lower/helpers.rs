//! Free helpers of the folder: expression text, names, literals.

use super::*;

pub(super) use crate::front::types::ident;

pub(super) fn fk_action(a: ast::ReferentialAction) -> FkAction {
    match a {
        ast::ReferentialAction::Restrict => FkAction::Restrict,
        ast::ReferentialAction::Cascade => FkAction::Cascade,
        ast::ReferentialAction::SetNull => FkAction::SetNull,
        ast::ReferentialAction::NoAction => FkAction::NoAction,
        ast::ReferentialAction::SetDefault => FkAction::SetDefault,
    }
}

pub(super) fn characteristics(c: &Option<ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => {
            let deferred = matches!(c.initially, Some(ast::DeferrableInitial::Deferred));
            (c.deferrable.unwrap_or(deferred), deferred)
        }
        None => (false, false),
    }
}

/// A default expression's text; `NULL` (also cast or parenthesized) is no default, as
/// Postgres stores none for it.
pub(super) fn default_text(e: &ast::Expr) -> Option<String> {
    match strip_nested(e) {
        ast::Expr::Value(v) if matches!(v.value, ast::Value::Null) => None,
        ast::Expr::Cast { expr, .. } if default_text(expr).is_none() => None,
        other => Some(crate::front::expr::canonical(other)),
    }
}

/// `DEFAULT 'x' COLLATE "C"`: Postgres's DEFAULT takes an expression without COLLATE, so
/// the COLLATE that sqlparser reads into the default is the column's or domain's own.
pub(super) fn uncollated(e: &ast::Expr) -> (&ast::Expr, Option<String>) {
    match e {
        ast::Expr::Collate { expr, collation } => (
            expr,
            collation.0.last().and_then(|p| p.as_ident()).map(ident),
        ),
        other => (other, None),
    }
}

pub(super) fn strip_nested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

/// The name Postgres gives an index column for an expression (`FigureIndexColname`).
pub(super) fn figure_colname(e: &ast::Expr) -> Option<String> {
    match strip_nested(e) {
        ast::Expr::Identifier(i) => Some(ident(i)),
        ast::Expr::CompoundIdentifier(parts) => parts.last().map(ident),
        ast::Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident),
        ast::Expr::Cast {
            expr, data_type, ..
        } => figure_colname(expr).or_else(|| Some(internal_type_name(data_type))),
        ast::Expr::Case { .. } => Some("case".into()),
        ast::Expr::Extract { .. } => Some("extract".into()),
        ast::Expr::Substring { .. } => Some("substring".into()),
        ast::Expr::Trim { .. } => Some("btrim".into()),
        ast::Expr::AtTimeZone { .. } => Some("timezone".into()),
        ast::Expr::Array(_) => Some("array".into()),
        ast::Expr::Collate { expr, .. } => figure_colname(expr),
        ast::Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(field)) => figure_colname(field),
            _ => figure_colname(root),
        },
        _ => None,
    }
}

/// The catalog name of a cast's target type, as Postgres names an index column after a
/// cast (`int8` for `::bigint`, `varchar` for `::varchar(10)`).
pub(super) fn internal_type_name(t: &ast::DataType) -> String {
    let canonical = match types::normalize(t, &|n| QualifiedName::public(n.to_string())) {
        Ok(Normalized::Type(t)) => match t.name {
            TypeName::Builtin(b) => b,
            TypeName::Named(q) => q.name,
        },
        _ => return t.to_string().to_ascii_lowercase(),
    };
    match canonical.as_str() {
        "smallint" => "int2",
        "integer" => "int4",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time with time zone" => "timetz",
        "time without time zone" => "time",
        other => other,
    }
    .to_string()
}

pub(super) fn unquote(s: &str) -> String {
    s.trim_matches('\'').to_string()
}

/// A `SET` value as Postgres stores it: a string's contents, a number as written, an
/// identifier folded; and whether it was a word (an identifier or a string), which a list
/// parameter quotes as an identifier.
pub(super) fn setting_text(e: &ast::Expr) -> (String, bool) {
    match e {
        ast::Expr::Identifier(i) => (ident(i), true),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s)
            | ast::Value::DollarQuotedString(ast::DollarQuotedString { value: s, .. }) => {
                (s.clone(), true)
            }
            ast::Value::Boolean(b) => (b.to_string(), false),
            other => (other.to_string(), false),
        },
        other => (other.to_string(), false),
    }
}

pub(super) fn literal_text(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::DollarQuotedString(d) => d.value.clone(),
            ast::Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

pub(super) fn type_text(folder: &Folder, t: &ast::DataType) -> String {
    match folder.normalize_type(t) {
        Ok(Normalized::Type(t)) => crate::model::display::TypeSql(&t).to_string(),
        _ => t.to_string().to_lowercase(),
    }
}

pub(super) fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}
