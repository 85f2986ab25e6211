//! Migration sets: ordered versions, each with an up script, an optional down script and
//! a no-transaction flag, read from the directory layouts of the common tools.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::Parsed;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::fold::{self, Folder};
use crate::model::Schema;
use crate::source::{SourceFile, read_file, special_kind};

mod readers;
pub mod write;
use readers::*;

/// A migration directory layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// One file per version with `-- UP` / `-- DOWN` sections.
    UpDown,
    /// dbmate: `-- migrate:up` / `-- migrate:down`, `transaction:false`.
    Dbmate,
    /// goose: `-- +goose Up` / `-- +goose Down`, `-- +goose NO TRANSACTION`.
    Goose,
    /// sqlx / golang-migrate: `<v>_<name>.up.sql` + `.down.sql` pairs, or plain
    /// `<v>_<name>.sql` (up only); `-- no-transaction` on the first line.
    Sqlx,
    /// diesel: `<v>_<name>/up.sql`, `down.sql`, `metadata.toml`.
    Diesel,
    /// Flyway / refinery: `V<n>__<name>.sql`, undo `U<n>__<name>.sql`.
    Flyway,
    /// Prisma: `<timestamp>_<name>/migration.sql`, no down scripts.
    Prisma,
    /// drizzle: `NNNN_<tag>.sql` with `--> statement-breakpoint`, no down scripts.
    Drizzle,
}

impl Layout {
    /// Every layout, for help texts and `--layout`.
    pub const ALL: [Layout; 8] = [
        Layout::UpDown,
        Layout::Dbmate,
        Layout::Goose,
        Layout::Sqlx,
        Layout::Diesel,
        Layout::Flyway,
        Layout::Prisma,
        Layout::Drizzle,
    ];

    /// The layout's name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::UpDown => "up-down",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::Flyway => "flyway",
            Layout::Prisma => "prisma",
            Layout::Drizzle => "drizzle",
        }
    }

    /// The layout with this name.
    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A migration version as written, ordered as a number or timestamp.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The version as written in the file or directory name.
    pub text: String,
    /// The sort key: numeric parts, with dashes inside a part dropped, so
    /// `2017-09-23-182408` and `20170923182408` are the same timestamp.
    #[serde(skip)]
    key: Vec<u128>,
    /// What orders versions whose numbers are equal, where the tool allows that: a Prisma
    /// migration's directory name (Prisma orders by it alone, and has no number), a
    /// Flyway repeatable migration's description. Empty elsewhere.
    #[serde(skip)]
    tie: String,
}

impl Version {
    /// Parses a version: digits, optionally separated by `.` or `_` (Flyway) and with
    /// dashes inside (diesel timestamps).
    pub fn parse(text: &str) -> Option<Version> {
        let mut key = Vec::new();
        for part in text.split(['.', '_']) {
            let digits: String = part.chars().filter(|c| *c != '-').collect();
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            key.push(digits.parse().ok()?);
        }
        Some(Version {
            text: text.to_string(),
            key,
            tie: String::new(),
        })
    }

    /// A Prisma migration: Prisma orders migrations by their directory names as
    /// strings (`20250625_x` after `20250604085536_y`), and two may share a timestamp.
    pub fn directory(name: &str) -> Version {
        Version {
            text: name.to_string(),
            key: Vec::new(),
            tie: name.to_string(),
        }
    }

    /// Whether the two have the same number (what `--to 20240304123642` names, whatever
    /// orders versions of equal number).
    pub fn same_number(&self, other: &Version) -> bool {
        self.key == other.key
    }

    /// A Flyway repeatable migration (`R__description.sql`): after every versioned one,
    /// in the order of the descriptions, as Flyway runs them.
    pub fn repeatable(description: &str) -> Version {
        Version {
            text: format!("R__{description}"),
            key: vec![u128::MAX],
            tie: description.to_string(),
        }
    }

    /// A drizzle migration: its position in `meta/_journal.json` orders it; `text` is its
    /// journal tag.
    pub fn journal(text: &str, idx: u128) -> Version {
        Version {
            text: text.to_string(),
            key: vec![idx],
            tie: String::new(),
        }
    }

