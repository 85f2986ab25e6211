//! The model printed as canonical DDL: one statement per object, in an order Postgres
//! can apply: types first; then functions, tables and views in dependency order (a
//! function after what its SQL body reads, a view after the relations and functions it
//! reads); foreign keys, indexes and triggers after every relation. Parsing the output
//! gives the same model back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write};

use crate::model::*;

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in self.schemas.values() {
            writeln!(f, "CREATE SCHEMA {};\n", quote_ident(&s.name))?;
        }
        for e in self.extensions.values() {
            write!(f, "CREATE EXTENSION IF NOT EXISTS {}", quote_ident(&e.name))?;
            if let Some(s) = &e.schema {
                write!(f, " SCHEMA {}", quote_ident(s))?;
            }
            if let Some(v) = &e.version {
                write!(f, " VERSION {}", quote_literal(v))?;
            }
            f.write_str(";\n\n")?;
        }
        for e in self.enums.values() {
            let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(l)).collect();
            writeln!(
                f,
                "CREATE TYPE {} AS ENUM ({});\n",
                e.name,
                labels.join(", ")
            )?;
        }
        for d in self.domains.values() {
            write!(f, "CREATE DOMAIN {} AS {}", d.name, TypeSql(&d.base))?;
            if let Some(c) = &d.collation {
                write!(f, " COLLATE {}", quote_ident(c))?;
            }
            if let Some(def) = &d.default {
                write!(f, " DEFAULT {}", DefaultSql(def))?;
            }
            if d.not_null {
                f.write_str(" NOT NULL")?;
            }
            for (name, expr) in &d.checks {
                write!(f, " CONSTRAINT {} CHECK ({expr})", quote_ident(name))?;
            }
            f.write_str(";\n\n")?;
        }
        // Every sequence before the tables (a column default may call nextval on any of
        // them); the owner of an owned one is set once its table exists.
        for s in self.sequences.values() {
            write_sequence(f, s)?;
        }
        for object in dependency_order(self) {
            match object {
                Object::Function(key) => write_function(f, &self.functions[key])?,
                Object::Table(name) => write_table(f, &self.tables[name])?,
                Object::View(name) => write_view(f, &self.views[name])?,
            }
        }
        for s in self.sequences.values() {
            if let Some((table, column)) = &s.owned_by {
                writeln!(
                    f,
                    "ALTER SEQUENCE {} OWNED BY {table}.{};\n",
                    s.name,
                    quote_ident(column)
                )?;
            }
        }
        // Indexes before foreign keys: a foreign key may reference columns a unique index
        // covers.
        for i in self.indexes.values() {
            writeln!(f, "{};\n", IndexSql(i))?;
        }
        for t in self.tables.values() {
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey(_) = c.kind {
                    writeln!(f, "ALTER TABLE {} ADD {};\n", t.name, ConstraintSql(c))?;
                }
            }
        }
        for t in self.triggers.values() {
            write!(
                f,
                "CREATE TRIGGER {} {} {} ON {} FOR EACH {}",
                quote_ident(&t.name),
                t.timing,
                t.events.join(" OR "),
                t.table,
                if t.for_each_row { "ROW" } else { "STATEMENT" }
            )?;
            if let Some(c) = &t.condition {
                write!(f, " WHEN ({c})")?;
            }
            writeln!(f, " EXECUTE FUNCTION {}();\n", t.function)?;
        }
        write_comments(f, self)
    }
}

/// A default expression as DDL writes it: in parentheses when it has an operator at the
/// top (`(now() AT TIME ZONE 'utc')`), since `DEFAULT` takes only a restricted
/// expression; bare when it is a literal, a name, a call or a cast (`now()`, `'a'::text`).
pub(crate) struct DefaultSql<'a>(pub(crate) &'a str);

