//! The generated code proven on a real Postgres: for every table of every system, through
//! the generated API only, insert (leaving defaulted columns to the database), read back
//! by key, update, find by each unique key, list and delete; values of every mapped type
//! come back as they went in; foreign keys and ON DELETE CASCADE behave as declared.
//!
//! One ephemeral cluster from local binaries per server version (PostgreSQL 15, and 18
//! with pgvector from scripts/postgres-runtime.sh), a fresh database per test.
//!
//! The shared helpers are here; each system's tests are in its module in `roundtrip/`.

// Test helpers: a failed call is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use futures_util::StreamExt;
use postgres::{Client, Error};
use rust_decimal::Decimal;
use schema::migrations::MigrationSet;
// The async traits are named by path only: with them in scope too, `jobs::Table::insert`
// would be ambiguous between the blocking and the async operation.
use schemakit_support::{Crud, KeyedCrud, Page, Value};
use verify::Server;

#[path = "roundtrip/cira.rs"]
mod cira;
#[path = "roundtrip/cost_tracker.rs"]
mod cost_tracker;
#[path = "roundtrip/plc_coach.rs"]
mod plc_coach;
#[path = "roundtrip/text_assistant.rs"]
mod text_assistant;
#[path = "roundtrip/type_coverage.rs"]
mod type_coverage;
#[path = "roundtrip/user_story_agent.rs"]
mod user_story_agent;

fn pg15() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        Server::local(None)
            .unwrap_or_else(|e| panic!("local PostgreSQL binaries are required: {e}"))
    })
}

/// `$SCHEMAKIT_PG18_BIN`, by default where scripts/postgres-runtime.sh puts it; never skipped.
fn pg18_vector() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = std::env::var_os("SCHEMAKIT_PG18_BIN")
            .map_or_else(|| "/opt/schemakit/pg18-vector/bin".into(), std::path::PathBuf::from);
        Server::local(Some(&bin)).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL 18 with pgvector is required in {} (run scripts/postgres-runtime.sh, or set SCHEMAKIT_PG18_BIN): {e}",
                bin.display()
            )
        })
    })
}

/// A fresh database with the system's migrations applied. A statement that fails with
/// the failure the system declares as known in schemakit.toml is left out (plc_coach's
/// `WHERE expires_at > NOW()` index, which Postgres rejects); any other failure fails.
fn database(server: &Server, migrations: &str, known_failure: Option<&str>) -> Client {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(migrations);
    let set = MigrationSet::read(&dir, None)
        .unwrap_or_else(|d| panic!("{}", schema::diagnostic::render_plain(&d)));
    let db = server
        .create_database(None)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut client = server.connect(&db).unwrap_or_else(|e| panic!("{e}"));
    connect_async(server, &db);
    for m in &set.migrations {
        let text = m.up.text();
        for chunk in schema::split::split(text).unwrap_or_default() {
            let sql = &text[chunk.start..chunk.end];
            if let Err(e) = client.batch_execute(sql) {
                let message = e
                    .as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string());
                assert!(
                    known_failure.is_some_and(|k| message.contains(k)),
                    "{}: {message}\n{sql}",
                    m.up.source.path
                );
            }
        }
    }
    client
}

/// A lookup by a row's own values (a unique key's finder), for [`round_trip`].
type Find<'a, R> = &'a dyn Fn(&mut Client, &R) -> Result<Option<R>, Error>;

thread_local! {
    /// The async client to the database [`database`] made last on this thread (each test
    /// runs on its own thread, with its own database), and the runtime it runs on.
    static ASYNC: std::cell::RefCell<Option<(tokio::runtime::Runtime, tokio_postgres::Client)>> =
        const { std::cell::RefCell::new(None) };
}

/// Connects the async client to `db` on `server`, for [`round_trip`].
fn connect_async(server: &Server, db: &str) {
    let mut config = tokio_postgres::Config::new();
    for host in server.config().get_hosts() {
        match host {
            postgres::config::Host::Unix(path) => config.host_path(path),
            postgres::config::Host::Tcp(name) => config.host(name),
        };
    }
    config.port(server.config().get_ports().first().copied().unwrap_or(5432));
    config.user("postgres").dbname(db);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    });
    ASYNC.with(|a| *a.borrow_mut() = Some((runtime, client)));
}

/// Runs `f` with the async client of this thread's database.
fn with_async<R>(f: impl AsyncFnOnce(&tokio_postgres::Client) -> R) -> R {
    ASYNC.with(|a| {
        let guard = a.borrow();
        let (runtime, client) = guard
            .as_ref()
            .expect("database() connects the async client");
        runtime.block_on(f(client))
    })
}

