//! DROP of tables, views, indexes, sequences, types and schemas, with what depends on them.

use super::*;

impl Folder {
    // ----- drops -------------------------------------------------------------------

    pub(super) fn drop(
        &mut self,
        ctx: &Ctx,
        object_type: ast::ObjectType,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
    ) -> Option<String> {
        for n in names {
            let name = self.qname(n);
            touch!(self.views, &name);
            touch!(self.indexes, &name);
            touch!(self.sequences, &name);
            match object_type {
                ast::ObjectType::Table => self.drop_table(ctx, &name, if_exists, cascade),
                ast::ObjectType::View | ast::ObjectType::MaterializedView => {
                    if !self.schema.views.contains_key(&name) {
                        self.missing(ctx, if_exists, format!("view `{name}`"));
                    } else if self.drop_views_reading(ctx, &name, "view", cascade) {
                        self.schema.views.remove(&name);
                    }
                }
                ast::ObjectType::Index => {
                    if self.schema.indexes.remove(&name).is_none() {
                        let backs_constraint = self.schema.tables.values().any(|t| {
                            t.name.schema == name.schema && t.constraints.contains_key(&name.name)
                        });
                        if backs_constraint {
                            self.error(
                                ctx,
                                Code::UnknownObject,
                                format!(
                                    "cannot drop index `{name}` because a constraint requires it"
                                ),
                                "drop the constraint with ALTER TABLE … DROP CONSTRAINT instead",
                            );
                        } else {
                            self.missing(ctx, if_exists, format!("index `{name}`"));
                        }
                    }
                }
                ast::ObjectType::Sequence => {
                    if self.schema.sequences.remove(&name).is_none() {
                        self.missing(ctx, if_exists, format!("sequence `{name}`"));
                    }
                }
                ast::ObjectType::Type => self.drop_type(ctx, &name, if_exists, cascade),
                ast::ObjectType::Schema => {
                    touch!(self.schemas, &name.name);
                    if self.schema.schemas.remove(&name.name).is_none() {
                        self.missing(ctx, if_exists, format!("schema `{}`", name.name));
                    } else {
                        let s = name.name.clone();
                        let has_objects = self.schema.tables.keys().any(|k| k.schema == s);
                        if has_objects && !cascade {
                            self.error(
                                ctx,
                                Code::UnknownObject,
                                format!(
                                    "cannot drop schema `{s}` because other objects depend on it"
                                ),
                                "add CASCADE, or drop its objects first",
                            );
                        }
                        touch_where!(self.tables, |k, _| k.schema == s);
                        touch_where!(self.indexes, |k, _| k.schema == s);
                        touch_where!(self.enums, |k, _| k.schema == s);
                        touch_where!(self.domains, |k, _| k.schema == s);
                        touch_where!(self.views, |k, _| k.schema == s);
                        touch_where!(self.sequences, |k, _| k.schema == s);
                        self.schema.tables.retain(|k, _| k.schema != s);
                        self.schema.indexes.retain(|k, _| k.schema != s);
                        self.schema.enums.retain(|k, _| k.schema != s);
                        self.schema.domains.retain(|k, _| k.schema != s);
                        self.schema.views.retain(|k, _| k.schema != s);
                        self.schema.sequences.retain(|k, _| k.schema != s);
                    }
                }
                other => {
                    let reason = format!("opaque to the offline model: DROP {other}");
                    self.note_opaque(ctx, &reason, "this kind of object is not part of the schema model; the statement is kept verbatim and applied as written");
                    return Some(reason);
                }
            }
        }
        None
    }

    /// The views that read `name` (by the names their queries resolve to, not by text),
    /// and the views that read those, in the order found.
    fn views_reading(&self, name: &QualifiedName) -> Vec<QualifiedName> {
        let mut found: Vec<QualifiedName> = Vec::new();
        let mut next = vec![name.clone()];
        while let Some(read) = next.pop() {
            for v in self.schema.views.values() {
                if v.depends_on.0.contains(&read) && v.name != *name && !found.contains(&v.name) {
                    found.push(v.name.clone());
                    next.push(v.name.clone());
                }
            }
        }
        found
    }

    /// Before `name` (a `what`) is dropped: without CASCADE, an error when a view reads it
    /// (false: the drop must not happen); with CASCADE, those views are dropped (true).
    fn drop_views_reading(
        &mut self,
        ctx: &Ctx,
        name: &QualifiedName,
        what: &str,
        cascade: bool,
    ) -> bool {
        let views = self.views_reading(name);
        if let Some(v) = views.first().filter(|_| !cascade) {
            self.error(
                ctx,
                Code::UnknownObject,
                format!("cannot drop {what} `{name}` because view `{v}` depends on it"),
                "add CASCADE to drop the view too, or drop the view first",
            );
            return false;
        }
        for v in views {
            touch!(self.views, &v);
            self.schema.views.remove(&v);
        }
        true
    }

    pub(super) fn drop_table(
        &mut self,
        ctx: &Ctx,
        name: &QualifiedName,
        if_exists: bool,
        cascade: bool,
    ) {
        if !self.schema.tables.contains_key(name) {
            self.missing(ctx, if_exists, format!("table `{name}`"));
            return;
        }
        let dependents = self.referencing_fks(name, None);
        if !self.drop_dependent_fks(
            ctx,
            &format!("table `{name}`"),
            dependents,
            cascade,
            "add CASCADE to drop the dependent foreign keys too, or drop the referencing table first",
        ) {
            return;
        }
        if !self.drop_views_reading(ctx, name, "table", cascade) {
            return;
        }
        touch!(self.tables, name);
        self.schema.tables.remove(name);
        for i in self.indexes_on(name) {
            touch!(self.indexes, &i);
            self.schema.indexes.remove(&i);
        }
        for key in self.triggers_on(name) {
            touch!(self.triggers, &key);
            self.schema.triggers.remove(&key);
        }
        touch_where!(self.sequences, |_, s| {
            s.owned_by.as_ref().is_some_and(|(t, _)| t == name)
        });
        self.schema
            .sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
    }

    pub(super) fn drop_type(
        &mut self,
        ctx: &Ctx,
        name: &QualifiedName,
        if_exists: bool,
        cascade: bool,
    ) {
        touch!(self.enums, name);
        touch!(self.domains, name);
        if self.schema.enums.remove(name).is_none() && self.schema.domains.remove(name).is_none() {
            self.missing(ctx, if_exists, format!("type `{name}`"));
            return;
        }
        let users: Vec<(QualifiedName, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.data_type.name == TypeName::Named(name.clone()))
                    .map(move |c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if let Some((t, c)) = users.first() {
            if !cascade {
                self.error(ctx, Code::UnknownObject, format!("cannot drop type `{name}` because column `{c}` of table `{t}` depends on it"), "add CASCADE to drop the dependent columns too, or change their type first");
                return;
            }
        }
        for (t, c) in users {
            self.drop_column(ctx, &t, &c, true, true);
        }
    }
}
