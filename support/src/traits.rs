//! The traits every generated table implements, so code can be generic over tables: a
//! marker type per table (`jobs::Table`) carries its row, insert, patch and key types,
//! and the operations its module has as free functions.

use crate::{Error, Row};

/// A table: its row and insert types, its name and select list.
pub trait Table {
    /// A row as selected with [`Table::COLUMNS`].
    type Row;
    /// The values of a new row.
    type New;
    /// The table's name, quoted for SQL where needed.
    const TABLE: &'static str;
    /// The select list, in the order of the row's fields.
    const COLUMNS: &'static str;

    /// Reads a row selected with [`Table::COLUMNS`].
    fn from_row(row: &Row) -> Result<Self::Row, Error>;
}

/// A table with a primary key: its key and patch types.
pub trait Keyed: Table {
    /// The primary key's value: one column's type, or a tuple.
    type Key;
    /// Which columns to change, each left alone unless set.
    type Patch: Default;

    /// A row's primary key.
    fn key(row: &Self::Row) -> Self::Key;
}

#[cfg(feature = "blocking")]
mod blocking {
    use postgres::GenericClient;

    use super::{Error, Keyed, Table};
    use crate::Page;

    /// A table's operations over the blocking client.
    pub trait Crud: Table {
        /// Inserts a row and returns it as stored.
        fn insert(client: &mut impl GenericClient, new: &Self::New) -> Result<Self::Row, Error>;
        /// Inserts rows, as few statements as the protocol allows, and returns them.
        fn insert_many(
            client: &mut impl GenericClient,
            news: &[Self::New],
        ) -> Result<Vec<Self::Row>, Error>;
        /// One page of rows, ordered by primary key where there is one.
        fn list(client: &mut impl GenericClient, page: Page) -> Result<Vec<Self::Row>, Error>;
        /// The number of rows.
        fn count(client: &mut impl GenericClient) -> Result<i64, Error>;
        /// Every row, read as the server sends them, never collected.
        fn stream(
            client: &mut impl GenericClient,
        ) -> Result<impl Iterator<Item = Result<Self::Row, Error>>, Error>;
    }

    /// A keyed table's operations over the blocking client.
    pub trait KeyedCrud: Keyed + Crud {
        /// The row with this key.
        fn get(
            client: &mut impl GenericClient,
            key: &Self::Key,
        ) -> Result<Option<Self::Row>, Error>;
        /// Writes `row` over the stored row with its key; `None` when there is none.
        fn update(
            client: &mut impl GenericClient,
            row: &Self::Row,
        ) -> Result<Option<Self::Row>, Error>;
        /// Writes the columns `patch` sets; `None` when no row has this key.
        fn patch(
            client: &mut impl GenericClient,
            key: &Self::Key,
            patch: &Self::Patch,
        ) -> Result<Option<Self::Row>, Error>;
        /// Deletes the row with this key; whether there was one.
        fn delete(client: &mut impl GenericClient, key: &Self::Key) -> Result<bool, Error>;
        /// Whether a row has this key.
        fn exists(client: &mut impl GenericClient, key: &Self::Key) -> Result<bool, Error>;
        /// Inserts, or updates the given columns of the row with the same key.
        fn upsert(client: &mut impl GenericClient, new: &Self::New) -> Result<Self::Row, Error>;
        /// At most `limit` rows with a key greater than `after` (all keys when `None`), in
        /// key order: pages that stay right while rows are inserted.
        fn list_after(
            client: &mut impl GenericClient,
            after: Option<&Self::Key>,
            limit: i64,
        ) -> Result<Vec<Self::Row>, Error>;
    }
}

#[cfg(feature = "blocking")]
pub use blocking::{Crud, KeyedCrud};

#[cfg(feature = "tokio")]
mod nonblocking {
    use std::future::Future;

    use tokio_postgres::GenericClient;

    use super::{Error, Keyed, Table};
    use crate::Page;
    use crate::Stream;

    /// A table's operations over tokio-postgres.
    pub trait AsyncCrud: Table {
        /// Inserts a row and returns it as stored.
        fn insert(
            client: &(impl GenericClient + Sync),
            new: &Self::New,
        ) -> impl Future<Output = Result<Self::Row, Error>> + Send;
        /// Inserts rows, as few statements as the protocol allows, and returns them.
        fn insert_many(
            client: &(impl GenericClient + Sync),
            news: &[Self::New],
        ) -> impl Future<Output = Result<Vec<Self::Row>, Error>> + Send;
        /// One page of rows, ordered by primary key where there is one.
        fn list(
            client: &(impl GenericClient + Sync),
            page: Page,
        ) -> impl Future<Output = Result<Vec<Self::Row>, Error>> + Send;
        /// The number of rows.
        fn count(
            client: &(impl GenericClient + Sync),
        ) -> impl Future<Output = Result<i64, Error>> + Send;
        /// Every row, read as the server sends them, never collected.
        fn stream(
            client: &(impl GenericClient + Sync),
        ) -> impl Future<Output = Result<impl Stream<Item = Result<Self::Row, Error>>, Error>> + Send;
    }

    /// A keyed table's operations over tokio-postgres.
    pub trait AsyncKeyedCrud: Keyed + AsyncCrud {
        /// The row with this key.
        fn get(
            client: &(impl GenericClient + Sync),
            key: &Self::Key,
        ) -> impl Future<Output = Result<Option<Self::Row>, Error>> + Send;
        /// Writes `row` over the stored row with its key; `None` when there is none.
        fn update(
            client: &(impl GenericClient + Sync),
            row: &Self::Row,
        ) -> impl Future<Output = Result<Option<Self::Row>, Error>> + Send;
        /// Writes the columns `patch` sets; `None` when no row has this key.
        fn patch(
            client: &(impl GenericClient + Sync),
            key: &Self::Key,
            patch: &Self::Patch,
        ) -> impl Future<Output = Result<Option<Self::Row>, Error>> + Send;
        /// Deletes the row with this key; whether there was one.
        fn delete(
            client: &(impl GenericClient + Sync),
            key: &Self::Key,
        ) -> impl Future<Output = Result<bool, Error>> + Send;
        /// Whether a row has this key.
        fn exists(
            client: &(impl GenericClient + Sync),
            key: &Self::Key,
        ) -> impl Future<Output = Result<bool, Error>> + Send;
        /// Inserts, or updates the given columns of the row with the same key.
        fn upsert(
            client: &(impl GenericClient + Sync),
            new: &Self::New,
        ) -> impl Future<Output = Result<Self::Row, Error>> + Send;
        /// At most `limit` rows with a key greater than `after`, in key order.
        fn list_after(
            client: &(impl GenericClient + Sync),
            after: Option<&Self::Key>,
            limit: i64,
        ) -> impl Future<Output = Result<Vec<Self::Row>, Error>> + Send;
    }
}

#[cfg(feature = "tokio")]
pub use nonblocking::{AsyncCrud, AsyncKeyedCrud};
