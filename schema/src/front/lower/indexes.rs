//! Indexes: CREATE INDEX and its names.

use super::*;

impl Folder {
    pub(super) fn create_index(&mut self, ctx: &Ctx, ci: ast::CreateIndex) {
        let table_name = self.qname(&ci.table_name);
        // A materialized view's columns are not modelled: its keys are taken as written.
        let on_matview = self
            .catalog
            .schema
            .views
            .get(&table_name)
            .is_some_and(|v| v.materialized);
        let table = self.catalog.schema.tables.get(&table_name);
        if table.is_none() && !on_matview {
            self.rule::<()>(ctx, Err(RuleError::Missing(Object::Table(table_name))));
            return;
        }
        let has_column = |c: &str| table.is_none_or(|t| t.column(c).is_some());
        let mut keys = Vec::new();
        let mut key_names = Vec::new();
        for col in &ci.columns {
            let (expr, collation) = match strip_nested(&col.column.expr) {
                ast::Expr::Collate { expr, collation } => {
                    (strip_nested(expr), Some(self.qname(collation).name))
                }
                e => (strip_nested(e), None),
            };
            let key = match expr {
                ast::Expr::Identifier(i) => {
                    let name = ident(i);
                    if !has_column(&name) {
                        let loc = self.loc_of(ctx, i.span);
                        let err = RuleError::Missing(Object::Column(table_name.clone(), name));
                        self.rule_at::<()>(ctx, loc, Err(err));
                        return;
                    }
                    key_names.push(name.clone());
                    KeyExpr::Column(name)
                }
                e => {
                    key_names.push(figure_colname(e).unwrap_or_else(|| "expr".into()));
                    KeyExpr::Expression(crate::front::expr::canonical(e))
                }
            };
            keys.push(IndexKey {
                expr: key,
                opclass: col.operator_class.as_ref().map(|o| self.qname(o).name),
                collation,
                descending: matches!(col.column.options.sort, Some(ast::OrderBySort::Desc)),
                nulls_first: col.column.options.nulls_first,
            });
        }
        let include: Vec<String> = ci.include.iter().map(ident).collect();
        if let Some(missing) = include.iter().find(|c| !has_column(c)) {
            let err = RuleError::Missing(Object::Column(table_name.clone(), missing.clone()));
            self.rule::<()>(ctx, Err(err));
            return;
        }
        let name = match &ci.name {
            Some(n) => QualifiedName::new(table_name.schema.clone(), self.qname(n).name),
            None => {
                let all: Vec<String> = key_names
                    .into_iter()
                    .chain(include.iter().cloned())
                    .collect();
                let addition = names::name_addition(&names::distinct_column_names(all));
                let schema = table_name.schema.clone();
                let n = names::choose_name(&table_name.name, Some(&addition), "idx", |n| {
                    self.catalog
                        .relation_taken(&QualifiedName::new(schema.clone(), n))
                });
                QualifiedName::new(table_name.schema.clone(), n)
            }
        };
        let with = ci
            .with
            .iter()
            .map(|e| match e {
                ast::Expr::BinaryOp { left, right, .. } => (
                    left.to_string().to_ascii_lowercase(),
                    unquote(&right.to_string()),
                ),
                other => (other.to_string(), String::new()),
            })
            .collect();
        let method = ci.using.as_ref().map_or(IndexMethod::Btree, |u| {
            IndexMethod::from_name(&u.to_string())
        });
        let r = self.catalog.add_index(Index {
            name,
            table: table_name,
            unique: ci.unique,
            method,
            keys,
            include,
            nulls_not_distinct: ci.nulls_distinct == Some(false),
            predicate: ci.predicate.as_ref().map(crate::front::expr::canonical),
            with,
            comment: None,
            loc: ctx.loc.clone(),
        });
        self.rule_if(ctx, r, false, ci.if_not_exists);
    }
}
