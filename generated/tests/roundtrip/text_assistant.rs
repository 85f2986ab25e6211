//! The text_assistant system (db/text_assistant) on PostgreSQL 15: every table, enum
//! arrays and ON DELETE CASCADE.

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
    round_trip::<users::Table>(
        c,
        &new_user,
        |r| r.username = Some("b".into()),
        |_, _| {},
        Default::default(),
        |_| {},
        &[&|c, r| users::find_by_email(c, &r.email)],
    );
    let user = users::insert(c, &new_user).unwrap();

    let new_model = models::NewModel {
        id: "gpt-x".into(),
        name: "gpt-x".into(),
        display_name: "GPT X".into(),
        provider: "openai".into(),
        description: None,
        capabilities: Some(vec![
            Some(ModelCapability::Text),
            Some(ModelCapability::FunctionCalling),
            Some(ModelCapability::LongContext),
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
    let model = round_trip::<models::Table>(
        c,
        &new_model,
        |r| r.capabilities = Some(vec![Some(ModelCapability::Vision), None]),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    assert_eq!(
        model.capabilities.as_deref(),
        Some(
            &[
                Some(ModelCapability::Text),
                Some(ModelCapability::FunctionCalling),
                Some(ModelCapability::LongContext)
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
    let sub = round_trip::<subscriptions::Table>(
        c,
        &new_sub,
        |r| r.status = SubscriptionStatus::Cancelled,
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
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
    round_trip::<credits::Table>(
        c,
        &new_credit,
        |r| r.used_credits = 10,
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
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
    round_trip::<usage_history::Table>(
        c,
        &new_usage,
        |r| r.operation = UsageOperation::Embedding,
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
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
    round_trip::<user_preferences::Table>(
        c,
        &new_prefs,
        |r| r.max_tokens = 1024,
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );

    let new_client = oauth_clients::NewOauthClient {
        client_id: "cli".into(),
        client_name: "CLI".into(),
        client_secret_hash: None,
        redirect_uris: Some(vec![Some("http://localhost/cb".into())]),
        grant_types: None,
        response_types: None,
        scope: None,
        is_active: None,
        created_at: None,
    };
    round_trip::<oauth_clients::Table>(
        c,
        &new_client,
        |r| r.scope = Some("read".into()),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );

    let new_download = download::NewDownload {
        id: "d1".into(),
        os: "linux".into(),
        timestamp: None,
        user_agent: None,
        ip_hash: None,
    };
    round_trip::<download::Table>(
        c,
        &new_download,
        |r| r.os = "mac".into(),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    let new_feedback = feedback::NewFeedback {
        id: "f1".into(),
        message: "nice".into(),
        email: None,
        timestamp: Some(naive(60)),
    };
    round_trip::<feedback::Table>(
        c,
        &new_feedback,
        |r| r.email = Some("x@y".into()),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    let new_diag = diagnostic::NewDiagnostic {
        id: "g1".into(),
        file_path: "/tmp/x".into(),
        file_size: 10,
        timestamp: None,
    };
    round_trip::<diagnostic::Table>(
        c,
        &new_diag,
        |r| r.file_size = 11,
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    let new_version = app_version::NewAppVersion {
        id: "v1".into(),
        version: "1.0.0".into(),
        release_date: naive(0),
        download_url: "https://example.invalid/1.0.0".into(),
        changelog: "first".into(),
        is_latest: None,
    };
    round_trip::<app_version::Table>(
        c,
        &new_version,
        |r| r.is_latest = true,
        |_, _| {},
        Default::default(),
        |_| {},
        &[&|c, r| app_version::find_by_version(c, &r.version)],
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
