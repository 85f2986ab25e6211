//! schemakit's code generator: a pure function from the schema model to a map of file
//! path → Rust source text. No I/O, no database, no clock: generating twice gives the same
//! bytes.
//!
//! For each table it writes a module with a row struct, a `New…` struct for inserts, a
//! patch struct, constants for the table and column names, SQL strings, the table's
//! marker type implementing the support crate's traits (whose methods are the operations
//! every table has), and the table's own functions (finders, lists by index, parents);
//! for each enum type a Rust enum with `ToSql`/`FromSql`.

mod code;
mod input;
mod names;
mod ops;
mod table;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use schema::model::{EnumType, Index, QualifiedName, Schema, Table};

pub use names::Renames;
pub use types::TypeOverrides;

/// What to generate and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The Rust module the system's files go in (`user_story_agent`).
    pub module: String,
    /// The source the model came from, named in every file's header.
    pub source: String,
    /// Rust types for SQL types and columns the default mapping does not cover.
    pub overrides: TypeOverrides,
    /// Rust names for tables, columns, enum types and labels the default conversion does
    /// not suit.
    pub renames: Renames,
    /// Array columns (`table.column`, `schema.table.column` outside `public`) whose elements
    /// are never NULL, though no CHECK says so: they are `Vec<T>`, not `Vec<Option<T>>`.
    pub array_elements_not_null: BTreeSet<String>,
    /// How many threads render tables: the caller's choice (0 and 1 both render on the
    /// calling thread). The output does not depend on it.
    pub threads: usize,
}

/// Why code could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An override that is not a Rust type.
    #[error("override `{key}` = `{value}` is not a Rust type: {reason}")]
    BadOverride {
        /// The override's key.
        key: String,
        /// The text given.
        value: String,
        /// What syn said.
        reason: String,
    },
    /// Two SQL names that become the same Rust name.
    #[error(
        "{what}: `{first}` and `{second}` both become `{rust}` in Rust; rename one in schemakit.toml, e.g. [systems.<name>.rename.{section}] \"{key}\" = \"…\""
    )]
    NameClash {
        /// Where the clash is.
        what: String,
        /// The first SQL name.
        first: String,
        /// The second SQL name.
        second: String,
        /// The Rust name both become.
        rust: String,
        /// The `[systems.<name>.rename]` section that renames the second.
        section: Section,
        /// The key there.
        key: String,
    },
    /// A configured rename that is not a usable Rust name.
    #[error("rename `{key}` = `{value}` under [systems.<name>.rename.{section}]: {reason}")]
    BadRename {
        /// The section.
        section: Section,
        /// The key.
        key: String,
        /// The name given.
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A configured rename whose key matches no object of the schema.
    #[error(
        "rename `{key}` under [systems.<name>.rename.{section}] matches no {section} of the schema; keys are `name` in public and `schema.name` elsewhere (columns `table.column`, labels `type.label`)"
    )]
    UnknownRename {
        /// The section.
        section: Section,
        /// The key.
        key: String,
    },
    /// A configured module name that is not a Rust identifier.
    #[error(
        "system `{system}`: module `{module}` is not a Rust identifier; set [systems.{system}] module = \"…\" to one (letters, digits, `_`)"
    )]
    BadModule {
        /// The system.
        system: String,
        /// The module given.
        module: String,
    },
    /// Rendering failed unexpectedly (a schemakit bug); nothing was generated.
    #[error("internal error while rendering {what}: {message}; please report it with the DDL")]
    Internal {
        /// What was being rendered.
        what: String,
        /// The panic's message.
        message: String,
    },
}

/// A section of `[systems.<name>.rename]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `tables`.
    Tables,
    /// `columns`.
    Columns,
    /// `types`.
    Types,
    /// `labels`.
    Labels,
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Section::Tables => "tables",
            Section::Columns => "columns",
            Section::Types => "types",
            Section::Labels => "labels",
        })
    }
}

/// A file schemakit wrote before, as much of it as reuse needs: its first line, which
/// names the fingerprints of the input it was rendered from and of the text below it, and
/// the fingerprint of the text below it as it is now. It does not keep the text, so a
/// caller can read a directory of generated files through one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    first_line: String,
    rest: String,
}

impl Previous {
    /// What reuse needs of a file's bytes: `None` for a file that does not start with
    /// [`GENERATED_HEADER`] on a first line of its own (schemakit did not write it).
    pub fn of(text: &[u8]) -> Option<Previous> {
        let end = text.iter().position(|&b| b == b'\n')?;
        let first_line = std::str::from_utf8(&text[..end]).ok()?;
        first_line.starts_with(GENERATED_HEADER).then(|| Previous {
            first_line: first_line.to_string(),
            rest: fingerprint(&[&text[end + 1..]]),
        })
    }

