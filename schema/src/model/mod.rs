//! The schema model: what a set of DDL statements means, independent of how it was
//! written. The parser and the catalog introspector both produce it, so comparing a
//! migration set with a real database is a structural comparison.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::source::Loc;

pub(crate) mod arrays;
pub mod diff;
pub(crate) mod display;
pub(crate) mod keywords;
pub mod names;
pub mod plan;

pub use arrays::forbids_null_elements;

/// A schema-qualified name. Unqualified names in DDL resolve to `public`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct QualifiedName {
    /// The namespace, e.g. `public`.
    pub schema: String,
    /// The object's own name.
    pub name: String,
}

impl QualifiedName {
    /// A name in the given schema.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// A name in `public`.
    pub fn public(name: impl Into<String>) -> Self {
        QualifiedName::new("public", name)
    }

    /// The name as schemakit.toml's keys write it: `name` in `public`, `schema.name`
    /// elsewhere, unquoted.
    pub fn config_key(&self) -> String {
        if self.schema == "public" {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }
}

impl fmt::Display for QualifiedName {
    /// Prints `name` for `public` objects and `schema.name` otherwise, quoting where
    /// Postgres needs it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema != "public" {
            write!(f, "{}.", quote_ident(&self.schema))?;
        }
        f.write_str(&quote_ident(&self.name))
    }
}

/// A whole database schema as the model sees it. Every map is sorted, so iterating it
/// gives deterministic output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Namespaces created explicitly (`public` always exists and is not listed).
    #[serde(serialize_with = "values")]
    pub schemas: BTreeMap<String, Namespace>,
    /// Installed extensions by name.
    #[serde(serialize_with = "values")]
    pub extensions: BTreeMap<String, Extension>,
    /// Enum types.
    #[serde(serialize_with = "values")]
    pub enums: BTreeMap<QualifiedName, EnumType>,
    /// Domains.
    #[serde(serialize_with = "values")]
    pub domains: BTreeMap<QualifiedName, Domain>,
    /// Explicitly created sequences (not the ones behind serial or identity columns).
    #[serde(serialize_with = "values")]
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    /// Tables, with their columns and constraints.
    #[serde(serialize_with = "values")]
    pub tables: BTreeMap<QualifiedName, Table>,
    /// Indexes created with `CREATE INDEX` (the ones behind primary key, unique and
    /// exclusion constraints belong to those constraints).
    #[serde(serialize_with = "values")]
    pub indexes: BTreeMap<QualifiedName, Index>,
    /// Views and materialized views.
    #[serde(serialize_with = "values")]
    pub views: BTreeMap<QualifiedName, View>,
    /// Functions and procedures, keyed by name and argument types.
    #[serde(serialize_with = "values")]
    pub functions: BTreeMap<FunctionKey, Function>,
    /// Triggers, keyed by table and trigger name.
    #[serde(serialize_with = "values")]
    pub triggers: BTreeMap<(QualifiedName, String), Trigger>,
}

/// Serializes a map as the list of its values (JSON object keys must be strings; the
/// values carry their own names).
fn values<K, V: Serialize, S: serde::Serializer>(
    map: &BTreeMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.values())
}

/// A namespace created with `CREATE SCHEMA`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// The schema name.
    pub name: String,
    /// Where it was created.
    pub loc: Loc,
}

/// An extension created with `CREATE EXTENSION`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The extension name, e.g. `vector`.
    pub name: String,
    /// The schema named with `SCHEMA`, if any.
    pub schema: Option<String>,
    /// The version named with `VERSION`, if any (the catalog always knows one).
    pub version: Option<String>,
    /// Where it was created.
    pub loc: Loc,
}

/// An enum type with its labels in declaration order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EnumType {
    /// The type's name.
    pub name: QualifiedName,
    /// Labels in sort order (the order Postgres compares them in).
    pub labels: Vec<String>,
    /// `COMMENT ON TYPE`.
    pub comment: Option<String>,
    /// Where it was created.
    pub loc: Loc,
}

/// A domain: a base type with optional NOT NULL, default and CHECK constraints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Domain {
    /// The domain's name.
    pub name: QualifiedName,
    /// The underlying type.
    pub base: DataType,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `DEFAULT` expression text.
    pub default: Option<String>,
    /// `COLLATE`.
    pub collation: Option<String>,
    /// CHECK constraints by name.
    pub checks: BTreeMap<String, String>,
    /// Where it was created.
    pub loc: Loc,
}

