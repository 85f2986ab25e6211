//! What a query or a SQL function body reads, found in sqlparser's syntax tree: the
//! relations named where a relation belongs (`FROM`, `JOIN`, DML targets) and the
//! functions called, as qualified names (unqualified ones resolve to `public`, as
//! everywhere in the model). Common table expressions are not relations. The model keeps
//! these as [`DependsOn`], which orders canonical DDL.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{self, Visit, Visitor};

use crate::front::types::{ident, qualified_name};
use crate::model::{DependsOn, QualifiedName};

#[derive(Default)]
struct Reads {
    names: BTreeSet<QualifiedName>,
    /// Unqualified relation names: a common table expression of the same name shadows them.
    unqualified: BTreeSet<String>,
    ctes: BTreeSet<String>,
}

impl Visitor for Reads {
    type Break = ();

    fn pre_visit_query(&mut self, query: &ast::Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(ident(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ast::ObjectName) -> ControlFlow<()> {
        let name = qualified_name(relation);
        if relation.0.len() == 1 {
            self.unqualified.insert(name.name);
        } else {
            self.names.insert(name);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &ast::Expr) -> ControlFlow<()> {
        if let ast::Expr::Function(f) = expr {
            self.names.insert(qualified_name(&f.name));
        }
        ControlFlow::Continue(())
    }
}

impl Reads {
    fn finish(self) -> DependsOn {
        let mut names = self.names;
        names.extend(
            self.unqualified
                .into_iter()
                .filter(|n| !self.ctes.contains(n))
                .map(QualifiedName::public),
        );
        DependsOn(names)
    }
}

/// What a syntax tree node (a query, an expression, a statement) reads.
pub(crate) fn reads<V: Visit>(node: &V) -> DependsOn {
    let mut reads = Reads::default();
    let _ = node.visit(&mut reads);
    reads.finish()
}

/// What the statements of a `LANGUAGE sql` body in a string read. A body sqlparser
/// cannot read gives what its readable statements read (the body is Postgres's to
/// check, when the function is created).
pub fn sql_body_reads(body: &str) -> DependsOn {
    let mut all = DependsOn::default();
    let Ok(chunks) = crate::front::split::split(body) else {
        return all;
    };
    for chunk in chunks {
        if let Ok(statement) = crate::front::parse_one(&body[chunk.start..chunk.end]) {
            all.0.extend(reads(&statement).0);
        }
    }
    all
}

/// What a function body in a string needs to exist when the function is created: for
/// `LANGUAGE sql`, what its statements read (Postgres checks the body); for `plpgsql`, the
/// relations its `%ROWTYPE` and `table.column%TYPE` declarations name (the validator
/// resolves them); nothing for other languages.
pub fn body_reads(language: &str, body: &str) -> DependsOn {
    match language {
        "sql" => sql_body_reads(body),
        "plpgsql" => plpgsql_type_reads(body),
        _ => DependsOn::default(),
    }
}

/// The relations of `name%ROWTYPE` and `relation.column%TYPE` in a PL/pgSQL body.
fn plpgsql_type_reads(body: &str) -> DependsOn {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let mut out = DependsOn::default();
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, body).tokenize() else {
        return out;
    };
    let tokens: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let word = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
        Token::Word(w) => Some(w.value.to_ascii_lowercase()),
        _ => None,
    };
    for (i, t) in tokens.iter().enumerate() {
        if !matches!(t, Token::Mod) {
            continue;
        }
        let Some(kind) = tokens.get(i + 1).and_then(|t| word(t)) else {
            continue;
        };
        // The dotted name before `%`.
        let mut parts = Vec::new();
        let mut j = i;
        while j > 0 {
            let Some(part) = word(tokens[j - 1]) else {
                break;
            };
            parts.insert(0, part);
            if j >= 2 && matches!(tokens[j - 2], Token::Period) {
                j -= 2;
            } else {
                break;
            }
        }
        let relation = match (kind.as_str(), parts.len()) {
            ("rowtype", 1) => QualifiedName::public(parts[0].clone()),
            ("rowtype", 2) | ("type", 3) => QualifiedName::new(parts[0].clone(), parts[1].clone()),
            ("type", 2) => QualifiedName::public(parts[0].clone()),
            _ => continue,
        };
        out.0.insert(relation);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plpgsql_rowtype_and_column_types_are_read() {
        let body = "DECLARE r jobs%ROWTYPE; s billing.invoices%rowtype; c accounts.id%TYPE; v r%TYPE; BEGIN RETURN NEW; END";
        let got: Vec<String> = body_reads("plpgsql", body)
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["billing.invoices", "accounts", "jobs"]);
    }

    fn names(body: &str) -> Vec<String> {
        sql_body_reads(body)
            .0
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn relations_and_functions_of_a_body_but_not_its_ctes() {
        assert_eq!(
            names(
                "WITH recent AS (SELECT * FROM billing.invoices) SELECT count(*) FROM recent JOIN Users u ON u.id = recent.user_id WHERE EXISTS (SELECT 1 FROM \"Teams\" t WHERE t.id = u.team_id AND is_active(t))"
            ),
            [
                "billing.invoices",
                "\"Teams\"",
                "count",
                "is_active",
                "users"
            ]
        );
        assert_eq!(
            names("INSERT INTO audit (x) VALUES (1); UPDATE jobs SET n = n + 1"),
            ["audit", "jobs"]
        );
    }
}
