//! One typed comparison of two schema models: [`diff()`] lists what turns `a` into `b` as
//! [`Change`]s, each naming the object by its path (`public.jobs.status`) and carrying the
//! whole object before and after, so a reader can print it and a generator can write DDL
//! from it. Every comparison of two models uses it: verify's checks, the offline down
//! check, and migration generation.
//!
//! Granularity follows what DDL can change in place: a table is compared column by
//! column (each attribute of a column on its own), constraint by constraint, plus its
//! column order and comment; an enum by its labels and comment; an index or a view as a
//! whole, its comment apart; every other object as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::model::display::{ConstraintSql, IndexSql};
use crate::model::*;

/// Where an object lives: its schema and names down to the object, e.g. `public`, `jobs`,
/// `status` for a column; a function also has its argument types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Path {
    /// Names from the outermost (a schema, or an extension's own name) to the object.
    pub names: Vec<String>,
    /// A function's argument types (functions overload on them); `None` for anything else.
    pub args: Option<Vec<DataType>>,
}

impl Path {
    fn of(names: &[&str]) -> Self {
        Path {
            names: names.iter().map(|n| n.to_string()).collect(),
            args: None,
        }
    }

    fn qualified(q: &QualifiedName, more: &[&str]) -> Self {
        let mut names = vec![q.schema.as_str(), q.name.as_str()];
        names.extend_from_slice(more);
        Path::of(&names)
    }
}

impl fmt::Display for Path {
    /// `public.jobs.status`, quoting names where Postgres needs it; `public.f(integer)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.names.iter().map(|n| quote_ident(n)).collect();
        f.write_str(&names.join("."))?;
        if let Some(args) = &self.args {
            let args: Vec<String> = args.iter().map(ToString::to_string).collect();
            write!(f, "({})", args.join(", "))?;
        }
        Ok(())
    }
}

/// A whole object of the model, with what is needed to name it (a column or a constraint
/// knows its table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Object {
    /// A namespace.
    Schema(Namespace),
    /// An extension.
    Extension(Extension),
    /// An enum type.
    Enum(EnumType),
    /// A domain.
    Domain(Domain),
    /// A sequence.
    Sequence(Sequence),
    /// A table with its columns and constraints.
    Table(Table),
    /// A column of a table.
    Column {
        /// The table.
        table: QualifiedName,
        /// The column.
        column: Column,
    },
    /// A constraint of a table.
    Constraint {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        constraint: Constraint,
    },
    /// An index.
    Index(Index),
    /// A view or materialized view.
    View(View),
    /// A function or procedure.
    Function(Function),
    /// A trigger.
    Trigger(Trigger),
}

impl Object {
    /// The object's path, e.g. `public.jobs.status`.
    pub fn path(&self) -> Path {
        match self {
            Object::Schema(s) => Path::of(&[&s.name]),
            Object::Extension(e) => Path::of(&[&e.name]),
            Object::Enum(e) => Path::qualified(&e.name, &[]),
            Object::Domain(d) => Path::qualified(&d.name, &[]),
            Object::Sequence(s) => Path::qualified(&s.name, &[]),
            Object::Table(t) => Path::qualified(&t.name, &[]),
            Object::Column { table, column } => Path::qualified(table, &[&column.name]),
            Object::Constraint { table, constraint } => Path::qualified(table, &[&constraint.name]),
            Object::Index(i) => Path::qualified(&i.name, &[]),
            Object::View(v) => Path::qualified(&v.name, &[]),
            Object::Function(func) => Path {
                args: Some(func.key.args.clone()),
                ..Path::qualified(&func.key.name, &[])
            },
            Object::Trigger(t) => Path::qualified(&t.table, &[&t.name]),
        }
    }

