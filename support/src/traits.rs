//! The traits every generated table implements, so code can be generic over tables: a
//! marker type per table (`jobs::Table`) carries its row, insert, patch and key types and
//! its SQL; the operations (`Crud`, `KeyedCrud` and their async twins) are written once,
//! in `blocking` and `nonblocking`, over that.

use crate::{Column, Error, Param, Row, Sets};

/// A table: its row and insert types, its name, select list and statements.
pub trait Table: Sized + 'static {
    /// A row as selected with [`Table::COLUMNS`].
    type Row: Send + Sync;
    /// The values of a new row.
    type New: Sync;
    /// The table's name, quoted for SQL where needed.
    const TABLE: &'static str;
    /// The select list, in the order of the row's fields.
    const COLUMNS: &'static str;
    /// The columns an insert writes, with their parameters' casts.
    const INSERT_COLUMNS: &'static [Column];
    /// The primary key's columns (none without one), which an upsert never changes.
    const KEY_COLUMNS: &'static [&'static str];
    /// One page of rows: limit `$1`, offset `$2`.
    const LIST: &'static str;
    /// The number of rows.
    const COUNT: &'static str;
    /// Every row.
    const STREAM: &'static str;

    /// Reads a row selected with [`Table::COLUMNS`].
    fn from_row(row: &Row) -> Result<Self::Row, Error>;

    /// One cell per insert column: a parameter, or `None` for `DEFAULT`.
    fn cells(new: &Self::New) -> Vec<Option<Param<'_>>>;
}

/// A table with a primary key: its key and patch types and the statements by key.
pub trait Keyed: Table {
    /// The primary key's value: one column's type, or a tuple.
    type Key: Send + Sync;
    /// Which columns to change, each left alone unless set.
    type Patch: Default + Sync;
    /// One row by key (`$1…`).
    const GET: &'static str;
    /// Every column but the key's, by key (`$1…` the key, then the columns); `None` when
    /// the key is all there is.
    const UPDATE: Option<&'static str>;
    /// Deletes by key.
    const DELETE: &'static str;
    /// `1` for a row with the key.
    const EXISTS: &'static str;
    /// The first rows in key order, limit `$1`.
    const LIST_FIRST: &'static str;
    /// The rows after a key (`$1…`) in key order, limit the last parameter.
    const LIST_AFTER: &'static str;
    /// The key's filter (`id = $1`), for patches.
    const KEY_FILTER: &'static str;

    /// A row's primary key.
    fn key(row: &Self::Row) -> Self::Key;

    /// The key's values as parameters, in key order.
    fn key_params(key: &Self::Key) -> Vec<Param<'_>>;

    /// The parameters of [`Keyed::UPDATE`] for `row`.
    fn update_params(row: &Self::Row) -> Vec<Param<'_>>;

    /// Adds the columns `patch` sets to `sets`.
    fn patch_sets<'a>(patch: &'a Self::Patch, sets: &mut Sets<'a>);
}

/// A keyed table whose primary key can be an `ON CONFLICT` arbiter (it is not
/// DEFERRABLE): the tables `upsert` exists for. The generated code implements it where
/// Postgres would accept the statement, so an upsert it would refuse does not compile.
///
/// With the implementation, `upsert` is there:
///
/// ```no_run
/// # use schemakit_support::{Column, Keyed, KeyedCrud, Param, Row, Sets, Table, Upsertable};
/// # struct Jobs;
/// # impl Table for Jobs {
/// #     type Row = i64;
/// #     type New = i64;
/// #     const TABLE: &'static str = "jobs";
/// #     const COLUMNS: &'static str = "id";
/// #     const INSERT_COLUMNS: &'static [Column] = &[Column { name: "id", cast: "" }];
/// #     const KEY_COLUMNS: &'static [&'static str] = &["id"];
/// #     const LIST: &'static str = "";
/// #     const COUNT: &'static str = "";
/// #     const STREAM: &'static str = "";
/// #     fn from_row(row: &Row) -> Result<i64, schemakit_support::Error> { row.try_get(0) }
/// #     fn cells(new: &i64) -> Vec<Option<Param<'_>>> { vec![Some(new as Param)] }
/// # }
/// # impl Keyed for Jobs {
/// #     type Key = i64;
/// #     type Patch = ();
/// #     const GET: &'static str = "";
/// #     const UPDATE: Option<&'static str> = None;
/// #     const DELETE: &'static str = "";
/// #     const EXISTS: &'static str = "";
/// #     const LIST_FIRST: &'static str = "";
/// #     const LIST_AFTER: &'static str = "";
/// #     const KEY_FILTER: &'static str = "";
/// #     fn key(row: &i64) -> i64 { *row }
/// #     fn key_params(key: &i64) -> Vec<Param<'_>> { vec![key as Param] }
/// #     fn update_params(row: &i64) -> Vec<Param<'_>> { vec![row as Param] }
/// #     fn patch_sets<'a>(_: &'a (), _: &mut Sets<'a>) {}
/// # }
/// impl Upsertable for Jobs {}
///
/// fn save(client: &mut postgres::Client) -> Result<i64, postgres::Error> {
///     Jobs::upsert(client, &7)
/// }
/// ```
///
/// Without it (a DEFERRABLE key), the same call does not compile:
///
/// ```compile_fail,E0277
/// # use schemakit_support::{Column, Keyed, KeyedCrud, Param, Row, Sets, Table, Upsertable};
/// # struct Jobs;
/// # impl Table for Jobs {
/// #     type Row = i64;
/// #     type New = i64;
/// #     const TABLE: &'static str = "jobs";
/// #     const COLUMNS: &'static str = "id";
/// #     const INSERT_COLUMNS: &'static [Column] = &[Column { name: "id", cast: "" }];
/// #     const KEY_COLUMNS: &'static [&'static str] = &["id"];
/// #     const LIST: &'static str = "";
/// #     const COUNT: &'static str = "";
/// #     const STREAM: &'static str = "";
/// #     fn from_row(row: &Row) -> Result<i64, schemakit_support::Error> { row.try_get(0) }
/// #     fn cells(new: &i64) -> Vec<Option<Param<'_>>> { vec![Some(new as Param)] }
/// # }
/// # impl Keyed for Jobs {
/// #     type Key = i64;
/// #     type Patch = ();
/// #     const GET: &'static str = "";
/// #     const UPDATE: Option<&'static str> = None;
/// #     const DELETE: &'static str = "";
/// #     const EXISTS: &'static str = "";
/// #     const LIST_FIRST: &'static str = "";
/// #     const LIST_AFTER: &'static str = "";
/// #     const KEY_FILTER: &'static str = "";
/// #     fn key(row: &i64) -> i64 { *row }
/// #     fn key_params(key: &i64) -> Vec<Param<'_>> { vec![key as Param] }
/// #     fn update_params(row: &i64) -> Vec<Param<'_>> { vec![row as Param] }
/// #     fn patch_sets<'a>(_: &'a (), _: &mut Sets<'a>) {}
/// # }
///
/// fn save(client: &mut postgres::Client) -> Result<i64, postgres::Error> {
///     Jobs::upsert(client, &7)
/// }
/// ```
pub trait Upsertable: Keyed {}
