//! The driver: feeds each statement of a script through the front end and the rules,
//! one statement at a time, and turns the rules' refusals into diagnostics.
//!
//! Each statement runs inside its own journal ([`crate::rules::journal`]): a statement
//! Postgres would refuse, and a DO block the model cannot follow, are undone whole, as
//! Postgres undoes a failed statement.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::front::split::{self, Chunk};
use crate::front::{self, Read};
use crate::model::*;
use crate::rules::journal::Journal;
use crate::rules::{Catalog, RuleError};
use crate::source::{Loc, SourceFile};

/// One statement of a script as the folder saw it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Statement {
    /// Where it starts.
    pub loc: Loc,
    /// Its verbatim text, without the closing `;`.
    pub text: String,
    /// Why the offline model cannot see into it, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opaque: Option<String>,
}

/// Applies statements to a schema, collecting diagnostics instead of stopping: the
/// driver of the front end and the rules. It reads each statement through the front end,
/// turns it into model pieces and operations of the rules layer (`rules`), and turns the rules'
/// refusals into diagnostics.
#[derive(Debug, Default)]
pub struct Folder {
    /// The schema so far, and the rules that change it.
    pub(crate) catalog: Catalog,
    /// Everything noticed so far.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the rules refused part of the statement being applied.
    refused: bool,
    /// Statements kept verbatim that may change the schema in ways the model cannot see
    /// (`CALL`, a `SELECT` of a function, a DO block), with where they are: a later
    /// statement that needs an object they may have created is not an error.
    unseen: Vec<(Loc, String, String)>,
}

/// Where the statement being applied sits, and how to report about it.
pub(crate) struct Ctx<'a> {
    pub(crate) source: &'a Arc<SourceFile>,
    /// Byte offset of the statement text in the file.
    pub(crate) base: usize,
    /// The text handed to sqlparser (spans are relative to it).
    pub(crate) text: &'a str,
    /// The statement's own location.
    pub(crate) loc: Loc,
    /// Whether the parser's spans point into the file (false after a rewrite).
    pub(crate) exact: bool,
    /// Inside a guard (`EXCEPTION WHEN duplicate_object`, `IF NOT EXISTS`): an object
    /// that already exists is skipped, as the guard would.
    pub(crate) guarded: bool,
}

impl Folder {
    /// An empty schema.
    pub fn new() -> Self {
        Folder::default()
    }

    /// Starts from an existing schema.
    pub fn from_schema(schema: Schema) -> Self {
        Folder {
            catalog: Catalog::new(schema),
            ..Folder::default()
        }
    }

    /// A folder that starts where this one is: the schema, and what the rules know beside
    /// it (temporary tables and partitions, statements kept verbatim that may have changed the schema).
    pub fn fork(&self) -> Folder {
        let mut catalog = Catalog::new(self.catalog.schema.clone());
        catalog.outside = self.catalog.outside.clone();
        catalog.serial_sequences = self.catalog.serial_sequences.clone();
        Folder {
            catalog,
            unseen: self.unseen.clone(),
            ..Folder::default()
        }
    }

    /// The schema so far.
    pub fn schema(&self) -> &Schema {
        &self.catalog.schema
    }

    /// The schema and the diagnostics.
    pub fn finish(self) -> (Schema, Vec<Diagnostic>) {
        (self.catalog.schema, self.diagnostics)
    }

    /// Starts recording the entries statements change, as they were before.
    pub(crate) fn start_journal(&mut self) {
        self.catalog.start_journal();
    }

    /// Stops recording and returns what was recorded.
    pub(crate) fn take_journal(&mut self) -> Journal {
        self.catalog.take_journal()
    }

    /// Applies bytes `start..end` of `source` (a down script) to the schema, then puts the
    /// schema back as it was. Returns the entries touched by the script or by the run that
    /// `before` recorded, as they were before that run and as the script left them: two
    /// partial schemas that differ exactly where the run and the script together changed
    /// something. Costs what the script touches, not the size of the schema.
    pub(crate) fn trial(
        &mut self,
        before: &Journal,
        source: &Arc<SourceFile>,
        start: usize,
        end: usize,
    ) -> (Schema, Schema) {
        self.catalog.start_trial();
        self.apply_range(source, start, end);
        self.catalog.end_trial(before)
    }

    /// Splits, parses and applies every statement of `source`, in order.
    pub fn apply_source(&mut self, source: &Arc<SourceFile>) -> Vec<Statement> {
        self.apply_range(source, 0, source.text.len())
    }

