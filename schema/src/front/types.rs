//! sqlparser data types → the model's normalized [`DataType`], with Postgres's aliases
//! resolved (`int4` → `integer`, `varchar` → `character varying`, `timestamptz` →
//! `timestamp with time zone`).

use sqlparser::ast;

use crate::model::{DataType, QualifiedName, TypeName};

/// A `serial` pseudo-type: the integer type it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    /// `smallserial` / `serial2`.
    Small,
    /// `serial` / `serial4`.
    Regular,
    /// `bigserial` / `serial8`.
    Big,
}

impl Serial {
    /// The integer type behind the serial.
    pub fn integer_type(self) -> DataType {
        DataType::builtin(match self {
            Serial::Small => "smallint",
            Serial::Regular => "integer",
            Serial::Big => "bigint",
        })
    }
}

/// The result of normalizing a written type.
pub enum Normalized {
    /// A real type.
    Type(DataType),
    /// A serial pseudo-type (column types only).
    Serial(Serial),
}

/// Canonical name of a built-in type written as a single (possibly aliased) word.
fn builtin_alias(word: &str) -> Option<&'static str> {
    Some(match word {
        "int2" | "smallint" => "smallint",
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "float4" | "real" => "real",
        "float8" | "double precision" => "double precision",
        "bool" | "boolean" => "boolean",
        "decimal" | "numeric" => "numeric",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "nchar" => "character",
        "bpchar" => "bpchar",
        "text" => "text",
        "uuid" => "uuid",
        "json" => "json",
        "jsonb" => "jsonb",
        "bytea" => "bytea",
        "date" => "date",
        "timestamptz" => "timestamp with time zone",
        "timestamp" => "timestamp without time zone",
        "timetz" => "time with time zone",
        "time" => "time without time zone",
        "interval" => "interval",
        "inet" => "inet",
        "cidr" => "cidr",
        "macaddr" => "macaddr",
        "macaddr8" => "macaddr8",
        "money" => "money",
        "oid" => "oid",
        "regclass" => "regclass",
        "xml" => "xml",
        "tsvector" => "tsvector",
        "tsquery" => "tsquery",
        "point" => "point",
        "line" => "line",
        "lseg" => "lseg",
        "box" => "box",
        "path" => "path",
        "polygon" => "polygon",
        "circle" => "circle",
        "bit" => "bit",
        "varbit" | "bit varying" => "bit varying",
        "int4range" => "int4range",
        "int8range" => "int8range",
        "numrange" => "numrange",
        "tsrange" => "tsrange",
        "tstzrange" => "tstzrange",
        "daterange" => "daterange",
        "pg_lsn" => "pg_lsn",
        "name" => "name",
        _ => return None,
    })
}

fn builtin(name: &str, modifiers: Vec<i64>) -> DataType {
    DataType {
        name: TypeName::Builtin(name.to_string()),
        modifiers,
        array_dims: 0,
    }
}

fn opt(n: &Option<u64>) -> Vec<i64> {
    n.iter().map(|&n| n as i64).collect()
}

fn char_len(len: &Option<ast::CharacterLength>) -> Vec<i64> {
    match len {
        Some(ast::CharacterLength::IntegerLength { length, .. }) => vec![*length as i64],
        _ => Vec::new(),
    }
}

fn exact(info: &ast::ExactNumberInfo) -> Vec<i64> {
    match info {
        ast::ExactNumberInfo::None => Vec::new(),
        // `numeric(10)` is `numeric(10,0)`.
        ast::ExactNumberInfo::Precision(p) => vec![*p as i64, 0],
        ast::ExactNumberInfo::PrecisionAndScale(p, s) => vec![*p as i64, *s],
    }
}

