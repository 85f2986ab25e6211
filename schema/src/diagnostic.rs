//! Problems found while reading SQL: errors, warnings and notes, each with a location.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
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
        self.source
            .as_ref()
            .map(|s| &s.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = SourceSpan::new(self.loc.offset.into(), self.loc.len);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.location()),
            span,
        ))))
    }
}

/// Renders diagnostics as text without colour: the form used in snapshots and logs.
pub fn render_plain(diagnostics: &[Diagnostic]) -> String {
    render(diagnostics, false)
}

/// Renders diagnostics, with colour when `color` is set (for a terminal).
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        let named;
        let report: &dyn miette::Diagnostic = match &d.source {
            Some(src) => {
                named = NamedDiag {
                    inner: d,
                    source: NamedSource::new(&src.path, src.text.clone()),
                };
                &named
            }
            None => d,
        };
        if handler.render_report(&mut out, report).is_err() {
            out.push_str(&d.to_string());
        }
        out.push('\n');
    }
    out
}

/// A diagnostic whose source carries the file name, so miette prints `file:line:col`.
struct NamedDiag<'a> {
    inner: &'a Diagnostic,
    source: NamedSource<Arc<str>>,
}

impl fmt::Debug for NamedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for NamedDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for NamedDiag<'_> {}

impl miette::Diagnostic for NamedDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.inner)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}
