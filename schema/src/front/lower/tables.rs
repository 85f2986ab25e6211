//! Tables and columns: CREATE TABLE, ALTER TABLE and its column actions, renames.

use super::*;

impl Folder {
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
                    "use a type Postgres has, or create the type first",
                );
                None
            }
        }
    }

    pub(super) fn normalize_type(&self, ty: &ast::DataType) -> Result<Normalized, String> {
        // An unqualified type resolves through the search path.
        let resolve = |name: &ast::ObjectName| {
            self.catalog
                .resolve_type(self.qname(name), name.0.len() > 1)
        };
        types::normalize(ty, &resolve)
    }

    /// Builds a column and the constraints written on it.
    pub(super) fn column(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        def: &ast::ColumnDef,
    ) -> Option<(Column, Vec<NewConstraint>)> {
        let name = ident(&def.name);
        let loc = self.loc_of(ctx, def.name.span);
        // Only a diagnostic says it: written when one is.
        let what = || format!("table `{table}`: column `{name}`");
        let (data_type, serial) = match self.normalize_type(&def.data_type) {
            Ok(Normalized::Type(t)) => (t, None),
            Ok(Normalized::Serial(s)) => (s.integer_type(), Some(s)),
            Err(msg) => {
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Unsupported,
                    loc,
                    format!("{}: {msg}", what()),
                    "use a type Postgres has, or create the type first",
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
                self.catalog
                    .relation_taken(&QualifiedName::new(table.schema.clone(), n))
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
                ast::ColumnOption::Default(e) => {
                    let (e, collation) = uncollated(e);
                    column.default = default_text(e);
                    if collation.is_some() {
                        column.collation = collation;
                    }
                }
                ast::ColumnOption::Collation(c) => column.collation = Some(self.qname(c).name),
                ast::ColumnOption::Comment(c) => column.comment = Some(c.clone()),
                ast::ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(e) => column.generated = Some(crate::front::expr::canonical(e)),
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
                    let (deferrable, initially_deferred) = characteristics(&pk.characteristics);
                    pending.push(NewConstraint {
                        name: cname.or_else(|| pk.name.as_ref().map(ident)),
                        kind: ConstraintKind::PrimaryKey {
                            columns: vec![name.clone()],
                            include: Vec::new(),
                        },
                        deferrable,
                        initially_deferred,
                        loc: loc.clone(),
                    });
                }
                ast::ColumnOption::Unique(u) => {
                    let (deferrable, initially_deferred) = characteristics(&u.characteristics);
                    pending.push(NewConstraint {
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
                ast::ColumnOption::Check(c) => pending.push(NewConstraint {
                    name: cname.or_else(|| c.name.as_ref().map(ident)),
                    kind: ConstraintKind::Check {
                        expr: crate::front::expr::canonical(&c.expr),
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
                        format!("{}: column option `{other}` is not modelled", what()),
                        "remove the option or write it as a separate statement",
                    );
                }
            }
        }
        Some((column, pending))
    }

    pub(super) fn create_table(&mut self, ctx: &Ctx, ct: ast::CreateTable) {
        let name = self.qname(&ct.name);
        if ct.temporary {
            self.catalog
                .outside
                .insert(name.clone(), Outside::Temporary);
            let reason = "opaque to the offline model: temporary table".to_string();
            self.note_opaque(
                ctx,
                &reason,
                "temporary tables vanish with their session; they are not part of the schema",
            );
            return;
        }
        if self.catalog.relation_taken(&name) {
            let r = Err(RuleError::Exists(Object::Relation(name)));
            self.rule_if::<()>(ctx, r, false, ct.if_not_exists);
            return;
        }
        if let Some(parent) = &ct.partition_of {
            let parent = self.qname(parent);
            if !self.catalog.schema.tables.contains_key(&parent)
                && !self.catalog.outside.contains_key(&parent)
            {
                let r = Err(RuleError::Missing(Object::Table(parent)));
                self.rule::<()>(ctx, r);
                return;
            }
            let kind = Outside::PartitionOf(parent);
            let reason = format!(
                "opaque to the offline model: partition of `{}`",
                match &kind {
                    Outside::PartitionOf(p) => p.to_string(),
                    Outside::Temporary => String::new(),
                }
            );
            self.note_opaque(ctx, &reason, kind.help());
            self.catalog.outside.insert(name, kind);
            return;
        }
        if let Some(query) = ct.query.as_deref().filter(|_| ct.columns.is_empty()) {
            self.create_table_as(ctx, &name, query, &ct);
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
        let r = self.catalog.add_table(table);
        if self.rule_if(ctx, r, false, ct.if_not_exists).is_none() {
            return;
        }
        for c in &ct.constraints {
            if let Some(p) = self.table_constraint(ctx, &name, c) {
                pending.push(p);
            }
        }
        let mut pending = merge_redundant_keys(pending);
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

    /// `CREATE TABLE name AS query`: the columns are the query's, with their types and
    /// collations, all nullable, without defaults or constraints. The model takes them
    /// from a query over one table whose select list is `*` or that table's columns;
    /// any other query is refused with why, since the types are Postgres's to infer.
    fn create_table_as(
        &mut self,
        ctx: &Ctx,
        name: &QualifiedName,
        query: &ast::Query,
        ct: &ast::CreateTable,
    ) {
        let columns = match self.query_columns(query) {
            Ok(columns) => columns,
            Err(why) => {
                self.error(
                    ctx,
                    Code::Unsupported,
                    format!("table `{name}`: the columns of CREATE TABLE … AS cannot be taken from this query: {why}"),
                    "write the table with CREATE TABLE and fill it with INSERT … SELECT, or select the columns of one table",
                );
                return;
            }
        };
        let table = Table {
            name: name.clone(),
            columns,
            constraints: Default::default(),
            comment: None,
            loc: self.loc_of(ctx, ct.name.span()).with_len(ctx.loc.len),
        };
        let r = self.catalog.add_table(table);
        self.rule_if(ctx, r, false, ct.if_not_exists);
    }

    /// The columns a query over one table yields: `*`, `t.*` and plain column references
    /// (renamed by an alias).
    fn query_columns(&self, query: &ast::Query) -> Result<Vec<Column>, String> {
        let ast::SetExpr::Select(select) = query.body.as_ref() else {
            return Err("it is not a plain SELECT".into());
        };
        let [from] = select.from.as_slice() else {
            return Err("it does not read exactly one table".into());
        };
        if !from.joins.is_empty() {
            return Err("it joins tables".into());
        }
        let ast::TableFactor::Table { name: source, .. } = &from.relation else {
            return Err("it does not read a table".into());
        };
        let source = self.qname(source);
        let Some(table) = self.catalog.schema.tables.get(&source) else {
            return Err(format!("table `{source}` is not in the model"));
        };
        let copy = |c: &Column, name: String| Column {
            name,
            data_type: c.data_type.clone(),
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: c.collation.clone(),
            comment: None,
            loc: c.loc.clone(),
        };
        let mut out = Vec::new();
        for item in &select.projection {
            let (expr, alias) = match item {
                ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                    out.extend(table.columns.iter().map(|c| copy(c, c.name.clone())));
                    continue;
                }
                ast::SelectItem::UnnamedExpr(e) => (e, None),
                ast::SelectItem::ExprWithAlias { expr, alias } => (expr, Some(ident(alias))),
                _ => return Err(format!("`{item}` is not a column")),
            };
            let column = match strip_nested(expr) {
                ast::Expr::Identifier(i) => ident(i),
                ast::Expr::CompoundIdentifier(parts) => parts.last().map(ident).unwrap_or_default(),
                other => return Err(format!("the type of `{other}` is Postgres's to infer")),
            };
            let Some(c) = table.column(&column) else {
                return Err(format!("table `{source}` has no column `{column}`"));
            };
            out.push(copy(c, alias.unwrap_or(column)));
        }
        Ok(out)
    }

    pub(super) fn alter_table(&mut self, ctx: &Ctx, at: ast::AlterTable) -> Option<String> {
        let mut name = self.qname(&at.name);
        if !self.catalog.schema.tables.contains_key(&name) {
            let r = Err(RuleError::Missing(Object::Table(name)));
            self.rule_if::<()>(ctx, r, at.if_exists, false);
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
                    let r = self.catalog.add_column(&name, column);
                    if self.rule_if(ctx, r, false, *if_not_exists).is_some() {
                        for p in cons {
                            self.add_constraint(ctx, &name, p);
                        }
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
                        let r = self.catalog.drop_column(
                            &name,
                            &ident(col),
                            Behavior::cascade_if(cascade),
                        );
                        self.rule_if(ctx, r, *if_exists, false);
                    }
                }
                Op::AddConstraint { constraint, .. }
                    if matches!(
                        constraint,
                        ast::TableConstraint::PrimaryKeyUsingIndex(_)
                            | ast::TableConstraint::UniqueUsingIndex(_)
                    ) =>
                {
                    self.add_constraint_using_index(ctx, &name, constraint);
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
                    let r = self.catalog.drop_constraint(
                        &name,
                        &ident(cname),
                        Behavior::cascade_if(cascade),
                    );
                    self.rule_if(ctx, r, *if_exists, false);
                }
                Op::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    let r = self.catalog.rename_column(
                        &name,
                        &ident(old_column_name),
                        &ident(new_column_name),
                    );
                    self.rule(ctx, r);
                }
                Op::RenameTable { table_name } => {
                    let (ast::RenameTableNameKind::As(new) | ast::RenameTableNameKind::To(new)) =
                        table_name;
                    let new = QualifiedName::new(name.schema.clone(), self.qname(new).name);
                    let r = self.catalog.rename_table(&name, &new);
                    if self.rule(ctx, r).is_some() {
                        name = new;
                    }
                }
                Op::RenameConstraint { old_name, new_name } => {
                    let r =
                        self.catalog
                            .rename_constraint(&name, &ident(old_name), &ident(new_name));
                    self.rule(ctx, r);
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
        use ast::AlterColumnOperation as A;
        let change = match op {
            A::SetNotNull => ColumnChange::SetNotNull,
            A::DropNotNull => ColumnChange::DropNotNull,
            A::SetDefault { value } => ColumnChange::Default(default_text(value)),
            A::DropDefault => ColumnChange::Default(None),
            A::SetDataType { data_type, .. } => {
                let what = format!("table `{table}`: column `{column}`");
                match self.column_type(ctx, data_type, &what) {
                    Some(t) => ColumnChange::Type(t),
                    None => return,
                }
            }
            A::AddGenerated { generated_as, .. } => ColumnChange::Identity(match generated_as {
                Some(ast::GeneratedAs::ByDefault) => Identity::ByDefault,
                _ => Identity::Always,
            }),
        };
        let r = self.catalog.alter_column(table, column, change);
        self.rule(ctx, r);
    }
}

/// Postgres's `transformIndexConstraints`: of the primary key and unique constraints a
/// CREATE TABLE defines, one index serves those with the same columns (in order), INCLUDE
/// columns and deferrability. The primary key is kept in preference; an unnamed one takes
/// the name of a named duplicate (`UNIQUE (a, b)` named `u` and an unnamed `PRIMARY KEY
/// (a, b)` make one primary key named `u`).
fn merge_redundant_keys(pending: Vec<NewConstraint>) -> Vec<NewConstraint> {
    /// Columns, INCLUDE columns, NULLS NOT DISTINCT, DEFERRABLE, INITIALLY DEFERRED.
    type IndexSpec<'a> = (&'a [String], &'a [String], bool, bool, bool);
    fn key(c: &NewConstraint) -> Option<IndexSpec<'_>> {
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } => {
                Some((columns, include, false, c.deferrable, c.initially_deferred))
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => Some((
                columns,
                include,
                *nulls_not_distinct,
                c.deferrable,
                c.initially_deferred,
            )),
            _ => None,
        }
    }
    let (mut keys, others): (Vec<NewConstraint>, Vec<NewConstraint>) =
        pending.into_iter().partition(|c| key(c).is_some());
    // The primary key first, then the others in the order written.
    if let Some(i) = keys
        .iter()
        .position(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
    {
        let pk = keys.remove(i);
        keys.insert(0, pk);
    }
    let mut kept: Vec<NewConstraint> = Vec::with_capacity(keys.len());
    for c in keys {
        let is_pk = matches!(c.kind, ConstraintKind::PrimaryKey { .. });
        match kept.iter_mut().find(|k| !is_pk && key(k) == key(&c)) {
            Some(prior) => {
                if prior.name.is_none() {
                    prior.name = c.name;
                }
            }
            None => kept.push(c),
        }
    }
    kept.extend(others);
    kept
}
