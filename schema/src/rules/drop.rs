//! Dropping objects: each finds what depends on the object first, refuses without
//! CASCADE when anything does, and only then removes the object and (with CASCADE) its
//! dependents.

use super::*;
use crate::front::text::{constraint_mentions, index_mentions};

impl Catalog {
    /// Refuses to drop `object` when `fks` (foreign keys of other tables that rely on it)
    /// is not empty and `behavior` is RESTRICT.
    fn check_fks(
        object: &Object,
        fks: &[(QualifiedName, String)],
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        match fks.first() {
            Some((t, c)) if behavior == Behavior::Restrict => Err(RuleError::Dependent {
                object: Box::new(object.clone()),
                dependent: Box::new(Object::ForeignKey(t.clone(), c.clone())),
            }),
            _ => Ok(()),
        }
    }

    fn remove_fks(&mut self, fks: Vec<(QualifiedName, String)>) {
        for (t, c) in fks {
            touch!(self.tables, &t);
            if let Some(t) = self.schema.tables.get_mut(&t) {
                t.constraints.remove(&c);
            }
        }
    }

    /// The views that read `name`, transitively: an error under RESTRICT when there are
    /// any, else the views to drop with it.
    fn check_views(
        &self,
        object: &Object,
        name: &QualifiedName,
        behavior: Behavior,
    ) -> Result<Vec<QualifiedName>, RuleError> {
        let views = self.views_reading(name);
        match views.first() {
            Some(v) if behavior == Behavior::Restrict => Err(RuleError::Dependent {
                object: Box::new(object.clone()),
                dependent: Box::new(Object::View(v.clone())),
            }),
            _ => Ok(views),
        }
    }

    fn remove_views(&mut self, views: Vec<QualifiedName>) {
        for v in views {
            touch!(self.views, &v);
            self.schema.views.remove(&v);
            for i in self.indexes_on(&v) {
                touch!(self.indexes, &i);
                self.schema.indexes.remove(&i);
            }
        }
    }

    /// `DROP TABLE`: with its indexes, triggers and owned sequences; with CASCADE, the
    /// foreign keys of other tables that reference it and the views that read it.
    pub(crate) fn drop_table(
        &mut self,
        name: &QualifiedName,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        if !self.schema.tables.contains_key(name) {
            return Err(RuleError::Missing(Object::Table(name.clone())));
        }
        let object = Object::Table(name.clone());
        let fks = self.referencing_fks(name, None);
        Self::check_fks(&object, &fks, behavior)?;
        let views = self.check_views(&object, name, behavior)?;
        self.remove_fks(fks);
        self.remove_views(views);
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
        Ok(())
    }

    /// `DROP [MATERIALIZED] VIEW`; with CASCADE, the views that read it.
    pub(crate) fn drop_view(
        &mut self,
        name: &QualifiedName,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        if !self.schema.views.contains_key(name) {
            return Err(RuleError::Missing(Object::View(name.clone())));
        }
        let views = self.check_views(&Object::View(name.clone()), name, behavior)?;
        self.remove_views(views);
        touch!(self.views, name);
        self.schema.views.remove(name);
        // A materialized view's indexes go with it.
        for i in self.indexes_on(name) {
            touch!(self.indexes, &i);
            self.schema.indexes.remove(&i);
        }
        Ok(())
    }

    /// `DROP INDEX` (not the index behind a constraint).
    pub(crate) fn drop_index(&mut self, name: &QualifiedName) -> Result<(), RuleError> {
        if !self.schema.indexes.contains_key(name) {
            let backs_constraint =
                self.schema.tables.values().any(|t| {
                    t.name.schema == name.schema && t.constraints.contains_key(&name.name)
                });
            return Err(if backs_constraint {
                RuleError::BacksConstraint(name.clone())
            } else {
                RuleError::Missing(Object::Index(name.clone()))
            });
        }
        touch!(self.indexes, name);
        self.schema.indexes.remove(name);
        Ok(())
    }

