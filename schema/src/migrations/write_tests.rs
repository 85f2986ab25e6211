//! Tests of `write`: each layout's next migration reads back as the set's last.
use std::path::Path;

use super::*;

/// 2024-03-05 06:07:08 UTC.
const NOW: Timestamp = Timestamp(1_709_618_828);

#[test]
fn timestamps_convert_both_ways() {
    assert_eq!(NOW.digits(), "20240305060708");
    assert_eq!(NOW.dashed(), "2024-03-05-060708");
    assert_eq!(Timestamp::from_digits("20240305060708"), Some(NOW));
    assert_eq!(Timestamp(0).digits(), "19700101000000");
    assert_eq!(Timestamp::from_digits("20240230000000"), None);
    assert_eq!(
        Timestamp::from_digits("20000229235959")
            .map(|t| t.digits())
            .as_deref(),
        Some("20000229235959")
    );
}

#[test]
fn numbers_keep_their_width() {
    assert_eq!(next_number("009").as_deref(), Some("010"));
    assert_eq!(next_number("99").as_deref(), Some("100"));
    assert_eq!(next_number("00001").as_deref(), Some("00002"));
    assert_eq!(next_number("1a"), None);
}

#[test]
fn a_timestamp_comes_after_the_last_even_when_the_clock_is_behind() {
    assert_eq!(
        later_timestamp("20240305060708", NOW).digits(),
        "20240305060709"
    );
    assert_eq!(
        later_timestamp("20300101000000", NOW).digits(),
        "20300101000001"
    );
    assert_eq!(later_timestamp("20200101000000", NOW), NOW);
    assert_eq!(later_timestamp("00000000000000", NOW), NOW);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A fresh directory of its own for each call (tests run in parallel).
fn scratch(name: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("schemakit-write-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read(dir: &Path) -> MigrationSet {
    MigrationSet::read(dir, None)
        .unwrap_or_else(|d| panic!("{}", crate::diagnostic::render_plain(&d)))
}

/// The statements of a script, as the runner runs them.
fn statements(text: &str) -> Vec<String> {
    split::split(text)
        .unwrap_or_else(|e| panic!("{}", e.message))
        .iter()
        .map(|c| text[c.start..c.end].to_string())
        .collect()
}

fn write(new: &NewMigration) {
    for f in &new.files {
        if let Some(parent) = f.path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(f.replaces, f.path.exists(), "{}", f.path.display());
        std::fs::write(&f.path, &f.text).unwrap_or_else(|e| panic!("{e}"));
    }
}

const UP: &str = "-- the widgets\nCREATE TABLE widgets (id int PRIMARY KEY, name text);\n\nCREATE FUNCTION widget_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM widgets);\nEND;\n$$;\nCOMMENT ON TABLE widgets IS 'a; b';\n";
const DOWN: &str = "DROP FUNCTION widget_count();\nDROP TABLE widgets;\n";
const CONCURRENT_UP: &str = "CREATE INDEX CONCURRENTLY widgets_name_idx ON widgets (name);\n";
const CONCURRENT_DOWN: &str = "DROP INDEX CONCURRENTLY widgets_name_idx;\n";

/// Writes the next migration of a copy of `fixture` and reads the set back: the new
/// migration is last, with the version, name, statements and flag written.
fn round_trip(fixture: &str, up: &str, down: Option<&str>, no_transaction: bool) -> NewMigration {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/layouts")
        .join(fixture);
    let dir = scratch(&format!("{fixture}-{no_transaction}"));
    copy_dir(&from, &dir);
    let before = read(&dir);
    let new = next_migration(&before, "add_widgets", up, down, no_transaction, NOW)
        .unwrap_or_else(|e| panic!("{fixture}: {e}"));
    write(&new);
    let after = read(&dir);
    assert_eq!(after.layout, before.layout, "{fixture}");
    assert_eq!(
        after.migrations.len(),
        before.migrations.len() + 1,
        "{fixture}"
    );
    let versioned = after
        .migrations
        .iter()
        .rev()
        .find(|m| !m.version.text.starts_with("R__"))
        .unwrap_or_else(|| panic!("{fixture}: no migrations"));
    let last = if before.layout == Layout::Prisma {
        after.migrations.last().unwrap_or_else(|| unreachable!())
    } else {
        versioned
    };
    let expected_version = match before.layout {
        Layout::Prisma => format!("{}_add_widgets", new.version),
        _ => new.version.clone(),
    };
    assert_eq!(last.version.text, expected_version, "{fixture}");
    assert_eq!(last.name, "add_widgets", "{fixture}");
    assert_eq!(statements(last.up.text()), statements(up), "{fixture}");
    assert_eq!(
        last.down.as_ref().map(|d| statements(d.text())),
        down.map(statements),
        "{fixture}"
    );
    assert_eq!(last.no_transaction, no_transaction, "{fixture}");
    let _ = std::fs::remove_dir_all(&dir);
    new
}

#[test]
fn each_layout_reads_back_the_migration_it_wrote() {
    for fixture in ["up_down", "dbmate", "goose", "sqlx", "diesel", "flyway"] {
        round_trip(fixture, UP, Some(DOWN), false);
    }
    for fixture in ["prisma", "drizzle"] {
        round_trip(fixture, UP, None, false);
    }
}

#[test]
fn each_layout_marks_a_migration_outside_a_transaction_in_its_own_way() {
    for fixture in ["dbmate", "goose", "sqlx", "diesel", "flyway"] {
        round_trip(fixture, CONCURRENT_UP, Some(CONCURRENT_DOWN), true);
    }
    round_trip("prisma", CONCURRENT_UP, None, true);
}

#[test]
fn versions_follow_the_sets_convention() {
    let version = |fixture: &str, down: Option<&str>| round_trip(fixture, UP, down, false).version;
    // 14-digit timestamps: the moment.
    assert_eq!(version("dbmate", Some(DOWN)), "20240305060708");
    assert_eq!(version("prisma", None), "20240305060708");
    // Numbers: the next, in the same width.
    assert_eq!(version("up_down", Some(DOWN)), "003");
    assert_eq!(version("goose", Some(DOWN)), "00003");
    assert_eq!(version("sqlx", Some(DOWN)), "11");
    assert_eq!(version("drizzle", None), "0002");
    // Flyway: V10 → V11; diesel: dashed timestamps.
    assert_eq!(version("flyway", Some(DOWN)), "11");
    assert_eq!(version("diesel", Some(DOWN)), "2024-03-05-060708");
}

#[test]
fn files_are_written_as_each_tool_writes_them() {
    let new = round_trip("goose", UP, Some(DOWN), true);
    let [file] = new.files.as_slice() else {
        panic!("{new:?}")
    };
    assert_eq!(
        file.path.file_name().and_then(|n| n.to_str()),
        Some("00003_add_widgets.sql")
    );
    assert_eq!(
        file.text,
        "-- +goose NO TRANSACTION\n-- +goose Up\n-- the widgets\nCREATE TABLE widgets (id int PRIMARY KEY, name text);\n-- +goose StatementBegin\nCREATE FUNCTION widget_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM widgets);\nEND;\n$$;\n-- +goose StatementEnd\nCOMMENT ON TABLE widgets IS 'a; b';\n\n-- +goose Down\nDROP FUNCTION widget_count();\nDROP TABLE widgets;\n"
    );
    // The fixture's last entry is later than NOW: the new one comes a millisecond after it
    // (drizzle-kit applies the entries later than the last applied).
    let new = round_trip("drizzle", UP, None, false);
    let names: Vec<String> = new
        .files
        .iter()
        .map(|f| {
            f.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["0002_add_widgets.sql", "_journal.json"]);
    assert!(
        new.files[0]
            .text
            .contains("name text);\n--> statement-breakpoint\nCREATE FUNCTION"),
        "{}",
        new.files[0].text
    );
    assert!(
        new.files[1].text.ends_with(",{\"idx\":2,\"version\":\"7\",\"when\":1718100000001,\"tag\":\"0002_add_widgets\",\"breakpoints\":true}]}\n"),
        "{}",
        new.files[1].text
    );
    let new = round_trip("diesel", CONCURRENT_UP, Some(CONCURRENT_DOWN), true);
    let names: Vec<String> = new
        .files
        .iter()
        .filter_map(|f| {
            f.path
                .strip_prefix(new.files[0].path.parent()?.parent()?)
                .ok()
        })
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "2024-03-05-060708_add_widgets/up.sql",
            "2024-03-05-060708_add_widgets/down.sql",
            "2024-03-05-060708_add_widgets/metadata.toml"
        ]
    );
}

#[test]
fn an_indented_journal_gets_an_entry_indented_as_its_others() {
    let text = "{\n  \"version\": \"6\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n    {\n      \"idx\": 0,\n      \"version\": \"6\",\n      \"when\": 1739785526143,\n      \"tag\": \"0000_lush_ironclad\",\n      \"breakpoints\": true\n    }\n  ]\n}";
    let new =
        journal_with_entry(text, "0001_next", 1_800_000_000_000).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        new,
        "{\n  \"version\": \"6\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n    {\n      \"idx\": 0,\n      \"version\": \"6\",\n      \"when\": 1739785526143,\n      \"tag\": \"0000_lush_ironclad\",\n      \"breakpoints\": true\n    },\n    {\n      \"idx\": 1,\n      \"version\": \"6\",\n      \"when\": 1800000000000,\n      \"tag\": \"0001_next\",\n      \"breakpoints\": true\n    }\n  ]\n}"
    );
}

