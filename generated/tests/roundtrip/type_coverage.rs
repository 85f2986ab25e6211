//! The type_coverage fixture (generated/fixtures/type_coverage) on PostgreSQL 18 with
//! pgvector: a value of every mapped type comes back exactly.

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
        moods: vec![
            Some(Mood::Happy),
            Some(Mood::ItSComplicated),
            None,
            Some(Mood::Happy),
        ],
        current_mood: Some(Mood::Sad),
        contact: Some("ada@example.invalid".into()),
        embedding: pgvector::Vector::from(embedding.clone()),
        external_id: uuid::Uuid::from_u128(0xfeed),
        qty: 3,
    };
    let row = round_trip::<everything::Table>(
        c,
        &new,
        |r| r.qty = 4,
        |db, r| r.total = db.total,
        Default::default(),
        |_| {},
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
    round_trip::<notes::Table>(
        c,
        &note,
        |r| r.note = "m".into(),
        |_, _| {},
        Default::default(),
        |_| {},
        &[],
    );
    let child = notes::insert(c, &note).unwrap();
    assert!(everything::delete(c, &parent.id).unwrap());
    assert_eq!(notes::get(c, &child.id).unwrap(), None, "ON DELETE CASCADE");

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
        Default::default(),
        |_| {},
        &[],
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
    assert_eq!(audit::list(c, Page::first(10)).unwrap(), vec![audit_row]);
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
        Default::default(),
        |_| {},
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
    assert!(text_fallback::insert(c, &bad).is_err());
    // A written value is Postgres's to normalise: it comes back as Postgres prints it.
    let odd = text_fallback::NewTextFallback {
        id: 3,
        span: "26 hours".into(),
        ..new
    };
    let stored = text_fallback::insert(c, &odd).unwrap();
    assert_eq!(stored.span, "26:00:00");
}