    /// Whether the file was rendered under `head` (from the same input) and its text is
    /// still the one it was rendered as (a hand edit renders it again).
    fn reusable_under(&self, head: &str) -> bool {
        self.first_line.strip_prefix(head) == Some(self.rest.as_str())
    }
}

/// A file of a module, as [`generate_reusing`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The previous file at this path, as it is: rendered from the same input and not
    /// edited since.
    Reused,
    /// This text.
    Text(String),
}

/// A table module's name and its file, rendered or reused (or why it could not be
/// generated).
type Rendered = (String, Result<Output, Vec<Error>>);

/// Generates the files of one system's module, keyed by path relative to the generated
/// crate's `src/` (`user_story_agent/mod.rs`, `user_story_agent/jobs.rs`, …).
pub fn generate(schema: &Schema, opts: &Options) -> Result<BTreeMap<String, String>, Vec<Error>> {
    let files = generate_reusing(schema, opts, &BTreeMap::new())?;
    files
        .into_iter()
        .map(|(path, output)| match output {
            Output::Text(text) => Ok((path, text)),
            Output::Reused => Err(vec![Error::Internal {
                what: path,
                message: "reused with no previous file".into(),
            }]),
        })
        .collect()
}

/// [`generate`], reusing the file of `previous` (keyed as the output is) at a path whose
/// header names the fingerprint of the same input, when its text is unedited: only files
/// whose input changed are rendered. A table's input is what its file is rendered from
/// and nothing else: the table, its indexes, the tables it references, their Rust names,
/// the domains, the enums' names and the type options (see `input.rs`), with a version of
/// codegen itself; the enums' file and `mod.rs` are written every time, with their text
/// as their input. With [`Output::Reused`] read as the previous file's text, the result
/// is the same as [`generate`]'s whenever `previous` holds files schemakit wrote.
pub fn generate_reusing(
    schema: &Schema,
    opts: &Options,
    previous: &BTreeMap<String, Previous>,
) -> Result<BTreeMap<String, Output>, Vec<Error>> {
    let names = names::Names::resolve(schema, &opts.renames, opts.threads)?;
    let mut errors = Vec::new();
    let mut files = BTreeMap::new();
    let header = format!(
        "{GENERATED_HEADER} from {}; do not edit",
        one_line(&opts.source)
    );
    let table_modules: Vec<(&names::TableNames, &Table)> = schema
        .tables
        .values()
        .filter_map(|t| Some((names.tables.get(&t.name)?, t)))
        .collect();
    // Indexes by table, so each table's file does not scan every index.
    let mut table_indexes: BTreeMap<&QualifiedName, Vec<&Index>> = BTreeMap::new();
    for i in schema.indexes.values() {
        table_indexes.entry(&i.table).or_default().push(i);
    }
    let shared = input::Shared::new(
        &schema.domains,
        &names.enums,
        &opts.overrides,
        &opts.array_elements_not_null,
    );
    // Each table's input: itself, its indexes, the generated tables it references. Built
    // on the rendering threads.
    let input_of = |&(table_names, table): &(_, _)| {
        table_input(schema, &names, &table_indexes, &shared, table_names, table)
    };
    // Tables are independent: render them on as many threads as the caller asked for. The
    // result is collected into a sorted map, so the output does not depend on scheduling.
    let parts = in_parts(&table_modules, opts.threads, |part| {
        part.iter()
            .map(|t| {
                let input = &input_of(t);
                let path = format!("{}/{}.rs", opts.module, input.names.module);
                let head = head(&header, &input.fingerprint());
                let text = if previous.get(&path).is_some_and(|p| p.reusable_under(&head)) {
                    Ok(Output::Reused)
                } else {
                    table::table_file(input, &head).map(Output::Text)
                };
                (input.names.module.clone(), text)
            })
            .collect::<Vec<Rendered>>()
    });
    // A part that panicked is an error for its tables, never a silent gap.
    let results = parts.into_iter().map(|(part, result)| {
        result.unwrap_or_else(|panic| {
            let message = panic_message(panic.as_ref()).unwrap_or_else(|| "a panic".into());
            let what = part
                .iter()
                .map(|(_, table)| format!("`{}`", table.name))
                .collect::<Vec<_>>()
                .join(", ");
            vec![(
                String::new(),
                Err(vec![Error::Internal {
                    what: format!("table(s) {what}"),
                    message,
                }]),
            )]
        })
    });
    for (module, result) in results.flatten() {
        match result {
            Ok(text) => {
                files.insert(format!("{}/{}.rs", opts.module, module), text);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    let has_enums = !schema.enums.is_empty();
    if has_enums {
        files.insert(
            format!("{}/enums.rs", opts.module),
            Output::Text(whole_text_file(&header, &enums_file(schema, &names))),
        );
    }
    files.insert(
        format!("{}/mod.rs", opts.module),
        Output::Text(whole_text_file(
            &header,
            &mod_file(opts, &table_modules, has_enums),
        )),
    );
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// The first words of every file schemakit writes; only files that start with it are
/// ever overwritten or removed by `schemakit generate`.
pub const GENERATED_HEADER: &str = "// @generated by schemakit";

/// Builds what naming builds once per process, the inflection rules (a few dozen regular
/// expressions, some milliseconds), so that a caller can have it done on another thread
/// while it parses. Generation does not need it: without it, the rules are built at the
/// first row struct's name.
pub fn prepare() {
    names::prepare();
}

/// The module of a system in the generated crate: `module` when configured (it must be a
/// Rust identifier), else the system's name in snake_case (`cost-tracker` →
/// `cost_tracker`).
pub fn system_module(system: &str, module: Option<&str>) -> Result<String, Error> {
    names::system_module(system, module)
}

/// The generated crate's `lib.rs`: one `pub mod` per system (module name, source), with
/// the source of each. Module names come from [`system_module`].
pub fn lib_file(systems: &[(String, String)]) -> Result<String, Error> {
    let mut out = format!(
        "{GENERATED_HEADER} generate; do not edit\n\n//! Rust types and queries generated by `schemakit generate` from the schemas in `db/`.\n\n"
    );
    for (module, source) in systems {
        let ident = syn::parse_str::<syn::Ident>(module).map_err(|_| Error::BadModule {
            system: module.clone(),
            module: module.clone(),
        })?;
        out.push_str(&format!(
            "/// Generated from `{}`.\n// rustfmt leaves generated files alone: `schemakit check` compares them byte for byte.\n#[rustfmt::skip]\npub mod {ident};\n",
            one_line(source)
        ));
    }
    Ok(out)
}

/// Text for a one-line comment: control characters (a bare CR ends a doc comment for
/// rustc) and the bidirectional formatting characters rustc refuses in comments are
/// written as escapes.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Whether a comment must hold `c` escaped: a control character, or one of the
/// bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069) that rustc's
/// `text_direction_codepoint_in_comment` lint refuses.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The XXH3 (64-bit) hash of `parts`, in hex: a named, stable hash, fast enough that
/// checking the text of every reused file costs little beside parsing the SQL.
/// One part (a file's text) is hashed in one call, which is the same digest at about
/// twice the speed of the streaming hasher.
fn fingerprint(parts: &[&[u8]]) -> String {
    let digest = match parts {
        [one] => xxhash_rust::xxh3::xxh3_64(one),
        _ => {
            let mut hasher = xxhash_rust::xxh3::Xxh3::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.digest()
        }
    };
    format!("{digest:016x}")
}

/// A file's first line up to its output fingerprint: `header`, then the fingerprint of
/// the input it is rendered from.
fn head(header: &str, input: &str) -> String {
    format!("{header}; input {input} output ")
}

/// How many parts [`in_parts`] cuts its items into per thread.
const PARTS_PER_THREAD: usize = 8;

/// `f` of `items` cut into parts, with each part's result in order: `Err` with the panic
/// of a part that panicked, for the caller to report or resume. The parts are small
/// (about [`PARTS_PER_THREAD`] per thread) and claimed in turn by this thread and up to
/// `threads - 1` others, so a thread on a core that something else keeps busy takes fewer
/// of them instead of holding up half of the work. This thread takes parts too because
/// the allocator's memory it has used is warm: a fresh thread's first allocations fault in
/// pages the kernel must zero. A thread that cannot be started leaves its parts to the
/// others.
pub(crate) fn in_parts<'i, T: Sync, R: Send>(
    items: &'i [T],
    threads: usize,
    f: impl Fn(&'i [T]) -> R + Sync,
) -> Vec<(&'i [T], std::thread::Result<R>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = threads.max(1);
    let per = items
        .len()
        .div_ceil(threads.saturating_mul(PARTS_PER_THREAD))
        .max(1);
    let parts: Vec<&'i [T]> = items.chunks(per).collect();
    let next = AtomicUsize::new(0);
    let (claim, f) = (&next, &f);
    let parts_ref = &parts;
    // Claims parts until none is left: their indexes, with `f` of each.
    let work = move || {
        let mut done = Vec::new();
        loop {
            let i = claim.fetch_add(1, Ordering::Relaxed);
            let Some(&part) = parts_ref.get(i) else {
                return done;
            };
            done.push((
                i,
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(part))),
            ));
        }
    };
    let mut results: Vec<Option<std::thread::Result<R>>> = Vec::new();
    results.resize_with(parts.len(), || None);
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads.min(parts.len()))
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut done = work();
        for handle in others {
            // `work` catches each part's panic, so joining does not fail; if it did, that
            // thread's parts would have no result and be reported below, never left out.
            if let Ok(mut theirs) = handle.join() {
                done.append(&mut theirs);
            }
        }
        for (i, result) in done {
            results[i] = Some(result);
        }
    });
    parts
        .into_iter()
        .zip(results)
        .map(|(part, result)| {
            let result = result.unwrap_or_else(|| {
                let stopped: Box<dyn std::any::Any + Send> =
                    Box::new("the thread that took this part stopped");
                Err(stopped)
            });
            (part, result)
        })
        .collect()
}

