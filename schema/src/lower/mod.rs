//! sqlparser AST → schema model. Statements are applied in order to one [`Schema`], so a
//! whole migration set folds into its final state. This is the only module that looks at
//! sqlparser's syntax tree.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use sqlparser::ast::{self, Spanned};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::front::{self, Read, first_words, parse_one, statement_kind};
use crate::journal::Journal;
use crate::model::*;
use crate::names;
use crate::source::{Loc, SourceFile};
use crate::split::{self, Chunk};
use crate::types::{self, Normalized};
use crate::{reads, routine};

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

/// Records, in the innermost open journal, the value an entry of one of the schema's maps
/// has before a statement changes it. Every change to `self.schema` goes after one.
/// Tables and indexes are also marked stale in the folder's reverse index ([`Dependents`]).
macro_rules! touch {
    (@journal $self:ident . $map:ident, $key:expr) => {
        if let Some(j) = $self.journals.last_mut() {
            crate::journal::record(&mut j.$map, &$self.schema.$map, $key);
        }
    };
    ($self:ident . tables, $key:expr) => {{
        let key = $key;
        touch!(@journal $self.tables, key);
        if let Some(d) = $self.dependents.get_mut() {
            d.stale_tables.insert(key.clone());
        }
    }};
    ($self:ident . indexes, $key:expr) => {{
        let key = $key;
        touch!(@journal $self.indexes, key);
        if let Some(d) = $self.dependents.get_mut() {
            d.stale_indexes.insert(key.clone());
        }
    }};
    ($self:ident . $map:ident, $key:expr) => {
        touch!(@journal $self.$map, $key)
    };
}

/// [`touch!`] for every entry of a map that `pred` selects (before a `retain` or a
/// `values_mut`).
macro_rules! touch_where {
    ($self:ident . $map:ident, $pred:expr) => {{
        let keys = crate::journal::keys_where(&$self.schema.$map, $pred);
        for key in &keys {
            touch!($self.$map, key);
        }
    }};
}

mod comments;
mod constraints;
mod drops;
mod functions;
mod helpers;
mod indexes;
mod statement;
mod tables;
mod type_defs;

use helpers::*;

/// Applies statements to a schema, collecting diagnostics instead of stopping.
#[derive(Debug, Default)]
pub struct Folder {
    /// The schema so far.
    pub schema: Schema,
    /// Everything noticed so far.
    pub diagnostics: Vec<Diagnostic>,
    /// Names taken that the schema's maps do not key by, built on demand. Statements that
    /// only add objects keep it up to date; any other statement drops it.
    names: RefCell<Option<NameIndex>>,
    /// Open journals, innermost last: the entries touched since each was opened, as they
    /// were before. One is open for each statement being applied (so a statement Postgres
    /// would refuse is undone whole) and, outside those, one while a migration's scripts
    /// are applied for the offline down check.
    journals: Vec<Journal>,
    /// Who refers to a table, built on demand and kept up to date by [`touch!`], so that
    /// dropping or renaming a table costs what depends on it, not the size of the schema.
    dependents: RefCell<Option<Dependents>>,
}

/// A reverse index of the schema: the foreign keys that reference each table and the
/// indexes on each table. Entries of tables and indexes that [`touch!`] marked are
/// brought up to date before each question.
#[derive(Debug, Default)]
struct Dependents {
    /// Referenced table → (referencing table, constraint).
    referrers: BTreeMap<QualifiedName, BTreeSet<(QualifiedName, String)>>,
    /// Referencing table → the tables its foreign keys reference, with the constraints.
    refers_to: BTreeMap<QualifiedName, Vec<(QualifiedName, String)>>,
    /// Table → its indexes.
    indexes_on: BTreeMap<QualifiedName, BTreeSet<QualifiedName>>,
    /// Index → its table.
    index_table: BTreeMap<QualifiedName, QualifiedName>,
    /// Tables changed since the index last looked.
    stale_tables: BTreeSet<QualifiedName>,
    /// Indexes changed since the index last looked.
    stale_indexes: BTreeSet<QualifiedName>,
}

impl Dependents {
    fn build(schema: &Schema) -> Dependents {
        Dependents {
            stale_tables: schema.tables.keys().cloned().collect(),
            stale_indexes: schema.indexes.keys().cloned().collect(),
            ..Dependents::default()
        }
    }

