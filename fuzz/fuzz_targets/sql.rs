//! SQL text through the front end: split, lowering into the model, diagnostics rendered
//! as a user would see them, and canonical DDL back. When the input parses without
//! errors, the printed DDL must parse without errors to an equal model.

#![no_main]

use libfuzzer_sys::fuzz_target;
use schema::diagnostic;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The splitter on its own: the lowering calls it too, but its errors stop lowering.
    let _ = schema::split::split(&text);
    let parsed = schema::parse_sql("fuzz.sql", &text);
    let _ = diagnostic::render_plain(&parsed.diagnostics);
    let _ = parsed.opaque_listing();
    if parsed.has_errors() {
        return;
    }
    let ddl = parsed.schema.to_string();
    let again = schema::parse_sql("canonical.sql", &ddl);
    assert!(
        !again.has_errors(),
        "canonical DDL does not parse cleanly:\n{}\n--- input:\n{text}\n--- canonical DDL:\n{ddl}",
        diagnostic::render_plain(&again.diagnostics)
    );
    assert!(
        parsed.schema == again.schema,
        "the model changed through canonical DDL: {}\n--- input:\n{text}\n--- canonical DDL:\n{ddl}",
        schema::diff::listing(&schema::diff(&parsed.schema, &again.schema))
    );
});