    /// `DROP SEQUENCE`: a sequence of the schema, or one a serial column made (a column
    /// default that still calls it needs CASCADE, which drops the default).
    pub(crate) fn drop_sequence(
        &mut self,
        name: &QualifiedName,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        if self.schema.sequences.contains_key(name) {
            touch!(self.sequences, name);
            self.schema.sequences.remove(name);
            return Ok(());
        }
        if !self.serial_sequences.contains(name) {
            return Err(RuleError::Missing(Object::Sequence(name.clone())));
        }
        let users: Vec<(QualifiedName, String)> = self
            .schema
            .tables
            .values()
            .filter(|t| t.name.schema == name.schema)
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| {
                        c.identity.is_none()
                            && crate::front::text::implicit_sequence(t, c).as_deref()
                                == Some(name.name.as_str())
                    })
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if let Some((t, c)) = users.first().filter(|_| behavior == Behavior::Restrict) {
            return Err(RuleError::Dependent {
                object: Box::new(Object::Sequence(name.clone())),
                dependent: Box::new(Object::Column(t.clone(), c.clone())),
            });
        }
        for (t, c) in users {
            self.alter_column(&t, &c, super::ColumnChange::Default(None))?;
        }
        self.serial_sequences.remove(name);
        Ok(())
    }

    /// `DROP TYPE` / `DROP DOMAIN`; with CASCADE, the columns of that type.
    pub(crate) fn drop_type(
        &mut self,
        name: &QualifiedName,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        if !self.schema.enums.contains_key(name) && !self.schema.domains.contains_key(name) {
            return Err(RuleError::Missing(Object::Type(name.clone())));
        }
        let named = TypeName::Named(name.clone());
        let users: Vec<(QualifiedName, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.data_type.name == named)
                    .map(move |c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if let Some((t, c)) = users.first().filter(|_| behavior == Behavior::Restrict) {
            return Err(RuleError::Dependent {
                object: Box::new(Object::Type(name.clone())),
                dependent: Box::new(Object::Column(t.clone(), c.clone())),
            });
        }
        touch!(self.enums, name);
        touch!(self.domains, name);
        self.schema.enums.remove(name);
        self.schema.domains.remove(name);
        for (t, c) in users {
            self.drop_column(&t, &c, Behavior::Cascade)?;
        }
        Ok(())
    }

    /// `DROP SCHEMA`; with CASCADE, everything in it (and what depends on that).
    pub(crate) fn drop_schema(&mut self, name: &str, behavior: Behavior) -> Result<(), RuleError> {
        if !self.schema.schemas.contains_key(name) {
            return Err(RuleError::Missing(Object::Schema(name.to_string())));
        }
        let s = &self.schema;
        let inside = |q: &QualifiedName| q.schema == name;
        let has_objects = s.tables.keys().any(inside)
            || s.views.keys().any(inside)
            || s.enums.keys().any(inside)
            || s.domains.keys().any(inside)
            || s.sequences.keys().any(inside)
            || s.functions.keys().any(|k| inside(&k.name));
        if has_objects && behavior == Behavior::Restrict {
            return Err(RuleError::SchemaNotEmpty(name.to_string()));
        }
        let tables = journal::keys_where(&self.schema.tables, |k, _| inside(k));
        for t in tables {
            if self.schema.tables.contains_key(&t) {
                self.drop_table(&t, Behavior::Cascade)?;
            }
        }
        let views = journal::keys_where(&self.schema.views, |k, _| inside(k));
        for v in views {
            if self.schema.views.contains_key(&v) {
                self.drop_view(&v, Behavior::Cascade)?;
            }
        }
        let types = journal::keys_where(&self.schema.enums, |k, _| inside(k))
            .into_iter()
            .chain(journal::keys_where(&self.schema.domains, |k, _| inside(k)));
        for ty in types.collect::<Vec<_>>() {
            self.drop_type(&ty, Behavior::Cascade)?;
        }
        touch_where!(self.sequences, |k, _| inside(k));
        self.schema.sequences.retain(|k, _| !inside(k));
        let functions: Vec<QualifiedName> = self
            .schema
            .functions
            .keys()
            .filter(|k| inside(&k.name))
            .map(|k| k.name.clone())
            .collect();
        for f in functions {
            if self.schema.functions.keys().any(|k| k.name == f) {
                self.drop_functions(&f, None, Behavior::Cascade)?;
            }
        }
        touch!(self.schemas, &name.to_string());
        self.schema.schemas.remove(name);
        Ok(())
    }

    /// `DROP FUNCTION name[(args)]`: the overload with those argument types, or every
    /// overload; when none is left, the triggers that call it need CASCADE.
    pub(crate) fn drop_functions(
        &mut self,
        name: &QualifiedName,
        args: Option<Vec<DataType>>,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        let keys = self.function_keys(name, args);
        if keys.is_empty() {
            return Err(RuleError::Missing(Object::Function(name.clone())));
        }
        let remaining = self
            .schema
            .functions
            .keys()
            .filter(|k| k.name == *name)
            .count()
            - keys.len();
        let users: Vec<(QualifiedName, String)> = if remaining == 0 {
            journal::keys_where(&self.schema.triggers, |_, t| t.function == *name)
        } else {
            Vec::new()
        };
        if let Some((table, trigger)) = users.first().filter(|_| behavior == Behavior::Restrict) {
            return Err(RuleError::Dependent {
                object: Box::new(Object::Function(name.clone())),
                dependent: Box::new(Object::Trigger(table.clone(), trigger.clone())),
            });
        }
        for key in keys {
            touch!(self.functions, &key);
            self.schema.functions.remove(&key);
        }
        for key in users {
            touch!(self.triggers, &key);
            self.schema.triggers.remove(&key);
        }
        Ok(())
    }

    /// `DROP TRIGGER name ON table`.
    pub(crate) fn drop_trigger(
        &mut self,
        table: &QualifiedName,
        name: &str,
    ) -> Result<(), RuleError> {
        let key = (table.clone(), name.to_string());
        if !self.schema.triggers.contains_key(&key) {
            return Err(RuleError::Missing(Object::Trigger(
                table.clone(),
                name.to_string(),
            )));
        }
        touch!(self.triggers, &key);
        self.schema.triggers.remove(&key);
        Ok(())
    }

    /// `DROP EXTENSION`.
    pub(crate) fn drop_extension(&mut self, name: &str) -> Result<(), RuleError> {
        let name = name.to_string();
        if !self.schema.extensions.contains_key(&name) {
            return Err(RuleError::Missing(Object::Extension(name)));
        }
        touch!(self.extensions, &name);
        self.schema.extensions.remove(&name);
        Ok(())
    }

    /// `ALTER TABLE … DROP COLUMN`: with the constraints and indexes that involve it;
    /// foreign keys of other tables that reference it need CASCADE.
    pub(crate) fn drop_column(
        &mut self,
        table_name: &QualifiedName,
        column: &str,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        let Some(table) = self.schema.tables.get(table_name) else {
            return Err(RuleError::Missing(Object::Table(table_name.clone())));
        };
        let object = Object::Column(table_name.clone(), column.to_string());
        if table.column(column).is_none() {
            return Err(RuleError::Missing(object));
        }
        let fks = self.referencing_fks(table_name, Some(column));
        Self::check_fks(&object, &fks, behavior)?;
        self.remove_fks(fks);
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.columns.retain(|c| c.name != column);
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
        Ok(())
    }

    /// `ALTER TABLE … DROP CONSTRAINT`: a key that foreign keys rely on needs CASCADE.
    pub(crate) fn drop_constraint(
        &mut self,
        table_name: &QualifiedName,
        name: &str,
        behavior: Behavior,
    ) -> Result<(), RuleError> {
        let Some(table) = self.schema.tables.get(table_name) else {
            return Err(RuleError::Missing(Object::Table(table_name.clone())));
        };
        let object = Object::Constraint(table_name.clone(), name.to_string());
        let Some(constraint) = table.constraints.get(name) else {
            return Err(RuleError::Missing(object));
        };
        let fks: Vec<(QualifiedName, String)> = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                self.foreign_keys_to(table_name)
                    .into_iter()
                    .filter(|(fk, _, _)| fk.ref_columns == *columns)
                    .map(|(_, t, c)| (t.clone(), c.to_string()))
                    .collect()
            }
            _ => Vec::new(),
        };
        Self::check_fks(&object, &fks, behavior)?;
        self.remove_fks(fks);
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.constraints.remove(name);
        }
        Ok(())
    }
}
