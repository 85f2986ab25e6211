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

    /// Applies the statements `split` found in `source` (a down script), read by `reads`,
    /// to the schema, then puts the schema back as it was. Returns the entries touched by
    /// the script or by the run that `before` recorded, as they were before that run and
    /// as the script left them: two partial schemas that differ exactly where the run and
    /// the script together changed something. Costs what the script touches, not the
    /// size of the schema.
    pub(crate) fn trial_split(
        &mut self,
        before: &Journal,
        source: &Arc<SourceFile>,
        split: &Result<Vec<Chunk>, Diagnostic>,
        reads: &mut impl Iterator<Item = Read>,
    ) -> (Schema, Schema) {
        self.catalog.start_trial();
        self.apply_split(source, split, reads);
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
        let split = split_range(source, start, end);
        // Reading (sqlparser) is more than half the work, and each statement's reading is
        // its own: statements are read on other threads while this one applies those
        // already read, in order.
        read_ahead(&texts(source, &split), |reads| {
            self.apply_split(source, &split, reads)
        })
    }

    /// Applies the statements `split` found in `source`, taking each one's reading from
    /// `reads` (which hands them over in the same order): the diagnostic of a part that
    /// could not be split, a warning for a part without statements.
    pub(crate) fn apply_split(
        &mut self,
        source: &Arc<SourceFile>,
        split: &Result<Vec<Chunk>, Diagnostic>,
        reads: &mut impl Iterator<Item = Read>,
    ) -> Vec<Statement> {
        let chunks = match split {
            Ok(chunks) => chunks,
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic.clone());
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
        for (&chunk, read) in chunks.iter().zip(reads) {
            let opaque = self.apply_chunk(source, chunk, read, false);
            out.push(Statement {
                loc: source.loc_at(chunk.start),
                text: source.text[chunk.start..chunk.end].to_string(),
                opaque,
            });
        }
        debug_assert_eq!(out.len(), chunks.len(), "a reading for every statement");
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

/// How many statements are read at a time: enough that handing them over costs little,
/// few enough that applying starts soon and their syntax trees take little memory at once.
const READ_WINDOW: usize = 64;

/// How many windows, from the one being applied on, may be read or being read: a bound on
/// the syntax trees held at once.
const READ_AHEAD: usize = 8;

/// Below this many statements (two windows), the applying thread reads them itself: with
/// one window, a reading thread would only make it wait.
const READ_IN_PARALLEL_FROM: usize = 2 * READ_WINDOW;

/// The stack of a thread that reads statements: deeply nested SQL (a CHECK of a thousand
/// `OR`s) recurses deeply in sqlparser. The CLI runs its work on a thread with the same,
/// and so should a program that folds such SQL through this crate: the folding thread
/// reads statements too (every one of a short script, and windows of a long one while
/// it would otherwise wait).
pub const READ_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Bytes `start..end` of `source` cut into statements (offsets into the whole file), or
/// the diagnostic of why they cannot be.
pub(crate) fn split_range(
    source: &Arc<SourceFile>,
    start: usize,
    end: usize,
) -> Result<Vec<Chunk>, Diagnostic> {
    match split::split(&source.text[start..end]) {
        Ok(chunks) => Ok(chunks
            .into_iter()
            .map(|c| Chunk {
                start: c.start + start,
                end: c.end + start,
            })
            .collect()),
        Err(e) => {
            let loc = source.loc_at(start + e.offset).with_len(1);
            Err(
                Diagnostic::new(Severity::Error, Code::Syntax, e.message, source, loc)
                    .with_help(e.help),
            )
        }
    }
}

/// The text of each statement `split` found in `source`.
pub(crate) fn texts<'s>(
    source: &'s SourceFile,
    split: &Result<Vec<Chunk>, Diagnostic>,
) -> Vec<&'s str> {
    split
        .iter()
        .flatten()
        .map(|c| &source.text[c.start..c.end])
        .collect()
}

