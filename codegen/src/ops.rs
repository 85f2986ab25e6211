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

    /// A trait method's return type: `T`, or a `Send` future of it.
    fn ret(self, ty: TokenStream) -> TokenStream {
        match self {
            Mode::Blocking => ty,
            Mode::Async => quote! { impl std::future::Future<Output = #ty> + Send },
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

/// The arguments of a key-taking function from a `Key` value named `key`.
fn key_args(pk: &[&Field]) -> Vec<TokenStream> {
    if pk.len() == 1 {
        vec![quote! { key }]
    } else {
        (0..pk.len())
            .map(|i| {
                let i = syn::Index::from(i);
                quote! { &key.#i }
            })
            .collect()
    }
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

/// The functions and trait implementations over one client.
pub(crate) fn functions(spec: &Spec, mode: Mode) -> TokenStream {
    let (sig, aw) = (mode.sig(), mode.aw());
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let (row, new) = (&spec.row, &spec.new);
    let page = spec.fresh("page");

    let upsert_on = (!spec.pk.is_empty() || spec.uniques.iter().any(|k| k.arbiter)).then(|| {
        let private = match mode {
            Mode::Blocking => quote! { fn },
            Mode::Async => quote! { async fn },
        };
        quote! {
            /// The insert, or on a conflict on `conflict` an update of the columns `new`
            /// gives (never the primary key's); the row either way.
            #private upsert_on(#cp, new: &#new, conflict: &[&str]) -> Result<#row, Error> {
                let mut values = schemakit_support::Values::new(INSERT_COLUMNS);
                values.row(insert_cells(new));
                let sql = values.upsert_sql(TABLE, conflict, KEY_COLUMNS, COLUMNS);
                #row::from_row(&#cl.query_one(sql.as_str(), values.params())#aw?)
            }
        }
    });
    let upsert_pk = (!spec.pk.is_empty()).then(|| {
        let conflict = spec.pk.iter().map(|f| &f.sql);
        quote! {
            /// Inserts `new`, or where a row has its primary key, updates the columns `new`
            /// gives; returns the row as stored.
            #sig upsert(#cp, new: &#new) -> Result<#row, Error> {
                upsert_on(#cl, new, &[#(#conflict),*])#aw
            }
        }
    });
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
                upsert_on(#cl, new, &[#(#conflict),*])#aw
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
                #cl.query_opt(#c, &[#(&#args),*])#aw?.as_ref().map(#row::from_row).transpose()
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
                #cl.query(#c, &[#(&#args,)* &#page.limit, &#page.offset])#aw?
                    .iter()
                    .map(#row::from_row)
                    .collect()
            }
        }
    });
    let parents = spec.parents.iter().map(|p| {
        let name = format_ident!("{}", p.name);
        let c = format_ident!("{}", p.name.to_ascii_uppercase());
        let path = &p.row_path;
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
            #sig #name(#cp, row: &#row) -> Result<Option<#path>, Error> {
                #cl.query_opt(#c, &[#(#args),*])#aw?.as_ref().map(#path::from_row).transpose()
            }
        }
    });
    let stream = match mode {
        Mode::Blocking => quote! {
            /// Every row, read as the server sends them instead of collected: for tables too
            /// large for one `Vec`.
            pub fn stream(#cp) -> Result<impl Iterator<Item = Result<#row, Error>>, Error> {
                use schemakit_support::postgres::fallible_iterator::FallibleIterator;
                Ok(#cl
                    .query_raw(STREAM, schemakit_support::no_params())?
                    .iterator()
                    .map(|row| row.and_then(|row| #row::from_row(&row))))
            }
        },
        Mode::Async => quote! {
            /// Every row, read as the server sends them instead of collected: for tables too
            /// large for one `Vec`.
            pub async fn stream(#cp) -> Result<impl schemakit_support::Stream<Item = Result<#row, Error>>, Error> {
                use schemakit_support::StreamExt;
                Ok(#cl
                    .query_raw(STREAM, schemakit_support::no_params())
                    .await?
                    .map(|row| row.and_then(|row| #row::from_row(&row))))
            }
        },
    };
    let list_doc = if spec.pk.is_empty() {
        " One page of rows (in no particular order: the table has no primary key): `Page { limit, offset }`."
    } else {
        " One page of rows ordered by primary key: `Page { limit, offset }`."
    };
    let impls = trait_impls(spec, mode);
    quote! {
        /// Inserts a row and returns it as stored; columns `new` leaves to the database get
        /// their default.
        #sig insert(#cp, new: &#new) -> Result<#row, Error> {
            let mut values = schemakit_support::Values::new(INSERT_COLUMNS);
            values.row(insert_cells(new));
            #row::from_row(&#cl.query_one(values.insert_sql(TABLE, COLUMNS).as_str(), values.params())#aw?)
        }

        /// Inserts rows with one multi-row statement per 65,535 parameters and returns them
        /// as stored, in the order given.
        #sig insert_many(#cp, news: &[#new]) -> Result<Vec<#row>, Error> {
            let mut rows = Vec::with_capacity(news.len());
            for chunk in news.chunks(schemakit_support::Values::rows_per_statement(INSERT_COLUMNS)) {
                let mut values = schemakit_support::Values::new(INSERT_COLUMNS);
                for new in chunk {
                    values.row(insert_cells(new));
                }
                let sql = values.insert_sql(TABLE, COLUMNS);
                for row in #cl.query(sql.as_str(), values.params())#aw? {
                    rows.push(#row::from_row(&row)?);
                }
            }
            Ok(rows)
        }

        #upsert_on

        #upsert_pk

        #(#upsert_by)*

        #keyed

        #(#finds)*

        #(#lists)*

        #(#parents)*

        #[doc = #list_doc]
        #sig list(#cp, #page: Page) -> Result<Vec<#row>, Error> {
            #cl.query(LIST, &[&#page.limit, &#page.offset])#aw?
                .iter()
                .map(#row::from_row)
                .collect()
        }

        /// The number of rows.
        #sig count(#cp) -> Result<i64, Error> {
            #cl.query_one(COUNT, &[])#aw?.try_get(0)
        }

        #stream

        #impls
    }
}

/// get, update, patch, delete, exists and list_after, by primary key.
fn keyed_functions(spec: &Spec, mode: Mode) -> TokenStream {
    let (sig, aw) = (mode.sig(), mode.aw());
    let cl = &spec.client;
    let client = mode.client_ty();
    let cp = quote! { #cl: #client };
    let (row, patch_ty) = (&spec.row, &spec.patch);
    let pk = &spec.pk;
    let (params, args) = key_params(pk);
    let patch = spec.fresh("patch");
    let sets = spec.fresh("sets");
    let update = if spec.updatable.is_empty() {
        // Nothing but the key to write: the row as stored.
        let args = pk.iter().map(|f| {
            let ident = &f.ident;
            quote! { &row.#ident }
        });
        quote! {
            /// The stored row with `row`'s primary key: the table has no other column to write.
            #sig update(#cp, row: &#row) -> Result<Option<#row>, Error> {
                get(#cl, #(#args),*)#aw
            }
        }
    } else {
        let values = pk.iter().chain(spec.updatable.iter()).map(|f| {
            let ident = &f.ident;
            quote! { &row.#ident }
        });
        quote! {
            /// Writes `row` over the stored row with the same primary key; returns the row as
            /// stored, or `None` when no row has that key.
            #sig update(#cp, row: &#row) -> Result<Option<#row>, Error> {
                #cl.query_opt(UPDATE, &[#(#values),*])#aw?.as_ref().map(#row::from_row).transpose()
            }
        }
    };
    let after_args = key_args(pk);
    quote! {
        /// The row with this primary key, if there is one.
        #sig get(#cp, #(#params),*) -> Result<Option<#row>, Error> {
            #cl.query_opt(GET, &[#(&#args),*])#aw?.as_ref().map(#row::from_row).transpose()
        }

        #update

        /// Writes the columns `patch` sets to the row with this primary key and returns it
        /// as stored; `None` when no row has the key. A patch that sets nothing reads the row.
        #sig patch(#cp, #(#params,)* #patch: &#patch_ty) -> Result<Option<#row>, Error> {
            let mut #sets = schemakit_support::Sets::new(&[#(&#args as schemakit_support::Param),*]);
            patch_sets(#patch, &mut #sets);
            if #sets.is_empty() {
                return get(#cl, #(#args),*)#aw;
            }
            let sql = #sets.update_sql(TABLE, KEY_FILTER, COLUMNS);
            #cl.query_opt(sql.as_str(), #sets.params())#aw?.as_ref().map(#row::from_row).transpose()
        }

        /// Deletes the row with this primary key; returns whether there was one.
        #sig delete(#cp, #(#params),*) -> Result<bool, Error> {
            Ok(#cl.execute(DELETE, &[#(&#args),*])#aw? == 1)
        }

        /// Whether a row with this primary key exists.
        #sig exists(#cp, #(#params),*) -> Result<bool, Error> {
            Ok(#cl.query_opt(EXISTS, &[#(&#args),*])#aw?.is_some())
        }

        /// At most `limit` rows with a primary key greater than `after` (from the first
        /// when `None`), in key order: pages that stay right while rows come and go.
        #sig list_after(#cp, after: Option<&Key>, limit: i64) -> Result<Vec<#row>, Error> {
            let rows = match after {
                None => #cl.query(LIST_FIRST, &[&limit])#aw?,
                Some(key) => {
                    #cl.query(LIST_AFTER, &[#(#after_args,)* &limit])#aw?
                }
            };
            rows.iter().map(#row::from_row).collect()
        }
    }
}

/// The support crate's operation traits for the table's marker type, each method calling
/// the function of the same name.
fn trait_impls(spec: &Spec, mode: Mode) -> TokenStream {
    let (row, new) = (&spec.row, &spec.new);
    let client = mode.client_ty();
    let r = |ty: TokenStream| mode.ret(ty);
    let (crud, keyed_crud) = match mode {
        Mode::Blocking => (
            quote! { schemakit_support::Crud },
            quote! { schemakit_support::KeyedCrud },
        ),
        Mode::Async => (
            quote! { schemakit_support::AsyncCrud },
            quote! { schemakit_support::AsyncKeyedCrud },
        ),
    };
    let insert_ret = r(quote! { Result<#row, Error> });
    let many_ret = r(quote! { Result<Vec<#row>, Error> });
    let count_ret = r(quote! { Result<i64, Error> });
    let stream_ret = match mode {
        Mode::Blocking => {
            quote! { Result<impl Iterator<Item = Result<#row, Error>>, Error> }
        }
        Mode::Async => {
            r(quote! { Result<impl schemakit_support::Stream<Item = Result<#row, Error>>, Error> })
        }
    };
    let keyed = (!spec.pk.is_empty()).then(|| {
        let args = key_args(&spec.pk);
        let opt_ret = r(quote! { Result<Option<#row>, Error> });
        let bool_ret = r(quote! { Result<bool, Error> });
        let patch = &spec.patch;
        quote! {
            impl #keyed_crud for super::Table {
                fn get(client: #client, key: &Key) -> #opt_ret {
                    get(client, #(#args),*)
                }

                fn update(client: #client, row: &#row) -> #opt_ret {
                    update(client, row)
                }

                fn patch(client: #client, key: &Key, changes: &#patch) -> #opt_ret {
                    patch(client, #(#args,)* changes)
                }

                fn delete(client: #client, key: &Key) -> #bool_ret {
                    delete(client, #(#args),*)
                }

                fn exists(client: #client, key: &Key) -> #bool_ret {
                    exists(client, #(#args),*)
                }

                fn upsert(client: #client, new: &#new) -> #insert_ret {
                    upsert(client, new)
                }

                fn list_after(client: #client, after: Option<&Key>, limit: i64) -> #many_ret {
                    list_after(client, after, limit)
                }
            }
        }
    });
    quote! {
        impl #crud for super::Table {
            fn insert(client: #client, new: &#new) -> #insert_ret {
                insert(client, new)
            }

            fn insert_many(client: #client, news: &[#new]) -> #many_ret {
                insert_many(client, news)
            }

            fn list(client: #client, page: Page) -> #many_ret {
                list(client, page)
            }

            fn count(client: #client) -> #count_ret {
                count(client)
            }

            fn stream(client: #client) -> #stream_ret {
                stream(client)
            }
        }

        #keyed
    }
}
