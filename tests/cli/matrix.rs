//! `verify --pg`: every system on each PostgreSQL major, on real servers of those majors
//! (the local binaries and images `scripts/postgres-runtime.sh` installs), reported as a
//! matrix of system × major × check.

use super::{schemakit, scratch, text};

/// The lines of the matrix: from its heading to the blank line after it.
fn matrix(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("matrix: "))
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn pg_runs_the_example_systems_on_each_major_as_a_matrix() {
    let out = schemakit(&["verify", "--provider", "local", "--pg", "15,16,17,18"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(
        matrix(&stdout),
        [
            "matrix: checks a–e per system and PostgreSQL major (✓ passed, ! known failure, ✗ failed, - not run)",
            "                  15       16       17       18",
            "cira              ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓",
            "cost_tracker      ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓",
            "plc_coach         not run  !----    not run  !----",
            "                  not run on 15, 17: the system supports majors 16, 18 (`majors` in schemakit.toml)",
            "text_assistant    ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓    ✓✓✓✓✓",
            "type_coverage     not run  ✓✓✓-✓    not run  ✓✓✓-✓",
            "                  not run on 15, 17: the system supports majors 16, 18 (`majors` in schemakit.toml)",
            "user_story_agent  ✓✓!✓✓    ✓✓!✓✓    ✓✓!✓✓    ✓✓!✓✓",
        ],
        "{stdout}"
    );
    // Each cell ran on a server of its major: one local cluster per runtime, announced
    // before its systems' reports.
    for (major, bin) in [
        ("15", "/usr/lib/postgresql/15/bin"),
        ("16", "/opt/schemakit/pg16/bin"),
        ("16", "/opt/schemakit/pg16-vector/bin"),
        ("17", "/opt/schemakit/pg17/bin"),
        ("18", "/opt/schemakit/pg18/bin"),
        ("18", "/opt/schemakit/pg18-vector/bin"),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("server: local — local binaries ")
                    && l.contains(&format!("{bin} "))
                    && l.contains(&format!(", PostgreSQL {major}."))),
            "no server of {bin}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(
            "\nplc_coach · PostgreSQL 15\n  - not run: the system supports majors 16, 18"
        ),
        "{stdout}"
    );
    // The type_coverage snapshot is 18's; on 16 (an older pgvector) the difference is a note.
    assert!(
        stdout.contains("the snapshot was made on PostgreSQL 18 (`snapshot_major`); on 16 the catalog differs, which fails nothing"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("6 system(s) × 4 major(s): 20 run, 4 not run (a major the system does not support); 100 checks: 0 failed, 6 known failure(s) as declared\n"),
        "{stdout}"
    );
}

#[test]
fn pg_in_containers_runs_each_major_in_its_image() {
    let out = schemakit(&[
        "verify",
        "--provider",
        "docker",
        "--pg",
        "17,16",
        "--system",
        "cira",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for major in [16, 17] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("server: docker — container ")
                    && l.contains(&format!(" from image schemakit/postgres:{major} "))
                    && l.contains(&format!(", PostgreSQL {major}."))),
            "no container of schemakit/postgres:{major}:\n{stdout}"
        );
    }
    assert_eq!(
        matrix(&stdout)[1..],
        ["      16       17", "cira  ✓✓✓✓✓    ✓✓✓✓✓"],
        "{stdout}"
    );
}

