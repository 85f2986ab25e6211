//! The files of a set's next migration, in the set's own layout: the writing side of
//! [`MigrationSet::read`]. A pure function of the set, the scripts and a moment given by
//! the caller: nothing here writes a file or reads the clock.
//!
//! The version follows the set's convention: 14-digit timestamps (dbmate, golang-migrate,
//! Prisma) give a timestamp of the moment, later than the set's last version; small
//! zero-padded numbers (`001`, `00001`, drizzle's `0000`) the next number in the same
//! width; Flyway's `V<n>` gives `V<n+1>`; diesel versions are `YYYY-MM-DD-HHMMSS`.

use std::path::PathBuf;

use super::{Layout, MigrationSet, Script, SourceFile, marker, readers};
use crate::front::split;

/// A moment: seconds since the Unix epoch, UTC. The caller reads the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The moment of a 14-digit `YYYYMMDDHHMMSS` version, when it is a real date and time.
    fn from_digits(digits: &str) -> Option<Timestamp> {
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| digits[r].parse::<u64>().ok();
        let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
        let (h, mi, s) = (n(8..10)?, n(10..12)?, n(12..14)?);
        if !(1970..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 59
        {
            return None;
        }
        Some(Timestamp(
            days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s,
        ))
    }

    /// Year, month, day, hour, minute, second.
    fn civil(self) -> (u64, u64, u64, u64, u64, u64) {
        let (days, secs) = (self.0 / 86_400, self.0 % 86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
    }

    /// `YYYYMMDDHHMMSS`.
    fn digits(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
    }

    /// `YYYY-MM-DD-HHMMSS`, as diesel names its migrations.
    fn dashed(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}-{h:02}{mi:02}{s:02}")
    }
}

fn is_leap(y: u64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date from 1970 on (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// Why the next migration cannot be written in the set's layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The migration's name cannot be part of a file name.
    #[error("migration name `{name}`: {why}")]
    Name {
        /// The name given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A down script for a set that keeps none.
    #[error(
        "the {layout} set keeps no down scripts ({why}); the down cannot be written beside the up"
    )]
    NoDowns {
        /// The set's layout.
        layout: Layout,
        /// Why it keeps none.
        why: &'static str,
    },
    /// The layout cannot say whether the migration runs in a transaction as asked.
    #[error("{0}")]
    Transaction(String),
    /// A line of a script that the layout's reader would take for a section marker.
    #[error(
        "line `{line}` of the {script} script reads as a {layout} section marker; the written file would not read back as written"
    )]
    Marker {
        /// The layout.
        layout: Layout,
        /// `up` or `down`.
        script: &'static str,
        /// The line.
        line: String,
    },
    /// A script the splitter cannot split (an unterminated quote or comment).
    #[error("the {script} script cannot be split into statements: {message}")]
    Split {
        /// `up` or `down`.
        script: &'static str,
        /// The splitter's message.
        message: String,
    },
    /// The set's versions follow no convention the writer knows.
    #[error("cannot tell the next version after `{last}`: {why}")]
    Version {
        /// The set's last version.
        last: String,
        /// Why.
        why: String,
    },
    /// drizzle's `meta/_journal.json` cannot be read or extended.
    #[error("{path}: {why}")]
    Journal {
        /// The journal.
        path: String,
        /// Why.
        why: String,
    },
}

/// One file of a new migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Where it goes (inside the set's directory).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Whether it replaces an existing file (drizzle's journal, with the new entry):
    /// every other file is new, and must not exist yet.
    pub replaces: bool,
}

/// The files of a set's next migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMigration {
    /// Its version, as written in its file or directory name (drizzle: its tag's number;
    /// Prisma: its directory name).
    pub version: String,
    /// The files, in the order to write them (a directory's files, then a journal).
    pub files: Vec<NewFile>,
}

/// Whether a new migration of `set` has a place for a down script: not in Prisma and
/// drizzle sets (their tools have no downs), nor in a sqlx set of plain files only (a
/// forward-only set: sqlx-cli keeps a set's migrations of one kind).
pub fn keeps_downs(set: &MigrationSet) -> bool {
    no_downs_why(set).is_none()
}