    /// What the object is, in words: `table`, `foreign key`, `materialized view`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Schema(_) => "schema",
            Object::Extension(_) => "extension",
            Object::Enum(_) => "enum",
            Object::Domain(_) => "domain",
            Object::Sequence(_) => "sequence",
            Object::Table(_) => "table",
            Object::Column { .. } => "column",
            Object::Constraint { constraint, .. } => match constraint.kind {
                ConstraintKind::PrimaryKey { .. } => "primary key",
                ConstraintKind::Unique { .. } => "unique constraint",
                ConstraintKind::Check { .. } => "check constraint",
                ConstraintKind::ForeignKey(_) => "foreign key",
                ConstraintKind::Exclusion { .. } => "exclusion constraint",
            },
            Object::Index(i) if i.unique => "unique index",
            Object::Index(_) => "index",
            Object::View(v) if v.materialized => "materialized view",
            Object::View(_) => "view",
            Object::Function(func) if func.returns.is_none() => "procedure",
            Object::Function(_) => "function",
            Object::Trigger(_) => "trigger",
        }
    }

    /// A short definition shown when the object is added or removed, if it has one that
    /// fits on a line (line breaks Postgres prints in expressions become spaces).
    fn summary(&self) -> Option<String> {
        let text = match self {
            Object::Column { column, .. } => Some(column_definition(column)),
            Object::Constraint { constraint, .. } => Some(constraint_definition(constraint)),
            Object::Enum(e) => Some(labels(&e.labels)),
            Object::Index(i) => Some(IndexSql(i).to_string()),
            _ => None,
        }?;
        Some(one_line(&text))
    }

    /// Whether generated code depends on this object existing: tables, columns, enums,
    /// and primary, unique and foreign keys.
    fn affects_codegen(&self) -> bool {
        match self {
            Object::Table(_) | Object::Column { .. } | Object::Enum(_) => true,
            Object::Constraint { constraint, .. } => is_key(constraint),
            _ => false,
        }
    }
}

/// An attribute of a column that can change on its own (`ALTER COLUMN … TYPE`, `SET NOT
/// NULL`, `SET DEFAULT`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnAttribute {
    /// The data type.
    Type,
    /// `NOT NULL` or nullable.
    Nullability,
    /// The default expression.
    Default,
    /// `GENERATED … AS IDENTITY`.
    Identity,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    Generated,
    /// `COLLATE`.
    Collation,
    /// `COMMENT ON COLUMN`.
    Comment,
}

impl ColumnAttribute {
    const ALL: [ColumnAttribute; 7] = [
        ColumnAttribute::Type,
        ColumnAttribute::Nullability,
        ColumnAttribute::Default,
        ColumnAttribute::Identity,
        ColumnAttribute::Generated,
        ColumnAttribute::Collation,
        ColumnAttribute::Comment,
    ];

    fn differs(self, a: &Column, b: &Column) -> bool {
        match self {
            ColumnAttribute::Type => a.data_type != b.data_type,
            ColumnAttribute::Nullability => a.not_null != b.not_null,
            ColumnAttribute::Default => a.default != b.default,
            ColumnAttribute::Identity => a.identity != b.identity,
            ColumnAttribute::Generated => a.generated != b.generated,
            ColumnAttribute::Collation => a.collation != b.collation,
            ColumnAttribute::Comment => a.comment != b.comment,
        }
    }

    /// The attribute's value in a column, as it reads in DDL.
    fn value(self, c: &Column) -> String {
        let text = |v: &Option<String>| v.as_ref().map_or("none".to_string(), |v| format!("`{v}`"));
        match self {
            ColumnAttribute::Type => format!("`{}`", c.data_type),
            ColumnAttribute::Nullability => nullness(c.not_null).to_string(),
            ColumnAttribute::Default => text(&c.default),
            ColumnAttribute::Generated => text(&c.generated),
            ColumnAttribute::Identity => match c.identity {
                None => "none".to_string(),
                Some(Identity::Always) => "`GENERATED ALWAYS AS IDENTITY`".to_string(),
                Some(Identity::ByDefault) => "`GENERATED BY DEFAULT AS IDENTITY`".to_string(),
            },
            ColumnAttribute::Collation => text(&c.collation),
            ColumnAttribute::Comment => c
                .comment
                .as_ref()
                .map_or("none".to_string(), |c| quote_literal(c)),
        }
    }

    fn name(self) -> &'static str {
        match self {
            ColumnAttribute::Type => "type",
            ColumnAttribute::Nullability => "nullability",
            ColumnAttribute::Default => "default",
            ColumnAttribute::Identity => "identity",
            ColumnAttribute::Generated => "generated",
            ColumnAttribute::Collation => "collation",
            ColumnAttribute::Comment => "comment",
        }
    }
}

