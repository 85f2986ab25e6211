//! One table's SQL constants and functions: blocking over `postgres` (in a `blocking`
//! module re-exported at the table's module) and async over `tokio-postgres` (in
//! `nonblocking`), both calling the same constants, with the support crate's trait
//! implementations for the table's marker type.

use crate::code::{self, Code};
use crate::table::{Field, Key, Spec, str_const, where_clause};

/// Blocking functions over `postgres`, or async ones over `tokio-postgres`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Blocking,
    Async,
}

impl Mode {
    /// `pub fn name` or, async, `pub fn name<'a>` (the future borrows every argument).
    fn sig(self, name: &str) -> String {
        match self {
            Mode::Blocking => format!("pub fn {name}"),
            Mode::Async => format!("pub fn {name}<'a>"),
        }
    }

    /// `&`, or `&'a ` for an argument the future borrows.
    fn amp(self) -> &'static str {
        match self {
            Mode::Blocking => "&",
            Mode::Async => "&'a ",
        }
    }

    /// The client's type.
    fn client_ty(self) -> &'static str {
        match self {
            Mode::Blocking => "&mut impl schemakit_support::postgres::GenericClient",
            Mode::Async => "&'a (impl schemakit_support::tokio_postgres::GenericClient + Sync)",
        }
    }

    /// ` -> ty {`, or a future of it: the support crate's `BoxFuture`, which every async
    /// operation there returns. The type is concrete: with an `impl Future` per function,
    /// checking the opaque types was a third of `cargo check`'s time for the generated
    /// crate with both clients, and whether the future is `Send` is settled once, in the
    /// support crate, not for every function of every table.
    fn ret(self, ty: &str) -> String {
        match self {
            Mode::Blocking => format!(" -> {ty} {{"),
            Mode::Async => format!(" -> schemakit_support::BoxFuture<'a, {ty}> {{"),
        }
    }

    /// The support crate's module of operations.
    fn ops(self) -> &'static str {
        match self {
            Mode::Blocking => "schemakit_support::blocking",
            Mode::Async => "schemakit_support::nonblocking",
        }
    }

    /// Statement parameters: `&[&id, &page.limit, &row.job_id]` for the blocking client,
    /// `Vec::from([Box::new(id) as OwnedParam, …])` (owned by the future) for the async
    /// one.
    fn params(self, args: &[Arg]) -> String {
        match self {
            Mode::Blocking => {
                let refs: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Passed(v) | Arg::Field(v) => format!("&{v}"),
                    })
                    .collect();
                format!("&[{}]", refs.join(", "))
            }
            Mode::Async => {
                let values: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Passed(v) => {
                            format!("Box::new({v}) as schemakit_support::OwnedParam<'a>")
                        }
                        Arg::Field(v) => {
                            format!("Box::new(&{v}) as schemakit_support::OwnedParam<'a>")
                        }
                    })
                    .collect();
                format!("Vec::from([{}])", values.join(", "))
            }
        }
    }

    /// The name of a support function taking parameters: `one`, or `one_owned` for the
    /// async client.
    fn with_params(self, name: &str) -> String {
        match self {
            Mode::Blocking => name.to_string(),
            Mode::Async => format!("{name}_owned"),
        }
    }

    /// The operation traits.
    fn traits(self) -> (&'static str, &'static str) {
        match self {
            Mode::Blocking => ("schemakit_support::Crud", "schemakit_support::KeyedCrud"),
            Mode::Async => (
                "schemakit_support::AsyncCrud",
                "schemakit_support::AsyncKeyedCrud",
            ),
        }
    }
}

/// A value a function passes on as a statement parameter.
enum Arg {
    /// An argument of the function, a reference or a number (`id`, `page.limit`): the
    /// async future owns it.
    Passed(String),
    /// A field of a borrowed argument (`row.job_id`): the future borrows it.
    Field(String),
}

/// Function parameters for key columns (`id: &uuid::Uuid`, borrowed as a caller would
/// pass them) and the arguments passing them on.
fn key_params(key: &[&Field], mode: Mode) -> (Vec<String>, Vec<Arg>) {
    let amp = mode.amp();
    let params = key
        .iter()
        .map(|f| {
            let (name, ty) = (&f.name, &f.value_ty);
            // An override may be spaced as its author likes (`Vec <u8>`).
            let compact: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
            match compact.as_str() {
                "String" => format!("{name}: {amp}str"),
                "Vec<u8>" => format!("{name}: {amp}[u8]"),
                _ => format!("{name}: {amp}{ty}"),
            }
        })
        .collect();
    let args = key.iter().map(|f| Arg::Passed(f.name.clone())).collect();
    (params, args)
}

