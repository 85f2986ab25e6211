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
    /// Byte offset of the start of each line, and whether the line is pure ASCII (then a
    /// character column is a byte column).
    lines: Vec<(usize, bool)>,
}

impl SourceFile {
    /// A source file from a display path and its text.
    /// A leading UTF-8 byte-order mark is dropped: editors write it, it is not SQL.
    pub fn new(path: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let mut text: Arc<str> = text.into();
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            text = rest.into();
        }
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            lines.push((start, line.is_ascii()));
            start += line.len();
        }
        if lines.is_empty() || text.ends_with('\n') {
            lines.push((start, true));
        }
        SourceFile {
            path: path.into(),
            text,
            lines,
        }
    }

    /// The location of a byte offset in this file.
    pub fn loc_at(&self, offset: usize) -> Loc {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let index = self.lines.partition_point(|(start, _)| *start <= offset) - 1;
        let (line_start, ascii) = self.lines[index];
        let col = if ascii {
            offset - line_start + 1
        } else {
            self.text[line_start..offset].chars().count() + 1
        };
        let line = index + 1;
        Loc {
            file: self.path.clone(),
            line: line as u32,
            col: col as u32,
            offset,
            len: 0,
        }
    }
}

impl SourceFile {
    /// The text of a 1-based line, without its line break; `None` past the last line.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = (line as usize).checked_sub(1)?;
        let &(start, _) = self.lines.get(index)?;
        let end = self
            .lines
            .get(index + 1)
            .map_or(self.text.len(), |(s, _)| *s);
        let text = &self.text[start..end];
        Some(
            text.strip_suffix('\n')
                .map_or(text, |t| t.strip_suffix('\r').unwrap_or(t)),
        )
    }

    /// The byte range of a 1-based line without its line break, and whether it is ASCII;
    /// `None` past the last line.
    pub(crate) fn line_span(&self, line: u32) -> Option<(usize, usize, bool)> {
        let index = (line as usize).checked_sub(1)?;
        let &(start, ascii) = self.lines.get(index)?;
        let text = self.line(line)?;
        Some((start, start + text.len(), ascii))
    }

    /// The byte offset of a 1-based line and character column of this file, clamped to
    /// the text.
    pub fn offset_of(&self, line: u64, col: u64) -> usize {
        let Some(&(start, ascii)) = self.lines.get((line.max(1) - 1) as usize) else {
            return self.text.len();
        };
        let end = self
            .lines
            .get(line.max(1) as usize)
            .map_or(self.text.len(), |(s, _)| *s);
        let col = col.saturating_sub(1) as usize;
        if ascii {
            return (start + col).min(end);
        }
        self.text[start..end]
            .char_indices()
            .nth(col)
            .map_or(end, |(i, _)| start + i)
    }
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

/// Hashes nothing, as equality compares nothing: a model item hashes the same wherever it
/// was written (codegen's fingerprints rely on it, so moving a table renders nothing).
impl std::hash::Hash for Loc {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Reads a SQL file as UTF-8 text. A missing, unreadable, binary or non-UTF-8 file is a
/// diagnostic naming the file (and, for bad bytes, the line and column of the first one).
/// Only regular files are opened: a FIFO, socket or device named like a SQL file is a
/// diagnostic too, since reading it could block forever. A leading byte-order mark is
/// dropped (by [`SourceFile::new`], the one place that does it), so offsets, lines and
/// columns count from the first character after it.
pub fn read_file(path: &std::path::Path) -> Result<SourceFile, crate::Diagnostic> {
    use crate::diagnostic::{Code, Diagnostic, Severity};
    let display = path.display().to_string();
    let unreadable = |e: std::io::Error| {
        Diagnostic::about_path(
            Severity::Error,
            Code::Io,
            &display,
            format!("cannot read file: {e}"),
        )
        .with_help("check that the path exists and is readable")
    };
    let kind = std::fs::metadata(path).map_err(unreadable)?.file_type();
    if !kind.is_file() {
        return Err(Diagnostic::about_path(
            Severity::Error,
            Code::Io,
            &display,
            format!("{} is not a regular file", special_kind(kind)),
        )
        .with_help("schemakit reads only regular files; point it at a .sql file"));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            let offset = text.find('\0').unwrap_or(0);
            let src = SourceFile::new(display.clone(), text.replace('\0', " "));
            let loc = src.loc_at(offset.saturating_sub(text.len() - src.text.len()));
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
            let loc = src.loc_at(src.text.len());
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

/// What kind of file a non-regular file is, for messages: "a directory", "a FIFO", ….
pub fn special_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}
