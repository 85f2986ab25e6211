//! `schemakit lint`: static checks over a migration set. Statement rules look at each
//! statement as written (sqlparser's AST); schema rules look at the model the set folds
//! into. Each finding has a rule name, a location and a one-line fix. A finding is
//! suppressed by `-- schemakit:allow <rule>` on the statement's first line or the line
//! above it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::front;
use crate::migrations::{Layout, Migration, MigrationSet};
use crate::model::arrays::never_false_any_check;
use crate::model::{
    ConstraintKind, IndexKey, KeyExpr, QualifiedName, Schema, Table, Volatility,
    forbids_null_elements, names, quote_ident,
};
use crate::source::{Loc, SourceFile};

/// Every rule: name, whether it is on by default, what it finds.
pub const RULES: &[(&str, bool, &str)] = &[
    (
        "volatile-index-expression",
        true,
        "a function that is not IMMUTABLE in an index predicate or expression",
    ),
    (
        "unindexed-foreign-key",
        true,
        "a foreign key whose referencing columns no index leads with",
    ),
    (
        "foreign-key-without-on-delete",
        true,
        "a foreign key without an explicit ON DELETE",
    ),
    (
        "duplicate-index",
        true,
        "an index that duplicates a primary key, a unique constraint or another index",
    ),
    (
        "missing-down",
        true,
        "a migration that looks reversible but has no down script",
    ),
    (
        "unguarded-create",
        true,
        "CREATE TABLE/TYPE/TRIGGER without a guard in a file meant to be re-runnable (one that guards others, or --rerunnable)",
    ),
    (
        "index-not-concurrent",
        true,
        "CREATE INDEX without CONCURRENTLY on a table an earlier migration created",
    ),
    (
        "concurrently-in-transaction",
        true,
        "CREATE/DROP INDEX CONCURRENTLY in a migration that runs in a transaction",
    ),
    (
        "not-null-without-default",
        true,
        "ADD COLUMN … NOT NULL without a DEFAULT on an existing table",
    ),
    ("prefer-text", false, "varchar(n) where text would do"),
    (
        "timestamp-without-time-zone",
        false,
        "timestamp without time zone",
    ),
    (
        "identifier-too-long",
        true,
        "an identifier longer than 63 bytes, which Postgres truncates",
    ),
    (
        "array-null-elements",
        true,
        "an array column whose elements no CHECK keeps from being NULL (read as Vec<Option<T>>)",
    ),
];

/// Which rules run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rules switched on beyond the defaults (`prefer-text`, `timestamp-without-time-zone`).
    pub enable: BTreeSet<String>,
    /// Rules switched off.
    pub disable: BTreeSet<String>,
    /// Treat every file as meant to be re-runnable (else: files that guard some creates).
    pub rerunnable: bool,
    /// Array columns configured as never holding NULL elements (`table.column`,
    /// `schema.table.column` outside `public`): `array-null-elements` leaves them alone,
    /// as the generator reads them as `Vec<T>`.
    pub array_elements_not_null: BTreeSet<String>,
}

impl Options {
    fn on(&self, rule: &str) -> bool {
        let default = RULES.iter().any(|(r, on, _)| *r == rule && *on);
        !self.disable.contains(rule) && (default || self.enable.contains(rule))
    }
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The finding as a diagnostic (a warning whose code is the rule), with an excerpt of
    /// its file: what the text output prints.
    #[serde(skip)]
    pub diagnostic: Diagnostic,
    /// The rule's name.
    pub rule: &'static str,
    /// Where.
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// A one-line fix.
    pub help: String,
}

/// Functions that are not IMMUTABLE, as a predicate or index expression would call them.
const NOT_IMMUTABLE: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtime",
    "localtimestamp",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "nextval",
    "currval",
    "txid_current",
    "current_user",
    "session_user",
    "current_setting",
    "age",
    "to_char",
    "to_timestamp",
    "pg_backend_pid",
];

