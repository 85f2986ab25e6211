//! `#[serde(with = …)]` helpers for generated structs.

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
