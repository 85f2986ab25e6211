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
    /// `[Box::new(id), …]` (owned by the future) for the async one.
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
                        Arg::Passed(v) => format!("Box::new({v})"),
                        Arg::Field(v) => format!("Box::new(&{v})"),
                    })
                    .collect();
                format!("[{}]", values.join(", "))
            }
        }
    }

    /// A call of the support function `name` taking `n` statement parameters, for table
    /// `table`: `…::blocking::one::<Table>`, or for the async client the function taking
    /// an array the future owns, `…::nonblocking::one_owned::<Table, 2>` (an array and
    /// no casts: the cheapest call for `cargo check` of the forms measured).
    fn call(self, ops: &str, name: &str, table: &str, n: usize) -> String {
        match self {
            Mode::Blocking => format!("{ops}::{name}::<{table}>"),
            Mode::Async => format!("{ops}::{name}_owned::<{table}, {n}>"),
        }
    }

    /// A support function returning a future the caller may keep: `upsert_on`, or
    /// `upsert_on_owned` for the async client.
    fn boxed(self, name: &str) -> String {
        match self {
            Mode::Blocking => name.to_string(),
            Mode::Async => format!("{name}_owned"),
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

/// Whether the table has functions of its own (finders and upserts by unique key, lists
/// by an index's leading columns, parents): the operations every table has are the
/// support crate's traits, implemented for the table's marker type.
pub(crate) fn has_functions(spec: &Spec) -> bool {
    !(spec.uniques.is_empty() && spec.lookups.is_empty() && spec.parents.is_empty())
}

/// The table's own functions over one client, each a call of a support crate function
/// with the table's own statement. The operations every table has (insert, get, update,
/// patch, delete, lists, counts, streams, upsert by primary key) are not repeated here:
/// they are the methods of `Crud`/`KeyedCrud` (or `AsyncCrud`/`AsyncKeyedCrud`) on the
/// marker type `Table`, written once in the support crate. A forwarding function per
/// operation, per table and per client was about a fifth of `cargo check`'s time for
/// the generated crate with both clients (1.2 s of 5.9 s for 200 tables).
pub(crate) fn functions(c: &mut Code, spec: &Spec, mode: Mode) {
    let cl = spec.client;
    let cp = format!("{cl}: {}", mode.client_ty());
    let amp = mode.amp();
    let (row, new) = (&spec.row, &spec.new);
    let page = spec.fresh("page");
    let ops = mode.ops();
    let one_row = mode.ret(&format!("Result<{row}, Error>"));
    let rows = mode.ret(&format!("Result<Vec<{row}>, Error>"));

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
            &format!("{ops}::{}::<Table>", mode.boxed("upsert_on")),
            vec![
                cl.into(),
                "new".into(),
                format!("&[{}]", conflict.join(", ")),
            ],
        );
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
            &mode.call(ops, "one", "Table", args.len()),
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
            &mode.call(ops, "all", "Table", args.len()),
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
            &mode.call(ops, "one", &p.table_path, args.len()),
            vec![cl.into(), p.name.to_ascii_uppercase(), mode.params(&args)],
        );
    }
}
