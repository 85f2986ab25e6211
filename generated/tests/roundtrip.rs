//! The generated code proven on a real Postgres: for every table of every system, through
//! the generated API only, insert (leaving defaulted columns to the database), read back
//! by key, update, find by each unique key, list and delete; values of every mapped type
//! come back as they went in; foreign keys and ON DELETE CASCADE behave as declared.
//!
//! One ephemeral cluster from local binaries per server version (PostgreSQL 15, and 18
//! with pgvector from scripts/postgres-runtime.sh), a fresh database per test.

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
/// computes itself) → get → find by each unique key → list → delete. Returns the row as
/// inserted.
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
    assert!(delete(client, &updated).unwrap(), "delete");
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

mod user_story_agent {
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
            iterations: vec!["draft".into(), "review".into()],
            options: None,
            created_at: None,
            started_at: Some(ts(5)),
            completed_at: None,
            result: Some(serde_json::json!({"ok": true, "n": [1, 2]})),
            error: None,
            worker_id: None,
            locked_until: None,
        };
        let job = round_trip(
            c,
            &new_job,
            jobs::insert,
            |c, r| jobs::get(c, &r.id),
            jobs::update,
            |r| r.status = "running".into(),
            |_, _| {},
            &[],
            jobs::list,
            |c, r| jobs::delete(c, &r.id),
        );
        assert_eq!(job.status, "queued", "the database default");
        assert_eq!(job.options, serde_json::json!({}));
        assert_eq!(job.iterations, ["draft", "review"]);
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
        round_trip(
            c,
            &new_file,
            job_files::insert,
            |c, r| job_files::get(c, &r.id),
            job_files::update,
            |r| r.size_bytes = 99,
            |_, _| {},
            &[],
            job_files::list,
            |c, r| job_files::delete(c, &r.id),
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
            iterations_run: vec!["a".into()],
            duration_ms: 42,
        };
        let usage = round_trip(
            c,
            &new_usage,
            usage_records::insert,
            |c, r| usage_records::get(c, &r.id),
            usage_records::update,
            |r| r.output_tokens = 21,
            |_, _| {},
            &[],
            usage_records::list,
            |c, r| usage_records::delete(c, &r.id),
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
        round_trip(
            c,
            &new_key,
            api_keys::insert,
            |c, r| api_keys::get(c, &r.id),
            api_keys::update,
            |r| r.name = "ci-2".into(),
            |_, _| {},
            &[&|c, r| api_keys::find_by_key_hash(c, &r.key_hash)],
            api_keys::list,
            |c, r| api_keys::delete(c, &r.id),
        );

        let new_daily = daily_usage::NewDailyUsage {
            user_id: "u1".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            request_count: None,
            input_tokens: Some(1_000_000_000_000),
            output_tokens: None,
            cost_usd: Some(dec("9999.999999")),
        };
        let daily = round_trip(
            c,
            &new_daily,
            daily_usage::insert,
            |c, r| daily_usage::get(c, &r.user_id, &r.date),
            daily_usage::update,
            |r| r.request_count = 7,
            |_, _| {},
            &[],
            daily_usage::list,
            |c, r| daily_usage::delete(c, &r.user_id, &r.date),
        );
        assert_eq!(daily.input_tokens, 1_000_000_000_000);

        let new_version = schema_migrations::NewSchemaMigration {
            version: "999".into(),
            applied_at: None,
        };
        round_trip(
            c,
            &new_version,
            schema_migrations::insert,
            |c, r| schema_migrations::get(c, &r.version),
            schema_migrations::update,
            |r| r.applied_at = ts(1),
            |_, _| {},
            &[],
            schema_migrations::list,
            |c, r| schema_migrations::delete(c, &r.version),
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
}

mod cira {
    use super::*;
    use generated::cira::enums::JobStatus;
    use generated::cira::*;

    #[test]
    fn every_table_round_trips() {
        let c = &mut database(pg15(), "db/cira/migrations", None);
        let new_job = jobs::NewJob {
            id: None,
            client_id: Some("client".into()),
            status: None,
            pdf_url: "https://example.invalid/a.pdf".into(),
            created_at: None,
            updated_at: Some(Some(naive(3))),
            completed_at: None,
            error_message: None,
        };
        let job = round_trip(
            c,
            &new_job,
            jobs::insert,
            |c, r| jobs::get(c, &r.id),
            jobs::update,
            |r| r.status = Some(JobStatus::Processing),
            |db, r| r.updated_at = db.updated_at,
            &[],
            jobs::list,
            |c, r| jobs::delete(c, &r.id),
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
            created_at: Some(None),
        };
        let result = round_trip(
            c,
            &new_result,
            job_results::insert,
            |c, r| job_results::get(c, &r.id),
            job_results::update,
            |r| r.tokens_used = Some(1300),
            |_, _| {},
            &[&|c, r| job_results::find_by_job_id(c, &r.job_id.unwrap_or_default())],
            job_results::list,
            |c, r| job_results::delete(c, &r.id),
        );
        assert_eq!(
            result.created_at, None,
            "Some(None) writes NULL over the default"
        );
        assert_eq!(result.confidence_score, Some(dec("0.97")));
    }
}

mod plc_coach {
    use super::*;
    use generated::plc_coach::*;

    #[test]
    fn every_table_round_trips_on_pgvector() {
        let c = &mut database(
            pg18_vector(),
            "db/plc_coach/migrations",
            Some("functions in index predicate must be marked IMMUTABLE"),
        );
        let new_user = users::NewUser {
            id: None,
            email: "a@example.invalid".into(),
            name: Some("Ada".into()),
            role: "educator".into(),
            organization_id: None,
            sso_provider: None,
            sso_id: None,
            created_at: None,
            last_login: None,
        };
        round_trip(
            c,
            &new_user,
            users::insert,
            |c, r| users::get(c, &r.id),
            users::update,
            |r| r.name = Some("Ada L.".into()),
            |_, _| {},
            &[&|c, r| users::find_by_email(c, &r.email)],
            users::list,
            |c, r| users::delete(c, &r.id),
        );

        let user = users::insert(c, &new_user).unwrap();
        let new_session = sessions::NewSession {
            id: None,
            user_id: user.id,
            expires_at: ts(3600),
            created_at: None,
            last_accessed_at: None,
        };
        round_trip(
            c,
            &new_session,
            sessions::insert,
            |c, r| sessions::get(c, &r.id),
            sessions::update,
            |r| r.expires_at = ts(7200),
            |_, _| {},
            &[],
            sessions::list,
            |c, r| sessions::delete(c, &r.id),
        );

        let new_conv = conversations::NewConversation {
            id: None,
            user_id: user.id,
            title: Some("PLC basics".into()),
            status: None,
            created_at: None,
            updated_at: None,
            share_token: Some("tok-1".into()),
            share_enabled: None,
        };
        round_trip(
            c,
            &new_conv,
            conversations::insert,
            |c, r| conversations::get(c, &r.id),
            conversations::update,
            |r| r.title = Some("PLC".into()),
            |_, _| {},
            &[&|c, r| {
                conversations::find_by_share_token(c, r.share_token.as_deref().unwrap_or_default())
            }],
            conversations::list,
            |c, r| conversations::delete(c, &r.id),
        );

        let conv = conversations::insert(c, &new_conv).unwrap();
        let new_message = messages::NewMessage {
            id: None,
            conversation_id: conv.id,
            role: "user".into(),
            content: "hello".into(),
            citations: Some(serde_json::json!([{"doc": 1}])),
            domains: Some(vec!["ladder".into(), "safety".into()]),
            feedback_score: None,
            input_tokens: Some(3),
            output_tokens: None,
            cost_usd: Some(dec("0.000123")),
            created_at: None,
        };
        let message = round_trip(
            c,
            &new_message,
            messages::insert,
            |c, r| messages::get(c, &r.id),
            messages::update,
            |r| r.feedback_score = Some(1),
            |_, _| {},
            &[],
            messages::list,
            |c, r| messages::delete(c, &r.id),
        );
        assert_eq!(
            message.domains.as_deref(),
            Some(&["ladder".to_string(), "safety".to_string()][..])
        );
    }
}

mod text_assistant {
    use super::*;
    use generated::text_assistant::enums::{
        ModelCapability, SubscriptionStatus, SubscriptionTier, UsageOperation,
    };
    use generated::text_assistant::*;

    #[test]
    fn every_table_round_trips_with_enum_arrays_and_cascades() {
        let c = &mut database(pg15(), "db/text_assistant/migrations", None);
        let uid = uuid::Uuid::from_u128(1);

        let new_user = users::NewUser {
            id: uid,
            email: "b@example.invalid".into(),
            email_verified: None,
            username: Some("bee".into()),
            password_hash: None,
            first_name: None,
            last_name: None,
            profile_picture_url: None,
            created_at: None,
            updated_at: naive(0),
            last_login_at: None,
            is_active: None,
            deleted_at: None,
        };
        round_trip(
            c,
            &new_user,
            users::insert,
            |c, r| users::get(c, &r.id),
            users::update,
            |r| r.username = Some("b".into()),
            |_, _| {},
            &[&|c, r| users::find_by_email(c, &r.email)],
            users::list,
            |c, r| users::delete(c, &r.id),
        );
        let user = users::insert(c, &new_user).unwrap();

        let new_model = models::NewModel {
            id: "gpt-x".into(),
            name: "gpt-x".into(),
            display_name: "GPT X".into(),
            provider: "openai".into(),
            description: None,
            capabilities: Some(vec![
                ModelCapability::Text,
                ModelCapability::FunctionCalling,
                ModelCapability::LongContext,
            ]),
            context_length: 128_000,
            max_output_tokens: None,
            input_cost_per_million_tokens: 5,
            output_cost_per_million_tokens: 15,
            credits_per_1k_tokens: 2,
            is_available: None,
            is_deprecated: None,
            version: None,
            created_at: None,
            updated_at: naive(1),
        };
        let model = round_trip(
            c,
            &new_model,
            models::insert,
            |c, r| models::get(c, &r.id),
            models::update,
            |r| r.capabilities = Some(vec![ModelCapability::Vision]),
            |_, _| {},
            &[],
            models::list,
            |c, r| models::delete(c, &r.id),
        );
        assert_eq!(
            model.capabilities.as_deref(),
            Some(
                &[
                    ModelCapability::Text,
                    ModelCapability::FunctionCalling,
                    ModelCapability::LongContext
                ][..]
            ),
            "an array of enums"
        );
        let model = models::insert(c, &new_model).unwrap();

        let new_sub = subscriptions::NewSubscription {
            id: uuid::Uuid::from_u128(2),
            user_id: user.id,
            tier: SubscriptionTier::Pro,
            status: None,
            credits_per_month: 1000,
            credits_rollover: None,
            price_cents: 1999,
            billing_interval: "month".into(),
            stripe_subscription_id: None,
            stripe_customer_id: None,
            current_period_start: naive(0),
            current_period_end: naive(86_400),
            trial_end: None,
            created_at: None,
            updated_at: naive(0),
            cancelled_at: None,
        };
        let sub = round_trip(
            c,
            &new_sub,
            subscriptions::insert,
            |c, r| subscriptions::get(c, &r.id),
            subscriptions::update,
            |r| r.status = SubscriptionStatus::Cancelled,
            |_, _| {},
            &[],
            subscriptions::list,
            |c, r| subscriptions::delete(c, &r.id),
        );
        assert_eq!(sub.status, SubscriptionStatus::Active);
        let sub = subscriptions::insert(c, &new_sub).unwrap();

        let new_credit = credits::NewCredit {
            id: uuid::Uuid::from_u128(3),
            user_id: user.id,
            subscription_id: Some(sub.id),
            total_credits: 1000,
            used_credits: None,
            billing_period_start: naive(0),
            billing_period_end: naive(86_400),
            is_current: None,
            created_at: None,
            updated_at: naive(0),
        };
        round_trip(
            c,
            &new_credit,
            credits::insert,
            |c, r| credits::get(c, &r.id),
            credits::update,
            |r| r.used_credits = 10,
            |_, _| {},
            &[],
            credits::list,
            |c, r| credits::delete(c, &r.id),
        );
        let credit = credits::insert(c, &new_credit).unwrap();

        let new_usage = usage_history::NewUsageHistory {
            id: uuid::Uuid::from_u128(4),
            user_id: user.id,
            credit_id: Some(credit.id),
            model_id: model.id.clone(),
            operation: UsageOperation::Chat,
            credits_used: 3,
            input_tokens: Some(10),
            output_tokens: Some(20),
            total_tokens: Some(30),
            request_duration_ms: None,
            request_metadata: Some(serde_json::json!({"stream": true})),
            created_at: None,
        };
        round_trip(
            c,
            &new_usage,
            usage_history::insert,
            |c, r| usage_history::get(c, &r.id),
            usage_history::update,
            |r| r.operation = UsageOperation::Embedding,
            |_, _| {},
            &[],
            usage_history::list,
            |c, r| usage_history::delete(c, &r.id),
        );

        let new_prefs = user_preferences::NewUserPreference {
            user_id: user.id,
            default_model_id: Some(model.id.clone()),
            enable_streaming: None,
            max_tokens: Some(512),
            temperature: Some(dec("0.70")),
            preferences_metadata: None,
            created_at: None,
            updated_at: naive(0),
        };
        round_trip(
            c,
            &new_prefs,
            user_preferences::insert,
            |c, r| user_preferences::get(c, &r.user_id),
            user_preferences::update,
            |r| r.max_tokens = 1024,
            |_, _| {},
            &[],
            user_preferences::list,
            |c, r| user_preferences::delete(c, &r.user_id),
        );

        let new_client = oauth_clients::NewOauthClient {
            client_id: "cli".into(),
            client_name: "CLI".into(),
            client_secret_hash: None,
            redirect_uris: Some(vec!["http://localhost/cb".into()]),
            grant_types: None,
            response_types: None,
            scope: None,
            is_active: None,
            created_at: None,
        };
        round_trip(
            c,
            &new_client,
            oauth_clients::insert,
            |c, r| oauth_clients::get(c, &r.client_id),
            oauth_clients::update,
            |r| r.scope = Some("read".into()),
            |_, _| {},
            &[],
            oauth_clients::list,
            |c, r| oauth_clients::delete(c, &r.client_id),
        );

        let new_download = download::NewDownload {
            id: "d1".into(),
            os: "linux".into(),
            timestamp: None,
            user_agent: None,
            ip_hash: None,
        };
        round_trip(
            c,
            &new_download,
            download::insert,
            |c, r| download::get(c, &r.id),
            download::update,
            |r| r.os = "mac".into(),
            |_, _| {},
            &[],
            download::list,
            |c, r| download::delete(c, &r.id),
        );
        let new_feedback = feedback::NewFeedback {
            id: "f1".into(),
            message: "nice".into(),
            email: None,
            timestamp: Some(naive(60)),
        };
        round_trip(
            c,
            &new_feedback,
            feedback::insert,
            |c, r| feedback::get(c, &r.id),
            feedback::update,
            |r| r.email = Some("x@y".into()),
            |_, _| {},
            &[],
            feedback::list,
            |c, r| feedback::delete(c, &r.id),
        );
        let new_diag = diagnostic::NewDiagnostic {
            id: "g1".into(),
            file_path: "/tmp/x".into(),
            file_size: 10,
            timestamp: None,
        };
        round_trip(
            c,
            &new_diag,
            diagnostic::insert,
            |c, r| diagnostic::get(c, &r.id),
            diagnostic::update,
            |r| r.file_size = 11,
            |_, _| {},
            &[],
            diagnostic::list,
            |c, r| diagnostic::delete(c, &r.id),
        );
        let new_version = app_version::NewAppVersion {
            id: "v1".into(),
            version: "1.0.0".into(),
            release_date: naive(0),
            download_url: "https://example.invalid/1.0.0".into(),
            changelog: "first".into(),
            is_latest: None,
        };
        round_trip(
            c,
            &new_version,
            app_version::insert,
            |c, r| app_version::get(c, &r.id),
            app_version::update,
            |r| r.is_latest = true,
            |_, _| {},
            &[&|c, r| app_version::find_by_version(c, &r.version)],
            app_version::list,
            |c, r| app_version::delete(c, &r.id),
        );

        // ON DELETE CASCADE from users: credits and preferences go with the user.
        let credit = credits::insert(
            c,
            &credits::NewCredit {
                id: uuid::Uuid::from_u128(5),
                ..new_credit.clone()
            },
        )
        .unwrap();
        assert!(users::delete(c, &user.id).unwrap());
        assert_eq!(
            credits::get(c, &credit.id).unwrap(),
            None,
            "ON DELETE CASCADE removed the credit"
        );
    }
}

mod cost_tracker {
    use super::*;
    use generated::cost_tracker::*;

    #[test]
    fn every_table_round_trips_on_pgvector() {
        let c = &mut database(pg18_vector(), "db/cost_tracker/migrations", None);
        let new_event = events::NewEvent {
            id: None,
            trace_id: "t".into(),
            span_id: "s".into(),
            parent_span_id: None,
            project_id: None,
            feature: "chat".into(),
            user_id: None,
            provider: "openai".into(),
            model: "gpt".into(),
            input_tokens: 1,
            output_tokens: 2,
            cached_tokens: None,
            latency_ms: 300,
            estimated_cost_usd: dec("123456.123456"),
            verified_cost_usd: None,
            is_cache_hit: None,
            metadata: Some(serde_json::json!({"k": "v"})),
            created_at: Some(ts(1)),
        };
        let event = round_trip(
            c,
            &new_event,
            events::insert,
            |c, r| events::get(c, &r.id),
            events::update,
            |r| r.latency_ms = 301,
            |_, _| {},
            &[],
            events::list,
            |c, r| events::delete(c, &r.id),
        );
        assert_eq!(
            event.estimated_cost_usd,
            dec("123456.123456"),
            "numeric(12,6) at full precision"
        );
        assert_eq!(event.project_id, "default");

        let pricing = model_pricing::NewModelPricing {
            id: None,
            provider: "openai".into(),
            model: "gpt".into(),
            input_price_per_1k: dec("0.000150"),
            output_price_per_1k: dec("0.000600"),
            effective_date: Some(ts(0)),
        };
        round_trip(
            c,
            &pricing,
            model_pricing::insert,
            |c, r| model_pricing::get(c, &r.id),
            model_pricing::update,
            |r| r.output_price_per_1k = dec("0.000700"),
            |_, _| {},
            &[&|c, r| {
                model_pricing::find_by_provider_and_model_and_effective_date(
                    c,
                    &r.provider,
                    &r.model,
                    &r.effective_date,
                )
            }],
            model_pricing::list,
            |c, r| model_pricing::delete(c, &r.id),
        );

        let parent = events::insert(c, &new_event).unwrap();
        let analysis = prompt_analysis::NewPromptAnalysis {
            id: None,
            event_id: parent.id,
            input_token_ratio: Some(dec("0.5000")),
            redundancy_score: None,
            suggestions: Some(serde_json::json!(["shorter prompt"])),
            created_at: None,
        };
        let stored = round_trip(
            c,
            &analysis,
            prompt_analysis::insert,
            |c, r| prompt_analysis::get(c, &r.id),
            prompt_analysis::update,
            |r| r.redundancy_score = Some(dec("0.1000")),
            |_, _| {},
            &[],
            prompt_analysis::list,
            |c, r| prompt_analysis::delete(c, &r.id),
        );
        assert_eq!(stored.input_token_ratio, Some(dec("0.5000")));

        let agg = cost_aggregates::NewCostAggregate {
            id: None,
            project_id: None,
            feature: "chat".into(),
            model: "gpt".into(),
            period: "day".into(),
            period_start: ts(0),
            total_cost: None,
            total_tokens: None,
            call_count: Some(3),
            avg_latency: None,
        };
        round_trip(
            c,
            &agg,
            cost_aggregates::insert,
            |c, r| cost_aggregates::get(c, &r.id),
            cost_aggregates::update,
            |r| r.call_count = 4,
            |_, _| {},
            &[&|c, r| {
                cost_aggregates::find_by_project_id_and_feature_and_model_and_period_and_period_start(c, &r.project_id, &r.feature, &r.model, &r.period, &r.period_start)
            }],
            cost_aggregates::list,
            |c, r| cost_aggregates::delete(c, &r.id),
        );

        // The drizzle foreign key (declared in a DO block) cascades.
        let a = prompt_analysis::insert(c, &analysis).unwrap();
        assert!(events::delete(c, &parent.id).unwrap());
        assert_eq!(
            prompt_analysis::get(c, &a.id).unwrap(),
            None,
            "ON DELETE CASCADE removed the analysis"
        );
    }
}

mod type_coverage {
    use super::*;
    use generated::type_coverage::enums::Mood;
    use generated::type_coverage::*;

    #[test]
    fn every_mapped_type_comes_back_exactly() {
        let c = &mut database(
            pg18_vector(),
            "generated/fixtures/type_coverage/migrations",
            None,
        );
        let embedding: Vec<f32> = (0..1536).map(|i| i as f32 / 7.0 - 100.0).collect();
        let new = everything::NewEverything {
            small: -32768,
            big: i64::MAX,
            ratio: 1.5,
            precise: std::f64::consts::PI,
            amount: dec("123456789012.12345678"),
            big_amount: Some(dec("9999999999999999999999999999")),
            flag: None,
            label: "naïve – ünïcødé".into(),
            code: "abc".into(),
            body: Some("it's \"quoted\"\nand multi-line".into()),
            payload: serde_json::json!({"a": [1, 2.5, null, true], "b": {"c": "d"}}),
            doc: Some(serde_json::json!([1, "two"])),
            raw: Some(vec![0, 1, 2, 254, 255]),
            born: NaiveDate::from_ymd_opt(1815, 12, 10),
            alarm: NaiveTime::from_hms_micro_opt(6, 30, 15, 123_456),
            local_at: NaiveDate::from_ymd_opt(2026, 11, 22)
                .and_then(|d| d.and_hms_micro_opt(2, 25, 9, 999_999)),
            at: Utc
                .timestamp_opt(1_763_778_309, 123_456_000)
                .single()
                .unwrap_or_default(),
            addr: Some("2001:db8::1".parse().unwrap()),
            tags: None,
            moods: vec![Mood::Happy, Mood::ItSComplicated, Mood::Happy],
            current_mood: Some(Mood::Sad),
            contact: Some("ada@example.invalid".into()),
            embedding: pgvector::Vector::from(embedding.clone()),
            external_id: uuid::Uuid::from_u128(0xfeed),
            qty: 3,
        };
        let row = round_trip(
            c,
            &new,
            everything::insert,
            |c, r| everything::get(c, &r.id),
            everything::update,
            |r| r.qty = 4,
            |db, r| r.total = db.total,
            &[&|c, r| everything::find_by_external_id(c, &r.external_id)],
            everything::list,
            |c, r| everything::delete(c, &r.id),
        );
        assert!(row.id >= 1, "identity ALWAYS is assigned by the database");
        assert_eq!(row.small, new.small);
        assert_eq!(row.big, new.big);
        assert_eq!(row.ratio, new.ratio);
        assert_eq!(row.precise, new.precise);
        assert_eq!(row.amount, new.amount, "numeric(20,8) at full precision");
        assert_eq!(row.big_amount, new.big_amount, "28 significant digits");
        assert!(row.flag, "the boolean default");
        assert_eq!(row.label, new.label);
        assert_eq!(row.code, new.code);
        assert_eq!(row.body, new.body);
        assert_eq!(row.payload, new.payload);
        assert_eq!(row.doc, new.doc);
        assert_eq!(row.raw, new.raw);
        assert_eq!(row.born, new.born);
        assert_eq!(row.alarm, new.alarm);
        assert_eq!(row.local_at, new.local_at, "timestamp to the microsecond");
        assert_eq!(row.at, new.at, "timestamptz to the microsecond");
        assert_eq!(row.addr, new.addr);
        assert!(row.tags.is_empty(), "text[] default '{{}}'");
        assert_eq!(row.moods, new.moods, "an array of enums");
        assert_eq!(row.current_mood, new.current_mood);
        assert_eq!(
            row.contact, new.contact,
            "a domain travels as its base type"
        );
        assert_eq!(row.embedding.to_vec(), embedding, "vector(1536)");
        assert_eq!(row.external_id, new.external_id);
        assert_eq!(
            row.total,
            Some(dec("370370367036.37037034")),
            "the generated column, computed by the database"
        );

        // A domain's CHECK still applies through the generated API.
        let bad = everything::NewEverything {
            contact: Some("no at sign".into()),
            external_id: uuid::Uuid::from_u128(2),
            ..new.clone()
        };
        assert!(everything::insert(c, &bad).is_err());

        // Child rows, and ON DELETE CASCADE.
        let parent = everything::insert(
            c,
            &everything::NewEverything {
                external_id: uuid::Uuid::from_u128(3),
                ..new.clone()
            },
        )
        .unwrap();
        let note = notes::NewNote {
            id: None,
            everything_id: parent.id,
            note: "n".into(),
        };
        round_trip(
            c,
            &note,
            notes::insert,
            |c, r| notes::get(c, &r.id),
            notes::update,
            |r| r.note = "m".into(),
            |_, _| {},
            &[],
            notes::list,
            |c, r| notes::delete(c, &r.id),
        );
        let child = notes::insert(c, &note).unwrap();
        assert!(everything::delete(c, &parent.id).unwrap());
        assert_eq!(notes::get(c, &child.id).unwrap(), None, "ON DELETE CASCADE");

        // Reserved words as names.
        let order = order::NewOrder {
            user: 7,
            select: Some("*".into()),
        };
        round_trip(
            c,
            &order,
            order::insert,
            |c, r| order::get(c, &r.user),
            order::update,
            |r| r.select = None,
            |_, _| {},
            &[],
            order::list,
            |c, r| order::delete(c, &r.user),
        );

        // A table without a primary key: insert and list only.
        let audit_row = audit::insert(
            c,
            &audit::NewAudit {
                at: None,
                what: "created".into(),
            },
        )
        .unwrap();
        assert_eq!(audit::list(c, 10, 0).unwrap(), vec![audit_row]);
    }
}
