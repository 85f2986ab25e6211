//! The next migration from one model to another: for each fixture pair
//! (`tests/fixtures/plan/<case>/{before,after}.sql`), the up and down scripts, or the
//! refusals, as a reviewer reads them.

use std::path::Path;

use schema::plan::{ColumnRename, PlanOptions, plan};

fn model(path: &Path) -> schema::Schema {
    let parsed = schema::parse_path(path);
    assert!(
        !parsed.has_errors(),
        "{}: {}",
        path.display(),
        schema::diagnostic::render_plain(&parsed.diagnostics)
    );
    parsed.schema
}

fn render(before: &schema::Schema, after: &schema::Schema, opts: &PlanOptions) -> String {
    match plan(before, after, opts) {
        Ok(p) => format!(
            "no transaction: {}\n\n-- up\n{}\n-- down\n{}",
            p.no_transaction(),
            p.up_sql(),
            p.down_sql()
        ),
        Err(refusals) => {
            let lines: Vec<String> = refusals.iter().map(ToString::to_string).collect();
            format!("refused:\n{}\n", lines.join("\n"))
        }
    }
}

#[test]
fn every_fixture_pair() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "plan fixtures are missing");
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let before = model(&case.join("before.sql"));
        let after = model(&case.join("after.sql"));
        let out = render(&before, &after, &PlanOptions::default());
        insta::assert_snapshot!(format!("plan_{name}"), out);
        // The plan is complete: nothing is left between the target and itself.
        assert!(plan(&after, &after, &PlanOptions::default()).is_ok_and(|p| p.is_empty()));
    }
}

#[test]
fn destructive_changes_and_renames_when_asked() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan/drop_column_refused");
    let before = model(&dir.join("before.sql"));
    let after = model(&dir.join("after.sql"));
    let allowed = PlanOptions {
        allow_destructive: true,
        ..PlanOptions::default()
    };
    insta::assert_snapshot!(
        "plan_drop_column_allowed",
        render(&before, &after, &allowed)
    );
    let renamed = schema::parse_sql(
        "after.sql",
        "CREATE TABLE t (id integer PRIMARY KEY, new_name text, n integer);",
    )
    .schema;
    let rename = PlanOptions {
        renames: vec![ColumnRename {
            table: schema::model::QualifiedName::public("t".to_string()),
            from: "old".into(),
            to: "new_name".into(),
        }],
        ..PlanOptions::default()
    };
    let out = render(&before, &renamed, &rename);
    assert!(out.contains("RENAME COLUMN old TO new_name"), "{out}");
    assert!(!out.contains("DROP COLUMN"), "{out}");
}

/// A layout whose migrations always run in a transaction gets the plain forms.
#[test]
fn without_concurrently_the_plan_runs_in_a_transaction() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan/index_and_fk_on_existing");
    let before = model(&dir.join("before.sql"));
    let after = model(&dir.join("after.sql"));
    let opts = PlanOptions {
        concurrently: false,
        ..PlanOptions::default()
    };
    let p = plan(&before, &after, &opts).unwrap_or_default();
    assert!(!p.no_transaction(), "{}", p.up_sql());
    assert!(
        p.up_sql().contains("CREATE INDEX b_a_id_idx"),
        "{}",
        p.up_sql()
    );
    assert!(
        p.down_sql().contains("DROP INDEX b_a_id_idx"),
        "{}",
        p.down_sql()
    );
}
