//! Changing objects in place: renames (carried into everything that names the object by
//! identity), column changes, enum labels, comments.

use std::collections::BTreeSet;

use super::*;
use crate::front::text::rename_in_expr;

/// One `ALTER TABLE … ALTER COLUMN` action.
#[derive(Debug, Clone)]
pub(crate) enum ColumnChange {
    /// `SET NOT NULL`.
    SetNotNull,
    /// `DROP NOT NULL`.
    DropNotNull,
    /// `SET DEFAULT` (`None`: a NULL default, which Postgres stores as none) or
    /// `DROP DEFAULT`.
    Default(Option<String>),
    /// `[SET DATA] TYPE`.
    Type(DataType),
    /// `ADD GENERATED … AS IDENTITY`.
    Identity(Identity),
}

/// Where `ALTER TYPE … ADD VALUE` puts the label.
#[derive(Debug, Clone)]
pub(crate) enum LabelPosition {
    /// At the end.
    End,
    /// `BEFORE label`.
    Before(String),
    /// `AFTER label`.
    After(String),
}

impl Catalog {
    /// `ALTER TABLE … RENAME TO`: foreign keys that reference it, its indexes and
    /// triggers follow.
    pub(crate) fn rename_table(
        &mut self,
        old: &QualifiedName,
        new: &QualifiedName,
    ) -> Result<(), RuleError> {
        if !self.schema.tables.contains_key(old) {
            return Err(RuleError::Missing(Object::Table(old.clone())));
        }
        if self.relation_taken(new) {
            return Err(RuleError::Exists(Object::Relation(new.clone())));
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
            return Ok(());
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
        Ok(())
    }

    /// `ALTER TABLE … RENAME COLUMN`: the table's constraints, generated columns and
    /// indexes, and the foreign keys that reference the column, follow.
    pub(crate) fn rename_column(
        &mut self,
        table_name: &QualifiedName,
        old: &str,
        new: &str,
    ) -> Result<(), RuleError> {
        let Some(table) = self.schema.tables.get(table_name) else {
            return Err(RuleError::Missing(Object::Table(table_name.clone())));
        };
        if table.column(new).is_some() {
            return Err(RuleError::Exists(Object::Column(
                table_name.clone(),
                new.to_string(),
            )));
        }
        if table.column(old).is_none() {
            return Err(RuleError::Missing(Object::Column(
                table_name.clone(),
                old.to_string(),
            )));
        }
        let referrers: BTreeSet<QualifiedName> = self
            .foreign_keys_to(table_name)
            .into_iter()
            .map(|(_, t, _)| t.clone())
            .collect();
        let indexes = self.indexes_on(table_name);
        let rename = |v: &mut Vec<String>| {
            v.iter_mut()
                .filter(|c| *c == old)
                .for_each(|c| *c = new.to_string())
        };
        touch!(self.tables, table_name);
        if let Some(table) = self.schema.tables.get_mut(table_name) {
            if let Some(col) = table.column_mut(old) {
                col.name = new.to_string();
            }
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
        }
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
        Ok(())
    }

    /// `ALTER TABLE … RENAME CONSTRAINT`.
    pub(crate) fn rename_constraint(
        &mut self,
        table_name: &QualifiedName,
        old: &str,
        new: &str,
    ) -> Result<(), RuleError> {
        let Some(table) = self.schema.tables.get(table_name) else {
            return Err(RuleError::Missing(Object::Table(table_name.clone())));
        };
        if !table.constraints.contains_key(old) {
            return Err(RuleError::Missing(Object::Constraint(
                table_name.clone(),
                old.to_string(),
            )));
        }
        if self.constraint_taken(&table_name.schema, new) && table.constraints.contains_key(new) {
            return Err(RuleError::Exists(Object::Constraint(
                table_name.clone(),
                new.to_string(),
            )));
        }
        touch!(self.tables, table_name);
        if let Some(table) = self.schema.tables.get_mut(table_name) {
            if let Some(mut c) = table.constraints.remove(old) {
                c.name = new.to_string();
                table.constraints.insert(new.to_string(), c);
            }
        }
        Ok(())
    }

    /// `ALTER INDEX … RENAME TO`. Renaming the index behind a primary key, unique or
    /// exclusion constraint renames the constraint, as in Postgres.
    pub(crate) fn rename_index(
        &mut self,
        old: &QualifiedName,
        new: &QualifiedName,
    ) -> Result<(), RuleError> {
        if self.relation_taken(new) {
            return Err(RuleError::Exists(Object::Relation(new.clone())));
        }
        if !self.schema.indexes.contains_key(old) {
            let owner = self.schema.tables.values().find(|t| {
                t.name.schema == old.schema
                    && t.constraints.get(&old.name).is_some_and(|c| {
                        matches!(
                            c.kind,
                            ConstraintKind::PrimaryKey { .. }
                                | ConstraintKind::Unique { .. }
                                | ConstraintKind::Exclusion { .. }
                        )
                    })
            });
            return match owner.map(|t| t.name.clone()) {
                Some(table) => self.rename_constraint(&table, &old.name, &new.name),
                None => Err(RuleError::Missing(Object::Index(old.clone()))),
            };
        }
        touch!(self.indexes, old);
        touch!(self.indexes, new);
        if let Some(mut index) = self.schema.indexes.remove(old) {
            index.name = new.clone();
            self.schema.indexes.insert(new.clone(), index);
        }
        Ok(())
    }

    /// `ALTER TABLE … ALTER CONSTRAINT c [NOT] DEFERRABLE [INITIALLY …]`.
    pub(crate) fn alter_constraint_timing(
        &mut self,
        table: &QualifiedName,
        name: &str,
        deferrable: bool,
        initially_deferred: bool,
    ) -> Result<(), RuleError> {
        if !self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.constraints.contains_key(name))
        {
            return Err(RuleError::Missing(Object::Constraint(
                table.clone(),
                name.to_string(),
            )));
        }
        touch!(self.tables, table);
        if let Some(c) = self
            .schema
            .tables
            .get_mut(table)
            .and_then(|t| t.constraints.get_mut(name))
        {
            c.deferrable = deferrable;
            c.initially_deferred = initially_deferred;
        }
        Ok(())
    }

