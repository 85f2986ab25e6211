//! SQL names → Rust names: modules and fields in snake_case, types and variants in
//! PascalCase, raw identifiers for Rust keywords. Non-ASCII letters are transliterated
//! (`größe` → `grosse`), so every name is an ASCII identifier.
//!
//! [`Names`] resolves every Rust name of a schema once, before anything is rendered:
//! renames from the configuration first, then the default conversion, and a
//! [`Error::NameClash`] naming both SQL objects and the key that renames one where two
//! of them would become the same Rust name.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use schema::model::{QualifiedName, Schema, Table};

use crate::{Error, Section};

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a SQL name into lower-case words at non-alphanumerics and camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let ascii = deunicode::deunicode_with_tofu(name, "_");
    let chars: Vec<char> = ascii.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let hump = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if hump {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `createdAt` → `created_at`; never empty, never starting with a digit.
pub fn snake(name: &str) -> String {
    // Most SQL names are snake_case already: what the words would join back into.
    let plain = name.split('_').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if plain && !name.starts_with(|c: char| c.is_ascii_digit()) {
        return name.to_string();
    }
    let s = words(name).join("_");
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.chars().next() {
        None => "unnamed".into(),
        Some(c) if c.is_ascii_digit() => format!("n{s}"),
        _ => s,
    }
}

/// `job_status` → `JobStatus`; never empty, never starting with a digit.
pub fn pascal(name: &str) -> String {
    let s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match s.chars().next() {
        None => "Unnamed".into(),
        Some(c) if c.is_ascii_digit() => format!("V{s}"),
        _ => s,
    }
}

/// Keywords that cannot be raw identifiers: they get a trailing `_` instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A field or parameter name: snake_case, `r#` for Rust keywords, a trailing `_` for the
/// keywords that cannot be raw (`self_`).
pub fn field(column: &str) -> String {
    let s = snake(column);
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The module of a table: `jobs`, or `billing_invoices` outside `public`.
pub fn module_name(table: &QualifiedName) -> String {
    let base = if table.schema == "public" {
        snake(&table.name)
    } else {
        snake(&format!("{}_{}", table.schema, table.name))
    };
    module_ident(&base)
}

/// Has the `pluralizer` crate build its rules (see [`crate::prepare`]).
pub(crate) fn prepare() {
    pluralizer::pluralize("tables", 1, false);
}

/// The row struct of a table: the singular of its last word, from the `pluralizer`
/// crate, in PascalCase (`jobs` → `Job`, `api_keys` → `ApiKey`, `movies` → `Movie`,
/// `statuses` → `Status`, `news` → `News`).
pub fn struct_name(table: &str) -> String {
    let mut words = words(table);
    if let Some(last) = words.last_mut() {
        // pluralizer keeps the case of what it is given; words are lower case already.
        *last = pluralizer::pluralize(last, 1, false);
    }
    let singular = pascal(&words.join("_"));
    // `Self`-like and prelude names would confuse readers and the compiler.
    if RESERVED_TYPES.contains(&singular.as_str()) {
        format!("{singular}Row")
    } else {
        singular
    }
}

/// Type names the generated code uses unqualified (the prelude, `Self`), or that readers
/// would take for postgres's own.
const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "Row",
    "Error",
    "Send",
    "Sync",
    "Some",
    "None",
    "Ok",
    "Err",
    "UnknownLabel",
    // What each table's module defines besides its structs.
    "Table",
    "Key",
    "Page",
    // The trait `stream` returns (`impl Iterator`).
    "Iterator",
];

/// The Rust type of an enum: `job_status` → `JobStatus`, `billing.status` →
/// `BillingStatus` outside `public`.
pub fn enum_name(name: &QualifiedName) -> String {
    let base = if name.schema == "public" {
        pascal(&name.name)
    } else {
        pascal(&format!("{}_{}", name.schema, name.name))
    };
    if RESERVED_TYPES.contains(&base.as_str()) {
        format!("{base}Enum")
    } else {
        base
    }
}

/// An enum variant for a label: `it's complicated` → `ItSComplicated`.
pub fn variant(label: &str) -> String {
    let v = pascal(label);
    if v == "Self" { "SelfValue".into() } else { v }
}

/// A column constant's name for a field: `created_at` → `CREATED_AT`.
pub fn constant(field: &str) -> String {
    field.trim_start_matches("r#").to_ascii_uppercase()
}

/// Renames from the configuration (`[systems.NAME.rename]`): SQL object → Rust name.
/// Keys name tables and types as `name` in `public` and `schema.name` elsewhere.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    /// Tables (`jobs`, `billing.invoices`) → the row struct's name; the module is its
    /// snake_case.
    pub tables: BTreeMap<String, String>,
    /// Columns (`jobs.createdAt`) → the field's name.
    pub columns: BTreeMap<String, String>,
    /// Enum types (`job_status`) → the Rust enum's name.
    pub types: BTreeMap<String, String>,
    /// Enum labels (`job_status.in-progress`) → the variant's name.
    pub labels: BTreeMap<String, String>,
}

