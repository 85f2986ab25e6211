//! Problems found while reading SQL: errors, warnings and notes, each with a location.

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{LabeledSpan, SourceCode, SourceSpan};
use serde::Serialize;

use crate::source::{Loc, SourceFile};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something the model keeps but cannot see into (a statement kept verbatim).
    Note,
    /// Probably a mistake, but the model is still complete.
    Warning,
    /// The input is wrong or refers to something that does not exist.
    Error,
}

/// What kind of problem a diagnostic reports; the code printed beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A file could not be read, or is not UTF-8 text.
    Io,
    /// SQL that does not parse.
    Syntax,
    /// A statement kept verbatim that the offline model does not represent.
    Opaque,
    /// A reference to a table, column, type or other object that does not exist.
    UnknownObject,
    /// An object created twice.
    Duplicate,
    /// A construct that parses but that the model cannot represent faithfully.
    Unsupported,
    /// A problem with the layout of a migration directory.
    Layout,
    /// A down script that does not undo its up script.
    Irreversible,
    /// A finding of `schemakit lint`: the rule's index in [`crate::lint::RULES`].
    Lint(u8),
}

/// As its name without the `schema::` prefix: `unknown-object`, or a lint rule's name.
impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let name = self.as_str();
        serializer.serialize_str(name.strip_prefix("schema::").unwrap_or(name))
    }
}

impl Code {
    /// The stable name of the code, e.g. `schema::opaque`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "schema::io",
            Code::Syntax => "schema::syntax",
            Code::Opaque => "schema::opaque",
            Code::UnknownObject => "schema::unknown-object",
            Code::Duplicate => "schema::duplicate",
            Code::Unsupported => "schema::unsupported",
            Code::Layout => "schema::layout",
            Code::Irreversible => "schema::irreversible",
            Code::Lint(rule) => crate::lint::RULES
                .get(usize::from(rule))
                .map_or("lint", |(name, _, _)| name),
        }
    }
}

/// One problem, with the file and place it is about.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// The kind of problem.
    pub code: Code,
    /// What is wrong, lowercase, naming the object.
    pub message: String,
    /// Where it is.
    pub loc: Loc,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip)]
    source: Option<Arc<SourceFile>>,
    #[serde(skip)]
    excerpt: OnceLock<Box<Excerpt>>,
}

impl Diagnostic {
    /// A new diagnostic at `loc` in `source`.
    pub fn new(
        severity: Severity,
        code: Code,
        message: impl Into<String>,
        source: &Arc<SourceFile>,
        loc: Loc,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            loc,
            help: None,
            source: Some(source.clone()),
            excerpt: OnceLock::new(),
        }
    }

    /// A diagnostic about a path with no text to show (unreadable file, bad directory).
    pub fn about_path(
        severity: Severity,
        code: Code,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            loc: Loc {
                file: path.into(),
                line: 0,
                col: 0,
                offset: 0,
                len: 0,
            },
            help: None,
            source: None,
            excerpt: OnceLock::new(),
        }
    }

    /// The same diagnostic with a hint saying what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or only the file when the diagnostic has no position.
    pub fn location(&self) -> String {
        if self.loc.line == 0 {
            self.loc.file.to_string()
        } else {
            self.loc.to_string()
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Note => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.excerpt().map(|e| e as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let excerpt = self.excerpt()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.location()),
            excerpt.label,
        ))))
    }
}

impl Diagnostic {
    /// The lines around the diagnostic, each clipped to a window of columns around its
    /// span, built on first use.
    fn excerpt(&self) -> Option<&Excerpt> {
        let source = self.source.as_ref()?;
        Some(
            self.excerpt
                .get_or_init(|| Box::new(Excerpt::new(source, &self.loc))),
        )
    }
}

/// The widest source line shown whole; a longer one is shown as a window of this many
/// characters around the span. (miette cannot draw beyond column 65,535, and a minified
/// line of megabytes helps no reader.)
const EXCERPT_COLUMNS: usize = 120;
/// How many characters of a clipped line are shown before the span.
const EXCERPT_LEAD: usize = 40;
/// How many lines are shown before and after the span's line.
const CONTEXT_LINES: u32 = 1;

