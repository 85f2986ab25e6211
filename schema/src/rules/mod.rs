//! Postgres's rules as operations on the model: add, drop (with or without CASCADE),
//! rename and alter an object, each finding what depends on it by identity (foreign keys
//! by referenced table, views by what their queries resolve to, columns by type name,
//! triggers by function), never by text.
//!
//! Every operation checks first and changes the schema only when Postgres would accept the
//! statement; a refusal is a [`RuleError`] and leaves the schema exactly as it was. The
//! driver ([`crate::Folder`]) turns refusals into diagnostics (or, under `IF EXISTS`,
//! `IF NOT EXISTS` and guard DO blocks, into nothing) and undoes a statement whose later
//! part was refused with the [`journal`] every change is recorded in. Nothing here knows
//! SQL syntax: operations take model pieces.

use std::cell::RefCell;
use std::fmt;

use crate::diagnostic::Code;
use crate::model::*;
use journal::Journal;

pub(crate) mod journal;

/// Records, in the innermost open journal, the value an entry of one of the schema's maps
/// has before an operation changes it. Every change to `self.schema` goes after one.
/// Tables and indexes are also marked stale in the reverse index ([`Dependents`]).
macro_rules! touch {
    (@journal $self:ident . $map:ident, $key:expr) => {
        if let Some(j) = $self.journals.last_mut() {
            crate::rules::journal::record(&mut j.$map, &$self.schema.$map, $key);
        }
    };
    ($self:ident . tables, $key:expr) => {{
        let key = $key;
        touch!(@journal $self.tables, key);
        if let Some(d) = $self.dependents.get_mut() {
            d.stale_tables.insert(key.clone());
        }
        if let Some(n) = $self.names.get_mut() {
            n.stale_tables.insert(key.clone());
        }
    }};
    ($self:ident . indexes, $key:expr) => {{
        let key = $key;
        touch!(@journal $self.indexes, key);
        if let Some(d) = $self.dependents.get_mut() {
            d.stale_indexes.insert(key.clone());
        }
    }};
    ($self:ident . $map:ident, $key:expr) => {
        touch!(@journal $self.$map, $key)
    };
}

/// [`touch!`] for every entry of a map that `pred` selects (before a `retain` or a
/// `values_mut`).
macro_rules! touch_where {
    ($self:ident . $map:ident, $pred:expr) => {{
        let keys = crate::rules::journal::keys_where(&$self.schema.$map, $pred);
        for key in &keys {
            touch!($self.$map, key);
        }
    }};
}

mod alter;
mod create;
mod dependents;
mod drop;

pub(crate) use alter::{ColumnChange, LabelPosition};
pub(crate) use create::NewConstraint;
use dependents::{Dependents, NameIndex};

/// A schema and the operations Postgres's rules allow on it.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// The schema so far.
    pub(crate) schema: Schema,
    /// Open journals, innermost last: the entries touched since each was opened, as they
    /// were before.
    journals: Vec<Journal>,
    /// Names taken that the schema's maps do not key by, built on demand and kept current
    /// by [`touch!`], like `dependents`.
    names: RefCell<Option<NameIndex>>,
    /// Who refers to a table, built on demand and kept current by [`touch!`], so that
    /// dropping or renaming a table costs what depends on it, not the size of the schema.
    dependents: RefCell<Option<Dependents>>,
    /// Tables that exist but are not part of the schema model: temporary tables and the
    /// partitions of partitioned tables (the catalog model lists neither). Statements on
    /// them are kept verbatim, not refused.
    pub(crate) outside: std::collections::BTreeMap<QualifiedName, Outside>,
    /// The sequences serial columns created (owned by their column, so neither the
    /// schema model nor the catalog model lists them); they outlive a dropped default.
    pub(crate) serial_sequences: std::collections::BTreeSet<QualifiedName>,
}

/// Why a table is outside the schema model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outside {
    /// A temporary table, gone with its session.
    Temporary,
    /// A partition of this partitioned table.
    PartitionOf(QualifiedName),
}

impl Outside {
    /// The reason a statement on such a table is kept verbatim.
    pub(crate) fn reason(&self) -> String {
        match self {
            Outside::Temporary => "statement on a temporary table".to_string(),
            Outside::PartitionOf(parent) => format!("statement on a partition of `{parent}`"),
        }
    }

    /// Why such tables are not in the model.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            Outside::Temporary => {
                "temporary tables vanish with their session; they are not part of the schema"
            }
            Outside::PartitionOf(_) => {
                "partitions are modelled through their partitioned table; the statement is applied as written when migrations run"
            }
        }
    }
}

