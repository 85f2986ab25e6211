//! The offline down check compares and restores only the entries a migration touched. It
//! must agree with the plain way of doing it, copying the whole model before each up and
//! comparing the whole models after the down, on every statement the fixtures hold
//! applied as part of a down script to a realistic model.

use std::path::Path;
use std::sync::Arc;

use schema::migrations::{Layout, Migration, MigrationSet, Script, Version};
use schema::{Diagnostic, Folder, SourceFile, diagnostic};

/// The down check as a whole-model comparison: the reference.
fn fold_by_copying(set: &MigrationSet) -> (String, String) {
    let mut folder = Folder::new();
    for m in &set.migrations {
        let before = folder.schema().clone();
        folder.apply_range(&m.up.source, m.up.start, m.up.end);
        let Some(down) = &m.down else { continue };
        let mut reverse = folder.fork();
        reverse.apply_range(&down.source, down.start, down.end);
        let failed = reverse.diagnostics.iter().any(Diagnostic::is_error);
        folder.diagnostics.append(&mut reverse.diagnostics);
        let changes = schema::diff(&before, reverse.schema());
        if !failed && !changes.is_empty() {
            folder.diagnostics.push(Diagnostic::new(
                schema::Severity::Warning,
                schema::Code::Irreversible,
                format!(
                    "migration {}: the down script does not restore the schema as it was before the up (before the up → after the down): {}",
                    m.version,
                    schema::diff::listing(&changes)
                ),
                &down.source,
                down.source.loc_at(down.start).with_len(1),
            ).with_help("make the down script undo exactly what the up script does"));
        }
    }
    (
        format!("{:#?}", folder.schema()),
        diagnostic::render_plain(&folder.diagnostics),
    )
}

fn script(name: &str, text: String) -> Script {
    let source = Arc::new(SourceFile::new(name, text));
    let end = source.text.len();
    Script {
        source,
        start: 0,
        end,
    }
}

fn migration(version: &str, up: String, down: Option<String>) -> Migration {
    Migration {
        version: Version::parse(version).unwrap_or_else(|| unreachable!()),
        name: String::new(),
        up: script(&format!("{version}.up.sql"), up),
        down: down.map(|d| script(&format!("{version}.down.sql"), d)),
        no_transaction: false,
    }
}

fn statements(text: &str) -> Vec<String> {
    schema::split::split(text)
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{};\n", &text[c.start..c.end]))
        .collect()
}

fn inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/fixtures/constructs", "tests/fixtures/down_check"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            files.push(entry.path());
        }
    }
    for system in std::fs::read_dir(root.join("../db"))
        .into_iter()
        .flatten()
        .flatten()
    {
        files.push(system.path().join("schema.sql"));
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

/// The first line where two texts differ, with a little context.
fn first_difference(got: &str, want: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let from = at.saturating_sub(6);
    format!(
        "fold:\n{}\nwhole-model comparison:\n{}",
        a[from..(at + 3).min(a.len())].join("\n"),
        b[from..(at + 3).min(b.len())].join("\n")
    )
}

#[test]
fn down_check_agrees_with_a_whole_model_comparison() {
    let mut cases = 0;
    for (name, text) in inputs() {
        let stmts = statements(&text);
        for k in 0..stmts.len() {
            let join = |r: std::ops::Range<usize>| stmts[r].concat();
            // The statements up to k are the model; the next one is the up; the rest, the
            // down. And: the first k are the up; the rest, the down.
            let shapes = [
                vec![
                    migration("1", join(0..k), None),
                    migration("2", stmts[k].clone(), Some(join(k + 1..stmts.len()))),
                ],
                vec![migration("1", join(0..k), Some(join(k..stmts.len())))],
                vec![
                    migration("1", join(0..k + 1), None),
                    migration("2", String::new(), Some(stmts[k].clone())),
                ],
            ];
            for migrations in shapes {
                let set = MigrationSet {
                    dir: name.clone().into(),
                    layout: Layout::Sqlx,
                    migrations,
                    skipped: Vec::new(),
                };
                let parsed = set.fold_up();
                let got = (
                    format!("{:#?}", parsed.schema),
                    diagnostic::render_plain(&parsed.diagnostics),
                );
                let want = fold_by_copying(&set);
                assert!(
                    got == want,
                    "{name}, statement {k}: the fold differs from the whole-model comparison:\n{}",
                    first_difference(
                        &format!("{}{}", got.0, got.1),
                        &format!("{}{}", want.0, want.1)
                    )
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 500, "only {cases} cases");
}
