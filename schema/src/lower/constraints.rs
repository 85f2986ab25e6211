//! Constraints: conversion, validation against the table, Postgres's naming, what depends on a key, DROP CONSTRAINT.

use super::*;

impl Folder {
    pub(super) fn foreign_key(&self, fk: &ast::ForeignKeyConstraint, loc: Loc) -> Pending {
        let (deferrable, initially_deferred) = characteristics(&fk.characteristics);
        Pending {
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
    ) -> Option<Pending> {
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
                Pending {
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
                Pending {
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
            ast::TableConstraint::Check(ch) => Pending {
                name: ch.name.as_ref().map(ident),
                kind: ConstraintKind::Check {
                    expr: strip_nested(&ch.expr).to_string(),
                },
                deferrable: false,
                initially_deferred: false,
                loc,
            },
            ast::TableConstraint::Exclude(ex) => {
                let (deferrable, initially_deferred) = characteristics(&ex.characteristics);
                Pending {
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
                    format!(
                        "table `{table}`: constraint `{other}` is not PostgreSQL or not modelled"
                    ),
                    "write it as a PostgreSQL constraint or index",
                );
                return None;
            }
        };
        Some(pending)
    }

    /// Validates a constraint against its table, resolves its name and adds it.
    pub(super) fn add_constraint(&mut self, ctx: &Ctx, table_name: &QualifiedName, mut p: Pending) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        let what = format!("table `{table_name}`");
        let columns: Vec<&String> = match &p.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => columns.iter().chain(include).collect(),
            ConstraintKind::ForeignKey(fk) => fk.columns.iter().collect(),
            _ => Vec::new(),
        };
        for col in columns {
            if table.column(col).is_none() {
                let loc = p.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    format!("{what}: constraint column `{col}` does not exist"),
                    "name a column of the table",
                );
                return;
            }
        }
        if let ConstraintKind::PrimaryKey { .. } = p.kind {
            if let Some((existing, _)) = table.primary_key() {
                let loc = p.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Duplicate,
                    loc,
                    format!(
                        "{what}: multiple primary keys are not allowed (already has `{existing}`)"
                    ),
                    "keep one PRIMARY KEY and make the others UNIQUE",
                );
                return;
            }
        }
        if let ConstraintKind::ForeignKey(fk) = &mut p.kind {
            let ref_table = if fk.ref_table == *table_name {
                Some(table)
            } else {
                self.schema.tables.get(&fk.ref_table)
            };
            let Some(ref_table) = ref_table else {
                let loc = p.loc.clone();
                let ref_name = fk.ref_table.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    format!(
                        "{what}: foreign key references table `{ref_name}`, which does not exist"
                    ),
                    "create the referenced table first, or fix the name",
                );
                return;
            };
            if fk.ref_columns.is_empty() {
                match ref_table.primary_key() {
                    Some((_, cols)) => fk.ref_columns = cols.to_vec(),
                    None => {
                        let loc = p.loc.clone();
                        let ref_name = fk.ref_table.clone();
                        self.report(
                            ctx,
                            Severity::Error,
                            Code::UnknownObject,
                            loc,
                            format!(
                                "{what}: there is no primary key for referenced table `{ref_name}`"
                            ),
                            "name the referenced columns explicitly",
                        );
                        return;
                    }
                }
            }
            if let Some(col) = fk
                .ref_columns
                .iter()
                .find(|c| ref_table.column(c).is_none())
            {
                let loc = p.loc.clone();
                let msg = format!(
                    "{what}: foreign key references column `{col}` of `{}`, which does not exist",
                    fk.ref_table
                );
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    msg,
                    "reference an existing column",
                );
                return;
            }
            if fk.columns.len() != fk.ref_columns.len() {
                let loc = p.loc.clone();
                self.report(ctx, Severity::Error, Code::Syntax, loc, format!("{what}: number of referencing and referenced columns for foreign key disagree"), "list as many referenced columns as referencing ones");
                return;
            }
        }
        if let ConstraintKind::PrimaryKey { columns, .. } = &p.kind {
            let columns = columns.clone();
            touch!(self.tables, table_name);
            if let Some(t) = self.schema.tables.get_mut(table_name) {
                for c in t.columns.iter_mut().filter(|c| columns.contains(&c.name)) {
                    c.not_null = true;
                }
            }
        }
        let name = match p.name.take() {
            Some(n) => {
                if self.constraint_taken(&table_name.schema, &n)
                    && self
                        .schema
                        .tables
                        .get(table_name)
                        .is_some_and(|t| t.constraints.contains_key(&n))
                {
                    if !ctx.guarded {
                        let loc = p.loc.clone();
                        self.report(
                            ctx,
                            Severity::Error,
                            Code::Duplicate,
                            loc,
                            format!("{what}: constraint `{n}` already exists"),
                            "choose another name or drop the old constraint first",
                        );
                    }
                    return;
                }
                n
            }
            None => self.choose_constraint_name(table_name, &p),
        };
        if let Some(ix) = self.names.get_mut().as_mut() {
            ix.add_constraint(&table_name.schema, &name, &p.kind);
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.constraints.insert(
                name.clone(),
                Constraint {
                    name,
                    kind: p.kind,
                    deferrable: p.deferrable,
                    initially_deferred: p.initially_deferred,
                    loc: p.loc,
                },
            );
        }
    }

    pub(super) fn choose_constraint_name(&self, table: &QualifiedName, p: &Pending) -> String {
        let schema = table.schema.clone();
        let rel_taken = |n: &str| {
            self.relation_taken(&QualifiedName::new(schema.clone(), n))
                || self.constraint_taken(&schema, n)
        };
        let con_taken = |n: &str| self.constraint_taken(&schema, n);
        match &p.kind {
            ConstraintKind::PrimaryKey { .. } => {
                names::choose_name(&table.name, None, "pkey", rel_taken)
            }
            ConstraintKind::Unique {
                columns, include, ..
            } => {
                let all: Vec<String> = columns.iter().chain(include).cloned().collect();
                let addition = names::name_addition(&names::distinct_column_names(all));
                names::choose_name(&table.name, Some(&addition), "key", rel_taken)
            }
            ConstraintKind::Exclusion {
                elements, include, ..
            } => {
                let cols: Vec<String> = elements
                    .iter()
                    .map(|e| {
                        let col = e.split(" WITH ").next().unwrap_or("expr").trim();
                        if col.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                            col.to_string()
                        } else {
                            "expr".to_string()
                        }
                    })
                    .chain(include.iter().cloned())
                    .collect();
                let addition = names::name_addition(&names::distinct_column_names(cols));
                names::choose_name(&table.name, Some(&addition), "excl", rel_taken)
            }
            ConstraintKind::Check { expr } => {
                {
                    // `table_column_check` when the expression mentions exactly one column,
                    // else `table_check`, as Postgres's AddRelationNewConstraints decides.
                    let columns = self
                        .schema
                        .tables
                        .get(table)
                        .map(|t| t.columns.as_slice())
                        .unwrap_or_default();
                    let column = single_column_reference(expr, columns);
                    names::choose_name(&table.name, column.as_deref(), "check", con_taken)
                }
            }
            ConstraintKind::ForeignKey(fk) => {
                let addition = names::name_addition(&fk.columns);
                names::choose_name(&table.name, Some(&addition), "fkey", con_taken)
            }
        }
    }

    /// Before `what` (`table \`x\``, `column \`c\` of table \`x\``, …) is dropped, the
    /// foreign keys `dependents` of other tables that rely on it: without CASCADE an error
    /// naming the first, with `help` (false: the drop must not happen); with CASCADE they
    /// are dropped (true).
    pub(super) fn drop_dependent_fks(
        &mut self,
        ctx: &Ctx,
        what: &str,
        dependents: Vec<(QualifiedName, String)>,
        cascade: bool,
        help: &str,
    ) -> bool {
        if let Some((t, c)) = dependents.first().filter(|_| !cascade) {
            self.error(
                ctx,
                Code::UnknownObject,
                format!("cannot drop {what} because constraint `{c}` on table `{t}` depends on it"),
                help,
            );
            return false;
        }
        for (t, c) in dependents {
            touch!(self.tables, &t);
            if let Some(t) = self.schema.tables.get_mut(&t) {
                t.constraints.remove(&c);
            }
        }
        true
    }

    /// Foreign keys (table, constraint) that reference `table` (and `column`, if given).
    pub(super) fn referencing_fks(
        &self,
        table: &QualifiedName,
        column: Option<&str>,
    ) -> Vec<(QualifiedName, String)> {
        self.foreign_keys_to(table)
            .into_iter()
            .filter(|(fk, t, _)| {
                column.is_none_or(|col| fk.ref_columns.iter().any(|r| r == col))
                    && !(**t == *table && column.is_none())
            })
            .map(|(_, t, c)| (t.clone(), c.to_string()))
            .collect()
    }

    /// Every foreign key that references `table`: (the key, its table, its name), in the
    /// order of table and constraint names.
    pub(super) fn foreign_keys_to(
        &self,
        table: &QualifiedName,
    ) -> Vec<(&ForeignKey, &QualifiedName, &str)> {
        let keys: Vec<(QualifiedName, String)> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.referrers
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        let found: Vec<(&ForeignKey, &QualifiedName, &str)> = keys
            .iter()
            .filter_map(|(t, c)| {
                let (name, table) = self.schema.tables.get_key_value(t)?;
                let (cname, constraint) = table.constraints.get_key_value(c)?;
                match &constraint.kind {
                    ConstraintKind::ForeignKey(fk) => Some((fk, name, cname.as_str())),
                    _ => None,
                }
            })
            .collect();
        debug_assert_eq!(
            found,
            self.schema
                .tables
                .iter()
                .flat_map(
                    |(name, t)| t.constraints.iter().filter_map(move |(cname, c)| {
                        match &c.kind {
                            ConstraintKind::ForeignKey(fk) if fk.ref_table == *table => {
                                Some((fk, name, cname.as_str()))
                            }
                            _ => None,
                        }
                    })
                )
                .collect::<Vec<_>>(),
            "the reverse index of foreign keys is stale"
        );
        found
    }

    /// The names of the indexes on `table`, in name order.
    pub(super) fn indexes_on(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        let found: Vec<QualifiedName> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.indexes_on
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        debug_assert_eq!(
            found,
            self.schema
                .indexes
                .values()
                .filter(|i| i.table == *table)
                .map(|i| i.name.clone())
                .collect::<Vec<_>>(),
            "the reverse index of indexes is stale"
        );
        found
    }

    /// The keys of the triggers on `table`, in name order.
    pub(super) fn triggers_on(&self, table: &QualifiedName) -> Vec<(QualifiedName, String)> {
        self.schema
            .triggers
            .range((table.clone(), String::new())..)
            .map(|(k, _)| k)
            .take_while(|(t, _)| t == table)
            .cloned()
            .collect()
    }

    pub(super) fn drop_constraint(
        &mut self,
        ctx: &Ctx,
        table_name: &QualifiedName,
        cname: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        let Some(constraint) = table.constraints.get(cname) else {
            self.missing(
                ctx,
                if_exists,
                format!("constraint `{cname}` of table `{table_name}`"),
            );
            return;
        };
        // Dropping a key that foreign keys rely on needs CASCADE.
        let key_columns = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                Some(columns.clone())
            }
            _ => None,
        };
        if let Some(cols) = key_columns {
            let dependents: Vec<(QualifiedName, String)> = self
                .foreign_keys_to(table_name)
                .into_iter()
                .filter(|(fk, _, _)| fk.ref_columns == cols)
                .map(|(_, t, c)| (t.clone(), c.to_string()))
                .collect();
            if !self.drop_dependent_fks(
                ctx,
                &format!("constraint `{cname}` on table `{table_name}`"),
                dependents,
                cascade,
                "add CASCADE to drop the dependent foreign keys too, or drop them first",
            ) {
                return;
            }
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.constraints.remove(cname);
        }
    }
}