/// `RESTRICT` (the default) or `CASCADE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behavior {
    /// Refuse when something depends on the object.
    Restrict,
    /// Drop what depends on the object too.
    Cascade,
}

impl Behavior {
    /// `Cascade` when `cascade`.
    pub(crate) fn cascade_if(cascade: bool) -> Behavior {
        if cascade {
            Behavior::Cascade
        } else {
            Behavior::Restrict
        }
    }
}

/// An object of the catalog, as a rule names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A schema (namespace).
    Schema(String),
    /// An extension.
    Extension(String),
    /// Any relation name: tables, views, indexes, sequences share one namespace.
    Relation(QualifiedName),
    /// A table.
    Table(QualifiedName),
    /// A view or materialized view.
    View(QualifiedName),
    /// An index.
    Index(QualifiedName),
    /// A sequence.
    Sequence(QualifiedName),
    /// A type (enum or domain).
    Type(QualifiedName),
    /// An enum type.
    EnumType(QualifiedName),
    /// A function, every overload of the name.
    Function(QualifiedName),
    /// A trigger on a table.
    Trigger(QualifiedName, String),
    /// A trigger named without its table.
    TriggerNamed(String),
    /// A column of a table.
    Column(QualifiedName, String),
    /// A constraint of a table.
    Constraint(QualifiedName, String),
    /// A foreign key of a table, as something that depends on what it references.
    ForeignKey(QualifiedName, String),
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Schema(s) => write!(f, "schema {}", Name(s)),
            Object::Extension(e) => write!(f, "extension {}", Name(e)),
            Object::Relation(n) => write!(f, "relation {}", Name(n)),
            Object::Table(n) => write!(f, "table {}", Name(n)),
            Object::View(n) => write!(f, "view {}", Name(n)),
            Object::Index(n) => write!(f, "index {}", Name(n)),
            Object::Sequence(n) => write!(f, "sequence {}", Name(n)),
            Object::Type(n) => write!(f, "type {}", Name(n)),
            Object::EnumType(n) => write!(f, "enum type {}", Name(n)),
            Object::Function(n) => write!(f, "function {}", Name(n)),
            Object::Trigger(t, n) => write!(f, "trigger {} on table {}", Name(n), Name(t)),
            Object::TriggerNamed(n) => write!(f, "trigger {}", Name(n)),
            Object::Column(t, c) => write!(f, "column {} of table {}", Name(c), Name(t)),
            Object::Constraint(t, c) => write!(f, "constraint {} of table {}", Name(c), Name(t)),
            Object::ForeignKey(t, c) => write!(f, "constraint {} on table {}", Name(c), Name(t)),
        }
    }
}

/// A name in a message: in backticks (`` `jobs` ``), or as the quoted identifier it is
/// (`"Webhook_id_seq"`), never with its quotes doubled up in backticks.
pub(crate) struct Name<T>(pub(crate) T);

impl<T: fmt::Display> fmt::Display for Name<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        if text.starts_with('"') {
            f.write_str(&text)
        } else {
            write!(f, "`{text}`")
        }
    }
}

