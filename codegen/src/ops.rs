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
    /// `pub fn name` or, async, `pub fn name<'a>` (the future borrows every argument).
    fn sig(self, name: &syn::Ident) -> TokenStream {
        match self {
            Mode::Blocking => quote! { pub fn #name },
            Mode::Async => quote! { pub fn #name<'a> },
        }
    }

    /// `&`, or `&'a` for an argument the future borrows.
    fn amp(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! { & },
            Mode::Async => quote! { &'a },
        }
    }

    /// The client's type.
    fn client_ty(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! { &mut impl schemakit_support::postgres::GenericClient },
            Mode::Async => {
                quote! { &'a (impl schemakit_support::tokio_postgres::GenericClient + Sync) }
            }
        }
    }

    /// The return type: `ty`, or a future of it. The async functions are no `async fn`s:
    /// each returns the support crate's one future, so a table adds no state machine of
    /// its own to compile. The future is `Send` (as the support crate's are) without the
    /// signature saying so: proving it for every function of every table is what made
    /// `cargo check` of 200 tables with both clients cost 8.4 s instead of 6.7 s.
    fn ret(self, ty: TokenStream) -> TokenStream {
        match self {
            Mode::Blocking => ty,
            Mode::Async => quote! { impl std::future::Future<Output = #ty> + 'a },
        }
    }

    /// The support crate's module of operations.
    fn ops(self) -> TokenStream {
        match self {
            Mode::Blocking => quote! { schemakit_support::blocking },
            Mode::Async => quote! { schemakit_support::nonblocking },
        }
    }

    /// Statement parameters: `&[&id, &page.limit, &row.job_id]` for the blocking client,
    /// `Vec::from([Box::new(id) as OwnedParam, …])` (owned by the future) for the async
    /// one.
    fn params(self, args: &[Arg]) -> TokenStream {
        match self {
            Mode::Blocking => {
                let refs = args.iter().map(|a| match a {
                    Arg::Passed(v) | Arg::Field(v) => quote! { &#v },
                });
                quote! { &[#(#refs),*] }
            }
            Mode::Async => {
                let values = args.iter().map(|a| match a {
                    Arg::Passed(v) => quote! { #v },
                    Arg::Field(v) => quote! { &#v },
                });
                // `Vec::from([…])`, not `vec![…]`: prettyplease lays out no macro's tokens.
                quote! { Vec::from([#(Box::new(#values) as schemakit_support::OwnedParam<'a>),*]) }
            }
        }
    }

    /// The name of a support function taking parameters: `one`, or `one_owned` for the
    /// async client.
    fn with_params(self, name: &str) -> syn::Ident {
        match self {
            Mode::Blocking => format_ident!("{name}"),
            Mode::Async => format_ident!("{name}_owned"),
        }
    }
}

/// A value a function passes on as a statement parameter.
enum Arg {
    /// An argument of the function, a reference or a number (`id`, `page.limit`): the
    /// async future owns it.
    Passed(TokenStream),
    /// A field of a borrowed argument (`row.job_id`): the future borrows it.
    Field(TokenStream),
}

/// Function parameters for key columns (`id: &uuid::Uuid`, borrowed as a caller would
/// pass them) and the arguments passing them on.
fn key_params(key: &[&Field], mode: Mode) -> (Vec<TokenStream>, Vec<Arg>) {
    let amp = mode.amp();
    let params = key
        .iter()
        .map(|f| {
            let ident = &f.ident;
            let ty = &f.value_ty;
            match ty.to_string().as_str() {
                "String" => quote! { #ident: #amp str },
                "Vec < u8 >" => quote! { #ident: #amp [u8] },
                _ => quote! { #ident: #amp #ty },
            }
        })
        .collect();
    let args = key
        .iter()
        .map(|f| {
            let ident = &f.ident;
            Arg::Passed(quote! { #ident })
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
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let amp = mode.amp();
    let (row, new) = (&spec.row, &spec.new);
    let page = spec.fresh("page");
    let ops = mode.ops();
    let crud = match mode {
        Mode::Blocking => quote! { schemakit_support::Crud },
        Mode::Async => quote! { schemakit_support::AsyncCrud },
    };
    let one = mode.with_params("one");
    let all = mode.with_params("all");
    let f = |name: &str| mode.sig(&format_ident!("{name}"));
    let upsert_by = spec.uniques.iter().filter(|k| k.arbiter).map(|key| {
        let sig = mode.sig(&format_ident!("upsert_by_{}", key.suffix));
        let conflict = key.fields.iter().map(|f| &f.sql);
        let ret = mode.ret(quote! { Result<#row, Error> });
        let doc = format!(
            " Inserts `new`, or where a row has its unique key ({}), updates the columns `new` gives (never the primary key); returns the row as stored.",
            cols_doc(key)
        );
        quote! {
            #[doc = #doc]
            #sig(#cp, new: #amp #new) -> #ret {
                #ops::upsert_on::<Table>(#cl, new, &[#(#conflict),*])
            }
        }
    });
    let keyed = (!spec.pk.is_empty()).then(|| keyed_functions(spec, mode));
    let finds = spec.uniques.iter().map(|key| {
        let sig = mode.sig(&format_ident!("find_by_{}", key.suffix));
        let c = const_ident("FIND_BY", &key.suffix);
        let (params, args) = key_params(&key.fields, mode);
        let values = mode.params(&args);
        let ret = mode.ret(quote! { Result<Option<#row>, Error> });
        let doc = format!(
            " The row with this unique key ({}), if there is one.",
            cols_doc(key)
        );
        quote! {
            #[doc = #doc]
            #sig(#cp, #(#params),*) -> #ret {
                #ops::#one::<Table>(#cl, #c, #values)
            }
        }
    });
    let lists = spec.lookups.iter().map(|key| {
        let sig = mode.sig(&format_ident!("list_by_{}", key.suffix));
        let c = const_ident("LIST_BY", &key.suffix);
        let (params, mut args) = key_params(&key.fields, mode);
        args.push(Arg::Passed(quote! { #page.limit }));
        args.push(Arg::Passed(quote! { #page.offset }));
        let values = mode.params(&args);
        let ret = mode.ret(quote! { Result<Vec<#row>, Error> });
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
            #sig(#cp, #(#params,)* #page: Page) -> #ret {
                #ops::#all::<Table>(#cl, #c, #values)
            }
        }
    });
    let parents = spec.parents.iter().map(|p| {
        let sig = mode.sig(&format_ident!("{}", p.name));
        let c = format_ident!("{}", p.name.to_ascii_uppercase());
        let (table, parent_row) = (&p.table_path, &p.row_path);
        let args: Vec<Arg> = p
            .fields
            .iter()
            .map(|f| {
                let ident = &f.ident;
                Arg::Field(quote! { row.#ident })
            })
            .collect();
        let values = mode.params(&args);
        let ret = mode.ret(quote! { Result<Option<#parent_row>, Error> });
        let doc = format!(
            " The {} row `row` references, if any (none when a referencing column is NULL).",
            p.doc
        );
        quote! {
            #[doc = #doc]
            #sig(#cp, row: #amp #row) -> #ret {
                #ops::#one::<#table>(#cl, #c, #values)
            }
        }
    });
    // `+ '_`: the rows borrow the client, and a crate on edition 2021 captures no lifetime
    // unless told.
    let stream_ret = match mode {
        Mode::Blocking => {
            quote! { Result<impl Iterator<Item = Result<#row, Error>> + '_, Error> }
        }
        Mode::Async => mode.ret(
            quote! { Result<impl schemakit_support::Stream<Item = Result<#row, Error>> + Send + 'a, Error> },
        ),
    };
    let (insert, insert_many, list, count, stream) = (
        f("insert"),
        f("insert_many"),
        f("list"),
        f("count"),
        f("stream"),
    );
    let one_row = mode.ret(quote! { Result<#row, Error> });
    let rows = mode.ret(quote! { Result<Vec<#row>, Error> });
    let number = mode.ret(quote! { Result<i64, Error> });
    quote! {
        /// Inserts a row and returns it as stored; columns `new` leaves to the database get
        /// their default.
        #insert(#cp, new: #amp #new) -> #one_row {
            <Table as #crud>::insert(#cl, new)
        }

        /// Inserts rows, one multi-row statement per 65,535 parameters, and returns them as
        /// stored, in the order given.
        #insert_many(#cp, news: #amp [#new]) -> #rows {
            <Table as #crud>::insert_many(#cl, news)
        }

        #(#upsert_by)*

        #keyed

        #(#finds)*

        #(#lists)*

        #(#parents)*

        /// One page of rows: `Page { limit, offset }`.
        #list(#cp, #page: Page) -> #rows {
            <Table as #crud>::list(#cl, #page)
        }

        /// The number of rows.
        #count(#cp) -> #number {
            <Table as #crud>::count(#cl)
        }

        /// Every row, read as the server sends them instead of collected.
        #stream(#cp) -> #stream_ret {
            <Table as #crud>::stream(#cl)
        }
    }
}

/// get, update, patch, delete, exists and list_after, by primary key.
fn keyed_functions(spec: &Spec, mode: Mode) -> TokenStream {
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let amp = mode.amp();
    let (row, new, patch_ty) = (&spec.row, &spec.new, &spec.patch);
    let (params, args) = key_params(&spec.pk, mode);
    let key = mode.params(&args);
    let patch = spec.fresh("patch");
    let ops = mode.ops();
    let keyed_crud = match mode {
        Mode::Blocking => quote! { schemakit_support::KeyedCrud },
        Mode::Async => quote! { schemakit_support::AsyncKeyedCrud },
    };
    let f = |name: &str| mode.sig(&format_ident!("{name}"));
    let (upsert, get, update, patch_fn, delete, exists, list_after) = (
        f("upsert"),
        f("get"),
        f("update"),
        f("patch"),
        f("delete"),
        f("exists"),
        f("list_after"),
    );
    let (one, patch_by, delete_by, exists_by) = (
        mode.with_params("one"),
        mode.with_params("patch_by"),
        mode.with_params("delete_by"),
        mode.with_params("exists_by"),
    );
    let one_row = mode.ret(quote! { Result<#row, Error> });
    let maybe_row = mode.ret(quote! { Result<Option<#row>, Error> });
    let rows = mode.ret(quote! { Result<Vec<#row>, Error> });
    let yes_no = mode.ret(quote! { Result<bool, Error> });
    // A DEFERRABLE primary key cannot be an ON CONFLICT arbiter: no `upsert` (the trait's
    // would be refused by Postgres, saying so).
    let upsert_fn = spec.pk_arbiter.then(|| {
        quote! {
            /// Inserts `new`, or where a row has its primary key, updates the columns `new`
            /// gives; returns the row as stored.
            #upsert(#cp, new: #amp #new) -> #one_row {
                <Table as #keyed_crud>::upsert(#cl, new)
            }
        }
    });
    quote! {
        #upsert_fn

        /// The row with this primary key, if there is one.
        #get(#cp, #(#params),*) -> #maybe_row {
            #ops::#one::<Table>(#cl, GET, #key)
        }

        /// Writes `row` over the stored row with the same primary key; returns the row as
        /// stored, or `None` when no row has that key.
        #update(#cp, row: #amp #row) -> #maybe_row {
            <Table as #keyed_crud>::update(#cl, row)
        }

        /// Writes the columns `patch` sets to the row with this primary key and returns it
        /// as stored; `None` when no row has the key.
        #patch_fn(#cp, #(#params,)* #patch: #amp #patch_ty) -> #maybe_row {
            #ops::#patch_by::<Table>(#cl, #key, #patch)
        }

        /// Deletes the row with this primary key; returns whether there was one.
        #delete(#cp, #(#params),*) -> #yes_no {
            #ops::#delete_by::<Table>(#cl, #key)
        }

        /// Whether a row with this primary key exists.
        #exists(#cp, #(#params),*) -> #yes_no {
            #ops::#exists_by::<Table>(#cl, #key)
        }

        /// At most `limit` rows with a primary key greater than `after` (from the first
        /// when `None`), in key order: pages that stay right while rows come and go.
        #list_after(#cp, after: Option<#amp Key>, limit: i64) -> #rows {
            <Table as #keyed_crud>::list_after(#cl, after, limit)
        }
    }
}
