//! The user_story_agent system (db/user_story_agent) on PostgreSQL 15: every table, and
//! job files deleted with their job.

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
        Default::default(),
        |_| {},
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
    let parent = jobs::insert(c, &new_job).unwrap();
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
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
        &[],
    );

    // usage_records.job_id has no ON DELETE: NO ACTION refuses to delete a job that a
    // usage row references (the document's defect, as declared).
    let file = job_files::insert(c, &new_file).unwrap();
    let usage = usage_records::insert(c, &new_usage).unwrap();
    assert!(
        jobs::delete(c, &parent.id).is_err(),
        "NO ACTION refuses while a usage row references the job"
    );
    usage_records::delete(c, &usage.id).unwrap();
    // job_files.job_id is ON DELETE CASCADE: deleting the job removes its files.
    assert!(jobs::delete(c, &parent.id).unwrap());
    assert_eq!(
        job_files::get(c, &file.id).unwrap(),
        None,
        "ON DELETE CASCADE removed the file"
    );
}
