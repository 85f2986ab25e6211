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
use postgres::{Client, Error};
use rust_decimal::Decimal;
use schema::migrations::MigrationSet;
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

/// A finder by a unique key, for [`round_trip`].
type Find<'a, R> = &'a dyn Fn(&mut Client, &R) -> Result<Option<R>, Error>;

/// insert → get by key → update (`change`, then `computed` copies what the database
/// computes itself) → get → find by each unique key → list → count and exists → delete
/// (then it does not exist and the count is one less). Returns the row as inserted.
#[allow(clippy::too_many_arguments)]
fn round_trip<R: PartialEq + Debug + Clone, N>(
    client: &mut Client,
    new: &N,
    insert: fn(&mut Client, &N) -> Result<R, Error>,
    get: impl Fn(&mut Client, &R) -> Result<Option<R>, Error>,
    update: fn(&mut Client, &R) -> Result<Option<R>, Error>,
    change: impl Fn(&mut R),
    computed: impl Fn(&R, &mut R),
    finds: &[Find<R>],
    list: fn(&mut Client, i64, i64) -> Result<Vec<R>, Error>,
    delete: impl Fn(&mut Client, &R) -> Result<bool, Error>,
    exists: impl Fn(&mut Client, &R) -> Result<bool, Error>,
    count: fn(&mut Client) -> Result<i64, Error>,
) -> R {
    let inserted = insert(client, new).unwrap_or_else(|e| panic!("insert: {e:?}"));
    assert_eq!(
        get(client, &inserted).unwrap().as_ref(),
        Some(&inserted),
        "get after insert"
    );
    let mut changed = inserted.clone();
    change(&mut changed);
    let updated = update(client, &changed)
        .unwrap_or_else(|e| panic!("update: {e:?}"))
        .expect("the row exists");
    // Columns the database computes on update (generated columns, trigger-set ones).
    computed(&updated, &mut changed);
    assert_eq!(updated, changed, "update returns the row as written");
    assert_eq!(
        get(client, &updated).unwrap().as_ref(),
        Some(&updated),
        "get after update"
    );
    for find in finds {
        assert_eq!(
            find(client, &updated).unwrap().as_ref(),
            Some(&updated),
            "find by unique key"
        );
    }
    assert!(list(client, 1000, 0).unwrap().contains(&updated), "list");
    let rows = count(client).unwrap();
    assert!(rows >= 1, "count");
    assert!(exists(client, &updated).unwrap(), "exists");
    assert!(delete(client, &updated).unwrap(), "delete");
    assert!(!exists(client, &updated).unwrap(), "exists after delete");
    assert_eq!(count(client).unwrap(), rows - 1, "count after delete");
    assert_eq!(get(client, &updated).unwrap(), None, "get after delete");
    assert!(
        !delete(client, &updated).unwrap(),
        "a second delete finds nothing"
    );
    inserted
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
