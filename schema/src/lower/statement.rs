//! Statements: what each kind of statement does to the model (the dispatch).

use super::*;

impl Folder {
    // ----- statements --------------------------------------------------------------

    pub(super) fn apply_statement(&mut self, ctx: &Ctx, stmt: ast::Statement) -> Option<String> {
        use ast::Statement as S;
        let only_adds = match &stmt {
            S::CreateTable(_) | S::CreateIndex(_) => true,
            S::AlterTable(at) => at.operations.iter().all(|op| {
                matches!(
                    op,
                    ast::AlterTableOperation::AddColumn { .. }
                        | ast::AlterTableOperation::AddConstraint { .. }
                )
            }),
            _ => false,
        };
        if !only_adds {
            *self.names.get_mut() = None;
        }
        match stmt {
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
                touch!(self.indexes, &old);
                touch!(self.indexes, &new);
                if self.relation_taken(&new) {
                    self.exists(ctx, false, format!("relation `{new}`"));
                } else if let Some(mut index) = self.schema.indexes.remove(&old) {
                    index.name = new.clone();
                    self.schema.indexes.insert(new, index);
                } else {
                    self.missing(ctx, false, format!("index `{old}`"));
                }
            }
            S::Comment {
                object_type,
                object_name,
                comment,
                if_exists,
            } => return self.comment(ctx, object_type, &object_name, comment, if_exists),
            S::CreateExtension(ce) => {
                let name = ident(&ce.name);
                if self.schema.extensions.contains_key(&name) {
                    self.exists(ctx, ce.if_not_exists, format!("extension `{name}`"));
                } else {
                    touch!(self.extensions, &name);
                    self.schema.extensions.insert(
                        name.clone(),
                        Extension {
                            name,
                            schema: ce.schema.as_ref().map(ident),
                            version: ce.version.as_ref().map(|v| v.value.clone()),
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::DropExtension(de) => {
                for name in &de.names {
                    let name = ident(name);
                    touch!(self.extensions, &name);
                    if self.schema.extensions.remove(&name).is_none() {
                        self.missing(ctx, de.if_exists, format!("extension `{name}`"));
                    }
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
                if self.schema.schemas.contains_key(&name) || name == "public" {
                    self.exists(ctx, if_not_exists, format!("schema `{name}`"));
                } else {
                    touch!(self.schemas, &name);
                    self.schema.schemas.insert(
                        name.clone(),
                        Namespace {
                            name,
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateSequence {
                if_not_exists,
                name,
                data_type,
                owned_by,
                ..
            } => {
                let name = self.qname(&name);
                if self.relation_taken(&name) {
                    self.exists(ctx, if_not_exists, format!("relation `{name}`"));
                } else {
                    let data_type = data_type.and_then(|t| self.column_type(ctx, &t, "sequence"));
                    let owned_by = owned_by.and_then(|o| {
                        let mut parts = o.0.clone();
                        let column = parts.pop()?.as_ident().map(ident)?;
                        Some((self.qname(&ast::ObjectName(parts)), column))
                    });
                    touch!(self.sequences, &name);
                    self.schema.sequences.insert(
                        name.clone(),
                        Sequence {
                            name,
                            data_type,
                            owned_by,
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateDomain(cd) => self.create_domain(ctx, cd),
            S::DropDomain(dd) => {
                let name = self.qname(&dd.name);
                let cascade = matches!(dd.drop_behavior, Some(ast::DropBehavior::Cascade));
                self.drop_type(ctx, &name, dd.if_exists, cascade);
            }
            S::CreateView(cv) => {
                let name = self.qname(&cv.name);
                let exists = self.schema.views.contains_key(&name);
                if exists && !cv.or_replace {
                    self.exists(ctx, cv.if_not_exists, format!("view `{name}`"));
                } else if self.schema.tables.contains_key(&name) {
                    self.exists(ctx, false, format!("relation `{name}`"));
                } else {
                    touch!(self.views, &name);
                    self.schema.views.insert(
                        name.clone(),
                        View {
                            name,
                            materialized: cv.materialized,
                            definition: cv.query.to_string(),
                            comment: None,
                            depends_on: reads::reads(&*cv.query),
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateFunction(cf) => self.create_function(ctx, cf),
            S::DropFunction(df) => {
                for desc in &df.func_desc {
                    let name = self.qname(&desc.name);
                    let before = self.schema.functions.len();
                    match &desc.args {
                        Some(args) => {
                            let key = FunctionKey {
                                name: name.clone(),
                                args: self.arg_types(ctx, args),
                            };
                            touch!(self.functions, &key);
                            self.schema.functions.remove(&key);
                        }
                        None => {
                            touch_where!(self.functions, |k, _| k.name == name);
                            self.schema.functions.retain(|k, _| k.name != name);
                        }
                    }
                    if self.schema.functions.len() == before {
                        self.missing(ctx, df.if_exists, format!("function `{name}`"));
                        continue;
                    }
                    // Triggers that call a function no longer there depend on it.
                    if !self.schema.functions.keys().any(|k| k.name == name) {
                        let users: Vec<_> = self
                            .schema
                            .triggers
                            .iter()
                            .filter(|(_, t)| t.function == name)
                            .map(|(k, _)| k.clone())
                            .collect();
                        let cascade = matches!(df.drop_behavior, Some(ast::DropBehavior::Cascade));
                        if let Some((table, trigger)) = users.first().filter(|_| !cascade) {
                            self.error(ctx, Code::UnknownObject, format!("cannot drop function `{name}` because trigger `{trigger}` on table `{table}` depends on it"), "add CASCADE to drop the triggers too, or drop them first");
                        }
                        for key in users {
                            touch!(self.triggers, &key);
                            self.schema.triggers.remove(&key);
                        }
                    }
                }
            }
            S::CreateTrigger(ct) => self.create_trigger(ctx, ct),
            S::DropTrigger(dt) => {
                let name = self.qname(&dt.trigger_name).name;
                match dt.table_name.as_ref().map(|t| self.qname(t)) {
                    Some(table) => {
                        touch!(self.triggers, &(table.clone(), name.clone()));
                        if self
                            .schema
                            .triggers
                            .remove(&(table.clone(), name.clone()))
                            .is_none()
                        {
                            self.missing(
                                ctx,
                                dt.if_exists,
                                format!("trigger `{name}` on table `{table}`"),
                            );
                        }
                    }
                    None => self.missing(ctx, dt.if_exists, format!("trigger `{name}`")),
                }
            }
            S::StartTransaction { .. } | S::Commit { .. } | S::Rollback { .. } => {
                let reason = "opaque to the offline model: transaction control".to_string();
                self.note_opaque(ctx, &reason, "the migration runner manages transactions itself; mark the migration no-transaction instead if it must control them");
                return Some(reason);
            }
            other => {
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
}
