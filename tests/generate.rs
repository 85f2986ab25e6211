//! `schemakit generate` and `schemakit check` end to end, on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Commands that must not hang a test.
mod within;

fn schemakit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemakit"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run schemakit: {e}"))
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemakit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

#[test]
fn the_checked_in_generated_crate_is_up_to_date() {
    let out = schemakit(repo(), &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "generated/ is stale; run `cargo run -- generate`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `check` reuses files by fingerprint, and the fingerprints name codegen's version
/// (`RENDERING` in codegen/src/input.rs) rather than its code: rendering every file
/// catches a change to codegen that did not bump it.
#[test]
fn the_checked_in_generated_crate_renders_the_same_from_scratch() {
    let out = schemakit(repo(), &["check", "--render-all"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "generated/ differs from a full render: if codegen's output changed, bump RENDERING in codegen/src/input.rs and run `cargo run -- generate`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_fails_after_a_one_character_ddl_edit_and_passes_after_generate() {
    let dir = scratch("check");
    let ddl = std::fs::read_to_string(repo().join("db/cira/schema.sql")).unwrap_or_default();
    assert!(
        ddl.contains("VARCHAR(50)"),
        "the fixture edit needs `VARCHAR(50)` in cira's schema.sql"
    );
    std::fs::write(dir.join("schema.sql"), &ddl).unwrap_or_default();
    std::fs::write(
        dir.join("schemakit.toml"),
        "[generate]\nout = \"out/src\"\n\n[systems.cira]\nschema = \"schema.sql\"\n",
    )
    .unwrap_or_default();

    assert_eq!(schemakit(&dir, &["generate"]).status.code(), Some(0));
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));

    // One character: the column becomes nullable-free text → a different Rust doc and SQL.
    std::fs::write(
        dir.join("schema.sql"),
        ddl.replacen("VARCHAR(50)", "VARCHAR(51)", 1),
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-    /// Column `jobs.client_id`: `character varying(50)`"),
        "{diff}"
    );
    assert!(
        diff.contains("+    /// Column `jobs.client_id`: `character varying(51)`"),
        "{diff}"
    );

    assert_eq!(schemakit(&dir, &["generate"]).status.code(), Some(0));
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));

    // A table that disappears takes its file with it.
    let ddl = std::fs::read_to_string(dir.join("schema.sql")).unwrap_or_default();
    let trimmed = ddl.replace(
        "CREATE INDEX idx_job_results_job_id ON job_results(job_id);",
        "",
    ) + "\nDROP TABLE job_results;\n";
    std::fs::write(dir.join("schema.sql"), trimmed).unwrap_or_default();
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(1));
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.join("out/src/cira/job_results.rs").exists());
    assert_eq!(schemakit(&dir, &["check"]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_from_a_path_needs_no_config() {
    let dir = scratch("single");
    let out_dir = dir.join("cira");
    let ddl = repo().join("db/cira/schema.sql");
    let out = schemakit(
        &dir,
        &[
            "generate",
            &ddl.to_string_lossy(),
            "--out",
            &out_dir.to_string_lossy(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("mod.rs").is_file());
    assert!(out_dir.join("jobs.rs").is_file());
    assert!(out_dir.join("enums.rs").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unmapped_type_is_read_as_text_and_the_field_says_how_to_map_it() {
    let dir = scratch("unmapped");
    std::fs::write(
        dir.join("odd.sql"),
        "CREATE TABLE odd (id integer PRIMARY KEY, span interval);\n",
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["generate", "odd.sql", "--out", "odd"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let odd = std::fs::read_to_string(dir.join("odd/odd.rs")).unwrap_or_default();
    assert!(odd.contains("pub span: Option<String>"), "{odd}");
    assert!(odd.contains("span::text AS span"), "{odd}");
    assert!(odd.contains("$2::text::interval"), "{odd}");
    assert!(
        odd.contains("schemakit has no Rust type for `interval`"),
        "{odd}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes `files` (relative path → text) under a fresh scratch directory.
fn scratch_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_default();
        }
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
    dir
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn generate_removes_only_files_it_wrote() {
    let dir = scratch_with(
        "foreign",
        &[
            ("s.sql", "CREATE TABLE jobs (id int PRIMARY KEY);"),
            ("src/main.rs", "fn main() {}\n"),
            (
                "src/old.rs",
                "// @generated by schemakit from s.sql; do not edit\n",
            ),
        ],
    );
    let out = schemakit(&dir, &["generate", "s.sql", "--out", "src"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        dir.join("src/main.rs").exists(),
        "a hand-written file was deleted"
    );
    assert!(
        !dir.join("src/old.rs").exists(),
        "a stale generated file was kept"
    );
    assert!(dir.join("src/jobs.rs").exists());
    assert!(
        text(&out).contains("left alone src/main.rs"),
        "{}",
        text(&out)
    );
}

#[test]
fn generate_never_overwrites_a_file_it_did_not_write() {
    let dir = scratch_with(
        "overwrite",
        &[
            ("s.sql", "CREATE TABLE jobs (id int PRIMARY KEY);"),
            ("src/jobs.rs", "// mine\n"),
        ],
    );
    let out = schemakit(&dir, &["generate", "s.sql", "--out", "src"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refusing to overwrite"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("src/jobs.rs")).unwrap_or_default(),
        "// mine\n"
    );
    assert!(
        !dir.join("src/mod.rs").exists(),
        "a partial plan was written"
    );
}

#[test]
fn a_hand_edit_of_a_generated_file_is_found_by_check_and_undone_by_generate() {
    let dir = scratch_with(
        "hand-edit",
        &[(
            "s.sql",
            "CREATE TABLE jobs (id int PRIMARY KEY);\nCREATE TABLE runs (id int PRIMARY KEY);",
        )],
    );
    let args = ["s.sql", "--out", "src"];
    let run = |command: &str| schemakit(&dir, &[&[command][..], &args[..]].concat());
    assert_eq!(run("generate").status.code(), Some(0));
    let jobs = dir.join("src/jobs.rs");
    let rendered = std::fs::read_to_string(&jobs).unwrap_or_default();
    // The header stays: only the text below it changes, as an edit by hand would.
    let edited = rendered.replacen(
        "pub struct Job {",
        "pub struct Job {\n    pub extra: i32,",
        1,
    );
    assert_ne!(edited, rendered, "the edit must apply");
    std::fs::write(&jobs, &edited).unwrap_or_default();

    let out = run("check");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("-    pub extra: i32,"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("runs.rs"), "{}", text(&out));

    let out = run("generate");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("1 file(s) written"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&jobs).unwrap_or_default(), rendered);
    assert_eq!(run("check").status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `schemakit ARGS` in `dir`, killed and reported if it takes more than 60 s.
fn schemakit_within_a_minute(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemakit"));
    command.args(args).current_dir(dir);
    within::output_within(command, 60)
}

#[test]
fn a_fifo_among_the_generated_files_is_never_read_or_overwritten() {
    let dir = scratch_with(
        "fifo",
        &[("s.sql", "CREATE TABLE jobs (id int PRIMARY KEY);")],
    );
    let args = ["s.sql", "--out", "src"];
    assert_eq!(
        schemakit(&dir, &[&["generate"][..], &args[..]].concat())
            .status
            .code(),
        Some(0)
    );
    // A FIFO where a generated file was, and one beside it: reading either would block.
    for name in ["jobs.rs", "other.rs"] {
        let path = dir.join("src").join(name);
        let _ = std::fs::remove_file(&path);
        let made = Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
    }
    let out = schemakit_within_a_minute(&dir, &[&["check"][..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = schemakit_within_a_minute(&dir, &[&["generate"][..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refusing to overwrite"),
        "{}",
        text(&out)
    );
    for name in ["jobs.rs", "other.rs"] {
        let kept = std::fs::symlink_metadata(dir.join("src").join(name));
        assert!(
            kept.is_ok_and(|m| !m.is_file()),
            "{name} is no longer the FIFO"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The reproducers of issue 8: each generated without a panic, into code `syn` accepts.
#[test]
fn name_reproducers_generate_code_that_parses() {
    for (name, sql) in [
        (
            "self_column",
            "CREATE TABLE ok1 (id int PRIMARY KEY, v text);\nCREATE TABLE p4 (id int PRIMARY KEY, \"self\" int);\n",
        ),
        (
            "client_param",
            "CREATE TABLE p1 (client text PRIMARY KEY, v text);\n",
        ),
        (
            "trait_names",
            "CREATE TABLE generic_client (id int PRIMARY KEY);\nCREATE TABLE to_sql (id int PRIMARY KEY);\n",
        ),
        (
            "bare_cr",
            "CREATE TABLE c (id int PRIMARY KEY);\nCOMMENT ON TABLE c IS E't1\\rt2';\n",
        ),
    ] {
        let dir = scratch_with(&format!("repro-{name}"), &[("s.sql", sql)]);
        let out = schemakit(&dir, &["generate", "s.sql", "--out", "src"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        let mod_rs = std::fs::read_to_string(dir.join("src/mod.rs")).unwrap_or_default();
        for entry in std::fs::read_dir(dir.join("src"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let code = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(
                !code.contains('\r'),
                "{name}: a CR in {}",
                entry.path().display()
            );
            let stem = entry
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
            if let Some(stem) = stem.filter(|s| s != "mod") {
                assert!(
                    mod_rs.contains(&format!("pub mod {stem};")),
                    "{name}: {stem}"
                );
            }
        }
        for module in ["p4", "ok1", "p1", "generic_client", "to_sql", "c"] {
            if mod_rs.contains(&format!("pub mod {module};")) {
                assert!(
                    dir.join(format!("src/{module}.rs")).exists(),
                    "{name}: mod.rs declares {module} but its file is missing"
                );
            }
        }
    }
}

#[test]
fn two_enums_with_one_rust_name_are_refused_until_one_is_renamed() {
    let sql = "CREATE TYPE \"a_b\" AS ENUM ('x');\nCREATE TYPE \"a-b\" AS ENUM ('y');\n";
    let dir = scratch_with(
        "dup-enum",
        &[
            ("s.sql", sql),
            (
                "schemakit.toml",
                "[generate]\nout = \"out\"\n\n[systems.app]\nschema = \"s.sql\"\n",
            ),
        ],
    );
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let message = text(&out);
    assert!(
        message.contains("`\"a-b\"` and `a_b` both become `AB`"),
        "{message}"
    );
    assert!(
        message.contains("[systems.<name>.rename.types] \"a_b\""),
        "{message}"
    );
    assert!(
        !dir.join("out").exists(),
        "nothing may be written on an error"
    );

    std::fs::write(
        dir.join("schemakit.toml"),
        "[generate]\nout = \"out\"\n\n[systems.app]\nschema = \"s.sql\"\n\n[systems.app.rename.types]\n\"a_b\" = \"AUnderscore\"\n",
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let enums = std::fs::read_to_string(dir.join("out/app/enums.rs")).unwrap_or_default();
    assert!(
        enums.contains("pub enum AB {") && enums.contains("pub enum AUnderscore {"),
        "{enums}"
    );
}

#[test]
fn a_rename_that_matches_nothing_is_an_error() {
    let dir = scratch_with(
        "bad-rename",
        &[
            (
                "s.sql",
                "CREATE TABLE t (\"createdAt\" int, created_at int);",
            ),
            (
                "schemakit.toml",
                "[generate]\nout = \"out\"\n\n[systems.app]\nschema = \"s.sql\"\n\n[systems.app.rename.columns]\n\"tt.createdAt\" = \"created_at_camel\"\n",
            ),
        ],
    );
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("rename `tt.createdAt`"),
        "{}",
        text(&out)
    );
    // Both spellings of one column name: refused, then resolved by a rename.
    assert!(
        text(&out).contains("both become `created_at`"),
        "{}",
        text(&out)
    );
    std::fs::write(
        dir.join("schemakit.toml"),
        "[generate]\nout = \"out\"\n\n[systems.app]\nschema = \"s.sql\"\n\n[systems.app.rename.columns]\n\"t.createdAt\" = \"created_at_camel\"\n",
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = std::fs::read_to_string(dir.join("out/app/t.rs")).unwrap_or_default();
    assert!(t.contains("pub created_at_camel: Option<i32>"), "{t}");
}

#[test]
fn a_system_name_that_is_not_an_identifier_becomes_a_module_that_is() {
    let dir = scratch_with(
        "system-name",
        &[
            ("s.sql", "CREATE TABLE t (id int PRIMARY KEY);"),
            (
                "schemakit.toml",
                "[generate]\nout = \"out\"\n\n[systems.cost-tracker]\nschema = \"s.sql\"\n",
            ),
        ],
    );
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lib = std::fs::read_to_string(dir.join("out/lib.rs")).unwrap_or_default();
    assert!(lib.contains("pub mod cost_tracker;"), "{lib}");
    assert!(dir.join("out/cost_tracker/t.rs").exists());

    std::fs::write(
        dir.join("schemakit.toml"),
        "[generate]\nout = \"out\"\n\n[systems.app]\nschema = \"s.sql\"\nmodule = \"cost-tracker\"\n",
    )
    .unwrap_or_default();
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("module `cost-tracker` is not a Rust identifier"),
        "{}",
        text(&out)
    );
}

/// Every hostile name of `tests/fixtures/hostile_names` becomes Rust that compiles: the
/// generated crate is checked by cargo, offline, with the workspace's lock file.
#[test]
fn hostile_names_generate_a_crate_that_compiles() {
    let schema = repo().join("tests/fixtures/hostile_names/schema.sql");
    // Two clashes only a rename resolves: `self`/`Self` and `client`/`client_`. The
    // second keeps `client_` as the field, so the client parameter becomes `client__`.
    let config = format!(
        "[generate]\nout = \"src\"\n\n[systems.hostile-names]\nschema = {:?}\n\n[systems.hostile-names.rename.columns]\n\"generic_client.Self\" = \"self_type\"\n\"to_sql.client_\" = \"client_\"\n",
        schema.display().to_string()
    );
    let dir = scratch_with("hostile", &[("schemakit.toml", &config)]);
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let to_sql =
        std::fs::read_to_string(dir.join("src/hostile_names/to_sql.rs")).unwrap_or_default();
    assert!(
        to_sql.contains("client__: &mut impl schemakit_support::postgres::GenericClient"),
        "{to_sql}"
    );
    compiles(&dir, "hostile", "2024");
}

/// Every fixture of codegen's snapshot tests, one system each, becomes a crate that
/// compiles with every feature (not only Rust that parses).
#[test]
fn the_codegen_fixtures_generate_a_crate_that_compiles() {
    let fixtures = repo().join("codegen/tests/fixtures");
    let mut config = String::from("[generate]\nout = \"src\"\n");
    let mut names: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for path in &names {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        config.push_str(&format!(
            "\n[systems.{stem}]\nschema = {:?}\n",
            path.display().to_string()
        ));
    }
    let dir = scratch_with("fixtures-crate", &[("schemakit.toml", &config)]);
    let out = schemakit(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Edition 2021, where an `impl Trait` return captures no lifetime unless told.
    compiles(&dir, "fixtures-crate", "2021");
}

/// Checks the crate `schemakit generate` wrote in `dir` with cargo, offline, with every
/// feature of the generated crate and the workspace's lock file and versions.
fn compiles(dir: &Path, name: &str, edition: &str) {
    let manifest = std::fs::read_to_string(repo().join("generated/Cargo.toml")).unwrap_or_default();
    let deps = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|d| d.split("\n[").next())
        .unwrap_or_default();
    let workspace = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap_or_default();
    let workspace_deps = workspace
        .split("[workspace.dependencies]\n")
        .nth(1)
        .and_then(|d| d.split("\n[").next())
        .unwrap_or_default();
    // The generated crate's dependencies, resolved to the workspace's versions.
    let mut deps_out = String::new();
    for line in deps.lines() {
        let Some(name) = line.split(['.', ' ', '=']).next().filter(|n| !n.is_empty()) else {
            continue;
        };
        if let Some(spec) = workspace_deps
            .lines()
            .find(|l| l.starts_with(&format!("{name} =")))
        {
            // A path dependency (the support crate) from the scratch directory.
            let spec = match spec.split_once("path = \"") {
                Some((head, rest)) => format!("{head}path = \"{}/{rest}", repo().display()),
                None => spec.to_string(),
            };
            if line.contains("optional = true") {
                deps_out.push_str(&spec.replacen(" }", ", optional = true }", 1));
            } else {
                deps_out.push_str(&spec);
            }
            deps_out.push('\n');
        } else if !line.contains("workspace") {
            deps_out.push_str(line);
            deps_out.push('\n');
        }
    }
    // The generated crate's features: blocking, tokio, serde.
    let features = manifest
        .split("\n[features]\n")
        .nth(1)
        .and_then(|d| d.split("\n[").next())
        .unwrap_or_default();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"{edition}\"\npublish = false\n\n[workspace]\n\n[features]\n{features}\n[dependencies]\n{deps_out}"
        ),
    )
    .unwrap_or_default();
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap_or_default();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo().join("target"), PathBuf::from)
        .join(name);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--lib", "--all-features"])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        out.status.success(),
        "the {name} crate does not compile:\n{}",
        text(&out)
    );
}
