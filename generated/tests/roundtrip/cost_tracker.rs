//! The cost_tracker system (db/cost_tracker) on PostgreSQL 18 with pgvector: every table.

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
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
        &[&|c, r| {
            model_pricing::find_by_provider_and_model_and_effective_date(
                c,
                &r.provider,
                &r.model,
                &r.effective_date,
            )
        }],
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
    let stored = round_trip::<prompt_analysis::Table>(
        c,
        &analysis,
        |r| r.redundancy_score = Some(dec("0.1000")),
        |_, _| {},
        Default::default(),
        |_| {},
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
        Default::default(),
        |_| {},
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
    let a = prompt_analysis::insert(c, &analysis).unwrap();
    assert!(events::delete(c, &parent.id).unwrap());
    assert_eq!(
        prompt_analysis::get(c, &a.id).unwrap(),
        None,
        "ON DELETE CASCADE removed the analysis"
    );
}