fn no_downs_why(set: &MigrationSet) -> Option<&'static str> {
    match set.layout {
        Layout::Prisma => Some("Prisma has no down migrations"),
        Layout::Drizzle => Some("drizzle has no down migrations"),
        Layout::Sqlx if set.migrations.iter().all(|m| m.down.is_none()) => {
            Some("its migrations are plain .sql files without .down.sql")
        }
        _ => None,
    }
}

/// The files of the next migration of `set`, named `name`, with `up` and `down` (which
/// must be `None` where [`keeps_downs`] says the set has no place for one), marked to run
/// outside a transaction when `no_transaction`, its version made from `now` where the set
/// uses timestamps. Reading the directory back with [`MigrationSet::read`] gives the set
/// with this migration last, with these scripts and this flag.
pub fn next_migration(
    set: &MigrationSet,
    name: &str,
    up: &str,
    down: Option<&str>,
    no_transaction: bool,
    now: Timestamp,
) -> Result<NewMigration, WriteError> {
    check_name(name)?;
    if let (Some(_), Some(why)) = (down, no_downs_why(set)) {
        return Err(WriteError::NoDowns {
            layout: set.layout,
            why,
        });
    }
    let layout = set.layout;
    for (script, text) in [("up", Some(up)), ("down", down)] {
        let Some(text) = text else { continue };
        if let Some(line) = text.lines().find(|l| is_marker_line(layout, l)) {
            return Err(WriteError::Marker {
                layout,
                script,
                line: line.trim().to_string(),
            });
        }
    }
    let up = tidy(up);
    let down = down.map(tidy);
    let dir = &set.dir;
    let version = next_version(set, now)?;
    let stem = format!("{version}_{name}");
    let outside = |why: &str| {
        Err(WriteError::Transaction(format!(
            "the {layout} layout {why}; the migration must run outside a transaction"
        )))
    };
    let file = |path: PathBuf, text: String| NewFile {
        path,
        text,
        replaces: false,
    };
    let mut files = Vec::new();
    match layout {
        Layout::Sqlx => {
            let up = if no_transaction {
                format!("-- no-transaction\n{up}")
            } else {
                up
            };
            match down {
                // A migration without a down is a plain file, as sqlx-cli writes one.
                None => files.push(file(dir.join(format!("{stem}.sql")), up)),
                Some(down) => {
                    files.push(file(dir.join(format!("{stem}.up.sql")), up));
                    files.push(file(dir.join(format!("{stem}.down.sql")), down));
                }
            }
        }
        Layout::UpDown => {
            if no_transaction {
                return outside("has no marker for a migration that runs outside a transaction");
            }
            let mut text = format!("-- UP\n{up}");
            if let Some(down) = down {
                text.push_str(&format!("\n-- DOWN\n{down}"));
            }
            files.push(file(dir.join(format!("{stem}.sql")), text));
        }
        Layout::Dbmate => {
            let flag = if no_transaction {
                " transaction:false"
            } else {
                ""
            };
            let mut text = format!("-- migrate:up{flag}\n{up}");
            if let Some(down) = down {
                text.push_str(&format!("\n-- migrate:down\n{down}"));
            }
            files.push(file(dir.join(format!("{stem}.sql")), text));
        }
        Layout::Goose => {
            let mut text = String::new();
            if no_transaction {
                text.push_str("-- +goose NO TRANSACTION\n");
            }
            text.push_str(&format!("-- +goose Up\n{}", goose_body(&up, "up")?));
            if let Some(down) = &down {
                text.push_str(&format!("\n-- +goose Down\n{}", goose_body(down, "down")?));
            }
            files.push(file(dir.join(format!("{stem}.sql")), text));
        }
        Layout::Diesel => {
            let sub = dir.join(&stem);
            files.push(file(sub.join("up.sql"), up));
            if let Some(down) = down {
                files.push(file(sub.join("down.sql"), down));
            }
            if no_transaction {
                files.push(file(
                    sub.join("metadata.toml"),
                    "run_in_transaction = false\n".to_string(),
                ));
            }
        }
        Layout::Flyway => {
            implied_transaction(layout, &up, no_transaction)?;
            files.push(file(dir.join(format!("V{version}__{name}.sql")), up));
            if let Some(down) = down {
                files.push(file(dir.join(format!("U{version}__{name}.sql")), down));
            }
        }
        Layout::Prisma => {
            implied_transaction(layout, &up, no_transaction)?;
            files.push(file(dir.join(&stem).join("migration.sql"), up));
        }
        Layout::Drizzle => {
            if no_transaction {
                return outside("runs every migration in a transaction (drizzle-kit migrate)");
            }
            let body = segments(&up, "up")?.join("\n--> statement-breakpoint\n");
            files.push(file(dir.join(format!("{stem}.sql")), format!("{body}\n")));
            let journal = dir.join("meta").join("_journal.json");
            if journal.is_file() {
                let text = std::fs::read_to_string(&journal).map_err(|e| WriteError::Journal {
                    path: journal.display().to_string(),
                    why: format!("cannot read it: {e}"),
                })?;
                let when = now.0.saturating_mul(1000);
                let new =
                    journal_with_entry(&text, &stem, when).map_err(|why| WriteError::Journal {
                        path: journal.display().to_string(),
                        why,
                    })?;
                files.push(NewFile {
                    path: journal,
                    text: new,
                    replaces: true,
                });
            }
        }
    }
    Ok(NewMigration { version, files })
}