/// One difference between two models, from `a` (before) to `b` (after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Only in `b`.
    Added(Object),
    /// Only in `a`.
    Removed(Object),
    /// In both, different as a whole (domains, sequences, indexes, views, functions,
    /// triggers, extensions, constraints). Comments are reported apart.
    Changed {
        /// The object in `a`.
        before: Object,
        /// The object in `b`.
        after: Object,
    },
    /// One attribute of a column that is in both.
    Column {
        /// The table.
        table: QualifiedName,
        /// What changed.
        attribute: ColumnAttribute,
        /// The column in `a`.
        before: Column,
        /// The column in `b`.
        after: Column,
    },
    /// The labels of an enum that is in both.
    EnumLabels {
        /// The enum in `a`.
        before: EnumType,
        /// The enum in `b`.
        after: EnumType,
        /// Labels only in `b`.
        added: Vec<String>,
        /// Labels only in `a`.
        removed: Vec<String>,
        /// The labels in both are in another order.
        reordered: bool,
    },
    /// The order of the columns of a table that is in both, when it is not what adding
    /// and dropping columns gives (dropped ones gone, added ones at the end).
    ColumnOrder {
        /// The table in `a`.
        before: Table,
        /// The table in `b`.
        after: Table,
    },
    /// The comment of a table, enum, index or view that is in both.
    Comment {
        /// The object as it is in `b`.
        on: Object,
        /// The comment in `a`.
        before: Option<String>,
        /// The comment in `b`.
        after: Option<String>,
    },
}

impl Change {
    /// The path of the object that changed.
    pub fn path(&self) -> Path {
        match self {
            Change::Added(o) | Change::Removed(o) => o.path(),
            Change::Changed { after, .. } => after.path(),
            Change::Column { table, after, .. } => Path::qualified(table, &[&after.name]),
            Change::EnumLabels { after, .. } => Path::qualified(&after.name, &[]),
            Change::ColumnOrder { after, .. } => Path::qualified(&after.name, &[]),
            Change::Comment { on, .. } => on.path(),
        }
    }

    /// Whether generated code depends on this change: tables, columns and enums added or
    /// removed, a column's type, nullability, identity, whether it has a default or is
    /// generated, column order, primary, unique and foreign keys, enum labels. Check b
    /// fails on these; the others are listed.
    pub fn affects_codegen(&self) -> bool {
        match self {
            Change::Added(o) | Change::Removed(o) => o.affects_codegen(),
            Change::Changed { before, after } => {
                before.affects_codegen() || after.affects_codegen()
            }
            Change::Column {
                attribute,
                before,
                after,
                ..
            } => match attribute {
                ColumnAttribute::Type
                | ColumnAttribute::Nullability
                | ColumnAttribute::Identity => true,
                ColumnAttribute::Default => before.default.is_some() != after.default.is_some(),
                ColumnAttribute::Generated => {
                    before.generated.is_some() != after.generated.is_some()
                }
                ColumnAttribute::Collation | ColumnAttribute::Comment => false,
            },
            Change::EnumLabels { .. } | Change::ColumnOrder { .. } => true,
            Change::Comment { .. } => false,
        }
    }
}