#[test]
fn a_plain_sqlx_set_gets_a_plain_file_and_no_down() {
    let dir = scratch("plain-sqlx");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("20240101000000_init.sql"),
        "CREATE TABLE a (id int);\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let set = read(&dir);
    assert!(!keeps_downs(&set));
    let refused = next_migration(&set, "b", UP, Some(DOWN), false, NOW);
    assert!(
        matches!(refused, Err(WriteError::NoDowns { .. })),
        "{refused:?}"
    );
    let new =
        next_migration(&set, "b", CONCURRENT_UP, None, true, NOW).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(new.files.len(), 1);
    assert!(new.files[0].path.ends_with("20240305060708_b.sql"));
    assert!(
        new.files[0]
            .text
            .starts_with("-- no-transaction\nCREATE INDEX CONCURRENTLY")
    );
    write(&new);
    let back = read(&dir);
    assert!(
        back.migrations
            .last()
            .is_some_and(|m| m.no_transaction && m.down.is_none())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn what_a_layout_cannot_say_is_refused() {
    let set = |fixture: &str| {
        read(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/layouts")
                .join(fixture),
        )
    };
    let up_down = set("up_down");
    assert!(matches!(
        next_migration(&up_down, "x", CONCURRENT_UP, None, true, NOW),
        Err(WriteError::Transaction(_))
    ));
    assert!(matches!(
        next_migration(
            &up_down,
            "x",
            "SELECT 1;\n-- DOWN\nSELECT 2;\n",
            None,
            false,
            NOW
        ),
        Err(WriteError::Marker { .. })
    ));
    assert!(matches!(
        next_migration(&set("flyway"), "x", UP, None, true, NOW),
        Err(WriteError::Transaction(_))
    ));
    assert!(matches!(
        next_migration(&set("prisma"), "x", UP, Some(DOWN), false, NOW),
        Err(WriteError::NoDowns { .. })
    ));
    assert!(matches!(
        next_migration(&set("drizzle"), "x", CONCURRENT_UP, None, true, NOW),
        Err(WriteError::Transaction(_))
    ));
    for bad in ["", "a/b", "1st", "with space"] {
        assert!(
            matches!(
                next_migration(&up_down, bad, UP, None, false, NOW),
                Err(WriteError::Name { .. })
            ),
            "{bad}"
        );
    }
}
