//! A migration directory built from fuzzer bytes, written to a temporary directory and
//! read through every layout reader (and layout detection), then folded and linted.
//! Reading must never panic, whatever the file names and contents.
//!
//! File names are assembled from the pieces the layouts look for (`V`, versions,
//! `__`, `.up.sql`, `up.sql` inside a version directory, …) mixed with free text and raw
//! bytes, and contents from the layouts' marker lines mixed with SQL, so the fuzzer
//! reaches the readers' branches instead of only their "unexpected file" errors.

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use schema::migrations::{Layout, MigrationSet};
use schema::{diagnostic, lint};

#[derive(Debug, Arbitrary)]
struct Input {
    /// `None` detects the layout, as `schemakit parse DIR` does; otherwise an index
    /// into `Layout::ALL`. Every layout is tried as well, this one first.
    layout: Option<u8>,
    entries: Vec<Entry>,
    rerunnable: bool,
}

#[derive(Debug, Arbitrary)]
struct Entry {
    name: Name,
    /// Put the file inside a directory of this name (diesel, Prisma).
    inner: Option<Inner>,
    contents: Vec<Line>,
}

#[derive(Debug, Arbitrary)]
enum Name {
    Built {
        prefix: Prefix,
        version: Version,
        sep: Sep,
        desc: String,
        suffix: Suffix,
    },
    Free(String),
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum Prefix {
    None,
    V,
    U,
    R,
    Lower,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Version {
    Number(u64),
    Padded(u8, u32),
    Timestamp(u16, u8, u8, u32),
    Dashed(u16, u8, u8, u32),
    Dotted(Vec<u16>),
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Sep {
    None,
    Underscore,
    Double,
    Dash,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Suffix {
    Sql,
    Up,
    Down,
    None,
    Toml,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Inner {
    Up,
    Down,
    Metadata,
    Migration,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Line {
    Marker(Marker),
    Sql(Sql),
    Free(String),
    Raw(Vec<u8>),
    Bom,
}

#[derive(Debug, Arbitrary)]
enum Marker {
    Up,
    Down,
    DbmateUp,
    DbmateDown,
    DbmateNoTx,
    GooseUp,
    GooseDown,
    GooseNoTx,
    GooseBegin,
    GooseEnd,
    NoTx,
    Breakpoint,
    RunInTransaction(bool),
}

#[derive(Debug, Arbitrary)]
enum Sql {
    CreateTable(u8),
    DropTable(u8),
    AddColumn(u8),
    CreateIndex(u8),
    CreateType(u8),
    Comment,
    Begin,
    Commit,
}

impl Name {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Name::Built {
                prefix,
                version,
                sep,
                desc,
                suffix,
            } => {
                let prefix = match prefix {
                    Prefix::None => "",
                    Prefix::V => "V",
                    Prefix::U => "U",
                    Prefix::R => "R",
                    Prefix::Lower => "v",
                    Prefix::Free(s) => s,
                };
                let version = match version {
                    Version::Number(n) => n.to_string(),
                    Version::Padded(w, n) => format!("{n:0width$}", width = usize::from(*w % 20)),
                    Version::Timestamp(y, m, d, t) => format!("{y:04}{m:02}{d:02}{t:06}"),
                    Version::Dashed(y, m, d, t) => format!("{y:04}-{m:02}-{d:02}-{t:06}"),
                    Version::Dotted(parts) => parts
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join("."),
                    Version::Free(s) => s.clone(),
                };
                let sep = match sep {
                    Sep::None => "",
                    Sep::Underscore => "_",
                    Sep::Double => "__",
                    Sep::Dash => "-",
                    Sep::Free(s) => s,
                };
                let suffix = match suffix {
                    Suffix::Sql => ".sql",
                    Suffix::Up => ".up.sql",
                    Suffix::Down => ".down.sql",
                    Suffix::None => "",
                    Suffix::Toml => ".toml",
                    Suffix::Free(s) => s,
                };
                format!("{prefix}{version}{sep}{desc}{suffix}").into_bytes()
            }
            Name::Free(s) => s.clone().into_bytes(),
            Name::Raw(b) => b.clone(),
        }
    }
}

impl Inner {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Inner::Up => b"up.sql".to_vec(),
            Inner::Down => b"down.sql".to_vec(),
            Inner::Metadata => b"metadata.toml".to_vec(),
            Inner::Migration => b"migration.sql".to_vec(),
            Inner::Free(s) => s.clone().into_bytes(),
        }
    }
}

impl Line {
    fn write(&self, out: &mut Vec<u8>) {
        let text: String = match self {
            Line::Marker(m) => match m {
                Marker::Up => "-- UP",
                Marker::Down => "-- DOWN",
                Marker::DbmateUp => "-- migrate:up",
                Marker::DbmateDown => "-- migrate:down",
                Marker::DbmateNoTx => "-- migrate:up transaction:false",
                Marker::GooseUp => "-- +goose Up",
                Marker::GooseDown => "-- +goose Down",
                Marker::GooseNoTx => "-- +goose NO TRANSACTION",
                Marker::GooseBegin => "-- +goose StatementBegin",
                Marker::GooseEnd => "-- +goose StatementEnd",
                Marker::NoTx => "-- no-transaction",
                Marker::Breakpoint => "--> statement-breakpoint",
                Marker::RunInTransaction(true) => "run_in_transaction = true",
                Marker::RunInTransaction(false) => "run_in_transaction = false",
            }
            .to_string(),
            Line::Sql(s) => match s {
                Sql::CreateTable(n) => format!("CREATE TABLE t{n} (id bigint PRIMARY KEY);"),
                Sql::DropTable(n) => format!("DROP TABLE t{n};"),
                Sql::AddColumn(n) => format!("ALTER TABLE t{n} ADD COLUMN c{n} text NOT NULL;"),
                Sql::CreateIndex(n) => format!("CREATE INDEX i{n} ON t{n} (id);"),
                Sql::CreateType(n) => format!("CREATE TYPE e{n} AS ENUM ('a', 'b');"),
                Sql::Comment => "-- a comment".to_string(),
                Sql::Begin => "BEGIN;".to_string(),
                Sql::Commit => "COMMIT;".to_string(),
            },
            Line::Free(s) => s.clone(),
            Line::Raw(b) => {
                out.extend_from_slice(b);
                return;
            }
            Line::Bom => {
                out.extend_from_slice("\u{feff}".as_bytes());
                return;
            }
        };
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    }
}

/// A file or directory name the file system accepts: no `/`, no NUL, not `.` or `..`,
/// at most 255 bytes.
fn file_name(mut bytes: Vec<u8>) -> Option<OsString> {
    bytes.retain(|b| *b != b'/' && *b != 0);
    bytes.truncate(255);
    if bytes.is_empty() || bytes == b"." || bytes == b".." {
        return None;
    }
    Some(OsString::from_vec(bytes))
}

fn write_entries(dir: &Path, entries: &[Entry]) {
    for e in entries {
        let Some(name) = file_name(e.name.bytes()) else {
            continue;
        };
        let mut contents = Vec::new();
        for line in &e.contents {
            line.write(&mut contents);
        }
        let path = match &e.inner {
            None => dir.join(name),
            Some(inner) => {
                let Some(inner) = file_name(inner.bytes()) else {
                    continue;
                };
                let sub = dir.join(name);
                // A file of the same name may be there already: then this entry is lost.
                if std::fs::create_dir_all(&sub).is_err() {
                    continue;
                }
                sub.join(inner)
            }
        };
        // Writing over a directory fails; the fuzzer's input is then simply smaller.
        let _ = std::fs::write(path, contents);
    }
}

fn read(dir: &Path, layout: Option<Layout>, opts: &lint::Options) {
    match MigrationSet::read(dir, layout) {
        Ok(set) => {
            let parsed = set.fold_up();
            let _ = diagnostic::render_plain(&parsed.diagnostics);
            let _ = lint::lint(&set, opts);
        }
        Err(diagnostics) => {
            let _ = diagnostic::render_plain(&diagnostics);
        }
    }
}

fuzz_target!(|input: Input| {
    let Ok(tmp) = tempfile::tempdir() else {
        return;
    };
    let dir = tmp.path().join("migrations");
    if std::fs::create_dir(&dir).is_err() {
        return;
    }
    write_entries(&dir, &input.entries);
    let opts = lint::Options {
        enable: ["prefer-text", "timestamp-without-time-zone"]
            .into_iter()
            .map(String::from)
            .collect(),
        rerunnable: input.rerunnable,
        ..lint::Options::default()
    };
    let first = input
        .layout
        .map(|i| Layout::ALL[usize::from(i) % Layout::ALL.len()]);
    read(&dir, first, &opts);
    for layout in Layout::ALL {
        if Some(layout) != first {
            read(&dir, Some(layout), &opts);
        }
    }
    if first.is_some() {
        read(&dir, None, &opts);
    }
});