/// The Rust names of one table.
#[derive(Debug, Clone, Hash)]
pub struct TableNames {
    /// The module (`jobs`).
    pub module: String,
    /// The row struct (`Job`).
    pub row: String,
    /// The insert struct (`NewJob`).
    pub new: String,
    /// The patch struct (`JobPatch`).
    pub patch: String,
    /// Column → field (`type` → `r#type`, `self` → `self_`).
    pub fields: BTreeMap<String, String>,
    /// The client parameter of the table's functions: `client`, unless a column took it.
    pub client: String,
}

/// The Rust names of one enum type.
#[derive(Debug, Clone, Hash)]
pub struct EnumNames {
    /// The enum (`JobStatus`).
    pub ident: String,
    /// Label → variant.
    pub variants: BTreeMap<String, String>,
}

/// Every Rust name of a schema, resolved before anything is rendered.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// By table.
    pub tables: BTreeMap<QualifiedName, TableNames>,
    /// By enum type.
    pub enums: BTreeMap<QualifiedName, EnumNames>,
}

/// Checks a configured Rust name: an identifier (raw allowed where `raw`), not one the
/// generated code reserves.
fn configured(section: Section, key: &str, value: &str, raw: bool) -> Result<String, Error> {
    let bad = |reason: &str| Error::BadRename {
        section,
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    };
    let ident = syn::parse_str::<syn::Ident>(value)
        .map_err(|_| bad("not a Rust identifier (write `r#type` for a keyword)"))?;
    let text = ident.to_string();
    if text.starts_with("r#") && !raw {
        return Err(bad("a type or variant cannot be a raw identifier"));
    }
    if !raw && RESERVED_TYPES.contains(&text.as_str()) {
        return Err(bad("the generated code uses this name itself"));
    }
    Ok(text)
}

/// The name the configuration gives `key` in `section` (`given`), checked as
/// [`configured`] does and recorded in `used`; `None` when it gives none. The key is made
/// only when there are renames in the section to look it up in.
fn renamed(
    given: &BTreeMap<String, String>,
    used: &mut impl Extend<(String, String)>,
    section: Section,
    key: impl FnOnce() -> String,
    raw: bool,
) -> Option<Result<String, Error>> {
    if given.is_empty() {
        return None;
    }
    let key = key();
    let value = given.get(&key)?;
    let checked = configured(section, &key, value, raw);
    used.extend([(key, value.clone())]);
    Some(checked)
}

/// Finds the first SQL object already given a Rust name.
struct Taken<'a> {
    what: String,
    section: Section,
    /// Rust name → the SQL object that has it (borrowed where the caller can lend it: a
    /// table's columns are named once per column).
    seen: FxHashMap<String, Cow<'a, str>>,
}

