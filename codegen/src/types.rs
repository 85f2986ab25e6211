//! SQL types → Rust types, with per-type and per-column overrides.

use std::collections::BTreeMap;

use schema::model::{Column, DataType, QualifiedName, Table, TypeName};

use crate::Error;
use crate::input::Shared;
use crate::names::EnumNames;

/// Rust types chosen by the user for SQL types and columns.
#[derive(Debug, Clone, Default, Hash)]
pub struct TypeOverrides {
    /// By SQL type: `citext`, `public.citext`, `interval` → a Rust type path.
    pub types: BTreeMap<String, String>,
    /// By column: `table.column` (or `schema.table.column`) → a Rust type path.
    pub columns: BTreeMap<String, String>,
}

/// A configured Rust type: checked to be a concrete type, and written as it was given
/// (trimmed). A comment in it is refused: written as given, it would swallow the code
/// after the type.
fn parse_override(key: &str, value: &str) -> Result<String, Error> {
    let refuse = |reason: String| Error::BadOverride {
        key: key.to_string(),
        value: value.to_string(),
        reason,
    };
    if value.contains("//") || value.contains("/*") {
        return Err(refuse("a type override cannot hold a comment".into()));
    }
    match syn::parse_str::<syn::Type>(value).map_err(|e| refuse(e.to_string()))? {
        syn::Type::TraitObject(_) | syn::Type::ImplTrait(_) | syn::Type::Infer(_) => Err(refuse(
            "a column's value needs a concrete type (not `dyn`, `impl` or `_`)".into(),
        )),
        _ => Ok(value.trim().to_string()),
    }
}

/// How a column's values travel between Rust and SQL.
#[derive(Debug, Clone)]
pub struct ColumnType {
    /// The Rust type of a non-null value.
    pub ty: String,
    /// The cast on the column in a select list (`::text`), empty when none.
    pub read_cast: String,
    /// The cast on a parameter written to the column (`::text::interval`), empty when
    /// none.
    pub write_cast: String,
    /// Why the column travels as text, for its doc comment.
    pub note: Option<String>,
    /// Whether the type is one of the schema's enums (the module then imports `enums`).
    pub uses_enum: bool,
}

/// The Rust type of a non-null value of `column`, and the casts its SQL needs: a domain
/// travels as its base type (`::text`); a type with no Rust mapping travels as text, read
/// with `::text` and written through `::text::<type>`, unless schemakit.toml maps it.
///
/// An array's elements are `Option<T>` unless a CHECK rules NULL elements out or the
/// column is in `elements_not_null` (schemakit.toml's `array_elements_not_null`).
pub(crate) fn column_type(
    shared: &Shared,
    table: &Table,
    column: &Column,
) -> Result<ColumnType, Error> {
    let overrides = shared.overrides;
    let key = format!("{}.{}", table.name.config_key(), column.name);
    let elements_not_null = shared.elements_not_null.contains(&key)
        || schema::model::forbids_null_elements(table, &column.name);
    let mut cast = String::new();
    let mut ty = column.data_type.clone();
    // A domain maps to its base type, and travels as it.
    if let TypeName::Named(q) = &ty.name {
        if let Some(domain) = shared.domains.get(q) {
            let dims = ty.array_dims;
            ty = domain.base.clone();
            ty.array_dims += dims;
            // Without the length: an explicit cast to `varchar(5)` truncates, while the
            // column's own assignment refuses a value too long.
            let unconstrained = DataType {
                modifiers: Vec::new(),
                ..ty.clone()
            };
            cast = format!("::{unconstrained}");
        }
    }
    let uses_enum = matches!(&ty.name, TypeName::Named(q) if shared.enums.contains_key(q));
    let typed = |ty: String| ColumnType {
        ty,
        read_cast: cast.clone(),
        write_cast: cast.clone(),
        note: None,
        uses_enum,
    };
    if let Some(value) = overrides.columns.get(&key) {
        return Ok(typed(parse_override(&key, value)?));
    }
    let vec = |t: String| match (ty.array_dims, elements_not_null) {
        (0, _) => t,
        (_, true) => format!("Vec<{t}>"),
        (_, false) => format!("Vec<Option<{t}>>"),
    };
    match element_type(shared.enums, &ty, overrides) {
        Ok(element) => {
            let mut typed = typed(vec(element?));
            typed.note = limit_note(&ty);
            Ok(typed)
        }
        Err(()) => {
            let type_key = match &ty.name {
                TypeName::Builtin(b) => b.clone(),
                TypeName::Named(q) => q.to_string(),
            };
            let brackets = if ty.array_dims > 0 { "[]" } else { "" };
            let sql_type = schema::model::DataType {
                modifiers: Vec::new(),
                array_dims: 0,
                ..ty.clone()
            };
            // The write cast keeps the modifiers: `bit` alone is `bit(1)`.
            let full_type = schema::model::DataType {
                array_dims: 0,
                ..ty.clone()
            };
            Ok(ColumnType {
                ty: vec("String".to_string()),
                read_cast: format!("::text{brackets}"),
                write_cast: format!("::text{brackets}::{full_type}{brackets}"),
                note: Some(format!(
                    " schemakit has no Rust type for `{type_key}`: the value is read as text (`::text`) and written through a cast (`::text::{sql_type}`). Map a type in schemakit.toml under `[systems.<name>.types]` (`\"{type_key}\" = \"my_crate::MyType\"`) or `[systems.<name>.columns]` (`\"{key}\" = \"…\"`)."
                )),
                uses_enum: false,
            })
        }
    }
}

