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

    // ----- statements --------------------------------------------------------------

    fn apply_statement(&mut self, ctx: &Ctx, stmt: ast::Statement) -> Option<String> {
        use ast::Statement as S;
        let only_adds = match &stmt {
            S::CreateTable(_) | S::CreateIndex(_) => true,
            S::AlterTable(at) => at.operations.iter().all(|op| {
                matches!(
                    op,
                    ast::AlterTableOperation::AddColumn { .. }
                        | ast::AlterTableOperation::AddConstraint { .. }
                )
            }),
            _ => false,
        };
        if !only_adds {
            *self.names.get_mut() = None;
        }
        match stmt {
            S::CreateTable(ct) => self.create_table(ctx, ct),
            S::AlterTable(at) => return self.alter_table(ctx, at),
            S::CreateIndex(ci) => self.create_index(ctx, ci),
            S::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => return self.drop(ctx, object_type, if_exists, &names, cascade),
            S::CreateType {
                name,
                representation,
            } => return self.create_type(ctx, &name, representation),
            S::AlterType(at) => self.alter_type(ctx, at),
            S::AlterIndex {
                name,
                operation: ast::AlterIndexOperation::RenameIndex { index_name },
            } => {
                let old = self.qname(&name);
                let new = QualifiedName::new(old.schema.clone(), self.qname(&index_name).name);
                touch!(self.indexes, &old);
                touch!(self.indexes, &new);
                if self.relation_taken(&new) {
                    self.exists(ctx, false, format!("relation `{new}`"));
                } else if let Some(mut index) = self.schema.indexes.remove(&old) {
                    index.name = new.clone();
                    self.schema.indexes.insert(new, index);
                } else {
                    self.missing(ctx, false, format!("index `{old}`"));
                }
            }
            S::Comment {
                object_type,
                object_name,
                comment,
                if_exists,
            } => return self.comment(ctx, object_type, &object_name, comment, if_exists),
            S::CreateExtension(ce) => {
                let name = ident(&ce.name);
                if self.schema.extensions.contains_key(&name) {
                    self.exists(ctx, ce.if_not_exists, format!("extension `{name}`"));
                } else {
                    touch!(self.extensions, &name);
                    self.schema.extensions.insert(
                        name.clone(),
                        Extension {
                            name,
                            schema: ce.schema.as_ref().map(ident),
                            version: ce.version.as_ref().map(|v| v.value.clone()),
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::DropExtension(de) => {
                for name in &de.names {
                    let name = ident(name);
                    touch!(self.extensions, &name);
                    if self.schema.extensions.remove(&name).is_none() {
                        self.missing(ctx, de.if_exists, format!("extension `{name}`"));
                    }
                }
            }
            S::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => {
                let name = match &schema_name {
                    ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                        self.qname(n).name
                    }
                    ast::SchemaName::UnnamedAuthorization(i) => ident(i),
                };
                if self.schema.schemas.contains_key(&name) || name == "public" {
                    self.exists(ctx, if_not_exists, format!("schema `{name}`"));
                } else {
                    touch!(self.schemas, &name);
                    self.schema.schemas.insert(
                        name.clone(),
                        Namespace {
                            name,
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateSequence {
                if_not_exists,
                name,
                data_type,
                owned_by,
                ..
            } => {
                let name = self.qname(&name);
                if self.relation_taken(&name) {
                    self.exists(ctx, if_not_exists, format!("relation `{name}`"));
                } else {
                    let data_type = data_type.and_then(|t| self.column_type(ctx, &t, "sequence"));
                    let owned_by = owned_by.and_then(|o| {
                        let mut parts = o.0.clone();
                        let column = parts.pop()?.as_ident().map(ident)?;
                        Some((self.qname(&ast::ObjectName(parts)), column))
                    });
                    touch!(self.sequences, &name);
                    self.schema.sequences.insert(
                        name.clone(),
                        Sequence {
                            name,
                            data_type,
                            owned_by,
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateDomain(cd) => self.create_domain(ctx, cd),
            S::DropDomain(dd) => {
                let name = self.qname(&dd.name);
                let cascade = matches!(dd.drop_behavior, Some(ast::DropBehavior::Cascade));
                self.drop_type(ctx, &name, dd.if_exists, cascade);
            }
            S::CreateView(cv) => {
                let name = self.qname(&cv.name);
                let exists = self.schema.views.contains_key(&name);
                if exists && !cv.or_replace {
                    self.exists(ctx, cv.if_not_exists, format!("view `{name}`"));
                } else if self.schema.tables.contains_key(&name) {
                    self.exists(ctx, false, format!("relation `{name}`"));
                } else {
                    touch!(self.views, &name);
                    self.schema.views.insert(
                        name.clone(),
                        View {
                            name,
                            materialized: cv.materialized,
                            definition: cv.query.to_string(),
                            comment: None,
                            depends_on: reads::reads(&*cv.query),
                            loc: ctx.loc.clone(),
                        },
                    );
                }
            }
            S::CreateFunction(cf) => self.create_function(ctx, cf),
            S::DropFunction(df) => {
                for desc in &df.func_desc {
                    let name = self.qname(&desc.name);
                    let before = self.schema.functions.len();
                    match &desc.args {
                        Some(args) => {
                            let key = FunctionKey {
                                name: name.clone(),
                                args: self.arg_types(ctx, args),
                            };
                            touch!(self.functions, &key);
                            self.schema.functions.remove(&key);
                        }
                        None => {
                            touch_where!(self.functions, |k, _| k.name == name);
                            self.schema.functions.retain(|k, _| k.name != name);
                        }
                    }
                    if self.schema.functions.len() == before {
                        self.missing(ctx, df.if_exists, format!("function `{name}`"));
                        continue;
                    }
                    // Triggers that call a function no longer there depend on it.
                    if !self.schema.functions.keys().any(|k| k.name == name) {
                        let users: Vec<_> = self
                            .schema
                            .triggers
                            .iter()
                            .filter(|(_, t)| t.function == name)
                            .map(|(k, _)| k.clone())
                            .collect();
                        let cascade = matches!(df.drop_behavior, Some(ast::DropBehavior::Cascade));
                        if let Some((table, trigger)) = users.first().filter(|_| !cascade) {
                            self.error(ctx, Code::UnknownObject, format!("cannot drop function `{name}` because trigger `{trigger}` on table `{table}` depends on it"), "add CASCADE to drop the triggers too, or drop them first");
                        }
                        for key in users {
                            touch!(self.triggers, &key);
                            self.schema.triggers.remove(&key);
                        }
                    }
                }
            }
            S::CreateTrigger(ct) => self.create_trigger(ctx, ct),
            S::DropTrigger(dt) => {
                let name = self.qname(&dt.trigger_name).name;
                match dt.table_name.as_ref().map(|t| self.qname(t)) {
                    Some(table) => {
                        touch!(self.triggers, &(table.clone(), name.clone()));
                        if self
                            .schema
                            .triggers
                            .remove(&(table.clone(), name.clone()))
                            .is_none()
                        {
                            self.missing(
                                ctx,
                                dt.if_exists,
                                format!("trigger `{name}` on table `{table}`"),
                            );
                        }
                    }
                    None => self.missing(ctx, dt.if_exists, format!("trigger `{name}`")),
                }
            }
            S::StartTransaction { .. } | S::Commit { .. } | S::Rollback { .. } => {
                let reason = "opaque to the offline model: transaction control".to_string();
                self.note_opaque(ctx, &reason, "the migration runner manages transactions itself; mark the migration no-transaction instead if it must control them");
                return Some(reason);
            }
            other => {
                let kind = statement_kind(ctx.text);
                let reason = format!("opaque to the offline model: {kind}");
                let help = if matches!(
                    other,
                    S::Insert(_) | S::Update(_) | S::Delete(_) | S::Query(_) | S::Copy { .. }
                ) {
                    "data statements do not change the schema model; it is kept verbatim and applied as written"
                } else {
                    "this kind of statement is not part of the schema model; it is kept verbatim and applied as written"
                };
                self.note_opaque(ctx, &reason, help);
                return Some(reason);
            }
        }
        None
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

    // ----- tables ------------------------------------------------------------------

    fn column_type(&mut self, ctx: &Ctx, ty: &ast::DataType, what: &str) -> Option<DataType> {
        match self.normalize_type(ty) {
            Ok(Normalized::Type(t)) => Some(t),
            Ok(Normalized::Serial(s)) => Some(s.integer_type()),
            Err(msg) => {
                self.error(
                    ctx,
                    Code::Unsupported,
                    format!("{what}: {msg}"),
                    "use a PostgreSQL type",
                );
                None
            }
        }
    }

    fn normalize_type(&self, ty: &ast::DataType) -> Result<Normalized, String> {
        let resolve = |name: &ast::ObjectName| {
            let q = self.qname(name);
            if name.0.len() > 1 {
                return q;
            }
            // An unqualified type resolves through the search path: public, then any
            // schema that holds a type of that name.
            if self.schema.enums.contains_key(&q) || self.schema.domains.contains_key(&q) {
                return q;
            }
            self.schema
                .enums
                .keys()
                .chain(self.schema.domains.keys())
                .find(|k| k.name == q.name)
                .cloned()
                .unwrap_or(q)
        };
        types::normalize(ty, &resolve)
    }

    /// Builds a column and the constraints written on it.
    fn column(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        def: &ast::ColumnDef,
    ) -> Option<(Column, Vec<Pending>)> {
        let name = ident(&def.name);
        let loc = self.loc_of(ctx, def.name.span);
        let what = format!("table `{table}`: column `{name}`");
        let (data_type, serial) = match self.normalize_type(&def.data_type) {
            Ok(Normalized::Type(t)) => (t, None),
            Ok(Normalized::Serial(s)) => (s.integer_type(), Some(s)),
            Err(msg) => {
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Unsupported,
                    loc,
                    format!("{what}: {msg}"),
                    "use a PostgreSQL type",
                );
                return None;
            }
        };
        let mut column = Column {
            name: name.clone(),
            data_type,
            not_null: serial.is_some(),
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            loc: loc.clone(),
        };
        if serial.is_some() {
            let seq = names::choose_name(&table.name, Some(&name), "seq", |n| {
                self.relation_taken(&QualifiedName::new(table.schema.clone(), n))
            });
            let seq = QualifiedName::new(table.schema.clone(), seq);
            column.default = Some(format!(
                "nextval({}::regclass)",
                quote_literal(&seq.to_string())
            ));
        }
        let mut pending = Vec::new();
        for opt in &def.options {
            let cname = opt.name.as_ref().map(ident);
            match &opt.option {
                ast::ColumnOption::Null => column.not_null = false,
                ast::ColumnOption::NotNull => column.not_null = true,
                ast::ColumnOption::Default(e) => column.default = default_text(e),
                ast::ColumnOption::Collation(c) => column.collation = Some(self.qname(c).name),
                ast::ColumnOption::Comment(c) => column.comment = Some(c.clone()),
                ast::ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(e) => column.generated = Some(strip_nested(e).to_string()),
                    None => {
                        column.not_null = true;
                        column.identity = Some(match generated_as {
                            ast::GeneratedAs::ByDefault => Identity::ByDefault,
                            _ => Identity::Always,
                        });
                    }
                },
                ast::ColumnOption::PrimaryKey(pk) => {
                    column.not_null = true;
                    pending.push(Pending {
                        name: cname.or_else(|| pk.name.as_ref().map(ident)),
                        kind: ConstraintKind::PrimaryKey {
                            columns: vec![name.clone()],
                            include: Vec::new(),
                        },
                        deferrable: false,
                        initially_deferred: false,
                        loc: loc.clone(),
                    });
                }
                ast::ColumnOption::Unique(u) => {
                    let (deferrable, initially_deferred) = characteristics(&u.characteristics);
                    pending.push(Pending {
                        name: cname.or_else(|| u.name.as_ref().map(ident)),
                        kind: ConstraintKind::Unique {
                            columns: vec![name.clone()],
                            include: Vec::new(),
                            nulls_not_distinct: matches!(
                                u.nulls_distinct,
                                ast::NullsDistinctOption::NotDistinct
                            ),
                        },
                        deferrable,
                        initially_deferred,
                        loc: loc.clone(),
                    });
                }
                ast::ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.columns = vec![def.name.clone()];
                    if fk.name.is_none() {
                        fk.name = opt.name.clone();
                    }
                    pending.push(self.foreign_key(&fk, loc.clone()));
                }
                ast::ColumnOption::Check(c) => pending.push(Pending {
                    name: cname.or_else(|| c.name.as_ref().map(ident)),
                    kind: ConstraintKind::Check {
                        expr: strip_nested(&c.expr).to_string(),
                    },
                    deferrable: false,
                    initially_deferred: false,
                    loc: loc.clone(),
                }),
                other => {
                    self.report(
                        ctx,
                        Severity::Error,
                        Code::Unsupported,
                        loc.clone(),
                        format!(
                            "{what}: column option `{other}` is not PostgreSQL or not modelled"
                        ),
                        "remove the option or write it as a separate statement",
                    );
                }
            }
        }
        Some((column, pending))
    }

    fn foreign_key(&self, fk: &ast::ForeignKeyConstraint, loc: Loc) -> Pending {
        let (deferrable, initially_deferred) = characteristics(&fk.characteristics);
        Pending {
            name: fk.name.as_ref().map(ident),
            kind: ConstraintKind::ForeignKey(ForeignKey {
                columns: fk.columns.iter().map(ident).collect(),
                ref_table: self.qname(&fk.foreign_table),
                ref_columns: fk.referred_columns.iter().map(ident).collect(),
                on_delete: fk.on_delete.map(fk_action).unwrap_or_default(),
                on_update: fk.on_update.map(fk_action).unwrap_or_default(),
                match_type: match fk.match_kind {
                    Some(ast::ConstraintReferenceMatchKind::Full) => FkMatch::Full,
                    Some(ast::ConstraintReferenceMatchKind::Partial) => FkMatch::Partial,
                    _ => FkMatch::Simple,
                },
            }),
            deferrable,
            initially_deferred,
            loc,
        }
    }

    fn table_constraint(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        c: &ast::TableConstraint,
    ) -> Option<Pending> {
        let loc = self.loc_of(ctx, c.span());
        let key_columns = |cols: &[ast::IndexColumn]| -> Result<Vec<String>, String> {
            cols.iter()
                .map(|c| match strip_nested(&c.column.expr) {
                    ast::Expr::Identifier(i) => Ok(ident(i)),
                    other => Err(other.to_string()),
                })
                .collect()
        };
        let pending = match c {
            ast::TableConstraint::PrimaryKey(pk) => {
                let (deferrable, initially_deferred) = characteristics(&pk.characteristics);
                Pending {
                    name: pk.name.as_ref().map(ident),
                    kind: ConstraintKind::PrimaryKey {
                        columns: key_columns(&pk.columns).ok()?,
                        include: pk.include.iter().map(ident).collect(),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            ast::TableConstraint::Unique(u) => {
                let (deferrable, initially_deferred) = characteristics(&u.characteristics);
                let columns = match key_columns(&u.columns) {
                    Ok(c) => c,
                    Err(expr) => {
                        self.report(ctx, Severity::Error, Code::Syntax, loc, format!("table `{table}`: a UNIQUE constraint takes column names, not the expression `{expr}`"), "use CREATE UNIQUE INDEX for an expression");
                        return None;
                    }
                };
                Pending {
                    name: u.name.as_ref().map(ident),
                    kind: ConstraintKind::Unique {
                        columns,
                        include: u.include.iter().map(ident).collect(),
                        nulls_not_distinct: matches!(
                            u.nulls_distinct,
                            ast::NullsDistinctOption::NotDistinct
                        ),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            ast::TableConstraint::ForeignKey(fk) => self.foreign_key(fk, loc),
            ast::TableConstraint::Check(ch) => Pending {
                name: ch.name.as_ref().map(ident),
                kind: ConstraintKind::Check {
                    expr: strip_nested(&ch.expr).to_string(),
                },
                deferrable: false,
                initially_deferred: false,
                loc,
            },
            ast::TableConstraint::Exclude(ex) => {
                let (deferrable, initially_deferred) = characteristics(&ex.characteristics);
                Pending {
                    name: ex.name.as_ref().map(ident),
                    kind: ConstraintKind::Exclusion {
                        method: ex
                            .index_method
                            .as_ref()
                            .map_or(IndexMethod::Btree, |m| IndexMethod::from_name(&m.value)),
                        elements: ex
                            .elements
                            .iter()
                            .map(|e| format!("{} WITH {}", e.column, e.operator))
                            .collect(),
                        include: ex.include.iter().map(ident).collect(),
                        predicate: ex
                            .where_clause
                            .as_ref()
                            .map(|w| strip_nested(w).to_string()),
                    },
                    deferrable,
                    initially_deferred,
                    loc,
                }
            }
            other => {
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Unsupported,
                    loc,
                    format!(
                        "table `{table}`: constraint `{other}` is not PostgreSQL or not modelled"
                    ),
                    "write it as a PostgreSQL constraint or index",
                );
                return None;
            }
        };
        Some(pending)
    }

    fn create_table(&mut self, ctx: &Ctx, ct: ast::CreateTable) {
        let name = self.qname(&ct.name);
        if self.schema.tables.contains_key(&name) || self.relation_taken(&name) {
            self.exists(ctx, ct.if_not_exists, format!("relation `{name}`"));
            return;
        }
        if ct.temporary {
            let reason = "opaque to the offline model: temporary table".to_string();
            self.note_opaque(
                ctx,
                &reason,
                "temporary tables vanish with their session; they are not part of the schema",
            );
            return;
        }
        if ct.query.is_some()
            || ct.like.is_some()
            || ct.partition_of.is_some()
            || ct.clone.is_some()
        {
            self.error(
                ctx,
                Code::Unsupported,
                format!("table `{name}`: CREATE TABLE … AS / LIKE / PARTITION OF is not modelled"),
                "write the columns out in CREATE TABLE",
            );
            return;
        }
        if ct.partition_by.is_some() || ct.inherits.is_some() {
            let loc = ctx.loc.clone();
            self.report(ctx, Severity::Warning, Code::Unsupported, loc, format!("table `{name}`: partitioning and inheritance are not modelled; the table is modelled as a plain table"), "partitions and child tables are applied as written when migrations run, but not compared offline");
        }
        if !self.schema_exists(&name.schema) {
            self.missing(ctx, false, format!("schema `{}`", name.schema));
        }
        let mut table = Table {
            name: name.clone(),
            columns: Vec::with_capacity(ct.columns.len()),
            constraints: Default::default(),
            comment: ct.comment.as_ref().map(|c| match c {
                ast::CommentDef::WithEq(s) | ast::CommentDef::WithoutEq(s) => s.clone(),
            }),
            loc: self.loc_of(ctx, ct.name.span()).with_len(ctx.loc.len),
        };
        let mut pending = Vec::new();
        for def in &ct.columns {
            let Some((column, cons)) = self.column(ctx, &name, def) else {
                continue;
            };
            if table.column(&column.name).is_some() {
                let loc = column.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Duplicate,
                    loc,
                    format!(
                        "table `{name}`: column `{}` is specified more than once",
                        column.name
                    ),
                    "remove or rename one of them",
                );
                continue;
            }
            table.columns.push(column);
            pending.extend(cons);
        }
        let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        touch!(self.tables, &name);
        self.schema.tables.insert(name.clone(), table);
        for c in columns {
            self.note_column(&name, &c);
        }
        for c in &ct.constraints {
            if let Some(p) = self.table_constraint(ctx, &name, c) {
                pending.push(p);
            }
        }
        // Postgres names CHECK constraints when it creates the table, then the indexes
        // of primary key, unique and exclusion constraints, then foreign keys.
        pending.sort_by_key(|p| match p.kind {
            ConstraintKind::Check { .. } => 0,
            ConstraintKind::ForeignKey(_) => 2,
            _ => 1,
        });
        for p in pending {
            self.add_constraint(ctx, &name, p);
        }
    }

    fn schema_exists(&self, schema: &str) -> bool {
        schema == "public" || schema == "pg_catalog" || self.schema.schemas.contains_key(schema)
    }

    /// Validates a constraint against its table, resolves its name and adds it.
    fn add_constraint(&mut self, ctx: &Ctx, table_name: &QualifiedName, mut p: Pending) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        let what = format!("table `{table_name}`");
        let columns: Vec<&String> = match &p.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => columns.iter().chain(include).collect(),
            ConstraintKind::ForeignKey(fk) => fk.columns.iter().collect(),
            _ => Vec::new(),
        };
        for col in columns {
            if table.column(col).is_none() {
                let loc = p.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    format!("{what}: constraint column `{col}` does not exist"),
                    "name a column of the table",
                );
                return;
            }
        }
        if let ConstraintKind::PrimaryKey { .. } = p.kind {
            if let Some((existing, _)) = table.primary_key() {
                let loc = p.loc.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::Duplicate,
                    loc,
                    format!(
                        "{what}: multiple primary keys are not allowed (already has `{existing}`)"
                    ),
                    "keep one PRIMARY KEY and make the others UNIQUE",
                );
                return;
            }
        }
        if let ConstraintKind::ForeignKey(fk) = &mut p.kind {
            let ref_table = if fk.ref_table == *table_name {
                Some(table)
            } else {
                self.schema.tables.get(&fk.ref_table)
            };
            let Some(ref_table) = ref_table else {
                let loc = p.loc.clone();
                let ref_name = fk.ref_table.clone();
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    format!(
                        "{what}: foreign key references table `{ref_name}`, which does not exist"
                    ),
                    "create the referenced table first, or fix the name",
                );
                return;
            };
            if fk.ref_columns.is_empty() {
                match ref_table.primary_key() {
                    Some((_, cols)) => fk.ref_columns = cols.to_vec(),
                    None => {
                        let loc = p.loc.clone();
                        let ref_name = fk.ref_table.clone();
                        self.report(
                            ctx,
                            Severity::Error,
                            Code::UnknownObject,
                            loc,
                            format!(
                                "{what}: there is no primary key for referenced table `{ref_name}`"
                            ),
                            "name the referenced columns explicitly",
                        );
                        return;
                    }
                }
            }
            if let Some(col) = fk
                .ref_columns
                .iter()
                .find(|c| ref_table.column(c).is_none())
            {
                let loc = p.loc.clone();
                let msg = format!(
                    "{what}: foreign key references column `{col}` of `{}`, which does not exist",
                    fk.ref_table
                );
                self.report(
                    ctx,
                    Severity::Error,
                    Code::UnknownObject,
                    loc,
                    msg,
                    "reference an existing column",
                );
                return;
            }
            if fk.columns.len() != fk.ref_columns.len() {
                let loc = p.loc.clone();
                self.report(ctx, Severity::Error, Code::Syntax, loc, format!("{what}: number of referencing and referenced columns for foreign key disagree"), "list as many referenced columns as referencing ones");
                return;
            }
        }
        if let ConstraintKind::PrimaryKey { columns, .. } = &p.kind {
            let columns = columns.clone();
            touch!(self.tables, table_name);
            if let Some(t) = self.schema.tables.get_mut(table_name) {
                for c in t.columns.iter_mut().filter(|c| columns.contains(&c.name)) {
                    c.not_null = true;
                }
            }
        }
        let name = match p.name.take() {
            Some(n) => {
                if self.constraint_taken(&table_name.schema, &n)
                    && self
                        .schema
                        .tables
                        .get(table_name)
                        .is_some_and(|t| t.constraints.contains_key(&n))
                {
                    if !ctx.guarded {
                        let loc = p.loc.clone();
                        self.report(
                            ctx,
                            Severity::Error,
                            Code::Duplicate,
                            loc,
                            format!("{what}: constraint `{n}` already exists"),
                            "choose another name or drop the old constraint first",
                        );
                    }
                    return;
                }
                n
            }
            None => self.choose_constraint_name(table_name, &p),
        };
        if let Some(ix) = self.names.get_mut().as_mut() {
            ix.add_constraint(&table_name.schema, &name, &p.kind);
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.constraints.insert(
                name.clone(),
                Constraint {
                    name,
                    kind: p.kind,
                    deferrable: p.deferrable,
                    initially_deferred: p.initially_deferred,
                    loc: p.loc,
                },
            );
        }
    }

    fn choose_constraint_name(&self, table: &QualifiedName, p: &Pending) -> String {
        let schema = table.schema.clone();
        let rel_taken = |n: &str| {
            self.relation_taken(&QualifiedName::new(schema.clone(), n))
                || self.constraint_taken(&schema, n)
        };
        let con_taken = |n: &str| self.constraint_taken(&schema, n);
        match &p.kind {
            ConstraintKind::PrimaryKey { .. } => {
                names::choose_name(&table.name, None, "pkey", rel_taken)
            }
            ConstraintKind::Unique {
                columns, include, ..
            } => {
                let all: Vec<String> = columns.iter().chain(include).cloned().collect();
                let addition = names::name_addition(&names::distinct_column_names(all));
                names::choose_name(&table.name, Some(&addition), "key", rel_taken)
            }
            ConstraintKind::Exclusion {
                elements, include, ..
            } => {
                let cols: Vec<String> = elements
                    .iter()
                    .map(|e| {
                        let col = e.split(" WITH ").next().unwrap_or("expr").trim();
                        if col.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                            col.to_string()
                        } else {
                            "expr".to_string()
                        }
                    })
                    .chain(include.iter().cloned())
                    .collect();
                let addition = names::name_addition(&names::distinct_column_names(cols));
                names::choose_name(&table.name, Some(&addition), "excl", rel_taken)
            }
            ConstraintKind::Check { expr } => {
                {
                    // `table_column_check` when the expression mentions exactly one column,
                    // else `table_check`, as Postgres's AddRelationNewConstraints decides.
                    let columns = self
                        .schema
                        .tables
                        .get(table)
                        .map(|t| t.columns.as_slice())
                        .unwrap_or_default();
                    let column = single_column_reference(expr, columns);
                    names::choose_name(&table.name, column.as_deref(), "check", con_taken)
                }
            }
            ConstraintKind::ForeignKey(fk) => {
                let addition = names::name_addition(&fk.columns);
                names::choose_name(&table.name, Some(&addition), "fkey", con_taken)
            }
        }
    }

    fn alter_table(&mut self, ctx: &Ctx, at: ast::AlterTable) -> Option<String> {
        let mut name = self.qname(&at.name);
        if !self.schema.tables.contains_key(&name) {
            self.missing(ctx, at.if_exists, format!("table `{name}`"));
            return None;
        }
        let mut opaque = None;
        for op in &at.operations {
            use ast::AlterTableOperation as Op;
            match op {
                Op::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let Some((column, cons)) = self.column(ctx, &name, column_def) else {
                        continue;
                    };
                    touch!(self.tables, &name);
                    let Some(table) = self.schema.tables.get_mut(&name) else {
                        continue;
                    };
                    if table.column(&column.name).is_some() {
                        let what = format!("table `{name}`: column `{}`", column.name);
                        self.exists(ctx, *if_not_exists, what);
                        continue;
                    }
                    let column_name = column.name.clone();
                    table.columns.push(column);
                    self.note_column(&name, &column_name);
                    for p in cons {
                        self.add_constraint(ctx, &name, p);
                    }
                }
                Op::DropColumn {
                    column_names,
                    if_exists,
                    drop_behavior,
                    ..
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    for col in column_names {
                        self.drop_column(ctx, &name, &ident(col), *if_exists, cascade);
                    }
                }
                Op::AddConstraint { constraint, .. } => {
                    if let Some(p) = self.table_constraint(ctx, &name, constraint) {
                        self.add_constraint(ctx, &name, p);
                    }
                }
                Op::DropConstraint {
                    if_exists,
                    name: cname,
                    drop_behavior,
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    self.drop_constraint(ctx, &name, &ident(cname), *if_exists, cascade);
                }
                Op::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    self.rename_column(
                        ctx,
                        &name,
                        &ident(old_column_name),
                        &ident(new_column_name),
                    );
                }
                Op::RenameTable { table_name } => {
                    let (ast::RenameTableNameKind::As(new) | ast::RenameTableNameKind::To(new)) =
                        table_name;
                    let new = QualifiedName::new(name.schema.clone(), self.qname(new).name);
                    if self.relation_taken(&new) {
                        self.exists(ctx, false, format!("relation `{new}`"));
                        continue;
                    }
                    self.rename_table(&name, &new);
                    name = new;
                }
                Op::RenameConstraint { old_name, new_name } => {
                    let (old, new) = (ident(old_name), ident(new_name));
                    touch!(self.tables, &name);
                    let Some(table) = self.schema.tables.get_mut(&name) else {
                        continue;
                    };
                    match table.constraints.remove(&old) {
                        Some(mut c) => {
                            c.name = new.clone();
                            table.constraints.insert(new, c);
                        }
                        None => self.missing(
                            ctx,
                            false,
                            format!("constraint `{old}` of table `{name}`"),
                        ),
                    }
                }
                Op::AlterColumn { column_name, op } => {
                    self.alter_column(ctx, &name, &ident(column_name), op)
                }
                other => {
                    let reason = format!(
                        "opaque to the offline model: ALTER TABLE … {}",
                        first_words(&other.to_string(), 4)
                    );
                    self.note_opaque(ctx, &reason, "this part of ALTER TABLE does not change the schema model; it is kept verbatim and applied as written");
                    opaque = Some(reason);
                }
            }
        }
        opaque
    }

    fn alter_column(
        &mut self,
        ctx: &Ctx,
        table: &QualifiedName,
        column: &str,
        op: &ast::AlterColumnOperation,
    ) {
        let ty = match op {
            ast::AlterColumnOperation::SetDataType { data_type, .. } => Some(self.column_type(
                ctx,
                data_type,
                &format!("table `{table}`: column `{column}`"),
            )),
            _ => None,
        };
        touch!(self.tables, table);
        let Some(col) = self
            .schema
            .tables
            .get_mut(table)
            .and_then(|t| t.column_mut(column))
        else {
            self.missing(ctx, false, format!("column `{column}` of table `{table}`"));
            return;
        };
        match op {
            ast::AlterColumnOperation::SetNotNull => col.not_null = true,
            ast::AlterColumnOperation::DropNotNull => col.not_null = false,
            ast::AlterColumnOperation::SetDefault { value } => col.default = default_text(value),
            ast::AlterColumnOperation::DropDefault => col.default = None,
            ast::AlterColumnOperation::SetDataType { .. } => {
                if let Some(Some(t)) = ty {
                    col.data_type = t;
                }
            }
            ast::AlterColumnOperation::AddGenerated { generated_as, .. } => {
                col.not_null = true;
                col.identity = Some(match generated_as {
                    Some(ast::GeneratedAs::ByDefault) => Identity::ByDefault,
                    _ => Identity::Always,
                });
            }
        }
    }

    fn drop_column(
        &mut self,
        ctx: &Ctx,
        table_name: &QualifiedName,
        column: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        if table.column(column).is_none() {
            self.missing(
                ctx,
                if_exists,
                format!("column `{column}` of table `{table_name}`"),
            );
            return;
        }
        // Foreign keys of other tables that reference this column need CASCADE.
        let dependents: Vec<(QualifiedName, String)> =
            self.referencing_fks(table_name, Some(column));
        if !dependents.is_empty() && !cascade {
            let (t, c) = &dependents[0];
            self.error(ctx, Code::UnknownObject, format!("cannot drop column `{column}` of table `{table_name}` because constraint `{c}` on table `{t}` depends on it"), "add CASCADE to drop the dependent constraints too, or drop them first");
            return;
        }
        for (t, c) in dependents {
            touch!(self.tables, &t);
            if let Some(t) = self.schema.tables.get_mut(&t) {
                t.constraints.remove(&c);
            }
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.columns.retain(|c| c.name != column);
            // Constraints and indexes that involve the column go with it.
            t.constraints.retain(|_, c| !constraint_mentions(c, column));
        }
        for i in self.indexes_on(table_name) {
            if self
                .schema
                .indexes
                .get(&i)
                .is_some_and(|index| index_mentions(index, column))
            {
                touch!(self.indexes, &i);
                self.schema.indexes.remove(&i);
            }
        }
    }

    /// Foreign keys (table, constraint) that reference `table` (and `column`, if given).
    fn referencing_fks(
        &self,
        table: &QualifiedName,
        column: Option<&str>,
    ) -> Vec<(QualifiedName, String)> {
        self.foreign_keys_to(table)
            .into_iter()
            .filter(|(fk, t, _)| {
                column.is_none_or(|col| fk.ref_columns.iter().any(|r| r == col))
                    && !(**t == *table && column.is_none())
            })
            .map(|(_, t, c)| (t.clone(), c.to_string()))
            .collect()
    }

    /// Every foreign key that references `table`: (the key, its table, its name), in the
    /// order of table and constraint names.
    fn foreign_keys_to(&self, table: &QualifiedName) -> Vec<(&ForeignKey, &QualifiedName, &str)> {
        let keys: Vec<(QualifiedName, String)> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.referrers
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        let found: Vec<(&ForeignKey, &QualifiedName, &str)> = keys
            .iter()
            .filter_map(|(t, c)| {
                let (name, table) = self.schema.tables.get_key_value(t)?;
                let (cname, constraint) = table.constraints.get_key_value(c)?;
                match &constraint.kind {
                    ConstraintKind::ForeignKey(fk) => Some((fk, name, cname.as_str())),
                    _ => None,
                }
            })
            .collect();
        debug_assert_eq!(
            found,
            self.schema
                .tables
                .iter()
                .flat_map(
                    |(name, t)| t.constraints.iter().filter_map(move |(cname, c)| {
                        match &c.kind {
                            ConstraintKind::ForeignKey(fk) if fk.ref_table == *table => {
                                Some((fk, name, cname.as_str()))
                            }
                            _ => None,
                        }
                    })
                )
                .collect::<Vec<_>>(),
            "the reverse index of foreign keys is stale"
        );
        found
    }

    /// The names of the indexes on `table`, in name order.
    fn indexes_on(&self, table: &QualifiedName) -> Vec<QualifiedName> {
        let found: Vec<QualifiedName> = {
            let mut deps = self.dependents.borrow_mut();
            let deps = deps.get_or_insert_with(|| Dependents::build(&self.schema));
            deps.refresh(&self.schema);
            deps.indexes_on
                .get(table)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        debug_assert_eq!(
            found,
            self.schema
                .indexes
                .values()
                .filter(|i| i.table == *table)
                .map(|i| i.name.clone())
                .collect::<Vec<_>>(),
            "the reverse index of indexes is stale"
        );
        found
    }

    /// The keys of the triggers on `table`, in name order.
    fn triggers_on(&self, table: &QualifiedName) -> Vec<(QualifiedName, String)> {
        self.schema
            .triggers
            .range((table.clone(), String::new())..)
            .map(|(k, _)| k)
            .take_while(|(t, _)| t == table)
            .cloned()
            .collect()
    }

    fn drop_constraint(
        &mut self,
        ctx: &Ctx,
        table_name: &QualifiedName,
        cname: &str,
        if_exists: bool,
        cascade: bool,
    ) {
        let Some(table) = self.schema.tables.get(table_name) else {
            return;
        };
        let Some(constraint) = table.constraints.get(cname) else {
            self.missing(
                ctx,
                if_exists,
                format!("constraint `{cname}` of table `{table_name}`"),
            );
            return;
        };
        // Dropping a key that foreign keys rely on needs CASCADE.
        let key_columns = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                Some(columns.clone())
            }
            _ => None,
        };
        if let Some(cols) = key_columns {
            let dependents: Vec<(QualifiedName, String)> = self
                .foreign_keys_to(table_name)
                .into_iter()
                .filter(|(fk, _, _)| fk.ref_columns == cols)
                .map(|(_, t, c)| (t.clone(), c.to_string()))
                .collect();
            if !dependents.is_empty() && !cascade {
                let (t, c) = &dependents[0];
                self.error(ctx, Code::UnknownObject, format!("cannot drop constraint `{cname}` on table `{table_name}` because constraint `{c}` on table `{t}` depends on it"), "add CASCADE to drop the dependent foreign keys too, or drop them first");
                return;
            }
            for (t, c) in dependents {
                touch!(self.tables, &t);
                if let Some(t) = self.schema.tables.get_mut(&t) {
                    t.constraints.remove(&c);
                }
            }
        }
        touch!(self.tables, table_name);
        if let Some(t) = self.schema.tables.get_mut(table_name) {
            t.constraints.remove(cname);
        }
    }

    fn rename_column(&mut self, ctx: &Ctx, table_name: &QualifiedName, old: &str, new: &str) {
        touch!(self.tables, table_name);
        let Some(table) = self.schema.tables.get_mut(table_name) else {
            return;
        };
        if table.column(new).is_some() {
            self.exists(
                ctx,
                false,
                format!("column `{new}` of table `{table_name}`"),
            );
            return;
        }
        let Some(col) = table.column_mut(old) else {
            self.missing(
                ctx,
                false,
                format!("column `{old}` of table `{table_name}`"),
            );
            return;
        };
        col.name = new.to_string();
        let rename = |v: &mut Vec<String>| {
            v.iter_mut()
                .filter(|c| *c == old)
                .for_each(|c| *c = new.to_string())
        };
        for c in table.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    rename(columns);
                    rename(include);
                }
                ConstraintKind::ForeignKey(fk) => rename(&mut fk.columns),
                ConstraintKind::Check { expr } => *expr = rename_in_expr(expr, old, new),
                ConstraintKind::Exclusion {
                    elements,
                    include,
                    predicate,
                    ..
                } => {
                    rename(include);
                    for e in elements.iter_mut() {
                        *e = rename_in_expr(e, old, new);
                    }
                    if let Some(p) = predicate {
                        *p = rename_in_expr(p, old, new);
                    }
                }
            }
        }
        for c in &mut table.columns {
            if let Some(g) = &mut c.generated {
                *g = rename_in_expr(g, old, new);
            }
        }
        let referrers: BTreeSet<QualifiedName> = self
            .foreign_keys_to(table_name)
            .into_iter()
            .map(|(_, t, _)| t.clone())
            .collect();
        for t in &referrers {
            touch!(self.tables, t);
            let Some(t) = self.schema.tables.get_mut(t) else {
                continue;
            };
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    if fk.ref_table == *table_name {
                        rename(&mut fk.ref_columns);
                    }
                }
            }
        }
        let indexes = self.indexes_on(table_name);
        for i in &indexes {
            touch!(self.indexes, i);
        }
        for i in &indexes {
            let Some(i) = self.schema.indexes.get_mut(i) else {
                continue;
            };
            for k in &mut i.keys {
                match &mut k.expr {
                    KeyExpr::Column(c) if c == old => *c = new.to_string(),
                    KeyExpr::Expression(e) => *e = rename_in_expr(e, old, new),
                    KeyExpr::Column(_) => {}
                }
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_in_expr(p, old, new);
            }
            rename(&mut i.include);
        }
    }

    fn rename_table(&mut self, old: &QualifiedName, new: &QualifiedName) {
        if !self.schema.tables.contains_key(old) {
            return;
        }
        let referrers: BTreeSet<QualifiedName> = self
            .foreign_keys_to(old)
            .into_iter()
            .map(|(_, t, _)| t.clone())
            .collect();
        let indexes = self.indexes_on(old);
        let triggers = self.triggers_on(old);
        touch!(self.tables, old);
        touch!(self.tables, new);
        let Some(mut table) = self.schema.tables.remove(old) else {
            return;
        };
        table.name = new.clone();
        self.schema.tables.insert(new.clone(), table);
        for t in &referrers {
            // The renamed table itself, if it references itself, is now under `new`.
            let t = if t == old { new } else { t };
            touch!(self.tables, t);
            let Some(t) = self.schema.tables.get_mut(t) else {
                continue;
            };
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    if fk.ref_table == *old {
                        fk.ref_table = new.clone();
                    }
                }
            }
        }
        for i in &indexes {
            touch!(self.indexes, i);
            if let Some(i) = self.schema.indexes.get_mut(i) {
                i.table = new.clone();
            }
        }
        for key in triggers {
            touch!(self.triggers, &key);
            touch!(self.triggers, &(new.clone(), key.1.clone()));
            if let Some(mut trig) = self.schema.triggers.remove(&key) {
                trig.table = new.clone();
                self.schema.triggers.insert((new.clone(), key.1), trig);
            }
        }
    }

    // ----- indexes -----------------------------------------------------------------

    fn create_index(&mut self, ctx: &Ctx, ci: ast::CreateIndex) {
        let table_name = self.qname(&ci.table_name);
        let Some(table) = self.schema.tables.get(&table_name) else {
            self.missing(ctx, false, format!("table `{table_name}`"));
            return;
        };
        let mut keys = Vec::new();
        let mut key_names = Vec::new();
        for col in &ci.columns {
            let (expr, collation) = match strip_nested(&col.column.expr) {
                ast::Expr::Collate { expr, collation } => {
                    (strip_nested(expr), Some(self.qname(collation).name))
                }
                e => (strip_nested(e), None),
            };
            let key = match expr {
                ast::Expr::Identifier(i) => {
                    let name = ident(i);
                    if table.column(&name).is_none() {
                        let loc = self.loc_of(ctx, i.span);
                        self.report(
                            ctx,
                            Severity::Error,
                            Code::UnknownObject,
                            loc,
                            format!(
                                "index on table `{table_name}`: column `{name}` does not exist"
                            ),
                            "index an existing column",
                        );
                        return;
                    }
                    key_names.push(name.clone());
                    KeyExpr::Column(name)
                }
                e => {
                    key_names.push(figure_colname(e).unwrap_or_else(|| "expr".into()));
                    KeyExpr::Expression(e.to_string())
                }
            };
            keys.push(IndexKey {
                expr: key,
                opclass: col.operator_class.as_ref().map(|o| self.qname(o).name),
                collation,
                descending: matches!(col.column.options.sort, Some(ast::OrderBySort::Desc)),
                nulls_first: col.column.options.nulls_first,
            });
        }
        let include: Vec<String> = ci.include.iter().map(ident).collect();
        if let Some(missing) = include.iter().find(|c| table.column(c).is_none()) {
            self.missing(
                ctx,
                false,
                format!("column `{missing}` of table `{table_name}`"),
            );
            return;
        }
        let name = match &ci.name {
            Some(n) => QualifiedName::new(table_name.schema.clone(), self.qname(n).name),
            None => {
                let all: Vec<String> = key_names
                    .into_iter()
                    .chain(include.iter().cloned())
                    .collect();
                let addition = names::name_addition(&names::distinct_column_names(all));
                let schema = table_name.schema.clone();
                let n = names::choose_name(&table_name.name, Some(&addition), "idx", |n| {
                    self.relation_taken(&QualifiedName::new(schema.clone(), n))
                });
                QualifiedName::new(table_name.schema.clone(), n)
            }
        };
        if self.relation_taken(&name) {
            self.exists(ctx, ci.if_not_exists, format!("relation `{name}`"));
            return;
        }
        let with = ci
            .with
            .iter()
            .map(|e| match e {
                ast::Expr::BinaryOp { left, right, .. } => (
                    left.to_string().to_ascii_lowercase(),
                    unquote(&right.to_string()),
                ),
                other => (other.to_string(), String::new()),
            })
            .collect();
        let method = ci.using.as_ref().map_or(IndexMethod::Btree, |u| {
            IndexMethod::from_name(&u.to_string())
        });
        touch!(self.indexes, &name);
        self.schema.indexes.insert(
            name.clone(),
            Index {
                name,
                table: table_name,
                unique: ci.unique,
                method,
                keys,
                include,
                nulls_not_distinct: ci.nulls_distinct == Some(false),
                predicate: ci.predicate.as_ref().map(|p| strip_nested(p).to_string()),
                with,
                comment: None,
                loc: ctx.loc.clone(),
            },
        );
    }

    // ----- drops -------------------------------------------------------------------

    fn drop(
        &mut self,
        ctx: &Ctx,
        object_type: ast::ObjectType,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
    ) -> Option<String> {
        for n in names {
            let name = self.qname(n);
            touch!(self.views, &name);
            touch!(self.indexes, &name);
            touch!(self.sequences, &name);
            match object_type {
                ast::ObjectType::Table => self.drop_table(ctx, &name, if_exists, cascade),
                ast::ObjectType::View | ast::ObjectType::MaterializedView => {
                    if self.schema.views.remove(&name).is_none() {
                        self.missing(ctx, if_exists, format!("view `{name}`"));
                    }
                }
                ast::ObjectType::Index => {
                    if self.schema.indexes.remove(&name).is_none() {
                        let backs_constraint = self.schema.tables.values().any(|t| {
                            t.name.schema == name.schema && t.constraints.contains_key(&name.name)
                        });
                        if backs_constraint {
                            self.error(
                                ctx,
                                Code::UnknownObject,
                                format!(
                                    "cannot drop index `{name}` because a constraint requires it"
                                ),
                                "drop the constraint with ALTER TABLE … DROP CONSTRAINT instead",
                            );
                        } else {
                            self.missing(ctx, if_exists, format!("index `{name}`"));
                        }
                    }
                }
                ast::ObjectType::Sequence => {
                    if self.schema.sequences.remove(&name).is_none() {
                        self.missing(ctx, if_exists, format!("sequence `{name}`"));
                    }
                }
                ast::ObjectType::Type => self.drop_type(ctx, &name, if_exists, cascade),
                ast::ObjectType::Schema => {
                    touch!(self.schemas, &name.name);
                    if self.schema.schemas.remove(&name.name).is_none() {
                        self.missing(ctx, if_exists, format!("schema `{}`", name.name));
                    } else {
                        let s = name.name.clone();
                        let has_objects = self.schema.tables.keys().any(|k| k.schema == s);
                        if has_objects && !cascade {
                            self.error(
                                ctx,
                                Code::UnknownObject,
                                format!(
                                    "cannot drop schema `{s}` because other objects depend on it"
                                ),
                                "add CASCADE, or drop its objects first",
                            );
                        }
                        touch_where!(self.tables, |k, _| k.schema == s);
                        touch_where!(self.indexes, |k, _| k.schema == s);
                        touch_where!(self.enums, |k, _| k.schema == s);
                        touch_where!(self.domains, |k, _| k.schema == s);
                        touch_where!(self.views, |k, _| k.schema == s);
                        touch_where!(self.sequences, |k, _| k.schema == s);
                        self.schema.tables.retain(|k, _| k.schema != s);
                        self.schema.indexes.retain(|k, _| k.schema != s);
                        self.schema.enums.retain(|k, _| k.schema != s);
                        self.schema.domains.retain(|k, _| k.schema != s);
                        self.schema.views.retain(|k, _| k.schema != s);
                        self.schema.sequences.retain(|k, _| k.schema != s);
                    }
                }
                other => {
                    let reason = format!("opaque to the offline model: DROP {other}");
                    self.note_opaque(ctx, &reason, "this kind of object is not part of the schema model; the statement is kept verbatim and applied as written");
                    return Some(reason);
                }
            }
        }
        None
    }

    fn drop_table(&mut self, ctx: &Ctx, name: &QualifiedName, if_exists: bool, cascade: bool) {
        if !self.schema.tables.contains_key(name) {
            self.missing(ctx, if_exists, format!("table `{name}`"));
            return;
        }
        let dependents = self.referencing_fks(name, None);
        if !dependents.is_empty() && !cascade {
            let (t, c) = &dependents[0];
            self.error(ctx, Code::UnknownObject, format!("cannot drop table `{name}` because constraint `{c}` on table `{t}` depends on it"), "add CASCADE to drop the dependent foreign keys too, or drop the referencing table first");
            return;
        }
        // Views whose query names the table depend on it.
        let views: Vec<QualifiedName> = self
            .schema
            .views
            .values()
            .filter(|v| mentions_word(&v.definition, &name.name))
            .map(|v| v.name.clone())
            .collect();
        if let Some(v) = views.first().filter(|_| !cascade) {
            self.error(
                ctx,
                Code::UnknownObject,
                format!("cannot drop table `{name}` because view `{v}` depends on it"),
                "add CASCADE to drop the view too, or drop the view first",
            );
            return;
        }
        for v in views {
            touch!(self.views, &v);
            self.schema.views.remove(&v);
        }
        for (t, c) in dependents {
            touch!(self.tables, &t);
            if let Some(t) = self.schema.tables.get_mut(&t) {
                t.constraints.remove(&c);
            }
        }
        touch!(self.tables, name);
        self.schema.tables.remove(name);
        for i in self.indexes_on(name) {
            touch!(self.indexes, &i);
            self.schema.indexes.remove(&i);
        }
        for key in self.triggers_on(name) {
            touch!(self.triggers, &key);
            self.schema.triggers.remove(&key);
        }
        touch_where!(self.sequences, |_, s| {
            s.owned_by.as_ref().is_some_and(|(t, _)| t == name)
        });
        self.schema
            .sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
    }

    fn drop_type(&mut self, ctx: &Ctx, name: &QualifiedName, if_exists: bool, cascade: bool) {
        touch!(self.enums, name);
        touch!(self.domains, name);
        if self.schema.enums.remove(name).is_none() && self.schema.domains.remove(name).is_none() {
            self.missing(ctx, if_exists, format!("type `{name}`"));
            return;
        }
        let users: Vec<(QualifiedName, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.data_type.name == TypeName::Named(name.clone()))
                    .map(move |c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if let Some((t, c)) = users.first() {
            if !cascade {
                self.error(ctx, Code::UnknownObject, format!("cannot drop type `{name}` because column `{c}` of table `{t}` depends on it"), "add CASCADE to drop the dependent columns too, or change their type first");
                return;
            }
        }
        for (t, c) in users {
            self.drop_column(ctx, &t, &c, true, true);
        }
    }

    // ----- types -------------------------------------------------------------------

    fn create_type(
        &mut self,
        ctx: &Ctx,
        name: &ast::ObjectName,
        repr: Option<ast::UserDefinedTypeRepresentation>,
    ) -> Option<String> {
        let name = self.qname(name);
        match repr {
            Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                if self.schema.enums.contains_key(&name) || self.schema.domains.contains_key(&name)
                {
                    self.exists(ctx, false, format!("type `{name}`"));
                    return None;
                }
                let mut seen: Vec<String> = Vec::new();
                for l in labels {
                    if seen.contains(&l.value) {
                        self.error(
                            ctx,
                            Code::Duplicate,
                            format!("enum `{name}`: label `{}` used more than once", l.value),
                            "remove the duplicate label",
                        );
                        return None;
                    }
                    seen.push(l.value);
                }
                touch!(self.enums, &name);
                self.schema.enums.insert(
                    name.clone(),
                    EnumType {
                        name,
                        labels: seen,
                        comment: None,
                        loc: ctx.loc.clone(),
                    },
                );
                None
            }
            _ => {
                let reason =
                    "opaque to the offline model: composite, range or base type".to_string();
                self.note_opaque(ctx, &reason, "only enum types and domains are modelled; this type is kept verbatim and applied as written");
                Some(reason)
            }
        }
    }

    fn alter_type(&mut self, ctx: &Ctx, at: ast::AlterType) {
        let name = self.qname(&at.name);
        if !self.schema.enums.contains_key(&name) {
            self.missing(ctx, false, format!("enum type `{name}`"));
            return;
        }
        touch!(self.enums, &name);
        match at.operation {
            ast::AlterTypeOperation::AddValue(add) => {
                let Some(e) = self.schema.enums.get_mut(&name) else {
                    return;
                };
                let value = add.value.value.clone();
                if e.labels.contains(&value) {
                    if !add.if_not_exists {
                        self.error(
                            ctx,
                            Code::Duplicate,
                            format!("enum `{name}`: label `{value}` already exists"),
                            "use ADD VALUE IF NOT EXISTS, or remove the statement",
                        );
                    }
                    return;
                }
                let at = match &add.position {
                    None => Some(e.labels.len()),
                    Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                        e.labels.iter().position(|l| *l == b.value)
                    }
                    Some(ast::AlterTypeAddValuePosition::After(a)) => {
                        e.labels.iter().position(|l| *l == a.value).map(|i| i + 1)
                    }
                };
                match at {
                    Some(i) => e.labels.insert(i, value),
                    None => self.error(
                        ctx,
                        Code::UnknownObject,
                        format!("enum `{name}`: the label named in BEFORE/AFTER does not exist"),
                        "name an existing label",
                    ),
                }
            }
            ast::AlterTypeOperation::RenameValue(r) => {
                let Some(e) = self.schema.enums.get_mut(&name) else {
                    return;
                };
                match e.labels.iter_mut().find(|l| **l == r.from.value) {
                    Some(l) => *l = r.to.value.clone(),
                    None => self.error(
                        ctx,
                        Code::UnknownObject,
                        format!("enum `{name}`: label `{}` does not exist", r.from.value),
                        "name an existing label",
                    ),
                }
            }
            ast::AlterTypeOperation::Rename(r) => {
                let new = QualifiedName::new(name.schema.clone(), ident(&r.new_name));
                touch!(self.enums, &new);
                let named = TypeName::Named(name.clone());
                touch_where!(self.tables, |_, t| t
                    .columns
                    .iter()
                    .any(|c| c.data_type.name == named));
                if let Some(mut e) = self.schema.enums.remove(&name) {
                    e.name = new.clone();
                    self.schema.enums.insert(new.clone(), e);
                }
                for t in self.schema.tables.values_mut() {
                    for c in &mut t.columns {
                        if c.data_type.name == TypeName::Named(name.clone()) {
                            c.data_type.name = TypeName::Named(new.clone());
                        }
                    }
                }
            }
        }
    }

    fn create_domain(&mut self, ctx: &Ctx, cd: ast::CreateDomain) {
        let name = self.qname(&cd.name);
        if self.schema.enums.contains_key(&name) || self.schema.domains.contains_key(&name) {
            self.exists(ctx, false, format!("type `{name}`"));
            return;
        }
        let Some(base) = self.column_type(ctx, &cd.data_type, &format!("domain `{name}`")) else {
            return;
        };
        let mut checks = std::collections::BTreeMap::new();
        for c in &cd.constraints {
            match c {
                ast::TableConstraint::Check(ch) => {
                    let cname = match &ch.name {
                        Some(n) => ident(n),
                        None => names::choose_name(&name.name, None, "check", |n| {
                            checks.contains_key(n)
                        }),
                    };
                    checks.insert(cname, strip_nested(&ch.expr).to_string());
                }
                other => self.error(
                    ctx,
                    Code::Unsupported,
                    format!("domain `{name}`: constraint `{other}` is not allowed on a domain"),
                    "domains take NOT NULL and CHECK constraints only",
                ),
            }
        }
        touch!(self.domains, &name);
        self.schema.domains.insert(
            name.clone(),
            Domain {
                name,
                base,
                not_null: false,
                default: cd.default.as_ref().map(ToString::to_string),
                collation: cd.collation.as_ref().map(ident),
                checks,
                loc: ctx.loc.clone(),
            },
        );
    }

    /// After a rewritten `CREATE DOMAIN … NOT NULL`: marks the domain just created.
    fn mark_domain_not_null(&mut self, ctx: &Ctx) {
        if let Ok(ast::Statement::CreateDomain(cd)) = parse_one(ctx.text) {
            let name = self.qname(&cd.name);
            touch!(self.domains, &name);
            if let Some(d) = self.schema.domains.get_mut(&name) {
                d.not_null = true;
            }
        }
    }

    // ----- functions and triggers ----------------------------------------------------

    /// A function's signature: input argument types without modifiers (Postgres ignores
    /// `varchar(10)`'s length in a signature).
    fn arg_types(&mut self, ctx: &Ctx, args: &[ast::OperateFunctionArg]) -> Vec<DataType> {
        args.iter()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
            .filter_map(|a| self.column_type(ctx, &a.data_type, "function argument"))
            .map(|t| DataType {
                modifiers: Vec::new(),
                ..t
            })
            .collect()
    }

    fn create_function(&mut self, ctx: &Ctx, cf: ast::CreateFunction) {
        let name = self.qname(&cf.name);
        let key = FunctionKey {
            name: name.clone(),
            args: self.arg_types(ctx, cf.args.as_deref().unwrap_or(&[])),
        };
        if self.schema.functions.contains_key(&key) && !cf.or_replace {
            self.exists(ctx, cf.if_not_exists, format!("function `{name}`"));
            return;
        }
        // What sqlparser could not read was blanked in place: read it from the statement
        // as written.
        let unread = if ctx.exact {
            routine::Unread::default()
        } else {
            ctx.source
                .text
                .get(ctx.base..ctx.base + ctx.text.len())
                .and_then(routine::recover)
                .filter(|(blanked, _)| blanked == ctx.text)
                .map(|(_, unread)| unread)
                .unwrap_or_default()
        };
        let language = cf
            .language
            .as_ref()
            .map_or_else(|| "sql".to_string(), |l| l.value.to_ascii_lowercase());
        let mut depends_on = DependsOn::default();
        let (body, body_style) = match (&cf.function_body, unread.atomic) {
            (_, Some(atomic)) => (atomic, BodyStyle::SqlStandard),
            (
                Some(
                    ast::CreateFunctionBody::AsBeforeOptions { body, .. }
                    | ast::CreateFunctionBody::AsAfterOptions(body),
                ),
                None,
            ) => (literal_text(body), BodyStyle::String),
            (
                Some(ast::CreateFunctionBody::Return(e) | ast::CreateFunctionBody::AsReturnExpr(e)),
                None,
            ) => {
                depends_on = reads::reads(e);
                (format!("RETURN {e}"), BodyStyle::SqlStandard)
            }
            (Some(other), None) => (format!("{other:?}"), BodyStyle::String),
            (None, None) => (String::new(), BodyStyle::String),
        };
        // Postgres checks a SQL body when the function is created, so what it reads must
        // exist first; other languages' bodies are checked when they run.
        if language == "sql" {
            depends_on.0.extend(match body_style {
                BodyStyle::String => reads::sql_body_reads(&body).0,
                BodyStyle::SqlStandard => body
                    .strip_prefix("BEGIN ATOMIC")
                    .and_then(|b| b.trim_end().strip_suffix("END"))
                    .map(|b| reads::sql_body_reads(b).0)
                    .unwrap_or_default(),
            });
        }
        for t in &key.args {
            if let TypeName::Named(n) = &t.name {
                depends_on.0.insert(n.clone());
            }
        }
        let params = cf
            .args
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|a| {
                let mut p = String::new();
                match a.mode {
                    Some(ast::ArgMode::Out) => p.push_str("OUT "),
                    Some(ast::ArgMode::InOut) => p.push_str("INOUT "),
                    Some(ast::ArgMode::Variadic) => p.push_str("VARIADIC "),
                    _ => {}
                }
                if let Some(n) = &a.name {
                    p.push_str(&quote_ident(&ident(n)));
                    p.push(' ');
                }
                p.push_str(&type_text(self, &a.data_type));
                if let Some(d) = &a.default_expr {
                    p.push_str(&format!(" DEFAULT {d}"));
                }
                p
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut returns_set = false;
        let returns = cf.return_type.as_ref().map(|r| {
            let t = match r {
                ast::FunctionReturnType::DataType(t) => t,
                ast::FunctionReturnType::SetOf(t) => {
                    returns_set = true;
                    t
                }
            };
            returns_set |= matches!(t, ast::DataType::Table(_));
            if let Ok(Normalized::Type(DataType {
                name: TypeName::Named(n),
                ..
            })) = self.normalize_type(t)
            {
                depends_on.0.insert(n);
            }
            match r {
                ast::FunctionReturnType::DataType(t) => type_text(self, t),
                ast::FunctionReturnType::SetOf(t) => format!("SETOF {}", type_text(self, t)),
            }
        });
        let volatility = match cf.behavior {
            Some(ast::FunctionBehavior::Immutable) => Volatility::Immutable,
            Some(ast::FunctionBehavior::Stable) => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let mut config = BTreeMap::new();
        for p in &cf.set_params {
            let param = p.name.to_string().to_ascii_lowercase();
            match &p.value {
                ast::FunctionSetValue::Values(values) => {
                    let list = LIST_PARAMETERS.contains(&param.as_str());
                    let values: Vec<String> = values
                        .iter()
                        .map(|v| {
                            let (text, word) = setting_text(v);
                            if list && word { quote_ident(&text) } else { text }
                        })
                        .collect();
                    config.insert(param, values.join(", "));
                }
                // `SET x = DEFAULT` stores nothing.
                ast::FunctionSetValue::Default => {}
                ast::FunctionSetValue::FromCurrent => self.report(
                    ctx,
                    Severity::Warning,
                    Code::Unsupported,
                    ctx.loc.clone(),
                    format!("function `{name}`: `SET {param} FROM CURRENT` takes the value of the session that creates it, which the offline model cannot know"),
                    "write the value: `SET name = value`",
                ),
            }
        }
        let number = |n: Option<String>, default: f32| {
            n.map(|n| n.parse::<f32>().map_or(n, |v| v.to_string()))
                .filter(|n| *n != default.to_string())
        };
        let cost_default = if matches!(language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        touch!(self.functions, &key);
        self.schema.functions.insert(
            key.clone(),
            Function {
                key,
                params,
                returns,
                body,
                body_style,
                volatility,
                strict: matches!(
                    cf.called_on_null,
                    Some(
                        ast::FunctionCalledOnNull::Strict
                            | ast::FunctionCalledOnNull::ReturnsNullOnNullInput
                    )
                ),
                security_definer: matches!(cf.security, Some(ast::FunctionSecurity::Definer)),
                leakproof: unread.leakproof.unwrap_or(false),
                parallel: match cf.parallel {
                    Some(ast::FunctionParallel::Safe) => Parallel::Safe,
                    Some(ast::FunctionParallel::Restricted) => Parallel::Restricted,
                    _ => Parallel::Unsafe,
                },
                cost: number(unread.cost, cost_default),
                rows: number(unread.rows, if returns_set { 1000.0 } else { 0.0 }),
                config,
                depends_on,
                language,
                loc: ctx.loc.clone(),
            },
        );
    }

    fn create_trigger(&mut self, ctx: &Ctx, ct: ast::CreateTrigger) {
        let table = self.qname(&ct.table_name);
        let name = self.qname(&ct.name).name;
        if !self.schema.tables.contains_key(&table) && !self.schema.views.contains_key(&table) {
            self.missing(ctx, false, format!("table `{table}`"));
            return;
        }
        let key = (table.clone(), name.clone());
        if self.schema.triggers.contains_key(&key) && !ct.or_replace {
            self.exists(ctx, false, format!("trigger `{name}` on table `{table}`"));
            return;
        }
        let Some(exec) = &ct.exec_body else {
            self.error(
                ctx,
                Code::Unsupported,
                format!("trigger `{name}`: only EXECUTE FUNCTION triggers are modelled"),
                "call a trigger function with EXECUTE FUNCTION",
            );
            return;
        };
        let function = self.qname(&exec.func_desc.name);
        if !self.schema.functions.keys().any(|k| k.name == function) {
            self.missing(ctx, false, format!("function `{function}`"));
        }
        let timing = match ct.period {
            Some(ast::TriggerPeriod::Before) => "BEFORE",
            Some(ast::TriggerPeriod::InsteadOf) => "INSTEAD OF",
            _ => "AFTER",
        };
        let events = ct
            .events
            .iter()
            .map(|e| match e {
                ast::TriggerEvent::Insert => "INSERT".to_string(),
                ast::TriggerEvent::Update(cols) if cols.is_empty() => "UPDATE".to_string(),
                ast::TriggerEvent::Update(cols) => format!(
                    "UPDATE OF {}",
                    cols.iter()
                        .map(|c| quote_ident(&ident(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ast::TriggerEvent::Delete => "DELETE".to_string(),
                ast::TriggerEvent::Truncate => "TRUNCATE".to_string(),
            })
            .collect();
        let for_each_row = matches!(
            ct.trigger_object,
            Some(
                ast::TriggerObjectKind::For(ast::TriggerObject::Row)
                    | ast::TriggerObjectKind::ForEach(ast::TriggerObject::Row)
            )
        );
        touch!(self.triggers, &key);
        self.schema.triggers.insert(
            key,
            Trigger {
                name,
                table,
                timing: timing.to_string(),
                events,
                for_each_row,
                condition: ct.condition.as_ref().map(|c| strip_nested(c).to_string()),
                function,
                loc: ctx.loc.clone(),
            },
        );
    }

    // ----- comments ----------------------------------------------------------------

    fn comment(
        &mut self,
        ctx: &Ctx,
        object_type: ast::CommentObject,
        name: &ast::ObjectName,
        comment: Option<String>,
        if_exists: bool,
    ) -> Option<String> {
        match object_type {
            ast::CommentObject::Table => {
                let q = self.qname(name);
                touch!(self.tables, &q);
                match self.schema.tables.get_mut(&q) {
                    Some(t) => t.comment = comment,
                    None => self.missing(ctx, if_exists, format!("table `{q}`")),
                }
            }
            ast::CommentObject::Column => {
                let mut parts = name.0.clone();
                let column = parts
                    .pop()
                    .and_then(|p| p.as_ident().map(ident))
                    .unwrap_or_default();
                let q = self.qname(&ast::ObjectName(parts));
                touch!(self.tables, &q);
                match self
                    .schema
                    .tables
                    .get_mut(&q)
                    .and_then(|t| t.column_mut(&column))
                {
                    Some(c) => c.comment = comment,
                    None => {
                        self.missing(ctx, if_exists, format!("column `{column}` of table `{q}`"))
                    }
                }
            }
            ast::CommentObject::Type => {
                let q = self.qname(name);
                touch!(self.enums, &q);
                match self.schema.enums.get_mut(&q) {
                    Some(e) => e.comment = comment,
                    None => self.missing(ctx, if_exists, format!("type `{q}`")),
                }
            }
            ast::CommentObject::Index => {
                let q = self.qname(name);
                touch!(self.indexes, &q);
                match self.schema.indexes.get_mut(&q) {
                    Some(i) => i.comment = comment,
                    None => self.missing(ctx, if_exists, format!("index `{q}`")),
                }
            }
            ast::CommentObject::View | ast::CommentObject::MaterializedView => {
                let q = self.qname(name);
                touch!(self.views, &q);
                match self.schema.views.get_mut(&q) {
                    Some(v) => v.comment = comment,
                    None => self.missing(ctx, if_exists, format!("view `{q}`")),
                }
            }
            other => {
                let reason = format!("opaque to the offline model: COMMENT ON {other}");
                self.note_opaque(
                    ctx,
                    &reason,
                    "comments are modelled on tables, columns, types, indexes and views only",
                );
                return Some(reason);
            }
        }
        None
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

// ----- free helpers -----------------------------------------------------------------

use types::ident;

fn fk_action(a: ast::ReferentialAction) -> FkAction {
    match a {
        ast::ReferentialAction::Restrict => FkAction::Restrict,
        ast::ReferentialAction::Cascade => FkAction::Cascade,
        ast::ReferentialAction::SetNull => FkAction::SetNull,
        ast::ReferentialAction::NoAction => FkAction::NoAction,
        ast::ReferentialAction::SetDefault => FkAction::SetDefault,
    }
}

fn characteristics(c: &Option<ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => {
            let deferred = matches!(c.initially, Some(ast::DeferrableInitial::Deferred));
            (c.deferrable.unwrap_or(deferred), deferred)
        }
        None => (false, false),
    }
}

/// A default expression's text; `NULL` (also cast or parenthesized) is no default, as
/// Postgres stores none for it.
fn default_text(e: &ast::Expr) -> Option<String> {
    match strip_nested(e) {
        ast::Expr::Value(v) if matches!(v.value, ast::Value::Null) => None,
        ast::Expr::Cast { expr, .. } if default_text(expr).is_none() => None,
        other => Some(other.to_string()),
    }
}

fn strip_nested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

/// The name Postgres gives an index column for an expression (`FigureIndexColname`).
fn figure_colname(e: &ast::Expr) -> Option<String> {
    match strip_nested(e) {
        ast::Expr::Identifier(i) => Some(ident(i)),
        ast::Expr::CompoundIdentifier(parts) => parts.last().map(ident),
        ast::Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident),
        ast::Expr::Cast {
            expr, data_type, ..
        } => figure_colname(expr).or_else(|| Some(internal_type_name(data_type))),
        ast::Expr::Case { .. } => Some("case".into()),
        ast::Expr::Extract { .. } => Some("extract".into()),
        ast::Expr::Substring { .. } => Some("substring".into()),
        ast::Expr::Trim { .. } => Some("btrim".into()),
        ast::Expr::AtTimeZone { .. } => Some("timezone".into()),
        ast::Expr::Array(_) => Some("array".into()),
        ast::Expr::Collate { expr, .. } => figure_colname(expr),
        ast::Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(field)) => figure_colname(field),
            _ => figure_colname(root),
        },
        _ => None,
    }
}

/// The catalog name of a cast's target type, as Postgres names an index column after a
/// cast (`int8` for `::bigint`, `varchar` for `::varchar(10)`).
fn internal_type_name(t: &ast::DataType) -> String {
    let canonical = match types::normalize(t, &|n| QualifiedName::public(n.to_string())) {
        Ok(Normalized::Type(t)) => match t.name {
            TypeName::Builtin(b) => b,
            TypeName::Named(q) => q.name,
        },
        _ => return t.to_string().to_ascii_lowercase(),
    };
    match canonical.as_str() {
        "smallint" => "int2",
        "integer" => "int4",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time with time zone" => "timetz",
        "time without time zone" => "time",
        other => other,
    }
    .to_string()
}

/// The one column a CHECK expression mentions, when it mentions exactly one.
fn single_column_reference(expr: &str, columns: &[Column]) -> Option<String> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, expr).tokenize().ok()?;
    let mut found: Vec<String> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Word(w) = t {
            let is_call = matches!(tokens.get(i + 1), Some(Token::LParen));
            let name = folded(w);
            if !is_call && columns.iter().any(|c| c.name == name) && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

fn constraint_mentions(c: &Constraint, column: &str) -> bool {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).any(|c| c == column),
        ConstraintKind::ForeignKey(fk) => fk.columns.iter().any(|c| c == column),
        ConstraintKind::Check { expr } => mentions_word(expr, column),
        ConstraintKind::Exclusion {
            elements,
            include,
            predicate,
            ..
        } => {
            include.iter().any(|c| c == column)
                || elements.iter().any(|e| mentions_word(e, column))
                || predicate
                    .as_deref()
                    .is_some_and(|p| mentions_word(p, column))
        }
    }
}

fn index_mentions(i: &Index, column: &str) -> bool {
    i.include.iter().any(|c| c == column)
        || i.keys.iter().any(|k| match &k.expr {
            KeyExpr::Column(c) => c == column,
            KeyExpr::Expression(e) => mentions_word(e, column),
        })
        || i.predicate
            .as_deref()
            .is_some_and(|p| mentions_word(p, column))
}

/// An expression with every reference to column `old` renamed to `new` (identifier
/// tokens only; string literals and function names are left alone).
fn rename_in_expr(text: &str, old: &str, new: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, text).tokenize() else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        let is_call = matches!(tokens.get(i + 1), Some(Token::LParen));
        match t {
            Token::Word(w) if !is_call && folded(w) == old => out.push_str(&quote_ident(new)),
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

/// A word token as Postgres stores it: ASCII-folded unless quoted.
fn folded(w: &sqlparser::tokenizer::Word) -> String {
    if w.quote_style.is_some() {
        w.value.clone()
    } else {
        w.value.to_ascii_lowercase()
    }
}

/// Whether an expression refers to `column`: an identifier token, folded as Postgres
/// folds it, equal to the name (string literals and other case do not count).
fn mentions_word(text: &str, column: &str) -> bool {
    let dialect = PostgreSqlDialect {};
    match Tokenizer::new(&dialect, text).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .any(|t| matches!(t, Token::Word(w) if folded(w) == column)),
        Err(_) => text.contains(column),
    }
}

/// The sequence behind a serial or identity column, if the column has one.
fn implicit_sequence(table: &Table, column: &Column) -> Option<String> {
    if column.identity.is_some() {
        return Some(names::make_object_name(
            &table.name.name,
            Some(&column.name),
            "seq",
        ));
    }
    let d = column.default.as_deref()?;
    let rest = d.strip_prefix("nextval('")?;
    let name = &rest[..rest.find('\'')?];
    Some(
        name.rsplit('.')
            .next()
            .unwrap_or(name)
            .trim_matches('"')
            .to_string(),
    )
}

fn unquote(s: &str) -> String {
    s.trim_matches('\'').to_string()
}

/// A `SET` value as Postgres stores it: a string's contents, a number as written, an
/// identifier folded; and whether it was a word (an identifier or a string), which a list
/// parameter quotes as an identifier.
fn setting_text(e: &ast::Expr) -> (String, bool) {
    match e {
        ast::Expr::Identifier(i) => (ident(i), true),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s)
            | ast::Value::DollarQuotedString(ast::DollarQuotedString { value: s, .. }) => {
                (s.clone(), true)
            }
            ast::Value::Boolean(b) => (b.to_string(), false),
            other => (other.to_string(), false),
        },
        other => (other.to_string(), false),
    }
}

fn literal_text(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::DollarQuotedString(d) => d.value.clone(),
            ast::Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

fn type_text(folder: &Folder, t: &ast::DataType) -> String {
    match folder.normalize_type(t) {
        Ok(Normalized::Type(t)) => t.to_string(),
        _ => t.to_string().to_lowercase(),
    }
}

fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}