/// A name that is part of a file name in every layout: letters, digits, `_` and `-`.
fn check_name(name: &str) -> Result<(), WriteError> {
    let bad = |why| {
        Err(WriteError::Name {
            name: name.to_string(),
            why,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return bad("use ASCII letters, digits, `_` and `-` only");
    }
    if name.starts_with(|c: char| c.is_ascii_digit() || c == '_' || c == '-') {
        return bad("start it with a letter, so it does not read as part of the version");
    }
    Ok(())
}

/// Whether a script line would read as a marker of the layout's sections (or, in goose, any
/// `-- +goose` annotation).
fn is_marker_line(layout: Layout, line: &str) -> bool {
    match layout {
        Layout::UpDown | Layout::Dbmate | Layout::Goose => marker(layout, line).is_some(),
        Layout::Sqlx => line.trim() == "-- no-transaction",
        Layout::Drizzle => line.contains("--> statement-breakpoint"),
        Layout::Diesel | Layout::Flyway | Layout::Prisma => false,
    }
}

/// A script's text without leading or trailing blank lines, ending in one newline.
fn tidy(text: &str) -> String {
    let trimmed = text.trim_end();
    let start = trimmed
        .split_inclusive('\n')
        .take_while(|l| l.trim().is_empty())
        .map(str::len)
        .sum::<usize>();
    format!("{}\n", &trimmed[start..])
}

/// Flyway and Prisma have no marker for a migration outside a transaction: their tools
/// (and the reader) decide from the statements. `no_transaction` must be what they decide.
fn implied_transaction(layout: Layout, up: &str, no_transaction: bool) -> Result<(), WriteError> {
    let script = Script::whole(std::sync::Arc::new(SourceFile::new("up", up)));
    let implied = readers::runs_outside_transaction(&script);
    if implied == no_transaction {
        return Ok(());
    }
    Err(WriteError::Transaction(if no_transaction {
        format!(
            "the {layout} layout has no marker for a migration that runs outside a transaction: its tool decides from the statements (CREATE INDEX CONCURRENTLY, VACUUM, …), and none of the up script's is one of them"
        )
    } else {
        format!(
            "the {layout} layout runs a migration holding CREATE INDEX CONCURRENTLY, VACUUM or the like outside a transaction, and the up script has one, but it was to run in a transaction"
        )
    }))
}

/// The statements of a script, each with the comments before it and its closing `;`.
fn segments<'t>(text: &'t str, script: &'static str) -> Result<Vec<&'t str>, WriteError> {
    let chunks = split::split(text).map_err(|e| WriteError::Split {
        script,
        message: e.message,
    })?;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for c in &chunks {
        let end = after_semicolon(text, c.end);
        ranges.push((from, end));
        from = end;
    }
    // Comments after the last statement stay with it.
    match ranges.last_mut() {
        Some(last) => last.1 = text.len(),
        None => ranges.push((0, text.len())),
    }
    Ok(ranges
        .into_iter()
        .map(|(a, b)| text[a..b].trim())
        .filter(|s| !s.is_empty())
        .collect())
}

/// Just past the `;` that closes a statement whose code ends at `end` (blanks and
/// comments may come between); `end` itself when none does.
fn after_semicolon(text: &str, end: usize) -> usize {
    let mut i = end;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b';' => return i + 1,
            b if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            _ => break,
        }
    }
    end
}

