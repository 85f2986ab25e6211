//! The next migration, from one model to another: the typed [`diff()`]'s changes written
//! as SQL statements in an order Postgres can apply, and the down script as the plan of
//! the way back. Destructive changes (dropping a table, a column, an enum label, a type
//! that narrows) are refused unless allowed; a rename is never guessed (a
//! [`ColumnRename`] says it). Lock-friendly forms where a table already exists: indexes
//! `CONCURRENTLY` (outside a transaction), foreign keys and checks `NOT VALID`, then
//! validated.

use std::fmt;

use super::diff::{Change, ColumnAttribute, Object, diff};
use super::display::{ColumnSql, ConstraintSql, DefaultSql, IndexSql, TypeSql};
use super::*;

mod sql;

use sql::*;

/// What may change beyond adding, and how.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Drop tables, columns, types and labels, and narrow types, where the target says so.
    pub allow_destructive: bool,
    /// Column renames: the pair of a dropped and an added column that is one column.
    pub renames: Vec<ColumnRename>,
    /// The migration may run outside a transaction, so indexes on existing tables are
    /// built and dropped `CONCURRENTLY`. Layouts with no way to say so (`-- UP`/`-- DOWN`,
    /// drizzle) take the plain forms.
    pub concurrently: bool,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            allow_destructive: false,
            renames: Vec::new(),
            concurrently: true,
        }
    }
}

/// `TABLE.OLD=NEW`: column `from` of `table` is column `to` of the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRename {
    /// The table (as named in the target).
    pub table: QualifiedName,
    /// The column's name before.
    pub from: String,
    /// Its name after.
    pub to: String,
}

/// One step of a migration: statements for one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The statements, each ending in `;`.
    pub sql: String,
    /// Whether the statements cannot run inside a transaction block.
    pub no_transaction: bool,
    /// The change it makes, as the diff says it.
    pub change: String,
}

/// A migration: the up steps and the down steps that undo them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// From the first model to the second.
    pub up: Vec<Step>,
    /// Back.
    pub down: Vec<Step>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// Whether the migration must run outside a transaction.
    pub fn no_transaction(&self) -> bool {
        self.up.iter().chain(&self.down).any(|s| s.no_transaction)
    }

    /// The up script.
    pub fn up_sql(&self) -> String {
        script(&self.up)
    }

    /// The down script.
    pub fn down_sql(&self) -> String {
        script(&self.down)
    }
}

fn script(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| format!("-- {}\n{}\n", s.change, s.sql.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A change the plan will not make, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The change.
    pub change: String,
    /// Why not.
    pub why: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.change, self.why)
    }
}

/// The migration from `from` to `to`. Its down script is the plan from `to` back to
/// `from` (with destructive changes allowed: undoing an addition drops it).
pub fn plan(from: &Schema, to: &Schema, opts: &PlanOptions) -> Result<Plan, Vec<Refusal>> {
    let up = steps(from, to, opts)?;
    let back = PlanOptions {
        allow_destructive: true,
        concurrently: opts.concurrently,
        renames: opts
            .renames
            .iter()
            .map(|r| ColumnRename {
                table: r.table.clone(),
                from: r.to.clone(),
                to: r.from.clone(),
            })
            .collect(),
    };
    let down = steps(to, from, &back)?;
    Ok(Plan { up, down })
}

/// The order steps go in: what must go first (drops of what depends on others) to what
/// must come last (what depends on the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Rename,
    DropTrigger,
    DropView,
    DropForeignKey,
    DropConstraint,
    DropIndex,
    DropFunction,
    CreateSchema,
    CreateType,
    CreateSequence,
    CreateTable,
    AlterColumn,
    DropColumn,
    DropTable,
    DropType,
    DropSchema,
    AddConstraint,
    AddForeignKey,
    CreateIndex,
    CreateFunction,
    CreateView,
    CreateViewIndex,
    CreateTrigger,
    Comment,
}

