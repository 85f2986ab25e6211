//! Statement text built from the columns a call writes. The text depends only on which
//! columns are written and how many rows, never on the values, so a caller may prepare
//! and cache it.

use crate::Param;

/// A column a generated statement writes: its quoted name and the cast its parameter
/// needs (`::text` for a domain over text, `::text::interval` for a type read as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The name, quoted for SQL where needed.
    pub name: &'static str,
    /// The cast after the placeholder, empty when none.
    pub cast: &'static str,
}

/// The most parameters one statement may carry (the protocol counts them in 16 bits).
const MAX_PARAMS: usize = 65_535;

/// The rows of an `INSERT … VALUES`: for each row and column, a parameter or `DEFAULT`.
pub struct Values<'a> {
    columns: &'static [Column],
    /// `($1, DEFAULT, $2), (…)`.
    text: String,
    params: Vec<Param<'a>>,
    /// Per row, which columns were given, as the first row had them (for `upsert`).
    given: Vec<bool>,
    rows: usize,
}

impl<'a> Values<'a> {
    /// No rows yet, for these columns.
    pub fn new(columns: &'static [Column]) -> Self {
        Values {
            columns,
            text: String::new(),
            params: Vec::new(),
            given: Vec::new(),
            rows: 0,
        }
    }

    /// How many rows of `columns.len()` parameters fit one statement.
    /// A table without columns to write takes one row per statement (`DEFAULT VALUES`).
    pub fn rows_per_statement(columns: &[Column]) -> usize {
        if columns.is_empty() {
            1
        } else {
            (MAX_PARAMS / columns.len()).max(1)
        }
    }

    /// Adds a row: one cell per column, `None` for `DEFAULT`.
    pub fn row(&mut self, cells: impl IntoIterator<Item = Option<Param<'a>>>) {
        if self.rows > 0 {
            self.text.push_str(", ");
        }
        self.text.push('(');
        for (i, (cell, column)) in cells.into_iter().zip(self.columns).enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            if self.rows == 0 {
                self.given.push(cell.is_some());
            }
            match cell {
                Some(param) => {
                    self.params.push(param);
                    self.text.push('$');
                    self.text.push_str(&self.params.len().to_string());
                    self.text.push_str(column.cast);
                }
                None => self.text.push_str("DEFAULT"),
            }
        }
        self.text.push(')');
        self.rows += 1;
    }

    /// The parameters, in placeholder order.
    pub fn params(&self) -> &[Param<'a>] {
        &self.params
    }

    /// `INSERT INTO table (…) VALUES … RETURNING returning`; `DEFAULT VALUES` for a
    /// table without columns to write.
    pub fn insert_sql(&self, table: &str, returning: &str) -> String {
        if self.columns.is_empty() {
            return format!("INSERT INTO {table} DEFAULT VALUES RETURNING {returning}");
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        format!(
            "INSERT INTO {table} ({}) VALUES {} RETURNING {returning}",
            names.join(", "),
            self.text
        )
    }

    /// The insert, or on a conflict on `conflict` (quoted column names) an update of the
    /// columns the first row gives, other than `conflict`'s and `keep`'s (the primary
    /// key); the row is returned either way.
    pub fn upsert_sql(
        &self,
        table: &str,
        conflict: &[&str],
        keep: &[&str],
        returning: &str,
    ) -> String {
        let sets: Vec<String> = self
            .columns
            .iter()
            .zip(&self.given)
            .filter(|(c, given)| **given && !conflict.contains(&c.name) && !keep.contains(&c.name))
            .map(|(c, _)| format!("{0} = EXCLUDED.{0}", c.name))
            .collect();
        if self.columns.is_empty() {
            // Every column identity ALWAYS or generated: nothing given can conflict.
            return self.insert_sql(table, returning);
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        if sets.is_empty() {
            // Nothing to change, but DO NOTHING would return no row: a column set to its
            // stored value (an insert column, which an UPDATE may set; the key's may be
            // identity ALWAYS) through an alias of the stored row.
            let column = names[0];
            return format!(
                "INSERT INTO {table} AS stored ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {column} = stored.{column} RETURNING {returning}",
                names.join(", "),
                self.text,
                conflict.join(", ")
            );
        }
        format!(
            "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {} RETURNING {returning}",
            names.join(", "),
            self.text,
            conflict.join(", "),
            sets.join(", ")
        )
    }
}

/// The `SET` list of an `UPDATE`, for the columns a patch sets; placeholders start after
/// the key's.
pub struct Sets<'a> {
    text: String,
    params: Vec<Param<'a>>,
}

