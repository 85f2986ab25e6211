//! `#[serde(with = …)]` helpers for column types whose crate has no serde support.

/// `pgvector::Vector` as a sequence of numbers (feature `pgvector`).
#[cfg(feature = "pgvector")]
pub mod vector {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the vector's elements.
    pub fn serialize<S: Serializer>(v: &pgvector::Vector, s: S) -> Result<S::Ok, S::Error> {
        v.as_slice().serialize(s)
    }

    /// Reads a sequence of numbers.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<pgvector::Vector, D::Error> {
        Vec::<f32>::deserialize(d).map(pgvector::Vector::from)
    }
}

/// `Option<pgvector::Vector>` as a sequence of numbers or null (feature `pgvector`).
#[cfg(feature = "pgvector")]
pub mod option_vector {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the vector's elements, or null.
    pub fn serialize<S: Serializer>(v: &Option<pgvector::Vector>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(pgvector::Vector::as_slice).serialize(s)
    }

    /// Reads a sequence of numbers, or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<pgvector::Vector>, D::Error> {
        Option::<Vec<f32>>::deserialize(d).map(|v| v.map(pgvector::Vector::from))
    }
}

/// `Option<Option<T>>` in a patch: absent is `None` (leave the column alone), `null` is
/// `Some(None)` (write NULL), a value is `Some(Some(value))`. Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "…::double_option")]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `null` for `Some(None)` and the value for `Some(Some(v))`; `None` is skipped
    /// by `skip_serializing_if`.
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// A present field, `null` included, is `Some`; an absent one is `None` through
    /// `default`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
