//! Model → Rust files: a pure function from the schema model to a map of path → text (not yet written).
