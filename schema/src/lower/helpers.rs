//! Free helpers of the folder: expression text, names, literals.

use super::*;

pub(super) use crate::types::ident;

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
        other => Some(other.to_string()),
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

/// The one column a CHECK expression mentions, when it mentions exactly one.
pub(super) fn single_column_reference(expr: &str, columns: &[Column]) -> Option<String> {
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

pub(super) fn constraint_mentions(c: &Constraint, column: &str) -> bool {
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

pub(super) fn index_mentions(i: &Index, column: &str) -> bool {
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
pub(super) fn rename_in_expr(text: &str, old: &str, new: &str) -> String {
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
pub(super) fn folded(w: &sqlparser::tokenizer::Word) -> String {
    if w.quote_style.is_some() {
        w.value.clone()
    } else {
        w.value.to_ascii_lowercase()
    }
}

/// Whether an expression refers to `column`: an identifier token, folded as Postgres
/// folds it, equal to the name (string literals and other case do not count).
pub(super) fn mentions_word(text: &str, column: &str) -> bool {
    let dialect = PostgreSqlDialect {};
    match Tokenizer::new(&dialect, text).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .any(|t| matches!(t, Token::Word(w) if folded(w) == column)),
        Err(_) => text.contains(column),
    }
}

/// The sequence behind a serial or identity column, if the column has one.
pub(super) fn implicit_sequence(table: &Table, column: &Column) -> Option<String> {
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
        Ok(Normalized::Type(t)) => crate::display::TypeSql(&t).to_string(),
        _ => t.to_string().to_lowercase(),
    }
}

pub(super) fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}