struct Linter<'a> {
    opts: &'a Options,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    fn report(
        &mut self,
        rule: &'static str,
        source: &Arc<SourceFile>,
        loc: Loc,
        message: String,
        help: &str,
    ) {
        if !self.opts.on(rule) || allowed(source, &loc, rule) {
            return;
        }
        let index = RULES.iter().position(|(name, _, _)| *name == rule);
        let code = Code::Lint(index.and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX));
        let diagnostic = Diagnostic::new(
            Severity::Warning,
            code,
            message.clone(),
            source,
            loc.clone(),
        )
        .with_help(help);
        self.findings.push(Finding {
            diagnostic,
            rule,
            loc,
            message,
            help: help.to_string(),
        });
    }
}

/// Whether `-- schemakit:allow <rule>` stands on the statement's line or the line above.
fn allowed(source: &Arc<SourceFile>, loc: &Loc, rule: &str) -> bool {
    [loc.line, loc.line.saturating_sub(1)]
        .iter()
        .filter(|l| **l >= 1)
        .any(|l| {
            source.line(*l).is_some_and(|text| {
                text.split("schemakit:allow").skip(1).any(|rest| {
                    rest.split(|c: char| c.is_whitespace() || c == ',')
                        .any(|r| r == rule)
                })
            })
        })
}

/// What linting a migration set found.
#[derive(Debug, Clone, Default)]
pub struct Linted {
    /// The findings, sorted by file, line, column and rule.
    pub findings: Vec<Finding>,
    /// What reading the set found that is not a finding: the errors `parse` reports for
    /// the same set (a set with any is rejected, its findings unreliable), and the notes
    /// about entries of the directory that were skipped.
    pub diagnostics: Vec<Diagnostic>,
}

impl Linted {
    /// Whether the set was rejected: it does not parse.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Lints a migration set. The set is folded exactly as `parse` folds it, so what `parse`
/// rejects, `lint` rejects too, with the same diagnostics.
pub fn lint(set: &MigrationSet, opts: &Options) -> Linted {
    let mut linter = Linter {
        opts,
        findings: Vec::new(),
    };
    let parsed = set.fold_up_with(|m, schema| statement_rules(&mut linter, set.layout, m, schema));
    schema_rules(&mut linter, set, &parsed.schema);
    linter.findings.sort_by(|a, b| {
        (a.loc.file.as_ref(), a.loc.line, a.loc.col, a.rule).cmp(&(
            b.loc.file.as_ref(),
            b.loc.line,
            b.loc.col,
            b.rule,
        ))
    });
    Linted {
        findings: linter.findings,
        diagnostics: parsed
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error() || d.code == Code::Layout)
            .collect(),
    }
}

/// The statements of a script as (byte offset in the file, text, inside a guard), with
/// the statements inside guard-shaped DO blocks in place of the block: the front end's
/// own expansion, as the folder sees them.
fn statements(m: &Migration) -> Vec<(usize, String, bool)> {
    let text = m.up.text();
    front::statements(text)
        .into_iter()
        .map(|(c, guarded)| {
            (
                m.up.start + c.start,
                text[c.start..c.end].to_string(),
                guarded,
            )
        })
        .collect()
}

fn name(n: &ast::ObjectName) -> QualifiedName {
    crate::front::types::qualified_name(n)
}

