//! The cost_tracker system (db/cost_tracker) on PostgreSQL 18 with pgvector: every table,
//! and every table's own functions (unique-key upserts and finds, lists by index,
//! navigation to the parent).

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
    let event = round_trip::<events::Table>(
        c,
        &new_event,
        |r| r.latency_ms = 301,
        |_, _| {},
        events::EventPatch {
            verified_cost_usd: Some(Some(dec("1.500000"))),
            metadata: Some(None),
            ..Default::default()
        },
        |r| {
            r.verified_cost_usd = Some(dec("1.500000"));
            r.metadata = None;
        },
        &[],
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
    round_trip::<model_pricing::Table>(
        c,
        &pricing,
        |r| r.output_price_per_1k = dec("0.000700"),
        |_, _| {},
        model_pricing::ModelPricingPatch {
            input_price_per_1k: Some(dec("0.000200")),
            ..Default::default()
        },
        |r| r.input_price_per_1k = dec("0.000200"),
        &[&|c, r| {
            model_pricing::find_by_provider_and_model_and_effective_date(
                c,
                &r.provider,
                &r.model,
                &r.effective_date,
            )
        }],
    );

    let parent = events::Table::insert(c, &new_event).unwrap();
    let analysis = prompt_analysis::NewPromptAnalysis {
        id: None,
        event_id: parent.id,
        input_token_ratio: Some(dec("0.5000")),
        redundancy_score: None,
        suggestions: Some(serde_json::json!(["shorter prompt"])),
        created_at: None,
    };
    let stored = round_trip::<prompt_analysis::Table>(
        c,
        &analysis,
        |r| r.redundancy_score = Some(dec("0.1000")),
        |_, _| {},
        prompt_analysis::PromptAnalysisPatch {
            redundancy_score: Some(Some(dec("0.2000"))),
            suggestions: Some(None),
            ..Default::default()
        },
        |r| {
            r.redundancy_score = Some(dec("0.2000"));
            r.suggestions = None;
        },
        &[],
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
    round_trip::<cost_aggregates::Table>(
        c,
        &agg,
        |r| r.call_count = 4,
        |_, _| {},
        cost_aggregates::CostAggregatePatch {
            total_tokens: Some(10),
            avg_latency: Some(dec("12.50")),
            ..Default::default()
        },
        |r| {
            r.total_tokens = 10;
            r.avg_latency = dec("12.50");
        },
        &[&|c, r| {
            cost_aggregates::find_by_idx_cost_agg_uniq(
                c,
                &r.project_id,
                &r.feature,
                &r.model,
                &r.period,
                &r.period_start,
            )
        }],
    );

    // The drizzle foreign key (declared in a DO block) cascades.
    let a = prompt_analysis::Table::insert(c, &analysis).unwrap();
    assert!(events::Table::delete(c, &parent.id).unwrap());
    assert_eq!(
        prompt_analysis::Table::get(c, &a.id).unwrap(),
        None,
        "ON DELETE CASCADE removed the analysis"
    );
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(pg18_vector(), "db/cost_tracker/migrations", None);
    let new_event = events::NewEvent {
        id: None,
        trace_id: "trace-1".into(),
        span_id: "s".into(),
        parent_span_id: None,
        project_id: Some("p1".into()),
        feature: "chat".into(),
        user_id: Some("u1".into()),
        provider: "openai".into(),
        model: "gpt".into(),
        input_tokens: 1,
        output_tokens: 2,
        cached_tokens: None,
        latency_ms: 300,
        estimated_cost_usd: dec("0.5"),
        verified_cost_usd: None,
        is_cache_hit: None,
        metadata: None,
        created_at: Some(ts(1)),
    };

    // insert_many: rows in the order given, with distinct values.
    let news = [
        new_event.clone(),
        events::NewEvent {
            trace_id: "trace-2".into(),
            project_id: None,
            user_id: None,
            feature: "search".into(),
            created_at: Some(ts(2)),
            ..new_event.clone()
        },
    ];
    let rows = events::Table::insert_many(c, &news).unwrap();
    assert_eq!(rows.len(), 2, "insert_many returns every row");
    assert_eq!(
        rows.iter().map(|r| r.trace_id.as_str()).collect::<Vec<_>>(),
        ["trace-1", "trace-2"],
        "insert_many returns the rows in the order given"
    );
    assert_eq!(
        rows[1].project_id, "default",
        "DEFAULT in a multi-row insert"
    );
    assert_eq!(events::Table::count(c).unwrap(), 2);
    let event = &rows[0];

    listed(
        "events::list_by_created_at",
        event,
        |r| r.created_at == event.created_at,
        |p| events::list_by_created_at(c, &event.created_at, p),
    );
    listed(
        "events::list_by_project_id_and_feature_and_created_at",
        event,
        |r| {
            (&r.project_id, &r.feature, r.created_at)
                == (&event.project_id, &event.feature, event.created_at)
        },
        |p| {
            events::list_by_project_id_and_feature_and_created_at(
                c,
                &event.project_id,
                &event.feature,
                &event.created_at,
                p,
            )
        },
    );
    listed(
        "events::list_by_trace_id",
        event,
        |r| r.trace_id == event.trace_id,
        |p| events::list_by_trace_id(c, &event.trace_id, p),
    );
    listed(
        "events::list_by_project_id_and_user_id_and_created_at",
        event,
        |r| {
            (&r.project_id, &r.user_id, r.created_at)
                == (&event.project_id, &event.user_id, event.created_at)
        },
        |p| {
            events::list_by_project_id_and_user_id_and_created_at(
                c,
                &event.project_id,
                event.user_id.as_deref().unwrap(),
                &event.created_at,
                p,
            )
        },
    );
    let id = uuid::Uuid::from_u128(0xe1);
    let first = events::Table::insert(
        c,
        &events::NewEvent {
            id: Some(id),
            ..new_event.clone()
        },
    )
    .unwrap();
    let up = events::Table::upsert(
        c,
        &events::NewEvent {
            id: Some(id),
            latency_ms: 999,
            ..new_event.clone()
        },
    )
    .unwrap();
    assert_eq!((up.id, up.latency_ms), (first.id, 999), "upsert on the key");
    assert_eq!(events::Table::get(c, &id).unwrap(), Some(up));

    // model_pricing: upsert and find by (provider, model, effective_date); upsert on the key.
    let new_pricing = model_pricing::NewModelPricing {
        id: None,
        provider: "openai".into(),
        model: "gpt".into(),
        input_price_per_1k: dec("0.000150"),
        output_price_per_1k: dec("0.000600"),
        effective_date: Some(ts(0)),
    };
    let pricing = model_pricing::Table::insert(c, &new_pricing).unwrap();
    let up = model_pricing::upsert_by_provider_and_model_and_effective_date(
        c,
        &model_pricing::NewModelPricing {
            output_price_per_1k: dec("0.000800"),
            ..new_pricing.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, pricing.id, "upsert_by_… keeps the row");
    assert_eq!(
        up.output_price_per_1k,
        dec("0.000800"),
        "upsert_by_… writes"
    );
    assert_eq!(
        model_pricing::find_by_provider_and_model_and_effective_date(c, "openai", "gpt", &ts(0))
            .unwrap(),
        Some(up)
    );
    assert_eq!(
        model_pricing::find_by_provider_and_model_and_effective_date(c, "openai", "gpt", &ts(1))
            .unwrap(),
        None
    );
    let up = model_pricing::Table::upsert(
        c,
        &model_pricing::NewModelPricing {
            id: Some(pricing.id),
            input_price_per_1k: dec("0.000001"),
            ..new_pricing.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.input_price_per_1k),
        (pricing.id, dec("0.000001"))
    );

    // prompt_analysis: list_by_event_id, get_event, upsert on the key.
    let new_analysis = prompt_analysis::NewPromptAnalysis::new(event.id);
    let analysis = prompt_analysis::Table::insert(c, &new_analysis).unwrap();
    let other =
        prompt_analysis::Table::insert(c, &prompt_analysis::NewPromptAnalysis::new(rows[1].id))
            .unwrap();
    listed(
        "prompt_analysis::list_by_event_id",
        &analysis,
        |r| r.event_id == event.id,
        |p| prompt_analysis::list_by_event_id(c, &event.id, p),
    );
    assert_eq!(
        prompt_analysis::get_event(c, &analysis).unwrap().as_ref(),
        Some(event),
        "get_event returns the parent"
    );
    assert_eq!(
        prompt_analysis::get_event(c, &other).unwrap().as_ref(),
        Some(&rows[1])
    );
    let up = prompt_analysis::Table::upsert(
        c,
        &prompt_analysis::NewPromptAnalysis {
            id: Some(analysis.id),
            input_token_ratio: Some(dec("0.2500")),
            ..new_analysis.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.input_token_ratio),
        (analysis.id, Some(dec("0.2500")))
    );
    assert_eq!(
        up.created_at, analysis.created_at,
        "DEFAULT leaves it as stored"
    );

    // cost_aggregates: upsert and find by the unique index, list by the other, upsert on the key.
    let new_agg = cost_aggregates::NewCostAggregate {
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
    let agg = cost_aggregates::Table::insert(c, &new_agg).unwrap();
    cost_aggregates::Table::insert(
        c,
        &cost_aggregates::NewCostAggregate {
            period: "hour".into(),
            ..new_agg.clone()
        },
    )
    .unwrap();
    let up = cost_aggregates::upsert_by_idx_cost_agg_uniq(
        c,
        &cost_aggregates::NewCostAggregate {
            call_count: Some(8),
            ..new_agg.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, agg.id, "upsert_by_idx_cost_agg_uniq keeps the row");
    assert_eq!(up.call_count, 8, "upsert_by_idx_cost_agg_uniq writes");
    assert_eq!(
        cost_aggregates::find_by_idx_cost_agg_uniq(c, "default", "chat", "gpt", "day", &ts(0))
            .unwrap(),
        Some(up.clone())
    );
    listed(
        "cost_aggregates::list_by_project_id_and_period_and_period_start",
        &up,
        |r| {
            (&r.project_id, &r.period, r.period_start)
                == (&up.project_id, &up.period, up.period_start)
        },
        |p| {
            cost_aggregates::list_by_project_id_and_period_and_period_start(
                c,
                &up.project_id,
                &up.period,
                &up.period_start,
                p,
            )
        },
    );
    let up = cost_aggregates::Table::upsert(
        c,
        &cost_aggregates::NewCostAggregate {
            id: Some(agg.id),
            total_tokens: Some(77),
            ..new_agg.clone()
        },
    )
    .unwrap();
    assert_eq!((up.id, up.total_tokens), (agg.id, 77), "upsert on the key");

    // The same, async.
    with_async(async |a| {
        let news = [
            events::NewEvent {
                trace_id: "async-1".into(),
                ..new_event.clone()
            },
            events::NewEvent {
                trace_id: "async-2".into(),
                ..new_event.clone()
            },
        ];
        let rows = <events::Table as schemakit_support::AsyncCrud>::insert_many(a, &news)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.trace_id.as_str()).collect::<Vec<_>>(),
            ["async-1", "async-2"],
            "async insert_many"
        );
        let event = &rows[0];
        listed_async(
            "async events::list_by_trace_id",
            event,
            |r| r.trace_id == "async-1",
            async |p| events::nonblocking::list_by_trace_id(a, "async-1", p).await,
        )
        .await;
        listed_async(
            "async events::list_by_project_id_and_user_id_and_created_at",
            event,
            |r| r.user_id.as_deref() == Some("u1"),
            async |p| {
                events::nonblocking::list_by_project_id_and_user_id_and_created_at(
                    a,
                    "p1",
                    "u1",
                    &ts(1),
                    p,
                )
                .await
            },
        )
        .await;
        let up = <events::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &events::NewEvent {
                id: Some(event.id),
                latency_ms: 5,
                ..news[0].clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.latency_ms), (event.id, 5), "async upsert");
        let patched = <events::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &event.id,
            &events::EventPatch {
                user_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(patched.user_id, None, "async patch to NULL");

        let analysis = <prompt_analysis::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &prompt_analysis::NewPromptAnalysis::new(event.id),
        )
        .await
        .unwrap();
        assert_eq!(
            prompt_analysis::nonblocking::get_event(a, &analysis)
                .await
                .unwrap(),
            Some(patched),
            "async get_event"
        );
        listed_async(
            "async prompt_analysis::list_by_event_id",
            &analysis,
            |r| r.event_id == event.id,
            async |p| prompt_analysis::nonblocking::list_by_event_id(a, &event.id, p).await,
        )
        .await;

        let new = model_pricing::NewModelPricing {
            model: "gpt-async".into(),
            ..new_pricing.clone()
        };
        let pricing = <model_pricing::Table as schemakit_support::AsyncCrud>::insert(a, &new)
            .await
            .unwrap();
        let up = model_pricing::nonblocking::upsert_by_provider_and_model_and_effective_date(
            a,
            &model_pricing::NewModelPricing {
                input_price_per_1k: dec("0.000009"),
                ..new.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (up.id, up.input_price_per_1k),
            (pricing.id, dec("0.000009"))
        );
        assert_eq!(
            model_pricing::nonblocking::find_by_provider_and_model_and_effective_date(
                a,
                "openai",
                "gpt-async",
                &ts(0)
            )
            .await
            .unwrap(),
            Some(up)
        );

        let new = cost_aggregates::NewCostAggregate {
            period: "week".into(),
            ..new_agg.clone()
        };
        let agg = <cost_aggregates::Table as schemakit_support::AsyncCrud>::insert(a, &new)
            .await
            .unwrap();
        let up = cost_aggregates::nonblocking::upsert_by_idx_cost_agg_uniq(
            a,
            &cost_aggregates::NewCostAggregate {
                total_cost: Some(dec("2.5")),
                ..new.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.total_cost), (agg.id, dec("2.5")));
        assert_eq!(
            cost_aggregates::nonblocking::find_by_idx_cost_agg_uniq(
                a,
                "default",
                "chat",
                "gpt",
                "week",
                &ts(0)
            )
            .await
            .unwrap(),
            Some(up.clone())
        );
        listed_async(
            "async cost_aggregates::list_by_project_id_and_period_and_period_start",
            &up,
            |r| r.period == "week",
            async |p| {
                cost_aggregates::nonblocking::list_by_project_id_and_period_and_period_start(
                    a,
                    "default",
                    "week",
                    &ts(0),
                    p,
                )
                .await
            },
        )
        .await;
    });
}