/// Normalizes a written type. `resolve` turns an unqualified user type name into a
/// qualified one (it knows which schema holds the enum or domain).
pub fn normalize(
    ty: &ast::DataType,
    resolve: &dyn Fn(&ast::ObjectName) -> QualifiedName,
) -> Result<Normalized, String> {
    use ast::DataType as T;
    let t = match ty {
        T::Array(elem) => {
            let inner = match elem {
                ast::ArrayElemTypeDef::SquareBracket(inner, _)
                | ast::ArrayElemTypeDef::AngleBracket(inner)
                | ast::ArrayElemTypeDef::Parenthesis(inner)
                | ast::ArrayElemTypeDef::Qualified(inner, _) => inner,
                ast::ArrayElemTypeDef::None => {
                    return Err("an array type needs an element type".into());
                }
            };
            return match normalize(inner, resolve)? {
                Normalized::Type(mut t) => {
                    t.array_dims += 1;
                    Ok(Normalized::Type(t))
                }
                Normalized::Serial(_) => Err("an array of serial is not a type".into()),
            };
        }
        T::Character(l) | T::Char(l) => builtin(
            "character",
            match char_len(l).as_slice() {
                [] => vec![1],
                l => l.to_vec(),
            },
        ),
        T::CharacterVarying(l) | T::CharVarying(l) | T::Varchar(l) | T::Nvarchar(l) => {
            builtin("character varying", char_len(l))
        }
        T::Uuid => builtin("uuid", vec![]),
        T::Numeric(i) | T::Decimal(i) | T::Dec(i) => builtin("numeric", exact(i)),
        T::Float(i) => match exact(i).first() {
            Some(p) if *p <= 24 => builtin("real", vec![]),
            _ => builtin("double precision", vec![]),
        },
        T::Int2(_) | T::SmallInt(_) => builtin("smallint", vec![]),
        T::Int(_) | T::Int4(_) | T::Integer(_) => builtin("integer", vec![]),
        T::Int8(_) | T::BigInt(_) => builtin("bigint", vec![]),
        T::Float4 | T::Real => builtin("real", vec![]),
        T::Float8 | T::DoublePrecision | T::Double(ast::ExactNumberInfo::None) => {
            builtin("double precision", vec![])
        }
        T::Bool | T::Boolean => builtin("boolean", vec![]),
        T::Date => builtin("date", vec![]),
        T::Time(p, tz) => builtin(
            match tz {
                ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => "time with time zone",
                _ => "time without time zone",
            },
            opt(p),
        ),
        T::Timestamp(p, tz) => builtin(
            match tz {
                ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => {
                    "timestamp with time zone"
                }
                _ => "timestamp without time zone",
            },
            opt(p),
        ),
        T::Interval { fields, precision } => match fields {
            // `interval day to second(3)`, as format_type prints it.
            Some(f) => builtin(
                &format!("interval {}", f.to_string().to_ascii_lowercase()),
                opt(precision),
            ),
            None => builtin("interval", opt(precision)),
        },
        T::JSON => builtin("json", vec![]),
        T::JSONB => builtin("jsonb", vec![]),
        T::Regclass => builtin("regclass", vec![]),
        T::Text => builtin("text", vec![]),
        T::Bytea => builtin("bytea", vec![]),
        T::Bit(n) => builtin(
            "bit",
            match opt(n).as_slice() {
                [] => vec![1],
                l => l.to_vec(),
            },
        ),
        T::BitVarying(n) | T::VarBit(n) => builtin("bit varying", opt(n)),
        T::TsVector => builtin("tsvector", vec![]),
        T::TsQuery => builtin("tsquery", vec![]),
        T::Custom(name, mods) => return custom(name, mods, resolve),
        T::GeometricType(kind) => builtin(&kind.to_string().to_ascii_lowercase(), vec![]),
        other => {
            // Anything else sqlparser knows by another dialect's name: read its text.
            let text = other.to_string().to_ascii_lowercase();
            match builtin_alias(&text) {
                Some(name) => builtin(name, vec![]),
                None => return Err(format!("type `{text}` does not exist")),
            }
        }
    };
    Ok(Normalized::Type(t))
}

fn custom(
    name: &ast::ObjectName,
    mods: &[String],
    resolve: &dyn Fn(&ast::ObjectName) -> QualifiedName,
) -> Result<Normalized, String> {
    let mut modifiers = Vec::with_capacity(mods.len());
    for m in mods {
        match m.trim().parse::<i64>() {
            Ok(n) => modifiers.push(n),
            Err(_) => return Err(format!("type modifier `{m}` of `{name}` is not a number")),
        }
    }
    let parts = &name.0;
    let unqualified = parts.len() == 1
        || (parts.len() == 2
            && parts[0]
                .as_ident()
                .is_some_and(|i| i.value.eq_ignore_ascii_case("pg_catalog")));
    if unqualified {
        if let Some(ident) = parts.last().and_then(|p| p.as_ident()) {
            let word = if ident.quote_style.is_some() {
                ident.value.clone()
            } else {
                ident.value.to_ascii_lowercase()
            };
            // `"char"` is the one-byte internal type, not `character`.
            if ident.quote_style.is_some() && word == "char" {
                return Ok(Normalized::Type(builtin("\"char\"", modifiers)));
            }
            // `_int4` is the catalog's name for `integer[]`.
            if let Some(elem) = word.strip_prefix('_').and_then(builtin_alias) {
                let mut t = builtin(elem, modifiers);
                t.array_dims = 1;
                return Ok(Normalized::Type(t));
            }
            match word.as_str() {
                "serial" | "serial4" => return Ok(Normalized::Serial(Serial::Regular)),
                "smallserial" | "serial2" => return Ok(Normalized::Serial(Serial::Small)),
                "bigserial" | "serial8" => return Ok(Normalized::Serial(Serial::Big)),
                _ => {}
            }
            if let Some(canonical) = builtin_alias(&word) {
                // `char` and `bit` without a length mean length 1.
                if matches!(canonical, "character" | "bit") && modifiers.is_empty() {
                    modifiers.push(1);
                }
                return Ok(Normalized::Type(builtin(canonical, modifiers)));
            }
        }
    }
    Ok(Normalized::Type(DataType {
        name: TypeName::Named(resolve(name)),
        modifiers,
        array_dims: 0,
    }))
}