/// Why Postgres would refuse an operation. The schema is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The object does not exist.
    #[error("{0} does not exist")]
    Missing(Object),
    /// The object already exists.
    #[error("{0} already exists")]
    Exists(Object),
    /// Something depends on the object and the statement does not say CASCADE.
    #[error("cannot drop {object} because {dependent} depends on it")]
    Dependent {
        /// What was to be dropped.
        object: Box<Object>,
        /// The first thing found that depends on it.
        dependent: Box<Object>,
    },
    /// Objects inside a schema that was to be dropped without CASCADE.
    #[error("cannot drop schema {} because other objects depend on it", Name(.0))]
    SchemaNotEmpty(String),
    /// An index that backs a constraint, dropped as an index.
    #[error("cannot drop index {} because a constraint requires it", Name(.0))]
    BacksConstraint(QualifiedName),
    /// A second primary key.
    #[error("table {}: multiple primary keys are not allowed (already has {})", Name(.table), Name(.existing))]
    SecondPrimaryKey {
        /// The table.
        table: QualifiedName,
        /// Its primary key's name.
        existing: String,
    },
    /// A key or foreign key over a column the table does not have.
    #[error("table {}: constraint column {} does not exist", Name(.table), Name(.column))]
    ConstraintColumn {
        /// The table.
        table: QualifiedName,
        /// The column named.
        column: String,
    },
    /// A foreign key to a table or column that does not exist.
    #[error("table {}: foreign key references {target}, which does not exist", Name(.table))]
    ReferenceMissing {
        /// The referencing table.
        table: QualifiedName,
        /// What it references.
        target: Box<Object>,
    },
    /// A foreign key without referenced columns, to a table without a primary key.
    #[error("table {}: there is no primary key for referenced table {}", Name(.table), Name(.referenced))]
    NoPrimaryKey {
        /// The referencing table.
        table: QualifiedName,
        /// The referenced table.
        referenced: QualifiedName,
    },
    /// A foreign key whose column lists differ in length.
    #[error("table {}: number of referencing and referenced columns for foreign key disagree", Name(.0))]
    ForeignKeyArity(QualifiedName),
    /// `USING INDEX` of an index that cannot back the constraint.
    #[error("index {} cannot back the constraint: {why}", Name(.index))]
    UnusableIndex {
        /// The index.
        index: QualifiedName,
        /// Why not.
        why: String,
    },
    /// An enum label listed twice in CREATE TYPE.
    #[error("enum {}: label {} used more than once", Name(.ty), Name(.label))]
    LabelTwice {
        /// The type.
        ty: QualifiedName,
        /// The label.
        label: String,
    },
    /// ADD VALUE of a label the enum has.
    #[error("enum {}: label {} already exists", Name(.ty), Name(.label))]
    LabelExists {
        /// The type.
        ty: QualifiedName,
        /// The label.
        label: String,
    },
    /// A label that the enum does not have.
    #[error("enum {}: label {} does not exist", Name(.ty), Name(.label))]
    LabelMissing {
        /// The type.
        ty: QualifiedName,
        /// The label.
        label: String,
    },
}

impl RuleError {
    /// The diagnostic code a refusal is reported under.
    pub fn code(&self) -> Code {
        match self {
            RuleError::Exists(_)
            | RuleError::SecondPrimaryKey { .. }
            | RuleError::LabelTwice { .. }
            | RuleError::LabelExists { .. } => Code::Duplicate,
            RuleError::ForeignKeyArity(_) => Code::Syntax,
            _ => Code::UnknownObject,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            RuleError::Missing(_) => {
                "create it in an earlier statement or migration, or check the spelling"
            }
            RuleError::Exists(Object::Constraint(..)) => {
                "choose another name or drop the old constraint first"
            }
            RuleError::Exists(_) => "drop it first, rename one of them, or add IF NOT EXISTS",
            RuleError::Dependent { object, dependent } => match (&**object, &**dependent) {
                (Object::Table(_), Object::ForeignKey(..)) => {
                    "add CASCADE to drop the dependent foreign keys too, or drop the referencing table first"
                }
                (Object::Column(..), Object::ForeignKey(..)) => {
                    "add CASCADE to drop the dependent constraints too, or drop them first"
                }
                (_, Object::ForeignKey(..)) => {
                    "add CASCADE to drop the dependent foreign keys too, or drop them first"
                }
                (_, Object::View(_)) => "add CASCADE to drop the view too, or drop the view first",
                (_, Object::Trigger(..)) => {
                    "add CASCADE to drop the triggers too, or drop them first"
                }
                (Object::Sequence(_), Object::Column(..)) => {
                    "drop the column's default first (ALTER TABLE … ALTER COLUMN … DROP DEFAULT), or add CASCADE"
                }
                (_, Object::Column(..)) => {
                    "add CASCADE to drop the dependent columns too, or change their type first"
                }
                _ => "add CASCADE, or drop what depends on it first",
            },
            RuleError::SchemaNotEmpty(_) => "add CASCADE, or drop its objects first",
            RuleError::BacksConstraint(_) => {
                "drop the constraint with ALTER TABLE … DROP CONSTRAINT instead"
            }
            RuleError::SecondPrimaryKey { .. } => "keep one PRIMARY KEY and make the others UNIQUE",
            RuleError::ConstraintColumn { .. } => "name a column of the table",
            RuleError::ReferenceMissing { target, .. }
                if matches!(**target, Object::Column(..)) =>
            {
                "reference an existing column"
            }
            RuleError::ReferenceMissing { .. } => {
                "create the referenced table first, or fix the name"
            }
            RuleError::NoPrimaryKey { .. } => "name the referenced columns explicitly",
            RuleError::ForeignKeyArity(_) => "list as many referenced columns as referencing ones",
            RuleError::LabelTwice { .. } => "remove the duplicate label",
            RuleError::UnusableIndex { .. } => {
                "create a unique index on plain columns, without a WHERE clause, for the constraint"
            }
            RuleError::LabelExists { .. } => "use ADD VALUE IF NOT EXISTS, or remove the statement",
            RuleError::LabelMissing { .. } => "name an existing label",
        }
    }
}