fn const_name(prefix: &str, suffix: &str) -> String {
    format!("{prefix}_{}", suffix.to_ascii_uppercase())
}

/// The SQL constants, emitted once for both clients.
pub(crate) fn constants(c: &mut Code, spec: &Spec) {
    let Spec {
        table_sql,
        select_list: sl,
        order,
        pk,
        updatable,
        ..
    } = spec;
    let list_doc = if pk.is_empty() {
        " Lists rows (in no particular order: the table has no primary key), `$1` at most, skipping `$2`."
    } else {
        " Lists rows ordered by primary key, `$1` at most, skipping `$2`."
    };
    str_const(
        c,
        &[list_doc],
        "LIST",
        &format!("SELECT {sl} FROM {table_sql}{order} LIMIT $1 OFFSET $2"),
    );
    str_const(
        c,
        &[" Counts the rows."],
        "COUNT",
        &format!("SELECT count(*) FROM {table_sql}"),
    );
    str_const(
        c,
        &[" Selects every row, for streaming."],
        "STREAM",
        &format!("SELECT {sl} FROM {table_sql}{order}"),
    );
    if !pk.is_empty() {
        let filter = where_clause(pk, 1);
        str_const(
            c,
            &[" Selects one row by primary key."],
            "GET",
            &format!("SELECT {sl} FROM {table_sql} WHERE {filter}"),
        );
        if !updatable.is_empty() {
            let sets = updatable
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{} = ${}{}", f.sql, i + pk.len() + 1, f.cast))
                .collect::<Vec<_>>()
                .join(", ");
            str_const(
                c,
                &[
                    " Updates every column but the primary key and generated columns, by primary key (`$1…`).",
                ],
                "UPDATE",
                &format!("UPDATE {table_sql} SET {sets} WHERE {filter} RETURNING {sl}"),
            );
        }
        str_const(
            c,
            &[" Deletes one row by primary key."],
            "DELETE",
            &format!("DELETE FROM {table_sql} WHERE {filter}"),
        );
        str_const(
            c,
            &[" Selects `1` for a row with this primary key."],
            "EXISTS",
            &format!("SELECT 1 FROM {table_sql} WHERE {filter}"),
        );
        str_const(
            c,
            &[" The first rows in key order, `$1` at most."],
            "LIST_FIRST",
            &format!("SELECT {sl} FROM {table_sql}{order} LIMIT $1"),
        );
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
        str_const(
            c,
            &[" The rows after a key (`$1…`) in key order, at most the last parameter."],
            "LIST_AFTER",
            &after,
        );
    }
    for key in &spec.uniques {
        let sql = format!(
            "SELECT {sl} FROM {table_sql} WHERE {}",
            where_clause(&key.fields, 1)
        );
        let doc = format!(" Selects one row by the unique key ({}).", cols_doc(key));
        str_const(c, &[&doc], &const_name("FIND_BY", &key.suffix), &sql);
    }
    for key in &spec.lookups {
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
        str_const(c, &[&doc], &const_name("LIST_BY", &key.suffix), &sql);
    }
    for p in &spec.parents {
        let doc = format!(" Selects the {} row a row of this table references.", p.doc);
        str_const(c, &[&doc], &p.name.to_ascii_uppercase(), &p.sql);
    }
}