/// Whether `e` is Postgres refusing a duplicate of a unique key.
fn is_unique_violation(e: &Error) -> bool {
    e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Every operation of the support crate's traits on table `T`, blocking and then async,
/// through the generated API only: insert → get → update (`change`, then `computed`
/// copies what the database computes itself) → get → patch (`patch`, which `patched`
/// applies to the expected row; an empty patch reads the row) → find by each unique key
/// → list a page, keyset pages and the stream → count and exists → upsert → delete (then
/// it does not exist and the count is one less) → insert_many. Returns the row as
/// inserted by the blocking pass.
#[allow(clippy::too_many_arguments)]
fn round_trip<T>(
    client: &mut Client,
    new: &T::New,
    change: impl Fn(&mut T::Row),
    computed: impl Fn(&T::Row, &mut T::Row),
    patch: T::Patch,
    patched: impl Fn(&mut T::Row),
    finds: &[Find<T::Row>],
) -> T::Row
where
    T: KeyedCrud + schemakit_support::AsyncKeyedCrud + schemakit_support::Upsertable,
    T::Row: PartialEq + Debug + Clone + Sync,
    T::New: Sync,
    T::Key: PartialEq + Debug + Sync,
    T::Patch: Sync,
{
    // Blocking.
    let inserted = <T as Crud>::insert(client, new).unwrap_or_else(|e| panic!("insert: {e:?}"));
    let key = T::key(&inserted);
    assert_eq!(
        <T as KeyedCrud>::get(client, &key).unwrap().as_ref(),
        Some(&inserted),
        "get after insert"
    );
    let mut changed = inserted.clone();
    change(&mut changed);
    let updated = <T as KeyedCrud>::update(client, &changed)
        .unwrap_or_else(|e| panic!("update: {e:?}"))
        .expect("the row exists");
    computed(&updated, &mut changed);
    assert_eq!(updated, changed, "update returns the row as written");
    assert_eq!(
        <T as KeyedCrud>::get(client, &key).unwrap().as_ref(),
        Some(&updated),
        "get after update"
    );
    let same = <T as KeyedCrud>::patch(client, &key, &T::Patch::default()).unwrap();
    assert_eq!(
        same.as_ref(),
        Some(&updated),
        "an empty patch reads the row"
    );
    let mut expected = updated.clone();
    patched(&mut expected);
    let after = <T as KeyedCrud>::patch(client, &key, &patch)
        .unwrap_or_else(|e| panic!("patch: {e:?}"))
        .expect("the row exists");
    computed(&after, &mut expected);
    assert_eq!(
        after, expected,
        "patch writes the fields it sets, and only those"
    );
    assert_eq!(
        <T as KeyedCrud>::get(client, &key).unwrap().as_ref(),
        Some(&after),
        "get after patch"
    );
    for find in finds {
        assert_eq!(
            find(client, &after).unwrap().as_ref(),
            Some(&after),
            "find by unique key"
        );
    }
    let page = <T as Crud>::list(client, Page::first(1000)).unwrap();
    assert!(page.contains(&after), "list");
    assert!(
        <T as KeyedCrud>::list_after(client, None, 1000)
            .unwrap()
            .contains(&after),
        "list_after(None)"
    );
    assert!(
        !<T as KeyedCrud>::list_after(client, Some(&key), 1000)
            .unwrap()
            .contains(&after),
        "list_after(key) starts after the key"
    );
    let streamed: Vec<T::Row> = <T as Crud>::stream(client)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let rows = <T as Crud>::count(client).unwrap();
    assert_eq!(streamed.len() as i64, rows, "stream reads every row");
    assert!(streamed.contains(&after), "stream");
    assert!(<T as KeyedCrud>::exists(client, &key).unwrap(), "exists");
    match <T as KeyedCrud>::upsert(client, new) {
        // `new` gives the primary key: the conflict updates the row it gives columns of.
        Ok(up) if T::key(&up) == key => {
            assert!(<T as KeyedCrud>::get(client, &key).unwrap().is_some())
        }
        // `new` leaves the key to the database: a second row.
        Ok(up) => assert!(
            <T as KeyedCrud>::delete(client, &T::key(&up)).unwrap(),
            "upsert inserted"
        ),
        // …or a unique key other than the primary key refuses a second row.
        Err(e) => assert!(is_unique_violation(&e), "upsert: {e:?}"),
    }
    assert!(<T as KeyedCrud>::delete(client, &key).unwrap(), "delete");
    assert!(
        !<T as KeyedCrud>::exists(client, &key).unwrap(),
        "exists after delete"
    );
    assert_eq!(
        <T as Crud>::count(client).unwrap(),
        rows - 1,
        "count after delete"
    );
    assert_eq!(
        <T as KeyedCrud>::get(client, &key).unwrap(),
        None,
        "get after delete"
    );
    assert!(
        !<T as KeyedCrud>::delete(client, &key).unwrap(),
        "a second delete finds nothing"
    );
    assert!(
        <T as Crud>::insert_many(client, &[]).unwrap().is_empty(),
        "insert_many of nothing"
    );
    let many = <T as Crud>::insert_many(client, std::slice::from_ref(new)).unwrap();
    assert_eq!(many.len(), 1, "insert_many");
    assert!(<T as KeyedCrud>::delete(client, &T::key(&many[0])).unwrap());

    // Async, on the same database.
    with_async(async |c| {
        let inserted = <T as schemakit_support::AsyncCrud>::insert(c, new)
            .await
            .unwrap();
        let key = T::key(&inserted);
        let get = async |key| {
            <T as schemakit_support::AsyncKeyedCrud>::get(c, key)
                .await
                .unwrap()
        };
        assert_eq!(get(&key).await.as_ref(), Some(&inserted), "async get");
        let mut changed = inserted.clone();
        change(&mut changed);
        let updated = <T as schemakit_support::AsyncKeyedCrud>::update(c, &changed)
            .await
            .unwrap()
            .unwrap();
        computed(&updated, &mut changed);
        assert_eq!(updated, changed, "async update");
        let mut expected = updated.clone();
        patched(&mut expected);
        let after = <T as schemakit_support::AsyncKeyedCrud>::patch(c, &key, &patch)
            .await
            .unwrap()
            .unwrap();
        computed(&after, &mut expected);
        assert_eq!(after, expected, "async patch");
        assert!(
            <T as schemakit_support::AsyncCrud>::list(c, Page::first(1000))
                .await
                .unwrap()
                .contains(&after)
        );
        assert!(
            <T as schemakit_support::AsyncKeyedCrud>::list_after(c, None, 1000)
                .await
                .unwrap()
                .contains(&after)
        );
        let stream = <T as schemakit_support::AsyncCrud>::stream(c)
            .await
            .unwrap();
        let streamed: Vec<Result<T::Row, Error>> = stream.collect().await;
        assert!(
            streamed.into_iter().map(Result::unwrap).any(|r| r == after),
            "async stream"
        );
        let rows = <T as schemakit_support::AsyncCrud>::count(c).await.unwrap();
        assert!(
            <T as schemakit_support::AsyncKeyedCrud>::exists(c, &key)
                .await
                .unwrap()
        );
        match <T as schemakit_support::AsyncKeyedCrud>::upsert(c, new).await {
            Ok(up) if T::key(&up) == key => {}
            Ok(up) => assert!(
                <T as schemakit_support::AsyncKeyedCrud>::delete(c, &T::key(&up))
                    .await
                    .unwrap()
            ),
            Err(e) => assert!(is_unique_violation(&e), "async upsert: {e:?}"),
        }
        assert!(
            <T as schemakit_support::AsyncKeyedCrud>::delete(c, &key)
                .await
                .unwrap(),
            "async delete"
        );
        assert_eq!(
            <T as schemakit_support::AsyncCrud>::count(c).await.unwrap(),
            rows - 1
        );
        assert_eq!(get(&key).await, None);
        let many = <T as schemakit_support::AsyncCrud>::insert_many(c, std::slice::from_ref(new))
            .await
            .unwrap();
        assert_eq!(many.len(), 1, "async insert_many");
        assert!(
            <T as schemakit_support::AsyncKeyedCrud>::delete(c, &T::key(&many[0]))
                .await
                .unwrap()
        );
    });
    inserted
}

/// The page past the first hundred rows, for [`listed`].
const PAST: Page = Page {
    limit: 100,
    offset: 100,
};

/// Asserts that a `list_by_…` call (`list`, given the page) has `row` on the first page,
/// only rows `matches` accepts there, and not `row` on the page past it.
fn listed<R: PartialEq + Debug>(
    what: &str,
    row: &R,
    matches: impl Fn(&R) -> bool,
    mut list: impl FnMut(Page) -> Result<Vec<R>, Error>,
) {
    let first = list(Page::first(100)).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let past = list(PAST).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    pages(what, row, matches, &first, &past);
}

/// [`listed`] for an async `list_by_…`.
async fn listed_async<R: PartialEq + Debug>(
    what: &str,
    row: &R,
    matches: impl Fn(&R) -> bool,
    mut list: impl AsyncFnMut(Page) -> Result<Vec<R>, Error>,
) {
    let first = list(Page::first(100))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let past = list(PAST).await.unwrap_or_else(|e| panic!("{what}: {e:?}"));
    pages(what, row, matches, &first, &past);
}

fn pages<R: PartialEq + Debug>(
    what: &str,
    row: &R,
    matches: impl Fn(&R) -> bool,
    first: &[R],
    past: &[R],
) {
    assert!(first.contains(row), "{what}: the row is on the first page");
    assert!(
        first.iter().all(matches),
        "{what}: only rows with the values asked for: {first:?}"
    );
    assert!(!past.contains(row), "{what}: the page past it");
}

fn ts(secs: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_760_000_000 + secs, 0)
        .single()
        .unwrap_or_default()
}

fn naive(secs: i64) -> NaiveDateTime {
    ts(secs).naive_utc()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}