/// The rules that look at each statement of `m`'s up script as written; `before` is the
/// model just before it.
fn statement_rules(l: &mut Linter, layout: Layout, m: &Migration, before: &Schema) {
    let source = &m.up.source;
    let stmts = statements(m);
    // A file is meant to be re-runnable when configured so, or when it guards some of its
    // creates with DO blocks (a deliberate idempotency effort, as cira's document says).
    let guarded_file = l.opts.rerunnable || stmts.iter().any(|(_, _, guarded)| *guarded);
    let mut creates_only = !stmts.is_empty();
    for (offset, stmt, guarded_here) in &stmts {
        let guarded_here = *guarded_here;
        let loc = source
            .loc_at(*offset)
            .with_len(stmt.find('\n').unwrap_or(stmt.len()));
        identifier_lengths(l, source, *offset, stmt);
        // Read as the folder reads it: recovery rewrites included.
        let read = front::read(stmt);
        let Some(parsed) = read.statement() else {
            creates_only = false;
            continue;
        };
        match &parsed {
            ast::Statement::CreateTable(ct) => {
                if guarded_file && !ct.if_not_exists && !guarded_here {
                    l.report("unguarded-create", source, loc.clone(), format!("CREATE TABLE `{}` has no IF NOT EXISTS, but this file guards other creates and is meant to be re-runnable", name(&ct.name)), "add IF NOT EXISTS, or mark the file as not re-runnable");
                }
                for c in &ct.columns {
                    column_type_rules(l, source, &loc, &name(&ct.name), c);
                    for o in &c.options {
                        if let ast::ColumnOption::ForeignKey(fk) = &o.option {
                            fk_on_delete(
                                l,
                                source,
                                &loc,
                                &name(&ct.name),
                                &fk.foreign_table,
                                fk.on_delete.is_none(),
                            );
                        }
                    }
                }
                for c in &ct.constraints {
                    if let ast::TableConstraint::ForeignKey(fk) = c {
                        fk_on_delete(
                            l,
                            source,
                            &loc,
                            &name(&ct.name),
                            &fk.foreign_table,
                            fk.on_delete.is_none(),
                        );
                    }
                }
            }
            ast::Statement::CreateType { name: n, .. } => {
                if guarded_file && !guarded_here {
                    l.report("unguarded-create", source, loc.clone(), format!("CREATE TYPE `{}` is not guarded, but this file guards other creates and is meant to be re-runnable", name(n)), "wrap it in DO $$ BEGIN … EXCEPTION WHEN duplicate_object THEN null; END $$");
                }
            }
            ast::Statement::CreateTrigger(t) => {
                if guarded_file && !t.or_replace && !guarded_here {
                    l.report("unguarded-create", source, loc.clone(), format!("CREATE TRIGGER `{}` is not guarded, but this file guards other creates and is meant to be re-runnable", name(&t.name)), "use CREATE OR REPLACE TRIGGER (PostgreSQL 14+) or a DO guard");
                }
            }
            ast::Statement::CreateIndex(ci) => {
                let table = name(&ci.table_name);
                if !ci.concurrently && before.tables.contains_key(&table) {
                    l.report("index-not-concurrent", source, loc.clone(), format!("CREATE INDEX on `{table}`, which an earlier migration created, locks it against writes while it builds"), "use CREATE INDEX CONCURRENTLY in a no-transaction migration");
                }
                if ci.concurrently && !m.no_transaction {
                    l.report("concurrently-in-transaction", source, loc.clone(), "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one".to_string(), &no_transaction_hint(layout));
                }
            }
            ast::Statement::AlterTable(at) => {
                let table = name(&at.name);
                for op in &at.operations {
                    match op {
                        ast::AlterTableOperation::AddColumn { column_def, .. } => {
                            column_type_rules(l, source, &loc, &table, column_def);
                            let not_null = column_def.options.iter().any(|o| {
                                matches!(
                                    o.option,
                                    ast::ColumnOption::NotNull | ast::ColumnOption::PrimaryKey(_)
                                )
                            });
                            let default = column_def.options.iter().any(|o| {
                                matches!(
                                    o.option,
                                    ast::ColumnOption::Default(_)
                                        | ast::ColumnOption::Generated { .. }
                                )
                            });
                            if not_null && !default && before.tables.contains_key(&table) {
                                l.report("not-null-without-default", source, loc.clone(), format!("ADD COLUMN `{}` NOT NULL without a DEFAULT fails on `{table}` as soon as it has rows", column_def.name.value), "add a DEFAULT, or add the column nullable, backfill, then SET NOT NULL");
                            }
                            for o in &column_def.options {
                                if let ast::ColumnOption::ForeignKey(fk) = &o.option {
                                    fk_on_delete(
                                        l,
                                        source,
                                        &loc,
                                        &table,
                                        &fk.foreign_table,
                                        fk.on_delete.is_none(),
                                    );
                                }
                            }
                        }
                        ast::AlterTableOperation::AddConstraint {
                            constraint: ast::TableConstraint::ForeignKey(fk),
                            ..
                        } => fk_on_delete(
                            l,
                            source,
                            &loc,
                            &table,
                            &fk.foreign_table,
                            fk.on_delete.is_none(),
                        ),
                        _ => creates_only = false,
                    }
                }
            }
            ast::Statement::CreateExtension(_)
            | ast::Statement::CreateFunction(_)
            | ast::Statement::CreateSequence { .. }
            | ast::Statement::CreateView(_)
            | ast::Statement::CreateSchema { .. }
            | ast::Statement::Comment { .. } => {}
            _ => creates_only = false,
        }
        if stmt
            .to_ascii_uppercase()
            .starts_with("DROP INDEX CONCURRENTLY")
            && !m.no_transaction
        {
            l.report("concurrently-in-transaction", source, loc.clone(), "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one".to_string(), &no_transaction_hint(layout));
        }
    }
    let downs_possible = !matches!(layout, Layout::Prisma | Layout::Drizzle);
    if downs_possible && m.down.is_none() && creates_only {
        let loc = source.loc_at(m.up.start).with_len(1);
        l.report("missing-down", source, loc, format!("migration {} only creates objects, so it could be reversed, but it has no down script", m.version), &match layout {
            Layout::Sqlx => "add a .down.sql beside it (rename this file to .up.sql)".to_string(),
            Layout::Flyway => "add an undo script U<version>__<name>.sql".to_string(),
            Layout::Diesel => "add a down.sql".to_string(),
            _ => "add a down section".to_string(),
        });
    }
}

