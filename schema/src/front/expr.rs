//! Expressions as the model keeps them: one spelling for an expression however it was
//! written, so that what a migration says, what `pg_dump` prints and what the catalog
//! gives (`pg_get_expr`) compare equal when they mean the same. Unquoted names are folded
//! to lower case, `public.` is dropped from names and casts (the search path's schema),
//! type names in casts are written as the model writes types (`text`, `character
//! varying(20)`, `job_status`), and parentheses around a single name, literal or call, and
//! around the whole expression, are dropped. What Postgres adds on its own (implicit
//! casts) is not added here.

use std::ops::ControlFlow;

use sqlparser::ast::{self, VisitMut, VisitorMut};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::front::types::{self, Normalized};
use crate::model::display::TypeSql;

/// The canonical spelling of `e`.
pub(crate) fn canonical(e: &ast::Expr) -> String {
    let mut e = e.clone();
    let _ = e.visit(&mut Canon);
    strip_outer(&e).to_string()
}

/// The canonical spelling of an expression's text; the text itself when it does not
/// parse.
pub fn canonical_text(text: &str) -> String {
    let dialect = PostgreSqlDialect {};
    match Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
    {
        Ok(e) => canonical(&e),
        Err(_) => text.to_string(),
    }
}

fn strip_outer(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip_outer(inner),
        other => other,
    }
}

struct Canon;

impl VisitorMut for Canon {
    type Break = ();

    fn post_visit_expr(&mut self, e: &mut ast::Expr) -> ControlFlow<()> {
        match e {
            ast::Expr::Nested(inner)
                if matches!(
                    **inner,
                    ast::Expr::Identifier(_)
                        | ast::Expr::CompoundIdentifier(_)
                        | ast::Expr::Value(_)
                        | ast::Expr::Function(_)
                        | ast::Expr::Nested(_)
                ) =>
            {
                *e = (**inner).clone();
            }
            ast::Expr::Cast { data_type, .. } => {
                if let Ok(t) = types::normalize(data_type, &types::qualified_name) {
                    let t = match t {
                        Normalized::Type(t) => t,
                        Normalized::Serial(s) => s.integer_type(),
                    };
                    let text = TypeSql(&t).to_string();
                    *data_type = ast::DataType::Custom(
                        ast::ObjectName::from(vec![ast::Ident::new(text)]),
                        Vec::new(),
                    );
                }
            }
            ast::Expr::Identifier(i) => fold(i),
            ast::Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(fold),
            ast::Expr::Function(f) => {
                let mut parts: Vec<ast::Ident> = f
                    .name
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident().cloned())
                    .collect();
                if parts.len() == f.name.0.len() {
                    parts.iter_mut().for_each(fold);
                    if parts.len() == 2 && parts[0].value == "public" {
                        parts.remove(0);
                    }
                    f.name = ast::ObjectName::from(parts);
                }
                // `nextval('public.jobs_id_seq'::regclass)`: a relation name in a string.
                if f.name.to_string() == "nextval" {
                    if let ast::FunctionArguments::List(list) = &mut f.args {
                        for arg in &mut list.args {
                            if let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(
                                ast::Expr::Cast { expr, .. },
                            )) = arg
                            {
                                if let ast::Expr::Value(v) = expr.as_mut() {
                                    if let ast::Value::SingleQuotedString(s) = &mut v.value {
                                        if let Some(rest) = s.strip_prefix("public.") {
                                            *s = rest.to_string();
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// An unquoted identifier as Postgres stores it.
fn fold(i: &mut ast::Ident) {
    if i.quote_style.is_none() {
        i.value = i.value.to_ascii_lowercase();
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_text as c;

    #[test]
    fn what_people_write_and_what_postgres_prints_meet() {
        assert_eq!(c("'default'::TEXT"), c("'default'::text"));
        assert_eq!(c("NOW()"), c("now()"));
        assert_eq!(c("'queued'::public.job_status"), c("'queued'::job_status"));
        assert_eq!(c("public.uuid_generate_v4()"), c("uuid_generate_v4()"));
        assert_eq!(
            c("((status)::text = 'processing'::text)"),
            c("status::TEXT = 'processing'::TEXT")
        );
        assert_eq!(c("(amount * (qty)::numeric)"), c("amount * qty::NUMERIC"));
        assert_eq!(
            c("nextval('public.jobs_id_seq'::regclass)"),
            c("nextval('jobs_id_seq'::regclass)")
        );
        assert_eq!(c("'{}'::TEXT[]"), "'{}'::text[]");
        assert_eq!(c("'pro'::CHARACTER VARYING"), "'pro'::character varying");
        assert_eq!(c("\"Quoted\" > 0"), "\"Quoted\" > 0");
    }
}