/// A goose section: each statement that holds a line ending in `;` before its own end (a
/// function body in dollar quotes) between `StatementBegin` and `StatementEnd`, since
/// goose ends a statement at any line ending in `;` and knows no dollar quotes.
fn goose_body(text: &str, script: &'static str) -> Result<String, WriteError> {
    let mut out = String::new();
    for segment in segments(text, script)? {
        let lines: Vec<&str> = segment.lines().collect();
        let ends_early = lines[..lines.len().saturating_sub(1)].iter().any(|l| {
            let code = l.split("--").next().unwrap_or_default();
            code.trim_end().ends_with(';')
        });
        if ends_early {
            out.push_str(&format!(
                "-- +goose StatementBegin\n{segment}\n-- +goose StatementEnd\n"
            ));
        } else {
            out.push_str(&format!("{segment}\n"));
        }
    }
    Ok(out)
}

/// The next version of `set`, in its convention.
fn next_version(set: &MigrationSet, now: Timestamp) -> Result<String, WriteError> {
    // Flyway's repeatable migrations have no version; the versioned ones decide.
    let last = set
        .migrations
        .iter()
        .rev()
        .find(|m| !(set.layout == Layout::Flyway && m.version.text.starts_with("R__")))
        .map(|m| m.version.text.as_str());
    let Some(last) = last else {
        return Ok(match set.layout {
            Layout::Diesel => now.dashed(),
            Layout::Flyway => "1".to_string(),
            Layout::Drizzle => "0000".to_string(),
            _ => now.digits(),
        });
    };
    let error = |why: &str| WriteError::Version {
        last: last.to_string(),
        why: why.to_string(),
    };
    match set.layout {
        Layout::Diesel => {
            let digits: String = last.chars().filter(|c| *c != '-').collect();
            Ok(later_timestamp(&digits, now).dashed())
        }
        Layout::Prisma => {
            // Prisma orders by the whole directory name, as a string.
            let version = later_timestamp(leading_digits(last), now).digits();
            if version.as_str() > last {
                Ok(version)
            } else {
                Err(error(
                    "Prisma orders migrations by directory name, and a timestamp of now would not come after it",
                ))
            }
        }
        Layout::Flyway => {
            let first = last.split(['.', '_']).next().unwrap_or(last);
            if first.len() == 14 {
                return Ok(later_timestamp(first, now).digits());
            }
            next_number(first).ok_or_else(|| error("Flyway versions start with a number"))
        }
        _ if last.len() == 14 && last.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(later_timestamp(last, now).digits())
        }
        _ => next_number(last).ok_or_else(|| {
            error("versions are neither 14-digit timestamps nor numbers; name the version by hand")
        }),
    }
}

/// The digits a Prisma directory name starts with.
fn leading_digits(name: &str) -> &str {
    let end = name
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(name.len());
    &name[..end]
}

/// `now`, or a second after `last` (14 digits) when `now` is not later.
fn later_timestamp(last: &str, now: Timestamp) -> Timestamp {
    match Timestamp::from_digits(last) {
        Some(t) if now <= t => Timestamp(t.0 + 1),
        Some(_) => now,
        // Not a real moment (`00000000000000`, diesel's setup): later by digits.
        None => match last.parse::<u64>() {
            Ok(n) if now.digits().parse::<u64>().unwrap_or(0) <= n => {
                Timestamp::from_digits(&format!("{:014}", n + 1)).unwrap_or(now)
            }
            _ => now,
        },
    }
}

/// The number after `last`, in its width (`009` → `010`, `99` → `100`).
fn next_number(last: &str) -> Option<String> {
    if last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u128 = last.parse().ok()?;
    Some(format!("{:0width$}", n + 1, width = last.len()))
}