/// Runs `body` with the readings of `texts`, in order, read ahead on the cores (see
/// [`read_ahead_with`]).
pub(crate) fn read_ahead<T>(texts: &[&str], body: impl FnOnce(&mut Ahead<'_, Read>) -> T) -> T {
    read_ahead_with(texts, parallelism(), front::read, body)
}

/// Runs `body` with an iterator over `read_one` of each of `texts`, in order, read on
/// `cores` cores. With enough statements and more than one core, one thread per other
/// core reads windows of [`READ_WINDOW`] statements in the order they come, within
/// [`READ_AHEAD`] windows of the one `body` is taking from; when the window `body` needs
/// next is not read yet, this thread reads one itself (that one if no one has taken it,
/// else the next free one within reach) instead of waiting. There are as many threads as
/// cores, and this one waits only when every window within reach is taken. A thread that
/// cannot be started leaves its share to the others; a panic while reading is resumed
/// here, when its window's turn comes, as if it happened here; a panic in `body` stops
/// the readers after the window each is reading.
fn read_ahead_with<R: Send, T>(
    texts: &[&str],
    cores: usize,
    read_one: impl Fn(&str) -> R + Sync,
    body: impl FnOnce(&mut Ahead<'_, R>) -> T,
) -> T {
    let read = |window: &[&str]| -> Vec<R> { window.iter().map(|t| read_one(t)).collect() };
    let windows: Vec<&[&str]> = texts.chunks(READ_WINDOW).collect();
    let readers = cores.saturating_sub(1).min(windows.len().saturating_sub(1));
    if readers == 0 || texts.len() < READ_IN_PARALLEL_FROM {
        let here = |i: usize| Ok(read(windows[i]));
        return body(&mut Ahead::new(windows.len(), None, &here));
    }
    let shelf = Shelf::new(windows.len());
    // A panic while reading is caught where it happens and resumed at its window's turn.
    let read_caught =
        |j: usize| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(windows[j])));
    std::thread::scope(|scope| {
        // However this thread leaves the scope (done, or unwinding from `body`), the
        // readers stop: the scope waits for them.
        let _stop = StopOnDrop(&shelf);
        for _ in 0..readers {
            let reader = || {
                while let Some(j) = shelf.claim() {
                    let reads = read_caught(j);
                    let failed = reads.is_err();
                    shelf.put(j, reads);
                    if failed {
                        break;
                    }
                }
            };
            // A reader that cannot be started leaves its windows to the others.
            let _ = std::thread::Builder::new()
                .stack_size(READ_STACK_BYTES)
                .spawn_scoped(scope, reader);
        }
        body(&mut Ahead::new(windows.len(), Some(&shelf), &read_caught))
    })
}

/// The readings [`read_ahead_with`] hands over, in order.
pub(crate) struct Ahead<'a, R> {
    windows: usize,
    /// The next window to take.
    next: usize,
    /// Where the reading threads leave windows; `None` when this thread reads them all.
    shelf: Option<&'a Shelf<R>>,
    /// Reads window `j` on this thread.
    read: &'a dyn Fn(usize) -> Reads<R>,
    /// What is left of the window being handed over.
    current: std::vec::IntoIter<R>,
}

impl<'a, R> Ahead<'a, R> {
    fn new(
        windows: usize,
        shelf: Option<&'a Shelf<R>>,
        read: &'a dyn Fn(usize) -> Reads<R>,
    ) -> Self {
        Ahead {
            windows,
            next: 0,
            shelf,
            read,
            current: Vec::new().into_iter(),
        }
    }

    /// Window `i`, every window before it handed over: from the shelf, read here when
    /// no one has taken it, with other windows read here while waiting.
    fn window(&mut self, i: usize) -> Reads<R> {
        let Some(shelf) = self.shelf else {
            return (self.read)(i);
        };
        loop {
            match shelf.next(i) {
                Next::Ready(reads) => return reads,
                Next::Read(j) if j == i => return (self.read)(j),
                Next::Read(j) => shelf.put(j, (self.read)(j)),
            }
        }
    }
}

impl<R> Iterator for Ahead<'_, R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        loop {
            if let Some(read) = self.current.next() {
                return Some(read);
            }
            if self.next >= self.windows {
                return None;
            }
            let i = self.next;
            self.next += 1;
            match self.window(i) {
                Ok(reads) => self.current = reads.into_iter(),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }
}

/// A window's statements as read, or the panic that reading them raised.
type Reads<R> = std::thread::Result<Vec<R>>;

/// Where [`read_ahead_with`]' threads take windows to read and leave what they read.
struct Shelf<R> {
    state: std::sync::Mutex<ShelfState<R>>,
    /// Signalled when a window is read, when the applied window moves on, and on stop.
    changed: std::sync::Condvar,
}

struct ShelfState<R> {
    /// The first window no thread has taken.
    next: usize,
    /// The window being applied (or waited for): reading stays within [`READ_AHEAD`] of it.
    turn: usize,
    /// Windows read and not yet applied.
    read: Vec<Option<Reads<R>>>,
    /// Set when the applying thread leaves: readers take no more windows.
    stopped: bool,
}

/// What the applying thread does next for the window whose turn it is.
enum Next<R> {
    /// Apply it: here is what it read.
    Ready(Reads<R>),
    /// Read window `j` (the one whose turn it is, or a later free one) while waiting.
    Read(usize),
}

impl<R> Shelf<R> {
    fn new(windows: usize) -> Self {
        Shelf {
            state: std::sync::Mutex::new(ShelfState {
                next: 0,
                turn: 0,
                read: (0..windows).map(|_| None).collect(),
                stopped: false,
            }),
            changed: std::sync::Condvar::new(),
        }
    }

