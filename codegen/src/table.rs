//! One table's module: the row, insert and patch structs, the SQL constants, the table's
//! marker type for the support crate's traits, and (in `ops`) its functions over
//! `postgres` and `tokio-postgres`.

use std::collections::BTreeSet;

use schema::model::{Column, ConstraintKind, Identity, Index, KeyExpr, Table, quote_ident};

use crate::code::{self, Code};
use crate::input::{Shared, TableInput};
use crate::names::TableNames;
use crate::{Error, names, one_line, ops, types};

/// A column as the generated code sees it.
pub(crate) struct Field<'a> {
    pub(crate) column: &'a Column,
    /// The field's name (`created_at`, `r#type`).
    pub(crate) name: String,
    /// The Rust type of the column's value (`Option<…>` where nullable).
    pub(crate) ty: String,
    /// The Rust type of a non-null value.
    pub(crate) value_ty: String,
    /// The cast on the column in a select list: `::text` when the column's type is a
    /// domain over text (results travel as the base type) or has no Rust mapping.
    read_cast: String,
    /// The cast on a parameter for the column (`::text`, `::text::interval`).
    pub(crate) cast: String,
    /// What the column's Rust type cannot hold, or why it travels as text.
    note: Option<String>,
    /// Quoted SQL name.
    pub(crate) sql: String,
}

impl Field<'_> {
    pub(crate) fn insertable(&self) -> bool {
        self.column.generated.is_none() && self.column.identity != Some(Identity::Always)
    }

    fn has_default(&self) -> bool {
        self.column.default.is_some() || self.column.identity.is_some()
    }

    fn select(&self) -> String {
        if self.read_cast.is_empty() {
            self.sql.clone()
        } else {
            format!("{}{} AS {}", self.sql, self.read_cast, self.sql)
        }
    }
}

/// How an insert struct holds a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InsertKind {
    /// NOT NULL without a default: `T`, given to the constructor.
    Required,
    /// Nullable without a default: `Option<T>`, `None` writes NULL.
    Nullable,
    /// NOT NULL with a default: `Option<T>`, `None` leaves it to the default.
    Defaulted,
    /// Nullable with a default: `Value<T>`, three states.
    Value,
}

fn insert_kind(f: &Field) -> InsertKind {
    match (f.has_default(), f.column.not_null) {
        (false, true) => InsertKind::Required,
        (false, false) => InsertKind::Nullable,
        (true, true) => InsertKind::Defaulted,
        (true, false) => InsertKind::Value,
    }
}

/// A set of columns the table is looked up by, and the suffix of its functions.
pub(crate) struct Key<'a> {
    pub(crate) fields: Vec<&'a Field<'a>>,
    /// `email`, `tenant_id_and_slug`, or the constraint's name for a wide key.
    pub(crate) suffix: String,
    /// Whether `ON CONFLICT` may name it (a deferrable unique constraint may not).
    pub(crate) arbiter: bool,
}

/// A foreign key's parent, fetched from a row of this table.
pub(crate) struct Parent<'a> {
    /// `get_job`.
    pub(crate) name: String,
    /// `SELECT … FROM parent WHERE …`.
    pub(crate) sql: String,
    /// `super::super::jobs::Job`, from the functions' modules.
    pub(crate) row_path: String,
    /// `super::super::jobs::Table`.
    pub(crate) table_path: String,
    /// This table's referencing fields, in order.
    pub(crate) fields: Vec<&'a Field<'a>>,
    /// The parent table and columns, for docs.
    pub(crate) doc: String,
}

/// Everything the functions of one table are rendered from.
pub(crate) struct Spec<'a> {
    pub(crate) table_sql: String,
    pub(crate) select_list: String,
    /// The row, insert and patch structs and the client parameter, as `TableNames` has
    /// them.
    pub(crate) row: &'a str,
    pub(crate) new: &'a str,
    pub(crate) patch: &'a str,
    pub(crate) client: &'a str,
    pub(crate) fields: &'a [Field<'a>],
    pub(crate) pk: Vec<&'a Field<'a>>,
    /// Whether `ON CONFLICT` may name the primary key (not when it is DEFERRABLE).
    pub(crate) pk_arbiter: bool,
    /// Insertable columns other than the primary key's.
    pub(crate) updatable: Vec<&'a Field<'a>>,
    /// ` ORDER BY pk`, or nothing without a primary key.
    pub(crate) order: String,
    pub(crate) uniques: Vec<Key<'a>>,
    pub(crate) lookups: Vec<Key<'a>>,
    pub(crate) parents: Vec<Parent<'a>>,
}