impl Catalog {
    /// Starts from `schema`.
    pub(crate) fn new(schema: Schema) -> Catalog {
        Catalog {
            schema,
            ..Catalog::default()
        }
    }

    // ----- journals ----------------------------------------------------------------

    /// Starts recording the entries operations change, as they were before.
    pub(crate) fn start_journal(&mut self) {
        self.journals.push(Journal::default());
    }

    /// Stops recording and returns what was recorded.
    pub(crate) fn take_journal(&mut self) -> Journal {
        self.journals.pop().unwrap_or_default()
    }

    /// Closes the innermost journal, keeping what was done since it opened: what it
    /// recorded moves to the journal around it.
    pub(crate) fn commit_journal(&mut self) {
        let inner = self.take_journal();
        if let Some(outer) = self.journals.last_mut() {
            outer.absorb(inner);
        }
    }

    /// Closes the innermost journal and undoes what was done since it opened.
    pub(crate) fn rollback_journal(&mut self) {
        let inner = self.take_journal();
        self.restore(inner);
    }

    /// Puts the entries `journal` recorded back as they were.
    fn restore(&mut self, journal: Journal) {
        if let Some(d) = self.dependents.get_mut() {
            d.stale_tables.extend(journal.tables.keys().cloned());
            d.stale_indexes.extend(journal.indexes.keys().cloned());
        }
        if let Some(n) = self.names.get_mut() {
            n.stale_tables.extend(journal.tables.keys().cloned());
        }
        journal.restore(&mut self.schema);
    }

    /// Opens a journal for a trial run (a down script applied only to be compared).
    pub(crate) fn start_trial(&mut self) {
        self.start_journal();
    }

    /// Ends a trial: the entries touched by the trial or by the run `before` recorded, as
    /// they were before that run and as the trial left them; then the schema is put back
    /// as it was when the trial started.
    pub(crate) fn end_trial(&mut self, before: &Journal) -> (Schema, Schema) {
        let trial = self.take_journal();
        let touched = Journal::touched(before, &trial, &self.schema);
        self.restore(trial);
        touched
    }

    // ----- names -------------------------------------------------------------------

    /// The name index read from the whole schema, to check the kept one against in debug
    /// builds.
    fn scanned_names(&self) -> NameIndex {
        let mut fresh = NameIndex::build(&self.schema);
        fresh.refresh(&self.schema);
        fresh
    }

    fn with_names<T>(&self, f: impl FnOnce(&NameIndex) -> T) -> T {
        let mut names = self.names.borrow_mut();
        let names = names.get_or_insert_with(|| NameIndex::build(&self.schema));
        names.refresh(&self.schema);
        f(names)
    }

    /// A name in the relation namespace of `name.schema` is used (tables, indexes,
    /// sequences, views, and the indexes behind constraints and serial columns).
    pub(crate) fn relation_taken(&self, name: &QualifiedName) -> bool {
        let s = &self.schema;
        s.tables.contains_key(name)
            || s.indexes.contains_key(name)
            || s.sequences.contains_key(name)
            || s.views.contains_key(name)
            || self.with_names(|ix| {
                let taken = ix.relation_taken(name);
                debug_assert_eq!(
                    taken,
                    self.scanned_names().relation_taken(name),
                    "the name index is stale"
                );
                taken
            })
    }

    /// A constraint of that name exists in `schema`.
    pub(crate) fn constraint_taken(&self, schema: &str, name: &str) -> bool {
        self.with_names(|ix| {
            let taken = ix.constraint_taken(schema, name);
            debug_assert_eq!(
                taken,
                self.scanned_names().constraint_taken(schema, name),
                "the name index is stale"
            );
            taken
        })
    }

    /// The schema exists (`public` and `pg_catalog` always do).
    pub(crate) fn schema_exists(&self, schema: &str) -> bool {
        schema == "public" || schema == "pg_catalog" || self.schema.schemas.contains_key(schema)
    }