impl fmt::Display for DefaultSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if has_top_level_space(without_cast_suffix(self.0)) {
            write!(f, "({})", self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

/// Byte offsets of the characters of `text` outside quotes and brackets, with the
/// character.
fn top_level(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let (mut depth, mut quote) = (0i32, None::<char>);
    text.char_indices().filter(move |&(_, c)| {
        let outside = quote.is_none() && depth == 0;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            _ => {}
        }
        outside && quote.is_none() && depth == 0 && !matches!(c, ')' | ']' | '\'' | '"')
    })
}

/// `expr` without the casts that end it (`'a'::character varying` → `'a'`): a type name
/// may hold spaces that are not operators.
fn without_cast_suffix(mut text: &str) -> &str {
    loop {
        let casts: Vec<usize> = top_level(text)
            .filter(|&(i, c)| c == ':' && text[i + 1..].starts_with(':'))
            .map(|(i, _)| i)
            .collect();
        let Some(&at) = casts.last() else {
            return text;
        };
        let ty = &text[at + 2..];
        let type_like = ty.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | ' ' | '(' | ')' | '[' | ']' | '"' | ',' | '.')
        });
        if !type_like || at == 0 {
            return text;
        }
        text = &text[..at];
    }
}

fn has_top_level_space(text: &str) -> bool {
    top_level(text).any(|(_, c)| c.is_whitespace())
}

/// The bare words the SQL front end reads as something other than a user type of that
/// name in `public`: built-in type names and aliases, and the type keywords of the SQL
/// parser (`string`, `datetime`, …). A user type named like one must keep its schema
/// in DDL. `_word` (the catalog's array names) reads as an array of `word`. A test of the
/// front end (`front::types`) keeps the list complete.
#[rustfmt::skip]
pub(crate) const TYPE_WORDS: &[&str] = &[
    "array", "bigdecimal", "bigint", "bignumeric", "bigserial", "binary", "bit", "blob",
    "bool", "boolean", "box", "bpchar", "bytea", "bytes", "char", "character", "cidr",
    "circle", "clob", "date", "date32", "daterange", "datetime", "datetime64", "dec",
    "decimal", "double", "enum", "enum16", "enum8", "fixedstring", "float", "float32",
    "float4", "float64", "float8", "hugeint", "inet", "int", "int128", "int16", "int2",
    "int256", "int32", "int4", "int4range", "int64", "int8", "int8range", "integer",
    "interval", "json", "jsonb", "line", "longblob", "longtext", "lseg", "macaddr",
    "macaddr8", "mediumblob", "mediumint", "mediumtext", "money", "name", "nchar",
    "numeric", "numrange", "nvarchar", "oid", "path", "pg_lsn", "point", "polygon", "real",
    "regclass", "serial", "serial2", "serial4", "serial8", "set", "signed", "smallint",
    "smallserial", "string", "table", "text", "time", "timestamp", "timestamp_ntz",
    "timestamptz", "timetz", "tinyblob", "tinyint", "tinytext", "trigger", "tsquery",
    "tsrange", "tstzrange", "tsvector", "ubigint", "uhugeint", "uint128", "uint16",
    "uint256", "uint32", "uint64", "uint8", "unsigned", "usmallint", "utinyint", "uuid",
    "varbinary", "varbit", "varchar", "xml",
];

/// Whether a bare type name would not read back as the user type `public.<word>`.
pub(crate) fn is_type_word(word: &str) -> bool {
    let word = word.strip_prefix('_').unwrap_or(word);
    TYPE_WORDS.contains(&word)
}

/// A type as DDL writes it: as Postgres prints it, except that a user type in `public`
/// whose bare name reads back as something else keeps its schema, as Postgres's
/// `format_type` does for a type it cannot see: `public.float8` (a built-in name),
/// `public.serial`, `public.string` (a type keyword of the SQL parser).
pub(crate) struct TypeSql<'a>(pub(crate) &'a DataType);

impl fmt::Display for TypeSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let TypeName::Named(q) = &self.0.name
            && q.schema == "public"
            && is_type_word(&q.name)
        {
            f.write_str("public.")?;
        }
        write!(f, "{}", self.0)
    }
}

fn write_sequence(f: &mut fmt::Formatter<'_>, s: &Sequence) -> fmt::Result {
    write!(f, "CREATE SEQUENCE {}", s.name)?;
    if let Some(t) = &s.data_type {
        write!(f, " AS {}", TypeSql(t))?;
    }
    f.write_str(";\n\n")
}

