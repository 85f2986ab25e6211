//! A synthetic schema for benchmarks: `n` tables of about 12 columns of mixed types, each
//! with 3 indexes (one partial) and a foreign key to the previous table.

/// The DDL of the synthetic schema.
pub fn schema_sql(tables: usize) -> String {
    let mut sql = String::from("CREATE TYPE item_state AS ENUM ('new', 'active', 'archived');\n\n");
    for i in 0..tables {
        let fk = if i == 0 {
            "parent_id bigint".to_string()
        } else {
            format!(
                "parent_id bigint REFERENCES table_{:04} (id) ON DELETE CASCADE",
                i - 1
            )
        };
        sql.push_str(&format!(
            "CREATE TABLE table_{i:04} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    {fk},
    name varchar(200) NOT NULL,
    slug text NOT NULL UNIQUE,
    state item_state NOT NULL DEFAULT 'new',
    amount numeric(12, 2) NOT NULL DEFAULT 0,
    ratio double precision,
    tags text[] NOT NULL DEFAULT '{{}}',
    payload jsonb,
    external_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    due_on date
);
CREATE INDEX table_{i:04}_parent_idx ON table_{i:04} (parent_id);
CREATE INDEX table_{i:04}_created_idx ON table_{i:04} (created_at DESC);
CREATE INDEX table_{i:04}_active_idx ON table_{i:04} (state, due_on) WHERE state = 'active';

"
        ));
    }
    sql
}
