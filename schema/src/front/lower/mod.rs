//! Conversion: what the front end read (sqlparser's syntax tree) → model pieces and the
//! operations of [`crate::rules`] that apply them, with locations for every diagnostic.
//! The driver ([`crate::fold`]) calls [`Folder::apply_read`] for each statement.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlparser::ast::{self, Spanned};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::fold::{Ctx, Folder};
use crate::front::split::Chunk;
use crate::front::types::{self, Normalized};
use crate::front::{Read, first_words, parse_one, statement_kind};
use crate::front::{reads, routine};
use crate::model::names;
use crate::model::*;
use crate::rules::{
    Behavior, ColumnChange, LabelPosition, NewConstraint, Object, Outside, RuleError,
};
use crate::source::{Loc, SourceFile};

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

impl Folder {
    /// Applies what the front end read from `chunk` of `source`.
    pub(crate) fn apply_read(
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
            Read::Parsed(stmt) => self.apply_statement(&ctx, stmt),
            Read::Rewritten {
                stmt,
                text: rewritten,
                domain_not_null,
            } => {
                ctx.text = &rewritten;
                ctx.exact = false;
                let opaque = self.apply_statement(&ctx, stmt);
                if domain_not_null {
                    self.mark_domain_not_null(&ctx);
                }
                opaque
            }
            Read::Recovered(r) => {
                self.apply_recovered(&ctx, r);
                None
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
                        "fix the SQL at this position; if Postgres accepts it as written, schemakit's SQL parser does not read this form yet (write it another way, or keep it in a DO block)",
                    ),
                );
                None
            }
        }
    }

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

    fn qname(&self, name: &ast::ObjectName) -> QualifiedName {
        types::qualified_name(name)
    }

    // ----- DO blocks -----------------------------------------------------------------

    /// A DO block. The idempotency guards that tools wrap DDL in are seen through:
    /// `BEGIN <ddl>; EXCEPTION WHEN duplicate_object THEN null; END` (drizzle-kit) and
    /// `BEGIN IF NOT EXISTS (…) THEN <ddl>; END IF; END`. Anything else is opaque.
    /// A statement the front end read itself ([`crate::front::recover`]).
    fn apply_recovered(&mut self, ctx: &Ctx, r: crate::front::recover::Recovered) {
        use crate::front::recover::Recovered as R;
        let result = match r {
            R::ConstraintTiming {
                table,
                name,
                deferrable,
                initially_deferred,
            } => {
                self.catalog
                    .alter_constraint_timing(&table, &name, deferrable, initially_deferred)
            }
            R::NotNull { table, column } => {
                self.catalog
                    .alter_column(&table, &column, ColumnChange::SetNotNull)
            }
            R::RenameFunction { name, args, new } => {
                let args = args.and_then(|list| {
                    let probe = format!(
                        "CREATE FUNCTION probe({list}) RETURNS integer LANGUAGE sql AS 'SELECT 1'"
                    );
                    match parse_one(&probe) {
                        Ok(ast::Statement::CreateFunction(cf)) => {
                            Some(self.arg_types(ctx, cf.args.as_deref().unwrap_or(&[])))
                        }
                        _ => None,
                    }
                });
                self.catalog.rename_function(&name, args, &new)
            }
            R::SequenceOwner { sequence, owner } => {
                self.catalog.set_sequence_owner(&sequence, owner)
            }
        };
        self.rule(ctx, result);
    }

    pub(crate) fn apply_guard(&mut self, ctx: &Ctx, inner: &[(usize, usize)]) -> Option<String> {
        let before = self.diagnostics.len();
        let mut ok = true;
        for (start, end) in inner {
            let chunk = Chunk {
                start: ctx.base + start,
                end: ctx.base + end,
            };
            let seen = self.diagnostics.len();
            let read = crate::front::read(&ctx.source.text[chunk.start..chunk.end]);
            let opaque = self.apply_chunk(ctx.source, chunk, read, true);
            if opaque.is_some() || self.diagnostics[seen..].iter().any(Diagnostic::is_error) {
                ok = false;
            }
        }
        if ok {
            return None;
        }
        // What the guard's statements said is about code the model does not follow
        // (PL/pgSQL around the statements, a condition it cannot evaluate): the block is
        // opaque, and the first problem is named in its note.
        let first = self.diagnostics[before..]
            .iter()
            .find(|d| d.is_error())
            .map(|d| format!("{} (line {})", d.message, d.loc.line));
        self.diagnostics.truncate(before);
        let reason = "opaque to the offline model: DO block".to_string();
        let help = match first {
            Some(first) => format!("the block's statements could not all be followed ({first}); it is kept verbatim and applied as written"),
            None => "a statement of the block is not part of the schema model; it is kept verbatim and applied as written".to_string(),
        };
        self.note_opaque(ctx, &reason, &help);
        Some(reason)
    }

    /// A DO block the model cannot follow: noted, and (by [`Folder::apply_chunk`]) without
    /// effect on the model.
    fn opaque_do(&mut self, ctx: &Ctx) -> Option<String> {
        let reason = "opaque to the offline model: DO block".to_string();
        self.note_opaque(ctx, &reason, "a DO block runs procedural code the offline model cannot follow; it is kept verbatim and applied as written");
        Some(reason)
    }
}