/// A function, table or view: the objects canonical DDL orders by their dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Object<'a> {
    Function(&'a FunctionKey),
    Table(&'a QualifiedName),
    View(&'a QualifiedName),
}

/// Functions, tables and views, each after the ones it needs (Kahn's algorithm). Of the
/// objects whose needs are met, functions go first, then tables, then views, each kind by
/// name, so the order is deterministic and a function a table's default calls comes before
/// the table. A cycle, which Postgres itself could not have built, is broken at its
/// smallest object.
fn dependency_order(s: &Schema) -> Vec<Object<'_>> {
    let mut by_name: BTreeMap<&QualifiedName, Vec<Object<'_>>> = BTreeMap::new();
    for key in s.functions.keys() {
        by_name
            .entry(&key.name)
            .or_default()
            .push(Object::Function(key));
    }
    for name in s.tables.keys() {
        by_name.entry(name).or_default().push(Object::Table(name));
    }
    for name in s.views.keys() {
        by_name.entry(name).or_default().push(Object::View(name));
    }
    let mut needs: BTreeMap<Object<'_>, BTreeSet<Object<'_>>> = BTreeMap::new();
    let mut needed_by: BTreeMap<Object<'_>, Vec<Object<'_>>> = BTreeMap::new();
    let deps = |object: Object<'_>| -> Vec<&QualifiedName> {
        match object {
            Object::Function(key) => s.functions[key].depends_on.0.iter().collect(),
            Object::View(name) => s.views[name].depends_on.0.iter().collect(),
            // A column of a composite type: the table or view that defines it.
            Object::Table(name) => s.tables[name]
                .columns
                .iter()
                .filter_map(|c| match &c.data_type.name {
                    TypeName::Named(n) => Some(n),
                    TypeName::Builtin(_) => None,
                })
                .collect(),
        }
    };
    for objects in by_name.values() {
        for &object in objects {
            let mut mine = BTreeSet::new();
            for name in deps(object) {
                for &other in by_name.get(name).into_iter().flatten() {
                    if other != object {
                        mine.insert(other);
                        needed_by.entry(other).or_default().push(object);
                    }
                }
            }
            needs.insert(object, mine);
        }
    }
    let mut ready: BTreeSet<Object<'_>> = needs
        .iter()
        .filter(|(_, n)| n.is_empty())
        .map(|(o, _)| *o)
        .collect();
    let mut order = Vec::with_capacity(needs.len());
    while !needs.is_empty() {
        let next = match ready.pop_first() {
            Some(next) => next,
            // A cycle: take its smallest object.
            None => match needs.keys().next() {
                Some(first) => *first,
                None => break,
            },
        };
        if needs.remove(&next).is_none() {
            continue;
        }
        order.push(next);
        for dependent in needed_by.get(&next).into_iter().flatten() {
            if let Some(n) = needs.get_mut(dependent) {
                n.remove(&next);
                if n.is_empty() {
                    ready.insert(*dependent);
                }
            }
        }
    }
    order
}

fn write_view(f: &mut fmt::Formatter<'_>, v: &View) -> fmt::Result {
    let kind = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    writeln!(f, "CREATE {kind} {} AS {};\n", v.name, v.definition)
}

fn write_function(f: &mut fmt::Formatter<'_>, func: &Function) -> fmt::Result {
    match &func.returns {
        Some(r) => write!(
            f,
            "CREATE FUNCTION {}({}) RETURNS {r}",
            func.key.name, func.params
        )?,
        None => write!(f, "CREATE PROCEDURE {}({})", func.key.name, func.params)?,
    }
    write!(f, " LANGUAGE {}", func.language)?;
    match func.volatility {
        Volatility::Immutable => f.write_str(" IMMUTABLE")?,
        Volatility::Stable => f.write_str(" STABLE")?,
        Volatility::Volatile => {}
    }
    if func.leakproof {
        f.write_str(" LEAKPROOF")?;
    }
    if func.strict {
        f.write_str(" STRICT")?;
    }
    if func.security_definer {
        f.write_str(" SECURITY DEFINER")?;
    }
    match func.parallel {
        Parallel::Safe => f.write_str(" PARALLEL SAFE")?,
        Parallel::Restricted => f.write_str(" PARALLEL RESTRICTED")?,
        Parallel::Unsafe => {}
    }
    if let Some(c) = &func.cost {
        write!(f, " COST {c}")?;
    }
    if let Some(r) = &func.rows {
        write!(f, " ROWS {r}")?;
    }
    for (name, value) in &func.config {
        write!(f, " SET {name} TO {}", setting_sql(name, value))?;
    }
    if func.body_style == BodyStyle::SqlStandard {
        return writeln!(f, "\n{};\n", func.body);
    }
    // The first occurrence of the tag after the opening one closes the string, and that
    // may begin inside the body (a body ending in `$body`): look for it with the tag
    // appended.
    let mut tag = "$body$".to_string();
    while format!("{}{tag}", func.body).find(&tag) != Some(func.body.len()) {
        tag.insert(tag.len() - 1, '_');
    }
    writeln!(f, " AS {tag}{}{tag};\n", func.body)
}