    /// Re-reads the stale tables and indexes from `schema`.
    fn refresh(&mut self, schema: &Schema) {
        for t in std::mem::take(&mut self.stale_tables) {
            for (target, c) in self.refers_to.remove(&t).unwrap_or_default() {
                if let Some(set) = self.referrers.get_mut(&target) {
                    set.remove(&(t.clone(), c));
                }
            }
            let Some(table) = schema.tables.get(&t) else {
                continue;
            };
            let targets: Vec<(QualifiedName, String)> = table
                .constraints
                .values()
                .filter_map(|c| match &c.kind {
                    ConstraintKind::ForeignKey(fk) => Some((fk.ref_table.clone(), c.name.clone())),
                    _ => None,
                })
                .collect();
            for (target, c) in &targets {
                self.referrers
                    .entry(target.clone())
                    .or_default()
                    .insert((t.clone(), c.clone()));
            }
            self.refers_to.insert(t, targets);
        }
        for i in std::mem::take(&mut self.stale_indexes) {
            if let Some(table) = self.index_table.remove(&i) {
                if let Some(set) = self.indexes_on.get_mut(&table) {
                    set.remove(&i);
                }
            }
            if let Some(index) = schema.indexes.get(&i) {
                self.indexes_on
                    .entry(index.table.clone())
                    .or_default()
                    .insert(i.clone());
                self.index_table.insert(i, index.table.clone());
            }
        }
    }
}

/// Constraint names per schema, and relation names that are not map keys (the indexes
/// behind constraints, the sequences behind serial and identity columns).
#[derive(Debug, Default)]
struct NameIndex {
    relations: BTreeSet<QualifiedName>,
    constraints: BTreeSet<(String, String)>,
}

impl NameIndex {
    fn build(schema: &Schema) -> NameIndex {
        let mut ix = NameIndex::default();
        for t in schema.tables.values() {
            for c in t.constraints.values() {
                ix.add_constraint(&t.name.schema, &c.name, &c.kind);
            }
            for c in &t.columns {
                ix.add_column(t, c);
            }
        }
        ix
    }

    fn add_constraint(&mut self, schema: &str, name: &str, kind: &ConstraintKind) {
        self.constraints
            .insert((schema.to_string(), name.to_string()));
        if matches!(
            kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        ) {
            self.relations.insert(QualifiedName::new(schema, name));
        }
    }

    fn add_column(&mut self, table: &Table, column: &Column) {
        if let Some(seq) = implicit_sequence(table, column) {
            self.relations
                .insert(QualifiedName::new(table.name.schema.clone(), seq));
        }
    }
}

/// Where the statement being applied sits, and how to report about it.
struct Ctx<'a> {
    source: &'a Arc<SourceFile>,
    /// Byte offset of the statement text in the file.
    base: usize,
    /// The text handed to sqlparser (spans are relative to it).
    text: &'a str,
    /// The statement's own location.
    loc: Loc,
    /// Whether sqlparser's spans point into the file (false after a rewrite).
    exact: bool,
    /// Inside a guard (`EXCEPTION WHEN duplicate_object`, `IF NOT EXISTS`): an object
    /// that already exists is skipped, as the guard would.
    guarded: bool,
}

/// A constraint before its name is resolved.
struct Pending {
    name: Option<String>,
    kind: ConstraintKind,
    deferrable: bool,
    initially_deferred: bool,
    loc: Loc,
}

impl Folder {
    /// An empty schema.
    pub fn new() -> Self {
        Folder::default()
    }

    /// Starts from an existing schema.
    pub fn from_schema(schema: Schema) -> Self {
        Folder {
            schema,
            ..Folder::default()
        }
    }

    /// Starts recording the entries statements change, as they were before.
    pub(crate) fn start_journal(&mut self) {
        self.journals.push(Journal::default());
    }

    /// Stops recording and returns what was recorded.
    pub(crate) fn take_journal(&mut self) -> Journal {
        self.journals.pop().unwrap_or_default()
    }

    /// Closes the innermost journal, keeping what the statements since it opened did: what
    /// it recorded moves to the journal around it.
    fn commit_journal(&mut self) {
        let inner = self.take_journal();
        if let Some(outer) = self.journals.last_mut() {
            outer.absorb(inner);
        }
    }