/// drizzle's journal with an entry for `tag` appended, in the style of the file (compact
/// or indented as it is): the text is extended, not rewritten, so nothing else changes.
fn journal_with_entry(text: &str, tag: &str, when: u64) -> Result<String, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let entries = doc
        .get("entries")
        .and_then(serde_json::Value::as_array)
        .ok_or("no `entries` array")?;
    let idx = entries
        .iter()
        .filter_map(|e| e.get("idx").and_then(serde_json::Value::as_u64))
        .max()
        .map_or(entries.len() as u64, |i| i + 1);
    // drizzle-kit applies the entries later than the last one applied: `when` grows.
    let when = entries
        .iter()
        .filter_map(|e| e.get("when").and_then(serde_json::Value::as_u64))
        .max()
        .map_or(when, |last| when.max(last + 1));
    let version = entries
        .last()
        .and_then(|e| e.get("version"))
        .or(doc.get("version"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("7");
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        idx: u64,
        version: &'a str,
        when: u64,
        tag: &'a str,
        breakpoints: bool,
    }
    let entry = Entry {
        idx,
        version,
        when,
        tag,
        breakpoints: true,
    };
    let span = entries_span(text).ok_or("cannot find the `entries` array in the text")?;
    let mut out = String::with_capacity(text.len() + 200);
    let inner = &text[span.open + 1..span.close];
    if !inner.contains('\n') {
        let json = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
        let comma = if span.last_end.is_some() { "," } else { "" };
        let at = span.last_end.unwrap_or(span.open + 1);
        out.push_str(&text[..at]);
        out.push_str(comma);
        out.push_str(&json);
        out.push_str(&text[at..]);
        return Ok(out);
    }
    // Indented: the new entry indented as the last one is (or one step in from the array).
    let line_indent = |at: usize| {
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let line = &text[line_start..];
        line[..line.len() - line.trim_start().len()].to_string()
    };
    let array_indent = line_indent(span.open);
    let (base, step) = match span.last_start {
        Some(start) => {
            let base = line_indent(start);
            let step = base
                .strip_prefix(array_indent.as_str())
                .unwrap_or("  ")
                .to_string();
            (base, step)
        }
        None => (format!("{array_indent}  "), "  ".to_string()),
    };
    let step = if step.is_empty() { "  " } else { &step };
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(step.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(&entry, &mut ser).map_err(|e| e.to_string())?;
    let json = String::from_utf8(buf).map_err(|e| e.to_string())?;
    let json = json.replace('\n', &format!("\n{base}"));
    match span.last_end {
        Some(at) => {
            out.push_str(&text[..at]);
            out.push_str(&format!(",\n{base}{json}"));
            out.push_str(&text[at..]);
        }
        None => {
            let at = span.open + 1;
            out.push_str(&text[..at]);
            out.push_str(&format!("\n{base}{json}\n{array_indent}"));
            out.push_str(text[at..].trim_start());
        }
    }
    Ok(out)
}

/// Where the top-level `entries` array of a journal is: its brackets, and its last
/// element's first byte and the byte after it.
struct EntriesSpan {
    open: usize,
    close: usize,
    last_start: Option<usize>,
    last_end: Option<usize>,
}

/// Finds the top-level `"entries": [ … ]` of a JSON document by scanning its text (strings
/// skipped, nesting counted).
fn entries_span(text: &str) -> Option<EntriesSpan> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut last_string: Option<(usize, usize)> = None;
    let mut span: Option<EntriesSpan> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_string = Some((start, i.min(bytes.len())));
                i += 1;
                continue;
            }
            b'{' | b'[' => {
                if let Some(s) = &mut span {
                    if depth == 2 {
                        s.last_start = Some(i);
                    }
                } else if depth == 1
                    && bytes[i] == b'['
                    && last_string.is_some_and(|(a, b)| &text[a..b] == "entries")
                {
                    span = Some(EntriesSpan {
                        open: i,
                        close: i,
                        last_start: None,
                        last_end: None,
                    });
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if let Some(s) = &mut span {
                    if depth == 2 {
                        s.last_end = Some(i + 1);
                    } else if depth == 1 {
                        s.close = i;
                        return span;
                    }
                }
            }
            b',' | b':' => {}
            b if b.is_ascii_whitespace() => {}
            _ => {
                // A number or literal: an element of the array when at its depth.
                if let Some(s) = &mut span {
                    if depth == 2 {
                        s.last_start = Some(i);
                        while i < bytes.len() && !b",]} \t\r\n".contains(&bytes[i]) {
                            i += 1;
                        }
                        s.last_end = Some(i);
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
