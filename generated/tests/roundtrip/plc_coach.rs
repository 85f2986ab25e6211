//! The plc_coach system (db/plc_coach) on PostgreSQL 18 with pgvector: every table, and
//! every table's own functions (unique-key upserts and finds, lists by index, navigation
//! to the parent).

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
        users::UserPatch {
            name: Some(None),
            last_login: Some(Some(ts(10))),
            ..Default::default()
        },
        |r| {
            r.name = None;
            r.last_login = Some(ts(10));
        },
        &[&|c, r| users::find_by_email(c, &r.email)],
    );

    let user = users::Table::insert(c, &new_user).unwrap();
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
        sessions::SessionPatch {
            last_accessed_at: Some(ts(20)),
            ..Default::default()
        },
        |r| r.last_accessed_at = ts(20),
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
        conversations::ConversationPatch {
            status: Some("archived".into()),
            title: Some(None),
            ..Default::default()
        },
        |r| {
            r.status = "archived".into();
            r.title = None;
        },
        &[&|c, r| {
            conversations::find_by_share_token(c, r.share_token.as_deref().unwrap_or_default())
        }],
    );

    let conv = conversations::Table::insert(c, &new_conv).unwrap();
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
        messages::MessagePatch {
            content: Some("edited".into()),
            cost_usd: Some(None),
            ..Default::default()
        },
        |r| {
            r.content = "edited".into();
            r.cost_usd = None;
        },
        &[],
    );
    assert_eq!(
        message.domains.as_deref(),
        Some(&[Some("ladder".to_string()), None, Some("safety".to_string())][..])
    );
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(
        pg18_vector(),
        "db/plc_coach/migrations",
        Some("functions in index predicate must be marked IMMUTABLE"),
    );

    // users: insert_many, upsert and find by email, upsert on the key.
    let new_user = users::NewUser::new("a@example.invalid".into(), "educator".into());
    let news = [
        new_user.clone(),
        users::NewUser {
            email: "b@example.invalid".into(),
            role: "coach".into(),
            name: Some("Bo".into()),
            ..new_user.clone()
        },
    ];
    let rows = users::Table::insert_many(c, &news).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
        ["a@example.invalid", "b@example.invalid"],
        "insert_many returns every row, in the order given"
    );
    assert_eq!(rows[1].name.as_deref(), Some("Bo"));
    assert_eq!(users::Table::count(c).unwrap(), 2);
    let up = users::upsert_by_email(
        c,
        &users::NewUser {
            name: Some("Ada".into()),
            ..new_user.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, rows[0].id, "upsert_by_email keeps the row");
    assert_eq!(up.name.as_deref(), Some("Ada"), "upsert_by_email writes");
    assert_eq!(
        up.created_at, rows[0].created_at,
        "DEFAULT leaves it as stored"
    );
    assert_eq!(
        users::find_by_email(c, "a@example.invalid").unwrap(),
        Some(up.clone())
    );
    assert_eq!(users::find_by_email(c, "z@example.invalid").unwrap(), None);
    let user = users::Table::upsert(
        c,
        &users::NewUser {
            id: Some(up.id),
            role: "admin".into(),
            ..new_user.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (user.id, user.role.as_str()),
        (up.id, "admin"),
        "upsert on the key"
    );
    assert_eq!(user.name, None, "upsert writes the NULL it is given");

    // sessions: list_by_user_id, get_user, upsert on the key.
    let new_session = sessions::NewSession::new(user.id, ts(3600));
    let session = sessions::Table::insert(c, &new_session).unwrap();
    sessions::Table::insert(c, &sessions::NewSession::new(rows[1].id, ts(3600))).unwrap();
    listed(
        "sessions::list_by_user_id",
        &session,
        |r| r.user_id == user.id,
        |p| sessions::list_by_user_id(c, &user.id, p),
    );
    assert_eq!(
        sessions::get_user(c, &session).unwrap().as_ref(),
        Some(&user),
        "get_user returns the parent"
    );
    let up = sessions::Table::upsert(
        c,
        &sessions::NewSession {
            id: Some(session.id),
            ..sessions::NewSession::new(user.id, ts(9000))
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.expires_at),
        (session.id, ts(9000)),
        "upsert on the key"
    );

    // conversations: upsert and find by share_token, list_by_user_id, get_user, upsert on the key.
    let new_conv = conversations::NewConversation {
        share_token: Some("tok-1".into()),
        ..conversations::NewConversation::new(user.id)
    };
    let conv = conversations::Table::insert(c, &new_conv).unwrap();
    conversations::Table::insert(c, &conversations::NewConversation::new(rows[1].id)).unwrap();
    let up = conversations::upsert_by_share_token(
        c,
        &conversations::NewConversation {
            title: Some("shared".into()),
            ..new_conv.clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, conv.id, "upsert_by_share_token keeps the row");
    assert_eq!(
        up.title.as_deref(),
        Some("shared"),
        "upsert_by_share_token writes"
    );
    assert_eq!(
        conversations::find_by_share_token(c, "tok-1").unwrap(),
        Some(up.clone())
    );
    listed(
        "conversations::list_by_user_id",
        &up,
        |r| r.user_id == user.id,
        |p| conversations::list_by_user_id(c, &user.id, p),
    );
    assert_eq!(
        conversations::get_user(c, &up).unwrap().as_ref(),
        Some(&user),
        "get_user returns the parent"
    );
    let conv = conversations::Table::upsert(
        c,
        &conversations::NewConversation {
            id: Some(conv.id),
            status: Some("closed".into()),
            ..new_conv.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (conv.id, conv.status.as_str()),
        (up.id, "closed"),
        "upsert on the key"
    );

    // messages: both lists, get_conversation, upsert on the key.
    let new_message = messages::NewMessage {
        created_at: Some(ts(30)),
        ..messages::NewMessage::new(conv.id, "user".into(), "hi".into())
    };
    let message = messages::Table::insert(c, &new_message).unwrap();
    messages::Table::insert(
        c,
        &messages::NewMessage {
            created_at: Some(ts(31)),
            ..new_message.clone()
        },
    )
    .unwrap();
    listed(
        "messages::list_by_conversation_id",
        &message,
        |r| r.conversation_id == conv.id,
        |p| messages::list_by_conversation_id(c, &conv.id, p),
    );
    listed(
        "messages::list_by_conversation_id_and_created_at",
        &message,
        |r| (r.conversation_id, r.created_at) == (conv.id, ts(30)),
        |p| messages::list_by_conversation_id_and_created_at(c, &conv.id, &ts(30), p),
    );
    assert_eq!(
        messages::get_conversation(c, &message).unwrap().as_ref(),
        Some(&conv),
        "get_conversation returns the parent"
    );
    let up = messages::Table::upsert(
        c,
        &messages::NewMessage {
            id: Some(message.id),
            role: "assistant".into(),
            ..new_message.clone()
        },
    )
    .unwrap();
    assert_eq!(
        (up.id, up.role.as_str()),
        (message.id, "assistant"),
        "upsert on the key"
    );

    // The same, async.
    with_async(async |a| {
        let news = [
            users::NewUser::new("c@example.invalid".into(), "coach".into()),
            users::NewUser::new("d@example.invalid".into(), "admin".into()),
        ];
        let rows = <users::Table as schemakit_support::AsyncCrud>::insert_many(a, &news)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
            ["c@example.invalid", "d@example.invalid"],
            "async insert_many"
        );
        let up = users::nonblocking::upsert_by_email(
            a,
            &users::NewUser {
                name: Some("Cy".into()),
                ..news[0].clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.name.as_deref()), (rows[0].id, Some("Cy")));
        assert_eq!(
            users::nonblocking::find_by_email(a, "c@example.invalid")
                .await
                .unwrap(),
            Some(up.clone())
        );
        let user = <users::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &users::NewUser {
                id: Some(up.id),
                sso_id: Some("sso".into()),
                ..news[0].clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (user.id, user.sso_id.as_deref()),
            (up.id, Some("sso")),
            "async upsert"
        );
        let user = <users::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &user.id,
            &users::UserPatch {
                sso_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(user.sso_id, None, "async patch to NULL");

        let session = <sessions::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &sessions::NewSession::new(user.id, ts(1)),
        )
        .await
        .unwrap();
        assert_eq!(
            sessions::nonblocking::get_user(a, &session)
                .await
                .unwrap()
                .as_ref(),
            Some(&user),
            "async get_user"
        );
        listed_async(
            "async sessions::list_by_user_id",
            &session,
            |r| r.user_id == user.id,
            async |p| sessions::nonblocking::list_by_user_id(a, &user.id, p).await,
        )
        .await;

        let new_conv = conversations::NewConversation {
            share_token: Some("tok-async".into()),
            ..conversations::NewConversation::new(user.id)
        };
        let conv = <conversations::Table as schemakit_support::AsyncCrud>::insert(a, &new_conv)
            .await
            .unwrap();
        let up = conversations::nonblocking::upsert_by_share_token(
            a,
            &conversations::NewConversation {
                share_enabled: Some(true),
                ..new_conv.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.share_enabled), (conv.id, true));
        assert_eq!(
            conversations::nonblocking::find_by_share_token(a, "tok-async")
                .await
                .unwrap(),
            Some(up.clone())
        );
        listed_async(
            "async conversations::list_by_user_id",
            &up,
            |r| r.user_id == user.id,
            async |p| conversations::nonblocking::list_by_user_id(a, &user.id, p).await,
        )
        .await;
        assert_eq!(
            conversations::nonblocking::get_user(a, &up)
                .await
                .unwrap()
                .as_ref(),
            Some(&user)
        );

        let message = <messages::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &messages::NewMessage {
                created_at: Some(ts(40)),
                ..messages::NewMessage::new(up.id, "system".into(), "x".into())
            },
        )
        .await
        .unwrap();
        listed_async(
            "async messages::list_by_conversation_id_and_created_at",
            &message,
            |r| (r.conversation_id, r.created_at) == (up.id, ts(40)),
            async |p| {
                messages::nonblocking::list_by_conversation_id_and_created_at(a, &up.id, &ts(40), p)
                    .await
            },
        )
        .await;
        assert_eq!(
            messages::nonblocking::get_conversation(a, &message)
                .await
                .unwrap(),
            Some(up),
            "async get_conversation"
        );
    });
}
