//! Adding objects: each checks that the name is free and what it refers to exists, then
//! adds. Constraints get their names here, by Postgres's rules ([`crate::names`]).

use super::*;
use crate::front::text::single_column_reference;
use crate::model::names;
use crate::source::Loc;

/// A constraint before its name is resolved.
#[derive(Debug, Clone)]
pub(crate) struct NewConstraint {
    /// The name written, if any.
    pub(crate) name: Option<String>,
    /// What it constrains.
    pub(crate) kind: ConstraintKind,
    /// `DEFERRABLE`.
    pub(crate) deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub(crate) initially_deferred: bool,
    /// Where it is written.
    pub(crate) loc: Loc,
}

impl Catalog {
    /// `CREATE SCHEMA`.
    pub(crate) fn add_schema(&mut self, ns: Namespace) -> Result<(), RuleError> {
        if self.schema.schemas.contains_key(&ns.name) || ns.name == "public" {
            return Err(RuleError::Exists(Object::Schema(ns.name)));
        }
        touch!(self.schemas, &ns.name);
        self.schema.schemas.insert(ns.name.clone(), ns);
        Ok(())
    }

    /// `CREATE EXTENSION`.
    pub(crate) fn add_extension(&mut self, ext: Extension) -> Result<(), RuleError> {
        if self.schema.extensions.contains_key(&ext.name) {
            return Err(RuleError::Exists(Object::Extension(ext.name)));
        }
        touch!(self.extensions, &ext.name);
        self.schema.extensions.insert(ext.name.clone(), ext);
        Ok(())
    }

    /// `CREATE SEQUENCE`.
    pub(crate) fn add_sequence(&mut self, seq: Sequence) -> Result<(), RuleError> {
        if self.relation_taken(&seq.name) {
            return Err(RuleError::Exists(Object::Relation(seq.name)));
        }
        touch!(self.sequences, &seq.name);
        self.schema.sequences.insert(seq.name.clone(), seq);
        Ok(())
    }

    /// `CREATE TABLE`, without its constraints ([`Catalog::add_constraint`] adds them in
    /// the order Postgres names them).
    pub(crate) fn add_table(&mut self, table: Table) -> Result<(), RuleError> {
        if self.relation_taken(&table.name) {
            return Err(RuleError::Exists(Object::Relation(table.name)));
        }
        if !self.schema_exists(&table.name.schema) {
            return Err(RuleError::Missing(Object::Schema(table.name.schema)));
        }
        let name = table.name.clone();
        for c in &table.columns {
            self.note_serial(&table, c);
        }
        touch!(self.tables, &name);
        self.schema.tables.insert(name, table);
        Ok(())
    }

    /// Remembers the sequence a serial column made.
    fn note_serial(&mut self, table: &Table, column: &Column) {
        if column.identity.is_none() {
            if let Some(seq) = crate::front::text::implicit_sequence(table, column) {
                self.serial_sequences
                    .insert(QualifiedName::new(table.name.schema.clone(), seq));
            }
        }
    }

    /// `ALTER TABLE … ADD COLUMN`, without the column's constraints.
    pub(crate) fn add_column(
        &mut self,
        table: &QualifiedName,
        column: Column,
    ) -> Result<(), RuleError> {
        let Some(t) = self.schema.tables.get(table) else {
            return Err(RuleError::Missing(Object::Table(table.clone())));
        };
        if t.column(&column.name).is_some() {
            return Err(RuleError::Exists(Object::Column(
                table.clone(),
                column.name,
            )));
        }
        let t = t.clone();
        self.note_serial(&t, &column);
        touch!(self.tables, table);
        if let Some(t) = self.schema.tables.get_mut(table) {
            t.columns.push(column);
        }
        Ok(())
    }