fn steps(from: &Schema, to: &Schema, opts: &PlanOptions) -> Result<Vec<Step>, Vec<Refusal>> {
    let mut out: Vec<(Phase, Step)> = Vec::new();
    let mut refusals = Vec::new();
    // Renames first, applied to a copy of `from` so the diff sees one column.
    let mut from = from.clone();
    for r in &opts.renames {
        let Some(t) = from.tables.get_mut(&r.table) else {
            refusals.push(Refusal {
                change: format!("rename {}.{} to {}", r.table, r.from, r.to),
                why: format!("table {} is not in the schema before", r.table),
            });
            continue;
        };
        let Some(c) = t.column_mut(&r.from) else {
            refusals.push(Refusal {
                change: format!("rename {}.{} to {}", r.table, r.from, r.to),
                why: format!("table {} has no column {}", r.table, r.from),
            });
            continue;
        };
        c.name = r.to.clone();
        out.push((
            Phase::Rename,
            Step {
                sql: format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    r.table,
                    quote_ident(&r.from),
                    quote_ident(&r.to)
                ),
                no_transaction: false,
                change: format!("column {}.{} renamed to {}", r.table, r.from, r.to),
            },
        ));
    }
    let from = &from;
    let changes = diff(from, to);
    // A view that reads a column whose type changes blocks the change: it is dropped
    // first and created again after (unless the diff drops or changes it anyway).
    let handled: Vec<&QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Removed(Object::View(v))
            | Change::Changed {
                after: Object::View(v),
                ..
            } => Some(&v.name),
            _ => None,
        })
        .collect();
    let retyped: Vec<&QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Column {
                table,
                attribute: ColumnAttribute::Type | ColumnAttribute::Collation,
                ..
            } => Some(table),
            _ => None,
        })
        .collect();
    let mut rebuilt: Vec<&QualifiedName> = Vec::new();
    for v in from.views.values() {
        if handled.contains(&&v.name) || rebuilt.contains(&&v.name) {
            continue;
        }
        if retyped.iter().any(|t| v.depends_on.0.contains(*t)) {
            if let Some(new) = to.views.get(&v.name) {
                rebuilt.push(&v.name);
                let change = format!("view {} read a column whose type changes", v.name);
                out.push((
                    Phase::DropView,
                    Step {
                        sql: drop_view(v),
                        no_transaction: false,
                        change: change.clone(),
                    },
                ));
                out.push((
                    Phase::CreateView,
                    Step {
                        sql: create_sql(&Object::View(new.clone())),
                        no_transaction: false,
                        change,
                    },
                ));
            }
        }
    }
    for change in changes {
        let text = change.to_string();
        let mut push = |phase: Phase, sql: String, no_transaction: bool| {
            out.push((
                phase,
                Step {
                    sql,
                    no_transaction,
                    change: text.clone(),
                },
            ));
        };
        let mut refuse = |why: &str| {
            refusals.push(Refusal {
                change: text.clone(),
                why: why.to_string(),
            })
        };
        let destructive = |refuse: &mut dyn FnMut(&str), what: &str| {
            if opts.allow_destructive {
                false
            } else {
                refuse(&format!(
                    "{what}; pass --allow-destructive if that is intended"
                ));
                true
            }
        };
        match &change {
            Change::Added(o) => match o {
                Object::Schema(s) => push(
                    Phase::CreateSchema,
                    format!("CREATE SCHEMA {};", quote_ident(&s.name)),
                    false,
                ),
                Object::Extension(e) => {
                    let mut sql =
                        format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(&e.name));
                    if let Some(s) = &e.schema {
                        sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
                    }
                    push(Phase::CreateSchema, format!("{sql};"), false);
                }
                Object::Enum(_) => push(Phase::CreateType, create_sql(o), false),
                Object::Domain(_) => push(Phase::CreateType, create_sql(o), false),
                Object::Sequence(_) => push(Phase::CreateSequence, create_sql(o), false),
                Object::Table(t) => {
                    // Foreign keys come later, when every table they reference exists.
                    let mut bare = t.clone();
                    bare.constraints
                        .retain(|_, c| !matches!(c.kind, ConstraintKind::ForeignKey(_)));
                    bare.comment = None;
                    for c in &mut bare.columns {
                        c.comment = None;
                    }
                    push(Phase::CreateTable, create_sql(&Object::Table(bare)), false);
                    for c in t.constraints.values() {
                        if matches!(c.kind, ConstraintKind::ForeignKey(_)) {
                            push(
                                Phase::AddForeignKey,
                                format!("ALTER TABLE {} ADD {};", t.name, ConstraintSql(c)),
                                false,
                            );
                        }
                    }
                    comments_of_table(t, &mut push);
                }
                Object::Column { table, column } => {
                    let Some(t) = to.tables.get(table) else {
                        continue;
                    };
                    if column.not_null
                        && column.default.is_none()
                        && column.identity.is_none()
                        && column.generated.is_none()
                        && !opts.allow_destructive
                    {
                        refuse(
                            "a NOT NULL column without a default cannot be added to a table that has rows; give it a default, or add it nullable, fill it, then set NOT NULL",
                        );
                        continue;
                    }
                    push(
                        Phase::AlterColumn,
                        format!("ALTER TABLE {} ADD COLUMN {};", table, ColumnSql(t, column)),
                        false,
                    );
                    if let Some(c) = &column.comment {
                        push(
                            Phase::Comment,
                            format!(
                                "COMMENT ON COLUMN {}.{} IS {};",
                                table,
                                quote_ident(&column.name),
                                quote_literal(c)
                            ),
                            false,
                        );
                    }
                }
                Object::Constraint { table, constraint } => {
                    let existed = from.tables.contains_key(table);
                    add_constraint(table, constraint, existed, &mut push);
                }
                Object::Index(i) => {
                    let existed = from.tables.contains_key(&i.table) && opts.concurrently;
                    let sql = IndexSql(i).to_string();
                    let sql = if existed {
                        sql.replacen("INDEX", "INDEX CONCURRENTLY", 1)
                    } else {
                        sql
                    };
                    // An index on a materialized view comes after the view.
                    let phase = if to.views.contains_key(&i.table) {
                        Phase::CreateViewIndex
                    } else {
                        Phase::CreateIndex
                    };
                    push(phase, format!("{sql};"), existed);
                    if let Some(c) = &i.comment {
                        push(
                            Phase::Comment,
                            format!("COMMENT ON INDEX {} IS {};", i.name, quote_literal(c)),
                            false,
                        );
                    }
                }
                Object::View(_) => push(Phase::CreateView, create_sql(o), false),
                Object::Function(_) => push(Phase::CreateFunction, create_sql(o), false),
                Object::Trigger(_) => push(Phase::CreateTrigger, create_sql(o), false),
            },
            Change::Removed(o) => match o {
                Object::Schema(s) => {
                    if !destructive(&mut refuse, "dropping a schema drops what is in it") {
                        push(
                            Phase::DropSchema,
                            format!("DROP SCHEMA {};", quote_ident(&s.name)),
                            false,
                        );
                    }
                }
                Object::Extension(e) => push(
                    Phase::DropSchema,
                    format!("DROP EXTENSION {};", quote_ident(&e.name)),
                    false,
                ),
                Object::Enum(e) => {
                    if !destructive(
                        &mut refuse,
                        "dropping a type loses the values of its columns",
                    ) {
                        push(Phase::DropType, format!("DROP TYPE {};", e.name), false);
                    }
                }
                Object::Domain(d) => {
                    if !destructive(
                        &mut refuse,
                        "dropping a type loses the values of its columns",
                    ) {
                        push(Phase::DropType, format!("DROP DOMAIN {};", d.name), false);
                    }
                }
                Object::Sequence(q) => {
                    push(Phase::DropType, format!("DROP SEQUENCE {};", q.name), false)
                }
                Object::Table(t) => {
                    if !destructive(&mut refuse, "dropping a table loses its rows") {
                        // Its foreign keys first: a table it references may go too.
                        for c in t.constraints.values() {
                            if matches!(c.kind, ConstraintKind::ForeignKey(_)) {
                                push(
                                    Phase::DropForeignKey,
                                    format!(
                                        "ALTER TABLE {} DROP CONSTRAINT {};",
                                        t.name,
                                        quote_ident(&c.name)
                                    ),
                                    false,
                                );
                            }
                        }
                        push(Phase::DropTable, format!("DROP TABLE {};", t.name), false);
                    }
                }
                Object::Column { table, column } => {
                    if !destructive(
                        &mut refuse,
                        "dropping a column loses its values (a rename is never guessed: say --rename TABLE.OLD=NEW)",
                    ) {
                        push(
                            Phase::DropColumn,
                            format!(
                                "ALTER TABLE {} DROP COLUMN {};",
                                table,
                                quote_ident(&column.name)
                            ),
                            false,
                        );
                    }
                }
                Object::Constraint { table, constraint } => {
                    // A constraint whose table goes anyway goes with it.
                    if to.tables.contains_key(table) {
                        let phase = if matches!(constraint.kind, ConstraintKind::ForeignKey(_)) {
                            Phase::DropForeignKey
                        } else {
                            Phase::DropConstraint
                        };
                        push(
                            phase,
                            format!(
                                "ALTER TABLE {} DROP CONSTRAINT {};",
                                table,
                                quote_ident(&constraint.name)
                            ),
                            false,
                        );
                    }
                }
                Object::Index(i) => {
                    // An index whose table or materialized view goes anyway goes with it.
                    if to.tables.contains_key(&i.table) || to.views.contains_key(&i.table) {
                        push(Phase::DropIndex, drop_index(i, opts), opts.concurrently);
                    }
                }
                Object::View(v) => push(Phase::DropView, drop_view(v), false),
                Object::Function(func) => push(
                    Phase::DropFunction,
                    format!("DROP FUNCTION {};", function_signature(func)),
                    false,
                ),
                Object::Trigger(t) => {
                    if to.tables.contains_key(&t.table) || to.views.contains_key(&t.table) {
                        push(
                            Phase::DropTrigger,
                            format!("DROP TRIGGER {} ON {};", quote_ident(&t.name), t.table),
                            false,
                        );
                    }
                }
            },
            Change::Changed { before, after } => match (before, after) {
                (
                    Object::Constraint {
                        table,
                        constraint: old,
                    },
                    Object::Constraint {
                        constraint: new, ..
                    },
                ) => {
                    let phase = if matches!(old.kind, ConstraintKind::ForeignKey(_)) {
                        Phase::DropForeignKey
                    } else {
                        Phase::DropConstraint
                    };
                    push(
                        phase,
                        format!(
                            "ALTER TABLE {} DROP CONSTRAINT {};",
                            table,
                            quote_ident(&old.name)
                        ),
                        false,
                    );
                    add_constraint(table, new, true, &mut push);
                }
                (Object::Index(old), Object::Index(new)) => {
                    push(
                        Phase::DropIndex,
                        format!("DROP INDEX CONCURRENTLY {};", old.name),
                        true,
                    );
                    let sql = IndexSql(new)
                        .to_string()
                        .replacen("INDEX", "INDEX CONCURRENTLY", 1);
                    push(Phase::CreateIndex, format!("{sql};"), true);
                }
                (Object::View(old), Object::View(_)) => {
                    push(Phase::DropView, drop_view(old), false);
                    push(Phase::CreateView, create_sql(after), false);
                }
                (Object::Function(old), Object::Function(_)) => {
                    push(
                        Phase::DropFunction,
                        format!("DROP FUNCTION {};", function_signature(old)),
                        false,
                    );
                    push(Phase::CreateFunction, create_sql(after), false);
                }
                (Object::Trigger(old), Object::Trigger(_)) => {
                    push(
                        Phase::DropTrigger,
                        format!("DROP TRIGGER {} ON {};", quote_ident(&old.name), old.table),
                        false,
                    );
                    push(Phase::CreateTrigger, create_sql(after), false);
                }
                (Object::Extension(_), Object::Extension(new)) => {
                    if let Some(v) = &new.version {
                        push(
                            Phase::CreateSchema,
                            format!(
                                "ALTER EXTENSION {} UPDATE TO {};",
                                quote_ident(&new.name),
                                quote_literal(v)
                            ),
                            false,
                        );
                    }
                }
                (Object::Domain(old), Object::Domain(new)) => {
                    if old.base != new.base || old.collation != new.collation {
                        refuse(
                            "a domain's type or collation cannot be changed in place; write this part of the migration by hand (a new domain and a cast of every column)",
                        );
                        continue;
                    }
                    let mut sql = Vec::new();
                    let name = &new.name;
                    if old.default != new.default {
                        sql.push(match &new.default {
                            Some(d) => {
                                format!("ALTER DOMAIN {name} SET DEFAULT {};", DefaultSql(d))
                            }
                            None => format!("ALTER DOMAIN {name} DROP DEFAULT;"),
                        });
                    }
                    if old.not_null != new.not_null {
                        sql.push(format!(
                            "ALTER DOMAIN {name} {} NOT NULL;",
                            if new.not_null { "SET" } else { "DROP" }
                        ));
                    }
                    for (c, expr) in &old.checks {
                        if new.checks.get(c) != Some(expr) {
                            sql.push(format!(
                                "ALTER DOMAIN {name} DROP CONSTRAINT {};",
                                quote_ident(c)
                            ));
                        }
                    }
                    for (c, expr) in &new.checks {
                        if old.checks.get(c) != Some(expr) {
                            sql.push(format!(
                                "ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({expr});",
                                quote_ident(c)
                            ));
                        }
                    }
                    push(Phase::CreateType, sql.join("\n"), false);
                }
                (Object::Sequence(_), Object::Sequence(new)) => {
                    if let Some(t) = &new.data_type {
                        push(
                            Phase::CreateSequence,
                            format!("ALTER SEQUENCE {} AS {};", new.name, TypeSql(t)),
                            false,
                        );
                    }
                }
                _ => refuse(
                    "this kind of change is not written yet; write this part of the migration by hand",
                ),
            },
            Change::Column {
                table,
                attribute,
                before,
                after,
            } => {
                let col = quote_ident(&after.name);
                let alter =
                    |what: String| format!("ALTER TABLE {table} ALTER COLUMN {col} {what};");
                match attribute {
                    ColumnAttribute::Type | ColumnAttribute::Collation => {
                        if !widens(&before.data_type, &after.data_type)
                            && destructive(
                                &mut refuse,
                                "the new type may not hold every value of the old one",
                            )
                        {
                            continue;
                        }
                        let mut what = format!("TYPE {}", TypeSql(&after.data_type));
                        if let Some(c) = &after.collation {
                            what.push_str(&format!(" COLLATE {}", quote_ident(c)));
                        }
                        what.push_str(&format!(" USING {col}::{}", TypeSql(&after.data_type)));
                        // A default is kept as written for the old type: drop it around the
                        // change and set it again, as the target writes it.
                        let mut sql = Vec::new();
                        if before.default.is_some() {
                            sql.push(alter("DROP DEFAULT".into()));
                        }
                        sql.push(alter(what));
                        if let Some(d) = &after.default {
                            sql.push(alter(format!("SET DEFAULT {}", DefaultSql(d))));
                        }
                        push(Phase::AlterColumn, sql.join("\n"), false);
                    }
                    ColumnAttribute::Nullability => push(
                        Phase::AlterColumn,
                        alter(if after.not_null {
                            "SET NOT NULL".into()
                        } else {
                            "DROP NOT NULL".into()
                        }),
                        false,
                    ),
                    ColumnAttribute::Default => push(
                        Phase::AlterColumn,
                        alter(match &after.default {
                            Some(d) => format!("SET DEFAULT {}", DefaultSql(d)),
                            None => "DROP DEFAULT".into(),
                        }),
                        false,
                    ),
                    ColumnAttribute::Identity => push(
                        Phase::AlterColumn,
                        alter(match after.identity {
                            Some(Identity::Always) if before.identity.is_some() => {
                                "SET GENERATED ALWAYS".into()
                            }
                            Some(Identity::ByDefault) if before.identity.is_some() => {
                                "SET GENERATED BY DEFAULT".into()
                            }
                            Some(Identity::Always) => "ADD GENERATED ALWAYS AS IDENTITY".into(),
                            Some(Identity::ByDefault) => {
                                "ADD GENERATED BY DEFAULT AS IDENTITY".into()
                            }
                            None => "DROP IDENTITY".into(),
                        }),
                        false,
                    ),
                    ColumnAttribute::Generated => {
                        if destructive(
                            &mut refuse,
                            "a generated column's expression is changed by dropping and adding the column",
                        ) {
                            continue;
                        }
                        let Some(t) = to.tables.get(table) else {
                            continue;
                        };
                        push(
                            Phase::AlterColumn,
                            format!(
                                "ALTER TABLE {table} DROP COLUMN {col};\nALTER TABLE {table} ADD COLUMN {};",
                                ColumnSql(t, after)
                            ),
                            false,
                        );
                    }
                    ColumnAttribute::Comment => push(
                        Phase::Comment,
                        format!(
                            "COMMENT ON COLUMN {table}.{col} IS {};",
                            after
                                .comment
                                .as_deref()
                                .map_or("NULL".to_string(), quote_literal)
                        ),
                        false,
                    ),
                }
            }
            Change::EnumLabels {
                after,
                added,
                removed,
                reordered,
                ..
            } => {
                if !removed.is_empty() || *reordered {
                    if destructive(
                        &mut refuse,
                        "removing labels fails for rows that hold them (the type is replaced by a new one and every column cast to it)",
                    ) {
                        continue;
                    }
                    push(Phase::CreateType, replace_enum(from, after), false);
                    continue;
                }
                // Each label goes before the next label that is already there (else after
                // the one before it), in the target's order, so several may go anywhere.
                let mut present: Vec<&String> =
                    after.labels.iter().filter(|l| !added.contains(l)).collect();
                for (i, label) in after.labels.iter().enumerate() {
                    if !added.contains(label) {
                        continue;
                    }
                    let next = after.labels[i + 1..].iter().find(|l| present.contains(l));
                    let prev = after.labels[..i].iter().rev().find(|l| present.contains(l));
                    let position = match (next, prev) {
                        (Some(n), _) => format!(" BEFORE {}", quote_literal(n)),
                        (None, Some(p)) => format!(" AFTER {}", quote_literal(p)),
                        (None, None) => String::new(),
                    };
                    present.push(label);
                    // In a transaction since PostgreSQL 12 (the label is usable once it
                    // commits).
                    push(
                        Phase::CreateType,
                        format!(
                            "ALTER TYPE {} ADD VALUE {}{position};",
                            after.name,
                            quote_literal(label)
                        ),
                        false,
                    );
                }
            }
            // Postgres cannot reorder columns; the order is noted by the diff.
            Change::ColumnOrder { .. } => {}
            Change::Comment { on, after, .. } => {
                let (kind, name) = match on {
                    Object::Table(t) => ("TABLE", t.name.to_string()),
                    Object::Enum(e) => ("TYPE", e.name.to_string()),
                    Object::Index(i) => ("INDEX", i.name.to_string()),
                    Object::View(v) if v.materialized => ("MATERIALIZED VIEW", v.name.to_string()),
                    Object::View(v) => ("VIEW", v.name.to_string()),
                    _ => continue,
                };
                push(
                    Phase::Comment,
                    format!(
                        "COMMENT ON {kind} {name} IS {};",
                        after.as_deref().map_or("NULL".to_string(), quote_literal)
                    ),
                    false,
                );
            }
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    out.sort_by_key(|(phase, _)| *phase);
    Ok(out.into_iter().map(|(_, s)| s).collect())
}
