//! One table's SQL constants and functions: blocking over `postgres` (in a `blocking`
//! module re-exported at the table's module) and async over `tokio-postgres` (in
//! `nonblocking`), both calling the same constants, with the support crate's trait
//! implementations for the table's marker type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::table::{Field, Key, Spec, where_clause};

/// Blocking functions over `postgres`, or async ones over `tokio-postgres`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
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

    /// The client's type.
    fn client_ty(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! { &mut impl schemakit_support::postgres::GenericClient },
            Mode::Async => {
                quote! { &(impl schemakit_support::tokio_postgres::GenericClient + Sync) }
            }
        }
    }

    /// `.await` where the async client needs it.
    fn aw(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! {},
            Mode::Async => quote! { .await },
        }
    }
}

/// Function parameters for key columns (`id: &uuid::Uuid`, borrowed as a caller would
/// pass them) and the arguments passing them on.
fn key_params(key: &[&Field]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let params = key
        .iter()
        .map(|f| {
            let ident = &f.ident;
            let ty = &f.value_ty;
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
            quote! { #ident }
        })
        .collect();
    (params, args)
}

fn const_ident(prefix: &str, suffix: &str) -> syn::Ident {
    format_ident!("{}_{}", prefix, suffix.to_ascii_uppercase())
}

/// The SQL constants, emitted once for both clients.
pub(crate) fn constants(spec: &Spec) -> TokenStream {
    let Spec {
        table_sql,
        select_list: sl,
        order,
        pk,
        updatable,
        ..
    } = spec;
    let list = format!("SELECT {sl} FROM {table_sql}{order} LIMIT $1 OFFSET $2");
    let count = format!("SELECT count(*) FROM {table_sql}");
    let stream = format!("SELECT {sl} FROM {table_sql}{order}");
    let list_doc = if pk.is_empty() {
        " Lists rows (in no particular order: the table has no primary key), `$1` at most, skipping `$2`."
    } else {
        " Lists rows ordered by primary key, `$1` at most, skipping `$2`."
    };
    let keyed = (!pk.is_empty()).then(|| {
        let filter = where_clause(pk, 1);
        let get = format!("SELECT {sl} FROM {table_sql} WHERE {filter}");
        let delete = format!("DELETE FROM {table_sql} WHERE {filter}");
        let exists = format!("SELECT 1 FROM {table_sql} WHERE {filter}");
        let update = (!updatable.is_empty()).then(|| {
            let sets = updatable
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{} = ${}{}", f.sql, i + pk.len() + 1, f.cast))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("UPDATE {table_sql} SET {sets} WHERE {filter} RETURNING {sl}");
            quote! {
                /// Updates every column but the primary key and generated columns, by primary key (`$1…`).
                pub const UPDATE: &str = #sql;
            }
        });
        let first = format!("SELECT {sl} FROM {table_sql}{order} LIMIT $1");
        let cols = pk
            .iter()
            .map(|f| f.sql.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let params = (1..=pk.len())
            .zip(pk.iter())
            .map(|(i, f)| format!("${i}{}", f.cast))
            .collect::<Vec<_>>()
            .join(", ");
        let after = if pk.len() == 1 {
            format!(
                "SELECT {sl} FROM {table_sql} WHERE {cols} > {params}{order} LIMIT ${}",
                pk.len() + 1
            )
        } else {
            format!(
                "SELECT {sl} FROM {table_sql} WHERE ({cols}) > ({params}){order} LIMIT ${}",
                pk.len() + 1
            )
        };
        quote! {
            /// Selects one row by primary key.
            pub const GET: &str = #get;

            #update

            /// Deletes one row by primary key.
            pub const DELETE: &str = #delete;

            /// Selects `1` for a row with this primary key.
            pub const EXISTS: &str = #exists;

            /// The first rows in key order, `$1` at most.
            pub const LIST_FIRST: &str = #first;

            /// The rows after a key (`$1…`) in key order, at most the last parameter.
            pub const LIST_AFTER: &str = #after;
        }
    });
    let finds = spec.uniques.iter().map(|key| {
        let c = const_ident("FIND_BY", &key.suffix);
        let sql = format!(
            "SELECT {sl} FROM {table_sql} WHERE {}",
            where_clause(&key.fields, 1)
        );
        let doc = format!(" Selects one row by the unique key ({}).", cols_doc(key));
        quote! { #[doc = #doc] pub const #c: &str = #sql; }
    });
    let lists = spec.lookups.iter().map(|key| {
        let c = const_ident("LIST_BY", &key.suffix);
        let n = key.fields.len();
        let sql = format!(
            "SELECT {sl} FROM {table_sql} WHERE {}{order} LIMIT ${} OFFSET ${}",
            where_clause(&key.fields, 1),
            n + 1,
            n + 2
        );
        let doc = format!(
            " Lists rows by ({}), with a limit and an offset.",
            cols_doc(key)
        );
        quote! { #[doc = #doc] pub const #c: &str = #sql; }
    });
    let parents = spec.parents.iter().map(|p| {
        let c = format_ident!("{}", p.name.to_ascii_uppercase());
        let sql = &p.sql;
        let doc = format!(" Selects the {} row a row of this table references.", p.doc);
        quote! { #[doc = #doc] pub const #c: &str = #sql; }
    });
    quote! {
        #[doc = #list_doc]
        pub const LIST: &str = #list;

        /// Counts the rows.
        pub const COUNT: &str = #count;

        /// Selects every row, for streaming.
        pub const STREAM: &str = #stream;

        #keyed

        #(#finds)*

        #(#lists)*

        #(#parents)*
    }
}

fn cols_doc(key: &Key) -> String {
    key.fields
        .iter()
        .map(|f| format!("`{}`", f.column.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The functions over one client: each a call of the support crate's operation on the
/// table's marker type, with the table's own statements.
pub(crate) fn functions(spec: &Spec, mode: Mode) -> TokenStream {
    let (sig, aw) = (mode.sig(), mode.aw());
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let (row, new) = (&spec.row, &spec.new);
    let page = spec.fresh("page");
    let (ops, crud) = match mode {
        Mode::Blocking => (
            quote! { schemakit_support::blocking },
            quote! { schemakit_support::Crud },
        ),
        Mode::Async => (
            quote! { schemakit_support::nonblocking },
            quote! { schemakit_support::AsyncCrud },
        ),
    };
    let upsert_by = spec.uniques.iter().filter(|k| k.arbiter).map(|key| {
        let name = format_ident!("upsert_by_{}", key.suffix);
        let conflict = key.fields.iter().map(|f| &f.sql);
        let doc = format!(
            " Inserts `new`, or where a row has its unique key ({}), updates the columns `new` gives (never the primary key); returns the row as stored.",
            cols_doc(key)
        );
        quote! {
            #[doc = #doc]
            #sig #name(#cp, new: &#new) -> Result<#row, Error> {
                #ops::upsert_on::<Table>(#cl, new, &[#(#conflict),*])#aw
            }
        }
    });
    let keyed = (!spec.pk.is_empty()).then(|| keyed_functions(spec, mode));
    let finds = spec.uniques.iter().map(|key| {
        let name = format_ident!("find_by_{}", key.suffix);
        let c = const_ident("FIND_BY", &key.suffix);
        let (params, args) = key_params(&key.fields);
        let doc = format!(
            " The row with this unique key ({}), if there is one.",
            cols_doc(key)
        );
        quote! {
            #[doc = #doc]
            #sig #name(#cp, #(#params),*) -> Result<Option<#row>, Error> {
                #ops::one::<Table>(#cl, #c, &[#(&#args),*])#aw
            }
        }
    });
    let lists = spec.lookups.iter().map(|key| {
        let name = format_ident!("list_by_{}", key.suffix);
        let c = const_ident("LIST_BY", &key.suffix);
        let (params, args) = key_params(&key.fields);
        let doc = format!(
            " One page of the rows with these values of ({}){}.",
            cols_doc(key),
            if spec.pk.is_empty() {
                ""
            } else {
                ", ordered by primary key"
            }
        );
        quote! {
            #[doc = #doc]
            #sig #name(#cp, #(#params,)* #page: Page) -> Result<Vec<#row>, Error> {
                #ops::all::<Table>(#cl, #c, &[#(&#args,)* &#page.limit, &#page.offset])#aw
            }
        }
    });
    let parents = spec.parents.iter().map(|p| {
        let name = format_ident!("{}", p.name);
        let c = format_ident!("{}", p.name.to_ascii_uppercase());
        let (table, parent_row) = (&p.table_path, &p.row_path);
        let args = p.fields.iter().map(|f| {
            let ident = &f.ident;
            quote! { &row.#ident }
        });
        let doc = format!(
            " The {} row `row` references, if any (none when a referencing column is NULL).",
            p.doc
        );
        quote! {
            #[doc = #doc]
            #sig #name(#cp, row: &#row) -> Result<Option<#parent_row>, Error> {
                #ops::one::<#table>(#cl, #c, &[#(#args),*])#aw
            }
        }
    });
    // `+ '_`: the rows borrow the client, and a crate on edition 2021 captures no lifetime
    // unless told.
    let stream_ty = match mode {
        Mode::Blocking => quote! { impl Iterator<Item = Result<#row, Error>> + '_ },
        Mode::Async => {
            quote! { impl schemakit_support::Stream<Item = Result<#row, Error>> + Send + '_ }
        }
    };
    quote! {
        /// Inserts a row and returns it as stored; columns `new` leaves to the database get
        /// their default.
        #sig insert(#cp, new: &#new) -> Result<#row, Error> {
            <Table as #crud>::insert(#cl, new)#aw
        }

        /// Inserts rows, one multi-row statement per 65,535 parameters, and returns them as
        /// stored, in the order given.
        #sig insert_many(#cp, news: &[#new]) -> Result<Vec<#row>, Error> {
            <Table as #crud>::insert_many(#cl, news)#aw
        }

        #(#upsert_by)*

        #keyed

        #(#finds)*

        #(#lists)*

        #(#parents)*

        /// One page of rows: `Page { limit, offset }`.
        #sig list(#cp, #page: Page) -> Result<Vec<#row>, Error> {
            <Table as #crud>::list(#cl, #page)#aw
        }

        /// The number of rows.
        #sig count(#cp) -> Result<i64, Error> {
            <Table as #crud>::count(#cl)#aw
        }

        /// Every row, read as the server sends them instead of collected.
        #sig stream(#cp) -> Result<#stream_ty, Error> {
            <Table as #crud>::stream(#cl)#aw
        }
    }
}

/// get, update, patch, delete, exists and list_after, by primary key.
fn keyed_functions(spec: &Spec, mode: Mode) -> TokenStream {
    let (sig, aw) = (mode.sig(), mode.aw());
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let (row, new, patch_ty) = (&spec.row, &spec.new, &spec.patch);
    let (params, args) = key_params(&spec.pk);
    let patch = spec.fresh("patch");
    let (ops, keyed_crud) = match mode {
        Mode::Blocking => (
            quote! { schemakit_support::blocking },
            quote! { schemakit_support::KeyedCrud },
        ),
        Mode::Async => (
            quote! { schemakit_support::nonblocking },
            quote! { schemakit_support::AsyncKeyedCrud },
        ),
    };
    quote! {
        /// Inserts `new`, or where a row has its primary key, updates the columns `new`
        /// gives; returns the row as stored.
        #sig upsert(#cp, new: &#new) -> Result<#row, Error> {
            <Table as #keyed_crud>::upsert(#cl, new)#aw
        }

        /// The row with this primary key, if there is one.
        #sig get(#cp, #(#params),*) -> Result<Option<#row>, Error> {
            #ops::one::<Table>(#cl, GET, &[#(&#args),*])#aw
        }

        /// Writes `row` over the stored row with the same primary key; returns the row as
        /// stored, or `None` when no row has that key.
        #sig update(#cp, row: &#row) -> Result<Option<#row>, Error> {
            <Table as #keyed_crud>::update(#cl, row)#aw
        }

        /// Writes the columns `patch` sets to the row with this primary key and returns it
        /// as stored; `None` when no row has the key.
        #sig patch(#cp, #(#params,)* #patch: &#patch_ty) -> Result<Option<#row>, Error> {
            #ops::patch_by::<Table>(#cl, &[#(&#args),*], #patch)#aw
        }

        /// Deletes the row with this primary key; returns whether there was one.
        #sig delete(#cp, #(#params),*) -> Result<bool, Error> {
            #ops::delete_by::<Table>(#cl, &[#(&#args),*])#aw
        }

        /// Whether a row with this primary key exists.
        #sig exists(#cp, #(#params),*) -> Result<bool, Error> {
            #ops::exists_by::<Table>(#cl, &[#(&#args),*])#aw
        }

        /// At most `limit` rows with a primary key greater than `after` (from the first
        /// when `None`), in key order: pages that stay right while rows come and go.
        #sig list_after(#cp, after: Option<&Key>, limit: i64) -> Result<Vec<#row>, Error> {
            <Table as #keyed_crud>::list_after(#cl, after, limit)#aw
        }
    }
}