    /// Adds a constraint to `table_name` after checking it against the table (columns,
    /// one primary key, the referenced table and columns of a foreign key) and resolving
    /// its name. Returns the name.
    pub(crate) fn add_constraint(
        &mut self,
        table_name: &QualifiedName,
        mut c: NewConstraint,
    ) -> Result<String, RuleError> {
        let Some(table) = self.schema.tables.get(table_name) else {
            return Err(RuleError::Missing(Object::Table(table_name.clone())));
        };
        let columns: Vec<&String> = match &c.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => columns.iter().chain(include).collect(),
            ConstraintKind::ForeignKey(fk) => fk.columns.iter().collect(),
            _ => Vec::new(),
        };
        if let Some(col) = columns.into_iter().find(|col| table.column(col).is_none()) {
            return Err(RuleError::ConstraintColumn {
                table: table_name.clone(),
                column: col.clone(),
            });
        }
        if let ConstraintKind::PrimaryKey { .. } = c.kind {
            if let Some((existing, _)) = table.primary_key() {
                return Err(RuleError::SecondPrimaryKey {
                    table: table_name.clone(),
                    existing: existing.to_string(),
                });
            }
        }
        if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
            let ref_table = if fk.ref_table == *table_name {
                Some(table)
            } else {
                self.schema.tables.get(&fk.ref_table)
            };
            let Some(ref_table) = ref_table else {
                return Err(RuleError::ReferenceMissing {
                    table: table_name.clone(),
                    target: Box::new(Object::Table(fk.ref_table.clone())),
                });
            };
            if fk.ref_columns.is_empty() {
                match ref_table.primary_key() {
                    Some((_, cols)) => fk.ref_columns = cols.to_vec(),
                    None => {
                        return Err(RuleError::NoPrimaryKey {
                            table: table_name.clone(),
                            referenced: fk.ref_table.clone(),
                        });
                    }
                }
            }
            if let Some(col) = fk
                .ref_columns
                .iter()
                .find(|col| ref_table.column(col).is_none())
            {
                return Err(RuleError::ReferenceMissing {
                    table: table_name.clone(),
                    target: Box::new(Object::Column(fk.ref_table.clone(), col.clone())),
                });
            }
            if fk.columns.len() != fk.ref_columns.len() {
                return Err(RuleError::ForeignKeyArity(table_name.clone()));
            }
        }
        let name = match c.name.take() {
            Some(n) => {
                if self.constraint_taken(&table_name.schema, &n)
                    && table.constraints.contains_key(&n)
                {
                    return Err(RuleError::Exists(Object::Constraint(table_name.clone(), n)));
                }
                n
            }
            None => self.choose_constraint_name(table_name, &c.kind),
        };
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            if let ConstraintKind::PrimaryKey { columns, .. } = &c.kind {
                for col in t
                    .columns
                    .iter_mut()
                    .filter(|col| columns.contains(&col.name))
                {
                    col.not_null = true;
                }
            }
            t.constraints.insert(
                name.clone(),
                Constraint {
                    name: name.clone(),
                    kind: c.kind,
                    deferrable: c.deferrable,
                    initially_deferred: c.initially_deferred,
                    loc: c.loc,
                },
            );
        }
        Ok(name)
    }

    /// `ADD [CONSTRAINT name] {PRIMARY KEY | UNIQUE} USING INDEX index`: a unique index
    /// on plain columns of the table becomes the index behind the constraint, renamed to
    /// the constraint's name (or giving it its own). Returns the constraint's name.
    pub(crate) fn add_constraint_using_index(
        &mut self,
        table: &QualifiedName,
        index: &str,
        primary: bool,
        mut c: NewConstraint,
    ) -> Result<String, RuleError> {
        let index_name = QualifiedName::new(table.schema.clone(), index);
        let Some(ix) = self.schema.indexes.get(&index_name) else {
            return Err(RuleError::Missing(Object::Index(index_name)));
        };
        let unusable = |why: &str| {
            Err(RuleError::UnusableIndex {
                index: index_name.clone(),
                why: why.to_string(),
            })
        };
        if ix.table != *table {
            return unusable("it does not belong to this table");
        }
        if !ix.unique {
            return unusable("it is not a unique index");
        }
        if ix.predicate.is_some() {
            return unusable("it is a partial index");
        }
        let mut columns = Vec::with_capacity(ix.keys.len());
        for k in &ix.keys {
            match &k.expr {
                KeyExpr::Column(col) if !k.descending && k.nulls_first.is_none() => {
                    columns.push(col.clone())
                }
                KeyExpr::Column(_) => return unusable("it does not have default sorting behavior"),
                KeyExpr::Expression(_) => return unusable("it contains expressions"),
            }
        }
        let include = ix.include.clone();
        c.kind = if primary {
            ConstraintKind::PrimaryKey { columns, include }
        } else {
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct: ix.nulls_not_distinct,
            }
        };
        c.name = Some(c.name.take().unwrap_or_else(|| index.to_string()));
        // The index becomes the constraint's: checked as the constraint, then moved.
        let mut trial = self.schema.indexes.get(&index_name).cloned();
        touch!(self.indexes, &index_name);
        self.schema.indexes.remove(&index_name);
        match self.add_constraint(table, c) {
            Ok(name) => Ok(name),
            Err(e) => {
                if let Some(ix) = trial.take() {
                    self.schema.indexes.insert(index_name, ix);
                }
                Err(e)
            }
        }
    }

    /// The name Postgres gives an unnamed constraint of `kind` on `table`.
    fn choose_constraint_name(&self, table: &QualifiedName, kind: &ConstraintKind) -> String {
        let schema = table.schema.clone();
        let rel_taken = |n: &str| {
            self.relation_taken(&QualifiedName::new(schema.clone(), n))
                || self.constraint_taken(&schema, n)
        };
        let con_taken = |n: &str| self.constraint_taken(&schema, n);
        match kind {
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
            ConstraintKind::ForeignKey(fk) => {
                let addition = names::name_addition(&fk.columns);
                names::choose_name(&table.name, Some(&addition), "fkey", con_taken)
            }
        }
    }

    /// `CREATE INDEX` on a table or a materialized view.
    pub(crate) fn add_index(&mut self, index: Index) -> Result<(), RuleError> {
        let on_matview = self
            .schema
            .views
            .get(&index.table)
            .is_some_and(|v| v.materialized);
        if !self.schema.tables.contains_key(&index.table) && !on_matview {
            return Err(RuleError::Missing(Object::Table(index.table)));
        }
        if self.relation_taken(&index.name) {
            return Err(RuleError::Exists(Object::Relation(index.name)));
        }
        touch!(self.indexes, &index.name);
        self.schema.indexes.insert(index.name.clone(), index);
        Ok(())
    }

    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`.
    pub(crate) fn add_view(&mut self, view: View, replace: bool) -> Result<(), RuleError> {
        if self.schema.views.contains_key(&view.name) {
            if !replace {
                return Err(RuleError::Exists(Object::View(view.name)));
            }
        } else if self.relation_taken(&view.name) {
            return Err(RuleError::Exists(Object::Relation(view.name)));
        }
        touch!(self.views, &view.name);
        self.schema.views.insert(view.name.clone(), view);
        Ok(())
    }

    /// `CREATE TYPE … AS ENUM`.
    pub(crate) fn add_enum(&mut self, e: EnumType) -> Result<(), RuleError> {
        if self.schema.enums.contains_key(&e.name) || self.schema.domains.contains_key(&e.name) {
            return Err(RuleError::Exists(Object::Type(e.name)));
        }
        for (i, label) in e.labels.iter().enumerate() {
            if e.labels[..i].contains(label) {
                return Err(RuleError::LabelTwice {
                    ty: e.name.clone(),
                    label: label.clone(),
                });
            }
        }
        touch!(self.enums, &e.name);
        self.schema.enums.insert(e.name.clone(), e);
        Ok(())
    }

    /// `CREATE DOMAIN`.
    pub(crate) fn add_domain(&mut self, d: Domain) -> Result<(), RuleError> {
        if self.schema.enums.contains_key(&d.name) || self.schema.domains.contains_key(&d.name) {
            return Err(RuleError::Exists(Object::Type(d.name)));
        }
        touch!(self.domains, &d.name);
        self.schema.domains.insert(d.name.clone(), d);
        Ok(())
    }

    /// `CREATE [OR REPLACE] FUNCTION`.
    pub(crate) fn add_function(&mut self, f: Function, replace: bool) -> Result<(), RuleError> {
        if self.schema.functions.contains_key(&f.key) && !replace {
            return Err(RuleError::Exists(Object::Function(f.key.name)));
        }
        touch!(self.functions, &f.key);
        self.schema.functions.insert(f.key.clone(), f);
        Ok(())
    }

    /// `CREATE [OR REPLACE] TRIGGER`.
    pub(crate) fn add_trigger(&mut self, t: Trigger, replace: bool) -> Result<(), RuleError> {
        if !self.schema.tables.contains_key(&t.table) && !self.schema.views.contains_key(&t.table) {
            return Err(RuleError::Missing(Object::Table(t.table)));
        }
        let key = (t.table.clone(), t.name.clone());
        if self.schema.triggers.contains_key(&key) && !replace {
            return Err(RuleError::Exists(Object::Trigger(t.table, t.name)));
        }
        if !self.schema.functions.keys().any(|k| k.name == t.function) {
            return Err(RuleError::Missing(Object::Function(t.function)));
        }
        touch!(self.triggers, &key);
        self.schema.triggers.insert(key, t);
        Ok(())
    }
}