#[test]
fn pg_json_has_a_cell_per_system_and_major() {
    let out = schemakit(&[
        "verify",
        "--provider",
        "local",
        "--pg",
        "15,16",
        "--system",
        "plc_coach",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["majors"], serde_json::json!([15, 16]));
    assert_eq!(doc["failed"], false);
    let cells = doc["cells"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(cells.len(), 2, "{doc}");
    assert_eq!(cells[0]["system"], "plc_coach");
    assert_eq!(cells[0]["major"], 15);
    assert_eq!(
        cells[0]["not_run"],
        "the system supports majors 16, 18 (`majors` in schemakit.toml)"
    );
    assert_eq!(cells[1]["major"], 16);
    assert!(
        cells[1]["server"]
            .as_str()
            .is_some_and(|s| s.contains("/opt/schemakit/pg16-vector/bin")
                && s.ends_with(", PostgreSQL 16.14)")),
        "{doc}"
    );
    let checks = cells[1]["report"]["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(checks[0]["outcome"]["status"], "fail");
    assert!(
        checks[0]["expected"].is_object(),
        "the declared failure: {doc}"
    );
}

#[test]
fn pg_without_majors_or_with_an_uninstalled_one_says_how_to_install() {
    let out = schemakit(&["verify", "--pg"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--pg needs the majors to run on, e.g. `--pg 15,16,17,18`")
            && err.contains("bash scripts/postgres-runtime.sh"),
        "{err}"
    );
    let out = schemakit(&["verify", "--pg", "15,13", "--provider", "local"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("PostgreSQL 13 is not available here: no /opt/schemakit/pg13/bin or /usr/lib/postgresql/13/bin")
            && err.contains("bash scripts/postgres-runtime.sh"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing runs: {}", text(&out.stdout));
}

#[test]
fn pg_refuses_one_runtime_or_one_snapshot_for_several_majors() {
    for (args, message) in [
        (
            &["--pg-bin", "/usr/lib/postgresql/15/bin"][..],
            "--pg-bin names one runtime for 2 majors",
        ),
        (
            &["--image", "schemakit/postgres:15"][..],
            "--image names one runtime for 2 majors",
        ),
        (&["--update"][..], "--update writes one snapshot per system"),
    ] {
        let mut all = vec!["verify", "--pg", "15,16"];
        all.extend(args);
        let out = schemakit(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(text(&out.stderr).contains(message), "{}", text(&out.stderr));
    }
}

#[test]
fn a_runtime_of_another_major_is_an_error_not_a_cell() {
    let out = schemakit(&[
        "verify",
        "--provider",
        "local",
        "--pg",
        "16",
        "--pg-bin",
        "/usr/lib/postgresql/15/bin",
        "--system",
        "cira",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "system `cira`: the runtime for PostgreSQL 16 (a local cluster from /usr/lib/postgresql/15/bin) is PostgreSQL 15"
        ),
        "{err}"
    );
}

#[test]
fn majors_and_runtimes_per_major_are_checked_when_the_configuration_is_read() {
    let dir = scratch(
        "majors-config",
        &[(
            "schemakit.toml",
            "[systems.tiny]\nmigrations = \"m\"\npg_bin = { sixteen = \"/x\" }\n",
        )],
    );
    let config = dir.join("schemakit.toml").to_string_lossy().into_owned();
    let out = schemakit(&["verify", "--config", &config, "--pg", "16"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("system `tiny`: `sixteen` is not a PostgreSQL major"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_pg_a_system_is_not_run_on_a_major_it_does_not_support() {
    let dir = scratch(
        "majors-single",
        &[(
            "schemakit.toml",
            "[systems.tiny]\nmigrations = \"m\"\nmajors = [17]\n",
        )],
    );
    std::fs::create_dir_all(dir.join("m")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("m/001_t.sql"),
        "-- UP\nCREATE TABLE t (id int);\n-- DOWN\nDROP TABLE t;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.join("schemakit.toml").to_string_lossy().into_owned();
    let out = schemakit(&[
        "verify",
        "--config",
        &config,
        "--provider",
        "local",
        "--pg-bin",
        "/usr/lib/postgresql/15/bin",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "\ntiny\n  - not run: the system supports majors 17 (`majors` in schemakit.toml)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 system(s) (1 not run on a major it does not support), 0 checks: 0 failed, 0 known failure(s) as declared\n"),
        "{stdout}"
    );
}