impl fmt::Display for Change {
    /// One line: the object's kind and path, then what happened, before → after.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added(o) | Change::Removed(o) => {
                let verb = if matches!(self, Change::Added(_)) {
                    "added"
                } else {
                    "removed"
                };
                write!(f, "{} `{}` {verb}", o.kind(), o.path())?;
                if let Some(s) = o.summary() {
                    write!(f, ": `{s}`")?;
                }
                Ok(())
            }
            Change::Changed { before, after } => {
                write!(f, "{} `{}` changed", after.kind(), after.path())?;
                if before.kind() != after.kind() {
                    write!(f, " from a {}", before.kind())?;
                }
                match (before.summary(), after.summary()) {
                    (Some(b), Some(a)) => write!(f, ": `{b}` → `{a}`"),
                    _ => write!(f, ": {}", changed_fields(before, after).join(", ")),
                }
            }
            Change::Column {
                table,
                attribute,
                before,
                after,
            } => write!(
                f,
                "column `{}` {}: {} → {}",
                Path::qualified(table, &[&after.name]),
                attribute.name(),
                attribute.value(before),
                attribute.value(after)
            ),
            Change::EnumLabels {
                before,
                after,
                added,
                removed,
                reordered,
            } => {
                write!(
                    f,
                    "enum `{}` labels: {} → {}",
                    self.path(),
                    labels(&before.labels),
                    labels(&after.labels)
                )?;
                let mut what = Vec::new();
                if !added.is_empty() {
                    what.push(format!("added {}", labels(added)));
                }
                if !removed.is_empty() {
                    what.push(format!("removed {}", labels(removed)));
                }
                if *reordered {
                    what.push("reordered".to_string());
                }
                write!(f, " ({})", what.join("; "))
            }
            Change::ColumnOrder { before, after } => {
                let names = |t: &Table| {
                    let n: Vec<String> = t.columns.iter().map(|c| quote_ident(&c.name)).collect();
                    n.join(", ")
                };
                write!(
                    f,
                    "table `{}` column order: ({}) → ({})",
                    self.path(),
                    names(before),
                    names(after)
                )
            }
            Change::Comment { on, before, after } => {
                let text = |c: &Option<String>| {
                    c.as_ref().map_or("none".to_string(), |c| quote_literal(c))
                };
                write!(
                    f,
                    "comment on {} `{}`: {} → {}",
                    on.kind(),
                    on.path(),
                    text(before),
                    text(after)
                )
            }
        }
    }
}

/// What turns `a` into `b`, in a deterministic order: schemas, extensions, enums,
/// domains, sequences, tables (each with its columns, column order, constraints and
/// comment), indexes, views, functions, triggers; within a kind, by name.
pub fn diff(a: &Schema, b: &Schema) -> Vec<Change> {
    let mut out = Vec::new();
    whole(&a.schemas, &b.schemas, Object::Schema, &mut out);
    whole(&a.extensions, &b.extensions, Object::Extension, &mut out);
    merge(&a.enums, &b.enums, |x, y| match (x, y) {
        (Some(x), Some(y)) => enum_changes(x, y, &mut out),
        (x, y) => added_or_removed(x, y, |e| Object::Enum(e.clone()), &mut out),
    });
    whole(&a.domains, &b.domains, Object::Domain, &mut out);
    whole(&a.sequences, &b.sequences, Object::Sequence, &mut out);
    merge(&a.tables, &b.tables, |x, y| match (x, y) {
        (Some(x), Some(y)) => table_changes(x, y, &mut out),
        (x, y) => added_or_removed(x, y, |t| Object::Table(t.clone()), &mut out),
    });
    merge(&a.indexes, &b.indexes, |x, y| match (x, y) {
        (Some(x), Some(y)) => {
            let bare = |i: &Index| Index {
                comment: None,
                ..i.clone()
            };
            if bare(x) != bare(y) {
                out.push(changed(Object::Index(x.clone()), Object::Index(y.clone())));
            }
            comment(
                &x.comment,
                &y.comment,
                || Object::Index(y.clone()),
                &mut out,
            );
        }
        (x, y) => added_or_removed(x, y, |i| Object::Index(i.clone()), &mut out),
    });
    merge(&a.views, &b.views, |x, y| match (x, y) {
        (Some(x), Some(y)) => {
            let bare = |v: &View| View {
                comment: None,
                ..v.clone()
            };
            if bare(x) != bare(y) {
                out.push(changed(Object::View(x.clone()), Object::View(y.clone())));
            }
            comment(&x.comment, &y.comment, || Object::View(y.clone()), &mut out);
        }
        (x, y) => added_or_removed(x, y, |v| Object::View(v.clone()), &mut out),
    });
    whole(&a.functions, &b.functions, Object::Function, &mut out);
    whole(&a.triggers, &b.triggers, Object::Trigger, &mut out);
    out
}

/// The changes on one line, separated by `; ` (for a message that names its two sides).
pub fn listing(changes: &[Change]) -> String {
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    lines.join("; ")
}

