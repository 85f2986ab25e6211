//! Check c on sets schemakit did not write: every migration is checked on its own, column
//! order and timestamps frozen from `'now'` are notes, and a layout without downs by
//! design is not round-tripped at all.

use verify::Server;
use verify::check::{ExpectedFailure, Outcome, Report, Spec};

use super::{migrations, read, repo};

/// An ad-hoc spec of `dir`, as `schemakit verify DIR` makes one.
fn ad_hoc(dir: &std::path::Path) -> Spec {
    Spec {
        name: dir.display().to_string(),
        set: read(dir),
        schema_sql: None,
        snapshot: None,
        allow_irreversible: false,
        expected: Vec::new(),
        update_snapshot: false,
        snapshot_major: None,
        tracking: Default::default(),
    }
}

fn check_c(report: &Report) -> &verify::check::CheckResult {
    report.checks.iter().find(|c| c.id == "c").unwrap()
}

fn c_lines(report: &Report) -> (&'static str, String) {
    match &check_c(report).outcome {
        Outcome::Pass => ("pass", String::new()),
        Outcome::PassWithNotes(lines) => ("notes", lines.join("\n")),
        Outcome::Fail(lines) => ("fail", lines.join("\n")),
        Outcome::NotRun(why) => ("not run", why.clone()),
    }
}

/// Migration 2's down forgets its column, so its up cannot run again; 3's down is right;
/// 4's down fails. Each is checked from what the ups before it give, and reported on
/// its own with its down script's file and line.
pub fn each_migration_is_checked_from_the_database_before_it(server: &Server) {
    let dir = migrations(
        "round-trip-each",
        &[
            (
                "1_a.sql",
                "-- UP\nCREATE TABLE a (id int PRIMARY KEY);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "2_email.sql",
                "-- UP\nALTER TABLE a ADD COLUMN email text;\nCREATE INDEX a_email ON a (email);\n-- DOWN\nDROP INDEX a_email;\n",
            ),
            (
                "3_b.sql",
                "-- UP\nCREATE TABLE b (id int REFERENCES a);\n-- DOWN\nDROP TABLE b;\n",
            ),
            (
                "4_name.sql",
                "-- UP\nALTER TABLE a ADD COLUMN name text NOT NULL DEFAULT '';\n-- DOWN\nALTER TABLE a DROP COLUMN nam;\n",
            ),
            (
                "5_c.sql",
                "-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE c;\n",
            ),
        ],
    );
    let report = verify::check::verify_system(server, &ad_hoc(&dir));
    let (status, text) = c_lines(&report);
    assert_eq!(status, "fail", "{text}");
    assert!(
        text.starts_with("2 of 5 migration(s) with a down script fail the round trip: 2, 4\n"),
        "{text}"
    );
    let file = |name: &str| dir.join(name).display().to_string();
    // Migration 2: the objects that differ, each, and the up that cannot run again.
    assert!(
        text.contains(&format!(
            "migration 2 ({}:5): up then down does not restore the catalog (before up → after up and down):\n  column `public.a.email` added: `text`\n",
            file("2_email.sql")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "migration 2 ({}:2): the up does not apply again after the down: ",
            file("2_email.sql")
        )) && text.contains("column \"email\" of relation \"a\" already exists"),
        "{text}"
    );
    // Migration 4: its down fails, found although 2 broke the main line.
    assert!(
        text.contains(&format!(
            "migration 4 ({}:4): the down script fails: {}:4:1: column \"nam\" of relation \"a\" does not exist",
            file("4_name.sql"),
            file("4_name.sql")
        )),
        "{text}"
    );
    for fine in ["migration 1 ", "migration 3 ", "migration 5 "] {
        assert!(!text.contains(fine), "{fine}: {text}");
    }
    // The others pass.
    for id in ["a", "b"] {
        let c = report.checks.iter().find(|c| c.id == id).unwrap();
        assert!(!c.is_failure(), "{id}: {report:#?}");
    }
}

/// A down that drops a column and adds it back puts it last: that is a note, not a failure.
pub fn a_down_that_only_reorders_columns_passes_with_a_note(server: &Server) {
    let dir = migrations(
        "round-trip-order",
        &[
            (
                "1_t.sql",
                "-- UP\nCREATE TABLE t (id int PRIMARY KEY, a text, b text);\n-- DOWN\nDROP TABLE t;\n",
            ),
            (
                "2_drop_a.sql",
                "-- UP\nALTER TABLE t DROP COLUMN a;\n-- DOWN\nALTER TABLE t ADD COLUMN a text;\n",
            ),
        ],
    );
    let report = verify::check::verify_system(server, &ad_hoc(&dir));
    let (status, text) = c_lines(&report);
    assert_eq!(status, "notes", "{text}");
    assert_eq!(
        text,
        format!(
            "1 migration(s) restore the catalog but for column order or timestamps frozen from 'now', which fails nothing:\nmigration 2 ({}:4): the down restores the catalog but for column order (a column dropped and added back comes last):\n  table `public.t` column order: (id, a, b) → (id, b, a)",
            dir.join("2_drop_a.sql").display()
        )
    );
    assert!(!report.failed(), "{report:#?}");
}