/// A sequence created with `CREATE SEQUENCE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    /// The sequence's name.
    pub name: QualifiedName,
    /// `AS` type, when given.
    pub data_type: Option<DataType>,
    /// `OWNED BY table.column`, when given.
    pub owned_by: Option<(QualifiedName, String)>,
    /// Where it was created.
    pub loc: Loc,
}

/// A normalized column type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DataType {
    /// The base type: a built-in type by its canonical Postgres name (`integer`,
    /// `character varying`, `timestamp with time zone`) or a user or extension type
    /// (`public.job_status`, `public.vector`).
    pub name: TypeName,
    /// Type modifiers: length, precision and scale, `vector` dimensions.
    pub modifiers: Vec<i64>,
    /// Number of array dimensions (0 for a scalar).
    pub array_dims: u32,
}

/// Hashes the modifiers one by one: a slice of integers hashes as its bytes, in the
/// machine's byte order, and codegen's fingerprints must be the same on every target.
impl std::hash::Hash for DataType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        state.write_usize(self.modifiers.len());
        for m in &self.modifiers {
            state.write_i64(*m);
        }
        self.array_dims.hash(state);
    }
}

/// The base of a [`DataType`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum TypeName {
    /// A type built into Postgres, by its canonical name (as `format_type` prints it,
    /// without modifiers).
    Builtin(String),
    /// A type defined by a user or an extension: an enum, a domain, `vector`, `citext`.
    Named(QualifiedName),
}

impl DataType {
    /// A scalar built-in type without modifiers.
    pub fn builtin(name: &str) -> Self {
        DataType {
            name: TypeName::Builtin(name.to_string()),
            modifiers: Vec::new(),
            array_dims: 0,
        }
    }

    /// The element type of an array type (the same type for a scalar).
    pub fn element(&self) -> DataType {
        DataType {
            array_dims: 0,
            ..self.clone()
        }
    }
}

impl fmt::Display for DataType {
    /// Prints the type as Postgres's `format_type` does: `character varying(255)`,
    /// `numeric(10,6)`, `timestamp with time zone`, `text[]`, `vector(1536)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mods = if self.modifiers.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = self.modifiers.iter().map(i64::to_string).collect();
            format!("({})", parts.join(","))
        };
        match &self.name {
            TypeName::Builtin(name) => match name.strip_suffix(" with time zone") {
                // Precision sits between the name and the time zone: `time(3) with time zone`.
                Some(base) if !mods.is_empty() => write!(f, "{base}{mods} with time zone")?,
                _ => match name.strip_suffix(" without time zone") {
                    Some(base) if !mods.is_empty() => write!(f, "{base}{mods} without time zone")?,
                    _ => write!(f, "{name}{mods}")?,
                },
            },
            TypeName::Named(q) => write!(f, "{q}{mods}")?,
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// A table with its columns (in order) and its constraints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Table {
    /// The table's name.
    pub name: QualifiedName,
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    /// Constraints by name.
    pub constraints: BTreeMap<String, Constraint>,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// Where it was created.
    pub loc: Loc,
}

impl Table {
    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column with this name, mutably.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The primary key constraint, if there is one.
    pub fn primary_key(&self) -> Option<(&str, &[String])> {
        self.constraints.iter().find_map(|(name, c)| match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } => Some((name.as_str(), columns.as_slice())),
            _ => None,
        })
    }
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub data_type: DataType,
    /// `NOT NULL`, also implied by PRIMARY KEY and identity.
    pub not_null: bool,
    /// The default expression, as written (normalized by the database when verified).
    pub default: Option<String>,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    pub generated: Option<String>,
    /// `COLLATE`.
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// Where it was declared.
    pub loc: Loc,
}

/// The kind of an identity column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault,
}

/// A table constraint with its resolved name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Constraint {
    /// The constraint's name (Postgres's generated name when none was written).
    pub name: String,
    /// What it constrains.
    pub kind: ConstraintKind,
    /// `DEFERRABLE`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
    /// Where it was declared.
    pub loc: Loc,
}