/// What a panic said, when it said it with a string.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> Option<String> {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
}

/// One table's input: itself, its indexes, the generated tables it references.
fn table_input<'a>(
    schema: &'a Schema,
    names: &'a names::Names,
    table_indexes: &'a BTreeMap<&QualifiedName, Vec<&Index>>,
    shared: &'a input::Shared<'a>,
    table_names: &'a names::TableNames,
    table: &'a Table,
) -> input::TableInput<'a> {
    input::TableInput {
        table,
        names: table_names,
        indexes: table_indexes
            .get(&table.name)
            .map_or(&[][..], Vec::as_slice),
        parents: table
            .constraints
            .values()
            .filter_map(|c| match &c.kind {
                schema::model::ConstraintKind::ForeignKey(fk) => Some(&fk.ref_table),
                _ => None,
            })
            .filter_map(|parent| {
                let t = schema.tables.get(parent)?;
                Some((parent, (t, names.tables.get(parent)?)))
            })
            .collect(),
        shared,
    }
}

/// The file of `text` (the enums' file, `mod.rs`) under `header`, its input being its
/// text: writing such a small file costs what hashing a model input would, so it is
/// written every time.
fn whole_text_file(header: &str, text: &str) -> String {
    let input = fingerprint(&[input::RENDERING.as_bytes(), text.as_bytes()]);
    let mut file = code::Code::file(&head(header, &input));
    file.text(text);
    file.finish()
}

