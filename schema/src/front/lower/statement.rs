//! Statements: what each kind of statement does to the model (the dispatch).

use super::*;

impl Folder {
    // ----- statements --------------------------------------------------------------

    /// Applies one statement. It comes boxed as it was read, so that only the variant's
    /// own fields are moved out of it, not the whole (large) `Statement`.
    pub(super) fn apply_statement(
        &mut self,
        ctx: &Ctx,
        stmt: Box<ast::Statement>,
    ) -> Option<String> {
        use ast::Statement as S;
        if let Some(reason) = self.on_outside_table(ctx, &stmt) {
            return Some(reason);
        }
        match *stmt {
            S::CreateTable(ct) => self.create_table(ctx, ct),
            S::AlterTable(at) => return self.alter_table(ctx, at),
            S::CreateIndex(ci) => self.create_index(ctx, ci),
            S::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => return self.drop(ctx, object_type, if_exists, &names, cascade),
            S::CreateType {
                name,
                representation,
            } => return self.create_type(ctx, &name, representation),
            S::AlterType(at) => self.alter_type(ctx, at),
            S::AlterIndex {
                name,
                operation: ast::AlterIndexOperation::RenameIndex { index_name },
            } => {
                let old = self.qname(&name);
                let new = QualifiedName::new(old.schema.clone(), self.qname(&index_name).name);
                let r = self.catalog.rename_index(&old, &new);
                self.rule(ctx, r);
            }
            S::Comment {
                object_type,
                object_name,
                comment,
                if_exists,
            } => return self.comment(ctx, object_type, &object_name, comment, if_exists),
            S::CreateExtension(ce) => {
                let name = ident(&ce.name);
                let r = self.catalog.add_extension(Extension {
                    name,
                    schema: ce.schema.as_ref().map(ident),
                    version: ce.version.as_ref().map(|v| v.value.clone()),
                    loc: ctx.loc.clone(),
                });
                self.rule_if(ctx, r, false, ce.if_not_exists);
            }
            S::DropExtension(de) => {
                for name in &de.names {
                    let r = self.catalog.drop_extension(&ident(name));
                    self.rule_if(ctx, r, de.if_exists, false);
                }
            }
            S::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => {
                let name = match &schema_name {
                    ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                        self.qname(n).name
                    }
                    ast::SchemaName::UnnamedAuthorization(i) => ident(i),
                };
                let r = self.catalog.add_schema(Namespace {
                    name,
                    loc: ctx.loc.clone(),
                });
                self.rule_if(ctx, r, false, if_not_exists);
            }
            S::CreateSequence {
                if_not_exists,
                name,
                data_type,
                owned_by,
                ..
            } => {
                let name = self.qname(&name);
                let data_type = data_type.and_then(|t| self.column_type(ctx, &t, "sequence"));
                let owned_by = owned_by.and_then(|o| {
                    let mut parts = o.0.clone();
                    let column = parts.pop()?.as_ident().map(ident)?;
                    Some((self.qname(&ast::ObjectName(parts)), column))
                });
                let r = self.catalog.add_sequence(Sequence {
                    name,
                    data_type,
                    owned_by,
                    loc: ctx.loc.clone(),
                });
                self.rule_if(ctx, r, false, if_not_exists);
            }
            S::CreateDomain(cd) => self.create_domain(ctx, cd),
            S::DropDomain(dd) => {
                let name = self.qname(&dd.name);
                let cascade = matches!(dd.drop_behavior, Some(ast::DropBehavior::Cascade));
                let r = self.catalog.drop_type(&name, Behavior::cascade_if(cascade));
                self.rule_if(ctx, r, dd.if_exists, false);
            }
            S::CreateView(cv) => {
                let view = View {
                    name: self.qname(&cv.name),
                    materialized: cv.materialized,
                    definition: cv.query.to_string(),
                    comment: None,
                    depends_on: reads::reads(&*cv.query),
                    loc: ctx.loc.clone(),
                };
                let r = self.catalog.add_view(view, cv.or_replace);
                self.rule_if(ctx, r, false, cv.if_not_exists);
            }
            S::CreateFunction(cf) => self.create_function(ctx, cf),
            S::DropFunction(df) => {
                let behavior = Behavior::cascade_if(matches!(
                    df.drop_behavior,
                    Some(ast::DropBehavior::Cascade)
                ));
                for desc in &df.func_desc {
                    let name = self.qname(&desc.name);
                    let args = desc.args.as_ref().map(|args| self.arg_types(ctx, args));
                    let r = self.catalog.drop_functions(&name, args, behavior);
                    self.rule_if(ctx, r, df.if_exists, false);
                }
            }
            S::AlterFunction(ast::AlterFunction {
                kind: ast::AlterFunctionKind::Function,
                function,
                operation: ast::AlterFunctionOperation::RenameTo { new_name },
                ..
            }) => {
                let name = self.qname(&function.name);
                let args = function.args.as_ref().map(|a| self.arg_types(ctx, a));
                let r = self.catalog.rename_function(&name, args, &ident(&new_name));
                self.rule(ctx, r);
            }
            S::CreateTrigger(ct) => self.create_trigger(ctx, ct),
            S::DropTrigger(dt) => {
                let name = self.qname(&dt.trigger_name).name;
                let r = match dt.table_name.as_ref().map(|t| self.qname(t)) {
                    Some(table) => self.catalog.drop_trigger(&table, &name),
                    None => Err(RuleError::Missing(Object::TriggerNamed(name))),
                };
                self.rule_if(ctx, r, dt.if_exists, false);
            }
            S::StartTransaction { .. } | S::Commit { .. } | S::Rollback { .. } => {
                let reason = "opaque to the offline model: transaction control".to_string();
                self.note_opaque(ctx, &reason, "the migration runner manages transactions itself; mark the migration no-transaction instead if it must control them");
                return Some(reason);
            }
            ref other => {
                let kind = statement_kind(ctx.text);
                let reason = format!("opaque to the offline model: {kind}");
                let help = if matches!(
                    other,
                    S::Insert(_) | S::Update(_) | S::Delete(_) | S::Query(_) | S::Copy { .. }
                ) {
                    "data statements do not change the schema model; it is kept verbatim and applied as written"
                } else {
                    "this kind of statement is not part of the schema model; it is kept verbatim and applied as written"
                };
                self.note_opaque(ctx, &reason, help);
                return Some(reason);
            }
        }
        None
    }

    /// A statement on a table outside the model (a temporary table, a partition): kept
    /// verbatim. `DROP TABLE` of such tables forgets them.
    fn on_outside_table(&mut self, ctx: &Ctx, stmt: &ast::Statement) -> Option<String> {
        use ast::Statement as S;
        if self.catalog.outside.is_empty() {
            return None;
        }
        let target = match stmt {
            S::CreateIndex(ci) => self.qname(&ci.table_name),
            S::AlterTable(at) => self.qname(&at.name),
            S::CreateTrigger(ct) => self.qname(&ct.table_name),
            S::Drop {
                object_type: ast::ObjectType::Table,
                names,
                ..
            } => {
                let names: Vec<QualifiedName> = names.iter().map(|n| self.qname(n)).collect();
                if !names.iter().all(|n| self.catalog.outside.contains_key(n)) {
                    return None;
                }
                let mut kinds = names.iter().filter_map(|n| self.catalog.outside.remove(n));
                let kind = kinds.next()?;
                return Some(self.outside_note(ctx, &kind));
            }
            _ => return None,
        };
        if self.catalog.schema.tables.contains_key(&target) {
            return None;
        }
        let kind = self.catalog.outside.get(&target)?.clone();
        Some(self.outside_note(ctx, &kind))
    }

    fn outside_note(&mut self, ctx: &Ctx, kind: &Outside) -> String {
        let reason = format!("opaque to the offline model: {}", kind.reason());
        self.note_opaque(ctx, &reason, kind.help());
        reason
    }
}