/// A stored `SET` value as SQL: string literals, one per element of a list parameter
/// (`public, "My Schema"` → `'public', 'My Schema'`), so Postgres stores it back as it was.
fn setting_sql(name: &str, value: &str) -> String {
    if !LIST_PARAMETERS.contains(&name) {
        return quote_literal(value);
    }
    let mut elements = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => elements.push(std::mem::take(&mut current)),
            ' ' if !quoted && current.is_empty() => {}
            c => current.push(c),
        }
    }
    elements.push(current);
    elements
        .iter()
        .map(|e| quote_literal(e))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a column is what `serial` / `bigserial` / `smallserial` expands to.
fn serial_keyword(table: &Table, c: &Column) -> Option<&'static str> {
    let seq = crate::model::names::make_object_name(&table.name.name, Some(&c.name), "seq");
    let seq = QualifiedName::new(table.name.schema.clone(), seq);
    let expected = format!("nextval({}::regclass)", quote_literal(&seq.to_string()));
    if c.default.as_deref() != Some(expected.as_str()) || c.data_type.array_dims > 0 {
        return None;
    }
    match &c.data_type.name {
        TypeName::Builtin(n) if n == "integer" => Some("serial"),
        TypeName::Builtin(n) if n == "bigint" => Some("bigserial"),
        TypeName::Builtin(n) if n == "smallint" => Some("smallserial"),
        _ => None,
    }
}

fn write_table(f: &mut fmt::Formatter<'_>, t: &Table) -> fmt::Result {
    writeln!(f, "CREATE TABLE {} (", t.name)?;
    let mut lines: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("    {}", ColumnSql(t, c)))
        .collect();
    for c in t.constraints.values() {
        if !matches!(c.kind, ConstraintKind::ForeignKey(_)) {
            lines.push(format!("    {}", ConstraintSql(c)));
        }
    }
    writeln!(f, "{}", lines.join(",\n"))?;
    f.write_str(");\n\n")
}

/// A column as CREATE TABLE and ALTER TABLE … ADD COLUMN write it (`serial` where the
/// column is what it expands to).
pub(crate) struct ColumnSql<'a>(pub(crate) &'a Table, pub(crate) &'a Column);

impl fmt::Display for ColumnSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t, c) = (self.0, self.1);
        write!(f, "{} ", quote_ident(&c.name))?;
        let serial = serial_keyword(t, c);
        match serial {
            Some(kw) => f.write_str(kw)?,
            None => write!(f, "{}", TypeSql(&c.data_type))?,
        }
        if let Some(coll) = &c.collation {
            write!(f, " COLLATE {}", quote_ident(coll))?;
        }
        if c.not_null && serial.is_none() {
            f.write_str(" NOT NULL")?;
        }
        if let (Some(d), None) = (&c.default, serial) {
            write!(f, " DEFAULT {}", DefaultSql(d))?;
        }
        match c.identity {
            Some(Identity::Always) => f.write_str(" GENERATED ALWAYS AS IDENTITY")?,
            Some(Identity::ByDefault) => f.write_str(" GENERATED BY DEFAULT AS IDENTITY")?,
            None => {}
        }
        if let Some(g) = &c.generated {
            write!(f, " GENERATED ALWAYS AS ({g}) STORED")?;
        }
        Ok(())
    }
}

/// A constraint as it appears in CREATE TABLE or ALTER TABLE … ADD.
pub(crate) struct ConstraintSql<'a>(pub &'a Constraint);