/// What miette renders of a diagnostic's file: the span's line and its neighbours, clipped
/// to a window of columns, with the span moved into the excerpt. It reports the real line
/// numbers and column, and its size does not depend on the size of the file.
#[derive(Debug, Clone)]
struct Excerpt {
    /// The file's display path.
    name: String,
    /// The excerpt's lines, joined with `\n`.
    text: String,
    /// 0-based line of the file where the excerpt starts.
    first_line: usize,
    /// The span, in excerpt offsets.
    label: SourceSpan,
    /// 0-based character column of the span in the file.
    column: usize,
}

impl Excerpt {
    fn new(source: &SourceFile, loc: &Loc) -> Excerpt {
        let at = source.loc_at(loc.offset);
        let line = at.line.max(1);
        let (line_start, line_end, _) = source.line_span(line).unwrap_or((0, 0, true));
        let text = &source.text;
        let offset = at.offset.clamp(line_start, line_end);
        // The window, in bytes relative to the start of each line.
        let whole = text[line_start..line_end]
            .chars()
            .nth(EXCERPT_COLUMNS)
            .is_none();
        let (from, to) = if whole {
            (0, usize::MAX)
        } else {
            let before: usize = text[line_start..offset]
                .chars()
                .rev()
                .take(EXCERPT_LEAD)
                .map(char::len_utf8)
                .sum();
            let from = offset - before - line_start;
            let width: usize = text[line_start + from..line_end]
                .chars()
                .take(EXCERPT_COLUMNS)
                .map(char::len_utf8)
                .sum();
            (from, from + width)
        };
        let first = line.saturating_sub(CONTEXT_LINES).max(1);
        let mut out = String::new();
        let mut label = SourceSpan::new(0.into(), 0);
        for n in first..=line + CONTEXT_LINES {
            let Some((start, end, _)) = source.line_span(n) else {
                break;
            };
            if n > first {
                out.push('\n');
            }
            let piece = &text[start..end];
            let lo = floor_boundary(piece, from);
            let hi = floor_boundary(piece, to.min(piece.len()));
            if lo > 0 {
                out.push('…');
            }
            let base = out.len();
            // A bare CR would start a new line for miette but not for our line numbers.
            out.extend(
                piece[lo..hi]
                    .chars()
                    .map(|c| if c == '\r' { ' ' } else { c }),
            );
            if n == line {
                let rel = (offset - start).clamp(lo, hi);
                let end_rel = floor_boundary(piece, (rel + loc.len).min(hi)).max(rel);
                label = SourceSpan::new((base + rel - lo).into(), end_rel - rel);
            }
            if hi < piece.len() {
                out.push('…');
            }
        }
        Excerpt {
            name: source.path.to_string(),
            text: out,
            first_line: first as usize - 1,
            label,
            column: at.col.saturating_sub(1) as usize,
        }
    }
}

/// The largest char boundary of `s` at or before `i` (clamped to its length).
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette counts columns in bytes of the excerpt; the header shows the file's.
        let column = if *span == self.label && context_lines_before == 0 {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// Renders diagnostics as text without colour: the form used in snapshots and logs.
pub fn render_plain(diagnostics: &[Diagnostic]) -> String {
    render(diagnostics, false)
}

/// Renders diagnostics, with colour when `color` is set (for a terminal). Each shows an
/// excerpt of its file: the lines around it, a long line clipped to a window around the
/// span.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(CONTEXT_LINES as usize);
    let mut out = String::new();
    for d in diagnostics {
        if handler.render_report(&mut out, &Report(d)).is_err() {
            out.push_str(&d.to_string());
        }
        out.push('\n');
    }
    out
}

/// A diagnostic as miette renders it: with an excerpt, the message alone (the excerpt's
/// header names the place); without one, `path: message`.
struct Report<'a>(&'a Diagnostic);

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.source.is_some() {
            f.write_str(&self.0.message)
        } else {
            fmt::Display::fmt(self.0, f)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.0)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}