/// The system's `mod.rs`: one module per table (and `enums`), with the lint allowances
/// generated code conventionally carries: style lints written for people, and items a
/// crate built without a client feature leaves unused.
fn mod_file(opts: &Options, tables: &[(&names::TableNames, &Table)], has_enums: bool) -> String {
    let mut c = code::Code::new();
    c.inner_doc(&format!(
        " Tables and types of `{}`.",
        one_line(&opts.source)
    ));
    c.item();
    c.line("#![allow(clippy::all, clippy::pedantic, clippy::nursery, dead_code, unused_imports)]");
    if has_enums {
        c.item();
        c.line("pub mod enums;");
    }
    for (n, t) in tables {
        c.item();
        c.doc(&format!(" Table `{}`.", one_line(&t.name.to_string())));
        c.line_fmt(format_args!("pub mod {};", n.module));
    }
    c.finish()
}

/// The system's enum types, with the error of a label that is none of a type's.
fn enums_file(schema: &Schema, names: &names::Names) -> String {
    let mut c = code::Code::new();
    c.inner_doc(" Enum types.");
    for line in [
        "",
        "/// A label that is not one of an enum type's (from `FromStr`).",
        "#[derive(Debug, Clone, PartialEq, Eq)]",
        "pub struct UnknownLabel {",
        "    /// The enum type, as SQL names it.",
        "    pub type_name: &'static str,",
        "    /// The text that is not one of its labels.",
        "    pub label: String,",
        "}",
        "",
        "impl ::std::fmt::Display for UnknownLabel {",
        "    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {",
        "        write!(f, \"`{}` is not a label of enum type `{}`\", self.label, self.type_name)",
        "    }",
        "}",
        "",
        "impl ::std::error::Error for UnknownLabel {}",
    ] {
        if line.is_empty() {
            c.item();
        } else {
            c.line(line);
        }
    }
    for e in schema.enums.values() {
        if let Some(n) = names.enums.get(&e.name) {
            enum_item(&mut c, e, n);
        }
    }
    c.finish()
}

