//! The checksums other tools record, computed as they compute them, so a row schemakit
//! writes is one the tool accepts and a row the tool wrote can be checked against the file.

use sha2::{Digest, Sha256, Sha384};

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `text`, in hex (Prisma: of `migration.sql` as it is; drizzle and schemakit:
/// with CRLF made LF first, done by the caller).
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// SHA-384 of `text` (sqlx's `checksum` column: of the file as it is).
pub(crate) fn sha384(text: &str) -> Vec<u8> {
    Sha384::digest(text.as_bytes()).to_vec()
}

/// Flyway's checksum of a SQL file: CRC-32 of its lines without their terminators (`\n`,
/// `\r\n` or `\r`, as Java's `BufferedReader.readLine` splits them), as a signed `int`.
/// (A byte-order mark is already gone: `SourceFile` drops it, as Flyway does.)
pub(crate) fn flyway(text: &str) -> i32 {
    let mut crc = Crc32::default();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        crc.update(&rest.as_bytes()[..end]);
        rest = &rest[end..];
        rest = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
            .or_else(|| rest.strip_prefix('\r'))
            .unwrap_or(rest);
    }
    // Java's `(int) crc32.getValue()`: the same 32 bits, read as signed.
    crc.value() as i32
}

/// CRC-32 (IEEE 802.3, reflected, as `java.util.zip.CRC32` and zlib compute it).
struct Crc32(u32);

impl Default for Crc32 {
    fn default() -> Crc32 {
        Crc32(0xFFFF_FFFF)
    }
}

impl Crc32 {
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            for _ in 0..8 {
                let mask = (self.0 & 1).wrapping_neg();
                self.0 = (self.0 >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }

    fn value(&self) -> u32 {
        !self.0
    }
}

/// refinery's checksum: SipHash-1-3 with zero keys over what `Hash` feeds it for the
/// migration's name (a `String`: its bytes, then `0xff`), version (an `i32`: four bytes,
/// little-endian on the machines refinery runs on) and SQL (a `&str`, like the name).
pub(crate) fn refinery(name: &str, version: i32, sql: &str) -> u64 {
    let mut message = Vec::with_capacity(name.len() + sql.len() + 6);
    message.extend_from_slice(name.as_bytes());
    message.push(0xff);
    message.extend_from_slice(&version.to_le_bytes());
    message.extend_from_slice(sql.as_bytes());
    message.push(0xff);
    siphash13(&message)
}

/// SipHash-1-3 of `message` with both keys zero (Rust's `SipHasher13::new()`).
fn siphash13(message: &[u8]) -> u64 {
    let mut v = [
        0x736f_6d65_7073_6575_u64,
        0x646f_7261_6e64_6f6d,
        0x6c79_6765_6e65_7261,
        0x7465_6462_7974_6573,
    ];
    let round = |v: &mut [u64; 4]| {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    };
    let compress = |v: &mut [u64; 4], m: u64| {
        v[3] ^= m;
        round(v);
        v[0] ^= m;
    };
    let mut chunks = message.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        compress(&mut v, u64::from_le_bytes(word));
    }
    let mut last = [0u8; 8];
    let tail = chunks.remainder();
    last[..tail.len()].copy_from_slice(tail);
    last[7] = message.len() as u8;
    compress(&mut v, u64::from_le_bytes(last));
    v[2] ^= 0xff;
    for _ in 0..3 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        let mut crc = Crc32::default();
        crc.update(b"123456789");
        assert_eq!(crc.value(), 0xCBF4_3926);
    }

    #[test]
    fn flyway_checksums_ignore_line_endings_and_sign_the_result() {
        let lf = flyway("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
        assert_eq!(
            lf,
            flyway("CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);")
        );
        assert_eq!(
            lf,
            flyway("CREATE TABLE a (id int);\rCREATE TABLE b (id int);")
        );
        let mut crc = Crc32::default();
        crc.update(b"CREATE TABLE a (id int);CREATE TABLE b (id int);");
        assert_eq!(lf, crc.value() as i32);
    }

    #[test]
    fn refinery_checksum_is_what_hash_feeds_siphash13() {
        // Rust's `DefaultHasher::new()` is SipHash-1-3 with zero keys, the hasher refinery
        // pins (`siphasher::sip::SipHasher13::new()`), fed the same way by `Hash`.
        #[allow(deprecated)]
        fn std_hash(name: &str, version: i32, sql: &str) -> u64 {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            name.to_string().hash(&mut h);
            version.hash(&mut h);
            sql.hash(&mut h);
            h.finish()
        }
        for (name, version, sql) in [
            ("initial", 1, "CREATE TABLE persons (id int);"),
            ("", 0, ""),
            ("add_cars_and_motos_table", 2, "x"),
            (
                "a_name_of_exactly_24_byt",
                123_456,
                "CREATE TABLE a (id int);\n",
            ),
        ] {
            assert_eq!(
                refinery(name, version, sql),
                std_hash(name, version, sql),
                "{name}"
            );
        }
    }
}
