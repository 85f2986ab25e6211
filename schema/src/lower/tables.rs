//! Tables and columns: CREATE TABLE, ALTER TABLE and its column actions, renames.

use super::*;

impl Folder {
    // ----- tables ------------------------------------------------------------------

    pub(super) fn column_type(
        &mut self,
        ctx: &Ctx,
        ty: &ast::DataType,
        what: &str,
    ) -> Option<DataType> {
        match self.normalize_type(ty) {
            Ok(Normalized::Type(t)) => Some(t),
            Ok(Normalized::Serial(s)) => Some(s.integer_type()),
            Err(msg) => {
                self.error(
                    ctx,
                    Code::Unsupported,
                    format!("{what}: {msg}"),
                    "use a PostgreSQL type",
                );
                None
            }
        }
    }

    pub(super) fn normalize_type(&self, ty: &ast::DataType) -> Result<Normalized, String> {
        let resolve = |name: &ast::ObjectName| {
            let q = self.qname(name);
            if name.0.len() > 1 {
                return q;
            }
            // An unqualified type resolves through the search path: public, then any
            // schema that holds a type of that name.
            if self.schema.enums.contains_key(&q) || self.schema.domains.contains_key(&q) {
                return q;
            }
            self.schema
                .enums
                .keys()
                .chain(self.schema.domains.keys())
                .find(|k| k.name == q.name)
                .cloned()
                .unwrap_or(q)
        };
        types::normalize(ty, &resolve)
    }