/// What a mapped type cannot hold, for the field's doc comment.
fn limit_note(ty: &DataType) -> Option<String> {
    let mut notes = Vec::new();
    if ty.array_dims > 1 {
        notes.push(format!(
            " The column is declared with {} dimensions; `Vec` reads one: a value with more than one dimension fails to decode (map the column in schemakit.toml to a type that reads them).",
            ty.array_dims
        ));
    }
    let wide_numeric = matches!(&ty.name, TypeName::Builtin(b) if b == "numeric")
        && ty.modifiers.first().is_none_or(|p| *p > 28);
    if wide_numeric {
        notes.push(" `rust_decimal::Decimal` holds 28 significant digits: a stored value beyond that fails to decode (declare `numeric(p, s)` with p ≤ 28, or map the column in schemakit.toml).".to_string());
    }
    (!notes.is_empty()).then(|| notes.concat())
}

/// The Rust type of one element; `Err(())` when there is no mapping.
fn element_type(
    enums: &BTreeMap<QualifiedName, EnumNames>,
    ty: &DataType,
    overrides: &TypeOverrides,
) -> Result<Result<String, Error>, ()> {
    let names: Vec<String> = match &ty.name {
        TypeName::Builtin(b) => vec![b.clone()],
        TypeName::Named(q) => vec![
            q.to_string(),
            q.name.clone(),
            format!("{}.{}", q.schema, q.name),
        ],
    };
    for n in &names {
        if let Some(value) = overrides.types.get(n) {
            return Ok(parse_override(n, value));
        }
    }
    let t = match &ty.name {
        TypeName::Builtin(b) => match b.as_str() {
            "smallint" => "i16",
            "integer" => "i32",
            "bigint" => "i64",
            "real" => "f32",
            "double precision" => "f64",
            "numeric" => "rust_decimal::Decimal",
            "boolean" => "bool",
            "text" | "character varying" | "character" | "bpchar" | "name" => "String",
            "\"char\"" => "i8",
            "bytea" => "Vec<u8>",
            "uuid" => "uuid::Uuid",
            "json" | "jsonb" => "serde_json::Value",
            "date" => "chrono::NaiveDate",
            "time without time zone" => "chrono::NaiveTime",
            "timestamp without time zone" => "chrono::NaiveDateTime",
            "timestamp with time zone" => "chrono::DateTime<chrono::Utc>",
            "inet" => "cidr::IpInet",
            "cidr" => "cidr::IpCidr",
            "oid" => "u32",
            _ => return Err(()),
        }
        .to_string(),
        TypeName::Named(q) => {
            if let Some(e) = enums.get(q) {
                format!("enums::{}", e.ident)
            } else if q.name == "vector" {
                "pgvector::Vector".to_string()
            } else {
                return Err(());
            }
        }
    };
    Ok(Ok(t))
}