/// Parses a type as Postgres prints it (`format_type`: `character varying(255)[]`,
/// `timestamp(3) with time zone`, `billing.status`) into the model's type. Unqualified
/// user types resolve to `public`.
pub fn parse_type(text: &str) -> Result<DataType, String> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let ty = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|e| format!("cannot read type `{text}`: {e}"))?;
    let resolve = qualified_name;
    match normalize(&ty, &resolve)? {
        Normalized::Type(t) => Ok(t),
        Normalized::Serial(s) => Ok(s.integer_type()),
    }
}

/// The identifier as Postgres stores it: ASCII letters folded to lower case unless
/// quoted (Postgres folds no other letters), and cut to 63 bytes.
pub(crate) fn ident(i: &ast::Ident) -> String {
    let mut v = if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    };
    let kept = crate::model::names::truncate_ident(&v).len();
    v.truncate(kept);
    v
}

/// A written name, with `public` for an unqualified one.
pub(crate) fn qualified_name(name: &ast::ObjectName) -> QualifiedName {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => ident(i),
            None => p.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [.., schema, name] => QualifiedName::new(schema.clone(), name.clone()),
        [name] => QualifiedName::public(name.clone()),
        [] => QualifiedName::public(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bare word the front end does not read as the user type `public.<word>`.
    fn words_not_read_as_user_types() -> Vec<String> {
        let mut candidates: Vec<String> = sqlparser::keywords::ALL_KEYWORDS
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        for w in [
            "int2",
            "int4",
            "int8",
            "float4",
            "float8",
            "bool",
            "bpchar",
            "timestamptz",
            "timetz",
            "macaddr",
            "macaddr8",
            "money",
            "oid",
            "regclass",
            "tsvector",
            "tsquery",
            "point",
            "line",
            "lseg",
            "box",
            "path",
            "polygon",
            "circle",
            "varbit",
            "int4range",
            "int8range",
            "numrange",
            "tsrange",
            "tstzrange",
            "daterange",
            "pg_lsn",
            "name",
            "serial",
            "serial2",
            "serial4",
            "serial8",
            "smallserial",
            "bigserial",
            "inet",
            "cidr",
            "jsonb",
            "bytea",
            "xml",
        ] {
            candidates.push(w.to_string());
        }
        candidates.sort();
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|w| {
                !parse_type(w).is_ok_and(|t| {
                    t.name == TypeName::Named(QualifiedName::public(w.clone()))
                        && t.modifiers.is_empty()
                        && t.array_dims == 0
                })
            })
            .collect()
    }

    /// The model's list of words that need their schema in DDL covers every word the
    /// front end reads as something else, and `_word` for each of them.
    #[test]
    fn the_models_type_words_are_complete() {
        let words = words_not_read_as_user_types();
        let missing: Vec<&String> = words
            .iter()
            .filter(|w| {
                w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
            .filter(|w| !crate::model::display::is_type_word(w))
            .collect();
        assert!(
            missing.is_empty(),
            "add to model::display::TYPE_WORDS: {missing:?}"
        );
        for w in words.iter().filter(|w| !w.contains('-')) {
            let array = format!("_{w}");
            if !parse_type(&array)
                .is_ok_and(|t| t.name == TypeName::Named(QualifiedName::public(array.clone())))
            {
                assert!(crate::model::display::is_type_word(&array), "{array}");
            }
        }
    }
}
