//! SQL types → Rust types, with per-type and per-column overrides.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use schema::model::{Column, DataType, Schema, Table, TypeName};

use crate::Error;
use crate::names::{self, Names};

/// Rust types chosen by the user for SQL types and columns.
#[derive(Debug, Clone, Default)]
pub struct TypeOverrides {
    /// By SQL type: `citext`, `public.citext`, `interval` → a Rust type path.
    pub types: BTreeMap<String, String>,
    /// By column: `table.column` (or `schema.table.column`) → a Rust type path.
    pub columns: BTreeMap<String, String>,
}

fn parse_override(key: &str, value: &str) -> Result<TokenStream, Error> {
    syn::parse_str::<syn::Type>(value)
        .map(|t| quote! { #t })
        .map_err(|e| Error::BadOverride {
            key: key.to_string(),
            value: value.to_string(),
            reason: e.to_string(),
        })
}

/// The Rust type of a non-null value of `column`, and the cast its SQL needs (`::text`
/// for a domain over text, so values travel as the base type).
pub fn column_type(
    schema: &Schema,
    names: &Names,
    table: &Table,
    column: &Column,
    overrides: &TypeOverrides,
) -> Result<(TokenStream, String), Error> {
    let key = format!("{}.{}", names::key(&table.name), column.name);
    let mut cast = String::new();
    let mut ty = column.data_type.clone();
    // A domain maps to its base type, and travels as it.
    if let TypeName::Named(q) = &ty.name {
        if let Some(domain) = schema.domains.get(q) {
            let dims = ty.array_dims;
            ty = domain.base.clone();
            ty.array_dims += dims;
            cast = format!("::{ty}");
        }
    }
    if let Some(value) = overrides.columns.get(&key) {
        return Ok((parse_override(&key, value)?, cast));
    }
    let element = element_type(names, &ty, overrides).map_err(|()| {
        let type_key = match &ty.name {
            TypeName::Builtin(b) => b.clone(),
            TypeName::Named(q) => q.to_string(),
        };
        Error::UnmappedType {
            table: table.name.to_string(),
            column: column.name.clone(),
            ty: column.data_type.to_string(),
            type_key,
            table_key: names::key(&table.name),
        }
    })??;
    let mut t = element;
    for _ in 0..ty.array_dims.min(1) {
        t = quote! { Vec<#t> };
    }
    Ok((t, cast))
}

/// The Rust type of one element; `Err(())` when there is no mapping.
fn element_type(
    rust_names: &Names,
    ty: &DataType,
    overrides: &TypeOverrides,
) -> Result<Result<TokenStream, Error>, ()> {
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
            "smallint" => quote! { i16 },
            "integer" => quote! { i32 },
            "bigint" => quote! { i64 },
            "real" => quote! { f32 },
            "double precision" => quote! { f64 },
            "numeric" => quote! { rust_decimal::Decimal },
            "boolean" => quote! { bool },
            "text" | "character varying" | "character" | "bpchar" | "name" => quote! { String },
            "\"char\"" => quote! { i8 },
            "bytea" => quote! { Vec<u8> },
            "uuid" => quote! { uuid::Uuid },
            "json" | "jsonb" => quote! { serde_json::Value },
            "date" => quote! { chrono::NaiveDate },
            "time without time zone" => quote! { chrono::NaiveTime },
            "timestamp without time zone" => quote! { chrono::NaiveDateTime },
            "timestamp with time zone" => quote! { chrono::DateTime<chrono::Utc> },
            "inet" => quote! { std::net::IpAddr },
            "oid" => quote! { u32 },
            _ => return Err(()),
        },
        TypeName::Named(q) => {
            if let Some(e) = rust_names.enums.get(q) {
                let ident = names::ident(&e.ident);
                quote! { super::enums::#ident }
            } else if q.name == "vector" {
                quote! { pgvector::Vector }
            } else {
                return Err(());
            }
        }
    };
    Ok(Ok(t))
}
