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

#[cfg(test)]
mod tests {
    use super::*;

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