fn no_transaction_hint(layout: Layout) -> String {
    match layout {
        Layout::Dbmate => "mark the migration `-- migrate:up transaction:false`".into(),
        Layout::Goose => "add `-- +goose NO TRANSACTION`".into(),
        Layout::Sqlx => "start the file with `-- no-transaction`".into(),
        Layout::Diesel => "set run_in_transaction = false in metadata.toml".into(),
        _ => "run it in a migration marked no-transaction".into(),
    }
}

fn fk_on_delete(
    l: &mut Linter,
    source: &Arc<SourceFile>,
    loc: &Loc,
    table: &QualifiedName,
    target: &ast::ObjectName,
    missing: bool,
) {
    if missing {
        l.report("foreign-key-without-on-delete", source, loc.clone(), format!("foreign key from `{table}` to `{}` has no ON DELETE: deleting a referenced row fails (NO ACTION)", name(target)), "say what should happen: ON DELETE CASCADE, SET NULL, RESTRICT or NO ACTION");
    }
}

fn column_type_rules(
    l: &mut Linter,
    source: &Arc<SourceFile>,
    loc: &Loc,
    table: &QualifiedName,
    c: &ast::ColumnDef,
) {
    let ty = c.data_type.to_string().to_ascii_uppercase();
    if ty.starts_with("VARCHAR(") || ty.starts_with("CHARACTER VARYING(") {
        l.report(
            "prefer-text",
            source,
            loc.clone(),
            format!(
                "`{table}.{}` is {}; text with a CHECK on length is as fast and easier to change",
                c.name.value, c.data_type
            ),
            "use text (with CHECK (length(col) <= n) if the limit matters)",
        );
    }
    if ty.starts_with("TIMESTAMP") && !ty.contains("WITH TIME ZONE") && !ty.contains("TZ") {
        l.report(
            "timestamp-without-time-zone",
            source,
            loc.clone(),
            format!(
                "`{table}.{}` is {}: it stores wall-clock time without a zone",
                c.name.value, c.data_type
            ),
            "use timestamptz",
        );
    }
}

fn identifier_lengths(l: &mut Linter, source: &Arc<SourceFile>, offset: usize, stmt: &str) {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, stmt).tokenize_with_location() else {
        return;
    };
    for t in tokens {
        if let Token::Word(w) = &t.token {
            if w.value.len() > crate::model::names::MAX_IDENT_BYTES {
                let line_start = source.loc_at(offset);
                let loc = if t.span.start.line <= 1 {
                    source.loc_at(offset + (t.span.start.column as usize).saturating_sub(1))
                } else {
                    source.loc_at(source.offset_of(
                        u64::from(line_start.line) + t.span.start.line - 1,
                        t.span.start.column,
                    ))
                };
                l.report(
                    "identifier-too-long",
                    source,
                    loc.with_len(w.value.len()),
                    format!(
                        "`{}` is {} bytes; Postgres silently cuts it to 63",
                        w.value,
                        w.value.len()
                    ),
                    "shorten the name to 63 bytes or fewer",
                );
            }
        }
    }
}