impl<'a> Taken<'a> {
    fn new(what: String, section: Section) -> Self {
        Taken {
            what,
            section,
            seen: FxHashMap::default(),
        }
    }

    /// Claims `rust` for the SQL object `sql`; when another object has it, the clash,
    /// naming both and the configuration key (`key`, made only then) that renames `sql`.
    fn claim(
        &mut self,
        rust: String,
        sql: impl Into<Cow<'a, str>>,
        key: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        match self.seen.entry(rust) {
            Entry::Occupied(first) => Err(Error::NameClash {
                what: self.what.clone(),
                first: first.get().to_string(),
                second: sql.into().into_owned(),
                rust: first.key().clone(),
                section: self.section,
                key: key(),
            }),
            Entry::Vacant(free) => {
                free.insert(sql.into());
                Ok(())
            }
        }
    }
}

/// The Rust names of one table's fields (with the module and row names already chosen),
/// the errors naming them found, and the column renames used.
fn table_names(
    table: &Table,
    module: &str,
    row: &str,
    renames: &Renames,
) -> (QualifiedName, TableNames, Vec<Error>, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let mut used = Vec::new();
    let table_key = table.name.config_key();
    // A column's configuration key, made only where it is looked up or reported.
    let key_of = |column: &str| format!("{table_key}.{column}");
    let mut taken = Taken::new(
        format!("table {} columns", sql_name(&table.name)),
        Section::Columns,
    );
    // Constants are the fields in upper case: `Foo` and `foo` would meet there.
    let mut constants = Taken::new(
        format!("table {} column constants", sql_name(&table.name)),
        Section::Columns,
    );
    let mut fields = BTreeMap::new();
    for column in &table.columns {
        let key = || key_of(&column.name);
        let f = match renamed(&renames.columns, &mut used, Section::Columns, key, true) {
            Some(Ok(f)) => f,
            Some(Err(e)) => {
                errors.push(e);
                continue;
            }
            None => field(&column.name),
        };
        // A field whose constant clashes stays claimed, as a field; the column gets none.
        let claimed = taken
            .claim(f.clone(), column.name.as_str(), key)
            .and_then(|()| constants.claim(constant(&f), column.name.as_str(), key));
        match claimed {
            Ok(()) => {
                fields.insert(column.name.clone(), f);
            }
            Err(e) => errors.push(e),
        }
    }
    let mut client = String::from("client");
    while fields.values().any(|f| *f == client) {
        client.push('_');
    }
    let names = TableNames {
        module: module.to_string(),
        row: row.to_string(),
        new: format!("New{row}"),
        patch: format!("{row}Patch"),
        fields,
        client,
    };
    (table.name.clone(), names, errors, used)
}

/// Below this many items, [`par_map`] maps on the calling thread.
const PAR_MAP_FROM: usize = 64;

