//! A tour of the generated API, on a real database: `user_story_agent`'s migrations are
//! applied to a fresh database, then jobs, their files and API keys are written and read
//! through `generated::user_story_agent` only.
//!
//! The database comes the way `schemakit verify` gets one: `DATABASE_URL` when set (a
//! fresh database is created on that server and dropped after), else the local
//! PostgreSQL binaries `scripts/postgres-runtime.sh` installs (or a Docker image). Run:
//!
//! ```text
//! cargo run --example tour
//! ```

use std::path::Path;

use anyhow::Context;
use generated::user_story_agent::{api_keys, job_files, jobs};
use schemakit_support::{Crud, KeyedCrud, Page};

fn main() -> anyhow::Result<()> {
    // A server and a fresh database with the system's migrations.
    let options = verify::ProviderOptions {
        database_url: std::env::var("DATABASE_URL").ok(),
        ..verify::ProviderOptions::default()
    };
    let server = verify::choose_provider(&options, None, None)?.start(false)?;
    let db = server.create_database(None)?;
    let set = schema::migrations::MigrationSet::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("db/user_story_agent/migrations"),
        None,
    )
    .map_err(|d| anyhow::anyhow!(schema::diagnostic::render_plain(&d)))?;
    let client = &mut server.connect(&db)?;
    verify::runner::up(client, &set, None)?;
    println!(
        "database {db}: {} migration(s) applied",
        set.migrations.len()
    );

    // Insert: the constructor takes the columns without a default; the rest are left to
    // the database (the id, the status, the timestamps).
    let mut new = jobs::NewJob::new(
        "ada".into(),
        "acme".into(),
        "As a reviewer, I want diffs".into(),
        vec![Some("draft".into()), None],
    );
    new.result = Some(serde_json::json!({ "score": 0.9 }));
    let job = jobs::Table::insert(client, &new)?;
    println!(
        "inserted job {} with status {:?} (the database default)",
        job.id, job.status
    );

    // Many rows in one statement, returned in the order given.
    let stories = ["login", "logout", "reset password"];
    let news: Vec<jobs::NewJob> = stories
        .iter()
        .map(|s| jobs::NewJob::new("ada".into(), "acme".into(), (*s).into(), vec![]))
        .collect();
    let more = jobs::Table::insert_many(client, &news)?;
    println!("insert_many: {} jobs", more.len());

    // A patch writes only the columns it sets.
    let patched = jobs::Table::patch(
        client,
        &job.id,
        &jobs::JobPatch {
            status: Some("running".into()),
            ..Default::default()
        },
    )?
    .context("the job exists")?;
    println!("patched: status {:?}, story unchanged", patched.status);

    // Children, and navigation both ways.
    let file = job_files::Table::insert(
        client,
        &job_files::NewJobFile::new(
            job.id,
            "mock.png".into(),
            "blobs/1".into(),
            "image/png".into(),
            1234,
        ),
    )?;
    let parent = job_files::get_job(client, &file)?.context("the file's job")?;
    let files = job_files::list_by_job_id(client, &job.id, Page::first(10))?;
    println!(
        "file {} belongs to job {}; the job has {} file(s)",
        file.file_name,
        parent.id,
        files.len()
    );

    // Upsert on a unique key: the second call updates the first row.
    let key = api_keys::NewApiKey::new(
        "hash-1".into(),
        "sk_1".into(),
        "ada".into(),
        "acme".into(),
        "ci".into(),
    );
    let first = api_keys::upsert_by_key_hash(client, &key)?;
    let renamed = api_keys::NewApiKey {
        name: "ci (renamed)".into(),
        ..key
    };
    let second = api_keys::upsert_by_key_hash(client, &renamed)?;
    println!(
        "upsert_by_key_hash: same row {} (name {:?})",
        first.id == second.id,
        second.name
    );

    // Keyset pages: each page starts after the last key of the one before.
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = jobs::Table::list_after(client, after.as_ref(), 2)?;
        let Some(last) = page.last() else { break };
        after = Some(last.key());
        pages += 1;
    }
    println!("list_after: {pages} page(s) of at most 2");

    // Streams never collect the table; counts and the generic traits.
    let streamed = jobs::Table::stream(client)?.count();
    println!(
        "stream: {streamed} row(s); count: {}",
        <jobs::Table as Crud>::count(client)?
    );
    println!(
        "generic over tables: job exists {}",
        <jobs::Table as KeyedCrud>::exists(client, &job.id)?
    );
    Ok(())
}
