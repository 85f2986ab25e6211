//! The async API (feature `tokio`) as a user writes it, on a real Postgres: insert, get,
//! update, list and delete through `AsyncCrud`/`AsyncKeyedCrud` on a table's `Table`, and
//! a finder of the table's `nonblocking` module, over tokio-postgres, on an ephemeral
//! cluster from local binaries.

// Test helpers: a failed call is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use generated::cira::enums::JobStatus;
use generated::cira::{job_results, jobs};
use schemakit_support::{AsyncCrud, AsyncKeyedCrud};

fn assert_send<T: Send>(_: &T) {}

#[test]
fn the_async_api_round_trips_on_real_postgres() {
    let server =
        verify::Server::local(None).unwrap_or_else(|e| panic!("local binaries are required: {e}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/cira/migrations");
    let set = schema::migrations::MigrationSet::read(&dir, None).unwrap();
    let db = server.create_database(None).unwrap();
    verify::runner::up(&mut server.connect(&db).unwrap(), &set, None).unwrap();

    let mut config = tokio_postgres::Config::new();
    for host in server.config().get_hosts() {
        match host {
            postgres::config::Host::Unix(path) => config.host_path(path),
            postgres::config::Host::Tcp(name) => config.host(name),
        };
    }
    config.port(server.config().get_ports().first().copied().unwrap_or(5432));
    config.user("postgres").dbname(&db);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);

        let new_job = jobs::NewJob {
            id: None,
            client_id: Some("async".into()),
            status: schemakit_support::Value::Default,
            pdf_url: "https://example.invalid/b.pdf".into(),
            created_at: schemakit_support::Value::Default,
            updated_at: schemakit_support::Value::Default,
            completed_at: None,
            error_message: None,
        };
        // The futures are `Send` (spawnable on a multi-threaded runtime), which their
        // signatures do not spell out.
        let insert = jobs::Table::insert(&client, &new_job);
        assert_send(&insert);
        let job = insert.await.unwrap();
        assert_send(&jobs::Table::get(&client, &job.id));
        assert_send(&jobs::Table::list(
            &client,
            schemakit_support::Page::first(1),
        ));
        assert_eq!(job.status, Some(JobStatus::Queued));
        assert_eq!(
            jobs::Table::get(&client, &job.id).await.unwrap(),
            Some(job.clone())
        );

        let mut changed = job.clone();
        changed.status = Some(JobStatus::Completed);
        let updated = jobs::Table::update(&client, &changed)
            .await
            .unwrap()
            .expect("the row exists");
        assert_eq!(updated.status, Some(JobStatus::Completed));

        let result = job_results::Table::insert(
            &client,
            &job_results::NewJobResult {
                id: None,
                job_id: Some(job.id),
                extracted_data: Some(serde_json::json!({"pages": 3})),
                confidence_score: Some("0.50".parse().unwrap()),
                tokens_used: None,
                created_at: schemakit_support::Value::Default,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            job_results::nonblocking::find_by_job_id(&client, &job.id)
                .await
                .unwrap(),
            Some(result.clone())
        );
        assert!(
            job_results::Table::list(&client, schemakit_support::Page::first(10))
                .await
                .unwrap()
                .contains(&result)
        );
        assert!(
            job_results::Table::delete(&client, &result.id)
                .await
                .unwrap()
        );
        assert!(jobs::Table::delete(&client, &job.id).await.unwrap());
        assert_eq!(jobs::Table::get(&client, &job.id).await.unwrap(), None);
    });
}
