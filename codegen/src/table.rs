//! One table's module: the row and insert structs, SQL constants, and the functions over
//! `postgres` (and `tokio-postgres` in `nonblocking`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::model::{Column, ConstraintKind, Identity, Index, KeyExpr, Schema, Table, quote_ident};

use crate::{Error, Options, names, one_line, types};

/// Blocking functions over `postgres`, or async ones over `tokio-postgres` (in a
/// `nonblocking` module behind the generated crate's `tokio` feature). Both call the same
/// SQL constants, which only the blocking pass emits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Blocking,
    Async,
}

impl Mode {
    /// `pub fn` or `pub async fn`.
    fn sig(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! { pub fn },
            Mode::Async => quote! { pub async fn },
        }
    }

    /// The client parameter, named `client` unless a key column took that name.
    fn client(self, client: &syn::Ident) -> TokenStream {
        match self {
            Mode::Blocking => quote! { #client: &mut impl postgres::GenericClient },
            Mode::Async => quote! { #client: &impl tokio_postgres::GenericClient },
        }
    }

    /// `.await` where the async client needs it.
    fn aw(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! {},
            Mode::Async => quote! { .await },
        }
    }

    /// Items both passes share, emitted once.
    fn once(self, items: TokenStream) -> TokenStream {
        match self {
            Mode::Blocking => items,
            Mode::Async => quote! {},
        }
    }
}

/// A column as the generated code sees it.
struct Field<'a> {
    column: &'a Column,
    /// The field's name (`created_at`, `r#type`).
    name: String,
    ident: syn::Ident,
    /// The Rust type of the column's value (`Option<…>` where nullable).
    ty: TokenStream,
    /// The Rust type of a non-null value.
    value_ty: TokenStream,
    /// The cast on the column in a select list: `::text` when the column's type is a
    /// domain over text (results travel as the base type) or has no Rust mapping.
    read_cast: String,
    /// The cast on a parameter for the column (`::text`, `::text::interval`).
    cast: String,
    /// Why the column travels as text, when it does.
    note: Option<String>,
    /// Quoted SQL name.
    sql: String,
}

impl Field<'_> {
    fn insertable(&self) -> bool {
        self.column.generated.is_none() && self.column.identity != Some(Identity::Always)
    }

    fn has_default(&self) -> bool {
        self.column.default.is_some() || self.column.identity.is_some()
    }

    fn select(&self) -> String {
        if self.read_cast.is_empty() {
            self.sql.clone()
        } else {
            format!("{}{} AS {}", self.sql, self.read_cast, self.sql)
        }
    }
}