    /// The version with dashes removed, as diesel records it.
    pub fn canonical(&self) -> String {
        self.key
            .iter()
            .map(u128::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.tie == other.tie
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| self.tie.cmp(&other.tie))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A script: a byte range of a source file (a whole file, or one section of it).
#[derive(Debug, Clone)]
pub struct Script {
    /// The file it is in.
    pub source: Arc<SourceFile>,
    /// Byte offset where the script starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
}

impl Script {
    fn whole(source: Arc<SourceFile>) -> Script {
        let end = source.text.len();
        Script {
            source,
            start: 0,
            end,
        }
    }

    /// The script's text.
    pub fn text(&self) -> &str {
        &self.source.text[self.start..self.end]
    }

    /// The 1-based line of the file where the script starts.
    pub fn first_line(&self) -> u32 {
        self.source.loc_at(self.start).line
    }
}

impl Serialize for Script {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Script", 2)?;
        st.serialize_field("file", &*self.source.path)?;
        st.serialize_field("line", &self.first_line())?;
        st.end()
    }
}

/// One version of a migration set.
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// The version.
    pub version: Version,
    /// The descriptive part of the name (`create_jobs`).
    pub name: String,
    /// The up script.
    pub up: Script,
    /// The down script, when the layout and the author provide one.
    pub down: Option<Script>,
    /// Whether the migration must run outside a transaction.
    pub no_transaction: bool,
}

/// An ordered list of migrations read from one directory.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationSet {
    /// The directory.
    pub dir: PathBuf,
    /// Its layout.
    pub layout: Layout,
    /// Migrations in version order.
    pub migrations: Vec<Migration>,
    /// Entries of the directory that were not read, and why: ones that are neither
    /// regular files nor directories (a FIFO, a socket, a device; never opened), files the
    /// layout's tool ignores too, migrations schemakit cannot read (goose's Go
    /// migrations). [`MigrationSet::notes`] lists them.
    #[serde(skip)]
    pub skipped: Vec<Skipped>,
}

/// An entry of a migration directory that was not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The entry.
    pub path: PathBuf,
    /// Why, as a note prints it (`skipped: a FIFO, not a regular file`).
    pub why: String,
    /// Whether what was not read may change the schema (a warning, not a note).
    pub warning: bool,
}

impl Skipped {
    fn note(path: &Path, why: impl Into<String>) -> Skipped {
        Skipped {
            path: path.to_path_buf(),
            why: why.into(),
            warning: false,
        }
    }
}

type Errors = Vec<Diagnostic>;

fn layout_error(path: &Path, message: impl Into<String>, help: &str) -> Diagnostic {
    Diagnostic::about_path(
        Severity::Error,
        Code::Layout,
        &path.display().to_string(),
        message,
    )
    .with_help(help.to_string())
}

/// The version and name of `<version>_<name>`, with the version made of digits and dashes.
fn split_version(stem: &str) -> Option<(Version, String)> {
    let (v, name) = stem.split_once('_').unwrap_or((stem, ""));
    if !v.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((Version::parse(v)?, name.to_string()))
}

/// The contents of a directory, sorted by name, dotfiles left out.
struct Entries {
    /// Regular files (and entries whose kind cannot be read: reading them reports why).
    files: Vec<PathBuf>,
    /// Directories.
    dirs: Vec<PathBuf>,
    /// Everything else (FIFOs, sockets, devices), with why; never opened, since reading a
    /// FIFO blocks until something writes to it.
    skipped: Vec<Skipped>,
}

fn entries(dir: &Path) -> Result<Entries, Errors> {
    let read = std::fs::read_dir(dir).map_err(|e| {
        vec![layout_error(
            dir,
            format!("cannot read migration directory: {e}"),
            "check that the directory exists and is readable",
        )]
    })?;
    let mut out = Entries {
        files: Vec::new(),
        dirs: Vec::new(),
        skipped: Vec::new(),
    };
    for entry in read.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Follows symbolic links, as reading the file would.
        match std::fs::metadata(&path).map(|m| m.file_type()) {
            Ok(kind) if kind.is_dir() => out.dirs.push(path),
            Ok(kind) if !kind.is_file() => out.skipped.push(Skipped::note(
                &path,
                format!("skipped: {}, not a regular file", special_kind(kind)),
            )),
            _ => out.files.push(path),
        }
    }
    out.files.sort();
    out.dirs.sort();
    out.skipped.sort();
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_sql(p: &Path) -> bool {
    file_name(p).ends_with(".sql")
}

