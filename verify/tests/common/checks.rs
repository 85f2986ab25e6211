//! `verify`'s checks on the example systems: everything passes for cira, a broken down
//! migration and drift between schema.sql and the migrations are found.

use verify::Server;
use verify::check::{Outcome, Spec};

use super::{migrations, read, repo};

fn spec(system: &str) -> Spec {
    let dir = repo().join("db").join(system);
    let set = read(&dir.join("migrations"));
    Spec {
        name: system.to_string(),
        set,
        schema_sql: Some(dir.join("schema.sql")),
        snapshot: Some(dir.join("catalog.snap")),
        allow_irreversible: matches!(system, "cira" | "cost_tracker" | "text_assistant"),
        expected: Vec::new(),
        update_snapshot: false,
        snapshot_major: None,
        tracking: Default::default(),
    }
}

fn outcome<'a>(report: &'a verify::check::Report, id: &str) -> &'a Outcome {
    &report.checks.iter().find(|c| c.id == id).unwrap().outcome
}

pub fn verify_passes_every_check_for_cira(server: &Server) {
    let report = verify::check::verify_system(server, &spec("cira"));
    assert!(!report.failed(), "{report:#?}");
    for id in ["a", "b", "c", "d", "e"] {
        assert!(
            matches!(
                outcome(&report, id),
                Outcome::Pass | Outcome::PassWithNotes(_)
            ),
            "{id}: {report:#?}"
        );
    }
}

pub fn verify_finds_the_user_story_agent_down_dropping_the_tracking_table(server: &Server) {
    let report = verify::check::verify_system(server, &spec("user_story_agent"));
    let Outcome::Fail(lines) = outcome(&report, "c") else {
        panic!("{report:#?}")
    };
    assert!(
        lines
            .join("\n")
            .contains("relation \"schema_migrations\" does not exist"),
        "{lines:?}"
    );
    for id in ["a", "b", "d", "e"] {
        assert!(
            matches!(
                outcome(&report, id),
                Outcome::Pass | Outcome::PassWithNotes(_)
            ),
            "{id}: {report:#?}"
        );
    }
}

pub fn verify_reports_drift_between_schema_sql_and_migrations(server: &Server) {
    let dir = migrations(
        "drift",
        &[
            (
                "migrations/1_a.sql",
                "-- UP\nCREATE TABLE a (id int PRIMARY KEY, name text NOT NULL);\n-- DOWN\nDROP TABLE a;\n",
            ),
            (
                "schema.sql",
                "CREATE TABLE a (id int PRIMARY KEY, name text);\n",
            ),
        ],
    );
    let mut s = spec("cira");
    s.name = "drift".into();
    s.set = read(&dir.join("migrations"));
    s.schema_sql = Some(dir.join("schema.sql"));
    s.snapshot = None;
    let report = verify::check::verify_system(server, &s);
    let Outcome::Fail(lines) = outcome(&report, "d") else {
        panic!("{report:#?}")
    };
    let text = lines.join("\n");
    assert!(
        text.contains("-    name text,") && text.contains("+    name text NOT NULL,"),
        "{text}"
    );
    assert!(report.failed());
}