/// One enum type: the enum, `ALL`, `as_str`, `Display` and `FromStr`. Paths in full: an
/// enum may be called `ToSql`.
fn enum_item(c: &mut code::Code, e: &EnumType, names: &names::EnumNames) {
    let ident = &names.ident;
    let pairs: Vec<(&String, &String)> = e
        .labels
        .iter()
        .filter_map(|label| Some((names.variants.get(label)?, label)))
        .collect();
    c.item();
    c.doc(&format!(" Enum type `{}`.", one_line(&e.name.to_string())));
    if let Some(comment) = &e.comment {
        c.doc("");
        c.docs(&table::doc_lines(comment));
    }
    c.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, postgres_types::ToSql, postgres_types::FromSql)]");
    c.line("#[cfg_attr(feature = \"serde\", derive(serde::Serialize, serde::Deserialize))]");
    c.line_fmt(format_args!(
        "#[postgres(name = {})]",
        code::string(&e.name.name)
    ));
    c.open(&format!("pub enum {ident}"));
    for (variant, label) in &pairs {
        let label_lit = code::string(label);
        c.doc(&format!(" `{}`", one_line(label)));
        c.line_fmt(format_args!("#[postgres(name = {label_lit})]"));
        c.line_fmt(format_args!(
            "#[cfg_attr(feature = \"serde\", serde(rename = {label_lit}))]"
        ));
        c.line_fmt(format_args!("{variant},"));
    }
    c.close("");

    c.item();
    c.open(&format!("impl {ident}"));
    c.doc(" Every label, in the type's order.");
    let all: Vec<String> = pairs.iter().map(|(v, _)| format!("Self::{v}")).collect();
    c.delimited(
        &format!("pub const ALL: [Self; {}] = ", pairs.len()),
        "[",
        "]",
        &all,
        ";",
    );
    c.item();
    c.doc(" The label as Postgres stores it.");
    c.open("pub fn as_str(self) -> &'static str");
    if pairs.is_empty() {
        c.line("match self {}");
    } else {
        c.open("match self");
        for (v, l) in &pairs {
            c.line_fmt(format_args!("Self::{v} => {},", code::string(l)));
        }
        c.close("");
    }
    c.close("");
    c.close("");

    c.item();
    c.open(&format!("impl ::std::fmt::Display for {ident}"));
    c.open("fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result");
    c.line("f.write_str(self.as_str())");
    c.close("");
    c.close("");

    c.item();
    c.open(&format!("impl ::std::str::FromStr for {ident}"));
    c.line("type Err = UnknownLabel;");
    c.item();
    c.open("fn from_str(s: &str) -> ::std::result::Result<Self, UnknownLabel>");
    c.open("match s");
    for (v, l) in &pairs {
        c.line_fmt(format_args!("{} => Ok(Self::{v}),", code::string(l)));
    }
    c.line_fmt(format_args!(
        "_ => Err(UnknownLabel {{ type_name: {}, label: s.to_string() }}),",
        code::string(&e.name.to_string())
    ));
    c.close("");
    c.close("");
    c.close("");
}

#[cfg(test)]
mod tests {
    use super::{in_parts, panic_message};

    #[test]
    fn in_parts_gives_every_part_once_in_order_on_any_number_of_threads() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in [0, 1, 2, 3, 7, 64] {
            for len in [0, 1, 5, 16, 17, 1000] {
                let parts = in_parts(&items[..len], threads, |part| part.to_vec());
                let joined: Vec<usize> = parts
                    .into_iter()
                    .flat_map(|(part, result)| {
                        let result = result.unwrap_or_else(|_| panic!("a part panicked"));
                        assert_eq!(part, result.as_slice());
                        result
                    })
                    .collect();
                assert_eq!(joined, items[..len], "{threads} threads, {len} items");
            }
        }
    }

    #[test]
    fn a_panicking_part_is_an_error_for_that_part_only() {
        let items: Vec<usize> = (0..100).collect();
        let parts = in_parts(&items, 2, |part| {
            assert!(!part.contains(&42), "item 42");
            part.len()
        });
        let mut failed = 0;
        let mut done = 0;
        for (part, result) in parts {
            match result {
                Ok(n) => done += n,
                Err(panic) => {
                    assert!(part.contains(&42));
                    let message = panic_message(panic.as_ref()).unwrap_or_default();
                    assert!(message.contains("item 42"), "{message}");
                    failed += part.len();
                }
            }
        }
        assert_eq!(done + failed, 100);
        assert!(failed < 100, "only the part holding 42 failed");
    }
}
