//! The text_assistant system (db/text_assistant) on PostgreSQL 15: every table, enum
//! arrays and ON DELETE CASCADE, and every table's own functions (unique-key upserts and
//! finds, lists by index, navigation to the parent, NULL references).

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
        users::UserPatch {
            username: Some(None),
            is_active: Some(false),
            ..Default::default()
        },
        |r| {
            r.username = None;
            r.is_active = false;
        },
        &[&|c, r| users::find_by_email(c, &r.email)],
    );
    let user = users::Table::insert(c, &new_user).unwrap();

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
        models::ModelPatch {
            description: Some(Some("desc".into())),
            is_available: Some(false),
            ..Default::default()
        },
        |r| {
            r.description = Some("desc".into());
            r.is_available = false;
        },
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
    let model = models::Table::insert(c, &new_model).unwrap();

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
        subscriptions::SubscriptionPatch {
            status: Some(SubscriptionStatus::Expired),
            stripe_customer_id: Some(Some("cus_1".into())),
            ..Default::default()
        },
        |r| {
            r.status = SubscriptionStatus::Expired;
            r.stripe_customer_id = Some("cus_1".into());
        },
        &[],
    );
    assert_eq!(sub.status, SubscriptionStatus::Active);
    let sub = subscriptions::Table::insert(c, &new_sub).unwrap();

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
        credits::CreditPatch {
            subscription_id: Some(None),
            is_current: Some(false),
            ..Default::default()
        },
        |r| {
            r.subscription_id = None;
            r.is_current = false;
        },
        &[],
    );
    let credit = credits::Table::insert(c, &new_credit).unwrap();

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
        usage_history::UsageHistoryPatch {
            credits_used: Some(5),
            request_metadata: Some(None),
            ..Default::default()
        },
        |r| {
            r.credits_used = 5;
            r.request_metadata = None;
        },
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
        user_preferences::UserPreferencePatch {
            temperature: Some(dec("0.50")),
            default_model_id: Some(None),
            ..Default::default()
        },
        |r| {
            r.temperature = dec("0.50");
            r.default_model_id = None;
        },
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
        oauth_clients::OauthClientPatch {
            redirect_uris: Some(None),
            is_active: Some(false),
            ..Default::default()
        },
        |r| {
            r.redirect_uris = None;
            r.is_active = false;
        },
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
        download::DownloadPatch {
            user_agent: Some(Some("curl".into())),
            ..Default::default()
        },
        |r| r.user_agent = Some("curl".into()),
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
        feedback::FeedbackPatch {
            message: Some("great".into()),
            email: Some(None),
            ..Default::default()
        },
        |r| {
            r.message = "great".into();
            r.email = None;
        },
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
        diagnostic::DiagnosticPatch {
            file_path: Some("/tmp/y".into()),
            ..Default::default()
        },
        |r| r.file_path = "/tmp/y".into(),
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
        app_version::AppVersionPatch {
            changelog: Some("second".into()),
            ..Default::default()
        },
        |r| r.changelog = "second".into(),
        &[&|c, r| app_version::find_by_version(c, &r.version)],
    );

    // ON DELETE CASCADE from users: credits and preferences go with the user.
    let credit = credits::Table::insert(
        c,
        &credits::NewCredit {
            id: uuid::Uuid::from_u128(5),
            ..new_credit.clone()
        },
    )
    .unwrap();
    assert!(users::Table::delete(c, &user.id).unwrap());
    assert_eq!(
        credits::Table::get(c, &credit.id).unwrap(),
        None,
        "ON DELETE CASCADE removed the credit"
    );
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(pg15(), "db/text_assistant/migrations", None);
    let id = uuid::Uuid::from_u128;

    // users: insert_many, list_by_created_at, upsert and find by email, upsert on the key.
    let news = [
        users::NewUser {
            created_at: Some(naive(5)),
            ..users::NewUser::new(id(1), "a@example.invalid".into(), naive(0))
        },
        users::NewUser {
            username: Some("bee".into()),
            ..users::NewUser::new(id(2), "b@example.invalid".into(), naive(0))
        },
    ];
    let rows = users::Table::insert_many(c, &news).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [id(1), id(2)],
        "insert_many returns every row, in the order given"
    );
    assert_eq!(rows[1].username.as_deref(), Some("bee"));
    assert_eq!(users::Table::count(c).unwrap(), 2);
    listed(
        "users::list_by_created_at",
        &rows[0],
        |r| r.created_at == naive(5),
        |p| users::list_by_created_at(c, &naive(5), p),
    );
    let up = users::upsert_by_email(
        c,
        &users::NewUser {
            id: id(99),
            first_name: Some("Ann".into()),
            ..news[0].clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, id(1), "upsert_by_email keeps the row and its key");
    assert_eq!(
        up.first_name.as_deref(),
        Some("Ann"),
        "upsert_by_email writes"
    );
    assert_eq!(
        users::find_by_email(c, "a@example.invalid").unwrap(),
        Some(up)
    );
    let ann = users::Table::upsert(
        c,
        &users::NewUser {
            last_name: Some("Lee".into()),
            ..news[0].clone()
        },
    )
    .unwrap();
    assert_eq!(ann.id, id(1), "upsert on the key keeps the row");
    assert_eq!(ann.last_name.as_deref(), Some("Lee"), "upsert writes");
    assert_eq!(ann.first_name, None, "upsert writes the NULL it is given");
    let bob = rows[1].clone();

    // models: list_by_is_available, list_by_provider, upsert on the key.
    let new_model = |mid: &str, provider: &str| {
        models::NewModel::new(
            mid.into(),
            mid.into(),
            mid.to_uppercase(),
            provider.into(),
            8192,
            1,
            2,
            3,
            naive(0),
        )
    };
    let rows = models::Table::insert_many(
        c,
        &[
            new_model("m1", "openai"),
            models::NewModel {
                is_available: Some(false),
                ..new_model("m2", "anthropic")
            },
        ],
    )
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2"]
    );
    listed(
        "models::list_by_is_available",
        &rows[0],
        |r| r.is_available,
        |p| models::list_by_is_available(c, &true, p),
    );
    listed(
        "models::list_by_provider",
        &rows[1],
        |r| r.provider == "anthropic",
        |p| models::list_by_provider(c, "anthropic", p),
    );
    let m1 = models::Table::upsert(
        c,
        &models::NewModel {
            version: Some("2".into()),
            ..new_model("m1", "openai")
        },
    )
    .unwrap();
    assert_eq!((m1.id.as_str(), m1.version.as_deref()), ("m1", Some("2")));
    let m2 = rows[1].clone();

    // subscriptions: three lists, get_user, upsert on the key.
    let new_sub = subscriptions::NewSubscription::new(
        id(10),
        ann.id,
        SubscriptionTier::Pro,
        1000,
        1999,
        "month".into(),
        naive(0),
        naive(86_400),
        naive(0),
    );
    let sub = subscriptions::Table::insert(c, &new_sub).unwrap();
    subscriptions::Table::insert(
        c,
        &subscriptions::NewSubscription {
            status: Some(SubscriptionStatus::Cancelled),
            ..subscriptions::NewSubscription::new(
                id(11),
                bob.id,
                SubscriptionTier::Free,
                0,
                0,
                "year".into(),
                naive(0),
                naive(1),
                naive(0),
            )
        },
    )
    .unwrap();
    listed(
        "subscriptions::list_by_user_id",
        &sub,
        |r| r.user_id == ann.id,
        |p| subscriptions::list_by_user_id(c, &ann.id, p),
    );
    listed(
        "subscriptions::list_by_current_period_end",
        &sub,
        |r| r.current_period_end == naive(86_400),
        |p| subscriptions::list_by_current_period_end(c, &naive(86_400), p),
    );
    listed(
        "subscriptions::list_by_status",
        &sub,
        |r| r.status == SubscriptionStatus::Active,
        |p| subscriptions::list_by_status(c, &SubscriptionStatus::Active, p),
    );
    assert_eq!(
        subscriptions::get_user(c, &sub).unwrap().as_ref(),
        Some(&ann),
        "get_user returns the parent"
    );
    let sub = subscriptions::Table::upsert(
        c,
        &subscriptions::NewSubscription {
            tier: SubscriptionTier::Enterprise,
            ..new_sub.clone()
        },
    )
    .unwrap();
    assert_eq!((sub.id, sub.tier), (id(10), SubscriptionTier::Enterprise));
    assert_eq!(sub.status, SubscriptionStatus::Active);

    // credits: four lists, get_subscription (set and NULL), get_user, upsert on the key.
    let new_credit = credits::NewCredit {
        subscription_id: Some(sub.id),
        ..credits::NewCredit::new(id(20), ann.id, 100, naive(0), naive(86_400), naive(0))
    };
    let credit = credits::Table::insert(c, &new_credit).unwrap();
    let loose = credits::Table::insert(
        c,
        &credits::NewCredit {
            is_current: Some(false),
            ..credits::NewCredit::new(id(21), bob.id, 50, naive(1), naive(2), naive(0))
        },
    )
    .unwrap();
    listed(
        "credits::list_by_subscription_id",
        &credit,
        |r| r.subscription_id == Some(sub.id),
        |p| credits::list_by_subscription_id(c, &credit.subscription_id.unwrap(), p),
    );
    listed(
        "credits::list_by_user_id",
        &credit,
        |r| r.user_id == ann.id,
        |p| credits::list_by_user_id(c, &ann.id, p),
    );
    listed(
        "credits::list_by_billing_period_start_and_billing_period_end",
        &credit,
        |r| (r.billing_period_start, r.billing_period_end) == (naive(0), naive(86_400)),
        |p| {
            credits::list_by_billing_period_start_and_billing_period_end(
                c,
                &naive(0),
                &naive(86_400),
                p,
            )
        },
    );
    listed(
        "credits::list_by_user_id_and_is_current",
        &loose,
        |r| (r.user_id, r.is_current) == (bob.id, false),
        |p| credits::list_by_user_id_and_is_current(c, &bob.id, &false, p),
    );
    assert_eq!(
        credits::get_subscription(c, &credit).unwrap().as_ref(),
        Some(&sub),
        "get_subscription returns the parent"
    );
    assert_eq!(
        credits::get_subscription(c, &loose).unwrap(),
        None,
        "get_subscription of a NULL subscription_id"
    );
    assert_eq!(credits::get_user(c, &loose).unwrap().as_ref(), Some(&bob));
    let credit = credits::Table::upsert(
        c,
        &credits::NewCredit {
            used_credits: Some(7),
            ..new_credit.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (credit.id, credit.used_credits),
        (id(20), 7),
        "upsert on the key"
    );

    // usage_history: five lists, get_credit (set and NULL), get_model, get_user, upsert.
    let new_usage = usage_history::NewUsageHistory {
        credit_id: Some(credit.id),
        created_at: Some(naive(7)),
        ..usage_history::NewUsageHistory::new(
            id(30),
            ann.id,
            m1.id.clone(),
            UsageOperation::Chat,
            3,
        )
    };
    let usage = usage_history::Table::insert(c, &new_usage).unwrap();
    let loose_usage = usage_history::Table::insert(
        c,
        &usage_history::NewUsageHistory::new(
            id(31),
            bob.id,
            m2.id.clone(),
            UsageOperation::Completion,
            1,
        ),
    )
    .unwrap();
    listed(
        "usage_history::list_by_credit_id",
        &usage,
        |r| r.credit_id == Some(credit.id),
        |p| usage_history::list_by_credit_id(c, &usage.credit_id.unwrap(), p),
    );
    listed(
        "usage_history::list_by_model_id",
        &usage,
        |r| r.model_id == m1.id,
        |p| usage_history::list_by_model_id(c, &m1.id, p),
    );
    listed(
        "usage_history::list_by_user_id",
        &loose_usage,
        |r| r.user_id == bob.id,
        |p| usage_history::list_by_user_id(c, &bob.id, p),
    );
    listed(
        "usage_history::list_by_created_at",
        &usage,
        |r| r.created_at == naive(7),
        |p| usage_history::list_by_created_at(c, &naive(7), p),
    );
    listed(
        "usage_history::list_by_user_id_and_created_at",
        &usage,
        |r| (r.user_id, r.created_at) == (ann.id, naive(7)),
        |p| usage_history::list_by_user_id_and_created_at(c, &ann.id, &naive(7), p),
    );
    assert_eq!(
        usage_history::get_credit(c, &usage).unwrap().as_ref(),
        Some(&credit),
        "get_credit returns the parent"
    );
    assert_eq!(
        usage_history::get_credit(c, &loose_usage).unwrap(),
        None,
        "get_credit of a NULL credit_id"
    );
    assert_eq!(
        usage_history::get_model(c, &usage).unwrap().as_ref(),
        Some(&m1)
    );
    assert_eq!(
        usage_history::get_model(c, &loose_usage).unwrap().as_ref(),
        Some(&m2)
    );
    assert_eq!(
        usage_history::get_user(c, &usage).unwrap().as_ref(),
        Some(&ann)
    );
    let up = usage_history::Table::upsert(
        c,
        &usage_history::NewUsageHistory {
            total_tokens: Some(42),
            ..new_usage.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.total_tokens),
        (usage.id, Some(42)),
        "upsert on the key"
    );
    let usage = up;

    // user_preferences: list_by_default_model_id, get_default_model (set and NULL),
    // get_user, upsert on the key (user_id).
    let new_prefs = user_preferences::NewUserPreference {
        default_model_id: Some(m1.id.clone()),
        ..user_preferences::NewUserPreference::new(ann.id, naive(0))
    };
    let prefs = user_preferences::Table::insert(c, &new_prefs).unwrap();
    let bare = user_preferences::Table::insert(
        c,
        &user_preferences::NewUserPreference::new(bob.id, naive(0)),
    )
    .unwrap();
    listed(
        "user_preferences::list_by_default_model_id",
        &prefs,
        |r| r.default_model_id.as_deref() == Some("m1"),
        |p| {
            user_preferences::list_by_default_model_id(
                c,
                prefs.default_model_id.as_deref().unwrap(),
                p,
            )
        },
    );
    assert_eq!(
        user_preferences::get_default_model(c, &prefs)
            .unwrap()
            .as_ref(),
        Some(&m1),
        "get_default_model returns the parent"
    );
    assert_eq!(
        user_preferences::get_default_model(c, &bare).unwrap(),
        None,
        "get_default_model of a NULL default_model_id"
    );
    assert_eq!(
        user_preferences::get_user(c, &bare).unwrap().as_ref(),
        Some(&bob)
    );
    let up = user_preferences::Table::upsert(
        c,
        &user_preferences::NewUserPreference {
            max_tokens: Some(64),
            ..new_prefs.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.user_id, up.max_tokens),
        (ann.id, 64),
        "upsert on the key"
    );
    assert_eq!(
        up.temperature, prefs.temperature,
        "DEFAULT leaves it as stored"
    );

    // oauth_clients: upsert on the key.
    let new_client = oauth_clients::NewOauthClient::new("cli".into(), "CLI".into());
    oauth_clients::Table::insert(c, &new_client).unwrap();
    let up = oauth_clients::Table::upsert(
        c,
        &oauth_clients::NewOauthClient {
            scope: Some("read".into()),
            ..new_client.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.client_id.as_str(), up.scope.as_deref()),
        ("cli", Some("read"))
    );
    assert_eq!(oauth_clients::Table::count(c).unwrap(), 1);

    // download, feedback, diagnostic: lists by index, upsert on the key.
    let news = [
        download::NewDownload {
            timestamp: Some(naive(3)),
            ..download::NewDownload::new("d1".into(), "linux".into())
        },
        download::NewDownload::new("d2".into(), "mac".into()),
    ];
    let rows = download::Table::insert_many(c, &news).unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id.as_str(), r.os.as_str()))
            .collect::<Vec<_>>(),
        [("d1", "linux"), ("d2", "mac")]
    );
    listed(
        "download::list_by_os",
        &rows[0],
        |r| r.os == "linux",
        |p| download::list_by_os(c, "linux", p),
    );
    listed(
        "download::list_by_timestamp",
        &rows[0],
        |r| r.timestamp == naive(3),
        |p| download::list_by_timestamp(c, &naive(3), p),
    );
    let up = download::Table::upsert(
        c,
        &download::NewDownload {
            ip_hash: Some("h".into()),
            ..news[0].clone()
        },
    )
    .unwrap();
    assert_eq!((up.id.as_str(), up.ip_hash.as_deref()), ("d1", Some("h")));

    let new_feedback = feedback::NewFeedback {
        timestamp: Some(naive(4)),
        ..feedback::NewFeedback::new("f1".into(), "hi".into())
    };
    let row = feedback::Table::insert(c, &new_feedback).unwrap();
    feedback::Table::insert(c, &feedback::NewFeedback::new("f2".into(), "yo".into())).unwrap();
    listed(
        "feedback::list_by_timestamp",
        &row,
        |r| r.timestamp == naive(4),
        |p| feedback::list_by_timestamp(c, &naive(4), p),
    );
    let up = feedback::Table::upsert(
        c,
        &feedback::NewFeedback {
            email: Some("f@example.invalid".into()),
            ..new_feedback.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id.as_str(), up.email.as_deref()),
        ("f1", Some("f@example.invalid"))
    );

    let new_diag = diagnostic::NewDiagnostic {
        timestamp: Some(naive(6)),
        ..diagnostic::NewDiagnostic::new("g1".into(), "/tmp/x".into(), 10)
    };
    let row = diagnostic::Table::insert(c, &new_diag).unwrap();
    diagnostic::Table::insert(
        c,
        &diagnostic::NewDiagnostic::new("g2".into(), "/tmp/z".into(), 1),
    )
    .unwrap();
    listed(
        "diagnostic::list_by_timestamp",
        &row,
        |r| r.timestamp == naive(6),
        |p| diagnostic::list_by_timestamp(c, &naive(6), p),
    );
    let up = diagnostic::Table::upsert(
        c,
        &diagnostic::NewDiagnostic {
            file_size: 12,
            ..new_diag.clone()
        },
    )
    .unwrap();
    assert_eq!((up.id.as_str(), up.file_size), ("g1", 12));

    // app_version: upsert and find by version, list_by_is_latest, upsert on the key.
    let new_version = |vid: &str, version: &str| {
        app_version::NewAppVersion::new(
            vid.into(),
            version.into(),
            naive(0),
            format!("https://example.invalid/{version}"),
            "first".into(),
        )
    };
    let v1 = app_version::Table::insert(c, &new_version("v1", "1.0.0")).unwrap();
    app_version::Table::insert(
        c,
        &app_version::NewAppVersion {
            is_latest: Some(true),
            ..new_version("v2", "2.0.0")
        },
    )
    .unwrap();
    let up = app_version::upsert_by_version(
        c,
        &app_version::NewAppVersion {
            changelog: "changed".into(),
            ..new_version("other-id", "1.0.0")
        },
    )
    .unwrap();
    assert_eq!(up.id, v1.id, "upsert_by_version keeps the row and its key");
    assert_eq!(up.changelog, "changed", "upsert_by_version writes");
    assert_eq!(
        app_version::find_by_version(c, "1.0.0").unwrap(),
        Some(up.clone())
    );
    assert_eq!(app_version::find_by_version(c, "3.0.0").unwrap(), None);
    listed(
        "app_version::list_by_is_latest",
        &up,
        |r| !r.is_latest,
        |p| app_version::list_by_is_latest(c, &false, p),
    );
    let up = app_version::Table::upsert(
        c,
        &app_version::NewAppVersion {
            changelog: "third".into(),
            ..new_version("v1", "1.0.0")
        },
    )
    .unwrap();
    assert_eq!((up.id.as_str(), up.changelog.as_str()), ("v1", "third"));

    // The same, async.
    with_async(async |a| {
        let news = [
            download::NewDownload::new("d3".into(), "bsd".into()),
            download::NewDownload::new("d4".into(), "bsd".into()),
        ];
        let rows = <download::Table as schemakit_support::AsyncCrud>::insert_many(a, &news)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["d3", "d4"],
            "async insert_many"
        );
        listed_async(
            "async download::list_by_os",
            &rows[1],
            |r| r.os == "bsd",
            async |p| download::nonblocking::list_by_os(a, "bsd", p).await,
        )
        .await;

        let up = users::nonblocking::upsert_by_email(
            a,
            &users::NewUser {
                first_name: Some("Bee".into()),
                ..users::NewUser::new(id(98), "b@example.invalid".into(), naive(0))
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.first_name.as_deref()), (bob.id, Some("Bee")));
        assert_eq!(
            users::nonblocking::find_by_email(a, "b@example.invalid")
                .await
                .unwrap(),
            Some(up.clone())
        );
        listed_async(
            "async credits::list_by_user_id_and_is_current",
            &loose,
            |r| (r.user_id, r.is_current) == (bob.id, false),
            async |p| {
                credits::nonblocking::list_by_user_id_and_is_current(a, &bob.id, &false, p).await
            },
        )
        .await;
        assert_eq!(
            credits::nonblocking::get_subscription(a, &credit)
                .await
                .unwrap()
                .as_ref(),
            Some(&sub),
            "async get_subscription"
        );
        assert_eq!(
            credits::nonblocking::get_subscription(a, &loose)
                .await
                .unwrap(),
            None,
            "async get_subscription of NULL"
        );
        assert_eq!(
            credits::nonblocking::get_user(a, &loose).await.unwrap(),
            Some(up),
            "async get_user"
        );
        listed_async(
            "async usage_history::list_by_user_id_and_created_at",
            &usage,
            |r| (r.user_id, r.created_at) == (ann.id, naive(7)),
            async |p| {
                usage_history::nonblocking::list_by_user_id_and_created_at(a, &ann.id, &naive(7), p)
                    .await
            },
        )
        .await;
        assert_eq!(
            usage_history::nonblocking::get_model(a, &usage)
                .await
                .unwrap()
                .as_ref(),
            Some(&m1),
            "async get_model"
        );
        let patched = <credits::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &credit.id,
            &credits::CreditPatch {
                subscription_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(patched.subscription_id, None, "async patch to NULL");
        assert_eq!(
            credits::nonblocking::get_subscription(a, &patched)
                .await
                .unwrap(),
            None
        );

        let up = app_version::nonblocking::upsert_by_version(
            a,
            &app_version::NewAppVersion {
                is_latest: Some(true),
                ..new_version("x", "1.0.0")
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id.as_str(), up.is_latest), ("v1", true));
        assert_eq!(
            app_version::nonblocking::find_by_version(a, "1.0.0")
                .await
                .unwrap(),
            Some(up)
        );
        let up = <oauth_clients::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &oauth_clients::NewOauthClient {
                grant_types: Some(vec![Some("code".into())]),
                ..new_client.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(up.client_id, "cli", "async upsert on the key");
        assert_eq!(up.grant_types, Some(vec![Some("code".into())]));
        assert_eq!(up.scope, None, "upsert writes the NULL it is given");
    });
}
