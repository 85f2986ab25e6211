//! Indexes over the schema that the rules keep beside it: who refers to a table, and
//! the names taken that the schema's maps do not key by.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

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
/// behind constraints, the sequences behind serial and identity columns). Like
/// [`Dependents`], it is kept per table: tables [`touch!`] marked are read again before
/// each question, so a change costs what the table adds, not the size of the schema.
/// Nothing iterates it in order: its maps are hash maps, asked on every name Postgres
/// would choose.
#[derive(Debug, Default)]
pub(super) struct NameIndex {
    /// Relation name → how many tables' constraints or columns take it.
    relations: FxHashMap<QualifiedName, usize>,
    /// Schema → constraint name → how many constraints take it.
    constraints: FxHashMap<String, FxHashMap<String, usize>>,
    /// What each table added, to take back when it changes.
    added: FxHashMap<QualifiedName, Taken>,
    /// Tables changed since the index last looked.
    pub(super) stale_tables: FxHashSet<QualifiedName>,
}

/// The names one table takes.
#[derive(Debug, Default)]
struct Taken {
    relations: Vec<QualifiedName>,
    /// Constraint names, all in the table's schema.
    constraints: Vec<String>,
}

impl NameIndex {
    pub(super) fn build(schema: &Schema) -> NameIndex {
        NameIndex {
            stale_tables: schema.tables.keys().cloned().collect(),
            ..NameIndex::default()
        }
    }

    /// Re-reads the stale tables from `schema`. Only the names a table took or gave up
    /// since it was last read change the counts.
    pub(super) fn refresh(&mut self, schema: &Schema) {
        for t in std::mem::take(&mut self.stale_tables) {
            let old = self.added.remove(&t).unwrap_or_default();
            let table = schema.tables.get(&t);
            let new = table.map(taken_by).unwrap_or_default();
            for r in old.relations.iter().filter(|r| !new.relations.contains(r)) {
                release(&mut self.relations, r);
            }
            for r in new.relations.iter().filter(|r| !old.relations.contains(r)) {
                *self.relations.entry(r.clone()).or_default() += 1;
            }
            if let Some(counts) = self.constraints.get_mut(&t.schema) {
                for c in old
                    .constraints
                    .iter()
                    .filter(|c| !new.constraints.contains(c))
                {
                    release(counts, c);
                }
            }
            let is_new = |c: &&String| !old.constraints.contains(c);
            if new.constraints.iter().any(|c| is_new(&c)) {
                let counts = self.constraints.entry(t.schema.clone()).or_default();
                for c in new.constraints.iter().filter(is_new) {
                    *counts.entry(c.clone()).or_default() += 1;
                }
            }
            if table.is_some() {
                self.added.insert(t, new);
            }
        }
    }

    /// Whether a constraint or column takes this relation name.
    pub(super) fn relation_taken(&self, name: &QualifiedName) -> bool {
        self.relations.contains_key(name)
    }

    /// Whether a constraint of `schema` has this name.
    pub(super) fn constraint_taken(&self, schema: &str, name: &str) -> bool {
        self.constraints
            .get(schema)
            .is_some_and(|names| names.contains_key(name))
    }
}

/// The names `table` takes besides its own: its constraints', the relations behind its
/// primary key, unique and exclusion constraints, and the sequences behind its serial and
/// identity columns. Each list holds a name once: a table cannot take one twice.
fn taken_by(table: &Table) -> Taken {
    let mut taken = Taken::default();
    for c in table.constraints.values() {
        taken.constraints.push(c.name.clone());
        if matches!(
            c.kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        ) {
            taken
                .relations
                .push(QualifiedName::new(&table.name.schema, &c.name));
        }
    }
    for c in &table.columns {
        if let Some(seq) = implicit_sequence(table, c) {
            taken
                .relations
                .push(QualifiedName::new(table.name.schema.clone(), seq));
        }
    }
    taken.relations.sort();
    taken.relations.dedup();
    taken.constraints.sort();
    taken.constraints.dedup();
    taken
}

/// One taker fewer of `key`; the name is free when none is left.
fn release<K: std::hash::Hash + Eq>(counts: &mut FxHashMap<K, usize>, key: &K) {
    if let Some(n) = counts.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            counts.remove(key);
        }
    }
}
