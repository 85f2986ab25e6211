//! One reader per layout: the files of a migration directory → `Migration`s.

use super::*;

pub(super) fn unexpected(path: &Path, layout: Layout) -> Diagnostic {
    layout_error(
        path,
        format!("`{}` does not fit the {layout} layout", file_name(path)),
        "rename it to the layout's pattern, move it out of the migration directory, or name the layout with --layout",
    )
}

/// Whether a script holds a statement Postgres refuses to run inside a transaction
/// block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, …). Prisma and Flyway run such a
/// migration outside a transaction, as the runner then does.
pub(super) fn runs_outside_transaction(up: &Script) -> bool {
    let text = up.text();
    crate::front::statements(text).iter().any(|(c, _)| {
        let w = crate::front::leading_words(&text[c.start..c.end], 4);
        let w: Vec<&str> = w.iter().map(String::as_str).collect();
        matches!(
            w.as_slice(),
            ["CREATE", "INDEX", "CONCURRENTLY", ..]
                | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]
                | ["DROP", "INDEX", "CONCURRENTLY", ..]
                | ["REINDEX", ..]
                | ["VACUUM", ..]
                | ["CREATE", "DATABASE", ..]
                | ["DROP", "DATABASE", ..]
                | ["ALTER", "SYSTEM", ..]
        ) || (w.first() == Some(&"REFRESH") && w.contains(&"CONCURRENTLY"))
    })
}

