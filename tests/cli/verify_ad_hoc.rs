//! `verify DIR` without a configuration: a layout without downs by design is not
//! round-tripped, and `--allow-irreversible` and `--expect-failure` declare on the command
//! line what `schemakit.toml` declares per system.

use super::{database, schemakit, scratch, text};

/// `schemakit verify` on the test binary's cluster, with `args` after the URL.
fn verify(args: &[&str]) -> (Option<i32>, String) {
    let (_, url) = database();
    let mut all = vec!["verify", "--provider", "url", "--database-url", &url];
    all.extend_from_slice(args);
    let out = schemakit(&all);
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

#[test]
fn a_prisma_or_drizzle_directory_is_not_round_tripped_and_passes() {
    for (dir, layout) in [
        ("db/text_assistant/migrations", "prisma"),
        ("db/cost_tracker/migrations", "drizzle"),
    ] {
        let (code, out) = verify(&[dir]);
        assert_eq!(code, Some(0), "{out}");
        assert!(
            out.contains(&format!(
                "  - c  each down restores the catalog its up started from (0.0 s)\n      not run: the {layout} layout has no down migrations by design, so there is nothing to round-trip\n"
            )),
            "{out}"
        );
        assert!(out.contains("5 checks: 0 failed"), "{out}");
    }
}

#[test]
fn allow_irreversible_on_the_command_line_lets_a_forward_only_set_pass() {
    let dir = scratch(
        "forward-only",
        &[
            ("1_a.sql", "CREATE TABLE a (id int);\n"),
            ("2_b.sql", "CREATE TABLE b (id int);\n"),
        ],
    );
    let dir = dir.to_string_lossy().into_owned();
    let (code, out) = verify(&[&dir, "--layout", "sqlx"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "      2 migration(s) have no down script: they are irreversible; add one, or set allow_irreversible = true for this system in schemakit.toml (--allow-irreversible on the command line):\n      migration 1 ({dir}/1_a.sql) has no down script\n      migration 2 ({dir}/2_b.sql) has no down script\n"
        )),
        "{out}"
    );
    let (code, out) = verify(&[&dir, "--layout", "sqlx", "--allow-irreversible"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("      2 migration(s) without a down script, allowed for this system\n"),
        "{out}"
    );
}

#[test]
fn expect_failure_on_the_command_line_declares_a_known_failure() {
    let dir = scratch(
        "declared",
        &[(
            "001_a.sql",
            "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE nope;\n",
        )],
    );
    let dir = dir.to_string_lossy().into_owned();
    let (code, out) = verify(&[&dir]);
    assert_eq!(code, Some(1), "{out}");
    let (code, out) = verify(&[&dir, "--expect-failure", "c:table \"nope\" does not exist"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("  ! c  each down restores")
            && out.contains(
                "      known failure, declared with --expect-failure: `table \"nope\" does not exist`\n"
            ),
        "{out}"
    );
    // A declared failure that does not happen fails the run.
    let (code, out) = verify(&[&dir, "--expect-failure", "b:anything"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "declared known failure did not happen: `anything`; drop `--expect-failure b:…`"
        ),
        "{out}"
    );
    // The check must be one of a–e, the text not empty.
    for bad in ["x:foo", "c:", "nocolon"] {
        let (code, out) = verify(&[&dir, "--expect-failure", bad]);
        assert_eq!(code, Some(2), "{bad}: {out}");
        assert!(out.contains("--expect-failure"), "{bad}: {out}");
    }
}