impl<'a> Sets<'a> {
    /// No columns yet; the key takes the first `key_params` placeholders.
    pub fn new(key: &[Param<'a>]) -> Self {
        Sets {
            text: String::new(),
            params: key.to_vec(),
        }
    }

    /// Sets `column` to `value`.
    pub fn set(&mut self, column: &Column, value: Param<'a>) {
        if !self.text.is_empty() {
            self.text.push_str(", ");
        }
        self.params.push(value);
        self.text.push_str(&format!(
            "{} = ${}{}",
            column.name,
            self.params.len(),
            column.cast
        ));
    }

    /// Whether no column is set.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The key's parameters, then the set columns'.
    pub fn params(&self) -> &[Param<'a>] {
        &self.params
    }

    /// `UPDATE table SET … WHERE filter RETURNING returning`.
    pub fn update_sql(&self, table: &str, filter: &str, returning: &str) -> String {
        format!(
            "UPDATE {table} SET {} WHERE {filter} RETURNING {returning}",
            self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "id",
            cast: "",
        },
        Column {
            name: "\"type\"",
            cast: "::text",
        },
        Column {
            name: "note",
            cast: "",
        },
    ];

    #[test]
    fn values_number_parameters_and_write_default() {
        let (a, b, c) = (1_i32, "x".to_string(), 2_i32);
        let mut v = Values::new(COLUMNS);
        v.row([Some(&a as Param), None, Some(&b as Param)]);
        v.row([Some(&c as Param), Some(&b as Param), None]);
        assert_eq!(
            v.insert_sql("t", "id"),
            "INSERT INTO t (id, \"type\", note) VALUES ($1, DEFAULT, $2), ($3, $4::text, DEFAULT) RETURNING id"
        );
        assert_eq!(v.params().len(), 4);
        assert_eq!(
            v.upsert_sql("t", &["\"type\""], &["id"], "id, note"),
            "INSERT INTO t (id, \"type\", note) VALUES ($1, DEFAULT, $2), ($3, $4::text, DEFAULT) ON CONFLICT (\"type\") DO UPDATE SET note = EXCLUDED.note RETURNING id, note"
        );
    }

    #[test]
    fn an_upsert_that_changes_nothing_still_returns_the_row() {
        let a = 1_i32;
        let mut v = Values::new(COLUMNS);
        v.row([Some(&a as Param), None, None]);
        assert_eq!(
            v.upsert_sql("t", &["id"], &["id"], "id"),
            "INSERT INTO t AS stored (id, \"type\", note) VALUES ($1, DEFAULT, DEFAULT) ON CONFLICT (id) DO UPDATE SET id = stored.id RETURNING id"
        );
    }

    #[test]
    fn sets_follow_the_key() {
        let (k, v) = (7_i32, "x");
        let mut s = Sets::new(&[&k]);
        assert!(s.is_empty());
        s.set(&COLUMNS[1], &v);
        assert_eq!(
            s.update_sql("t", "id = $1", "id"),
            "UPDATE t SET \"type\" = $2::text WHERE id = $1 RETURNING id"
        );
        assert_eq!(s.params().len(), 2);
    }

    #[test]
    fn rows_per_statement_stay_under_the_protocol_limit() {
        assert_eq!(Values::rows_per_statement(COLUMNS), 21_845);
        assert_eq!(Values::rows_per_statement(&[]), 1);
    }
}