/// A view and a default whose `'now'` Postgres froze when it created them differ in that
/// timestamp only when a down creates them again: a note. A timestamp an author wrote is
/// compared as any other text.
pub fn timestamps_frozen_from_now_are_notes_and_written_ones_are_compared(server: &Server) {
    let view = "CREATE VIEW v AS SELECT 'now'::timestamptz AS t, 'now'::timestamp AS l, 'today'::date AS d, 1 AS x;";
    let dir = migrations(
        "round-trip-now",
        &[
            (
                "1_v.sql",
                &format!(
                    "-- UP\n{view}\nCREATE TABLE e (at timestamptz DEFAULT 'now', since timestamp DEFAULT '2020-01-01 00:00:00');\n-- DOWN\nDROP VIEW v;\nDROP TABLE e;\n"
                ),
            ),
            (
                "2_replace.sql",
                &format!(
                    "-- UP\nSELECT pg_sleep(0.01);\nDROP VIEW v;\nCREATE VIEW v AS SELECT 2 AS x;\nALTER TABLE e ALTER COLUMN at SET DEFAULT now();\n-- DOWN\nDROP VIEW v;\n{view}\nALTER TABLE e ALTER COLUMN at SET DEFAULT 'now';\n"
                ),
            ),
            (
                "3_since.sql",
                "-- UP\nALTER TABLE e ALTER COLUMN since SET DEFAULT '2021-01-01 00:00:00';\n-- DOWN\nALTER TABLE e ALTER COLUMN since SET DEFAULT '2019-01-01 00:00:00';\n",
            ),
        ],
    );
    let report = verify::check::verify_system(server, &ad_hoc(&dir));
    let (status, text) = c_lines(&report);
    assert_eq!(status, "fail", "{text}");
    assert!(
        text.starts_with("1 of 3 migration(s) with a down script fail the round trip: 3\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  column `public.e.since` default: `'2020-01-01 00:00:00'::timestamp without time zone` → `'2019-01-01 00:00:00'::timestamp without time zone`"
        ),
        "{text}"
    );
    let (_, notes) = text
        .split_once("1 migration(s) restore the catalog but for column order or timestamps frozen from 'now', which fails nothing:\n")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        notes.contains(&format!(
            "migration 2 ({}:7): the down restores the catalog but for timestamps Postgres froze when it evaluated 'now' at creation:",
            dir.join("2_replace.sql").display()
        )),
        "{notes}"
    );
    assert!(
        notes.contains(
            "  view `public.v` changed: definition (only in timestamps frozen from 'now')"
        ) && notes.contains("  column `public.e.at` default: `'"),
        "{notes}"
    );
    assert!(!notes.contains("migration 3"), "{notes}");
}

/// Prisma and drizzle write no downs: without `allow_irreversible`, check c does not run
/// and says why; nothing fails.
pub fn a_layout_without_downs_by_design_is_not_round_tripped(server: &Server) {
    for (system, layout) in [("text_assistant", "prisma"), ("cost_tracker", "drizzle")] {
        let spec = ad_hoc(&repo().join("db").join(system).join("migrations"));
        let report = verify::check::verify_system(server, &spec);
        assert_eq!(
            c_lines(&report),
            (
                "not run",
                format!(
                    "the {layout} layout has no down migrations by design, so there is nothing to round-trip"
                )
            ),
            "{system}"
        );
        assert!(!report.failed(), "{system}: {report:#?}");
        // Allowed, they pass with a note that says as much.
        let report = verify::check::verify_system(
            server,
            &Spec {
                allow_irreversible: true,
                ..spec
            },
        );
        let (status, text) = c_lines(&report);
        assert_eq!(status, "notes", "{system}: {text}");
        assert!(
            text.contains(&format!(
                "(the {layout} layout has none by design), allowed"
            )),
            "{text}"
        );
    }
}

/// Several failures may be declared for one check: each must happen.
pub fn every_declared_failure_of_a_check_must_happen(server: &Server) {
    let dir = migrations(
        "round-trip-declared",
        &[(
            "1_a.sql",
            "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE nope;\n",
        )],
    );
    let declare = |contains: &str| ExpectedFailure {
        check: "c".into(),
        contains: contains.into(),
        reason: String::new(),
    };
    let mut spec = ad_hoc(&dir);
    spec.expected = vec![declare("table \"nope\" does not exist"), declare("1 of 1")];
    let report = verify::check::verify_system(server, &spec);
    let c = check_c(&report);
    assert!(
        c.expected.is_some() && c.expectation_unmet.is_none(),
        "{c:#?}"
    );
    assert!(!report.failed());
    spec.expected.push(declare("something else"));
    let report = verify::check::verify_system(server, &spec);
    let c = check_c(&report);
    assert_eq!(c.expectation_unmet, Some(declare("something else")));
    assert!(report.failed());
}