    /// Builds a column and the constraints written on it.
    pub(super) fn column(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        def: &ast::ColumnDef,
    ) -> Option<(Column, Vec<Pending>)> {
        let name = ident(&def.name);
        let loc = self.loc_of(ctx, def.name.span);
        let what = format!("table `{table}`: column `{name}`");
        let (data_type, serial) = match self.normalize_type(&def.data_type) {
            Ok(Normalized::Type(t)) => (t, None),
            Ok(Normalized::Serial(s)) => (s.integer_type(), Some(s)),
            Err(msg) => {
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Unsupported,
                    loc,
                    format!("{what}: {msg}"),
                    "use a PostgreSQL type",
                );
                return None;
            }
        };
        let mut column = Column {
            name: name.clone(),
            data_type,
            not_null: serial.is_some(),
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            loc: loc.clone(),
        };
        if serial.is_some() {
            let seq = names::choose_name(&table.name, Some(&name), "seq", |n| {
                self.relation_taken(&QualifiedName::new(table.schema.clone(), n))
            });
            let seq = QualifiedName::new(table.schema.clone(), seq);
            column.default = Some(format!(
                "nextval({}::regclass)",
                quote_literal(&seq.to_string())
            ));
        }
        let mut pending = Vec::new();
        for opt in &def.options {
            let cname = opt.name.as_ref().map(ident);
            match &opt.option {
                ast::ColumnOption::Null => column.not_null = false,
                ast::ColumnOption::NotNull => column.not_null = true,
                ast::ColumnOption::Default(e) => column.default = default_text(e),
                ast::ColumnOption::Collation(c) => column.collation = Some(self.qname(c).name),
                ast::ColumnOption::Comment(c) => column.comment = Some(c.clone()),
                ast::ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(e) => column.generated = Some(strip_nested(e).to_string()),
                    None => {
                        column.not_null = true;
                        column.identity = Some(match generated_as {
                            ast::GeneratedAs::ByDefault => Identity::ByDefault,
                            _ => Identity::Always,
                        });
                    }
                },
                ast::ColumnOption::PrimaryKey(pk) => {
                    column.not_null = true;
                    pending.push(Pending {
                        name: cname.or_else(|| pk.name.as_ref().map(ident)),
                        kind: ConstraintKind::PrimaryKey {
                            columns: vec![name.clone()],
                            include: Vec::new(),
                        },
                        deferrable: false,
                        initially_deferred: false,
                        loc: loc.clone(),
                    });
                }
                ast::ColumnOption::Unique(u) => {
                    let (deferrable, initially_deferred) = characteristics(&u.characteristics);
                    pending.push(Pending {
                        name: cname.or_else(|| u.name.as_ref().map(ident)),
                        kind: ConstraintKind::Unique {
                            columns: vec![name.clone()],
                            include: Vec::new(),
                            nulls_not_distinct: matches!(
                                u.nulls_distinct,
                                ast::NullsDistinctOption::NotDistinct
                            ),
                        },
                        deferrable,
                        initially_deferred,
                        loc: loc.clone(),
                    });
                }
                ast::ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.columns = vec![def.name.clone()];
                    if fk.name.is_none() {
                        fk.name = opt.name.clone();
                    }
                    pending.push(self.foreign_key(&fk, loc.clone()));
                }
                ast::ColumnOption::Check(c) => pending.push(Pending {
                    name: cname.or_else(|| c.name.as_ref().map(ident)),
                    kind: ConstraintKind::Check {
                        expr: strip_nested(&c.expr).to_string(),
                    },
                    deferrable: false,
                    initially_deferred: false,
                    loc: loc.clone(),
                }),
                other => {
                    self.report(
                        ctx,
                        Severity::Error,
                        Code::Unsupported,
                        loc.clone(),
                        format!(
                            "{what}: column option `{other}` is not PostgreSQL or not modelled"
                        ),
                        "remove the option or write it as a separate statement",
                    );
                }
            }
        }
        Some((column, pending))
    }

    pub(super) fn create_table(&mut self, ctx: &Ctx, ct: ast::CreateTable) {
        let name = self.qname(&ct.name);
        if self.schema.tables.contains_key(&name) || self.relation_taken(&name) {
            self.exists(ctx, ct.if_not_exists, format!("relation `{name}`"));
            return;
        }
        if ct.temporary {
            let reason = "opaque to the offline model: temporary table".to_string();
            self.note_opaque(
                ctx,
                &reason,
                "temporary tables vanish with their session; they are not part of the schema",
            );
            return;
        }
        if ct.query.is_some()
            || ct.like.is_some()
            || ct.partition_of.is_some()
            || ct.clone.is_some()
        {
            self.error(
                ctx,
                Code::Unsupported,
                format!("table `{name}`: CREATE TABLE … AS / LIKE / PARTITION OF is not modelled"),
                "write the columns out in CREATE TABLE",
            );
            return;
        }
        if ct.partition_by.is_some() || ct.inherits.is_some() {
            let loc = ctx.loc.clone();
            self.report(ctx, Severity::Warning, Code::Unsupported, loc, format!("table `{name}`: partitioning and inheritance are not modelled; the table is modelled as a plain table"), "partitions and child tables are applied as written when migrations run, but not compared offline");
        }
        if !self.schema_exists(&name.schema) {
            self.missing(ctx, false, format!("schema `{}`", name.schema));
        }
        let mut table = Table {
            name: name.clone(),
            columns: Vec::with_capacity(ct.columns.len()),
            constraints: Default::default(),
            comment: ct.comment.as_ref().map(|c| match c {
                ast::CommentDef::WithEq(s) | ast::CommentDef::WithoutEq(s) => s.clone(),
            }),
            loc: self.loc_of(ctx, ct.name.span()).with_len(ctx.loc.len),
        };
        let mut pending = Vec::new();
        for def in &ct.columns {
            let Some((column, cons)) = self.column(ctx, &name, def) else {
                continue;
            };
            if table.column(&column.name).is_some() {
                let loc = column.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Duplicate,
                    loc,
                    format!(
                        "table `{name}`: column `{}` is specified more than once",
                        column.name
                    ),
                    "remove or rename one of them",
                );
                continue;
            }
            table.columns.push(column);
            pending.extend(cons);
        }
        let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        touch!(self.tables, &name);
        self.schema.tables.insert(name.clone(), table);
        for c in columns {
            self.note_column(&name, &c);
        }
        for c in &ct.constraints {
            if let Some(p) = self.table_constraint(ctx, &name, c) {
                pending.push(p);
            }
        }
        // Postgres names CHECK constraints when it creates the table, then the indexes
        // of primary key, unique and exclusion constraints, then foreign keys.
        pending.sort_by_key(|p| match p.kind {
            ConstraintKind::Check { .. } => 0,
            ConstraintKind::ForeignKey(_) => 2,
            _ => 1,
        });
        for p in pending {
            self.add_constraint(ctx, &name, p);
        }
    }

    pub(super) fn schema_exists(&self, schema: &str) -> bool {
        schema == "public" || schema == "pg_catalog" || self.schema.schemas.contains_key(schema)
    }

    pub(super) fn alter_table(&mut self, ctx: &Ctx, at: ast::AlterTable) -> Option<String> {
        let mut name = self.qname(&at.name);
        if !self.schema.tables.contains_key(&name) {
            self.missing(ctx, at.if_exists, format!("table `{name}`"));
            return None;
        }
        let mut opaque = None;
        for op in &at.operations {
            use ast::AlterTableOperation as Op;
            match op {
                Op::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let Some((column, cons)) = self.column(ctx, &name, column_def) else {
                        continue;
                    };
                    touch!(self.tables, &name);
                    let Some(table) = self.schema.tables.get_mut(&name) else {
                        continue;
                    };
                    if table.column(&column.name).is_some() {
                        let what = format!("table `{name}`: column `{}`", column.name);
                        self.exists(ctx, *if_not_exists, what);
                        continue;
                    }
                    let column_name = column.name.clone();
                    table.columns.push(column);
                    self.note_column(&name, &column_name);
                    for p in cons {
                        self.add_constraint(ctx, &name, p);
                    }
                }
                Op::DropColumn {
                    column_names,
                    if_exists,
                    drop_behavior,
                    ..
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    for col in column_names {
                        self.drop_column(ctx, &name, &ident(col), *if_exists, cascade);
                    }
                }
                Op::AddConstraint { constraint, .. } => {
                    if let Some(p) = self.table_constraint(ctx, &name, constraint) {
                        self.add_constraint(ctx, &name, p);
                    }
                }
                Op::DropConstraint {
                    if_exists,
                    name: cname,
                    drop_behavior,
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    self.drop_constraint(ctx, &name, &ident(cname), *if_exists, cascade);
                }
                Op::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    self.rename_column(
                        ctx,
                        &name,
                        &ident(old_column_name),
                        &ident(new_column_name),
                    );
                }
                Op::RenameTable { table_name } => {
                    let (ast::RenameTableNameKind::As(new) | ast::RenameTableNameKind::To(new)) =
                        table_name;
                    let new = QualifiedName::new(name.schema.clone(), self.qname(new).name);
                    if self.relation_taken(&new) {
                        self.exists(ctx, false, format!("relation `{new}`"));
                        continue;
                    }
                    self.rename_table(&name, &new);
                    name = new;
                }
                Op::RenameConstraint { old_name, new_name } => {
                    let (old, new) = (ident(old_name), ident(new_name));
                    touch!(self.tables, &name);
                    let Some(table) = self.schema.tables.get_mut(&name) else {
                        continue;
                    };
                    match table.constraints.remove(&old) {
                        Some(mut c) => {
                            c.name = new.clone();
                            table.constraints.insert(new, c);
                        }
                        None => self.missing(
                            ctx,
                            false,
                            format!("constraint `{old}` of table `{name}`"),
                        ),
                    }
                }
                Op::AlterColumn { column_name, op } => {
                    self.alter_column(ctx, &name, &ident(column_name), op)
                }
                other => {
                    let reason = format!(
                        "opaque to the offline model: ALTER TABLE … {}",
                        first_words(&other.to_string(), 4)
                    );
                    self.note_opaque(ctx, &reason, "this part of ALTER TABLE does not change the schema model; it is kept verbatim and applied as written");
                    opaque = Some(reason);
                }
            }
        }
        opaque
    }

    pub(super) fn alter_column(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        column: &str,
        op: &ast::AlterColumnOperation,
    ) {
        let ty = match op {
            ast::AlterColumnOperation::SetDataType { data_type, .. } => Some(self.column_type(
                ctx,
                data_type,
                &format!("table `{table}`: column `{column}`"),
            )),
            _ => None,
        };
        touch!(self.tables, table);
        let Some(col) = self
            .schema
            .tables
            .get_mut(table)
            .and_then(|t| t.column_mut(column))
        else {
            self.missing(ctx, false, format!("column `{column}` of table `{table}`"));
            return;
        };
        match op {
            ast::AlterColumnOperation::SetNotNull => col.not_null = true,
            ast::AlterColumnOperation::DropNotNull => col.not_null = false,
            ast::AlterColumnOperation::SetDefault { value } => col.default = default_text(value),
            ast::AlterColumnOperation::DropDefault => col.default = None,
            ast::AlterColumnOperation::SetDataType { .. } => {
                if let Some(Some(t)) = ty {
                    col.data_type = t;
                }
            }
            ast::AlterColumnOperation::AddGenerated { generated_as, .. } => {
                col.not_null = true;
                col.identity = Some(match generated_as {
                    Some(ast::GeneratedAs::ByDefault) => Identity::ByDefault,
                    _ => Identity::Always,
                });
            }
        }
    }

    pub(super) fn drop_column(
        &mut self,
        ctx: &Ctx,
        table_name: &QualifiedName,
        column: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        if table.column(column).is_none() {
            self.missing(
                ctx,
                if_exists,
                format!("column `{column}` of table `{table_name}`"),
            );
            return;
        }
        // Foreign keys of other tables that reference this column need CASCADE.
        let dependents: Vec<(QualifiedName, String)> =
            self.referencing_fks(table_name, Some(column));
        if !self.drop_dependent_fks(
            ctx,
            &format!("column `{column}` of table `{table_name}`"),
            dependents,
            cascade,
            "add CASCADE to drop the dependent constraints too, or drop them first",
        ) {
            return;
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.columns.retain(|c| c.name != column);
            // Constraints and indexes that involve the column go with it.
            t.constraints.retain(|_, c| !constraint_mentions(c, column));
        }
        for i in self.indexes_on(table_name) {
            if self
                .schema
                .indexes
                .get(&i)
                .is_some_and(|index| index_mentions(index, column))
            {
                touch!(self.indexes, &i);
                self.schema.indexes.remove(&i);
            }
        }
    }

    pub(super) fn rename_column(
        &mut self,
        ctx: &Ctx,
        table_name: &QualifiedName,
        old: &str,
        new: &str,
    ) {
        touch!(self.tables, table_name);
        let Some(table) = self.schema.tables.get_mut(table_name) else {
            return;
        };
        if table.column(new).is_some() {
            self.exists(
                ctx,
                false,
                format!("column `{new}` of table `{table_name}`"),
            );
            return;
        }
        let Some(col) = table.column_mut(old) else {
            self.missing(
                ctx,
                false,
                format!("column `{old}` of table `{table_name}`"),
            );
            return;
        };
        col.name = new.to_string();
        let rename = |v: &mut Vec<String>| {
            v.iter_mut()
                .filter(|c| *c == old)
                .for_each(|c| *c = new.to_string())
        };
        for c in table.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    rename(columns);
                    rename(include);
                }
                ConstraintKind::ForeignKey(fk) => rename(&mut fk.columns),
                ConstraintKind::Check { expr } => *expr = rename_in_expr(expr, old, new),
                ConstraintKind::Exclusion {
                    elements,
                    include,
                    predicate,
                    ..
                } => {
                    rename(include);
                    for e in elements.iter_mut() {
                        *e = rename_in_expr(e, old, new);
                    }
                    if let Some(p) = predicate {
                        *p = rename_in_expr(p, old, new);
                    }
                }
            }
        }
        for c in &mut table.columns {
            if let Some(g) = &mut c.generated {
                *g = rename_in_expr(g, old, new);
            }
        }
        let referrers: BTreeSet<QualifiedName> = self
            .foreign_keys_to(table_name)
            .into_iter()
            .map(|(_, t, _)| t.clone())
            .collect();
        for t in &referrers {
            touch!(self.tables, t);
            let Some(t) = self.schema.tables.get_mut(t) else {
                continue;
            };
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    if fk.ref_table == *table_name {
                        rename(&mut fk.ref_columns);
                    }
                }
            }
        }
        let indexes = self.indexes_on(table_name);
        for i in &indexes {
            touch!(self.indexes, i);
        }
        for i in &indexes {
            let Some(i) = self.schema.indexes.get_mut(i) else {
                continue;
            };
            for k in &mut i.keys {
                match &mut k.expr {
                    KeyExpr::Column(c) if c == old => *c = new.to_string(),
                    KeyExpr::Expression(e) => *e = rename_in_expr(e, old, new),
                    KeyExpr::Column(_) => {}
                }
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_in_expr(p, old, new);
            }
            rename(&mut i.include);
        }
    }

    pub(super) fn rename_table(&mut self, old: &QualifiedName, new: &QualifiedName) {
        if !self.schema.tables.contains_key(old) {
            return;
        }
        let referrers: BTreeSet<QualifiedName> = self
            .foreign_keys_to(old)
            .into_iter()
            .map(|(_, t, _)| t.clone())
            .collect();
        let indexes = self.indexes_on(old);
        let triggers = self.triggers_on(old);
        touch!(self.tables, old);
        touch!(self.tables, new);
        let Some(mut table) = self.schema.tables.remove(old) else {
            return;
        };
        table.name = new.clone();
        self.schema.tables.insert(new.clone(), table);
        for t in &referrers {
            // The renamed table itself, if it references itself, is now under `new`.
            let t = if t == old { new } else { t };
            touch!(self.tables, t);
            let Some(t) = self.schema.tables.get_mut(t) else {
                continue;
            };
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    if fk.ref_table == *old {
                        fk.ref_table = new.clone();
                    }
                }
            }
        }
        for i in &indexes {
            touch!(self.indexes, i);
            if let Some(i) = self.schema.indexes.get_mut(i) {
                i.table = new.clone();
            }
        }
        for key in triggers {
            touch!(self.triggers, &key);
            touch!(self.triggers, &(new.clone(), key.1.clone()));
            if let Some(mut trig) = self.schema.triggers.remove(&key) {
                trig.table = new.clone();
                self.schema.triggers.insert((new.clone(), key.1), trig);
            }
        }
    }
}