/// What a constraint says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    /// `PRIMARY KEY (columns) [INCLUDE (...)]`.
    PrimaryKey {
        /// Key columns in order.
        columns: Vec<String>,
        /// `INCLUDE` columns.
        include: Vec<String>,
    },
    /// `UNIQUE [NULLS NOT DISTINCT] (columns) [INCLUDE (...)]`.
    Unique {
        /// Key columns in order.
        columns: Vec<String>,
        /// `INCLUDE` columns.
        include: Vec<String>,
        /// `NULLS NOT DISTINCT`.
        nulls_not_distinct: bool,
    },
    /// `CHECK (expr)`.
    Check {
        /// The expression text.
        expr: String,
    },
    /// `FOREIGN KEY`.
    ForeignKey(ForeignKey),
    /// `EXCLUDE USING method (element WITH operator, ...) [INCLUDE (...)]`.
    Exclusion {
        /// The index method (`btree` when none is written, as in Postgres).
        method: IndexMethod,
        /// Elements, one per `expr WITH operator`.
        elements: Vec<String>,
        /// `INCLUDE` columns.
        include: Vec<String>,
        /// `WHERE` predicate.
        predicate: Option<String>,
    },
}

impl ConstraintKind {
    /// The label Postgres uses when it names such a constraint (`pkey`, `key`, ...).
    pub fn label(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "pkey",
            ConstraintKind::Unique { .. } => "key",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::ForeignKey(_) => "fkey",
            ConstraintKind::Exclusion { .. } => "excl",
        }
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ForeignKey {
    /// Referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: QualifiedName,
    /// Referenced columns (the referenced table's primary key when not written).
    pub ref_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
    /// `MATCH`.
    pub match_type: FkMatch,
}

/// A referential action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A foreign key's `MATCH` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkMatch {
    /// `MATCH SIMPLE` (the default).
    #[default]
    Simple,
    /// `MATCH FULL`.
    Full,
    /// `MATCH PARTIAL`.
    Partial,
}

/// An index created with `CREATE INDEX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Index {
    /// The index's name (Postgres's generated name when none was written).
    pub name: QualifiedName,
    /// The indexed table.
    pub table: QualifiedName,
    /// `UNIQUE`.
    pub unique: bool,
    /// `USING method`.
    pub method: IndexMethod,
    /// Key columns or expressions, in order.
    pub keys: Vec<IndexKey>,
    /// `INCLUDE` columns.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// `WHERE` predicate of a partial index.
    pub predicate: Option<String>,
    /// `WITH (...)` storage parameters, sorted by name.
    pub with: BTreeMap<String, String>,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
    /// Where it was created.
    pub loc: Loc,
}

/// An index access method.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexMethod {
    /// B-tree (the default).
    Btree,
    /// Hash.
    Hash,
    /// GIN.
    Gin,
    /// GiST.
    Gist,
    /// BRIN.
    Brin,
    /// SP-GiST.
    Spgist,
    /// pgvector's HNSW.
    Hnsw,
    /// pgvector's IVFFlat.
    Ivfflat,
    /// Any other access method, by name.
    Other(String),
}

