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
        |c, r| users::exists(c, &r.id),
        users::count,
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
        |c, r| models::exists(c, &r.id),
        models::count,
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
        |c, r| subscriptions::exists(c, &r.id),
        subscriptions::count,
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
        |c, r| credits::exists(c, &r.id),
        credits::count,
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
        |c, r| usage_history::exists(c, &r.id),
        usage_history::count,
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
        |c, r| user_preferences::exists(c, &r.user_id),
        user_preferences::count,
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
        |c, r| oauth_clients::exists(c, &r.client_id),
        oauth_clients::count,
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
        |c, r| download::exists(c, &r.id),
        download::count,
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
        |c, r| feedback::exists(c, &r.id),
        feedback::count,
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
        |c, r| diagnostic::exists(c, &r.id),
        diagnostic::count,
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
        |c, r| app_version::exists(c, &r.id),
        app_version::count,
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