    /// A type name as the search path resolves it: a qualified name as it is; a bare one
    /// to `public` when a type of that name is there, else to any schema that holds one.
    pub(crate) fn resolve_type(&self, name: QualifiedName, qualified: bool) -> QualifiedName {
        let s = &self.schema;
        if qualified || s.enums.contains_key(&name) || s.domains.contains_key(&name) {
            return name;
        }
        s.enums
            .keys()
            .chain(s.domains.keys())
            .find(|k| k.name == name.name)
            .cloned()
            .unwrap_or(name)
    }

    // ----- what depends on what ----------------------------------------------------

    /// Foreign keys (table, constraint) of other tables that reference `table` (and
    /// `column`, if given; a table's references to itself count for a column).
    pub(crate) fn referencing_fks(
        &self,
        table: &QualifiedName,
        column: Option<&str>,
    ) -> Vec<(QualifiedName, String)> {
        self.foreign_keys_to(table)
            .into_iter()
            .filter(|(fk, t, _)| {
                column.is_none_or(|col| fk.ref_columns.iter().any(|r| r == col))
                    && !(**t == *table && column.is_none())
            })
            .map(|(_, t, c)| (t.clone(), c.to_string()))
            .collect()
    }

    /// Every foreign key that references `table`: (the key, its table, its name), in the
    /// order of table and constraint names.
    pub(crate) fn foreign_keys_to(
        &self,
        table: &QualifiedName,
    ) -> Vec<(&ForeignKey, &QualifiedName, &str)> {
        let keys: Vec<(QualifiedName, String)> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.referrers
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        let found: Vec<(&ForeignKey, &QualifiedName, &str)> = keys
            .iter()
            .filter_map(|(t, c)| {
                let (name, table) = self.schema.tables.get_key_value(t)?;
                let (cname, constraint) = table.constraints.get_key_value(c)?;
                match &constraint.kind {
                    ConstraintKind::ForeignKey(fk) => Some((fk, name, cname.as_str())),
                    _ => None,
                }
            })
            .collect();
        debug_assert_eq!(
            found,
            self.schema
                .tables
                .iter()
                .flat_map(
                    |(name, t)| t.constraints.iter().filter_map(move |(cname, c)| {
                        match &c.kind {
                            ConstraintKind::ForeignKey(fk) if fk.ref_table == *table => {
                                Some((fk, name, cname.as_str()))
                            }
                            _ => None,
                        }
                    })
                )
                .collect::<Vec<_>>(),
            "the reverse index of foreign keys is stale"
        );
        found
    }

    /// The names of the indexes on `table`, in name order.
    pub(crate) fn indexes_on(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        let found: Vec<QualifiedName> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.indexes_on
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        debug_assert_eq!(
            found,
            self.schema
                .indexes
                .values()
                .filter(|i| i.table == *table)
                .map(|i| i.name.clone())
                .collect::<Vec<_>>(),
            "the reverse index of indexes is stale"
        );
        found
    }

    /// The functions a statement names: the overload with `args` when given, else every
    /// overload of the name.
    pub(crate) fn function_keys(
        &self,
        name: &QualifiedName,
        args: Option<Vec<DataType>>,
    ) -> Vec<FunctionKey> {
        match args {
            Some(args) => {
                let key = FunctionKey {
                    name: name.clone(),
                    args,
                };
                self.schema
                    .functions
                    .contains_key(&key)
                    .then_some(key)
                    .into_iter()
                    .collect()
            }
            None => journal::keys_where(&self.schema.functions, |k, _| k.name == *name),
        }
    }

    /// The keys of the triggers on `table`, in name order.
    pub(crate) fn triggers_on(&self, table: &QualifiedName) -> Vec<(QualifiedName, String)> {
        self.schema
            .triggers
            .range((table.clone(), String::new())..)
            .map(|(k, _)| k)
            .take_while(|(t, _)| t == table)
            .cloned()
            .collect()
    }

    /// The views that read `name` (by the names their queries resolve to, not by text),
    /// and the views that read those, in the order found.
    pub(crate) fn views_reading(&self, name: &QualifiedName) -> Vec<QualifiedName> {
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
}

#[cfg(test)]
mod tests {
    //! Every refusal is decided before anything changes: with no journal open to undo
    //! it, a refused operation leaves the schema exactly as it was.

    use super::*;

