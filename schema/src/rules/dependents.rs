//! Indexes over the schema that the rules keep beside it: who refers to a table, and
//! the names taken that the schema's maps do not key by.

use std::collections::{BTreeMap, BTreeSet};

use crate::front::text::implicit_sequence;
use crate::model::*;

/// A reverse index of the schema: the foreign keys that reference each table and the
/// indexes on each table. Entries of tables and indexes that [`touch!`] marked are
/// brought up to date before each question.
#[derive(Debug, Default)]
pub(super) struct Dependents {
    /// Referenced table → (referencing table, constraint).
    pub(super) referrers: BTreeMap<QualifiedName, BTreeSet<(QualifiedName, String)>>,
    /// Referencing table → the tables its foreign keys reference, with the constraints.
    pub(super) refers_to: BTreeMap<QualifiedName, Vec<(QualifiedName, String)>>,
    /// Table → its indexes.
    pub(super) indexes_on: BTreeMap<QualifiedName, BTreeSet<QualifiedName>>,
    /// Index → its table.
    pub(super) index_table: BTreeMap<QualifiedName, QualifiedName>,
    /// Tables changed since the index last looked.
    pub(super) stale_tables: BTreeSet<QualifiedName>,
    /// Indexes changed since the index last looked.
    pub(super) stale_indexes: BTreeSet<QualifiedName>,
}

impl Dependents {
    pub(super) fn build(schema: &Schema) -> Dependents {
        Dependents {
            stale_tables: schema.tables.keys().cloned().collect(),
            stale_indexes: schema.indexes.keys().cloned().collect(),
            ..Dependents::default()
        }
    }

    /// Re-reads the stale tables and indexes from `schema`.
    pub(super) fn refresh(&mut self, schema: &Schema) {
        for t in std::mem::take(&mut self.stale_tables) {
            for (target, c) in self.refers_to.remove(&t).unwrap_or_default() {
                if let Some(set) = self.referrers.get_mut(&target) {
                    set.remove(&(t.clone(), c));
                }
            }
            let Some(table) = schema.tables.get(&t) else {
                continue;
            };
            let targets: Vec<(QualifiedName, String)> = table
                .constraints
                .values()
                .filter_map(|c| match &c.kind {
                    ConstraintKind::ForeignKey(fk) => Some((fk.ref_table.clone(), c.name.clone())),
                    _ => None,
                })
                .collect();
            for (target, c) in &targets {
                self.referrers
                    .entry(target.clone())
                    .or_default()
                    .insert((t.clone(), c.clone()));
            }
            self.refers_to.insert(t, targets);
        }
        for i in std::mem::take(&mut self.stale_indexes) {
            if let Some(table) = self.index_table.remove(&i) {
                if let Some(set) = self.indexes_on.get_mut(&table) {
                    set.remove(&i);
                }
            }
            if let Some(index) = schema.indexes.get(&i) {
                self.indexes_on
                    .entry(index.table.clone())
                    .or_default()
                    .insert(i.clone());
                self.index_table.insert(i, index.table.clone());
            }
        }
    }
}

/// Constraint names per schema, and relation names that are not map keys (the indexes
/// behind constraints, the sequences behind serial and identity columns).
#[derive(Debug, Default)]
pub(super) struct NameIndex {
    pub(super) relations: BTreeSet<QualifiedName>,
    pub(super) constraints: BTreeSet<(String, String)>,
}

impl NameIndex {
    pub(super) fn build(schema: &Schema) -> NameIndex {
        let mut ix = NameIndex::default();
        for t in schema.tables.values() {
            for c in t.constraints.values() {
                ix.add_constraint(&t.name.schema, &c.name, &c.kind);
            }
            for c in &t.columns {
                ix.add_column(t, c);
            }
        }
        ix
    }

    pub(super) fn add_constraint(&mut self, schema: &str, name: &str, kind: &ConstraintKind) {
        self.constraints
            .insert((schema.to_string(), name.to_string()));
        if matches!(
            kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        ) {
            self.relations.insert(QualifiedName::new(schema, name));
        }
    }

    pub(super) fn add_column(&mut self, table: &Table, column: &Column) {
        if let Some(seq) = implicit_sequence(table, column) {
            self.relations
                .insert(QualifiedName::new(table.name.schema.clone(), seq));
        }
    }
}