/// Calls `each` with the two sides of every key of either map, in key order.
fn merge<'m, K: Ord, V>(
    a: &'m BTreeMap<K, V>,
    b: &'m BTreeMap<K, V>,
    mut each: impl FnMut(Option<&'m V>, Option<&'m V>),
) {
    let keys: BTreeSet<&K> = a.keys().chain(b.keys()).collect();
    for k in keys {
        each(a.get(k), b.get(k));
    }
}

/// Objects compared as a whole.
fn whole<K: Ord, V: PartialEq + Clone>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    object: impl Fn(V) -> Object,
    out: &mut Vec<Change>,
) {
    merge(a, b, |x, y| match (x, y) {
        (Some(x), Some(y)) if x != y => out.push(changed(object(x.clone()), object(y.clone()))),
        (Some(_), Some(_)) => {}
        (x, y) => added_or_removed(x, y, |v| object(v.clone()), out),
    });
}

fn added_or_removed<V>(
    a: Option<&V>,
    b: Option<&V>,
    object: impl Fn(&V) -> Object,
    out: &mut Vec<Change>,
) {
    match (a, b) {
        (Some(x), None) => out.push(Change::Removed(object(x))),
        (None, Some(y)) => out.push(Change::Added(object(y))),
        _ => {}
    }
}

fn changed(before: Object, after: Object) -> Change {
    Change::Changed { before, after }
}

fn comment(
    a: &Option<String>,
    b: &Option<String>,
    on: impl FnOnce() -> Object,
    out: &mut Vec<Change>,
) {
    if a != b {
        out.push(Change::Comment {
            on: on(),
            before: a.clone(),
            after: b.clone(),
        });
    }
}

fn enum_changes(a: &EnumType, b: &EnumType, out: &mut Vec<Change>) {
    if a.labels != b.labels {
        let added: Vec<String> = b
            .labels
            .iter()
            .filter(|l| !a.labels.contains(l))
            .cloned()
            .collect();
        let removed: Vec<String> = a
            .labels
            .iter()
            .filter(|l| !b.labels.contains(l))
            .cloned()
            .collect();
        let kept = |x: &EnumType, y: &EnumType| -> Vec<String> {
            x.labels
                .iter()
                .filter(|l| y.labels.contains(l))
                .cloned()
                .collect()
        };
        out.push(Change::EnumLabels {
            before: a.clone(),
            after: b.clone(),
            added,
            removed,
            reordered: kept(a, b) != kept(b, a),
        });
    }
    comment(&a.comment, &b.comment, || Object::Enum(b.clone()), out);
}

fn table_changes(a: &Table, b: &Table, out: &mut Vec<Change>) {
    let column = |c: &Column| Object::Column {
        table: b.name.clone(),
        column: c.clone(),
    };
    for x in &a.columns {
        let Some(y) = b.column(&x.name) else {
            out.push(Change::Removed(Object::Column {
                table: a.name.clone(),
                column: x.clone(),
            }));
            continue;
        };
        for attribute in ColumnAttribute::ALL {
            if attribute.differs(x, y) {
                out.push(Change::Column {
                    table: b.name.clone(),
                    attribute,
                    before: x.clone(),
                    after: y.clone(),
                });
            }
        }
    }
    for y in b.columns.iter().filter(|y| a.column(&y.name).is_none()) {
        out.push(Change::Added(column(y)));
    }
    // What ALTER TABLE gives: a's columns still in b, in a's order, then b's new ones.
    let expected: Vec<&str> = a
        .columns
        .iter()
        .filter(|x| b.column(&x.name).is_some())
        .chain(b.columns.iter().filter(|y| a.column(&y.name).is_none()))
        .map(|c| c.name.as_str())
        .collect();
    let actual: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).collect();
    if expected != actual {
        out.push(Change::ColumnOrder {
            before: a.clone(),
            after: b.clone(),
        });
    }
    merge(&a.constraints, &b.constraints, |x, y| {
        let constraint = |t: &Table, c: &Constraint| Object::Constraint {
            table: t.name.clone(),
            constraint: c.clone(),
        };
        match (x, y) {
            (Some(x), Some(y)) if x != y => {
                out.push(changed(constraint(a, x), constraint(b, y)));
            }
            (Some(_), Some(_)) => {}
            (x, y) => {
                added_or_removed(x, None, |c| constraint(a, c), out);
                added_or_removed(None, y, |c| constraint(b, c), out);
            }
        }
    });
    comment(&a.comment, &b.comment, || Object::Table(b.clone()), out);
}