impl IndexMethod {
    /// The method from its SQL name, case-insensitively.
    pub fn from_name(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "btree" => IndexMethod::Btree,
            "hash" => IndexMethod::Hash,
            "gin" => IndexMethod::Gin,
            "gist" => IndexMethod::Gist,
            "brin" => IndexMethod::Brin,
            "spgist" => IndexMethod::Spgist,
            "hnsw" => IndexMethod::Hnsw,
            "ivfflat" => IndexMethod::Ivfflat,
            other => IndexMethod::Other(other.to_string()),
        }
    }

    /// The SQL name.
    pub fn as_str(&self) -> &str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
            IndexMethod::Gist => "gist",
            IndexMethod::Brin => "brin",
            IndexMethod::Spgist => "spgist",
            IndexMethod::Hnsw => "hnsw",
            IndexMethod::Ivfflat => "ivfflat",
            IndexMethod::Other(name) => name,
        }
    }
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IndexKey {
    /// A column or an expression.
    pub expr: KeyExpr,
    /// Operator class, e.g. `vector_cosine_ops`.
    pub opclass: Option<String>,
    /// `COLLATE`.
    pub collation: Option<String>,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`), when written.
    pub nulls_first: Option<bool>,
}

/// What an index key indexes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyExpr {
    /// A plain column.
    Column(String),
    /// An expression, as text.
    Expression(String),
}

/// A view or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// The view's name.
    pub name: QualifiedName,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// The defining query, as text.
    pub definition: String,
    /// `COMMENT ON VIEW`.
    pub comment: Option<String>,
    /// The relations and functions the query reads (canonical DDL prints the view after
    /// them).
    pub depends_on: DependsOn,
    /// Where it was created.
    pub loc: Loc,
}

/// The names of the objects a view or function reads (relations, types, functions): what
/// canonical DDL must print before it. The SQL front end finds them in the syntax tree,
/// introspection in `pg_depend` (and, for a function body in a string, of which Postgres
/// records nothing, with the same front end). They are how an object was built, not what
/// it is, so they never take part in equality, like [`Loc`].
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct DependsOn(pub BTreeSet<QualifiedName>);

impl PartialEq for DependsOn {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DependsOn {}

/// The identity of a function: its name and argument types (Postgres overloads on them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FunctionKey {
    /// The function's name.
    pub name: QualifiedName,
    /// Input argument types, in order.
    pub args: Vec<DataType>,
}

/// A function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    /// The function's name and argument types.
    pub key: FunctionKey,
    /// The parameter list as Postgres prints it (`a integer, b integer DEFAULT 1`,
    /// `OUT x text`): names, modes and defaults that the key leaves out.
    pub params: String,
    /// The return type as text (`trigger`, `integer`, `SETOF text`); none for a procedure.
    pub returns: Option<String>,
    /// `LANGUAGE`.
    pub language: String,
    /// The body: the string after `AS`, or the SQL-standard body as Postgres prints it
    /// (`RETURN expr`, `BEGIN ATOMIC … END`).
    pub body: String,
    /// Which of the two the body is.
    pub body_style: BodyStyle,
    /// `IMMUTABLE`, `STABLE` or `VOLATILE` (the default).
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
    /// `LEAKPROOF`.
    pub leakproof: bool,
    /// `PARALLEL`.
    pub parallel: Parallel,
    /// `COST`, as Postgres prints the number, when it is not the language's default
    /// (1 for C and internal functions, 100 for the others).
    pub cost: Option<String>,
    /// `ROWS`, as Postgres prints the number, when it is not the default (1000 for a
    /// set-returning function).
    pub rows: Option<String>,
    /// `SET name = value` clauses by name, each value as Postgres stores it
    /// (`search_path` → `public, pg_temp`).
    pub config: BTreeMap<String, String>,
    /// What the function needs before it is created: its argument and return types and,
    /// for a `LANGUAGE sql` body, the relations and functions it reads.
    pub depends_on: DependsOn,
    /// Where it was created.
    pub loc: Loc,
}

/// How a function's body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyStyle {
    /// A string constant: `AS $$ … $$`.
    #[default]
    String,
    /// A SQL-standard body (`RETURN expr` or `BEGIN ATOMIC … END`), parsed by Postgres
    /// when the function is created.
    SqlStandard,
}

/// A function's `PARALLEL` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Parallel {
    /// `PARALLEL UNSAFE` (the default).
    #[default]
    Unsafe,
    /// `PARALLEL RESTRICTED`.
    Restricted,
    /// `PARALLEL SAFE`.
    Safe,
}

/// Configuration parameters whose values are lists Postgres quotes element by element
/// (`GUC_LIST_QUOTE`): `SET search_path = a, "B"` is stored as `a, "B"`.
pub const LIST_PARAMETERS: [&str; 5] = [
    "search_path",
    "temp_tablespaces",
    "session_preload_libraries",
    "shared_preload_libraries",
    "local_preload_libraries",
];

/// A function's volatility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Volatility {
    /// `IMMUTABLE`.
    Immutable,
    /// `STABLE`.
    Stable,
    /// `VOLATILE` (the default).
    #[default]
    Volatile,
}

/// A trigger on a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// The trigger's name.
    pub name: String,
    /// The table it fires on.
    pub table: QualifiedName,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// Events: `INSERT`, `UPDATE`, `UPDATE OF a, b`, `DELETE`, `TRUNCATE`.
    pub events: Vec<String>,
    /// `FOR EACH ROW` (true) or `FOR EACH STATEMENT`.
    pub for_each_row: bool,
    /// `WHEN (...)` condition.
    pub condition: Option<String>,
    /// The function it executes.
    pub function: QualifiedName,
    /// Where it was created.
    pub loc: Loc,
}

/// Quotes an identifier where Postgres needs it: anything but lower-case letters,
/// digits and underscores, a leading digit, or a reserved word.
pub fn quote_ident(ident: &str) -> String {
    let plain = !ident.is_empty()
        && ident
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !crate::model::keywords::is_reserved(ident);
    if plain {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// Quotes a string literal.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