    /// The state; no thread panics while holding it, but if one did, its state is whole.
    fn lock(&self) -> std::sync::MutexGuard<'_, ShelfState<R>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A reader's next window, once it is within reach; `None` when there is none left or
    /// the applying thread has stopped.
    fn claim(&self) -> Option<usize> {
        let mut state = self.lock();
        loop {
            if state.stopped || state.next >= state.read.len() {
                return None;
            }
            if state.next < state.turn + READ_AHEAD {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Leaves window `j`'s reading for the applying thread.
    fn put(&self, j: usize, reads: Reads<R>) {
        self.lock().read[j] = Some(reads);
        self.changed.notify_all();
    }

    /// For the applying thread, at window `i`'s turn (every window before it applied):
    /// the window if it is read, else one to read, else waits for one of them.
    fn next(&self, i: usize) -> Next<R> {
        let mut state = self.lock();
        if state.turn != i {
            state.turn = i;
            self.changed.notify_all();
        }
        loop {
            if let Some(reads) = state.read[i].take() {
                return Next::Ready(reads);
            }
            // Every window before `i` is applied, so `next >= i`: this is `i` itself when
            // no one has taken it.
            if state.next < state.read.len() && state.next < i + READ_AHEAD {
                state.next += 1;
                return Next::Read(state.next - 1);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// Stops the readers of a [`Shelf`] when dropped.
struct StopOnDrop<'a, R>(&'a Shelf<R>);

impl<R> Drop for StopOnDrop<'_, R> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The number of cores, asked once.
fn parallelism() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1000 one-word statements, `s0`, `s1`, ….
    fn script() -> Vec<String> {
        (0..1000).map(|i| format!("s{i}")).collect()
    }

    fn texts(script: &[String]) -> Vec<&str> {
        script.iter().map(String::as_str).collect()
    }

    /// What the body is handed, in order, reading on `cores` cores.
    fn applied(cores: usize, texts: &[&str]) -> Vec<String> {
        read_ahead_with(texts, cores, str::to_string, |reads| reads.collect())
    }

    #[test]
    fn every_statement_is_applied_once_in_order_whatever_the_threads() {
        let script = script();
        let texts = texts(&script);
        for cores in [1, 2, 3, 7, 64] {
            assert_eq!(applied(cores, &texts), script, "{cores} cores");
        }
        // Fewer statements than two windows: read where they are applied.
        assert_eq!(applied(4, &texts[..100]), script[..100]);
        assert!(applied(2, &[]).is_empty());
    }

    #[test]
    fn the_applying_thread_reads_ahead_instead_of_waiting() {
        use std::collections::BTreeSet;
        use std::sync::{Condvar, Mutex, OnceLock};
        let script = script();
        let applying = std::thread::current().id();
        let long = std::time::Duration::from_secs(20);
        // Windows read on the applying thread, and whether the reader has started.
        let seen = Mutex::new((BTreeSet::new(), false));
        let changed = Condvar::new();
        let stuck = OnceLock::new();
        let read_one = |s: &str| {
            let n: usize = s[1..].parse().unwrap_or_default();
            let w = n / READ_WINDOW;
            let mut state = seen.lock().unwrap();
            if std::thread::current().id() == applying {
                state.0.insert(w);
                changed.notify_all();
                if n == 0 {
                    // Reading is fast here: give the reader time to take a window.
                    let (_state, waited) =
                        changed.wait_timeout_while(state, long, |s| !s.1).unwrap();
                    assert!(!waited.timed_out(), "the reader never started");
                }
            } else {
                state.1 = true;
                changed.notify_all();
                if n % READ_WINDOW == 0 && stuck.set(w).is_ok() {
                    // The reader's first window takes long: the three after it are read
                    // on the applying thread meanwhile.
                    let (_state, waited) = changed
                        .wait_timeout_while(state, long, |s| {
                            !(w + 1..=w + 3).all(|x| s.0.contains(&x))
                        })
                        .unwrap();
                    assert!(!waited.timed_out(), "the applying thread waited");
                }
            }
            s.to_string()
        };
        let out: Vec<String> = read_ahead_with(&texts(&script), 2, read_one, |r| r.collect());
        assert_eq!(out, script);
        assert!(stuck.get().is_some(), "the reader read no window");
    }

    #[test]
    fn a_panic_while_reading_is_resumed_at_its_windows_turn() {
        let script = script();
        let mut seen = Vec::new();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_ahead_with(
                &texts(&script),
                2,
                |s| {
                    assert_ne!(s, "s500", "the reader gave up");
                    s.to_string()
                },
                |reads| seen.extend(reads),
            );
        }));
        let panic = result.expect_err("the reader's panic reaches the caller");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("the reader gave up"), "{message}");
        // Statement 500 is in window 7 (64 a window): windows 0–6 were handed over, in
        // order.
        assert_eq!(seen.len(), 7 * READ_WINDOW);
        assert_eq!(seen.last().map(String::as_str), Some("s447"));
    }

    #[test]
    fn a_panic_while_applying_stops_the_readers() {
        let script = script();
        let mut taken = 0;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_ahead_with(&texts(&script), 2, str::to_string, |reads| {
                for _ in reads {
                    taken += 1;
                    assert!(taken < 150, "the folder gave up");
                }
            });
        }));
        // It returns (no reader is left waiting to hand over a window) with the panic.
        assert!(result.is_err());
        assert_eq!(taken, 150);
    }

    #[test]
    fn a_body_that_stops_early_leaves_no_reader_behind() {
        let script = script();
        let first: Vec<String> = read_ahead_with(&texts(&script), 2, str::to_string, |reads| {
            reads.take(3).collect()
        });
        assert_eq!(first, script[..3]);
    }
}
