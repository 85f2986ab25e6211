//! Feature `serde`: rows, insert structs, patches and enums serialize and read back
//! unchanged; enums as their SQL labels; vectors as arrays of numbers.

#![cfg(feature = "serde")]
// Test helpers: a failed call is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use generated::cira::enums::JobStatus;
use generated::cira::{job_results, jobs};
use generated::text_assistant::enums::ModelCapability;
use schemakit_support::Value;

fn round_trips<T>(value: &T) -> serde_json::Value
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, value, "{json}");
    json
}

#[test]
fn rows_inserts_patches_and_enums_round_trip_through_json() {
    let job = jobs::Job {
        id: uuid::Uuid::from_u128(7),
        client_id: Some("c".into()),
        status: Some(JobStatus::Processing),
        pdf_url: "https://example.invalid/a.pdf".into(),
        created_at: None,
        updated_at: None,
        completed_at: None,
        error_message: None,
    };
    let json = round_trips(&job);
    assert_eq!(json["status"], "processing", "an enum is its SQL label");

    let mut new = jobs::NewJob::new("https://example.invalid/b.pdf".into());
    new.updated_at = Value::Null;
    round_trips(&new);
    let patch = job_results::JobResultPatch {
        tokens_used: Some(None),
        ..Default::default()
    };
    round_trips(&patch);
    assert_eq!(
        serde_json::to_value(ModelCapability::FunctionCalling).unwrap(),
        "function_calling"
    );
}

#[test]
fn a_vector_is_an_array_of_numbers() {
    let json = serde_json::json!([1.0, 2.5]);
    let vector: pgvector::Vector = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&vector).unwrap(), json);
}

#[test]
fn a_patch_tells_absent_from_null() {
    let unset = job_results::JobResultPatch::default();
    assert_eq!(serde_json::to_value(&unset).unwrap(), serde_json::json!({}));
    let to_null: job_results::JobResultPatch =
        serde_json::from_value(serde_json::json!({"tokens_used": null})).unwrap();
    assert_eq!(to_null.tokens_used, Some(None), "null writes NULL");
    assert_eq!(to_null.job_id, None, "absent leaves the column alone");
    let set: job_results::JobResultPatch =
        serde_json::from_value(serde_json::json!({"tokens_used": 5})).unwrap();
    assert_eq!(set.tokens_used, Some(Some(5)));
}
