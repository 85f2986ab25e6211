//! The cira system (db/cira) on PostgreSQL 15: every table, and every table's own
//! functions (unique-key upserts and finds, lists by index, navigation to the parent).

use super::*;
use generated::cira::enums::JobStatus;
use generated::cira::*;

#[test]
fn every_table_round_trips() {
    let c = &mut database(pg15(), "db/cira/migrations", None);
    let new_job = jobs::NewJob {
        id: None,
        client_id: Some("client".into()),
        status: Value::Default,
        pdf_url: "https://example.invalid/a.pdf".into(),
        created_at: Value::Default,
        updated_at: Value::Set(naive(3)),
        completed_at: None,
        error_message: None,
    };
    let job = round_trip::<jobs::Table>(
        c,
        &new_job,
        |r| r.status = Some(JobStatus::Processing),
        |db, r| r.updated_at = db.updated_at,
        jobs::JobPatch {
            status: Some(Some(JobStatus::Completed)),
            client_id: Some(None),
            ..Default::default()
        },
        |r| {
            r.status = Some(JobStatus::Completed);
            r.client_id = None;
        },
        &[],
    );
    assert_eq!(
        job.status,
        Some(JobStatus::Queued),
        "the enum's database default"
    );
    assert_eq!(job.updated_at, Some(naive(3)));

    let parent = jobs::Table::insert(c, &new_job).unwrap();
    let new_result = job_results::NewJobResult {
        id: None,
        job_id: Some(parent.id),
        extracted_data: Some(serde_json::json!({"fields": {"total": "12.50"}})),
        confidence_score: Some(dec("0.97")),
        tokens_used: Some(1200),
        created_at: Value::Null,
    };
    let result = round_trip::<job_results::Table>(
        c,
        &new_result,
        |r| r.tokens_used = Some(1300),
        |_, _| {},
        job_results::JobResultPatch {
            confidence_score: Some(Some(dec("0.50"))),
            extracted_data: Some(None),
            ..Default::default()
        },
        |r| {
            r.confidence_score = Some(dec("0.50"));
            r.extracted_data = None;
        },
        &[&|c, r| job_results::find_by_job_id(c, &r.job_id.unwrap_or_default())],
    );
    assert_eq!(
        result.created_at, None,
        "Value::Null writes NULL over the default"
    );
    assert_eq!(result.confidence_score, Some(dec("0.97")));
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(pg15(), "db/cira/migrations", None);
    let new_job = jobs::NewJob::new("https://example.invalid/a.pdf".into());

    // insert_many: rows in the order given, with distinct values.
    let news = [
        jobs::NewJob {
            client_id: Some("acme".into()),
            status: Value::Set(JobStatus::Processing),
            created_at: Value::Set(naive(10)),
            ..new_job.clone()
        },
        jobs::NewJob {
            client_id: Some("other".into()),
            pdf_url: "https://example.invalid/b.pdf".into(),
            ..new_job.clone()
        },
        jobs::NewJob {
            status: Value::Null,
            created_at: Value::Null,
            ..new_job.clone()
        },
    ];
    let before = jobs::Table::count(c).unwrap();
    let rows = jobs::Table::insert_many(c, &news).unwrap();
    assert_eq!(rows.len(), 3, "insert_many returns every row");
    assert_eq!(jobs::Table::count(c).unwrap(), before + 3);
    assert_eq!(
        rows.iter()
            .map(|r| r.client_id.as_deref())
            .collect::<Vec<_>>(),
        [Some("acme"), Some("other"), None],
        "insert_many returns the rows in the order given"
    );
    assert_eq!(rows[0].status, Some(JobStatus::Processing));
    assert_eq!(
        rows[1].status,
        Some(JobStatus::Queued),
        "DEFAULT in a multi-row insert"
    );
    assert_eq!(rows[2].status, None, "Value::Null in a multi-row insert");
    let (acme, other) = (&rows[0], &rows[1]);

    // list_by_<index>, one per index.
    listed(
        "jobs::list_by_client_id",
        acme,
        |r| r.client_id == acme.client_id,
        |p| jobs::list_by_client_id(c, acme.client_id.as_deref().unwrap(), p),
    );
    listed(
        "jobs::list_by_created_at",
        acme,
        |r| r.created_at == acme.created_at,
        |p| jobs::list_by_created_at(c, &acme.created_at.unwrap(), p),
    );
    listed(
        "jobs::list_by_status",
        acme,
        |r| r.status == acme.status,
        |p| jobs::list_by_status(c, &acme.status.unwrap(), p),
    );

    // upsert on the primary key, given: the same row, the columns given changed, the
    // columns left to DEFAULT (status) as stored.
    let id = uuid::Uuid::from_u128(0xc1);
    let first = jobs::Table::insert(
        c,
        &jobs::NewJob {
            id: Some(id),
            status: Value::Set(JobStatus::Failed),
            ..new_job.clone()
        },
    )
    .unwrap();
    let up = jobs::Table::upsert(
        c,
        &jobs::NewJob {
            id: Some(id),
            error_message: Some("boom".into()),
            ..new_job.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, first.id, "upsert keeps the row");
    assert_eq!(up.error_message.as_deref(), Some("boom"), "upsert writes");
    assert_eq!(
        up.status,
        Some(JobStatus::Failed),
        "DEFAULT leaves it as stored"
    );
    assert_eq!(jobs::Table::get(c, &id).unwrap(), Some(up));

    // job_results: get_job, upsert_by_job_id, find_by_job_id, upsert on the key.
    let new_result = job_results::NewJobResult {
        job_id: Some(other.id),
        tokens_used: Some(5),
        ..job_results::NewJobResult::new()
    };
    let result = job_results::Table::insert(c, &new_result).unwrap();
    assert_eq!(
        job_results::get_job(c, &result).unwrap().as_ref(),
        Some(other),
        "get_job returns the parent"
    );
    let up = job_results::upsert_by_job_id(
        c,
        &job_results::NewJobResult {
            tokens_used: Some(6),
            ..new_result.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, result.id, "upsert_by_job_id keeps the row");
    assert_eq!(up.tokens_used, Some(6), "upsert_by_job_id writes");
    assert_eq!(
        job_results::find_by_job_id(c, &other.id).unwrap(),
        Some(up.clone())
    );
    let orphan = job_results::Table::insert(c, &job_results::NewJobResult::new()).unwrap();
    assert_eq!(orphan.job_id, None);
    assert_eq!(
        job_results::get_job(c, &orphan).unwrap(),
        None,
        "get_job of a NULL job_id"
    );
    let up = job_results::Table::upsert(
        c,
        &job_results::NewJobResult {
            id: Some(orphan.id),
            confidence_score: Some(dec("0.10")),
            ..job_results::NewJobResult::new()
        },
    )
    .unwrap();
    assert_eq!(up.id, orphan.id, "upsert keeps the row");
    assert_eq!(up.confidence_score, Some(dec("0.10")), "upsert writes");
    assert_eq!(
        up.created_at, orphan.created_at,
        "DEFAULT leaves it as stored"
    );

    // The same, async.
    with_async(async |a| {
        let rows = <jobs::Table as schemakit_support::AsyncCrud>::insert_many(a, &news[..2])
            .await
            .unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| r.client_id.as_deref())
                .collect::<Vec<_>>(),
            [Some("acme"), Some("other")],
            "async insert_many"
        );
        let row = &rows[0];
        listed_async(
            "async jobs::list_by_client_id",
            row,
            |r| r.client_id == row.client_id,
            async |p| jobs::nonblocking::list_by_client_id(a, "acme", p).await,
        )
        .await;
        listed_async(
            "async jobs::list_by_created_at",
            row,
            |r| r.created_at == row.created_at,
            async |p| jobs::nonblocking::list_by_created_at(a, &naive(10), p).await,
        )
        .await;
        listed_async(
            "async jobs::list_by_status",
            row,
            |r| r.status == row.status,
            async |p| jobs::nonblocking::list_by_status(a, &JobStatus::Processing, p).await,
        )
        .await;
        let up = <jobs::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &jobs::NewJob {
                id: Some(row.id),
                error_message: Some("async".into()),
                ..new_job.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(up.id, row.id, "async upsert keeps the row");
        assert_eq!(up.error_message.as_deref(), Some("async"));
        let patched = <jobs::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &row.id,
            &jobs::JobPatch {
                client_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(patched.client_id, None, "async patch to NULL");

        let new = job_results::NewJobResult {
            job_id: Some(rows[1].id),
            ..job_results::NewJobResult::new()
        };
        let result = <job_results::Table as schemakit_support::AsyncCrud>::insert(a, &new)
            .await
            .unwrap();
        assert_eq!(
            job_results::nonblocking::get_job(a, &result)
                .await
                .unwrap()
                .as_ref(),
            Some(&rows[1]),
            "async get_job"
        );
        let up = job_results::nonblocking::upsert_by_job_id(
            a,
            &job_results::NewJobResult {
                tokens_used: Some(9),
                ..new.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.tokens_used), (result.id, Some(9)));
        assert_eq!(
            job_results::nonblocking::find_by_job_id(a, &rows[1].id)
                .await
                .unwrap(),
            Some(up)
        );
        let orphan = <job_results::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &job_results::NewJobResult::new(),
        )
        .await
        .unwrap();
        assert_eq!(
            job_results::nonblocking::get_job(a, &orphan).await.unwrap(),
            None
        );
    });
}