fn idents(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ConstraintSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        write!(f, "CONSTRAINT {} ", quote_ident(&c.name))?;
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } => {
                write!(f, "PRIMARY KEY ({})", idents(columns))?;
                if !include.is_empty() {
                    write!(f, " INCLUDE ({})", idents(include))?;
                }
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => {
                f.write_str("UNIQUE")?;
                if *nulls_not_distinct {
                    f.write_str(" NULLS NOT DISTINCT")?;
                }
                write!(f, " ({})", idents(columns))?;
                if !include.is_empty() {
                    write!(f, " INCLUDE ({})", idents(include))?;
                }
            }
            ConstraintKind::Check { expr } => write!(f, "CHECK ({expr})")?,
            ConstraintKind::ForeignKey(fk) => {
                write!(
                    f,
                    "FOREIGN KEY ({}) REFERENCES {} ({})",
                    idents(&fk.columns),
                    fk.ref_table,
                    idents(&fk.ref_columns)
                )?;
                match fk.match_type {
                    FkMatch::Simple => {}
                    FkMatch::Full => f.write_str(" MATCH FULL")?,
                    FkMatch::Partial => f.write_str(" MATCH PARTIAL")?,
                }
                if fk.on_delete != FkAction::NoAction {
                    write!(f, " ON DELETE {}", fk.on_delete.sql())?;
                }
                if fk.on_update != FkAction::NoAction {
                    write!(f, " ON UPDATE {}", fk.on_update.sql())?;
                }
            }
            ConstraintKind::Exclusion {
                method,
                elements,
                include,
                predicate,
            } => {
                write!(
                    f,
                    "EXCLUDE USING {} ({})",
                    method.as_str(),
                    elements.join(", ")
                )?;
                if !include.is_empty() {
                    write!(f, " INCLUDE ({})", idents(include))?;
                }
                if let Some(p) = predicate {
                    write!(f, " WHERE ({p})")?;
                }
            }
        }
        if c.deferrable {
            f.write_str(" DEFERRABLE")?;
            if c.initially_deferred {
                f.write_str(" INITIALLY DEFERRED")?;
            }
        }
        Ok(())
    }
}

/// A CREATE INDEX statement.
pub(crate) struct IndexSql<'a>(pub &'a Index);

impl fmt::Display for IndexSql<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.0;
        let keys: Vec<String> = i
            .keys
            .iter()
            .map(|k| {
                let mut s = match &k.expr {
                    KeyExpr::Column(c) => quote_ident(c),
                    KeyExpr::Expression(e) => format!("({e})"),
                };
                if let Some(c) = &k.collation {
                    let _ = write!(s, " COLLATE {}", quote_ident(c));
                }
                if let Some(o) = &k.opclass {
                    let _ = write!(s, " {o}");
                }
                if k.descending {
                    s.push_str(" DESC");
                }
                match k.nulls_first {
                    Some(true) => s.push_str(" NULLS FIRST"),
                    Some(false) => s.push_str(" NULLS LAST"),
                    None => {}
                }
                s
            })
            .collect();
        write!(
            f,
            "CREATE {}INDEX {} ON {} USING {} ({})",
            if i.unique { "UNIQUE " } else { "" },
            quote_ident(&i.name.name),
            i.table,
            i.method.as_str(),
            keys.join(", ")
        )?;
        if !i.include.is_empty() {
            write!(f, " INCLUDE ({})", idents(&i.include))?;
        }
        if i.nulls_not_distinct {
            f.write_str(" NULLS NOT DISTINCT")?;
        }
        if !i.with.is_empty() {
            let params: Vec<String> = i.with.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            write!(f, " WITH ({})", params.join(", "))?;
        }
        if let Some(p) = &i.predicate {
            write!(f, " WHERE {p}")?;
        }
        Ok(())
    }
}

fn write_comments(f: &mut fmt::Formatter<'_>, s: &Schema) -> fmt::Result {
    for e in s.enums.values() {
        if let Some(c) = &e.comment {
            writeln!(f, "COMMENT ON TYPE {} IS {};", e.name, quote_literal(c))?;
        }
    }
    for t in s.tables.values() {
        if let Some(c) = &t.comment {
            writeln!(f, "COMMENT ON TABLE {} IS {};", t.name, quote_literal(c))?;
        }
        for col in &t.columns {
            if let Some(c) = &col.comment {
                writeln!(
                    f,
                    "COMMENT ON COLUMN {}.{} IS {};",
                    t.name,
                    quote_ident(&col.name),
                    quote_literal(c)
                )?;
            }
        }
    }
    for i in s.indexes.values() {
        if let Some(c) = &i.comment {
            writeln!(f, "COMMENT ON INDEX {} IS {};", i.name, quote_literal(c))?;
        }
    }
    for v in s.views.values() {
        if let Some(c) = &v.comment {
            let kind = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            writeln!(f, "COMMENT ON {kind} {} IS {};", v.name, quote_literal(c))?;
        }
    }
    Ok(())
}
