//! What one table's file is rendered from, and the fingerprint of it.
//!
//! `table::table_file` takes a [`TableInput`] and nothing else: the table, its indexes,
//! the tables its foreign keys reference, their Rust names, and what every table shares
//! ([`Shared`]: domains, enum names, the type options). So the hash of that one value
//! covers everything the file can depend on but schemakit itself, which [`RENDERING`]
//! stands for. A file whose input hashes as it did when it was written is reused without
//! being written again: a regeneration after a one-table edit writes that table's file
//! and its children's, and hashes the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use schema::model::{Domain, Index, QualifiedName, Table};

use crate::names::{EnumNames, TableNames};
use crate::types::TypeOverrides;

/// What codegen makes of an input, beyond the input itself: bump it whenever a change to
/// schemakit changes any generated text, or files rendered before the change are reused
/// as they are. `the_checked_in_generated_crate_renders_the_same_from_scratch` (in the
/// CLI's tests) fails when it was not bumped: it renders every file without reuse.
pub(crate) const RENDERING: &str = "schemakit codegen 13";

/// What every table's file may read besides its own table: the domains (a column of a
/// domain type is its base type), the enums' Rust names, and the options that choose
/// types.
pub(crate) struct Shared<'a> {
    pub(crate) domains: &'a BTreeMap<QualifiedName, Domain>,
    pub(crate) enums: &'a BTreeMap<QualifiedName, EnumNames>,
    pub(crate) overrides: &'a TypeOverrides,
    /// `array_elements_not_null` of schemakit.toml.
    pub(crate) elements_not_null: &'a BTreeSet<String>,
    /// The canonical bytes of the fields above, hashed once instead of per table.
    digest: u128,
}

impl<'a> Shared<'a> {
    pub(crate) fn new(
        domains: &'a BTreeMap<QualifiedName, Domain>,
        enums: &'a BTreeMap<QualifiedName, EnumNames>,
        overrides: &'a TypeOverrides,
        elements_not_null: &'a BTreeSet<String>,
    ) -> Self {
        let digest = xxhash_rust::xxh3::xxh3_128(&canonical(&(
            domains,
            enums,
            overrides,
            elements_not_null,
        )));
        Shared {
            domains,
            enums,
            overrides,
            elements_not_null,
            digest,
        }
    }
}

/// A `Shared` hashes as the digest of its fields.
impl Hash for Shared<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.digest.to_le_bytes());
    }
}

/// Everything one table's file is rendered from.
#[derive(Hash)]
pub(crate) struct TableInput<'a> {
    pub(crate) table: &'a Table,
    pub(crate) names: &'a TableNames,
    pub(crate) indexes: &'a [&'a Index],
    /// Each table a foreign key references and is generated, with its names: its row
    /// type and select list appear in the child's `get_<parent>`.
    pub(crate) parents: BTreeMap<&'a QualifiedName, (&'a Table, &'a TableNames)>,
    pub(crate) shared: &'a Shared<'a>,
}

impl TableInput<'_> {
    /// The fingerprint a file rendered from this input carries, in hex.
    pub(crate) fn fingerprint(&self) -> String {
        crate::fingerprint(&[RENDERING.as_bytes(), &canonical(self)])
    }
}

/// The bytes `Hash` feeds for `value`, the same on every platform: integers are written
/// little-endian at 64 bits whatever their width (128-bit ones at 128), so `usize` lengths
/// and enum discriminants do not depend on the target. (A slice of integers would hash as
/// its raw bytes: the model has one, `DataType::modifiers`, and hashes it element by
/// element.) Derived `Hash` writes every length and a
/// terminator after every string, so two different values never feed the same bytes.
/// (Locations hash as nothing: moving a table changes no fingerprint.)
fn canonical<T: Hash + ?Sized>(value: &T) -> Vec<u8> {
    let mut bytes = Canonical(Vec::with_capacity(4096));
    value.hash(&mut bytes);
    bytes.0
}

struct Canonical(Vec<u8>);

impl Hasher for Canonical {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn write_u8(&mut self, n: u8) {
        self.0.push(n);
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(n.into());
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }

    fn write_u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_i8(&mut self, n: i8) {
        self.write_i64(n.into());
    }

    fn write_i16(&mut self, n: i16) {
        self.write_i64(n.into());
    }

    fn write_i32(&mut self, n: i32) {
        self.write_i64(n.into());
    }

    fn write_i64(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn write_isize(&mut self, n: isize) {
        self.write_i64(n as i64);
    }

    fn write_u128(&mut self, n: u128) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn write_i128(&mut self, n: i128) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    /// Not used for fingerprints (they hash the bytes): the bytes' XXH3, for a caller
    /// that asks.
    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_keep_apart_what_a_plain_concatenation_would_join() {
        assert_ne!(canonical(&("ab", "c")), canonical(&("a", "bc")));
        assert_ne!(canonical(&vec![1u32, 2]), canonical(&vec![1u32]));
        assert_eq!(canonical(&7usize), canonical(&7u64));
        assert_eq!(canonical(&7usize), 7u64.to_le_bytes());
    }

    #[test]
    fn a_types_modifiers_are_written_little_endian_one_by_one() {
        let ty = schema::model::DataType {
            name: schema::model::TypeName::Builtin("numeric".into()),
            modifiers: vec![12, 2],
            array_dims: 0,
        };
        let bytes = canonical(&ty);
        let expected: Vec<u8> =
            [2u64.to_le_bytes(), 12u64.to_le_bytes(), 2u64.to_le_bytes()].concat();
        assert!(
            bytes
                .windows(expected.len())
                .any(|w| w == expected.as_slice()),
            "{bytes:?}"
        );
    }
}