    const SETUP: &str = "
CREATE SCHEMA s;
CREATE TABLE s.t (id integer PRIMARY KEY);
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE parents (id integer PRIMARY KEY, code text UNIQUE, m mood);
CREATE TABLE children (id integer PRIMARY KEY, parent_id integer REFERENCES parents (id), note text);
CREATE INDEX children_note ON children (note);
CREATE VIEW parent_codes AS SELECT code FROM parents;
CREATE VIEW codes AS SELECT code FROM parent_codes;
CREATE TABLE lonely (x integer);
CREATE VIEW lonely_x AS SELECT x FROM lonely;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER touch_children BEFORE UPDATE ON children FOR EACH ROW EXECUTE FUNCTION touch();
";

    fn q(name: &str) -> QualifiedName {
        match name.split_once('.') {
            Some((s, n)) => QualifiedName::new(s, n),
            None => QualifiedName::public(name.to_string()),
        }
    }

    fn constraint(name: Option<&str>, kind: ConstraintKind) -> NewConstraint {
        NewConstraint {
            name: name.map(str::to_string),
            kind,
            deferrable: false,
            initially_deferred: false,
            loc: crate::source::Loc::default(),
        }
    }

    #[test]
    fn a_refused_operation_changes_nothing_before_any_undo() {
        let parsed = crate::parse_sql("setup.sql", SETUP);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let before = parsed.schema;
        let fk = |table: &str, column: &str| {
            ConstraintKind::ForeignKey(ForeignKey {
                columns: vec![column.to_string()],
                ref_table: q(table),
                ref_columns: Vec::new(),
                on_delete: FkAction::default(),
                on_update: FkAction::default(),
                match_type: FkMatch::Simple,
            })
        };
        type Op = Box<dyn Fn(&mut Catalog) -> Result<(), RuleError>>;
        let restrict = Behavior::Restrict;
        let cases: Vec<(&str, Op)> = vec![
            (
                "schema not empty",
                Box::new(move |c| c.drop_schema("s", restrict)),
            ),
            (
                "type in use",
                Box::new(move |c| c.drop_type(&q("mood"), restrict)),
            ),
            (
                "function with triggers",
                Box::new(move |c| c.drop_functions(&q("touch"), None, restrict)),
            ),
            (
                "table with foreign keys",
                Box::new(move |c| c.drop_table(&q("parents"), restrict)),
            ),
            (
                "view reads the table",
                Box::new(move |c| c.drop_table(&q("lonely"), restrict)),
            ),
            (
                "view reads the view",
                Box::new(move |c| c.drop_view(&q("parent_codes"), restrict)),
            ),
            (
                "column with foreign keys",
                Box::new(move |c| c.drop_column(&q("parents"), "id", restrict)),
            ),
            (
                "key with foreign keys",
                Box::new(move |c| c.drop_constraint(&q("parents"), "parents_pkey", restrict)),
            ),
            (
                "index behind a constraint",
                Box::new(|c| c.drop_index(&q("parents_pkey"))),
            ),
            (
                "rename to a taken name",
                Box::new(|c| c.rename_table(&q("parents"), &q("children"))),
            ),
            (
                "rename to an existing column",
                Box::new(|c| c.rename_column(&q("children"), "note", "id")),
            ),
            (
                "second primary key",
                Box::new(|c| {
                    c.add_constraint(
                        &q("children"),
                        constraint(
                            None,
                            ConstraintKind::PrimaryKey {
                                columns: vec!["note".into()],
                                include: Vec::new(),
                            },
                        ),
                    )
                    .map(drop)
                }),
            ),
            (
                "foreign key to nothing",
                Box::new(move |c| {
                    c.add_constraint(&q("children"), constraint(None, fk("nowhere", "note")))
                        .map(drop)
                }),
            ),
            (
                "duplicate constraint",
                Box::new(move |c| {
                    c.add_constraint(
                        &q("children"),
                        constraint(Some("children_pkey"), fk("parents", "parent_id")),
                    )
                    .map(drop)
                }),
            ),
            (
                "label position",
                Box::new(|c| {
                    c.add_enum_label(&q("mood"), "c".into(), LabelPosition::After("zzz".into()))
                }),
            ),
            (
                "label exists",
                Box::new(|c| c.rename_enum_label(&q("mood"), "a", "b")),
            ),
            (
                "missing column",
                Box::new(|c| c.alter_column(&q("children"), "nope", ColumnChange::SetNotNull)),
            ),
        ];
        for (case, op) in cases {
            let mut catalog = Catalog::new(before.clone());
            let result = op(&mut catalog);
            assert!(result.is_err(), "{case}: not refused");
            assert!(
                catalog.schema == before,
                "{case}: the schema changed: {result:?}"
            );
        }
    }
}
