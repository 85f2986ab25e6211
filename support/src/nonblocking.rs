//! The operations over `tokio-postgres` alone (feature `tokio`): the traits every table
//! has, and the functions its module's own (finders, lists by a column, parents, upserts
//! by a unique key) call.

use std::future::Future;

use futures_util::stream::StreamExt;
use tokio_postgres::GenericClient;

use crate::{Error, Keyed, OwnedParam, Page, Param, Sets, Table, Values, no_params};

/// The row the statement selects, if any.
pub async fn one<T: Table>(
    client: &(impl GenericClient + Sync),
    sql: &str,
    params: &[Param<'_>],
) -> Result<Option<T::Row>, Error> {
    client
        .query_opt(sql, params)
        .await?
        .as_ref()
        .map(T::from_row)
        .transpose()
}

/// The rows the statement selects.
pub async fn all<T: Table>(
    client: &(impl GenericClient + Sync),
    sql: &str,
    params: &[Param<'_>],
) -> Result<Vec<T::Row>, Error> {
    client
        .query(sql, params)
        .await?
        .iter()
        .map(T::from_row)
        .collect()
}

/// Inserts `new`, or on a conflict on `conflict` (quoted columns) updates the columns
/// `new` gives, never the primary key's; the row either way.
pub async fn upsert_on<T: Table>(
    client: &(impl GenericClient + Sync),
    new: &T::New,
    conflict: &[&str],
) -> Result<T::Row, Error> {
    let mut values = Values::new(T::INSERT_COLUMNS);
    values.row(T::cells(new));
    let sql = values.upsert_sql(T::TABLE, conflict, T::KEY_COLUMNS, T::COLUMNS);
    T::from_row(&client.query_one(sql.as_str(), values.params()).await?)
}

/// Writes the columns `patch` sets to the row with this key (its parameters, in key
/// order) and returns it as stored; a patch that sets nothing reads the row.
async fn patch_by<T: Keyed>(
    client: &(impl GenericClient + Sync),
    key: &[Param<'_>],
    patch: &T::Patch,
) -> Result<Option<T::Row>, Error> {
    let mut sets = Sets::new(key);
    T::patch_sets(patch, &mut sets);
    if sets.is_empty() {
        return one::<T>(client, T::GET, key).await;
    }
    let sql = sets.update_sql(T::TABLE, T::KEY_FILTER, T::COLUMNS);
    one::<T>(client, &sql, sets.params()).await
}

/// Deletes the row with this key (its parameters); whether there was one.
async fn delete_by<T: Keyed>(
    client: &(impl GenericClient + Sync),
    key: &[Param<'_>],
) -> Result<bool, Error> {
    Ok(client.execute(T::DELETE, key).await? == 1)
}

/// Whether a row has this key (its parameters).
async fn exists_by<T: Keyed>(
    client: &(impl GenericClient + Sync),
    key: &[Param<'_>],
) -> Result<bool, Error> {
    Ok(client.query_opt(T::EXISTS, key).await?.is_some())
}

/// Parameters the future owns (each a boxed value or reference), so a table's async
/// functions return the support crate's futures instead of being state machines of
/// their own.
fn borrowed<'p>(params: &'p [OwnedParam<'_>]) -> Vec<Param<'p>> {
    params.iter().map(|p| p.as_ref() as Param).collect()
}

/// A future that is `Send`, boxed: what every async operation returns. A table's
/// functions return it as it is, so the type they declare is a concrete one (an opaque
/// `impl Future` per function cost `cargo check` a third of the generated crate's time),
/// and whether the future is `Send` is settled here, once.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A boxed stream of rows that is `Send`: what `stream` yields.
pub type RowStream<'a, R> =
    std::pin::Pin<Box<dyn futures_util::stream::Stream<Item = Result<R, Error>> + Send + 'a>>;

/// [`one`] with parameters the future owns: what a table's own async functions (its
/// finders and parents) call. An array, so that the call needs no casts.
pub fn one_owned<'a, T: Table, const N: usize>(
    client: &'a (impl GenericClient + Sync),
    sql: &'a str,
    params: [OwnedParam<'a>; N],
) -> BoxFuture<'a, Result<Option<T::Row>, Error>> {
    Box::pin(async move { one::<T>(client, sql, &borrowed(&params)).await })
}

/// [`all`] with parameters the future owns: what a table's lists by an index call.
pub fn all_owned<'a, T: Table, const N: usize>(
    client: &'a (impl GenericClient + Sync),
    sql: &'a str,
    params: [OwnedParam<'a>; N],
) -> BoxFuture<'a, Result<Vec<T::Row>, Error>> {
    Box::pin(async move { all::<T>(client, sql, &borrowed(&params)).await })
}

/// [`upsert_on`], boxed.
pub fn upsert_on_owned<'a, T: Table>(
    client: &'a (impl GenericClient + Sync),
    new: &'a T::New,
    conflict: &'a [&'a str],
) -> BoxFuture<'a, Result<T::Row, Error>> {
    Box::pin(upsert_on::<T>(client, new, conflict))
}

/// A table's operations over tokio-postgres.
pub trait AsyncCrud: Table {
    /// Inserts a row and returns it as stored; columns `new` leaves to the database get
    /// their default.
    fn insert<'a>(
        client: &'a (impl GenericClient + Sync),
        new: &'a Self::New,
    ) -> BoxFuture<'a, Result<Self::Row, Error>> {
        Box::pin(async move {
            let mut values = Values::new(Self::INSERT_COLUMNS);
            values.row(Self::cells(new));
            let sql = values.insert_sql(Self::TABLE, Self::COLUMNS);
            Self::from_row(&client.query_one(sql.as_str(), values.params()).await?)
        })
    }

    /// Inserts rows, one multi-row statement per 65,535 parameters, and returns them as
    /// stored, in the order given.
    fn insert_many<'a>(
        client: &'a (impl GenericClient + Sync),
        news: &'a [Self::New],
    ) -> BoxFuture<'a, Result<Vec<Self::Row>, Error>> {
        Box::pin(async move {
            let mut rows = Vec::with_capacity(news.len());
            for chunk in news.chunks(Values::rows_per_statement(Self::INSERT_COLUMNS)) {
                let mut values = Values::new(Self::INSERT_COLUMNS);
                for new in chunk {
                    values.row(Self::cells(new));
                }
                let sql = values.insert_sql(Self::TABLE, Self::COLUMNS);
                for row in client.query(sql.as_str(), values.params()).await? {
                    rows.push(Self::from_row(&row)?);
                }
            }
            Ok(rows)
        })
    }

    /// One page of rows, ordered by primary key where there is one.
    fn list(
        client: &(impl GenericClient + Sync),
        page: Page,
    ) -> BoxFuture<'_, Result<Vec<Self::Row>, Error>> {
        Box::pin(async move { all::<Self>(client, Self::LIST, &[&page.limit, &page.offset]).await })
    }

    /// The number of rows.
    fn count(client: &(impl GenericClient + Sync)) -> BoxFuture<'_, Result<i64, Error>> {
        Box::pin(async move { client.query_one(Self::COUNT, &[]).await?.try_get(0) })
    }

    /// Every row, read as the server sends them instead of collected: for tables too
    /// large for one `Vec`.
    fn stream(
        client: &(impl GenericClient + Sync),
    ) -> BoxFuture<'_, Result<RowStream<'static, Self::Row>, Error>> {
        Box::pin(async move {
            let rows = client.query_raw(Self::STREAM, no_params()).await?;
            let rows: RowStream<'static, Self::Row> =
                Box::pin(rows.map(|row| row.and_then(|row| Self::from_row(&row))));
            Ok(rows)
        })
    }
}

