//! Code generation over whatever model the fuzzer reaches: the fuzzer's bytes are parsed
//! as SQL and, when they parse without errors, the model goes through
//! `codegen::generate`. Generating must never panic, must give the same bytes twice,
//! and every file of an `Ok` result must parse as Rust (`syn::parse_file`). What `syn`
//! cannot see is checked on its tree where it is cheap: every module `mod.rs` declares is
//! among the files, and no scope defines a name twice (items, fields, variants,
//! parameters), the clashes SQL names most often cause.

#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = schema::parse_sql("fuzz.sql", &text);
    if parsed.has_errors() {
        return;
    }
    let opts = codegen::Options {
        module: "fuzz".to_string(),
        source: "fuzz.sql".to_string(),
        ..codegen::Options::default()
    };
    let result = codegen::generate(&parsed.schema, &opts);
    assert!(
        result == codegen::generate(&parsed.schema, &opts),
        "generating twice gave different results\n--- input:\n{text}"
    );
    let Ok(files) = result else {
        return;
    };
    for (path, code) in &files {
        let file = match syn::parse_file(code) {
            Ok(file) => file,
            Err(e) => panic!(
                "{path} does not parse as Rust: {e}\n--- input:\n{text}\n--- {path}:\n{code}"
            ),
        };
        let mut clashes = Vec::new();
        scope(&file.items, path, &mut clashes);
        assert!(
            clashes.is_empty(),
            "{path} defines names twice: {}\n--- input:\n{text}\n--- {path}:\n{code}",
            clashes.join("; ")
        );
    }
    let Some(mod_rs) = files.get("fuzz/mod.rs") else {
        panic!("no mod.rs among {:?}\n--- input:\n{text}", files.keys());
    };
    let Ok(file) = syn::parse_file(mod_rs) else {
        return;
    };
    for item in &file.items {
        if let syn::Item::Mod(m) = item
            && m.content.is_none()
        {
            let name = m.ident.to_string();
            let path = format!("fuzz/{}.rs", name.strip_prefix("r#").unwrap_or(&name));
            assert!(
                files.contains_key(&path),
                "mod.rs declares `{name}` but {path} is not generated\n--- input:\n{text}"
            );
        }
    }
});

/// Records `name` in `seen`, or a clash when it is there already.
fn define(seen: &mut BTreeSet<String>, what: &str, name: String, clashes: &mut Vec<String>) {
    if !seen.insert(name.clone()) {
        clashes.push(format!("{what}: `{name}`"));
    }
}

/// The items of one module scope: the type and value namespaces, and what is inside each
/// item. `use` leaves count in both namespaces (glob imports are shadowed, so they are
/// left out).
fn scope(items: &[syn::Item], at: &str, clashes: &mut Vec<String>) {
    let (mut types, mut values) = (BTreeSet::new(), BTreeSet::new());
    let in_scope = |kind: &str| format!("{at}: {kind}");
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                define(&mut types, &in_scope("type"), s.ident.to_string(), clashes);
                if !matches!(s.fields, syn::Fields::Named(_)) {
                    define(
                        &mut values,
                        &in_scope("value"),
                        s.ident.to_string(),
                        clashes,
                    );
                }
                fields(&s.fields, &format!("{at}: struct {}", s.ident), clashes);
            }
            syn::Item::Enum(e) => {
                define(&mut types, &in_scope("type"), e.ident.to_string(), clashes);
                let what = format!("{at}: enum {}", e.ident);
                let mut variants = BTreeSet::new();
                for v in &e.variants {
                    define(&mut variants, &what, v.ident.to_string(), clashes);
                    fields(&v.fields, &format!("{what}::{}", v.ident), clashes);
                }
            }
            syn::Item::Mod(m) => {
                define(&mut types, &in_scope("type"), m.ident.to_string(), clashes);
                if let Some((_, inner)) = &m.content {
                    scope(inner, &format!("{at}::{}", m.ident), clashes);
                }
            }
            syn::Item::Type(t) => {
                define(&mut types, &in_scope("type"), t.ident.to_string(), clashes)
            }
            syn::Item::Trait(t) => {
                define(&mut types, &in_scope("type"), t.ident.to_string(), clashes)
            }
            syn::Item::Union(u) => {
                define(&mut types, &in_scope("type"), u.ident.to_string(), clashes)
            }
            syn::Item::Fn(f) => {
                define(
                    &mut values,
                    &in_scope("value"),
                    f.sig.ident.to_string(),
                    clashes,
                );
                params(&f.sig, &format!("{at}: fn {}", f.sig.ident), clashes);
            }
            syn::Item::Const(c) => define(
                &mut values,
                &in_scope("value"),
                c.ident.to_string(),
                clashes,
            ),
            syn::Item::Static(s) => define(
                &mut values,
                &in_scope("value"),
                s.ident.to_string(),
                clashes,
            ),
            syn::Item::Use(u) => {
                let mut leaves = Vec::new();
                use_leaves(&u.tree, &mut leaves);
                for leaf in leaves {
                    define(&mut types, &in_scope("type"), leaf.clone(), clashes);
                    define(&mut values, &in_scope("value"), leaf, clashes);
                }
            }
            syn::Item::Impl(i) => {
                let mut assoc = BTreeSet::new();
                let what = format!("{at}: impl");
                for item in &i.items {
                    match item {
                        syn::ImplItem::Fn(f) => {
                            define(&mut assoc, &what, f.sig.ident.to_string(), clashes);
                            params(&f.sig, &format!("{what} fn {}", f.sig.ident), clashes);
                        }
                        syn::ImplItem::Const(c) => {
                            define(&mut assoc, &what, c.ident.to_string(), clashes)
                        }
                        syn::ImplItem::Type(t) => {
                            define(&mut assoc, &what, t.ident.to_string(), clashes)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn fields(fields: &syn::Fields, what: &str, clashes: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for f in fields {
        if let Some(ident) = &f.ident {
            define(&mut seen, what, ident.to_string(), clashes);
        }
    }
}

fn params(sig: &syn::Signature, what: &str, clashes: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for input in &sig.inputs {
        if let syn::FnArg::Typed(t) = input
            && let syn::Pat::Ident(p) = &*t.pat
        {
            define(&mut seen, what, p.ident.to_string(), clashes);
        }
    }
}

fn use_leaves(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => use_leaves(&p.tree, out),
        syn::UseTree::Name(n) if n.ident != "self" => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) if r.rename != "_" => out.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_leaves(t, out)),
        _ => {}
    }
}