/// The columns an index or key constraint leads with.
fn leading(keys: &[IndexKey]) -> Vec<String> {
    keys.iter()
        .map_while(|k| match &k.expr {
            KeyExpr::Column(c) => Some(c.clone()),
            KeyExpr::Expression(_) => None,
        })
        .collect()
}

fn schema_rules(l: &mut Linter, set: &MigrationSet, schema: &Schema) {
    let sources: BTreeMap<&str, &Arc<SourceFile>> = set
        .migrations
        .iter()
        .flat_map(|m| std::iter::once(&m.up.source).chain(m.down.as_ref().map(|d| &d.source)))
        .map(|s| (&*s.path, s))
        .collect();
    let source_of = |loc: &Loc| sources.get(&*loc.file).map(|s| Arc::clone(s));
    let mut indexes_of: BTreeMap<&QualifiedName, Vec<&crate::model::Index>> = BTreeMap::new();
    for i in schema.indexes.values() {
        indexes_of.entry(&i.table).or_default().push(i);
    }
    let user_volatile: BTreeSet<String> = schema
        .functions
        .values()
        .filter(|f| f.volatility != Volatility::Immutable)
        .map(|f| f.key.name.name.clone())
        .collect();
    // Index-like column lists per table: (what, columns, loc).
    for index in schema.indexes.values() {
        let Some(source) = source_of(&index.loc) else {
            continue;
        };
        let mut exprs: Vec<&str> = index
            .keys
            .iter()
            .filter_map(|k| match &k.expr {
                KeyExpr::Expression(e) => Some(e.as_str()),
                KeyExpr::Column(_) => None,
            })
            .collect();
        if let Some(p) = &index.predicate {
            exprs.push(p);
        }
        for e in exprs {
            if let Some(f) = called_functions(e)
                .into_iter()
                .find(|f| NOT_IMMUTABLE.contains(&f.as_str()) || user_volatile.contains(f))
            {
                l.report("volatile-index-expression", &source, index.loc.clone(), format!("index `{}` calls `{f}()`, which is not IMMUTABLE: Postgres rejects it (\"functions in index predicate must be marked IMMUTABLE\")", index.name.name), "compare with a constant, or move the time condition into the queries");
            }
        }
    }
    for table in schema.tables.values() {
        // Column lists that an index leads with: constraints' and indexes'.
        let mut keyed: Vec<(String, Vec<String>, Option<String>)> = Vec::new();
        for c in table.constraints.values() {
            match &c.kind {
                ConstraintKind::PrimaryKey { columns, .. } => {
                    keyed.push((format!("primary key `{}`", c.name), columns.clone(), None))
                }
                ConstraintKind::Unique { columns, .. } => keyed.push((
                    format!("unique constraint `{}`", c.name),
                    columns.clone(),
                    None,
                )),
                _ => {}
            }
        }
        let indexes = indexes_of.get(&table.name).cloned().unwrap_or_default();
        for i in &indexes {
            keyed.push((
                format!("index `{}`", i.name.name),
                leading(&i.keys),
                i.predicate.clone(),
            ));
        }
        for c in table.constraints.values() {
            let ConstraintKind::ForeignKey(fk) = &c.kind else {
                continue;
            };
            let covered = keyed.iter().any(|(_, cols, pred)| {
                pred.is_none()
                    && cols.len() >= fk.columns.len()
                    && cols[..fk.columns.len()] == fk.columns[..]
            });
            if !covered {
                let Some(source) = source_of(&c.loc) else {
                    continue;
                };
                l.report("unindexed-foreign-key", &source, c.loc.clone(), format!("foreign key `{}` on `{}` ({}) has no index leading with its columns: deletes in `{}` scan this table", c.name, table.name, fk.columns.join(", "), fk.ref_table), &format!("CREATE INDEX ON {} ({})", table.name, fk.columns.join(", ")));
            }
        }
        for i in &indexes {
            if i.predicate.is_some()
                || i.keys.iter().any(|k| !matches!(k.expr, KeyExpr::Column(_)))
                || i.method.as_str() != "btree"
            {
                continue;
            }
            let cols = leading(&i.keys);
            let by_constraint = keyed
                .iter()
                .find(|(what, other, _)| {
                    (what.starts_with("primary") || what.starts_with("unique")) && *other == cols
                })
                .map(|(what, _, _)| what.clone());
            // Of two equal indexes, the non-unique one is redundant, else the later one.
            let by_index = indexes
                .iter()
                .filter(|j| {
                    j.name != i.name && j.predicate.is_none() && j.method.as_str() == "btree"
                })
                .filter(|j| leading(&j.keys) == cols && j.keys.len() == i.keys.len())
                .find(|j| {
                    (j.unique && !i.unique)
                        || (j.unique == i.unique && (j.loc.line, &j.name) < (i.loc.line, &i.name))
                })
                .map(|j| {
                    format!(
                        "{}index `{}`",
                        if j.unique { "unique " } else { "" },
                        j.name.name
                    )
                });
            if let Some(what) = by_constraint.or(by_index) {
                let Some(source) = source_of(&i.loc) else {
                    continue;
                };
                l.report(
                    "duplicate-index",
                    &source,
                    i.loc.clone(),
                    format!(
                        "index `{}` on `{}` ({}) duplicates {what}",
                        i.name.name,
                        table.name,
                        cols.join(", ")
                    ),
                    &format!("DROP INDEX {}", i.name),
                );
            }
        }
        let configured = l.opts.array_elements_not_null.clone();
        array_null_elements(l, table, &configured, source_of);
    }
}

