//! The user_story_agent system (db/user_story_agent) on PostgreSQL 15: every table, job
//! files deleted with their job, and every table's own functions (unique-key upserts and
//! finds, lists by index, navigation to the parent, NULL references).

use super::*;
use generated::user_story_agent::*;

#[test]
fn every_table_round_trips_and_job_files_cascade() {
    let c = &mut database(pg15(), "db/user_story_agent/migrations", None);

    // jobs: defaults (id, status, options, created_at) left to the database.
    let new_job = jobs::NewJob {
        id: None,
        user_id: "u1".into(),
        tenant_id: "t1".into(),
        status: None,
        story: "As a user…".into(),
        iterations: vec![Some("draft".into()), None, Some("review".into())],
        options: None,
        created_at: None,
        started_at: Some(ts(5)),
        completed_at: None,
        result: Some(serde_json::json!({"ok": true, "n": [1, 2]})),
        error: None,
        worker_id: None,
        locked_until: None,
    };
    let job = round_trip::<jobs::Table>(
        c,
        &new_job,
        |r| r.status = "running".into(),
        |_, _| {},
        jobs::JobPatch {
            worker_id: Some(Some("w1".into())),
            result: Some(None),
            ..Default::default()
        },
        |r| {
            r.worker_id = Some("w1".into());
            r.result = None;
        },
        &[],
    );
    assert_eq!(job.status, "queued", "the database default");
    assert_eq!(job.options, serde_json::json!({}));
    assert_eq!(
        job.iterations,
        [Some("draft".into()), None, Some("review".into())],
        "a NULL element comes back as written"
    );
    assert_eq!(job.started_at, Some(ts(5)));

    // A parent for the children below.
    let parent = jobs::Table::insert(c, &new_job).unwrap();
    let new_file = job_files::NewJobFile {
        id: None,
        job_id: parent.id,
        file_name: "mock.png".into(),
        blob_path: "blobs/1".into(),
        content_type: "image/png".into(),
        size_bytes: 1234,
        uploaded_at: None,
    };
    round_trip::<job_files::Table>(
        c,
        &new_file,
        |r| r.size_bytes = 99,
        |_, _| {},
        job_files::JobFilePatch {
            file_name: Some("b.png".into()),
            ..Default::default()
        },
        |r| r.file_name = "b.png".into(),
        &[],
    );

    let new_usage = usage_records::NewUsageRecord {
        id: None,
        user_id: "u1".into(),
        tenant_id: "t1".into(),
        request_id: "r1".into(),
        job_id: Some(parent.id),
        timestamp: Some(ts(9)),
        model: "gpt".into(),
        input_tokens: 10,
        output_tokens: 20,
        cost_usd: dec("1234.567891"),
        iterations_run: vec![Some("a".into())],
        duration_ms: 42,
    };
    let usage = round_trip::<usage_records::Table>(
        c,
        &new_usage,
        |r| r.output_tokens = 21,
        |_, _| {},
        usage_records::UsageRecordPatch {
            job_id: Some(None),
            model: Some("gpt-2".into()),
            ..Default::default()
        },
        |r| {
            r.job_id = None;
            r.model = "gpt-2".into();
        },
        &[],
    );
    assert_eq!(
        usage.cost_usd,
        dec("1234.567891"),
        "numeric(10,6) at full precision"
    );

    let new_key = api_keys::NewApiKey {
        id: None,
        key_hash: "hash-1".into(),
        key_prefix: "sk_".into(),
        user_id: "u1".into(),
        tenant_id: "t1".into(),
        name: "ci".into(),
        scopes: None,
        quota_tier: None,
        created_at: None,
        expires_at: Some(ts(100)),
        last_used_at: None,
        revoked_at: None,
    };
    round_trip::<api_keys::Table>(
        c,
        &new_key,
        |r| r.name = "ci-2".into(),
        |_, _| {},
        api_keys::ApiKeyPatch {
            revoked_at: Some(Some(ts(50))),
            expires_at: Some(None),
            ..Default::default()
        },
        |r| {
            r.revoked_at = Some(ts(50));
            r.expires_at = None;
        },
        &[&|c, r| api_keys::find_by_key_hash(c, &r.key_hash)],
    );

    let new_daily = daily_usage::NewDailyUsage {
        user_id: "u1".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        request_count: None,
        input_tokens: Some(1_000_000_000_000),
        output_tokens: None,
        cost_usd: Some(dec("9999.999999")),
    };
    let daily = round_trip::<daily_usage::Table>(
        c,
        &new_daily,
        |r| r.request_count = 7,
        |_, _| {},
        daily_usage::DailyUsagePatch {
            output_tokens: Some(5),
            ..Default::default()
        },
        |r| r.output_tokens = 5,
        &[],
    );
    assert_eq!(daily.input_tokens, 1_000_000_000_000);

    let new_version = schema_migrations::NewSchemaMigration {
        version: "999".into(),
        applied_at: None,
    };
    round_trip::<schema_migrations::Table>(
        c,
        &new_version,
        |r| r.applied_at = ts(1),
        |_, _| {},
        schema_migrations::SchemaMigrationPatch {
            applied_at: Some(ts(2)),
        },
        |r| r.applied_at = ts(2),
        &[],
    );

    // usage_records.job_id has no ON DELETE: NO ACTION refuses to delete a job that a
    // usage row references (the document's defect, as declared).
    let file = job_files::Table::insert(c, &new_file).unwrap();
    let usage = usage_records::Table::insert(c, &new_usage).unwrap();
    assert!(
        jobs::Table::delete(c, &parent.id).is_err(),
        "NO ACTION refuses while a usage row references the job"
    );
    usage_records::Table::delete(c, &usage.id).unwrap();
    // job_files.job_id is ON DELETE CASCADE: deleting the job removes its files.
    assert!(jobs::Table::delete(c, &parent.id).unwrap());
    assert_eq!(
        job_files::Table::get(c, &file.id).unwrap(),
        None,
        "ON DELETE CASCADE removed the file"
    );
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(pg15(), "db/user_story_agent/migrations", None);

    // jobs: insert_many, three lists, upsert on the key.
    let new_job = |user: &str, tenant: &str| {
        jobs::NewJob::new(user.into(), tenant.into(), "story".into(), vec![None])
    };
    let news = [
        new_job("u1", "t1"),
        jobs::NewJob {
            status: Some("running".into()),
            ..new_job("u2", "t2")
        },
    ];
    let rows = jobs::Table::insert_many(c, &news).unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.user_id.as_str(), r.status.as_str()))
            .collect::<Vec<_>>(),
        [("u1", "queued"), ("u2", "running")],
        "insert_many returns every row, in the order given, DEFAULT and all"
    );
    assert_eq!(jobs::Table::count(c).unwrap(), 2);
    let (job, other) = (&rows[0], &rows[1]);
    listed(
        "jobs::list_by_status",
        job,
        |r| r.status == "queued",
        |p| jobs::list_by_status(c, "queued", p),
    );
    listed(
        "jobs::list_by_tenant_id",
        other,
        |r| r.tenant_id == "t2",
        |p| jobs::list_by_tenant_id(c, "t2", p),
    );
    listed(
        "jobs::list_by_user_id",
        job,
        |r| r.user_id == "u1",
        |p| jobs::list_by_user_id(c, "u1", p),
    );
    let up = jobs::Table::upsert(
        c,
        &jobs::NewJob {
            id: Some(other.id),
            locked_until: Some(ts(60)),
            ..news[1].clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.locked_until),
        (other.id, Some(ts(60))),
        "upsert on the key"
    );
    assert_eq!(
        up.created_at, other.created_at,
        "DEFAULT leaves it as stored"
    );
    let other = up;

    // job_files: list_by_job_id, get_job, upsert on the key.
    let new_file = job_files::NewJobFile::new(
        job.id,
        "a.png".into(),
        "blobs/a".into(),
        "image/png".into(),
        1,
    );
    let file = job_files::Table::insert(c, &new_file).unwrap();
    job_files::Table::insert(
        c,
        &job_files::NewJobFile {
            job_id: other.id,
            ..new_file.clone()
        },
    )
    .unwrap();
    listed(
        "job_files::list_by_job_id",
        &file,
        |r| r.job_id == job.id,
        |p| job_files::list_by_job_id(c, &job.id, p),
    );
    assert_eq!(
        job_files::get_job(c, &file).unwrap().as_ref(),
        Some(job),
        "get_job returns the parent"
    );
    let up = job_files::Table::upsert(
        c,
        &job_files::NewJobFile {
            id: Some(file.id),
            size_bytes: 2,
            ..new_file.clone()
        },
    )
    .unwrap();
    assert_eq!((up.id, up.size_bytes), (file.id, 2), "upsert on the key");

    // usage_records: four lists, get_job (set and NULL), upsert on the key.
    let new_usage = usage_records::NewUsageRecord {
        job_id: Some(job.id),
        timestamp: Some(ts(9)),
        ..usage_records::NewUsageRecord::new(
            "u1".into(),
            "t1".into(),
            "r1".into(),
            "gpt".into(),
            1,
            2,
            dec("0.5"),
            vec![],
            3,
        )
    };
    let usage = usage_records::Table::insert(c, &new_usage).unwrap();
    let loose = usage_records::Table::insert(
        c,
        &usage_records::NewUsageRecord {
            job_id: None,
            timestamp: None,
            user_id: "u2".into(),
            tenant_id: "t2".into(),
            ..new_usage.clone()
        },
    )
    .unwrap();
    listed(
        "usage_records::list_by_job_id",
        &usage,
        |r| r.job_id == Some(job.id),
        |p| usage_records::list_by_job_id(c, &usage.job_id.unwrap(), p),
    );
    listed(
        "usage_records::list_by_timestamp",
        &usage,
        |r| r.timestamp == ts(9),
        |p| usage_records::list_by_timestamp(c, &ts(9), p),
    );
    listed(
        "usage_records::list_by_tenant_id",
        &loose,
        |r| r.tenant_id == "t2",
        |p| usage_records::list_by_tenant_id(c, "t2", p),
    );
    listed(
        "usage_records::list_by_user_id_and_timestamp",
        &usage,
        |r| (r.user_id.as_str(), r.timestamp) == ("u1", ts(9)),
        |p| usage_records::list_by_user_id_and_timestamp(c, "u1", &ts(9), p),
    );
    assert_eq!(
        usage_records::get_job(c, &usage).unwrap().as_ref(),
        Some(job),
        "get_job returns the parent"
    );
    assert_eq!(
        usage_records::get_job(c, &loose).unwrap(),
        None,
        "get_job of a NULL job_id"
    );
    let up = usage_records::Table::upsert(
        c,
        &usage_records::NewUsageRecord {
            id: Some(usage.id),
            duration_ms: 33,
            ..new_usage.clone()
        },
    )
    .unwrap();
    assert_eq!((up.id, up.duration_ms), (usage.id, 33), "upsert on the key");

    // api_keys: upsert and find by key_hash, two lists, upsert on the key.
    let new_key = api_keys::NewApiKey::new(
        "hash-1".into(),
        "sk_".into(),
        "u1".into(),
        "t1".into(),
        "ci".into(),
    );
    let key = api_keys::Table::insert(c, &new_key).unwrap();
    api_keys::Table::insert(
        c,
        &api_keys::NewApiKey::new(
            "hash-2".into(),
            "pk_".into(),
            "u2".into(),
            "t1".into(),
            "cd".into(),
        ),
    )
    .unwrap();
    let up = api_keys::upsert_by_key_hash(
        c,
        &api_keys::NewApiKey {
            name: "ci-renamed".into(),
            ..new_key.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, key.id, "upsert_by_key_hash keeps the row");
    assert_eq!(up.name, "ci-renamed", "upsert_by_key_hash writes");
    assert_eq!(up.quota_tier, "pro", "DEFAULT leaves it as stored");
    assert_eq!(
        api_keys::find_by_key_hash(c, "hash-1").unwrap(),
        Some(up.clone())
    );
    assert_eq!(api_keys::find_by_key_hash(c, "hash-9").unwrap(), None);
    listed(
        "api_keys::list_by_key_prefix",
        &up,
        |r| r.key_prefix == "sk_",
        |p| api_keys::list_by_key_prefix(c, "sk_", p),
    );
    listed(
        "api_keys::list_by_user_id",
        &up,
        |r| r.user_id == "u1",
        |p| api_keys::list_by_user_id(c, "u1", p),
    );
    let up = api_keys::Table::upsert(
        c,
        &api_keys::NewApiKey {
            id: Some(key.id),
            scopes: Some(vec![Some("read".into())]),
            ..new_key.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.scopes.clone()),
        (key.id, vec![Some("read".into())])
    );

    // daily_usage: upsert on the two-column key.
    let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    let new_daily = daily_usage::NewDailyUsage::new("u1".into(), day);
    daily_usage::Table::insert(c, &new_daily).unwrap();
    let up = daily_usage::Table::upsert(
        c,
        &daily_usage::NewDailyUsage {
            request_count: Some(4),
            ..new_daily.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.user_id.as_str(), up.date, up.request_count),
        ("u1", day, 4),
        "upsert on the key"
    );
    assert_eq!(daily_usage::Table::count(c).unwrap(), 1);
    let same = daily_usage::Table::upsert(c, &new_daily).unwrap();
    assert_eq!(
        same, up,
        "an upsert that gives only the key changes nothing"
    );
    // Keyset pages over the two-column key.
    let more: Vec<daily_usage::NewDailyUsage> = ["u0", "u1", "u2"]
        .into_iter()
        .flat_map(|u| {
            [1, 3].map(|d| daily_usage::NewDailyUsage::new(u.into(), day + chrono::Days::new(d)))
        })
        .collect();
    daily_usage::Table::insert_many(c, &more).unwrap();
    let all = daily_usage::Table::list(c, Page::first(100)).unwrap();
    assert_eq!(all.len(), 7);
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = daily_usage::Table::list_after(c, after.as_ref(), 2).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.key());
        walked.extend(page);
    }
    assert_eq!(
        walked, all,
        "list_after pages through every row in key order"
    );

    // schema_migrations: upsert on the key.
    let new_version = schema_migrations::NewSchemaMigration::new("001".into());
    schema_migrations::Table::insert(c, &new_version).unwrap();
    let up = schema_migrations::Table::upsert(
        c,
        &schema_migrations::NewSchemaMigration {
            applied_at: Some(ts(7)),
            ..new_version.clone()
        },
    )
    .unwrap();
    assert_eq!((up.version.as_str(), up.applied_at), ("001", ts(7)));
    assert_eq!(
        schema_migrations::Table::upsert(c, &new_version).unwrap(),
        up,
        "an upsert that gives only the key changes nothing"
    );
    let many = schema_migrations::Table::insert_many(
        c,
        &[
            schema_migrations::NewSchemaMigration::new("002".into()),
            schema_migrations::NewSchemaMigration::new("003".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        many.iter().map(|r| r.version.as_str()).collect::<Vec<_>>(),
        ["002", "003"]
    );

    // The same, async.
    with_async(async |a| {
        let news = [new_job("u3", "t3"), new_job("u4", "t3")];
        let rows = <jobs::Table as schemakit_support::AsyncCrud>::insert_many(a, &news)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.user_id.as_str()).collect::<Vec<_>>(),
            ["u3", "u4"],
            "async insert_many"
        );
        listed_async(
            "async jobs::list_by_tenant_id",
            &rows[1],
            |r| r.tenant_id == "t3",
            async |p| jobs::nonblocking::list_by_tenant_id(a, "t3", p).await,
        )
        .await;
        let job = <jobs::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &jobs::NewJob {
                id: Some(rows[0].id),
                worker_id: Some("w".into()),
                ..news[0].clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (job.id, job.worker_id.as_deref()),
            (rows[0].id, Some("w")),
            "async upsert"
        );
        let job = <jobs::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &job.id,
            &jobs::JobPatch {
                worker_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(job.worker_id, None, "async patch to NULL");

        let usage = <usage_records::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &usage_records::NewUsageRecord {
                job_id: Some(job.id),
                ..new_usage.clone()
            },
        )
        .await
        .unwrap();
        listed_async(
            "async usage_records::list_by_job_id",
            &usage,
            |r| r.job_id == Some(job.id),
            async |p| usage_records::nonblocking::list_by_job_id(a, &job.id, p).await,
        )
        .await;
        assert_eq!(
            usage_records::nonblocking::get_job(a, &usage)
                .await
                .unwrap()
                .as_ref(),
            Some(&job),
            "async get_job"
        );
        assert_eq!(
            usage_records::nonblocking::get_job(a, &loose)
                .await
                .unwrap(),
            None,
            "async get_job of NULL"
        );
        let file = <job_files::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &job_files::NewJobFile {
                job_id: job.id,
                ..new_file.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            job_files::nonblocking::get_job(a, &file).await.unwrap(),
            Some(job)
        );

        let new_key = api_keys::NewApiKey::new(
            "hash-3".into(),
            "ak_".into(),
            "u3".into(),
            "t3".into(),
            "x".into(),
        );
        let key = <api_keys::Table as schemakit_support::AsyncCrud>::insert(a, &new_key)
            .await
            .unwrap();
        let up = api_keys::nonblocking::upsert_by_key_hash(
            a,
            &api_keys::NewApiKey {
                quota_tier: Some("free".into()),
                ..new_key.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.quota_tier.as_str()), (key.id, "free"));
        assert_eq!(
            api_keys::nonblocking::find_by_key_hash(a, "hash-3")
                .await
                .unwrap(),
            Some(up.clone())
        );
        listed_async(
            "async api_keys::list_by_key_prefix",
            &up,
            |r| r.key_prefix == "ak_",
            async |p| api_keys::nonblocking::list_by_key_prefix(a, "ak_", p).await,
        )
        .await;
        let up = <daily_usage::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &daily_usage::NewDailyUsage {
                cost_usd: Some(dec("1.5")),
                ..daily_usage::NewDailyUsage::new("u1".into(), day)
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (up.request_count, up.cost_usd),
            (4, dec("1.5")),
            "async upsert on a two-column key"
        );
    });
}