impl<T: Table> AsyncCrud for T {}

/// A keyed table's operations over tokio-postgres.
pub trait AsyncKeyedCrud: Keyed + AsyncCrud {
    /// The row with this key, if there is one.
    fn get<'a>(
        client: &'a (impl GenericClient + Sync),
        key: &'a Self::Key,
    ) -> BoxFuture<'a, Result<Option<Self::Row>, Error>> {
        Box::pin(async move { one::<Self>(client, Self::GET, &Self::key_params(key)).await })
    }

    /// Writes `row` over the stored row with its key; returns the row as stored, or `None`
    /// when no row has the key.
    fn update<'a>(
        client: &'a (impl GenericClient + Sync),
        row: &'a Self::Row,
    ) -> BoxFuture<'a, Result<Option<Self::Row>, Error>> {
        Box::pin(async move {
            match Self::UPDATE {
                Some(sql) => one::<Self>(client, sql, &Self::update_params(row)).await,
                None => Self::get(client, &Self::key(row)).await,
            }
        })
    }

    /// Writes the columns `patch` sets and returns the row as stored; `None` when no row
    /// has the key. A patch that sets nothing reads the row.
    fn patch<'a>(
        client: &'a (impl GenericClient + Sync),
        key: &'a Self::Key,
        patch: &'a Self::Patch,
    ) -> BoxFuture<'a, Result<Option<Self::Row>, Error>> {
        Box::pin(async move { patch_by::<Self>(client, &Self::key_params(key), patch).await })
    }

    /// Deletes the row with this key; returns whether there was one.
    fn delete<'a>(
        client: &'a (impl GenericClient + Sync),
        key: &'a Self::Key,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move { delete_by::<Self>(client, &Self::key_params(key)).await })
    }

    /// Whether a row has this key.
    fn exists<'a>(
        client: &'a (impl GenericClient + Sync),
        key: &'a Self::Key,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move { exists_by::<Self>(client, &Self::key_params(key)).await })
    }

    /// Inserts `new`, or where a row has its primary key, updates the columns `new` gives;
    /// returns the row as stored. Only for a table whose key can be an `ON CONFLICT`
    /// arbiter ([`Upsertable`](crate::Upsertable): not a DEFERRABLE one).
    fn upsert<'a>(
        client: &'a (impl GenericClient + Sync),
        new: &'a Self::New,
    ) -> BoxFuture<'a, Result<Self::Row, Error>>
    where
        Self: crate::Upsertable,
    {
        Box::pin(upsert_on::<Self>(client, new, Self::KEY_COLUMNS))
    }

    /// At most `limit` rows with a key greater than `after` (from the first when `None`),
    /// in key order: pages that stay right while rows come and go.
    fn list_after<'a>(
        client: &'a (impl GenericClient + Sync),
        after: Option<&'a Self::Key>,
        limit: i64,
    ) -> BoxFuture<'a, Result<Vec<Self::Row>, Error>> {
        Box::pin(async move {
            match after {
                None => all::<Self>(client, Self::LIST_FIRST, &[&limit]).await,
                Some(key) => {
                    let mut params = Self::key_params(key);
                    params.push(&limit);
                    all::<Self>(client, Self::LIST_AFTER, &params).await
                }
            }
        })
    }
}

impl<T: Keyed> AsyncKeyedCrud for T {}