    /// Closes the innermost journal and undoes what the statements since it opened did:
    /// the schema is exactly as it was when it opened.
    fn rollback_journal(&mut self) {
        let inner = self.take_journal();
        if let Some(d) = self.dependents.get_mut() {
            d.stale_tables.extend(inner.tables.keys().cloned());
            d.stale_indexes.extend(inner.indexes.keys().cloned());
        }
        inner.restore(&mut self.schema);
        // Names the undone statements added are gone again.
        *self.names.get_mut() = None;
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
        let names = self.names.get_mut().take();
        self.start_journal();
        self.apply_range(source, start, end);
        let down = self.take_journal();
        let touched = Journal::touched(before, &down, &self.schema);
        if let Some(d) = self.dependents.get_mut() {
            d.stale_tables.extend(down.tables.keys().cloned());
            d.stale_indexes.extend(down.indexes.keys().cloned());
        }
        down.restore(&mut self.schema);
        *self.names.get_mut() = names;
        touched
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
        for chunk in chunks {
            let opaque = self.apply_chunk(source, chunk, false);
            out.push(Statement {
                loc: source.loc_at(chunk.start),
                text: source.text[chunk.start..chunk.end].to_string(),
                opaque,
            });
        }
        out
    }

    /// Applies one statement as Postgres would: whole, or, when Postgres would refuse it
    /// (an object it names is missing or already there, something depends on what it
    /// drops), not at all. A DO block the model cannot follow changes nothing either.
    /// Returns why the statement is opaque when it is.
    fn apply_chunk(
        &mut self,
        source: &Arc<SourceFile>,
        chunk: Chunk,
        guarded: bool,
    ) -> Option<String> {
        let before = self.diagnostics.len();
        self.start_journal();
        let read = front::read(&source.text[chunk.start..chunk.end]);
        let is_do = matches!(read, Read::Guard(_) | Read::Do);
        let opaque = self.apply_read(source, chunk, read, guarded);
        let refused = self.diagnostics[before..]
            .iter()
            .any(|d| d.is_error() && matches!(d.code, Code::UnknownObject | Code::Duplicate));
        if refused || (is_do && opaque.is_some()) {
            self.rollback_journal();
        } else {
            self.commit_journal();
        }
        opaque
    }

