//! The cira system (db/cira) on PostgreSQL 15: every table.

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
        Default::default(),
        |_| {},
        &[],
    );
    assert_eq!(
        job.status,
        Some(JobStatus::Queued),
        "the enum's database default"
    );
    assert_eq!(job.updated_at, Some(naive(3)));

    let parent = jobs::insert(c, &new_job).unwrap();
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
        Default::default(),
        |_| {},
        &[&|c, r| job_results::find_by_job_id(c, &r.job_id.unwrap_or_default())],
    );
    assert_eq!(
        result.created_at, None,
        "Value::Null writes NULL over the default"
    );
    assert_eq!(result.confidence_score, Some(dec("0.97")));
}
