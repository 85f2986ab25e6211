//! The plc_coach system (db/plc_coach) on PostgreSQL 18 with pgvector: every table.

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
    round_trip::<users::Table>(
        c,
        &new_user,
        |r| r.name = Some("Ada L.".into()),
        |_, _| {},
        Default::default(),
        |_| {},
        &[&|c, r| users::find_by_email(c, &r.email)],
    );

    let user = users::insert(c, &new_user).unwrap();
    let new_session = sessions::NewSession {
        id: None,
        user_id: user.id,
        expires_at: ts(3600),
        created_at: None,
        last_accessed_at: None,
    };
    round_trip::<sessions::Table>(
        c,
        &new_session,
        |r| r.expires_at = ts(7200),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
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
    round_trip::<conversations::Table>(
        c,
        &new_conv,
        |r| r.title = Some("PLC".into()),
        |_, _| {},
        Default::default(),
        |_| {},
        &[&|c, r| {
            conversations::find_by_share_token(c, r.share_token.as_deref().unwrap_or_default())
        }],
    );

    let conv = conversations::insert(c, &new_conv).unwrap();
    let new_message = messages::NewMessage {
        id: None,
        conversation_id: conv.id,
        role: "user".into(),
        content: "hello".into(),
        citations: Some(serde_json::json!([{"doc": 1}])),
        domains: Some(vec![Some("ladder".into()), None, Some("safety".into())]),
        feedback_score: None,
        input_tokens: Some(3),
        output_tokens: None,
        cost_usd: Some(dec("0.000123")),
        created_at: None,
    };
    let message = round_trip::<messages::Table>(
        c,
        &new_message,
        |r| r.feedback_score = Some(1),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    assert_eq!(
        message.domains.as_deref(),
        Some(&[Some("ladder".to_string()), None, Some("safety".to_string())][..])
    );
}
