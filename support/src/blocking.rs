//! The operations over the blocking `postgres` client (feature `blocking`): the traits
//! every table has, and the functions its module's own (finders, lists by a column,
//! parents, upserts by a unique key) call.

use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;

use crate::{Error, Keyed, Page, Param, Sets, Table, Values, no_params};

/// The row the statement selects, if any.
pub fn one<T: Table>(
    client: &mut impl GenericClient,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Option<T::Row>, Error> {
    client
        .query_opt(sql, params)?
        .as_ref()
        .map(T::from_row)
        .transpose()
}

/// The rows the statement selects.
pub fn all<T: Table>(
    client: &mut impl GenericClient,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Vec<T::Row>, Error> {
    client.query(sql, params)?.iter().map(T::from_row).collect()
}

/// Inserts `new`, or on a conflict on `conflict` (quoted columns) updates the columns
/// `new` gives, never the primary key's; the row either way.
pub fn upsert_on<T: Table>(
    client: &mut impl GenericClient,
    new: &T::New,
    conflict: &[&str],
) -> Result<T::Row, Error> {
    let mut values = Values::new(T::INSERT_COLUMNS);
    values.row(T::cells(new));
    let sql = values.upsert_sql(T::TABLE, conflict, T::KEY_COLUMNS, T::COLUMNS);
    T::from_row(&client.query_one(sql.as_str(), values.params())?)
}

/// Writes the columns `patch` sets to the row with this key (its parameters, in key
/// order) and returns it as stored; a patch that sets nothing reads the row.
fn patch_by<T: Keyed>(
    client: &mut impl GenericClient,
    key: &[Param<'_>],
    patch: &T::Patch,
) -> Result<Option<T::Row>, Error> {
    let mut sets = Sets::new(key);
    T::patch_sets(patch, &mut sets);
    if sets.is_empty() {
        return one::<T>(client, T::GET, key);
    }
    let sql = sets.update_sql(T::TABLE, T::KEY_FILTER, T::COLUMNS);
    one::<T>(client, &sql, sets.params())
}

/// Deletes the row with this key (its parameters); whether there was one.
fn delete_by<T: Keyed>(client: &mut impl GenericClient, key: &[Param<'_>]) -> Result<bool, Error> {
    Ok(client.execute(T::DELETE, key)? == 1)
}

/// Whether a row has this key (its parameters).
fn exists_by<T: Keyed>(client: &mut impl GenericClient, key: &[Param<'_>]) -> Result<bool, Error> {
    Ok(client.query_opt(T::EXISTS, key)?.is_some())
}

/// A table's operations over the blocking client.
pub trait Crud: Table {
    /// Inserts a row and returns it as stored; columns `new` leaves to the database get
    /// their default.
    fn insert(client: &mut impl GenericClient, new: &Self::New) -> Result<Self::Row, Error> {
        let mut values = Values::new(Self::INSERT_COLUMNS);
        values.row(Self::cells(new));
        let sql = values.insert_sql(Self::TABLE, Self::COLUMNS);
        Self::from_row(&client.query_one(sql.as_str(), values.params())?)
    }

    /// Inserts rows, one multi-row statement per 65,535 parameters, and returns them as
    /// stored, in the order given.
    fn insert_many(
        client: &mut impl GenericClient,
        news: &[Self::New],
    ) -> Result<Vec<Self::Row>, Error> {
        let mut rows = Vec::with_capacity(news.len());
        for chunk in news.chunks(Values::rows_per_statement(Self::INSERT_COLUMNS)) {
            let mut values = Values::new(Self::INSERT_COLUMNS);
            for new in chunk {
                values.row(Self::cells(new));
            }
            let sql = values.insert_sql(Self::TABLE, Self::COLUMNS);
            for row in client.query(sql.as_str(), values.params())? {
                rows.push(Self::from_row(&row)?);
            }
        }
        Ok(rows)
    }

    /// One page of rows, ordered by primary key where there is one.
    fn list(client: &mut impl GenericClient, page: Page) -> Result<Vec<Self::Row>, Error> {
        all::<Self>(client, Self::LIST, &[&page.limit, &page.offset])
    }

    /// The number of rows.
    fn count(client: &mut impl GenericClient) -> Result<i64, Error> {
        client.query_one(Self::COUNT, &[])?.try_get(0)
    }

    /// Every row, read as the server sends them instead of collected: for tables too
    /// large for one `Vec`.
    fn stream(
        client: &mut impl GenericClient,
    ) -> Result<impl Iterator<Item = Result<Self::Row, Error>>, Error> {
        Ok(client
            .query_raw(Self::STREAM, no_params())?
            .iterator()
            .map(|row| row.and_then(|row| Self::from_row(&row))))
    }
}

impl<T: Table> Crud for T {}

/// A keyed table's operations over the blocking client.
pub trait KeyedCrud: Keyed + Crud {
    /// The row with this key, if there is one.
    fn get(client: &mut impl GenericClient, key: &Self::Key) -> Result<Option<Self::Row>, Error> {
        one::<Self>(client, Self::GET, &Self::key_params(key))
    }

    /// Writes `row` over the stored row with its key; returns the row as stored, or `None`
    /// when no row has the key.
    fn update(
        client: &mut impl GenericClient,
        row: &Self::Row,
    ) -> Result<Option<Self::Row>, Error> {
        match Self::UPDATE {
            Some(sql) => one::<Self>(client, sql, &Self::update_params(row)),
            // Nothing but the key to write: the row as stored.
            None => Self::get(client, &Self::key(row)),
        }
    }

    /// Writes the columns `patch` sets and returns the row as stored; `None` when no row
    /// has the key. A patch that sets nothing reads the row.
    fn patch(
        client: &mut impl GenericClient,
        key: &Self::Key,
        patch: &Self::Patch,
    ) -> Result<Option<Self::Row>, Error> {
        patch_by::<Self>(client, &Self::key_params(key), patch)
    }

    /// Deletes the row with this key; returns whether there was one.
    fn delete(client: &mut impl GenericClient, key: &Self::Key) -> Result<bool, Error> {
        delete_by::<Self>(client, &Self::key_params(key))
    }

    /// Whether a row has this key.
    fn exists(client: &mut impl GenericClient, key: &Self::Key) -> Result<bool, Error> {
        exists_by::<Self>(client, &Self::key_params(key))
    }

    /// Inserts `new`, or where a row has its primary key, updates the columns `new` gives;
    /// returns the row as stored. Only for a table whose key can be an `ON CONFLICT`
    /// arbiter ([`Upsertable`](crate::Upsertable): not a DEFERRABLE one).
    fn upsert(client: &mut impl GenericClient, new: &Self::New) -> Result<Self::Row, Error>
    where
        Self: crate::Upsertable,
    {
        upsert_on::<Self>(client, new, Self::KEY_COLUMNS)
    }

    /// At most `limit` rows with a key greater than `after` (from the first when `None`),
    /// in key order: pages that stay right while rows come and go.
    fn list_after(
        client: &mut impl GenericClient,
        after: Option<&Self::Key>,
        limit: i64,
    ) -> Result<Vec<Self::Row>, Error> {
        match after {
            None => all::<Self>(client, Self::LIST_FIRST, &[&limit]),
            Some(key) => {
                let mut params = Self::key_params(key);
                params.push(&limit);
                all::<Self>(client, Self::LIST_AFTER, &params)
            }
        }
    }
}

impl<T: Keyed> KeyedCrud for T {}
