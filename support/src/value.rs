//! Values a caller gives: one column of an insert, one page of a list.

use std::error::Error as StdError;

use postgres_types::{IsNull, ToSql, Type, to_sql_checked};

use crate::Param;

/// The value of a nullable column that has a default, in an insert: leave it to the
/// database default, write NULL, or write a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Value<T> {
    /// The column's default, as the database computes it (`DEFAULT`).
    #[default]
    Default,
    /// NULL, over the default.
    Null,
    /// This value.
    Set(T),
}

impl<T> Value<T> {
    /// `Set(value)` for `Some(value)`, `Null` for `None`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Value::Null, Value::Set)
    }

    /// The value when one is set.
    pub fn as_ref(&self) -> Value<&T> {
        match self {
            Value::Default => Value::Default,
            Value::Null => Value::Null,
            Value::Set(v) => Value::Set(v),
        }
    }
}

impl<T: ToSql + Sync> Value<T> {
    /// The statement parameter: `None` for [`Value::Default`], which is written `DEFAULT`.
    pub fn param(&self) -> Option<Param<'_>> {
        match self {
            Value::Default => None,
            _ => Some(self),
        }
    }
}

impl<T> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Value::Set(value)
    }
}

impl<T: ToSql> ToSql for Value<T> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Set(v) => v.to_sql(ty, out),
            Value::Null => Ok(IsNull::Yes),
            // `param` never passes it: the statement says DEFAULT instead.
            Value::Default => {
                Err("a Value::Default is written as DEFAULT, not as a parameter".into())
            }
        }
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(ty)
    }

    // The value's own wire format (a type mapped in schemakit.toml may send text).
    fn encode_format(&self, ty: &Type) -> postgres_types::Format {
        match self {
            Value::Set(v) => v.encode_format(ty),
            _ => postgres_types::Format::Binary,
        }
    }

    to_sql_checked!();
}

/// Which rows of a list: at most `limit`, after skipping `offset`. Named fields, so the
/// two numbers cannot be swapped unnoticed: `Page { limit: 50, offset: 100 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Page {
    /// At most this many rows.
    pub limit: i64,
    /// Skipping this many first.
    pub offset: i64,
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: i64) -> Self {
        Page { limit, offset: 0 }
    }

    /// The page after this one, of the same size.
    pub fn next(self) -> Self {
        Page {
            limit: self.limit,
            offset: self.offset.saturating_add(self.limit),
        }
    }
}