    /// Applies what the front end read from `chunk` of `source`.
    fn apply_read(
        &mut self,
        source: &Arc<SourceFile>,
        chunk: Chunk,
        read: Read,
        guarded: bool,
    ) -> Option<String> {
        let text = &source.text[chunk.start..chunk.end];
        let loc = source.loc_at(chunk.start).with_len(first_line_len(text));
        let mut ctx = Ctx {
            source,
            base: chunk.start,
            text,
            loc,
            exact: true,
            guarded,
        };
        match read {
            Read::Parsed(stmt) => self.apply_statement(&ctx, *stmt),
            Read::Rewritten {
                stmt,
                text: rewritten,
                domain_not_null,
            } => {
                ctx.text = &rewritten;
                ctx.exact = false;
                let opaque = self.apply_statement(&ctx, *stmt);
                if domain_not_null {
                    self.mark_domain_not_null(&ctx);
                }
                opaque
            }
            Read::Guard(inner) => self.apply_guard(&ctx, &inner),
            Read::Do => self.opaque_do(&ctx),
            Read::Unreadable(kind) => {
                let reason = format!("opaque to the offline model: {kind}");
                self.note_opaque(&ctx, &reason, "sqlparser cannot read this statement; it is kept verbatim and applied as written when migrations run");
                Some(reason)
            }
            Read::Error { message, at } => {
                let loc = match at {
                    Some((line, col)) => self.loc_in(&ctx, line, col),
                    // sqlparser gives no place for the end of input: point at the
                    // statement's last character.
                    None if message.ends_with("found: EOF") => {
                        source.loc_at(chunk.end.saturating_sub(1))
                    }
                    None => ctx.loc.clone(),
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Severity::Error,
                        Code::Syntax,
                        message,
                        source,
                        loc.with_len(1),
                    )
                    .with_help(
                        "fix the SQL at this position; every statement must be valid PostgreSQL",
                    ),
                );
                None
            }
        }
    }

    // ----- locations and reporting -------------------------------------------------

    fn loc_in(&self, ctx: &Ctx, line: u64, col: u64) -> Loc {
        if !ctx.exact || line == 0 {
            return ctx.loc.clone();
        }
        // sqlparser counts from the start of the statement text, which starts at
        // `ctx.loc` in the file.
        let abs_line = u64::from(ctx.loc.line) + line - 1;
        let abs_col = if line == 1 {
            u64::from(ctx.loc.col) + col - 1
        } else {
            col
        };
        ctx.source.loc_at(ctx.source.offset_of(abs_line, abs_col))
    }

    fn loc_of(&self, ctx: &Ctx, span: sqlparser::tokenizer::Span) -> Loc {
        let start = self.loc_in(ctx, span.start.line, span.start.column);
        if ctx.exact && span.end.line == span.start.line && span.end.column > span.start.column {
            let len = (span.end.column - span.start.column) as usize;
            start.with_len(len)
        } else {
            start.with_len(1)
        }
    }

    fn report(
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

    fn error(&mut self, ctx: &Ctx, code: Code, message: String, help: &str) {
        let loc = ctx.loc.clone();
        self.report(ctx, Severity::Error, code, loc, message, help);
    }

    fn note_opaque(&mut self, ctx: &Ctx, reason: &str, help: &str) {
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

    /// An object that already exists: fine under IF NOT EXISTS or a guard, else an error.
    fn exists(&mut self, ctx: &Ctx, if_not_exists: bool, what: String) {
        if if_not_exists || ctx.guarded {
            return;
        }
        self.error(
            ctx,
            Code::Duplicate,
            format!("{what} already exists"),
            "drop it first, rename one of them, or add IF NOT EXISTS",
        );
    }

    fn missing(&mut self, ctx: &Ctx, if_exists: bool, what: String) {
        if if_exists {
            return;
        }
        self.error(
            ctx,
            Code::UnknownObject,
            format!("{what} does not exist"),
            "create it in an earlier statement or migration, or check the spelling",
        );
    }

    // ----- names -------------------------------------------------------------------

    fn qname(&self, name: &ast::ObjectName) -> QualifiedName {
        types::qualified_name(name)
    }

    /// A name in the relation namespace of `name.schema` is used (tables, indexes,
    /// sequences, views, and the indexes behind constraints).
    fn relation_taken(&self, name: &QualifiedName) -> bool {
        let s = &self.schema;
        s.tables.contains_key(name)
            || s.indexes.contains_key(name)
            || s.sequences.contains_key(name)
            || s.views.contains_key(name)
            || self.with_names(|ix| ix.relations.contains(name))
    }

    fn constraint_taken(&self, schema: &str, name: &str) -> bool {
        self.with_names(|ix| {
            ix.constraints
                .contains(&(schema.to_string(), name.to_string()))
        })
    }

    fn with_names<T>(&self, f: impl FnOnce(&NameIndex) -> T) -> T {
        let mut names = self.names.borrow_mut();
        f(names.get_or_insert_with(|| NameIndex::build(&self.schema)))
    }

    /// Records a column just added to `table` in the name index.
    fn note_column(&mut self, table: &QualifiedName, column: &str) {
        let (Some(ix), Some(t)) = (self.names.get_mut().as_mut(), self.schema.tables.get(table))
        else {
            return;
        };
        if let Some(c) = t.column(column) {
            ix.add_column(t, c);
        }
    }

    // ----- DO blocks -----------------------------------------------------------------

    /// A DO block. The idempotency guards that tools wrap DDL in are seen through:
    /// `BEGIN <ddl>; EXCEPTION WHEN duplicate_object THEN null; END` (drizzle-kit) and
    /// `BEGIN IF NOT EXISTS (…) THEN <ddl>; END IF; END`. Anything else is opaque.
    fn apply_guard(&mut self, ctx: &Ctx, inner: &[(usize, usize)]) -> Option<String> {
        let mut ok = true;
        for (start, end) in inner {
            let chunk = Chunk {
                start: ctx.base + start,
                end: ctx.base + end,
            };
            let before = self.diagnostics.len();
            let opaque = self.apply_chunk(ctx.source, chunk, true);
            if opaque.is_some() || self.diagnostics[before..].iter().any(Diagnostic::is_error) {
                ok = false;
            }
        }
        if ok { None } else { self.opaque_do(ctx) }
    }

    /// A DO block the model cannot follow: noted, and (by [`Folder::apply_chunk`]) without
    /// effect on the model.
    fn opaque_do(&mut self, ctx: &Ctx) -> Option<String> {
        let reason = "opaque to the offline model: DO block".to_string();
        self.note_opaque(ctx, &reason, "a DO block runs procedural code the offline model cannot follow; it is kept verbatim and applied as written");
        Some(reason)
    }
}