    /// `ALTER FUNCTION f[(types)] RENAME TO g`: the overload with those argument types, or
    /// the one function of that name; triggers that call it follow.
    pub(crate) fn rename_function(
        &mut self,
        name: &QualifiedName,
        args: Option<Vec<DataType>>,
        new: &str,
    ) -> Result<(), RuleError> {
        let keys = self.function_keys(name, args);
        let [key] = keys.as_slice() else {
            return Err(RuleError::Missing(Object::Function(name.clone())));
        };
        let new_name = QualifiedName::new(name.schema.clone(), new);
        let new_key = FunctionKey {
            name: new_name.clone(),
            args: key.args.clone(),
        };
        if self.schema.functions.contains_key(&new_key) {
            return Err(RuleError::Exists(Object::Function(new_name)));
        }
        touch!(self.functions, key);
        touch!(self.functions, &new_key);
        if let Some(mut f) = self.schema.functions.remove(key) {
            f.key = new_key.clone();
            self.schema.functions.insert(new_key, f);
        }
        // Triggers name their function by name: they follow when no overload is left.
        if !self.schema.functions.keys().any(|k| k.name == *name) {
            touch_where!(self.triggers, |_, t| t.function == *name);
            for t in self.schema.triggers.values_mut() {
                if t.function == *name {
                    t.function = new_name.clone();
                }
            }
        }
        Ok(())
    }

    /// `ALTER SEQUENCE s OWNED BY t.c | NONE`.
    pub(crate) fn set_sequence_owner(
        &mut self,
        sequence: &QualifiedName,
        owner: Option<(QualifiedName, String)>,
    ) -> Result<(), RuleError> {
        if let Some((t, c)) = &owner {
            if self
                .schema
                .tables
                .get(t)
                .and_then(|t| t.column(c))
                .is_none()
            {
                return Err(RuleError::Missing(Object::Column(t.clone(), c.clone())));
            }
        }
        if !self.schema.sequences.contains_key(sequence) {
            // A serial column's sequence, which neither model lists: nothing to change.
            if self.serial_sequences.contains(sequence) {
                return Ok(());
            }
            return Err(RuleError::Missing(Object::Sequence(sequence.clone())));
        }
        touch!(self.sequences, sequence);
        if let Some(s) = self.schema.sequences.get_mut(sequence) {
            s.owned_by = owner;
        }
        Ok(())
    }

    /// `ALTER TABLE … ALTER COLUMN`.
    pub(crate) fn alter_column(
        &mut self,
        table: &QualifiedName,
        column: &str,
        change: ColumnChange,
    ) -> Result<(), RuleError> {
        if self
            .schema
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .is_none()
        {
            return Err(RuleError::Missing(Object::Column(
                table.clone(),
                column.to_string(),
            )));
        }
        if matches!(change, ColumnChange::Identity(_)) {
            // The identity's sequence takes a name.
        }
        touch!(self.tables, table);
        let Some(col) = self
            .schema
            .tables
            .get_mut(table)
            .and_then(|t| t.column_mut(column))
        else {
            return Ok(());
        };
        match change {
            ColumnChange::SetNotNull => col.not_null = true,
            ColumnChange::DropNotNull => col.not_null = false,
            ColumnChange::Default(d) => col.default = d,
            ColumnChange::Type(t) => col.data_type = t,
            ColumnChange::Identity(i) => {
                col.not_null = true;
                col.identity = Some(i);
            }
        }
        Ok(())
    }