    /// Splits, parses and applies every statement in bytes `start..end` of `source` (one
    /// section of a file with up and down sections), in order.
    pub fn apply_range(
        &mut self,
        source: &Arc<SourceFile>,
        start: usize,
        end: usize,
    ) -> Vec<Statement> {
        let chunks = match split::split(&source.text[start..end]) {
            Ok(chunks) => chunks
                .into_iter()
                .map(|c| Chunk {
                    start: c.start + start,
                    end: c.end + start,
                })
                .collect::<Vec<_>>(),
            Err(e) => {
                let loc = source.loc_at(start + e.offset).with_len(1);
                self.diagnostics.push(
                    Diagnostic::new(Severity::Error, Code::Syntax, e.message, source, loc)
                        .with_help(e.help),
                );
                return Vec::new();
            }
        };
        if chunks.is_empty() {
            self.diagnostics.push(
                Diagnostic::about_path(
                    Severity::Warning,
                    Code::Syntax,
                    &source.path,
                    "no SQL statements here",
                )
                .with_help("add statements, or remove the file if it is not needed"),
            );
        }
        let mut out = Vec::with_capacity(chunks.len());
        // Reading (sqlparser) is more than half the work, and each statement's reading is
        // its own: statements are read on other threads while this one applies those
        // already read, in order.
        read_all(&source.text, &chunks, |window, reads| {
            for (&chunk, read) in window.iter().zip(reads) {
                let opaque = self.apply_chunk(source, chunk, read, false);
                out.push(Statement {
                    loc: source.loc_at(chunk.start),
                    text: source.text[chunk.start..chunk.end].to_string(),
                    opaque,
                });
            }
        });
        out
    }

    /// Applies one statement as Postgres would: whole, or, when Postgres would refuse it
    /// (an object it names is missing or already there, something depends on what it
    /// drops), not at all. A DO block the model cannot follow changes nothing either.
    /// Returns why the statement is opaque when it is.
    pub(crate) fn apply_chunk(
        &mut self,
        source: &Arc<SourceFile>,
        chunk: Chunk,
        read: Read,
        guarded: bool,
    ) -> Option<String> {
        let before = self.diagnostics.len();
        let outer_refused = std::mem::replace(&mut self.refused, false);
        self.catalog.start_journal();
        let text = &source.text[chunk.start..chunk.end];
        let is_do = matches!(read, Read::Guard(_) | Read::Do);
        let opaque = self.apply_read(source, chunk, read, guarded);
        let refused = self.refused
            || self.diagnostics[before..]
                .iter()
                .any(|d| d.is_error() && matches!(d.code, Code::UnknownObject | Code::Duplicate));
        if refused || (is_do && opaque.is_some()) {
            self.catalog.rollback_journal();
        } else {
            self.catalog.commit_journal();
        }
        self.refused = outer_refused;
        if opaque.is_some() && may_change_schema(text) {
            self.unseen.push((
                source.loc_at(chunk.start),
                first_line(text),
                text.to_string(),
            ));
        }
        opaque
    }

    // ----- reporting -----------------------------------------------------------------

    pub(crate) fn report(
        &mut self,
        ctx: &Ctx,
        severity: Severity,
        code: Code,
        loc: Loc,
        message: String,
        help: &str,
    ) {
        self.diagnostics.push(
            Diagnostic::new(severity, code, message, ctx.source, loc).with_help(help.to_string()),
        );
    }

    pub(crate) fn error(&mut self, ctx: &Ctx, code: Code, message: String, help: &str) {
        let loc = ctx.loc.clone();
        self.report(ctx, Severity::Error, code, loc, message, help);
    }

    pub(crate) fn note_opaque(&mut self, ctx: &Ctx, reason: &str, help: &str) {
        let loc = ctx.loc.clone();
        self.report(
            ctx,
            Severity::Note,
            Code::Opaque,
            loc,
            reason.to_string(),
            help,
        );
    }

    /// The outcome of an operation of the rules: its value, or the refusal reported at
    /// the statement.
    pub(crate) fn rule<T>(&mut self, ctx: &Ctx, r: Result<T, RuleError>) -> Option<T> {
        self.rule_if(ctx, r, false, false)
    }

    /// [`Folder::rule`], where the statement says a missing object (`IF EXISTS`) or an
    /// existing one (`IF NOT EXISTS`, or inside a guard) is fine: then nothing is
    /// reported.
    pub(crate) fn rule_if<T>(
        &mut self,
        ctx: &Ctx,
        r: Result<T, RuleError>,
        if_exists: bool,
        if_not_exists: bool,
    ) -> Option<T> {
        let err = match r {
            Ok(v) => return Some(v),
            Err(e) => e,
        };
        let tolerated = match &err {
            // A guard's condition is not evaluated: a statement the condition would have
            // skipped is skipped.
            RuleError::Missing(_) => if_exists || ctx.guarded,
            RuleError::Exists(_) | RuleError::LabelExists { .. } => if_not_exists || ctx.guarded,
            _ => false,
        };
        if !tolerated {
            let loc = ctx.loc.clone();
            self.refusal(ctx, loc, &err);
        }
        None
    }