impl Spec<'_> {
    /// A local name no column took (`page`, or `page_`).
    pub(crate) fn fresh(&self, base: &str) -> String {
        let mut name = base.to_string();
        while self.fields.iter().any(|f| f.name == name) || self.client == name {
            name.push('_');
        }
        name
    }
}

/// The fields of `table`'s columns, and whether one is of an enum type.
fn fields_of<'a>(
    shared: &Shared,
    table_names: &TableNames,
    table: &'a Table,
) -> Result<(Vec<Field<'a>>, bool), Vec<Error>> {
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    let mut uses_enums = false;
    for column in &table.columns {
        let Some(field) = table_names.fields.get(&column.name) else {
            continue;
        };
        match types::column_type(shared, table, column) {
            Ok(t) => {
                uses_enums |= t.uses_enum;
                let value_ty = t.ty;
                let ty = if column.not_null {
                    value_ty.clone()
                } else {
                    format!("Option<{value_ty}>")
                };
                fields.push(Field {
                    column,
                    name: field.clone(),
                    ty,
                    value_ty,
                    read_cast: t.read_cast,
                    cast: t.write_cast,
                    note: t.note,
                    sql: quote_ident(&column.name),
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((fields, uses_enums))
    } else {
        Err(errors)
    }
}

fn select_list(fields: &[Field]) -> String {
    fields
        .iter()
        .map(Field::select)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One table's file, under its first line's `head`, from its input alone (the input
/// fingerprint in `head` covers the input whole).
pub(crate) fn table_file(input: &TableInput, head: &str) -> Result<String, Vec<Error>> {
    let TableInput {
        table,
        names: table_names,
        indexes,
        parents: referenced,
        shared,
    } = input;
    let (fields, uses_enums) = fields_of(shared, table_names, table)?;
    let fields = &fields;
    let pk: Vec<&Field> = table
        .primary_key()
        .map(|(_, cols)| {
            cols.iter()
                .filter_map(|c| fields.iter().find(|f| f.column.name == *c))
                .collect()
        })
        .unwrap_or_default();
    let updatable = fields
        .iter()
        .filter(|f| f.insertable() && !pk.iter().any(|p| p.column.name == f.column.name))
        .collect();
    let order = if pk.is_empty() {
        String::new()
    } else {
        format!(
            " ORDER BY {}",
            pk.iter()
                .map(|f| f.sql.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let uniques = unique_keys(table, indexes, fields, &pk);
    let lookups = lookup_keys(table, indexes, fields, &pk, &uniques);
    // Parents' fields are rendered from their own tables (their casts and select lists).
    let parent_fields: Vec<(&schema::model::ForeignKey, &names::TableNames, Vec<Field>)> = table
        .constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey(fk) => Some(fk),
            _ => None,
        })
        .filter_map(|fk| {
            let (parent, parent_names) = referenced.get(&fk.ref_table)?;
            let (pf, _) = fields_of(shared, parent_names, parent).ok()?;
            Some((fk, *parent_names, pf))
        })
        .collect();
    let parents = parents(fields, &parent_fields);
    let pk_arbiter = !table
        .constraints
        .values()
        .any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }) && c.deferrable);
    let spec = Spec {
        pk_arbiter,
        table_sql: table.name.to_string(),
        select_list: select_list(fields),
        row: &table_names.row,
        new: &table_names.new,
        patch: &table_names.patch,
        client: &table_names.client,
        fields,
        pk,
        updatable,
        order,
        uniques,
        lookups,
        parents,
    };
    Ok(table_text(head, table, &spec, uses_enums))
}

/// Doc comment lines for a comment from the schema: a line ends at LF, CRLF or a bare
/// CR (which rustc rejects inside a doc comment), other control characters are escaped.
pub(crate) fn doc_lines(text: &str) -> Vec<String> {
    text.split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .map(|l| format!(" {}", one_line(l)))
        .collect()
}

/// `#[derive(Serialize, Deserialize)]` under the `serde` feature.
const SERDE_DERIVE: &str =
    "#[cfg_attr(feature = \"serde\", derive(serde::Serialize, serde::Deserialize))]";

/// The serde attribute of a field of type `held`: a `Value` absent is the default, and
/// a patch's field absent is unset (`null` in a `DoubleOption` writes NULL).
fn serde_field(code: &mut Code, held: Held) {
    match held {
        Held::Plain | Held::Optional => {}
        Held::Value => code.line("#[cfg_attr(feature = \"serde\", serde(default))]"),
        Held::Patch => {
            code.line("#[cfg_attr(");
            code.line("    feature = \"serde\",");
            code.line("    serde(default, skip_serializing_if = \"Option::is_none\")");
            code.line(")]");
        }
        Held::DoubleOption => {
            code.line("#[cfg_attr(");
            code.line("    feature = \"serde\",");
            code.line("    serde(");
            code.line("        default,");
            code.line("        skip_serializing_if = \"Option::is_none\",");
            code.line("        with = \"schemakit_support::serde_helpers::double_option\"");
            code.line("    )");
            code.line(")]");
        }
    }
}

/// How a struct field wraps a column's value type.
#[derive(Clone, Copy)]
enum Held {
    /// `T`.
    Plain,
    /// `Option<T>`.
    Optional,
    /// `Value<T>`.
    Value,
    /// A patch's `Option<T>` (absent: unchanged).
    Patch,
    /// A patch's `Option<Option<T>>` (absent: unchanged; null: NULL).
    DoubleOption,
}

/// A struct field: its docs, its serde attribute, `pub name: Ty,`.
fn field(code: &mut Code, docs: &[String], held: Held, name: &str, ty: &str) {
    code.docs(docs);
    serde_field(code, held);
    code.line_fmt(format_args!("pub {name}: {ty},"));
}

/// `pub const NAME: &str = "…";`, after its docs.
pub(crate) fn str_const(code: &mut Code, docs: &[&str], name: &str, value: &str) {
    code.item();
    code.docs(docs);
    code.line_fmt(format_args!(
        "pub const {name}: &str = {};",
        code::string(value)
    ));
}

fn table_text(head: &str, table: &Table, spec: &Spec, uses_enums: bool) -> String {
    let Spec {
        table_sql,
        select_list,
        row,
        new,
        patch,
        fields,
        pk,
        updatable,
        ..
    } = spec;
    let table_name = one_line(&table.name.to_string());
    let table_comment = table.comment.as_deref().map(doc_lines).unwrap_or_default();
    let mut code = Code::file(head);
    let c = &mut code;

    c.inner_doc(&format!(
        " Table `{table_name}`: row types, SQL and queries."
    ));
    for line in &table_comment {
        c.inner_doc(line);
    }
    c.inner_doc("");
    // What a reader needs to call the operations: the traits this table has, and whether
    // the module has functions of its own.
    let (lines, last): (&[&str], &str) = if pk.is_empty() {
        (
            &[
                " Without a primary key, the table has the operations of `schemakit_support::Crud`",
                " (or `AsyncCrud` over tokio-postgres), methods of the marker type `Table`, as in",
            ],
            " `Table::insert(&mut client, &new)`.",
        )
    } else {
        (
            &[
                " The operations every table has are methods of the support crate's traits on the",
                " marker type `Table`, as in `Table::insert(&mut client, &new)` with",
                " `schemakit_support::{Crud, KeyedCrud}` in scope (or `AsyncCrud` and `AsyncKeyedCrud`",
            ],
            " over tokio-postgres).",
        )
    };
    for line in lines {
        c.inner_doc(line);
    }
    if ops::has_functions(spec) {
        c.inner_doc(&format!("{last} The functions here are the table's own."));
    } else {
        c.inner_doc(last);
    }
    // Enum types are written `enums::Name`, here and (through `use super::*`) in the
    // functions' modules.
    if uses_enums {
        c.item();
        c.line("use super::enums;");
    }
    str_const(
        c,
        &[" The table's name, quoted for SQL where needed."],
        "TABLE",
        table_sql,
    );
    str_const(
        c,
        &[" The select list every query here returns, in the order of the row struct's fields."],
        "COLUMNS",
        select_list,
    );

    c.item();
    c.doc(" Column names.");
    c.open("pub mod columns");
    for f in *fields {
        let doc = format!(" Column `{}`.", one_line(&f.column.name));
        str_const(c, &[&doc], &names::constant(&f.name), &f.column.name);
    }
    c.close("");

    // The row.
    c.item();
    c.doc(&format!(" A row of `{table_name}`."));
    c.docs(&table_comment);
    c.line("#[derive(Debug, Clone, PartialEq)]");
    c.line(SERDE_DERIVE);
    c.open(&format!("pub struct {row}"));
    for f in *fields {
        let docs = field_docs(table, f, pk.iter().any(|p| p.column.name == f.column.name));
        let held = if f.column.not_null {
            Held::Plain
        } else {
            Held::Optional
        };
        field(c, &docs, held, &f.name, &f.ty);
    }
    c.close("");

    c.item();
    c.open(&format!("impl {row}"));
    c.doc(" Reads a row selected with [`COLUMNS`].");
    c.list(
        "pub fn from_row",
        &["row: &schemakit_support::Row".into()],
        " -> Result<Self, schemakit_support::Error> {",
    );
    c.open("Ok(Self");
    for (i, f) in fields.iter().enumerate() {
        c.line_fmt(format_args!("{}: row.try_get({i})?,", f.name));
    }
    c.close(")");
    c.close("");
    if !pk.is_empty() {
        let values: Vec<String> = pk
            .iter()
            .map(|f| format!("self.{}.clone()", f.name))
            .collect();
        c.item();
        c.doc(" The row's primary key.");
        c.open("pub fn key(&self) -> Key");
        if values.len() == 1 {
            c.line(&values[0]);
        } else {
            c.list("", &values, "");
        }
        c.close("");
    }
    c.close("");

    if !pk.is_empty() {
        let types: Vec<String> = pk.iter().map(|f| f.value_ty.clone()).collect();
        let cols = pk
            .iter()
            .map(|f| format!("`{}`", f.column.name))
            .collect::<Vec<_>>()
            .join(", ");
        c.item();
        c.doc(&format!(" The primary key ({cols})."));
        if types.len() == 1 {
            c.line_fmt(format_args!("pub type Key = {};", types[0]));
        } else {
            c.list("pub type Key = ", &types, ";");
        }
    }

    // The insert struct.
    let insertable: Vec<&Field> = fields.iter().filter(|f| f.insertable()).collect();
    let required: Vec<&&Field> = insertable
        .iter()
        .filter(|f| insert_kind(f) == InsertKind::Required)
        .collect();
    c.item();
    c.doc(&format!(" Values for a new row of `{table_name}`."));
    if required.is_empty() {
        c.line("#[derive(Debug, Clone, PartialEq, Default)]");
    } else {
        c.line("#[derive(Debug, Clone, PartialEq)]");
    }
    c.line(SERDE_DERIVE);
    c.open(&format!("pub struct {new}"));
    for f in &insertable {
        let value_ty = &f.value_ty;
        let kind = insert_kind(f);
        let (ty, held) = match kind {
            InsertKind::Required => (f.ty.clone(), Held::Plain),
            InsertKind::Nullable => (f.ty.clone(), Held::Optional),
            InsertKind::Defaulted => (format!("Option<{value_ty}>"), Held::Optional),
            InsertKind::Value => (format!("schemakit_support::Value<{value_ty}>"), Held::Value),
        };
        let mut docs = field_docs(table, f, false);
        let how = match kind {
            InsertKind::Required => None,
            InsertKind::Nullable => Some(" `None` writes NULL."),
            InsertKind::Defaulted => Some(" `None` leaves the value to the database default."),
            InsertKind::Value => Some(
                " `Value::Default` leaves it to the database default, `Value::Null` writes NULL.",
            ),
        };
        if let Some(how) = how {
            docs.push(String::new());
            docs.push(how.into());
        }
        field(c, &docs, held, &f.name, &ty);
    }
    c.close("");

    let ctor_doc = if required.is_empty() {
        " A new row with every column left to its default (or NULL).".to_string()
    } else {
        format!(
            " A new row with the columns that have no default ({}); every other column is left to its default (or NULL).",
            required
                .iter()
                .map(|f| format!("`{}`", f.column.name))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let ctor_params: Vec<String> = required
        .iter()
        .map(|f| format!("{}: {}", f.name, f.ty))
        .collect();
    let ctor_fields: Vec<String> = insertable
        .iter()
        .map(|f| match insert_kind(f) {
            InsertKind::Required => f.name.clone(),
            InsertKind::Nullable | InsertKind::Defaulted => format!("{}: None", f.name),
            InsertKind::Value => format!("{}: schemakit_support::Value::Default", f.name),
        })
        .collect();
    c.item();
    c.open(&format!("impl {new}"));
    c.doc(&ctor_doc);
    c.list("pub fn new", &ctor_params, " -> Self {");
    if ctor_fields.is_empty() {
        c.line("Self {}");
    } else {
        c.delimited("Self ", "{ ", " }", &ctor_fields, "");
    }
    c.close("");
    c.close("");

    c.item();
    c.doc(" The columns an insert writes, with their parameters' casts.");
    let insert_columns: Vec<String> = insertable
        .iter()
        .map(|f| {
            format!(
                "schemakit_support::Column {{ name: {}, cast: {} }}",
                code::string(&f.sql),
                code::string(&f.cast)
            )
        })
        .collect();
    c.delimited(
        "pub const INSERT_COLUMNS: &[schemakit_support::Column] = &",
        "[",
        "]",
        &insert_columns,
        ";",
    );

    let insert_all = if insertable.is_empty() {
        format!("INSERT INTO {table_sql} DEFAULT VALUES RETURNING {select_list}")
    } else {
        format!(
            "INSERT INTO {table_sql} ({}) VALUES ({}) RETURNING {select_list}",
            insertable
                .iter()
                .map(|f| f.sql.clone())
                .collect::<Vec<_>>()
                .join(", "),
            insertable
                .iter()
                .enumerate()
                .map(|(i, f)| format!("${}{}", i + 1, f.cast))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let insert_all_doc = format!(
        " Inserts a row with a value for every insertable column, in the order of [`{new}`]'s fields, and returns it."
    );
    str_const(c, &[&insert_all_doc], "INSERT", &insert_all);

    // The patch struct: only for a table with a primary key.
    if !pk.is_empty() {
        c.item();
        c.doc(&format!(
            " Columns of a `{table_name}` row to change, each left as stored unless set: `{patch} {{ field: Some(value), ..Default::default() }}`."
        ));
        c.line("#[derive(Debug, Clone, PartialEq, Default)]");
        c.line(SERDE_DERIVE);
        if updatable.is_empty() {
            c.line_fmt(format_args!("pub struct {patch} {{}}"));
        } else {
            c.open(&format!("pub struct {patch}"));
            for f in updatable {
                let mut docs = field_docs(table, f, false);
                docs.push(String::new());
                docs.push(if f.column.not_null {
                    " `None` leaves it as stored.".into()
                } else {
                    " `None` leaves it as stored; `Some(None)` writes NULL.".into()
                });
                let held = if f.column.not_null {
                    Held::Patch
                } else {
                    Held::DoubleOption
                };
                field(c, &docs, held, &f.name, &format!("Option<{}>", f.ty));
            }
            c.close("");
        }
    }

    ops::constants(c, spec);

    // The table as a type.
    c.item();
    c.doc(&format!(
        " Table `{table_name}` as a type: the operations of `schemakit_support::Crud`{} (or their async twins) are called on it, and code generic over tables takes it.",
        if pk.is_empty() { "" } else { " and `KeyedCrud`" }
    ));
    c.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]");
    c.line("pub struct Table;");

    c.item();
    c.open("impl schemakit_support::Table for Table");
    c.line_fmt(format_args!("type Row = {row};"));
    c.line_fmt(format_args!("type New = {new};"));
    c.line("const TABLE: &'static str = TABLE;");
    c.line("const COLUMNS: &'static str = COLUMNS;");
    c.line("const INSERT_COLUMNS: &'static [schemakit_support::Column] = INSERT_COLUMNS;");
    let key_columns: Vec<String> = pk.iter().map(|f| code::string(&f.sql)).collect();
    c.delimited(
        "const KEY_COLUMNS: &'static [&'static str] = &",
        "[",
        "]",
        &key_columns,
        ";",
    );
    c.line("const LIST: &'static str = LIST;");
    c.line("const COUNT: &'static str = COUNT;");
    c.line("const STREAM: &'static str = STREAM;");
    c.item();
    c.list(
        "fn from_row",
        &["row: &schemakit_support::Row".into()],
        &format!(" -> Result<{row}, schemakit_support::Error> {{"),
    );
    c.line_fmt(format_args!("{row}::from_row(row)"));
    c.close("");
    c.item();
    c.open(&format!(
        "fn cells(new: &{new}) -> Vec<Option<schemakit_support::Param<'_>>>"
    ));
    let cells: Vec<String> = insertable
        .iter()
        .map(|f| {
            let name = &f.name;
            match insert_kind(f) {
                InsertKind::Required | InsertKind::Nullable => {
                    format!("Some(&new.{name} as schemakit_support::Param)")
                }
                InsertKind::Defaulted => format!("schemakit_support::given(&new.{name})"),
                InsertKind::Value => format!("new.{name}.param()"),
            }
        })
        .collect();
    c.delimited("Vec::from(", "[", "])", &cells, "");
    c.close("");
    c.close("");

    if !pk.is_empty() {
        keyed_impl(c, spec, &insertable);
        // A DEFERRABLE primary key cannot be an ON CONFLICT arbiter: without this impl,
        // `upsert` does not compile for the table (Postgres would refuse it).
        if spec.pk_arbiter {
            c.item();
            c.line("impl schemakit_support::Upsertable for Table {}");
        }
    }

    if ops::has_functions(spec) {
        // `Page` only where a list takes one: an unused import would warn.
        let imports = if spec.lookups.is_empty() {
            "use schemakit_support::Error;"
        } else {
            "use schemakit_support::{Error, Page};"
        };
        c.item();
        c.doc(
            " The table's own functions over the blocking `postgres` client (feature `blocking`).",
        );
        c.line("#[cfg(feature = \"blocking\")]");
        c.open("mod blocking");
        c.line("use super::*;");
        c.line(imports);
        ops::functions(c, spec, ops::Mode::Blocking);
        c.close("");

        c.item();
        c.line("#[cfg(feature = \"blocking\")]");
        c.line("pub use blocking::*;");

        c.item();
        c.doc(" The same functions over tokio-postgres, for async code (feature `tokio`).");
        c.line("#[cfg(feature = \"tokio\")]");
        c.open("pub mod nonblocking");
        c.line("use super::*;");
        c.line(imports);
        ops::functions(c, spec, ops::Mode::Async);
        c.close("");
    }
    code.finish()
}

/// `impl Keyed for Table`: the key, the patch and the statements by key.
fn keyed_impl(c: &mut Code, spec: &Spec, insertable: &[&Field]) {
    let Spec {
        row,
        patch,
        pk,
        updatable,
        ..
    } = spec;
    c.item();
    c.open("impl schemakit_support::Keyed for Table");
    c.line("type Key = Key;");
    c.line_fmt(format_args!("type Patch = {patch};"));
    c.line("const GET: &'static str = GET;");
    if updatable.is_empty() {
        c.line("const UPDATE: Option<&'static str> = None;");
    } else {
        c.line("const UPDATE: Option<&'static str> = Some(UPDATE);");
    }
    c.line("const DELETE: &'static str = DELETE;");
    c.line("const EXISTS: &'static str = EXISTS;");
    c.line("const LIST_FIRST: &'static str = LIST_FIRST;");
    c.line("const LIST_AFTER: &'static str = LIST_AFTER;");
    c.line_fmt(format_args!(
        "const KEY_FILTER: &'static str = {};",
        code::string(&where_clause(pk, 1))
    ));

    c.item();
    c.open(&format!("fn key(row: &{row}) -> Key"));
    c.line("row.key()");
    c.close("");

    c.item();
    c.open("fn key_params(key: &Key) -> Vec<schemakit_support::Param<'_>>");
    if pk.len() == 1 {
        c.line("Vec::from([key as schemakit_support::Param])");
    } else {
        let items: Vec<String> = (0..pk.len())
            .map(|i| format!("&key.{i} as schemakit_support::Param"))
            .collect();
        c.delimited("Vec::from(", "[", "])", &items, "");
    }
    c.close("");

    c.item();
    c.open(&format!(
        "fn update_params(row: &{row}) -> Vec<schemakit_support::Param<'_>>"
    ));
    let items: Vec<String> = pk
        .iter()
        .chain(updatable.iter())
        .map(|f| format!("&row.{} as schemakit_support::Param", f.name))
        .collect();
    c.delimited("Vec::from(", "[", "])", &items, "");
    c.close("");

    // Without columns to set, the function takes its arguments and sets nothing.
    let (patch_arg, sets_arg) = if updatable.is_empty() {
        ("_patch", "_sets")
    } else {
        ("patch", "sets")
    };
    c.item();
    c.list(
        "fn patch_sets<'a>",
        &[
            format!("{patch_arg}: &'a {patch}"),
            format!("{sets_arg}: &mut schemakit_support::Sets<'a>"),
        ],
        " {",
    );
    for f in updatable {
        let i = insertable
            .iter()
            .position(|g| g.column.name == f.column.name)
            .unwrap_or_default();
        c.open(&format!("if let Some(value) = &patch.{}", f.name));
        c.line_fmt(format_args!("sets.set(&INSERT_COLUMNS[{i}], value);"));
        c.close("");
    }
    c.close("");
    c.close("");
}

fn field_docs(table: &Table, f: &Field, primary: bool) -> Vec<String> {
    let c = f.column;
    let mut what = format!(
        " Column `{}.{}`: `{}`",
        table.name.name, c.name, c.data_type
    );
    if c.not_null {
        what.push_str(" NOT NULL");
    }
    if primary {
        what.push_str(", primary key");
    }
    if let Some(d) = &c.default {
        what.push_str(&format!(", default `{d}`"));
    }
    match c.identity {
        Some(Identity::Always) => what.push_str(", identity (always)"),
        Some(Identity::ByDefault) => what.push_str(", identity (by default)"),
        None => {}
    }
    if let Some(g) = &c.generated {
        what.push_str(&format!(", generated as `{g}`"));
    }
    what.push('.');
    let mut docs = vec![what];
    if let Some(comment) = &c.comment {
        docs.push(String::new());
        docs.extend(doc_lines(comment));
    }
    if let Some(note) = &f.note {
        docs.push(String::new());
        docs.push(note.clone());
    }
    docs
}

/// `a = $1 AND b = $2`, numbering from `first`.
pub(crate) fn where_clause(key: &[&Field], first: usize) -> String {
    key.iter()
        .enumerate()
        .map(|(i, f)| format!("{} = ${}{}", f.sql, i + first, f.cast))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The suffix of a key's functions: its fields joined by `_and_`, or for more than three
/// columns the constraint's or index's name.
fn suffix(key: &[&Field], name: &str) -> String {
    if key.len() <= 3 {
        key.iter()
            .map(|f| f.name.trim_start_matches("r#").trim_end_matches('_'))
            .collect::<Vec<_>>()
            .join("_and_")
    } else {
        names::snake(name)
    }
}

/// The fields of `columns`, when each is a field.
fn fields_for<'a>(fields: &'a [Field<'a>], columns: &[String]) -> Option<Vec<&'a Field<'a>>> {
    columns
        .iter()
        .map(|c| fields.iter().find(|f| f.column.name == *c))
        .collect()
}

/// Unique keys other than the primary key: unique constraints, and unique indexes on
/// plain columns without a predicate. Each column set once.
fn unique_keys<'a>(
    table: &Table,
    indexes: &[&Index],
    fields: &'a [Field<'a>],
    pk: &[&Field],
) -> Vec<Key<'a>> {
    let mut sets: Vec<(Vec<String>, String, bool)> = Vec::new();
    for c in table.constraints.values() {
        if let ConstraintKind::Unique { columns, .. } = &c.kind {
            sets.push((columns.clone(), c.name.clone(), !c.deferrable));
        }
    }
    for i in indexes.iter().filter(|i| i.unique && i.predicate.is_none()) {
        let cols = leading_columns(i);
        if cols.len() == i.keys.len() {
            sets.push((cols, i.name.name.clone(), true));
        }
    }
    keys_from(sets, fields, BTreeSet::from([column_names(pk)]))
}

/// Column sets rows are listed by: each foreign key's columns and each non-unique
/// index's leading plain columns, other than the primary key and unique keys.
fn lookup_keys<'a>(
    table: &Table,
    indexes: &[&Index],
    fields: &'a [Field<'a>],
    pk: &[&Field],
    uniques: &[Key],
) -> Vec<Key<'a>> {
    let mut sets: Vec<(Vec<String>, String, bool)> = Vec::new();
    for c in table.constraints.values() {
        if let ConstraintKind::ForeignKey(fk) = &c.kind {
            sets.push((fk.columns.clone(), c.name.clone(), false));
        }
    }
    for i in indexes
        .iter()
        .filter(|i| !i.unique && i.predicate.is_none())
    {
        let leading = leading_columns(i);
        if !leading.is_empty() {
            sets.push((leading, i.name.name.clone(), false));
        }
    }
    let mut taken = BTreeSet::from([column_names(pk)]);
    taken.extend(uniques.iter().map(|u| column_names(&u.fields)));
    keys_from(sets, fields, taken)
}

/// The columns of `key`, by name.
fn column_names(key: &[&Field]) -> Vec<String> {
    key.iter().map(|f| f.column.name.clone()).collect()
}

/// The index's leading keys that are plain columns.
fn leading_columns(index: &Index) -> Vec<String> {
    index
        .keys
        .iter()
        .map_while(|k| match &k.expr {
            KeyExpr::Column(c) => Some(c.clone()),
            KeyExpr::Expression(_) => None,
        })
        .collect()
}

/// Keys from column sets (each with its constraint's or index's name and whether ON
/// CONFLICT may name it): each set once, none of `taken`, every column a field. Two keys
/// with one suffix: the second is named by its constraint or index.
fn keys_from<'a>(
    sets: Vec<(Vec<String>, String, bool)>,
    fields: &'a [Field<'a>],
    mut taken: BTreeSet<Vec<String>>,
) -> Vec<Key<'a>> {
    let mut suffixes = BTreeSet::new();
    let mut out = Vec::new();
    for (set, name, arbiter) in sets {
        if taken.contains(&set) {
            continue;
        }
        let Some(key) = fields_for(fields, &set) else {
            continue;
        };
        let mut suffix = suffix(&key, &name);
        if suffixes.contains(&suffix) {
            suffix = names::snake(&name);
        }
        if suffixes.insert(suffix.clone()) {
            taken.insert(set);
            out.push(Key {
                fields: key,
                suffix,
                arbiter,
            });
        }
    }
    out
}

