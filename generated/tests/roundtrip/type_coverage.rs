//! The type_coverage fixture (generated/fixtures/type_coverage) on PostgreSQL 18 with
//! pgvector: a value of every mapped type comes back exactly.

use super::*;
use generated::type_coverage::enums::Mood;
use generated::type_coverage::*;

/// A row of `everything` with a value in every column that has one.
fn new_everything() -> everything::NewEverything {
    everything::NewEverything {
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
        moods: vec![
            Some(Mood::Happy),
            Some(Mood::ItSComplicated),
            None,
            Some(Mood::Happy),
        ],
        current_mood: Some(Mood::Sad),
        contact: Some("ada@example.invalid".into()),
        embedding: pgvector::Vector::from(
            (0..1536)
                .map(|i| i as f32 / 7.0 - 100.0)
                .collect::<Vec<f32>>(),
        ),
        external_id: uuid::Uuid::from_u128(0xfeed),
        qty: 3,
    }
}

#[test]
fn every_mapped_type_comes_back_exactly() {
    let c = &mut database(
        pg18_vector(),
        "generated/fixtures/type_coverage/migrations",
        None,
    );
    let new = new_everything();
    let embedding = new.embedding.to_vec();
    let row = round_trip::<everything::Table>(
        c,
        &new,
        |r| r.qty = 4,
        |db, r| r.total = db.total,
        everything::EverythingPatch {
            body: Some(None),
            qty: Some(5),
            ..Default::default()
        },
        |r| {
            r.body = None;
            r.qty = 5;
        },
        &[&|c, r| everything::find_by_external_id(c, &r.external_id)],
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
    assert!(everything::Table::insert(c, &bad).is_err());

    // Child rows, and ON DELETE CASCADE.
    let parent = everything::Table::insert(
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
    round_trip::<notes::Table>(
        c,
        &note,
        |r| r.note = "m".into(),
        |_, _| {},
        notes::NotePatch {
            note: Some("p".into()),
            ..Default::default()
        },
        |r| r.note = "p".into(),
        &[],
    );
    let child = notes::Table::insert(c, &note).unwrap();
    assert!(everything::Table::delete(c, &parent.id).unwrap());
    assert_eq!(
        notes::Table::get(c, &child.id).unwrap(),
        None,
        "ON DELETE CASCADE"
    );

    // Reserved words as names.
    let order = order::NewOrder {
        user: 7,
        select: Some("*".into()),
    };
    round_trip::<order::Table>(
        c,
        &order,
        |r| r.select = None,
        |_, _| {},
        order::OrderPatch {
            select: Some(Some("a".into())),
        },
        |r| r.select = Some("a".into()),
        &[],
    );

    // A table without a primary key: insert and list only.
    let audit_row = audit::Table::insert(
        c,
        &audit::NewAudit {
            at: None,
            what: "created".into(),
        },
    )
    .unwrap();
    assert_eq!(
        audit::Table::list(c, Page::first(10)).unwrap(),
        vec![audit_row]
    );
}

#[test]
fn types_without_a_rust_mapping_travel_as_text() {
    let c = &mut database(
        pg18_vector(),
        "generated/fixtures/type_coverage/migrations",
        None,
    );
    // Values as Postgres prints them, so they come back as written.
    let new = text_fallback::NewTextFallback {
        id: 1,
        span: "1 day 02:03:04".into(),
        spans: Some(vec![Some("00:00:01".into()), Some("3 mons".into())]),
        price: Some("$12.34".into()),
        words: Some("'fat' 'rat'".into()),
        seats: Some("[1,5)".into()),
        spot: Some("(1.5,-2)".into()),
        mac: Some("08:00:2b:01:02:03".into()),
        bits: Some("10110".into()),
        // The pgvector server here is built without libxml: an xml value is refused.
        doc: None,
    };
    let row = round_trip::<text_fallback::Table>(
        c,
        &new,
        |r| {
            r.span = "00:00:00.5".into();
            r.seats = None;
        },
        |_, _| {},
        text_fallback::TextFallbackPatch {
            span: Some("01:00:00".into()),
            price: Some(None),
            ..Default::default()
        },
        |r| {
            r.span = "01:00:00".into();
            r.price = None;
        },
        &[],
    );
    assert_eq!(row.span, new.span);
    assert_eq!(row.spans, new.spans, "an array of a type read as text");
    assert_eq!(row.price, new.price);
    assert_eq!(row.words, new.words);
    assert_eq!(row.seats, new.seats);
    assert_eq!(row.spot, new.spot);
    assert_eq!(row.mac, new.mac);
    assert_eq!(row.bits, new.bits);
    assert_eq!(row.doc, new.doc);
    // Postgres's own parsing applies: text that is not a value of the type is refused.
    let bad = text_fallback::NewTextFallback {
        id: 2,
        span: "not an interval".into(),
        ..new.clone()
    };
    assert!(text_fallback::Table::insert(c, &bad).is_err());
    // A written value is Postgres's to normalise: it comes back as Postgres prints it.
    let odd = text_fallback::NewTextFallback {
        id: 3,
        span: "26 hours".into(),
        ..new
    };
    let stored = text_fallback::Table::insert(c, &odd).unwrap();
    assert_eq!(stored.span, "26:00:00");
}

#[test]
fn table_functions_blocking_and_async() {
    let c = &mut database(
        pg18_vector(),
        "generated/fixtures/type_coverage/migrations",
        None,
    );

    // everything: insert_many, upsert and find by external_id (the key is identity
    // ALWAYS: a New cannot give it, so there is no upsert on the key to test).
    let news = [
        everything::NewEverything {
            external_id: uuid::Uuid::from_u128(1),
            label: "one".into(),
            ..new_everything()
        },
        everything::NewEverything {
            external_id: uuid::Uuid::from_u128(2),
            label: "two".into(),
            tags: Some(vec![Some("t".into())]),
            ..new_everything()
        },
    ];
    let rows = everything::Table::insert_many(c, &news).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
        ["one", "two"],
        "insert_many returns every row, in the order given"
    );
    assert!(rows[0].tags.is_empty(), "DEFAULT in a multi-row insert");
    assert_eq!(rows[1].tags, [Some("t".to_string())]);
    assert!(rows[0].id < rows[1].id);
    assert_eq!(everything::Table::count(c).unwrap(), 2);
    let up = everything::upsert_by_external_id(
        c,
        &everything::NewEverything {
            qty: 10,
            ..news[0].clone()
        },
    )
    .unwrap();
    assert_eq!(up.id, rows[0].id, "upsert_by_external_id keeps the row");
    assert_eq!(up.qty, 10, "upsert_by_external_id writes");
    assert_eq!(
        up.total,
        Some(dec("1234567890121.2345678")),
        "the generated column follows"
    );
    assert_eq!(
        everything::find_by_external_id(c, &uuid::Uuid::from_u128(1)).unwrap(),
        Some(up.clone())
    );
    assert_eq!(
        everything::find_by_external_id(c, &uuid::Uuid::from_u128(9)).unwrap(),
        None
    );
    // upsert on the key: a New cannot give an identity ALWAYS key, so it inserts, or
    // fails on the other unique key.
    let fresh = everything::Table::upsert(
        c,
        &everything::NewEverything {
            external_id: uuid::Uuid::from_u128(5),
            ..new_everything()
        },
    )
    .unwrap();
    assert!(fresh.id > rows[1].id, "upsert inserts");
    assert!(is_unique_violation(
        &everything::Table::upsert(c, &news[0]).unwrap_err()
    ));
    assert!(everything::Table::delete(c, &fresh.id).unwrap());
    // A patch through a domain's cast and of an array of enums.
    let up = everything::Table::patch(
        c,
        &up.id,
        &everything::EverythingPatch {
            contact: Some(Some("grace@example.invalid".into())),
            moods: Some(vec![None, Some(Mood::Sad)]),
            ..Default::default()
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(up.contact.as_deref(), Some("grace@example.invalid"));
    assert_eq!(up.moods, [None, Some(Mood::Sad)]);
    assert!(
        everything::Table::patch(
            c,
            &up.id,
            &everything::EverythingPatch {
                contact: Some(Some("no at sign".into())),
                ..Default::default()
            },
        )
        .is_err(),
        "the domain's CHECK applies to a patch"
    );

    // notes: list_by_everything_id, get_everything, upsert on the key.
    let new_note = notes::NewNote::new(up.id, "n".into());
    let note = notes::Table::insert(c, &new_note).unwrap();
    let other = notes::Table::insert(c, &notes::NewNote::new(rows[1].id, "o".into())).unwrap();
    listed(
        "notes::list_by_everything_id",
        &note,
        |r| r.everything_id == up.id,
        |p| notes::list_by_everything_id(c, &up.id, p),
    );
    assert_eq!(
        notes::get_everything(c, &note).unwrap().as_ref(),
        Some(&up),
        "get_everything returns the parent"
    );
    assert_eq!(
        notes::get_everything(c, &other).unwrap().as_ref(),
        Some(&rows[1])
    );
    let up_note = notes::Table::upsert(
        c,
        &notes::NewNote {
            id: Some(note.id),
            ..notes::NewNote::new(up.id, "changed".into())
        },
    )
    .unwrap();
    assert_eq!((up_note.id, up_note.note.as_str()), (note.id, "changed"));

    // order: upsert on a key named by a reserved word.
    let first = order::Table::insert(c, &order::NewOrder::new(7)).unwrap();
    let up_order = order::Table::upsert(
        c,
        &order::NewOrder {
            user: 7,
            select: Some("x".into()),
        },
    )
    .unwrap();
    assert_eq!(
        (up_order.user, up_order.select.as_deref()),
        (first.user, Some("x"))
    );
    assert_eq!(order::Table::count(c).unwrap(), 1);
    // insert_many over more rows than one statement's parameters allow.
    let n = schemakit_support::Values::rows_per_statement(order::INSERT_COLUMNS) + 2;
    let news: Vec<order::NewOrder> = (0..n as i32)
        .map(|i| order::NewOrder {
            user: 1000 + i,
            select: Some(i.to_string()),
        })
        .collect();
    let rows = order::Table::insert_many(c, &news).unwrap();
    assert_eq!(rows.len(), n, "insert_many in several statements");
    assert!(
        rows.iter()
            .zip(&news)
            .all(|(r, new)| r.user == new.user && r.select == new.select),
        "in the order given"
    );
    assert_eq!(order::Table::count(c).unwrap(), n as i64 + 1);

    // text_fallback: upsert on the key, through the text casts.
    let new_text = text_fallback::NewTextFallback::new(1, "1 day".into());
    text_fallback::Table::insert(c, &new_text).unwrap();
    let up_text = text_fallback::Table::upsert(
        c,
        &text_fallback::NewTextFallback {
            seats: Some("[2,4)".into()),
            ..text_fallback::NewTextFallback::new(1, "2 days".into())
        },
    )
    .unwrap();
    assert_eq!(
        (up_text.id, up_text.span.as_str(), up_text.seats.as_deref()),
        (1, "2 days", Some("[2,4)"))
    );

    // audit, without a primary key: insert, insert_many, list, count, stream.
    let one = audit::Table::insert(
        c,
        &audit::NewAudit {
            at: Some(ts(1)),
            what: "one".into(),
        },
    )
    .unwrap();
    assert_eq!(one.at, ts(1));
    let more = audit::Table::insert_many(
        c,
        &[
            audit::NewAudit::new("two".into()),
            audit::NewAudit {
                at: Some(ts(3)),
                what: "three".into(),
            },
        ],
    )
    .unwrap();
    assert_eq!(
        more.iter().map(|r| r.what.as_str()).collect::<Vec<_>>(),
        ["two", "three"],
        "insert_many returns every row, in the order given"
    );
    assert_eq!(more[1].at, ts(3));
    assert!(audit::Table::insert_many(c, &[]).unwrap().is_empty());
    assert_eq!(audit::Table::count(c).unwrap(), 3);
    let mut listed_rows = audit::Table::list(c, Page::first(10)).unwrap();
    let mut streamed: Vec<audit::Audit> = audit::Table::stream(c)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut all = vec![one.clone(), more[0].clone(), more[1].clone()];
    for rows in [&mut listed_rows, &mut streamed, &mut all] {
        rows.sort_by(|a, b| a.what.cmp(&b.what));
    }
    assert_eq!(listed_rows, all, "list");
    assert_eq!(streamed, all, "stream");
    assert_eq!(
        audit::Table::list(
            c,
            Page {
                limit: 10,
                offset: 3
            }
        )
        .unwrap(),
        []
    );

    // The same, async.
    with_async(async |a| {
        let news = [
            everything::NewEverything {
                external_id: uuid::Uuid::from_u128(3),
                label: "three".into(),
                ..new_everything()
            },
            everything::NewEverything {
                external_id: uuid::Uuid::from_u128(4),
                label: "four".into(),
                ..new_everything()
            },
        ];
        let rows = <everything::Table as schemakit_support::AsyncCrud>::insert_many(a, &news)
            .await
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
            ["three", "four"],
            "async insert_many"
        );
        let up = everything::nonblocking::upsert_by_external_id(
            a,
            &everything::NewEverything {
                label: "tres".into(),
                ..news[0].clone()
            },
        )
        .await
        .unwrap();
        assert_eq!((up.id, up.label.as_str()), (rows[0].id, "tres"));
        assert_eq!(
            everything::nonblocking::find_by_external_id(a, &uuid::Uuid::from_u128(3))
                .await
                .unwrap(),
            Some(up.clone())
        );
        let up = <everything::Table as schemakit_support::AsyncKeyedCrud>::patch(
            a,
            &up.id,
            &everything::EverythingPatch {
                addr: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(up.addr, None, "async patch to NULL");

        let note = <notes::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &notes::NewNote::new(up.id, "a".into()),
        )
        .await
        .unwrap();
        listed_async(
            "async notes::list_by_everything_id",
            &note,
            |r| r.everything_id == up.id,
            async |p| notes::nonblocking::list_by_everything_id(a, &up.id, p).await,
        )
        .await;
        assert_eq!(
            notes::nonblocking::get_everything(a, &note).await.unwrap(),
            Some(up.clone()),
            "async get_everything"
        );
        let note = <notes::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &notes::NewNote {
                id: Some(note.id),
                ..notes::NewNote::new(up.id, "b".into())
            },
        )
        .await
        .unwrap();
        assert_eq!(note.note, "b", "async upsert on the key");
        let up_order = <order::Table as schemakit_support::AsyncKeyedCrud>::upsert(
            a,
            &order::NewOrder::new(7),
        )
        .await
        .unwrap();
        assert_eq!((up_order.user, up_order.select), (7, None));

        let more = <audit::Table as schemakit_support::AsyncCrud>::insert_many(
            a,
            &[
                audit::NewAudit::new("four".into()),
                audit::NewAudit::new("five".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            more.iter().map(|r| r.what.as_str()).collect::<Vec<_>>(),
            ["four", "five"],
            "async insert_many"
        );
        let six = <audit::Table as schemakit_support::AsyncCrud>::insert(
            a,
            &audit::NewAudit::new("six".into()),
        )
        .await
        .unwrap();
        assert_eq!(
            <audit::Table as schemakit_support::AsyncCrud>::count(a)
                .await
                .unwrap(),
            6
        );
        let listed_rows = <audit::Table as schemakit_support::AsyncCrud>::list(a, Page::first(10))
            .await
            .unwrap();
        let streamed: Vec<audit::Audit> = <audit::Table as schemakit_support::AsyncCrud>::stream(a)
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        for row in [&more[0], &more[1], &six] {
            assert!(listed_rows.contains(row), "async list");
            assert!(streamed.contains(row), "async stream");
        }
        assert_eq!((listed_rows.len(), streamed.len()), (6, 6));
    });
}