    /// [`Folder::rule`], reported at `loc` (a constraint's own place in the statement).
    pub(crate) fn rule_at<T>(&mut self, ctx: &Ctx, loc: Loc, r: Result<T, RuleError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(RuleError::Exists(_)) if ctx.guarded => None,
            Err(err) => {
                self.refusal(ctx, loc, &err);
                None
            }
        }
    }

    fn refusal(&mut self, ctx: &Ctx, loc: Loc, err: &RuleError) {
        self.refused = true;
        // An object missing from the model that a statement kept verbatim may have made:
        // Postgres would not refuse the statement, so it is not an error; the model
        // stays without it, and the note says which statement to look at.
        if let RuleError::Missing(object) = err {
            if let Some((at, text, _)) = self
                .unseen
                .iter()
                .rev()
                .find(|(_, _, t)| mentions(t, object))
            {
                let message = format!(
                    "{err} in the model; the statement kept verbatim at {at} (`{text}`) may create it"
                );
                let help = "the model cannot follow that statement, so this statement is not applied to the model either; `schemakit verify` checks what a real Postgres builds";
                self.report(ctx, Severity::Warning, Code::Opaque, loc, message, help);
                return;
            }
        }
        self.report(
            ctx,
            Severity::Error,
            err.code(),
            loc,
            err.to_string(),
            err.help(),
        );
    }
}

/// A statement kept verbatim that may create or change schema objects: a CREATE or
/// ALTER the model does not follow (a composite or range type, a procedure), a procedure
/// call, a query (which may call a function), a DO block, dynamic SQL.
pub(crate) fn may_change_schema(text: &str) -> bool {
    matches!(
        front::leading_words(text, 1).first().map(String::as_str),
        Some("CREATE" | "ALTER" | "CALL" | "SELECT" | "DO" | "EXECUTE" | "PERFORM" | "WITH")
    )
}

/// The start of a statement on one line, whitespace collapsed, for a message.
fn first_line(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

/// Whether `text` names the relation or type `object` is about, or a prefix of its name
/// that a function may complete (`create_partitions('events')` and `events_0`).
fn mentions(text: &str, object: &crate::rules::Object) -> bool {
    use crate::rules::Object as O;
    let name = match object {
        O::Table(q)
        | O::Relation(q)
        | O::View(q)
        | O::Index(q)
        | O::Sequence(q)
        | O::Type(q)
        | O::EnumType(q)
        | O::Column(q, _)
        | O::Constraint(q, _)
        | O::Trigger(q, _) => q.name.as_str(),
        _ => return false,
    };
    mentions_name(text, name)
}

/// Whether `text` names `name` (a whole word, case aside), or a prefix of it that a
/// function may complete (`create_partitions('events')` and `events_0`).
pub(crate) fn mentions_name(text: &str, name: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .any(|w| {
            w.eq_ignore_ascii_case(name)
                || (w.len() >= 4
                    && name.len() > w.len()
                    && name
                        .get(..w.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(w))
                    && name.get(w.len()..).is_some_and(|r| r.starts_with('_')))
        })
}

/// How many statements a reading thread reads at a time: enough that handing them over
/// costs little, few enough that applying starts soon and their syntax trees take little
/// memory at once.
const READ_WINDOW: usize = 64;

/// How many windows a reading thread may have read and not yet handed over (it may be
/// reading one more).
const READ_AHEAD: usize = 4;

/// Below this many statements (two windows), the applying thread reads them itself: with
/// one window, a reading thread would only make it wait.
const READ_IN_PARALLEL_FROM: usize = 2 * READ_WINDOW;

/// The stack of a thread that reads statements: deeply nested SQL (a CHECK of a thousand
/// `OR`s) recurses deeply in sqlparser. The CLI runs its work on a thread with the same.
pub const READ_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Reads the statements of `chunks` (byte ranges of `text`) and hands them to `apply` a
/// window at a time, in order. With enough statements and more than one core, as many
/// threads as there are cores (and windows) read the windows in turn (thread `k` reads
/// windows `k`, `k + n`, …), each with at most [`READ_AHEAD`] windows read and not yet
/// taken, while this thread applies: the reading of later statements overlaps the
/// applying of earlier ones. A thread that cannot be started leaves its windows to this
/// one; a panic in one is resumed here, when its window's turn comes, as if it happened
/// here.
fn read_all(text: &str, chunks: &[Chunk], apply: impl FnMut(&[Chunk], Vec<Read>)) {
    read_windows(text, chunks, parallelism(), front::read, apply);
}

/// [`read_all`] with `threads` cores and `read_one` reading one statement's text.
fn read_windows<R: Send>(
    text: &str,
    chunks: &[Chunk],
    threads: usize,
    read_one: impl Fn(&str) -> R + Sync,
    mut apply: impl FnMut(&[Chunk], Vec<R>),
) {
    let read_one = &read_one;
    let read = |window: &[Chunk]| -> Vec<R> {
        window
            .iter()
            .map(|c| read_one(&text[c.start..c.end]))
            .collect()
    };
    if threads < 2 || chunks.len() < READ_IN_PARALLEL_FROM {
        for window in chunks.chunks(READ_WINDOW) {
            apply(window, read(window));
        }
        return;
    }
    let windows: Vec<&[Chunk]> = chunks.chunks(READ_WINDOW).collect();
    let threads = threads.min(windows.len());
    let windows = &windows;
    std::thread::scope(|scope| {
        let mut readers: Vec<_> = (0..threads)
            .map(|k| {
                let (send, receive) = std::sync::mpsc::sync_channel::<Vec<R>>(READ_AHEAD);
                let handle = std::thread::Builder::new()
                    .stack_size(READ_STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        for window in windows.iter().skip(k).step_by(threads) {
                            // The receiver is gone only when the applying thread unwinds.
                            if send.send(read(window)).is_err() {
                                break;
                            }
                        }
                    });
                handle.ok().map(|h| (receive, Some(h)))
            })
            .collect();
        for (i, window) in windows.iter().enumerate() {
            let reads = match &mut readers[i % threads] {
                None => read(window),
                Some((receive, handle)) => match receive.recv() {
                    Ok(reads) => reads,
                    // The thread ended early: it panicked.
                    Err(_) => match handle.take().map(|h| h.join()) {
                        Some(Err(panic)) => std::panic::resume_unwind(panic),
                        _ => read(window),
                    },
                },
            };
            apply(window, reads);
        }
    });
}

