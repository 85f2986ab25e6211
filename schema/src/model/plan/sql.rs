//! The SQL of the plan's steps that take more than one statement or a decision: an enum
//! replaced through a new type, a constraint added `NOT VALID`, and which type changes
//! widen.

use super::{Phase, PlanOptions};
use crate::model::diff::Object;
use crate::model::display::{ConstraintSql, DefaultSql, TypeSql};
use crate::model::*;

/// An enum whose labels are removed or reordered: Postgres cannot, so a new type takes
/// its place and every column of the old one is cast to it through text (its default
/// dropped and set again around the cast).
pub(super) fn replace_enum(from: &Schema, after: &EnumType) -> String {
    let old = QualifiedName::new(
        after.name.schema.clone(),
        format!("{}__old", after.name.name),
    );
    let mut sql = vec![
        format!(
            "ALTER TYPE {} RENAME TO {};",
            after.name,
            quote_ident(&old.name)
        ),
        ddl_of(|s| {
            let mut e = after.clone();
            e.comment = None;
            s.enums.insert(e.name.clone(), e);
        }),
    ];
    let named = TypeName::Named(after.name.clone());
    for t in from.tables.values() {
        for c in t.columns.iter().filter(|c| c.data_type.name == named) {
            let col = quote_ident(&c.name);
            let brackets = "[]".repeat(c.data_type.array_dims as usize);
            if c.default.is_some() {
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {col} DROP DEFAULT;",
                    t.name
                ));
            }
            sql.push(format!(
                "ALTER TABLE {} ALTER COLUMN {col} TYPE {}{brackets} USING {col}::text{brackets}::{}{brackets};",
                t.name, after.name, after.name
            ));
            if let Some(d) = &c.default {
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {col} SET DEFAULT {};",
                    t.name,
                    DefaultSql(d)
                ));
            }
        }
    }
    sql.push(format!("DROP TYPE {old};"));
    sql.join("\n")
}

/// The canonical DDL that creates `o` alone: a type, sequence, table, view, function or
/// trigger (anything else gives nothing).
pub(super) fn create_sql(o: &Object) -> String {
    ddl_of(|s| match o {
        Object::Enum(e) => {
            s.enums.insert(e.name.clone(), e.clone());
        }
        Object::Domain(d) => {
            s.domains.insert(d.name.clone(), d.clone());
        }
        Object::Sequence(q) => {
            s.sequences.insert(q.name.clone(), q.clone());
        }
        Object::Table(t) => {
            s.tables.insert(t.name.clone(), t.clone());
        }
        Object::View(v) => {
            s.views.insert(v.name.clone(), v.clone());
        }
        Object::Function(f) => {
            s.functions.insert(f.key.clone(), f.clone());
        }
        Object::Trigger(t) => {
            s.triggers
                .insert((t.table.clone(), t.name.clone()), t.clone());
        }
        _ => {}
    })
}

/// The canonical DDL of a schema holding one object.
pub(super) fn ddl_of(fill: impl FnOnce(&mut Schema)) -> String {
    let mut s = Schema::default();
    fill(&mut s);
    s.to_string().trim_end().to_string()
}

pub(super) fn comments_of_table(t: &Table, push: &mut impl FnMut(Phase, String, bool)) {
    if let Some(c) = &t.comment {
        push(
            Phase::Comment,
            format!("COMMENT ON TABLE {} IS {};", t.name, quote_literal(c)),
            false,
        );
    }
    for col in &t.columns {
        if let Some(c) = &col.comment {
            push(
                Phase::Comment,
                format!(
                    "COMMENT ON COLUMN {}.{} IS {};",
                    t.name,
                    quote_ident(&col.name),
                    quote_literal(c)
                ),
                false,
            );
        }
    }
}

/// `ADD CONSTRAINT`: on a table that existed, a foreign key or check is added `NOT VALID`
/// (no long lock while rows are checked) and validated after.
pub(super) fn add_constraint(
    table: &QualifiedName,
    c: &Constraint,
    existed: bool,
    push: &mut impl FnMut(Phase, String, bool),
) {
    let fk = matches!(c.kind, ConstraintKind::ForeignKey(_));
    let phase = if fk {
        Phase::AddForeignKey
    } else {
        Phase::AddConstraint
    };
    if existed
        && matches!(
            c.kind,
            ConstraintKind::ForeignKey(_) | ConstraintKind::Check { .. }
        )
    {
        push(
            phase,
            format!(
                "ALTER TABLE {table} ADD {} NOT VALID;\nALTER TABLE {table} VALIDATE CONSTRAINT {};",
                ConstraintSql(c),
                quote_ident(&c.name)
            ),
            false,
        );
    } else {
        push(
            phase,
            format!("ALTER TABLE {table} ADD {};", ConstraintSql(c)),
            false,
        );
    }
}

pub(super) fn drop_index(i: &Index, opts: &PlanOptions) -> String {
    if opts.concurrently {
        format!("DROP INDEX CONCURRENTLY {};", i.name)
    } else {
        format!("DROP INDEX {};", i.name)
    }
}

pub(super) fn drop_view(v: &View) -> String {
    let kind = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    format!("DROP {kind} {};", v.name)
}

pub(super) fn function_signature(f: &Function) -> String {
    let args: Vec<String> = f.key.args.iter().map(|a| TypeSql(a).to_string()).collect();
    format!("{}({})", f.key.name, args.join(", "))
}

/// Whether every value of `from` is a value of `to` (a type change that cannot fail or
/// lose anything).
pub(super) fn widens(from: &DataType, to: &DataType) -> bool {
    if from == to {
        return true;
    }
    if from.array_dims != to.array_dims {
        return false;
    }
    let (TypeName::Builtin(a), TypeName::Builtin(b)) = (&from.name, &to.name) else {
        return false;
    };
    let rank = |t: &str| match t {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        "numeric" => Some(4),
        _ => None,
    };
    match (a.as_str(), b.as_str()) {
        (_, "text") if matches!(a.as_str(), "character varying" | "character" | "text") => true,
        ("character varying", "character varying") | ("character", "character varying") => {
            match (from.modifiers.first(), to.modifiers.first()) {
                (_, None) => true,
                (Some(x), Some(y)) => y >= x,
                (None, Some(_)) => false,
            }
        }
        ("numeric", "numeric") => to.modifiers.is_empty(),
        ("timestamp without time zone", "timestamp with time zone") => false,
        (x, y) => match (rank(x), rank(y)) {
            (Some(i), Some(j)) => j >= i && (y != "numeric" || to.modifiers.is_empty()),
            _ => false,
        },
    }
}
