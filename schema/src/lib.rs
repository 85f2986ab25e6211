//! The schemakit schema model and the code that builds it from SQL.
//!
//! Four layers, each with one job:
//! - [`model`]: our own types for what a schema means (tables, columns with normalized
//!   types, constraints with resolved names, indexes, enums, …), canonical DDL,
//!   Postgres's naming rules and the typed [`diff()`]. It never sees sqlparser.
//! - `rules`: Postgres's rules as operations on the model (add, drop with or without
//!   CASCADE, rename, alter), each checking first and refusing with a typed error.
//! - `front`: the SQL front end, the only place that parses SQL: splitting, recovery
//!   rewrites for syntax sqlparser lacks, guard DO blocks, and conversion of statements
//!   into model pieces and rule operations.
//! - [`Folder`] (`fold`): the driver, statement by statement, collecting [`Diagnostic`]s
//!   instead of stopping.
//!
//! [`migrations`] reads migration directories of the common tools into ordered
//! [`migrations::MigrationSet`]s; [`lint`] checks them. Nothing here touches a database,
//! the network or the clock.

pub mod diagnostic;
mod fold;
mod front;
pub mod lint;
pub mod migrations;
pub mod model;
mod rules;
pub mod source;

use std::path::Path;
use std::sync::Arc;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use diff::{Change, diff};
pub use fold::{Folder, READ_STACK_BYTES, Statement};
pub use front::expr::canonical_text as canonical_expr;
pub use front::reads::{body_reads, sql_body_reads};
pub use front::split;
pub use front::types::parse_type;
pub use migrations::{Layout, Migration, MigrationSet, Script};
pub use model::Schema;
pub use model::{diff, names, plan};
pub use source::{Loc, SourceFile};

/// The result of reading SQL: the folded model, every statement seen, and diagnostics.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The schema after every statement was applied.
    pub schema: Schema,
    /// Every statement, in order, with why it is opaque where it is.
    pub statements: Vec<Statement>,
    /// Problems and notes, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
    /// The positions in `diagnostics` of those about down scripts (found by the offline
    /// down check).
    pub from_downs: std::collections::BTreeSet<usize>,
}

impl Parsed {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The errors about the up scripts (or the file), which the model depends on; errors
    /// in down scripts are not among them.
    pub fn up_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .enumerate()
            .filter(|(i, d)| d.is_error() && !self.from_downs.contains(i))
            .map(|(_, d)| d)
    }

    /// The last statement kept verbatim that may have changed the schema in ways the model
    /// cannot see (a CALL, a function SELECT, a DO block, a CREATE or ALTER it does not
    /// model) and that names `name` (a table, type or other relation): what may explain
    /// a difference between the model and a real catalog there.
    pub fn kept_verbatim_touching(&self, name: &str) -> Option<&Statement> {
        self.statements.iter().rev().find(|s| {
            s.opaque.is_some()
                && fold::may_change_schema(&s.text)
                && fold::mentions_name(&s.text, name)
        })
    }

    /// The statements kept verbatim, one SQL comment line each with its location and
    /// reason; empty when there are none.
    pub fn opaque_listing(&self) -> String {
        let mut out = String::new();
        for s in self.statements.iter().filter(|s| s.opaque.is_some()) {
            if out.is_empty() {
                out.push_str("-- statements kept verbatim, not in the model above:\n");
            }
            let reason = s.opaque.as_deref().unwrap_or_default();
            out.push_str(&format!(
                "--   {}  {}\n",
                s.loc,
                reason.trim_start_matches("opaque to the offline model: ")
            ));
        }
        out
    }
}

/// Parses one SQL text into a model.
pub fn parse_sql(path: &str, text: &str) -> Parsed {
    let mut folder = Folder::new();
    let statements = folder.apply_source(&Arc::new(SourceFile::new(path, text)));
    let (schema, diagnostics) = folder.finish();
    Parsed {
        schema,
        statements,
        diagnostics,
        ..Parsed::default()
    }
}

/// Reads a SQL file or a migration directory and folds it into a model. A directory is
/// read as a migration set (layout detected) and its up scripts applied in version
/// order.
pub fn parse_path(path: &Path) -> Parsed {
    if path.is_dir() {
        match MigrationSet::read(path, None) {
            Ok(set) => set.fold_up(),
            Err(diagnostics) => Parsed {
                diagnostics,
                ..Parsed::default()
            },
        }
    } else {
        match source::read_file(path) {
            Ok(src) => {
                let mut folder = Folder::new();
                let statements = folder.apply_source(&Arc::new(src));
                let (schema, diagnostics) = folder.finish();
                Parsed {
                    schema,
                    statements,
                    diagnostics,
                    ..Parsed::default()
                }
            }
            Err(d) => Parsed {
                diagnostics: vec![d],
                ..Parsed::default()
            },
        }
    }
}
