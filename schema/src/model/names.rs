//! Postgres's rules for the names it gives unnamed constraints and indexes
//! (`ChooseRelationName`, `ChooseConstraintName`, `makeObjectName` in its source).

/// The longest identifier Postgres keeps, in bytes (`NAMEDATALEN - 1`).
pub const MAX_IDENT_BYTES: usize = 63;

/// Joins `name1`, `name2` and `label` with `_`, shortening the longer of the two names
/// until the result fits in 63 bytes, as `makeObjectName` does.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = MAX_IDENT_BYTES.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = String::from(clip(name1, n1));
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// Picks the first of `name1_name2_label`, `…_label1`, `…_label2`, … that `taken` says
/// is free.
pub fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut pass = 0;
    let mut modlabel = label.to_string();
    loop {
        let name = make_object_name(name1, name2, &modlabel);
        if !taken(&name) {
            return name;
        }
        pass += 1;
        modlabel = format!("{label}{pass}");
    }
}

/// The column part of an index or constraint name: the key names joined with `_`,
/// stopping once 63 bytes are reached (`ChooseIndexNameAddition`).
pub fn name_addition<S: AsRef<str>>(names: &[S]) -> String {
    let mut buf = String::new();
    for name in names {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(name.as_ref(), MAX_IDENT_BYTES));
        if buf.len() >= MAX_IDENT_BYTES {
            break;
        }
    }
    buf
}

/// Makes the names of an index's columns distinct by appending numbers, as
/// `ChooseIndexColumnNames` does (`expr`, `expr1`, …).
pub fn distinct_column_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for orig in names {
        let mut cur = orig.clone();
        let mut i = 1;
        while out.contains(&cur) {
            let suffix = i.to_string();
            cur = format!("{}{suffix}", clip(&orig, MAX_IDENT_BYTES - suffix.len()));
            i += 1;
        }
        out.push(cur);
    }
    out
}

/// Truncates an identifier to 63 bytes as Postgres does for every name it reads.
pub fn truncate_ident(name: &str) -> &str {
    clip(name, MAX_IDENT_BYTES)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(make_object_name("jobs", None, "pkey"), "jobs_pkey");
        assert_eq!(
            make_object_name("job_files", Some("job_id"), "fkey"),
            "job_files_job_id_fkey"
        );
    }

    #[test]
    fn long_names_truncate_the_longer_part_first() {
        let table = "a".repeat(40);
        let column = "b".repeat(30);
        let name = make_object_name(&table, Some(&column), "key");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_key", "a".repeat(29), "b".repeat(29)));
    }

    #[test]
    fn collisions_get_numeric_suffixes_on_the_label() {
        let name = choose_name("jobs", Some("status"), "idx", |n| {
            n == "jobs_status_idx" || n == "jobs_status_idx1"
        });
        assert_eq!(name, "jobs_status_idx2");
    }

    #[test]
    fn multibyte_names_are_clipped_on_character_boundaries() {
        let table = "é".repeat(40);
        let name = make_object_name(&table, None, "pkey");
        assert!(name.len() <= 63);
        assert!(name.ends_with("_pkey"));
    }

    #[test]
    fn expression_columns_become_distinct() {
        assert_eq!(
            distinct_column_names(vec!["expr".into(), "expr".into(), "a".into()]),
            ["expr", "expr1", "a"]
        );
    }
}
