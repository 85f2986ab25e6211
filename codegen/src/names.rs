//! SQL names → Rust names: modules and fields in snake_case, types and variants in
//! PascalCase, raw identifiers for Rust keywords.

use schema::model::QualifiedName;

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a SQL name into lower-case words at non-alphanumerics and camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let hump = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if hump {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `createdAt` → `created_at`; never empty, never starting with a digit.
pub fn snake(name: &str) -> String {
    let s = words(name).join("_");
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.chars().next() {
        None => "unnamed".into(),
        Some(c) if c.is_ascii_digit() => format!("n{s}"),
        _ => s,
    }
}

/// `job_status` → `JobStatus`; never empty, never starting with a digit.
pub fn pascal(name: &str) -> String {
    let s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match s.chars().next() {
        None => "Unnamed".into(),
        Some(c) if c.is_ascii_digit() => format!("V{s}"),
        _ => s,
    }
}

/// A field name, with `r#` for Rust keywords.
pub fn field(column: &str) -> String {
    let s = snake(column);
    if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// An identifier token for a name that may be raw (`r#type`).
pub fn ident(name: &str) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => syn::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// The module of a table: `jobs`, or `billing_invoices` outside `public`.
pub fn module_name(table: &QualifiedName) -> String {
    let base = if table.schema == "public" {
        snake(&table.name)
    } else {
        snake(&format!("{}_{}", table.schema, table.name))
    };
    if KEYWORDS.contains(&base.as_str()) || base == "enums" || base == "columns" {
        format!("{base}_table")
    } else {
        base
    }
}

/// The row struct of a table: the singular of its name in PascalCase (`jobs` → `Job`,
/// `api_keys` → `ApiKey`, `daily_usage` → `DailyUsage`).
pub fn struct_name(table: &str) -> String {
    let p = pascal(table);
    let singular = if let Some(stem) = p.strip_suffix("ies") {
        format!("{stem}y")
    } else if p.ends_with("sses")
        || p.ends_with("xes")
        || p.ends_with("ches")
        || p.ends_with("shes")
    {
        p[..p.len() - 2].to_string()
    } else if p.ends_with('s')
        && !p.ends_with("ss")
        && !p.ends_with("us")
        && !p.ends_with("is")
        && p.len() > 1
    {
        p[..p.len() - 1].to_string()
    } else {
        p
    };
    // `Self`-like and prelude names would confuse readers and the compiler.
    match singular.as_str() {
        "Self" | "Option" | "Result" | "Vec" | "String" | "Box" | "Row" | "Error" => {
            format!("{singular}Row")
        }
        _ => singular,
    }
}

/// An enum variant for a label: `it's complicated` → `ItSComplicated`.
pub fn variant(label: &str) -> String {
    let v = pascal(label);
    if v == "Self" { "SelfValue".into() } else { v }
}

/// A constant's name for a column: `createdAt` → `CREATED_AT`.
pub fn constant(column: &str) -> String {
    snake(column).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("Item ID"), "item_id");
        assert_eq!(snake("HTTPStatus"), "http_status");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(pascal("job_status"), "JobStatus");
        assert_eq!(pascal("it's complicated"), "ItSComplicated");
        assert_eq!(field("type"), "r#type");
        assert_eq!(struct_name("jobs"), "Job");
        assert_eq!(struct_name("api_keys"), "ApiKey");
        assert_eq!(struct_name("daily_usage"), "DailyUsage");
        assert_eq!(struct_name("usage_history"), "UsageHistory");
        assert_eq!(struct_name("status"), "Status");
        assert_eq!(struct_name("AppVersion"), "AppVersion");
    }
}
