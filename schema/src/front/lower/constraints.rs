//! Constraints: from sqlparser's column options and table constraints to [`NewConstraint`]s.

use super::*;

impl Folder {
    pub(super) fn foreign_key(&self, fk: &ast::ForeignKeyConstraint, loc: Loc) -> NewConstraint {
        let (deferrable, initially_deferred) = characteristics(&fk.characteristics);
        NewConstraint {
            name: fk.name.as_ref().map(ident),
            kind: ConstraintKind::ForeignKey(ForeignKey {
                columns: fk.columns.iter().map(ident).collect(),
                ref_table: self.qname(&fk.foreign_table),
                ref_columns: fk.referred_columns.iter().map(ident).collect(),
                on_delete: fk.on_delete.map(fk_action).unwrap_or_default(),
                on_update: fk.on_update.map(fk_action).unwrap_or_default(),
                match_type: match fk.match_kind {
                    Some(ast::ConstraintReferenceMatchKind::Full) => FkMatch::Full,
                    Some(ast::ConstraintReferenceMatchKind::Partial) => FkMatch::Partial,
                    _ => FkMatch::Simple,
                },
            }),
            deferrable,
            initially_deferred,
            loc,
        }
    }

    pub(super) fn table_constraint(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        c: &ast::TableConstraint,
    ) -> Option<NewConstraint> {
        let loc = self.loc_of(ctx, c.span());
        let key_columns = |cols: &[ast::IndexColumn]| -> Result<Vec<String>, String> {
            cols.iter()
                .map(|c| match strip_nested(&c.column.expr) {
                    ast::Expr::Identifier(i) => Ok(ident(i)),
                    other => Err(other.to_string()),
                })
                .collect()
        };
        let pending = match c {
            ast::TableConstraint::PrimaryKey(pk) => {
                let (deferrable, initially_deferred) = characteristics(&pk.characteristics);
                NewConstraint {
                    name: pk.name.as_ref().map(ident),
                    kind: ConstraintKind::PrimaryKey {
                        columns: key_columns(&pk.columns).ok()?,
                        include: pk.include.iter().map(ident).collect(),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            ast::TableConstraint::Unique(u) => {
                let (deferrable, initially_deferred) = characteristics(&u.characteristics);
                let columns = match key_columns(&u.columns) {
                    Ok(c) => c,
                    Err(expr) => {
                        self.report(ctx, Severity::Error, Code::Syntax, loc, format!("table `{table}`: a UNIQUE constraint takes column names, not the expression `{expr}`"), "use CREATE UNIQUE INDEX for an expression");
                        return None;
                    }
                };
                NewConstraint {
                    name: u.name.as_ref().map(ident),
                    kind: ConstraintKind::Unique {
                        columns,
                        include: u.include.iter().map(ident).collect(),
                        nulls_not_distinct: matches!(
                            u.nulls_distinct,
                            ast::NullsDistinctOption::NotDistinct
                        ),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            ast::TableConstraint::ForeignKey(fk) => self.foreign_key(fk, loc),
            ast::TableConstraint::Check(ch) => NewConstraint {
                name: ch.name.as_ref().map(ident),
                kind: ConstraintKind::Check {
                    expr: crate::front::expr::canonical(&ch.expr),
                },
                deferrable: false,
                initially_deferred: false,
                loc,
            },
            ast::TableConstraint::Exclude(ex) => {
                let (deferrable, initially_deferred) = characteristics(&ex.characteristics);
                NewConstraint {
                    name: ex.name.as_ref().map(ident),
                    kind: ConstraintKind::Exclusion {
                        method: ex
                            .index_method
                            .as_ref()
                            .map_or(IndexMethod::Btree, |m| IndexMethod::from_name(&m.value)),
                        elements: ex
                            .elements
                            .iter()
                            .map(|e| format!("{} WITH {}", e.column, e.operator))
                            .collect(),
                        include: ex.include.iter().map(ident).collect(),
                        predicate: ex
                            .where_clause
                            .as_ref()
                            .map(|w| strip_nested(w).to_string()),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            other => {
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Unsupported,
                    loc,
                    format!("table `{table}`: constraint `{other}` is not modelled"),
                    "write it as a PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY or EXCLUDE constraint, or as an index",
                );
                return None;
            }
        };
        Some(pending)
    }

    /// `ADD … PRIMARY KEY USING INDEX` / `UNIQUE USING INDEX`.
    pub(super) fn add_constraint_using_index(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        c: &ast::TableConstraint,
    ) {
        let (u, primary) = match c {
            ast::TableConstraint::PrimaryKeyUsingIndex(u) => (u, true),
            ast::TableConstraint::UniqueUsingIndex(u) => (u, false),
            _ => return,
        };
        let loc = self.loc_of(ctx, c.span());
        let (deferrable, initially_deferred) = characteristics(&u.characteristics);
        let new = NewConstraint {
            name: u.name.as_ref().map(ident),
            kind: ConstraintKind::Check {
                expr: String::new(),
            },
            deferrable,
            initially_deferred,
            loc: loc.clone(),
        };
        let r = self
            .catalog
            .add_constraint_using_index(table, &ident(&u.index_name), primary, new);
        self.rule_at(ctx, loc, r);
    }

    /// Adds a constraint the statement defines, reporting a refusal at the constraint.
    pub(super) fn add_constraint(&mut self, ctx: &Ctx, table: &QualifiedName, c: NewConstraint) {
        let loc = c.loc.clone();
        let r = self.catalog.add_constraint(table, c);
        self.rule_at(ctx, loc, r);
    }
}