/// `array-null-elements`: each array column of `table` whose elements no CHECK keeps from
/// being NULL, at the column (or the table, when the column's file is not in the set).
fn array_null_elements(
    l: &mut Linter,
    table: &Table,
    configured: &BTreeSet<String>,
    source_of: impl Fn(&Loc) -> Option<Arc<SourceFile>>,
) {
    let table_key = table.name.config_key();
    for column in &table.columns {
        if column.data_type.array_dims == 0
            || forbids_null_elements(table, &column.name)
            || configured.contains(&format!("{table_key}.{}", column.name))
        {
            continue;
        }
        let Some((source, loc)) = [&column.loc, &table.loc]
            .into_iter()
            .find_map(|loc| source_of(loc).map(|s| (s, loc.clone())))
        else {
            continue;
        };
        // A CHECK that looks as if it kept NULLs out, and why it does not.
        let misleading = never_false_any_check(table, &column.name)
            .map(|check| {
                format!(" (CHECK `{check}` keeps none out: `NULL = ANY (…)` is never true)")
            })
            .unwrap_or_default();
        let constraint =
            names::choose_name(&table.name.name, Some(&column.name), "no_nulls", |n| {
                table.constraints.contains_key(n)
            });
        l.report(
            "array-null-elements",
            &source,
            loc,
            format!(
                "column `{}` of `{}` is an array whose elements may be NULL: generated code reads it as Vec<Option<T>>{misleading}",
                column.name, table.name
            ),
            &format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK (array_position({}, NULL) IS NULL)",
                table.name,
                quote_ident(&constraint),
                quote_ident(&column.name)
            ),
        );
    }
}

/// Function names called in an expression (`now()` → `now`), lower case.
fn called_functions(expr: &str) -> Vec<String> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, expr).tokenize() else {
        return Vec::new();
    };
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut out = Vec::new();
    for (i, t) in words.iter().enumerate() {
        if let Token::Word(w) = t {
            let name = w.value.to_ascii_lowercase();
            let is_call = matches!(words.get(i + 1), Some(Token::LParen));
            // CURRENT_DATE and friends are functions without parentheses.
            let bare = matches!(
                name.as_str(),
                "current_timestamp"
                    | "current_date"
                    | "current_time"
                    | "localtime"
                    | "localtimestamp"
                    | "current_user"
                    | "session_user"
            );
            if is_call || (bare && w.quote_style.is_none()) {
                out.push(name);
            }
        }
    }
    out
}
