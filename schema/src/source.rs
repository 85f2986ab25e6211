//! Source files and locations inside them.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A SQL file as read from disk (or given in memory), with the path it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path shown in diagnostics, e.g. `db/cira/migrations/001_initial.sql`.
    pub path: Arc<str>,
    /// The whole text of the file.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source file from a display path and its text.
    pub fn new(path: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The location of a byte offset in this file.
    pub fn loc_at(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Loc {
            file: self.path.clone(),
            line: line as u32,
            col: col as u32,
            offset,
            len: 0,
        }
    }
}

/// The byte offset of a 1-based line and character column in `text`, clamped to the text.
pub fn offset_of(text: &str, line: u64, col: u64) -> usize {
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let within = rest[..line_end]
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line_end, |(i, _)| i);
    offset + within
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a model item or a diagnostic comes from: file, 1-based line and column, byte
/// offset and length. Locations never take part in equality: two model items that differ
/// only in where they were written are equal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Loc {
    /// The file's display path.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// Byte offset in the file.
    #[serde(skip)]
    pub offset: usize,
    /// Length in bytes of the located text (0 when unknown).
    #[serde(skip)]
    pub len: usize,
}

impl Loc {
    /// The same location with a length.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }
}

impl PartialEq for Loc {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Loc {}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Reads a SQL file as UTF-8 text. A missing, unreadable, binary or non-UTF-8 file is a
/// diagnostic naming the file (and, for bad bytes, the line and column of the first one).
pub fn read_file(path: &std::path::Path) -> Result<SourceFile, crate::Diagnostic> {
    use crate::diagnostic::{Code, Diagnostic, Severity};
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::about_path(
            Severity::Error,
            Code::Io,
            &display,
            format!("cannot read file: {e}"),
        )
        .with_help("check that the path exists and is readable")
    })?;
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            let offset = text.find('\0').unwrap_or(0);
            let src = SourceFile::new(display.clone(), text.replace('\0', " "));
            let loc = src.loc_at(offset);
            Err(Diagnostic::about_path(
                Severity::Error,
                Code::Io,
                &format!("{display}:{}:{}", loc.line, loc.col),
                "the file contains NUL bytes; it looks binary, not SQL text",
            )
            .with_help("point schemakit at .sql text files"))
        }
        Ok(text) => Ok(SourceFile::new(display, text)),
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..good]).into_owned();
            let src = SourceFile::new(display.clone(), prefix);
            let loc = src.loc_at(good);
            Err(Diagnostic::about_path(
                Severity::Error,
                Code::Io,
                &format!("{display}:{}:{}", loc.line, loc.col),
                format!("the file is not valid UTF-8 (first bad byte at offset {good})"),
            )
            .with_help("save the file as UTF-8"))
        }
    }
}
