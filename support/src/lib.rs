//! What the code `schemakit generate` writes shares, so that each table's module stays
//! small: the three-state [`Value`] of an insert, [`Page`] for lists, the statement
//! builders ([`Values`], [`Sets`]) and the traits every table implements ([`Table`],
//! [`Keyed`], and their operations: `Crud` and `KeyedCrud` over the blocking client
//! (feature `blocking`), `AsyncCrud` and `AsyncKeyedCrud` over tokio-postgres (feature
//! `tokio`)).
//!
//! Rows and errors are tokio-postgres's types, which the blocking `postgres` crate
//! re-exports: code written against the async API never names the blocking crate.
//!
//! Features: `blocking` (default) for the functions over `postgres`, `tokio` for those
//! over `tokio-postgres`, `serde` for `Serialize`/`Deserialize`.

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "tokio")]
pub mod nonblocking;
mod sql;
mod traits;
mod value;

#[cfg(feature = "serde")]
pub mod serde_helpers;

pub use sql::{Column, Sets, Values};
pub use traits::{Keyed, Table, Upsertable};

#[cfg(feature = "blocking")]
pub use blocking::{Crud, KeyedCrud};
#[cfg(feature = "tokio")]
pub use nonblocking::{AsyncCrud, AsyncKeyedCrud, BoxFuture, RowStream};
pub use value::{Page, Value};

pub use postgres_types::ToSql;
pub use tokio_postgres::{Error, Row};

/// The blocking client crate, for generated code (feature `blocking`).
#[cfg(feature = "blocking")]
pub use postgres;
/// The async client crate, for generated code.
pub use tokio_postgres;

/// A stream of rows (feature `tokio`): what `AsyncCrud::stream` yields.
#[cfg(feature = "tokio")]
pub use futures_util::stream::Stream;

/// A statement parameter, as both clients take them.
pub type Param<'a> = &'a (dyn ToSql + Sync);

/// A statement parameter a future owns: a boxed value, or a boxed reference.
pub type OwnedParam<'a> = Box<dyn ToSql + Sync + Send + 'a>;

/// The parameter for a column left to its default when `None`.
pub fn given<T: ToSql + Sync>(value: &Option<T>) -> Option<Param<'_>> {
    value.as_ref().map(|v| v as Param)
}

/// No parameters, for `query_raw`.
pub fn no_params() -> std::iter::Empty<Param<'static>> {
    std::iter::empty()
}