    /// `ALTER TYPE … ADD VALUE [IF NOT EXISTS] … [BEFORE | AFTER …]`.
    pub(crate) fn add_enum_label(
        &mut self,
        ty: &QualifiedName,
        label: String,
        position: LabelPosition,
    ) -> Result<(), RuleError> {
        let Some(e) = self.schema.enums.get(ty) else {
            return Err(RuleError::Missing(Object::EnumType(ty.clone())));
        };
        if e.labels.contains(&label) {
            return Err(RuleError::LabelExists {
                ty: ty.clone(),
                label,
            });
        }
        let at = match &position {
            LabelPosition::End => Ok(e.labels.len()),
            LabelPosition::Before(b) => e.labels.iter().position(|l| l == b).ok_or(b),
            LabelPosition::After(a) => e.labels.iter().position(|l| l == a).map(|i| i + 1).ok_or(a),
        };
        let at = at.map_err(|missing| RuleError::LabelMissing {
            ty: ty.clone(),
            label: missing.clone(),
        })?;
        touch!(self.enums, ty);
        if let Some(e) = self.schema.enums.get_mut(ty) {
            e.labels.insert(at, label);
        }
        Ok(())
    }

    /// `ALTER TYPE … RENAME VALUE`.
    pub(crate) fn rename_enum_label(
        &mut self,
        ty: &QualifiedName,
        from: &str,
        to: &str,
    ) -> Result<(), RuleError> {
        let Some(e) = self.schema.enums.get(ty) else {
            return Err(RuleError::Missing(Object::EnumType(ty.clone())));
        };
        if !e.labels.iter().any(|l| l == from) {
            return Err(RuleError::LabelMissing {
                ty: ty.clone(),
                label: from.to_string(),
            });
        }
        if e.labels.iter().any(|l| l == to) {
            return Err(RuleError::LabelExists {
                ty: ty.clone(),
                label: to.to_string(),
            });
        }
        touch!(self.enums, ty);
        if let Some(l) = self
            .schema
            .enums
            .get_mut(ty)
            .and_then(|e| e.labels.iter_mut().find(|l| *l == from))
        {
            *l = to.to_string();
        }
        Ok(())
    }

    /// `ALTER TYPE … RENAME TO` of an enum: the columns of the type follow.
    pub(crate) fn rename_type(
        &mut self,
        old: &QualifiedName,
        new: &QualifiedName,
    ) -> Result<(), RuleError> {
        if !self.schema.enums.contains_key(old) {
            return Err(RuleError::Missing(Object::EnumType(old.clone())));
        }
        if self.schema.enums.contains_key(new) || self.schema.domains.contains_key(new) {
            return Err(RuleError::Exists(Object::Type(new.clone())));
        }
        let named = TypeName::Named(old.clone());
        touch!(self.enums, old);
        touch!(self.enums, new);
        touch_where!(self.tables, |_, t| t
            .columns
            .iter()
            .any(|c| c.data_type.name == named));
        if let Some(mut e) = self.schema.enums.remove(old) {
            e.name = new.clone();
            self.schema.enums.insert(new.clone(), e);
        }
        for t in self.schema.tables.values_mut() {
            for c in &mut t.columns {
                if c.data_type.name == named {
                    c.data_type.name = TypeName::Named(new.clone());
                }
            }
        }
        Ok(())
    }

    /// Marks domain `name` NOT NULL (`CREATE DOMAIN … NOT NULL`, which the front end reads in two steps).
    pub(crate) fn set_domain_not_null(&mut self, name: &QualifiedName) -> Result<(), RuleError> {
        if !self.schema.domains.contains_key(name) {
            return Err(RuleError::Missing(Object::Type(name.clone())));
        }
        touch!(self.domains, name);
        if let Some(d) = self.schema.domains.get_mut(name) {
            d.not_null = true;
        }
        Ok(())
    }

    /// `COMMENT ON` a table, column, enum type, index or view (`None` removes it).
    /// Other objects are not `target`s: the driver keeps those statements verbatim.
    pub(crate) fn set_comment(
        &mut self,
        target: &Object,
        comment: Option<String>,
    ) -> Result<(), RuleError> {
        let missing = || Err(RuleError::Missing(target.clone()));
        // The entry `key` of `map` takes the comment, when it is there.
        macro_rules! comment_on {
            ($self:ident, $map:ident, $key:expr) => {{
                if !$self.schema.$map.contains_key($key) {
                    return missing();
                }
                touch!($self.$map, $key);
                if let Some(entry) = $self.schema.$map.get_mut($key) {
                    entry.comment = comment;
                }
            }};
        }
        match target {
            Object::Table(q) => comment_on!(self, tables, q),
            Object::Column(q, column) => {
                if self
                    .schema
                    .tables
                    .get(q)
                    .and_then(|t| t.column(column))
                    .is_none()
                {
                    return missing();
                }
                touch!(self.tables, q);
                if let Some(c) = self
                    .schema
                    .tables
                    .get_mut(q)
                    .and_then(|t| t.column_mut(column))
                {
                    c.comment = comment;
                }
            }
            Object::Type(q) | Object::EnumType(q) => comment_on!(self, enums, q),
            Object::Index(q) => comment_on!(self, indexes, q),
            Object::View(q) => comment_on!(self, views, q),
            other => return Err(RuleError::Missing(other.clone())),
        }
        Ok(())
    }
}