/// For each foreign key whose parent is generated, the function fetching the parent row.
fn parents<'a>(
    fields: &'a [Field<'a>],
    parent_fields: &[(&schema::model::ForeignKey, &names::TableNames, Vec<Field>)],
) -> Vec<Parent<'a>> {
    let mut out: Vec<Parent> = Vec::new();
    for (fk, parent_names, pfields) in parent_fields {
        let Some(mine) = fields_for(fields, &fk.columns) else {
            continue;
        };
        let Some(theirs) = fk
            .ref_columns
            .iter()
            .map(|c| pfields.iter().find(|f| f.column.name == *c))
            .collect::<Option<Vec<&Field>>>()
        else {
            continue;
        };
        // The parameter travels as this table's column type, compared with the parent's.
        let filter = theirs
            .iter()
            .zip(&mine)
            .enumerate()
            .map(|(i, (p, c))| {
                let cast = if !c.cast.is_empty() {
                    c.cast.clone()
                } else if c.column.data_type != p.column.data_type {
                    format!("::{}", c.column.data_type)
                } else {
                    String::new()
                };
                format!("{} = ${}{cast}", p.sql, i + 1)
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "SELECT {} FROM {} WHERE {filter}",
            select_list(pfields),
            fk.ref_table
        );
        let stem = match mine.as_slice() {
            [one] if one.name.ends_with("_id") && one.name.len() > 3 => {
                one.name.trim_end_matches("_id").to_string()
            }
            _ => mine
                .iter()
                .map(|f| f.name.trim_start_matches("r#").trim_end_matches('_'))
                .collect::<Vec<_>>()
                .join("_and_"),
        };
        let mut name = format!("get_{stem}");
        if out.iter().any(|p| p.name == name) {
            name = format!("get_{}_by_{}", parent_names.module, suffix(&mine, ""));
        }
        if out.iter().any(|p| p.name == name) {
            continue;
        }
        let (module, parent_row) = (&parent_names.module, &parent_names.row);
        let doc = format!(
            "`{}` ({})",
            fk.ref_table,
            fk.ref_columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.push(Parent {
            name,
            sql,
            row_path: format!("super::super::{module}::{parent_row}"),
            table_path: format!("super::super::{module}::Table"),
            fields: mine,
            doc,
        });
    }
    out
}