fn cols_doc(key: &Key) -> String {
    key.fields
        .iter()
        .map(|f| format!("`{}`", f.column.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One function: its docs, its signature (`params` after the client), and a body of one
/// call, `head(args)`.
fn function(
    c: &mut Code,
    docs: &[&str],
    sig: &str,
    params: Vec<String>,
    ret: &str,
    head: &str,
    args: Vec<String>,
) {
    c.item();
    c.docs(docs);
    c.list(sig, &params, ret);
    c.list(head, &args, "");
    c.close("");
}

/// The functions over one client: each a call of the support crate's operation on the
/// table's marker type, with the table's own statements.
pub(crate) fn functions(c: &mut Code, spec: &Spec, mode: Mode) {
    let cl = spec.client;
    let cp = format!("{cl}: {}", mode.client_ty());
    let amp = mode.amp();
    let (row, new) = (&spec.row, &spec.new);
    let page = spec.fresh("page");
    let ops = mode.ops();
    let (crud, _) = mode.traits();
    let one = mode.with_params("one");
    let all = mode.with_params("all");
    let one_row = mode.ret(&format!("Result<{row}, Error>"));
    let rows = mode.ret(&format!("Result<Vec<{row}>, Error>"));
    let number = mode.ret("Result<i64, Error>");

    function(
        c,
        &[
            " Inserts a row and returns it as stored; columns `new` leaves to the database get",
            " their default.",
        ],
        &mode.sig("insert"),
        vec![cp.clone(), format!("new: {amp}{new}")],
        &one_row,
        &format!("<Table as {crud}>::insert"),
        vec![cl.into(), "new".into()],
    );
    function(
        c,
        &[
            " Inserts rows, one multi-row statement per 65,535 parameters, and returns them as",
            " stored, in the order given.",
        ],
        &mode.sig("insert_many"),
        vec![cp.clone(), format!("news: {amp}[{new}]")],
        &rows,
        &format!("<Table as {crud}>::insert_many"),
        vec![cl.into(), "news".into()],
    );
    for key in spec.uniques.iter().filter(|k| k.arbiter) {
        let conflict: Vec<String> = key.fields.iter().map(|f| code::string(&f.sql)).collect();
        let doc = format!(
            " Inserts `new`, or where a row has its unique key ({}), updates the columns `new` gives (never the primary key); returns the row as stored.",
            cols_doc(key)
        );
        function(
            c,
            &[&doc],
            &mode.sig(&format!("upsert_by_{}", key.suffix)),
            vec![cp.clone(), format!("new: {amp}{new}")],
            &one_row,
            &format!("{ops}::{}::<Table>", mode.with_params("upsert_on")),
            vec![
                cl.into(),
                "new".into(),
                format!("&[{}]", conflict.join(", ")),
            ],
        );
    }
    if !spec.pk.is_empty() {
        keyed_functions(c, spec, mode);
    }
    for key in &spec.uniques {
        let (params, args) = key_params(&key.fields, mode);
        let doc = format!(
            " The row with this unique key ({}), if there is one.",
            cols_doc(key)
        );
        function(
            c,
            &[&doc],
            &mode.sig(&format!("find_by_{}", key.suffix)),
            [cp.clone()].into_iter().chain(params).collect(),
            &mode.ret(&format!("Result<Option<{row}>, Error>")),
            &format!("{ops}::{one}::<Table>"),
            vec![
                cl.into(),
                const_name("FIND_BY", &key.suffix),
                mode.params(&args),
            ],
        );
    }
    for key in &spec.lookups {
        let (params, mut args) = key_params(&key.fields, mode);
        args.push(Arg::Passed(format!("{page}.limit")));
        args.push(Arg::Passed(format!("{page}.offset")));
        let doc = format!(
            " One page of the rows with these values of ({}){}.",
            cols_doc(key),
            if spec.pk.is_empty() {
                ""
            } else {
                ", ordered by primary key"
            }
        );
        function(
            c,
            &[&doc],
            &mode.sig(&format!("list_by_{}", key.suffix)),
            [cp.clone()]
                .into_iter()
                .chain(params)
                .chain([format!("{page}: Page")])
                .collect(),
            &rows,
            &format!("{ops}::{all}::<Table>"),
            vec![
                cl.into(),
                const_name("LIST_BY", &key.suffix),
                mode.params(&args),
            ],
        );
    }
    for p in &spec.parents {
        let args: Vec<Arg> = p
            .fields
            .iter()
            .map(|f| Arg::Field(format!("row.{}", f.name)))
            .collect();
        let doc = format!(
            " The {} row `row` references, if any (none when a referencing column is NULL).",
            p.doc
        );
        function(
            c,
            &[&doc],
            &mode.sig(&p.name),
            vec![cp.clone(), format!("row: {amp}{row}")],
            &mode.ret(&format!("Result<Option<{}>, Error>", p.row_path)),
            &format!("{ops}::{one}::<{}>", p.table_path),
            vec![cl.into(), p.name.to_ascii_uppercase(), mode.params(&args)],
        );
    }
    function(
        c,
        &[" One page of rows: `Page { limit, offset }`."],
        &mode.sig("list"),
        vec![cp.clone(), format!("{page}: Page")],
        &rows,
        &format!("<Table as {crud}>::list"),
        vec![cl.into(), page.clone()],
    );
    function(
        c,
        &[" The number of rows."],
        &mode.sig("count"),
        vec![cp.clone()],
        &number,
        &format!("<Table as {crud}>::count"),
        vec![cl.into()],
    );
    // `+ '_`: the rows borrow the client, and a crate on edition 2021 captures no lifetime
    // unless told.
    let stream_ret = match mode {
        Mode::Blocking => {
            format!(" -> Result<impl Iterator<Item = Result<{row}, Error>> + '_, Error> {{")
        }
        Mode::Async => mode.ret(&format!(
            "Result<schemakit_support::RowStream<'static, {row}>, Error>"
        )),
    };
    function(
        c,
        &[" Every row, read as the server sends them instead of collected."],
        &mode.sig("stream"),
        vec![cp],
        &stream_ret,
        &format!("<Table as {crud}>::stream"),
        vec![cl.into()],
    );
}

/// get, update, patch, delete, exists and list_after, by primary key.
fn keyed_functions(c: &mut Code, spec: &Spec, mode: Mode) {
    let cl = spec.client;
    let cp = format!("{cl}: {}", mode.client_ty());
    let amp = mode.amp();
    let (row, new, patch_ty) = (&spec.row, &spec.new, &spec.patch);
    let (params, args) = key_params(&spec.pk, mode);
    let key = mode.params(&args);
    let patch = spec.fresh("patch");
    let ops = mode.ops();
    let (_, keyed_crud) = mode.traits();
    let with_key = |extra: Vec<String>| -> Vec<String> {
        [cp.clone()]
            .into_iter()
            .chain(params.iter().cloned())
            .chain(extra)
            .collect()
    };
    let one_row = mode.ret(&format!("Result<{row}, Error>"));
    let maybe_row = mode.ret(&format!("Result<Option<{row}>, Error>"));
    let rows = mode.ret(&format!("Result<Vec<{row}>, Error>"));
    let yes_no = mode.ret("Result<bool, Error>");
    // A DEFERRABLE primary key cannot be an ON CONFLICT arbiter: no `upsert` (the trait's
    // would be refused by Postgres, saying so).
    if spec.pk_arbiter {
        function(
            c,
            &[
                " Inserts `new`, or where a row has its primary key, updates the columns `new`",
                " gives; returns the row as stored.",
            ],
            &mode.sig("upsert"),
            vec![cp.clone(), format!("new: {amp}{new}")],
            &one_row,
            &format!("<Table as {keyed_crud}>::upsert"),
            vec![cl.into(), "new".into()],
        );
    }
    function(
        c,
        &[" The row with this primary key, if there is one."],
        &mode.sig("get"),
        with_key(Vec::new()),
        &maybe_row,
        &format!("{ops}::{}::<Table>", mode.with_params("one")),
        vec![cl.into(), "GET".into(), key.clone()],
    );
    function(
        c,
        &[
            " Writes `row` over the stored row with the same primary key; returns the row as",
            " stored, or `None` when no row has that key.",
        ],
        &mode.sig("update"),
        vec![cp.clone(), format!("row: {amp}{row}")],
        &maybe_row,
        &format!("<Table as {keyed_crud}>::update"),
        vec![cl.into(), "row".into()],
    );
    function(
        c,
        &[
            " Writes the columns `patch` sets to the row with this primary key and returns it",
            " as stored; `None` when no row has the key.",
        ],
        &mode.sig("patch"),
        with_key(vec![format!("{patch}: {amp}{patch_ty}")]),
        &maybe_row,
        &format!("{ops}::{}::<Table>", mode.with_params("patch_by")),
        vec![cl.into(), key.clone(), patch.clone()],
    );
    function(
        c,
        &[" Deletes the row with this primary key; returns whether there was one."],
        &mode.sig("delete"),
        with_key(Vec::new()),
        &yes_no,
        &format!("{ops}::{}::<Table>", mode.with_params("delete_by")),
        vec![cl.into(), key.clone()],
    );
    function(
        c,
        &[" Whether a row with this primary key exists."],
        &mode.sig("exists"),
        with_key(Vec::new()),
        &yes_no,
        &format!("{ops}::{}::<Table>", mode.with_params("exists_by")),
        vec![cl.into(), key],
    );
    function(
        c,
        &[
            " At most `limit` rows with a primary key greater than `after` (from the first",
            " when `None`), in key order: pages that stay right while rows come and go.",
        ],
        &mode.sig("list_after"),
        vec![
            cp.clone(),
            format!("after: Option<{amp}Key>"),
            "limit: i64".into(),
        ],
        &rows,
        &format!("<Table as {keyed_crud}>::list_after"),
        vec![cl.into(), "after".into(), "limit".into()],
    );
}