pub(super) fn read_section_files(
    layout: Layout,
    files: &[PathBuf],
) -> Result<Vec<Migration>, Errors> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files.iter().filter(|f| is_sql(f)) {
        let name = file_name(f);
        let stem = name.trim_end_matches(".sql");
        let Some((version, mname)) = split_version(stem) else {
            errors.push(unexpected(f, layout));
            continue;
        };
        match read_sections(layout, f, version, mname) {
            Ok(m) => out.push(m),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn read_whole(path: &Path) -> Result<Script, Errors> {
    Ok(Script::whole(Arc::new(
        read_file(path).map_err(|d| vec![d])?,
    )))
}

pub(super) fn read_sqlx(files: &[PathBuf]) -> Result<Vec<Migration>, Errors> {
    let mut ups: BTreeMap<String, (Version, String, PathBuf)> = BTreeMap::new();
    let mut downs: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut errors = Vec::new();
    for f in files.iter().filter(|f| is_sql(f)) {
        let name = file_name(f);
        let (stem, is_down) = if let Some(s) = name.strip_suffix(".down.sql") {
            (s, true)
        } else if let Some(s) = name.strip_suffix(".up.sql") {
            (s, false)
        } else {
            (name.trim_end_matches(".sql"), false)
        };
        let Some((version, mname)) = split_version(stem) else {
            errors.push(unexpected(f, Layout::Sqlx));
            continue;
        };
        if is_down {
            downs.insert(stem.to_string(), f.clone());
        } else if let Some((_, _, other)) = ups.get(stem) {
            errors.push(layout_error(
                f,
                format!(
                    "migration {version} has two up scripts (also `{}`)",
                    other.display()
                ),
                "keep either the plain .sql file or the .up.sql/.down.sql pair",
            ));
        } else {
            ups.insert(stem.to_string(), (version, mname, f.clone()));
        }
    }
    for (stem, path) in &downs {
        if !ups.contains_key(stem) {
            errors.push(layout_error(
                path,
                format!("down script without an up script (expected `{stem}.up.sql`)"),
                "add the up script, or remove the down script",
            ));
        }
    }
    let mut out = Vec::new();
    for (stem, (version, name, path)) in ups {
        let up = match read_whole(&path) {
            Ok(s) => s,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let no_transaction = up
            .text()
            .lines()
            .next()
            .is_some_and(|l| l.trim() == "-- no-transaction");
        let down = match downs.get(&stem).map(|p| read_whole(p)) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                errors.extend(e);
                None
            }
            None => None,
        };
        out.push(Migration {
            version,
            name,
            up,
            down,
            no_transaction,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn read_diesel(dirs: &[PathBuf]) -> Result<Vec<Migration>, Errors> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for d in dirs {
        let dname = file_name(d);
        let Some((version, name)) = split_version(&dname) else {
            errors.push(unexpected(d, Layout::Diesel));
            continue;
        };
        let up_path = d.join("up.sql");
        let down_path = d.join("down.sql");
        // `exists`, not `is_file`: an up.sql that is a FIFO is reported by reading it.
        if !up_path.exists() {
            let msg = if down_path.exists() {
                "down.sql without up.sql"
            } else {
                "no up.sql"
            };
            errors.push(layout_error(
                d,
                format!("diesel migration {version}: {msg}"),
                "every diesel migration directory has an up.sql",
            ));
            continue;
        }
        let mut no_transaction = false;
        let meta = d.join("metadata.toml");
        if meta.exists() && !meta.is_file() {
            errors.push(layout_error(
                &meta,
                "metadata.toml is not a regular file",
                "make metadata.toml a regular file, or remove it",
            ));
        } else if meta.is_file() {
            match std::fs::read_to_string(&meta)
                .map_err(|e| e.to_string())
                .and_then(|t| t.parse::<toml::Table>().map_err(|e| e.to_string()))
            {
                Ok(t) => match t.get("run_in_transaction") {
                    Some(toml::Value::Boolean(b)) => no_transaction = !b,
                    Some(other) => errors.push(layout_error(
                        &meta,
                        format!("`run_in_transaction` must be true or false, found `{other:?}`"),
                        "write run_in_transaction = false",
                    )),
                    None => {}
                },
                Err(e) => errors.push(layout_error(
                    &meta,
                    format!("invalid metadata.toml: {}", e.trim()),
                    "fix the TOML syntax",
                )),
            }
        }
        match (
            read_whole(&up_path),
            down_path
                .exists()
                .then(|| read_whole(&down_path))
                .transpose(),
        ) {
            (Ok(up), Ok(down)) => out.push(Migration {
                version,
                name,
                up,
                down,
                no_transaction,
            }),
            (Err(e), _) | (_, Err(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn read_flyway(files: &[PathBuf]) -> Result<Vec<Migration>, Errors> {
    let mut ups: BTreeMap<String, (Version, String, PathBuf)> = BTreeMap::new();
    let mut undos: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut repeatables: Vec<(Version, String, PathBuf)> = Vec::new();
    let mut errors = Vec::new();
    for f in files.iter().filter(|f| is_sql(f)) {
        let name = file_name(f);
        let stem = name.trim_end_matches(".sql");
        // `V1__name`: a one-letter kind, a version, `__`, a description. File names are
        // the user's: no byte slicing, since the first character may be anything.
        let parsed = stem.split_once("__").and_then(|(head, desc)| {
            let mut chars = head.chars();
            let kind = chars.next()?;
            Some((kind, Version::parse(chars.as_str())?, desc.to_string()))
        });
        match parsed {
            Some(('V', version, desc)) => {
                let key = version.canonical();
                if let Some((_, _, other)) = ups.get(&key) {
                    errors.push(layout_error(
                        f,
                        format!(
                            "duplicate migration version {version} (also `{}`)",
                            other.display()
                        ),
                        "give every migration its own version",
                    ));
                } else {
                    ups.insert(key, (version, desc, f.clone()));
                }
            }
            Some(('U', version, _)) => {
                undos.insert(version.canonical(), f.clone());
            }
            Some(('R', _, _)) | None if name.starts_with("R__") => {
                let desc = stem.trim_start_matches("R__").to_string();
                repeatables.push((Version::repeatable(&desc), desc, f.clone()));
            }
            _ => errors.push(unexpected(f, Layout::Flyway)),
        }
    }
    for (key, path) in &undos {
        if !ups.contains_key(key) {
            errors.push(layout_error(
                path,
                "undo script without a versioned migration of the same version",
                "add the V script, or remove the U script",
            ));
        }
    }
    let mut out = Vec::new();
    // Repeatable migrations run after the versioned ones; the model takes each once.
    for (version, name, path) in repeatables {
        match read_whole(&path) {
            Ok(up) => out.push(Migration {
                version,
                name,
                up,
                down: None,
                no_transaction: false,
            }),
            Err(e) => errors.extend(e),
        }
    }
    for (key, (version, name, path)) in ups {
        let down = match undos.get(&key).map(|p| read_whole(p)) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                errors.extend(e);
                None
            }
            None => None,
        };
        match read_whole(&path) {
            Ok(up) => out.push(Migration {
                version,
                name,
                no_transaction: runs_outside_transaction(&up),
                up,
                down,
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn read_prisma(dirs: &[PathBuf]) -> Result<Vec<Migration>, Errors> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for d in dirs {
        let dname = file_name(d);
        let Some((_, name)) = split_version(&dname) else {
            errors.push(unexpected(d, Layout::Prisma));
            continue;
        };
        // Prisma orders migrations by their whole directory name.
        let version = Version::directory(&dname);
        let path = d.join("migration.sql");
        if !path.exists() {
            errors.push(layout_error(
                d,
                format!("Prisma migration {version} has no migration.sql"),
                "every Prisma migration directory holds a migration.sql",
            ));
            continue;
        }
        match read_whole(&path) {
            Ok(up) => out.push(Migration {
                version,
                name,
                no_transaction: runs_outside_transaction(&up),
                up,
                down: None,
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// drizzle runs the entries of `meta/_journal.json` in order, each `<tag>.sql`; it never
/// reads the number in a file name, and a file no entry names is not run (listed as
/// ignored). Without a journal, the files in name order.
pub(super) fn read_drizzle(
    dir: &Path,
    files: &[PathBuf],
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<Migration>, Errors> {
    let journal_path = dir.join("meta").join("_journal.json");
    if !journal_path.is_file() {
        return read_drizzle_files(files);
    }
    let journal = read_file(&journal_path).map_err(|d| vec![d])?;
    let entries: Vec<(u128, String)> =
        match serde_json::from_str::<serde_json::Value>(&journal.text) {
            Ok(v) => v
                .get("entries")
                .and_then(|e| e.as_array())
                .map(|entries| {
                    entries
                        .iter()
                        .enumerate()
                        .filter_map(|(i, e)| {
                            let idx = e
                                .get("idx")
                                .and_then(serde_json::Value::as_u64)
                                .map_or(i as u128, u128::from);
                            Some((idx, e.get("tag")?.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) => {
                return Err(vec![layout_error(
                    &journal_path,
                    format!("invalid meta/_journal.json: {e}"),
                    "fix the JSON, or regenerate it with drizzle-kit",
                )]);
            }
        };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut named = std::collections::BTreeSet::new();
    for (idx, tag) in entries {
        let path = dir.join(format!("{tag}.sql"));
        named.insert(path.clone());
        if !path.is_file() {
            errors.push(layout_error(
                &journal_path,
                format!("journal entry `{tag}` has no file `{tag}.sql`"),
                "restore the file, or remove the entry from meta/_journal.json",
            ));
            continue;
        }
        let number = tag.split('_').next().unwrap_or(&tag).to_string();
        let name = tag
            .split_once('_')
            .map_or(String::new(), |(_, n)| n.to_string());
        match read_whole(&path) {
            Ok(up) => out.push(Migration {
                version: Version::journal(&number, idx),
                name,
                up,
                down: None,
                no_transaction: false,
            }),
            Err(e) => errors.extend(e),
        }
    }
    for f in files.iter().filter(|f| !named.contains(*f)) {
        skipped.push(Skipped::note(
            f,
            "ignored: not an entry of meta/_journal.json, so drizzle does not run it",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn read_drizzle_files(files: &[PathBuf]) -> Result<Vec<Migration>, Errors> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files.iter().filter(|f| is_sql(f)) {
        let name = file_name(f);
        let Some((version, tag)) = split_version(name.trim_end_matches(".sql")) else {
            errors.push(unexpected(f, Layout::Drizzle));
            continue;
        };
        match read_whole(f) {
            Ok(up) => out.push(Migration {
                version,
                name: tag,
                up,
                down: None,
                no_transaction: false,
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