fn is_key(c: &Constraint) -> bool {
    matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. }
            | ConstraintKind::Unique { .. }
            | ConstraintKind::ForeignKey(_)
    )
}

/// Each line break with the indentation around it becomes one space.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.join(" ")
}

fn nullness(not_null: bool) -> &'static str {
    if not_null { "NOT NULL" } else { "nullable" }
}

fn labels(labels: &[String]) -> String {
    let quoted: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
    quoted.join(", ")
}

/// A column as it reads in CREATE TABLE, without its name.
fn column_definition(c: &Column) -> String {
    let mut s = c.data_type.to_string();
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    match c.identity {
        Some(Identity::Always) => s.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault) => s.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
    }
    s
}

/// A constraint as it reads in CREATE TABLE, without `CONSTRAINT name`.
fn constraint_definition(c: &Constraint) -> String {
    let text = ConstraintSql(c).to_string();
    let prefix = format!("CONSTRAINT {} ", quote_ident(&c.name));
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// The names of the fields that differ between two objects without a one-line summary.
fn changed_fields(before: &Object, after: &Object) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut field = |name: &'static str, differs: bool| {
        if differs {
            out.push(name);
        }
    };
    match (before, after) {
        (Object::Extension(a), Object::Extension(b)) => {
            field("schema", a.schema != b.schema);
            field("version", a.version != b.version);
        }
        (Object::Domain(a), Object::Domain(b)) => {
            field("base type", a.base != b.base);
            field("nullability", a.not_null != b.not_null);
            field("default", a.default != b.default);
            field("collation", a.collation != b.collation);
            field("checks", a.checks != b.checks);
        }
        (Object::Sequence(a), Object::Sequence(b)) => {
            field("type", a.data_type != b.data_type);
            field("owner", a.owned_by != b.owned_by);
        }
        (Object::View(a), Object::View(b)) => {
            field("materialized", a.materialized != b.materialized);
            field("definition", a.definition != b.definition);
        }
        (Object::Function(a), Object::Function(b)) => {
            field("parameters", a.params != b.params);
            field("return type", a.returns != b.returns);
            field("language", a.language != b.language);
            field("volatility", a.volatility != b.volatility);
            field("body", a.body != b.body);
            field("body style", a.body_style != b.body_style);
            field("strictness", a.strict != b.strict);
            field("security", a.security_definer != b.security_definer);
            field("leakproofness", a.leakproof != b.leakproof);
            field("parallel safety", a.parallel != b.parallel);
            field("cost", a.cost != b.cost);
            field("rows", a.rows != b.rows);
            field("settings", a.config != b.config);
        }
        (Object::Trigger(a), Object::Trigger(b)) => {
            field("timing", a.timing != b.timing);
            field("events", a.events != b.events);
            field("level", a.for_each_row != b.for_each_row);
            field("condition", a.condition != b.condition);
            field("function", a.function != b.function);
        }
        _ => {}
    }
    if out.is_empty() {
        out.push("definition");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> Schema {
        let parsed = crate::parse_sql("test.sql", sql);
        assert!(!parsed.has_errors(), "{sql}");
        parsed.schema
    }

    fn lines(a: &str, b: &str) -> Vec<String> {
        diff(&parse(a), &parse(b))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_function_attribute_is_named() {
        let f = |attrs: &str| {
            format!("CREATE FUNCTION f() RETURNS int LANGUAGE sql {attrs} AS $$SELECT 1$$;")
        };
        assert_eq!(
            lines(
                &f(""),
                &f("STRICT SECURITY DEFINER PARALLEL SAFE COST 5 SET search_path = x")
            ),
            [
                "function `public.f()` changed: strictness, security, parallel safety, cost, settings"
            ]
        );
    }

    #[test]
    fn equal_models_have_no_changes() {
        let sql = "CREATE TYPE mood AS ENUM ('a', 'b');
            CREATE TABLE jobs (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'a');
            CREATE INDEX ON jobs (m);";
        assert!(lines(sql, sql).is_empty());
    }

    #[test]
    fn each_column_attribute_is_its_own_change() {
        let got = lines(
            "CREATE TABLE jobs (id int PRIMARY KEY, status text, n int DEFAULT 1);",
            "CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'x', n int DEFAULT 2, extra int);",
        );
        assert_eq!(
            got,
            [
                "column `public.jobs.id` type: `integer` → `bigint`",
                "column `public.jobs.status` nullability: nullable → NOT NULL",
                "column `public.jobs.status` default: none → `'x'`",
                "column `public.jobs.n` default: `1` → `2`",
                "column `public.jobs.extra` added: `integer`",
            ]
        );
    }

    #[test]
    fn codegen_subset_is_types_nullability_has_default_keys_and_labels() {
        let changes = diff(
            &parse(
                "CREATE TYPE mood AS ENUM ('a', 'b');
                 CREATE TABLE jobs (id int PRIMARY KEY, n int DEFAULT 1, c int CHECK (c > 0));
                 COMMENT ON TABLE jobs IS 'x';",
            ),
            &parse(
                "CREATE TYPE mood AS ENUM ('b', 'a', 'c');
                 CREATE TABLE jobs (id int, n int DEFAULT 2, c int CHECK (c > 1));
                 CREATE INDEX ON jobs (n);",
            ),
        );
        let strict: Vec<String> = changes
            .iter()
            .filter(|c| c.affects_codegen())
            .map(ToString::to_string)
            .collect();
        let rest: Vec<String> = changes
            .iter()
            .filter(|c| !c.affects_codegen())
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            strict,
            [
                "enum `public.mood` labels: 'a', 'b' → 'b', 'a', 'c' (added 'c'; reordered)",
                "column `public.jobs.id` nullability: NOT NULL → nullable",
                "primary key `public.jobs.jobs_pkey` removed: `PRIMARY KEY (id)`",
            ]
        );
        assert_eq!(
            rest,
            [
                "column `public.jobs.n` default: `1` → `2`",
                "check constraint `public.jobs.jobs_c_check` changed: `CHECK (c > 0)` → `CHECK (c > 1)`",
                "comment on table `public.jobs`: 'x' → none",
                "index `public.jobs_n_idx` added: `CREATE INDEX jobs_n_idx ON jobs USING btree (n)`",
            ]
        );
    }

    #[test]
    fn changes_carry_whole_objects_and_paths() {
        let changes = diff(
            &parse("CREATE SCHEMA app; CREATE TABLE app.t (\"Id\" int);"),
            &parse("CREATE SCHEMA app; CREATE TABLE app.t (\"Id\" int NOT NULL);"),
        );
        let [
            Change::Column {
                table,
                attribute: ColumnAttribute::Nullability,
                before,
                after,
            },
        ] = changes.as_slice()
        else {
            panic!("{changes:?}")
        };
        assert_eq!(table, &QualifiedName::new("app", "t"));
        assert!(!before.not_null && after.not_null);
        assert_eq!(changes[0].path().to_string(), "app.t.\"Id\"");
    }

    #[test]
    fn column_order_is_a_change_only_when_alter_table_cannot_give_it() {
        let order = |a: &str, b: &str| {
            diff(&parse(a), &parse(b))
                .iter()
                .any(|c| matches!(c, Change::ColumnOrder { .. }))
        };
        assert!(!order(
            "CREATE TABLE t (a int, b int, c int);",
            "CREATE TABLE t (a int, c int, d int);"
        ));
        assert!(order(
            "CREATE TABLE t (a int, b int);",
            "CREATE TABLE t (b int, a int);"
        ));
        assert!(order(
            "CREATE TABLE t (a int, b int);",
            "CREATE TABLE t (a int, c int, b int);"
        ));
    }

    #[test]
    fn order_is_by_kind_then_name() {
        let got = lines(
            "CREATE TABLE b (id int); CREATE TABLE a (id int); CREATE TYPE e AS ENUM ('x');",
            "CREATE VIEW v AS SELECT 1 AS one; CREATE SCHEMA s;",
        );
        assert_eq!(
            got,
            [
                "schema `s` added",
                "enum `public.e` removed: `'x'`",
                "table `public.a` removed",
                "table `public.b` removed",
                "view `public.v` added",
            ]
        );
    }
}