/// The number of cores, asked once.
fn parallelism() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1000 one-word statements, `s0;s1;…`, and their chunks.
    fn script() -> (String, Vec<Chunk>) {
        let mut text = String::new();
        let mut chunks = Vec::new();
        for i in 0..1000 {
            let start = text.len();
            text.push_str(&format!("s{i}"));
            chunks.push(Chunk {
                start,
                end: text.len(),
            });
            text.push(';');
        }
        (text, chunks)
    }

    /// What `apply` was handed, in order, reading on `threads` threads.
    fn applied(threads: usize, text: &str, chunks: &[Chunk]) -> Vec<String> {
        let mut out = Vec::new();
        read_windows(text, chunks, threads, str::to_string, |window, reads| {
            assert_eq!(window.len(), reads.len());
            for (c, r) in window.iter().zip(reads) {
                assert_eq!(&text[c.start..c.end], r, "a window's reads are its own");
                out.push(r);
            }
        });
        out
    }

    #[test]
    fn every_statement_is_applied_once_in_order_whatever_the_threads() {
        let (text, chunks) = script();
        let expected: Vec<String> = (0..1000).map(|i| format!("s{i}")).collect();
        for threads in [1, 2, 3, 7, 64] {
            assert_eq!(
                applied(threads, &text, &chunks),
                expected,
                "{threads} threads"
            );
        }
        // Fewer statements than two windows: read where they are applied.
        assert_eq!(applied(4, &text, &chunks[..100]), expected[..100]);
    }

    #[test]
    fn a_panic_while_reading_is_resumed_at_its_windows_turn() {
        let (text, chunks) = script();
        let mut seen = Vec::new();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_windows(
                &text,
                &chunks,
                2,
                |s| {
                    assert_ne!(s, "s500", "the reader gave up");
                    s.to_string()
                },
                |_, reads| seen.extend(reads),
            );
        }));
        let panic = result.expect_err("the reader's panic reaches the caller");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("the reader gave up"), "{message}");
        // Statement 500 is in window 7 (64 a window): windows 0–6 were applied, in order.
        assert_eq!(seen.len(), 7 * READ_WINDOW);
        assert_eq!(seen.last().map(String::as_str), Some("s447"));
    }

    #[test]
    fn a_panic_while_applying_stops_the_readers() {
        let (text, chunks) = script();
        let mut windows = 0;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_windows(&text, &chunks, 2, str::to_string, |_, _| {
                windows += 1;
                assert!(windows < 3, "the folder gave up");
            });
        }));
        // It returns (no reader is left waiting to hand over a window) with the panic.
        assert!(result.is_err());
        assert_eq!(windows, 3);
    }
}