/// `f` of each item, in order: on `threads` threads (parts, [`crate::in_parts`]) when there
/// are enough items to be worth a thread. A panic in one is resumed here.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads < 2 || items.len() < PAR_MAP_FROM {
        return items.iter().map(&f).collect();
    }
    let mut out = Vec::with_capacity(items.len());
    for (_, result) in crate::in_parts(items, threads, |part| {
        part.iter().map(&f).collect::<Vec<R>>()
    }) {
        match result {
            Ok(mut results) => out.append(&mut results),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    out
}

impl Names {
    /// Resolves the Rust name of every table, column, enum and label of `schema`, on up to
    /// `threads` threads (the caller's choice, as for rendering).
    pub fn resolve(
        schema: &Schema,
        renames: &Renames,
        threads: usize,
    ) -> Result<Names, Vec<Error>> {
        let mut errors = Vec::new();
        let mut names = Names::default();
        let mut used = Renames::default();

        // The default names, each the table's own (a singular is a dozen regular
        // expressions): on `threads` threads; then claimed in table order.
        let all: Vec<&Table> = schema.tables.values().collect();
        let defaults = par_map(&all, threads, |table| {
            let k = table.name.config_key();
            let default = (!renames.tables.contains_key(&k))
                .then(|| (module_name(&table.name), struct_name(&table.name.name)));
            (k, default)
        });
        let mut modules = Taken::new("table modules".into(), Section::Tables);
        let mut tables = Vec::new();
        for (table, (k, default)) in all.into_iter().zip(defaults) {
            let key = || k.clone();
            let (module, row) = match renamed(
                &renames.tables,
                &mut used.tables,
                Section::Tables,
                key,
                false,
            ) {
                Some(Ok(row)) => (module_ident(&snake(&row)), row),
                Some(Err(e)) => {
                    errors.push(e);
                    continue;
                }
                None => default.unwrap_or_default(),
            };
            match modules.claim(module.clone(), table.name.to_string(), key) {
                Ok(()) => tables.push((table, module, row)),
                Err(e) => errors.push(e),
            }
        }
        // Each table's fields are its own: named on `threads` threads (for a large
        // schema), then gathered in table order.
        let named = par_map(&tables, threads, |(table, module, row)| {
            table_names(table, module, row, renames)
        });
        for (name, table_names, table_errors, table_used) in named {
            errors.extend(table_errors);
            used.columns.extend(table_used);
            names.tables.insert(name, table_names);
        }

        let mut types = Taken::new("enum types".into(), Section::Types);
        for e in schema.enums.values() {
            let k = e.name.config_key();
            let key = || k.clone();
            let ident = match renamed(&renames.types, &mut used.types, Section::Types, key, false) {
                Some(Ok(i)) => i,
                Some(Err(err)) => {
                    errors.push(err);
                    continue;
                }
                None => enum_name(&e.name),
            };
            if let Err(err) = types.claim(ident.clone(), e.name.to_string(), key) {
                errors.push(err);
                continue;
            }
            let mut variants = BTreeMap::new();
            let mut labels = Taken::new(
                format!("enum {} labels", sql_name(&e.name)),
                Section::Labels,
            );
            for label in &e.labels {
                let key = || format!("{k}.{label}");
                let v = match renamed(
                    &renames.labels,
                    &mut used.labels,
                    Section::Labels,
                    key,
                    false,
                ) {
                    Some(Ok(v)) => v,
                    Some(Err(err)) => {
                        errors.push(err);
                        continue;
                    }
                    None => variant(label),
                };
                match labels.claim(v.clone(), label.as_str(), key) {
                    Ok(()) => {
                        variants.insert(label.clone(), v);
                    }
                    Err(err) => errors.push(err),
                }
            }
            names
                .enums
                .insert(e.name.clone(), EnumNames { ident, variants });
        }

        // A rename that matches nothing is a typo, not a no-op.
        for (section, given, matched) in [
            (Section::Tables, &renames.tables, &used.tables),
            (Section::Columns, &renames.columns, &used.columns),
            (Section::Types, &renames.types, &used.types),
            (Section::Labels, &renames.labels, &used.labels),
        ] {
            for k in given.keys().filter(|k| !matched.contains_key(*k)) {
                errors.push(Error::UnknownRename {
                    section,
                    key: k.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(names)
        } else {
            Err(errors)
        }
    }
}

/// A module name that is not a keyword or one of the names a system module uses itself.
fn module_ident(base: &str) -> String {
    if KEYWORDS.contains(&base) || NOT_RAW.contains(&base) || base == "enums" || base == "columns" {
        format!("{base}_table")
    } else {
        base.to_string()
    }
}

/// The module of a system in the generated crate's `lib.rs`: the configured name when it
/// is an identifier, else an error; the system's name in snake_case by default.
pub fn system_module(system: &str, configured_module: Option<&str>) -> Result<String, Error> {
    match configured_module {
        Some(m) => match syn::parse_str::<syn::Ident>(m) {
            Ok(i) if !i.to_string().starts_with("r#") => Ok(m.to_string()),
            _ => Err(Error::BadModule {
                system: system.to_string(),
                module: m.to_string(),
            }),
        },
        None => Ok(module_ident(&snake(system))),
    }
}

/// A SQL name in a message: in backticks, or as the quoted identifier it is
/// (`"user"`), never wrapped in backticks with its quotes.
fn sql_name(name: &impl std::fmt::Display) -> String {
    let text = name.to_string();
    if text.starts_with('"') {
        text
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (what, first, second, rust, key) of each clash, and the key of each bad rename.
    fn reported(errors: &[Error]) -> Vec<(String, String, String, String, String)> {
        errors
            .iter()
            .map(|e| match e {
                Error::NameClash {
                    what,
                    first,
                    second,
                    rust,
                    key,
                    ..
                } => (
                    what.clone(),
                    first.clone(),
                    second.clone(),
                    rust.clone(),
                    key.clone(),
                ),
                Error::BadRename { key, .. } => (
                    "bad rename".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    key.clone(),
                ),
                other => panic!("unexpected {other}"),
            })
            .collect()
    }

    #[test]
    fn a_columns_clash_names_the_first_column_that_took_the_name_in_column_order() {
        let parsed = schema::parse_sql(
            "t.sql",
            r#"CREATE TABLE t (type int, "Type" int, b int, c int, d int, e int);"#,
        );
        assert!(!parsed.has_errors(), "the schema must parse");
        let mut renames = Renames::default();
        // `b` and `c` become other fields than `r#type` but the same constant, `TYPE`.
        renames.columns.insert("t.b".into(), "TYPE".into());
        renames.columns.insert("t.d".into(), "1x".into());
        renames.columns.insert("t.c".into(), "Type".into());
        let errors = match Names::resolve(&parsed.schema, &renames, 1) {
            Ok(_) => panic!("the clashes must be errors"),
            Err(errors) => errors,
        };
        let clash = |what: &str, first: &str, second: &str, rust: &str, key: &str| {
            (
                what.into(),
                first.into(),
                second.into(),
                rust.into(),
                key.into(),
            )
        };
        assert_eq!(
            reported(&errors),
            vec![
                clash("table `t` columns", "type", "Type", "r#type", "t.Type"),
                clash("table `t` column constants", "type", "b", "TYPE", "t.b"),
                clash("table `t` column constants", "type", "c", "TYPE", "t.c"),
                (
                    "bad rename".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    "t.d".into()
                ),
            ]
        );
    }

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("created_at"), "created_at");
        assert_eq!(snake("a__b_"), "a_b");
        assert_eq!(snake("_x2"), "x2");
        assert_eq!(snake("Item ID"), "item_id");
        assert_eq!(snake("HTTPStatus"), "http_status");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(pascal("job_status"), "JobStatus");
        assert_eq!(pascal("it's complicated"), "ItSComplicated");
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(field("Self"), "self_");
        assert_eq!(field("_self"), "self_");
        assert_eq!(field("crate"), "crate_");
        assert_eq!(field("größe"), "grosse");
        assert_eq!(snake("Ω"), "o");
        assert_eq!(pascal("ǅemal"), "Dzemal");
        assert_eq!(snake("😀"), "grinning");
        assert_eq!(struct_name("jobs"), "Job");
        assert_eq!(struct_name("api_keys"), "ApiKey");
        assert_eq!(struct_name("daily_usage"), "DailyUsage");
        assert_eq!(struct_name("usage_history"), "UsageHistory");
        assert_eq!(struct_name("status"), "Status");
        assert_eq!(struct_name("AppVersion"), "AppVersion");
        // The cases a suffix rule gets wrong.
        assert_eq!(struct_name("movies"), "Movie");
        assert_eq!(struct_name("statuses"), "Status");
        assert_eq!(struct_name("news"), "News");
        assert_eq!(struct_name("user_stories"), "UserStory");
        assert_eq!(struct_name("addresses"), "Address");
        assert_eq!(struct_name("tables"), "TableRow");
    }
}