pub(crate) fn table_file(
    schema: &Schema,
    names: &names::Names,
    table_names: &names::TableNames,
    table: &Table,
    unique_indexes: &[&Index],
    opts: &Options,
) -> Result<TokenStream, Vec<Error>> {
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    let mut uses_enums = false;
    for column in &table.columns {
        let Some(field) = table_names.fields.get(&column.name) else {
            continue;
        };
        match types::column_type(schema, names, table, column, &opts.overrides) {
            Ok(t) => {
                uses_enums |= t.uses_enum;
                let value_ty = t.ty;
                let ty = if column.not_null {
                    value_ty.clone()
                } else {
                    quote! { Option<#value_ty> }
                };
                fields.push(Field {
                    column,
                    name: field.clone(),
                    ident: names::ident(field),
                    ty,
                    value_ty,
                    read_cast: t.read_cast,
                    cast: t.write_cast,
                    note: t.note,
                    sql: quote_ident(&column.name),
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(table_tokens(
        table,
        table_names,
        unique_indexes,
        &fields,
        uses_enums,
    ))
}

/// Doc comment lines for a comment from the schema: a line ends at LF, CRLF or a bare
/// CR (which rustc rejects inside a doc comment), other control characters are escaped.
pub(crate) fn doc_lines(text: &str) -> Vec<String> {
    text.split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .map(|l| format!(" {}", one_line(l)))
        .collect()
}

fn table_tokens(
    table: &Table,
    table_names: &names::TableNames,
    unique_indexes: &[&Index],
    fields: &[Field],
    uses_enums: bool,
) -> TokenStream {
    let table_sql = table.name.to_string();
    let row = names::ident(&table_names.row);
    let new = names::ident(&table_names.new);
    let client_ident = names::ident(&table_names.client);
    let select_list = fields
        .iter()
        .map(Field::select)
        .collect::<Vec<_>>()
        .join(", ");
    let module_doc = format!(
        " Table `{}`: row types, SQL and queries.",
        one_line(&table.name.to_string())
    );
    let table_comment = table.comment.as_deref().map(doc_lines).unwrap_or_default();

    // Column name constants.
    let column_consts = fields.iter().map(|f| {
        let c = names::ident(&names::constant(&f.name));
        let name = &f.column.name;
        let doc = format!(" Column `{}`.", one_line(name));
        quote! { #[doc = #doc] pub const #c: &str = #name; }
    });

    // Row struct.
    let pk: Vec<&Field> = table
        .primary_key()
        .map(|(_, cols)| {
            cols.iter()
                .filter_map(|c| fields.iter().find(|f| f.column.name == *c))
                .collect()
        })
        .unwrap_or_default();
    let row_fields = fields.iter().map(|f| {
        let ident = &f.ident;
        let ty = &f.ty;
        let docs = field_docs(table, f, pk.iter().any(|p| p.column.name == f.column.name));
        quote! { #(#[doc = #docs])* pub #ident: #ty }
    });
    let from_row = fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote! { #ident: row.try_get(#i)? }
    });
    let row_doc = format!(" A row of `{}`.", one_line(&table.name.to_string()));

    // New struct and insert.
    let insertable: Vec<&Field> = fields.iter().filter(|f| f.insertable()).collect();
    let new_fields = insertable.iter().map(|f| {
        let ident = &f.ident;
        let value_ty = &f.value_ty;
        let ty = match (f.has_default(), f.column.not_null) {
            (false, _) => f.ty.clone(),
            (true, true) => quote! { Option<#value_ty> },
            (true, false) => quote! { Option<Option<#value_ty>> },
        };
        let mut docs = field_docs(table, f, false);
        if f.has_default() {
            docs.push(String::new());
            docs.push(if f.column.not_null {
                " `None` leaves the value to the database default.".into()
            } else {
                " `None` leaves the value to the database default; `Some(None)` writes NULL.".into()
            });
        }
        quote! { #(#[doc = #docs])* pub #ident: #ty }
    });
    let all_defaulted = insertable
        .iter()
        .all(|f| f.has_default() || !f.column.not_null);
    let derive_default = all_defaulted.then(|| quote! { Default, });
    let pushes: Vec<TokenStream> = insertable
        .iter()
        .map(|f| {
            let ident = &f.ident;
            let sql = &f.sql;
            let cast = &f.cast;
            if f.has_default() {
                quote! {
                    if let Some(value) = &new.#ident {
                        columns.push((#sql, #cast));
                        params.push(value);
                    }
                }
            } else {
                quote! {
                    columns.push((#sql, #cast));
                    params.push(&new.#ident);
                }
            }
        })
        .collect();
    let insert_all = format!(
        "INSERT INTO {table_sql} ({}) VALUES ({}) RETURNING {select_list}",
        insertable
            .iter()
            .map(|f| f.sql.clone())
            .collect::<Vec<_>>()
            .join(", "),
        insertable
            .iter()
            .enumerate()
            .map(|(i, f)| format!("${}{}", i + 1, f.cast))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let insert_all_doc = format!(
        " Inserts a row with a value for every insertable column, in the order of [`{new}`]'s fields, and returns it."
    );
    let insert_doc = format!(
        " Inserts a row into `{}` and returns it as stored; columns left `None` get their database default.",
        one_line(&table.name.to_string())
    );
    let new_doc = format!(
        " Values for a new row of `{}`.",
        one_line(&table.name.to_string())
    );
    let capacity = proc_macro2::Literal::usize_unsuffixed(insertable.len());

    // Primary-key queries.
    let keys = unique_keys(table, unique_indexes, fields, &pk);

    // List.
    let order = if pk.is_empty() {
        String::new()
    } else {
        format!(
            " ORDER BY {}",
            pk.iter()
                .map(|f| f.sql.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let list_sql = format!("SELECT {select_list} FROM {table_sql}{order} LIMIT $1 OFFSET $2");
    let count_sql = format!("SELECT count(*) FROM {table_sql}");
    let list_doc = if pk.is_empty() {
        " Lists rows (in no particular order: the table has no primary key), at most `limit`, skipping `offset`."
    } else {
        " Lists rows ordered by primary key, at most `limit`, skipping `offset`."
    };

    // The functions, blocking at the top level and async in `nonblocking`.
    let cl = &client_ident;
    let functions = |mode: Mode| {
        let (sig, client_param, aw) = (mode.sig(), mode.client(cl), mode.aw());
        let pk_items = (!pk.is_empty())
            .then(|| pk_queries(mode, cl, &table_sql, &select_list, &row, &pk, fields));
        let finders = keys
            .iter()
            .map(|key| finder(mode, cl, &table_sql, &select_list, &row, key));
        quote! {
            #[doc = #insert_doc]
            #sig insert(#client_param, new: &#new) -> Result<#row, postgres::Error> {
                let (sql, params) = insert_statement(new);
                #row::from_row(&#cl.query_one(sql.as_str(), &params)#aw?)
            }

            #pk_items

            #(#finders)*

            #[doc = #list_doc]
            #sig list(#client_param, limit: i64, offset: i64) -> Result<Vec<#row>, postgres::Error> {
                #cl
                    .query(LIST, &[&limit, &offset])#aw?
                    .iter()
                    .map(#row::from_row)
                    .collect()
            }

            /// The number of rows.
            #sig count(#client_param) -> Result<i64, postgres::Error> {
                #cl.query_one(COUNT, &[])#aw?.try_get(0)
            }
        }
    };
    let blocking = functions(Mode::Blocking);
    let nonblocking = functions(Mode::Async);
    // Enum types are written `enums::Name`, here and (through `use super::*`) in
    // `nonblocking`.
    let enums_import = uses_enums.then(|| quote! { use super::enums; });

    quote! {
        #![doc = #module_doc]
        #(#![doc = #table_comment])*

        #enums_import

        /// The table's name, quoted for SQL where needed.
        pub const TABLE: &str = #table_sql;

        /// The select list every query here returns, in the order of the row struct's fields.
        pub const COLUMNS: &str = #select_list;

        /// Column names.
        pub mod columns {
            #(#column_consts)*
        }

        #[doc = #row_doc]
        #(#[doc = #table_comment])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct #row {
            #(#row_fields,)*
        }

        impl #row {
            /// Reads a row selected with [`COLUMNS`].
            pub fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error> {
                Ok(Self { #(#from_row,)* })
            }
        }

        #[doc = #new_doc]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #new {
            #(#new_fields,)*
        }

        #[doc = #insert_all_doc]
        pub const INSERT: &str = #insert_all;

        /// Lists rows with a limit and an offset (`$1`, `$2`).
        pub const LIST: &str = #list_sql;

        /// Counts the rows.
        pub const COUNT: &str = #count_sql;

        /// The INSERT for `new` and its parameters: every column not left to its default.
        fn insert_statement(new: &#new) -> (String, Vec<&(dyn postgres::types::ToSql + Sync)>) {
            let mut columns: Vec<(&str, &str)> = Vec::with_capacity(#capacity);
            let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::with_capacity(#capacity);
            #(#pushes)*
            (super::insert_sql(TABLE, &columns, COLUMNS), params)
        }

        #blocking

        /// The same functions over tokio-postgres, for async code (feature `tokio`).
        #[cfg(feature = "tokio")]
        pub mod nonblocking {
            use super::*;

            #nonblocking
        }
    }
}

fn field_docs(table: &Table, f: &Field, primary: bool) -> Vec<String> {
    let c = f.column;
    let mut what = format!(
        " Column `{}.{}`: `{}`",
        table.name.name, c.name, c.data_type
    );
    if c.not_null {
        what.push_str(" NOT NULL");
    }
    if primary {
        what.push_str(", primary key");
    }
    if let Some(d) = &c.default {
        what.push_str(&format!(", default `{d}`"));
    }
    match c.identity {
        Some(Identity::Always) => what.push_str(", identity (always)"),
        Some(Identity::ByDefault) => what.push_str(", identity (by default)"),
        None => {}
    }
    if let Some(g) = &c.generated {
        what.push_str(&format!(", generated as `{g}`"));
    }
    what.push('.');
    let mut docs = vec![what];
    if let Some(comment) = &c.comment {
        docs.push(String::new());
        docs.extend(doc_lines(comment));
    }
    if let Some(note) = &f.note {
        docs.push(String::new());
        docs.push(note.clone());
    }
    docs
}

/// `WHERE a = $1 AND b = $2`, numbering from `first`.
fn where_clause(key: &[&Field], first: usize) -> String {
    key.iter()
        .enumerate()
        .map(|(i, f)| format!("{} = ${}{}", f.sql, i + first, f.cast))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Function parameters for key columns: `id: &uuid::Uuid`.
fn key_params(key: &[&Field]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let params = key
        .iter()
        .map(|f| {
            let ident = &f.ident;
            let ty = &f.value_ty;
            // Borrowed forms, as a Rust caller would pass them.
            match ty.to_string().as_str() {
                "String" => quote! { #ident: &str },
                "Vec < u8 >" => quote! { #ident: &[u8] },
                _ => quote! { #ident: &#ty },
            }
        })
        .collect();
    let args = key
        .iter()
        .map(|f| {
            let ident = &f.ident;
            quote! { &#ident }
        })
        .collect();
    (params, args)
}

fn pk_queries(
    mode: Mode,
    cl: &syn::Ident,
    table_sql: &str,
    select_list: &str,
    row: &syn::Ident,
    pk: &[&Field],
    fields: &[Field],
) -> TokenStream {
    let (sig, client_param, aw) = (mode.sig(), mode.client(cl), mode.aw());
    let get_sql = format!(
        "SELECT {select_list} FROM {table_sql} WHERE {}",
        where_clause(pk, 1)
    );
    let delete_sql = format!("DELETE FROM {table_sql} WHERE {}", where_clause(pk, 1));
    let (params, args) = key_params(pk);
    let updatable: Vec<&Field> = fields
        .iter()
        .filter(|f| f.insertable() && !pk.iter().any(|p| p.column.name == f.column.name))
        .collect();
    let update = (!updatable.is_empty()).then(|| {
        let sets = updatable
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{} = ${}{}", f.sql, i + pk.len() + 1, f.cast))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE {table_sql} SET {sets} WHERE {} RETURNING {select_list}",
            where_clause(pk, 1)
        );
        let values = pk.iter().chain(updatable.iter()).map(|f| {
            let ident = &f.ident;
            quote! { &row.#ident }
        });
        let constant = mode.once(quote! {
            /// Updates every column but the primary key and generated columns, by primary key (`$1…`).
            pub const UPDATE: &str = #sql;
        });
        quote! {
            #constant

            /// Writes `row` over the stored row with the same primary key; returns the row as
            /// stored, or `None` when no row has that key.
            #sig update(#client_param, row: &#row) -> Result<Option<#row>, postgres::Error> {
                #cl
                    .query_opt(UPDATE, &[#(#values),*])#aw?
                    .as_ref()
                    .map(#row::from_row)
                    .transpose()
            }
        }
    });
    let get_const = mode.once(quote! {
        /// Selects one row by primary key.
        pub const GET: &str = #get_sql;
    });
    let delete_const = mode.once(quote! {
        /// Deletes one row by primary key.
        pub const DELETE: &str = #delete_sql;
    });
    let exists_sql = format!("SELECT 1 FROM {table_sql} WHERE {}", where_clause(pk, 1));
    let exists_const = mode.once(quote! {
        /// Selects `1` for a row with this primary key.
        pub const EXISTS: &str = #exists_sql;
    });
    quote! {
        #get_const

        /// The row with this primary key, if there is one.
        #sig get(#client_param, #(#params),*) -> Result<Option<#row>, postgres::Error> {
            #cl
                .query_opt(GET, &[#(#args),*])#aw?
                .as_ref()
                .map(#row::from_row)
                .transpose()
        }

        #update

        #delete_const

        /// Deletes the row with this primary key; returns whether there was one.
        #sig delete(#client_param, #(#params),*) -> Result<bool, postgres::Error> {
            Ok(#cl.execute(DELETE, &[#(#args),*])#aw? == 1)
        }

        #exists_const

        /// Whether a row with this primary key exists.
        #sig exists(#client_param, #(#params),*) -> Result<bool, postgres::Error> {
            Ok(#cl.query_opt(EXISTS, &[#(#args),*])#aw?.is_some())
        }
    }
}

/// Unique keys other than the primary key, as column lists: unique constraints, and unique
/// indexes on plain columns without a predicate. Each column set once.
fn unique_keys<'a>(
    table: &Table,
    unique_indexes: &[&Index],
    fields: &'a [Field<'a>],
    pk: &[&Field],
) -> Vec<Vec<&'a Field<'a>>> {
    let mut sets: Vec<Vec<String>> = Vec::new();
    for c in table.constraints.values() {
        if let ConstraintKind::Unique { columns, .. } = &c.kind {
            sets.push(columns.clone());
        }
    }
    for i in unique_indexes {
        let cols: Option<Vec<String>> = i
            .keys
            .iter()
            .map(|k| match &k.expr {
                KeyExpr::Column(c) => Some(c.clone()),
                KeyExpr::Expression(_) => None,
            })
            .collect();
        if let Some(cols) = cols {
            sets.push(cols);
        }
    }
    let pk_names: Vec<String> = pk.iter().map(|f| f.column.name.clone()).collect();
    let mut out: Vec<Vec<&Field>> = Vec::new();
    let mut seen: Vec<Vec<String>> = Vec::new();
    for set in sets {
        if set == pk_names || seen.contains(&set) {
            continue;
        }
        let key: Option<Vec<&Field>> = set
            .iter()
            .map(|c| fields.iter().find(|f| f.column.name == *c))
            .collect();
        if let Some(key) = key {
            seen.push(set);
            out.push(key);
        }
    }
    out
}

fn finder(
    mode: Mode,
    cl: &syn::Ident,
    table_sql: &str,
    select_list: &str,
    row: &syn::Ident,
    key: &[&Field],
) -> TokenStream {
    let (sig, client_param, aw) = (mode.sig(), mode.client(cl), mode.aw());
    let suffix = key
        .iter()
        .map(|f| f.name.trim_start_matches("r#").to_string())
        .collect::<Vec<_>>()
        .join("_and_");
    let fn_name = format_ident!("find_by_{}", suffix);
    let const_name = format_ident!("FIND_BY_{}", suffix.to_ascii_uppercase());
    let sql = format!(
        "SELECT {select_list} FROM {table_sql} WHERE {}",
        where_clause(key, 1)
    );
    let (params, args) = key_params(key);
    let cols = key
        .iter()
        .map(|f| format!("`{}`", f.column.name))
        .collect::<Vec<_>>()
        .join(", ");
    let const_doc = format!(" Selects one row by the unique key ({cols}).");
    let fn_doc = format!(" The row with this unique key ({cols}), if there is one.");
    let constant = mode.once(quote! {
        #[doc = #const_doc]
        pub const #const_name: &str = #sql;
    });
    quote! {
        #constant

        #[doc = #fn_doc]
        #sig #fn_name(#client_param, #(#params),*) -> Result<Option<#row>, postgres::Error> {
            #cl
                .query_opt(#const_name, &[#(#args),*])#aw?
                .as_ref()
                .map(#row::from_row)
                .transpose()
        }
    }
}