/// A section marker line of a one-file-per-version layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Up,
    Down,
    NoTransaction,
    Other,
}

fn marker(layout: Layout, line: &str) -> Option<Marker> {
    let l = line.trim();
    match layout {
        Layout::UpDown => match l.to_ascii_uppercase().as_str() {
            "-- UP" | "--UP" => Some(Marker::Up),
            "-- DOWN" | "--DOWN" => Some(Marker::Down),
            _ => None,
        },
        Layout::Dbmate => {
            let rest = l.strip_prefix("-- migrate:")?;
            let mut words = rest.split_whitespace();
            let m = match words.next()? {
                "up" => Marker::Up,
                "down" => Marker::Down,
                _ => Marker::Other,
            };
            // `-- migrate:up transaction:false` carries the flag on the marker line.
            if m == Marker::Up && rest.contains("transaction:false") {
                return Some(Marker::NoTransaction);
            }
            Some(m)
        }
        Layout::Goose => {
            let rest = l.strip_prefix("-- +goose")?.trim();
            Some(match rest.to_ascii_lowercase().as_str() {
                "up" => Marker::Up,
                "down" => Marker::Down,
                "no transaction" => Marker::NoTransaction,
                _ => Marker::Other,
            })
        }
        _ => None,
    }
}

/// Reads a file with up and down sections.
fn read_sections(
    layout: Layout,
    path: &Path,
    version: Version,
    name: String,
) -> Result<Migration, Errors> {
    let source = Arc::new(read_file(path).map_err(|d| vec![d])?);
    let text = &source.text;
    let mut up: Option<(usize, usize)> = None;
    let mut down: Option<(usize, usize)> = None;
    let mut no_transaction = false;
    let mut current: Option<Marker> = None;
    let mut offset = 0;
    let mut first_code: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        match marker(layout, line) {
            Some(m @ (Marker::Up | Marker::Down | Marker::NoTransaction)) => {
                let m = if m == Marker::NoTransaction && layout == Layout::Dbmate {
                    no_transaction = true;
                    Marker::Up
                } else if m == Marker::NoTransaction {
                    no_transaction = true;
                    continue;
                } else {
                    m
                };
                let slot = if m == Marker::Up { &mut up } else { &mut down };
                if slot.is_some() {
                    let src_loc = source.loc_at(line_start);
                    return Err(vec![
                        Diagnostic::new(
                            Severity::Error,
                            Code::Layout,
                            format!(
                                "migration {version}: a second {} section marker",
                                if m == Marker::Up { "up" } else { "down" }
                            ),
                            &source,
                            src_loc.with_len(line.trim_end().len()),
                        )
                        .with_help("each file has one up section and at most one down section"),
                    ]);
                }
                *slot = Some((offset, offset));
                current = Some(m);
            }
            Some(_) => {}
            None => {
                let code = line.trim();
                if !code.is_empty()
                    && !code.starts_with("--")
                    && current.is_none()
                    && first_code.is_none()
                {
                    first_code = Some(line_start);
                }
                match current {
                    Some(Marker::Up) => {
                        if let Some(u) = up.as_mut() {
                            u.1 = offset;
                        }
                    }
                    Some(Marker::Down) => {
                        if let Some(d) = down.as_mut() {
                            d.1 = offset;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let up_marker = match layout {
        Layout::UpDown => "-- UP",
        Layout::Dbmate => "-- migrate:up",
        _ => "-- +goose Up",
    };
    let Some(up) = up else {
        return Err(vec![layout_error(
            path,
            format!("migration {version} has no `{up_marker}` section"),
            &format!("start the up script with a `{up_marker}` line"),
        )]);
    };
    if let Some(at) = first_code {
        let loc = source.loc_at(at);
        return Err(vec![
            Diagnostic::new(
                Severity::Error,
                Code::Layout,
                format!(
                    "migration {version}: SQL before the first section marker belongs to no section"
                ),
                &source,
                loc.with_len(1),
            )
            .with_help(format!("move it below `{up_marker}`")),
        ]);
    }
    Ok(Migration {
        version,
        name,
        up: Script {
            source: source.clone(),
            start: up.0,
            end: up.1,
        },
        down: down.map(|(s, e)| Script {
            source: source.clone(),
            start: s,
            end: e,
        }),
        no_transaction,
    })
}

/// Notes for loose files a layout's tool ignores.
fn ignored(files: &[PathBuf], why: &str) -> Vec<Skipped> {
    files
        .iter()
        .map(|f| Skipped::note(f, format!("ignored: {why}")))
        .collect()
}

/// goose runs Go migrations (`<version>_<name>.go`) in version order with the SQL ones.
/// schemakit cannot read Go: the set stops before the first one, with a warning saying
/// where and how many SQL migrations after it are not read.
fn stop_at_go_migrations(
    files: &[PathBuf],
    migrations: &mut Vec<Migration>,
    skipped: &mut Vec<Skipped>,
) {
    let go = files
        .iter()
        .filter(|f| file_name(f).ends_with(".go") && !file_name(f).ends_with("_test.go"))
        .filter_map(|f| {
            let name = file_name(f);
            let (version, _) = split_version(name.trim_end_matches(".go"))?;
            Some((version, f))
        })
        .min_by(|a, b| a.0.cmp(&b.0));
    let Some((first, path)) = go else {
        return;
    };
    let before = migrations.len();
    migrations.retain(|m| m.version < first);
    let dropped = before - migrations.len();
    skipped.push(Skipped {
        path: path.clone(),
        why: format!(
            "goose Go migration {first}: schemakit reads SQL only, so the set is read up to version {first} and stops there ({dropped} SQL migration(s) after it not read)"
        ),
        warning: true,
    });
}

/// Detects the layout of a directory.
fn detect(dir: &Path, files: &[PathBuf], dirs: &[PathBuf]) -> Result<Layout, Errors> {
    let has_file = |name: &str| files.iter().any(|f| file_name(f) == name);
    let sub_with = |name: &str| dirs.iter().filter(|d| d.join(name).is_file()).count();
    let prisma = has_file("migration_lock.toml") || sub_with("migration.sql") > 0;
    let diesel = sub_with("up.sql") > 0;
    let drizzle = dir.join("meta").join("_journal.json").is_file();
    let sql_files: Vec<&PathBuf> = files.iter().filter(|f| is_sql(f)).collect();
    let first_sub = |name: &str| {
        dirs.iter()
            .find(|d| d.join(name).is_file())
            .map_or_else(|| name.to_string(), |d| format!("{}/{name}", file_name(d)))
    };
    let mut candidates: Vec<(Layout, String)> = Vec::new();
    if prisma {
        candidates.push((Layout::Prisma, first_sub("migration.sql")));
    }
    if diesel {
        candidates.push((Layout::Diesel, first_sub("up.sql")));
    }
    if drizzle {
        candidates.push((Layout::Drizzle, "meta/_journal.json".to_string()));
    }
    // A layout of one directory per version (or drizzle's journal) is what its tool reads;
    // the tool ignores loose files beside it (a README, a data script), and so does the
    // reader, listing them.
    if candidates.len() == 1 {
        return Ok(candidates[0].0);
    }
    let mut file_layouts: BTreeMap<&'static str, (Layout, String)> = BTreeMap::new();
    if candidates.is_empty() {
        for f in &sql_files {
            let name = file_name(f);
            let layout = if name.starts_with(['V', 'U', 'R']) && name.contains("__") {
                Layout::Flyway
            } else if name.ends_with(".up.sql") || name.ends_with(".down.sql") {
                Layout::Sqlx
            } else {
                // Read as the layout reader will (a byte-order mark dropped); a file that
                // cannot be read is reported by the reader.
                let text = read_file(f).map(|s| s.text).unwrap_or_default();
                let has = |layout| {
                    text.lines().any(|l| {
                        matches!(marker(layout, l), Some(Marker::Up))
                            || matches!(marker(layout, l), Some(Marker::NoTransaction))
                                && layout == Layout::Dbmate
                    })
                };
                if has(Layout::Dbmate) {
                    Layout::Dbmate
                } else if has(Layout::Goose) {
                    Layout::Goose
                } else if has(Layout::UpDown) {
                    Layout::UpDown
                } else if text.contains("--> statement-breakpoint") {
                    Layout::Drizzle
                } else {
                    Layout::Sqlx
                }
            };
            file_layouts.entry(layout.name()).or_insert((layout, name));
        }
    }
    if sql_files.is_empty() && candidates.is_empty() {
        return Err(vec![layout_error(
            dir,
            "no migrations found",
            "a migration directory holds .sql files or one directory per version (diesel, Prisma)",
        )]);
    }
    let mut all: Vec<(Layout, String)> = candidates;
    all.extend(file_layouts.into_values());
    // Plain sqlx files may sit beside .up/.down pairs: that is one layout.
    all.dedup_by_key(|(l, _)| *l);
    if all.len() > 1 {
        let list: Vec<String> = all
            .iter()
            .map(|(l, example)| format!("{l} (e.g. {example})"))
            .collect();
        return Err(vec![layout_error(
            dir,
            format!(
                "mixed migration layouts in one directory: {}",
                list.join(", ")
            ),
            "keep one tool's layout per directory, or name the layout with --layout",
        )]);
    }
    Ok(all[0].0)
}

impl MigrationSet {
    /// Reads a migration directory in the given layout, or the detected one.
    pub fn read(dir: &Path, layout: Option<Layout>) -> Result<MigrationSet, Errors> {
        let Entries {
            files,
            dirs,
            skipped,
        } = entries(dir)?;
        let layout = match layout {
            Some(l) => l,
            None => detect(dir, &files, &dirs)?,
        };
        let mut skipped = skipped;
        let mut migrations = match layout {
            Layout::UpDown | Layout::Dbmate | Layout::Goose => read_section_files(layout, &files)?,
            Layout::Sqlx => read_sqlx(&files)?,
            Layout::Diesel => {
                skipped.extend(ignored(&files, "diesel reads only version directories"));
                read_diesel(&dirs)?
            }
            Layout::Flyway => read_flyway(&files)?,
            Layout::Prisma => {
                let loose = files
                    .iter()
                    .filter(|f| file_name(f) != "migration_lock.toml")
                    .cloned()
                    .collect::<Vec<_>>();
                skipped.extend(ignored(&loose, "Prisma reads only migration directories"));
                read_prisma(&dirs)?
            }
            Layout::Drizzle => read_drizzle(dir, &files, &mut skipped)?,
        };
        migrations.sort_by(|a, b| a.version.cmp(&b.version));
        if layout == Layout::Goose {
            stop_at_go_migrations(&files, &mut migrations, &mut skipped);
        }
        skipped.sort();
        let mut errors = Vec::new();
        for pair in migrations.windows(2) {
            if pair[0].version == pair[1].version {
                errors.push(layout_error(
                    Path::new(&*pair[1].up.source.path),
                    format!(
                        "duplicate migration version {} (also `{}`)",
                        pair[1].version, pair[0].up.source.path
                    ),
                    "give every migration its own version",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if migrations.is_empty() {
            return Err(vec![layout_error(
                dir,
                format!("no migrations found in the {layout} layout"),
                "check the file names against the layout",
            )]);
        }
        Ok(MigrationSet {
            dir: dir.to_path_buf(),
            layout,
            migrations,
            skipped,
        })
    }

    /// Applies every up script in order and returns the final model. Each down script is
    /// read too, applied to the model right after its up, and checked offline: a down
    /// that does not bring the model back to where it was before the up is a warning.
    /// Files of the directory that were skipped come first, as notes.
    pub fn fold_up(&self) -> Parsed {
        self.fold_up_with(|_, _| {})
    }

    /// [`MigrationSet::fold_up`], calling `before_up` with each migration and the model as
    /// it is just before that migration's up script.
    ///
    /// Reading is linear in the size of the set: the down check records the entries the
    /// up and down scripts touch and compares and restores only those.
    pub fn fold_up_with(&self, mut before_up: impl FnMut(&Migration, &Schema)) -> Parsed {
        let mut folder = Folder::new();
        folder.diagnostics = self.notes();
        let mut statements = Vec::new();
        let mut from_downs = std::collections::BTreeSet::new();
        // Every script is split first, so that the statements of the whole set are read
        // ahead on the cores across files (most migrations are a few statements) while
        // this thread applies them in order.
        let splits: Vec<_> = self
            .migrations
            .iter()
            .map(|m| {
                let up = fold::split_range(&m.up.source, m.up.start, m.up.end);
                let down = m
                    .down
                    .as_ref()
                    .map(|d| (d, fold::split_range(&d.source, d.start, d.end)));
                (m, up, down)
            })
            .collect();
        let mut texts = Vec::new();
        for (m, up, down) in &splits {
            texts.extend(fold::texts(&m.up.source, up));
            if let Some((d, split)) = down {
                texts.extend(fold::texts(&d.source, split));
            }
        }
        fold::read_ahead(&texts, |reads| {
            for (m, up_split, down) in &splits {
                before_up(m, folder.schema());
                let Some((down, down_split)) = down else {
                    statements.extend(folder.apply_split(&m.up.source, up_split, reads));
                    continue;
                };
                folder.start_journal();
                statements.extend(folder.apply_split(&m.up.source, up_split, reads));
                let up = folder.take_journal();
                let seen = folder.diagnostics.len();
                let (before, after) = folder.trial_split(&up, &down.source, down_split, reads);
                from_downs.extend(seen..folder.diagnostics.len());
                let down_failed = folder.diagnostics[seen..].iter().any(Diagnostic::is_error);
                let changes = crate::model::diff::diff(&before, &after);
                if !down_failed && !changes.is_empty() {
                    let loc = down.source.loc_at(down.start);
                    folder.diagnostics.push(
                        Diagnostic::new(
                            Severity::Warning,
                            Code::Irreversible,
                            format!(
                                "migration {}: the down script does not restore the schema as it was before the up (before the up → after the down): {}",
                                m.version,
                                crate::model::diff::listing(&changes)
                            ),
                            &down.source,
                            loc.with_len(1),
                        )
                        .with_help("make the down script undo exactly what the up script does"),
                    );
                }
            }
        });
        let (schema, diagnostics) = folder.finish();
        Parsed {
            schema,
            statements,
            diagnostics,
            from_downs,
        }
    }

    /// A note (or a warning, when what was not read may change the schema) for each
    /// entry of the directory that was not read.
    pub fn notes(&self) -> Vec<Diagnostic> {
        self.skipped
            .iter()
            .map(|s| {
                let (severity, help) = if s.warning {
                    (
                        Severity::Warning,
                        "schemakit reads SQL only; what this migration does, and every migration after it, is not in the model",
                    )
                } else {
                    (
                        Severity::Note,
                        "schemakit reads what the layout's tool reads; move the entry out of the migration directory to silence this note",
                    )
                };
                Diagnostic::about_path(
                    severity,
                    Code::Layout,
                    &s.path.display().to_string(),
                    s.why.clone(),
                )
                .with_help(help)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn versions_sort_as_numbers_not_strings() {
        let mut v: Vec<Version> = ["10", "9", "0002", "100"]
            .iter()
            .filter_map(|s| Version::parse(s))
            .collect();
        v.sort();
        let texts: Vec<&str> = v.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(texts, ["0002", "9", "10", "100"]);
    }

    #[test]
    fn dashed_and_undashed_timestamps_compare_by_digits() {
        let a = Version::parse("2017-09-23-182408").unwrap_or_else(|| unreachable!());
        let b = Version::parse("20170923182409").unwrap_or_else(|| unreachable!());
        assert!(a < b);
        assert_eq!(a.canonical(), "20170923182408");
    }

    #[test]
    fn flyway_versions_compare_part_by_part() {
        let a = Version::parse("1.10").unwrap_or_else(|| unreachable!());
        let b = Version::parse("1.9").unwrap_or_else(|| unreachable!());
        assert!(b < a);
    }
}
