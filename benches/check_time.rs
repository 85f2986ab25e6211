//! Benchmark: `cargo check` time of generated code for a synthetic 200-table schema:
//! schemakit's module (with the blocking client, the default; and with both clients),
//! diesel's `schema.rs` (as `diesel print-schema` writes it) and
//! sea-orm's entities (as `sea-orm-cli generate entity` writes them). Each crate is
//! checked once to build its dependencies, then its own source is touched and checked
//! again: the second time is the figure (what a developer waits for after `generate`).
//!
//! Run with `cargo bench --bench check_time` (needs the package registry the first
//! time; takes several minutes), or `cargo bench --bench check_time -- schemakit sea` for
//! the crates whose names contain one of the words.

#[path = "synthetic.rs"]
mod synthetic;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TABLES: usize = 200;

fn pascal(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn manifest(name: &str, deps: &str) -> String {
    manifest_with(name, deps, "\"blocking\"")
}

/// A manifest declaring the generated crate's features, with `default` on.
fn manifest_with(name: &str, deps: &str, default: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[features]\ndefault = [{default}]\nblocking = []\ntokio = []\nserde = []\n\n[dependencies]\n{deps}"
    )
}

/// The generated module for `schema` with the generated crate's `default` features (the
/// blocking client; or both clients).
fn schemakit_crate(dir: &Path, schema: &schema::Schema, default: &str) {
    let opts = codegen::Options {
        module: "synthetic".into(),
        source: "synthetic.sql".into(),
        ..codegen::Options::default()
    };
    let files = codegen::generate(schema, &opts).unwrap_or_else(|e| panic!("{e:?}"));
    for (path, text) in files {
        write(&dir.join("src").join(path), &text);
    }
    write(
        &dir.join("src/lib.rs"),
        &codegen::lib_file(&[("synthetic".into(), "synthetic.sql".into())])
            .unwrap_or_else(|e| panic!("{e}")),
    );
    write(
        &dir.join("Cargo.toml"),
        &manifest_with(
            "bench_schemakit",
            &format!(
                "chrono = {{ version = \"0.4\", default-features = false, features = [\"std\", \"clock\"] }}\ncidr = \"0.3\"\npgvector = {{ version = \"0.4\", features = [\"postgres\"] }}\npostgres = {{ version = \"0.19\", features = [\"with-chrono-0_4\", \"with-uuid-1\", \"with-serde_json-1\"] }}\npostgres-types = {{ version = \"0.2\", features = [\"derive\", \"with-cidr-0_3\"] }}\nrust_decimal = {{ version = \"1\", default-features = false, features = [\"std\", \"db-postgres\"] }}\nschemakit-support = {{ path = {:?}, features = [\"blocking\", \"tokio\"] }}\nserde_json = \"1\"\nuuid = \"1\"\n",
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("support")
                    .display()
                    .to_string()
            ),
            default,
        ),
    );
}

fn diesel_crate(dir: &Path) {
    let mut s = String::from(
        "// A diesel schema.rs as `diesel print-schema` writes it.\n\npub mod sql_types {\n    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]\n    #[diesel(postgres_type(name = \"item_state\"))]\n    pub struct ItemState;\n}\n\n",
    );
    for i in 0..TABLES {
        let _ = write!(
            s,
            "diesel::table! {{\n    use diesel::sql_types::*;\n    use super::sql_types::ItemState;\n\n    table_{i:04} (id) {{\n        id -> Int8,\n        parent_id -> Nullable<Int8>,\n        #[max_length = 200]\n        name -> Varchar,\n        slug -> Text,\n        state -> ItemState,\n        amount -> Numeric,\n        ratio -> Nullable<Float8>,\n        tags -> Array<Nullable<Text>>,\n        payload -> Nullable<Jsonb>,\n        external_id -> Nullable<Uuid>,\n        created_at -> Timestamptz,\n        due_on -> Nullable<Date>,\n    }}\n}}\n\n"
        );
    }
    for i in 1..TABLES {
        let _ = writeln!(
            s,
            "diesel::joinable!(table_{i:04} -> table_{:04} (parent_id));",
            i - 1
        );
    }
    s.push_str("\ndiesel::allow_tables_to_appear_in_same_query!(\n");
    for i in 0..TABLES {
        let _ = writeln!(s, "    table_{i:04},");
    }
    s.push_str(");\n");
    write(
        &dir.join("src/lib.rs"),
        // diesel's allow_tables_to_appear_in_same_query! needs a higher recursion limit
        // for this many tables; its documentation says to raise it.
        "#![allow(unused)]\n#![recursion_limit = \"1024\"]\npub mod schema;\n",
    );
    write(&dir.join("src/schema.rs"), &s);
    write(
        &dir.join("Cargo.toml"),
        &manifest(
            "bench_diesel",
            "diesel = { version = \"2\", default-features = false, features = [\"postgres_backend\", \"chrono\", \"uuid\", \"serde_json\", \"numeric\"] }\n",
        ),
    );
}

fn sea_orm_crate(dir: &Path) {
    let mut lib = String::from("#![allow(unused)]\npub mod sea_orm_active_enums;\n");
    write(
        &dir.join("src/sea_orm_active_enums.rs"),
        "use sea_orm::entity::prelude::*;\n\n#[derive(Debug, Clone, PartialEq, Eq, EnumIter, DeriveActiveEnum)]\n#[sea_orm(rs_type = \"String\", db_type = \"Enum\", enum_name = \"item_state\")]\npub enum ItemState {\n    #[sea_orm(string_value = \"new\")]\n    New,\n    #[sea_orm(string_value = \"active\")]\n    Active,\n    #[sea_orm(string_value = \"archived\")]\n    Archived,\n}\n",
    );
    for i in 0..TABLES {
        let name = format!("table_{i:04}");
        let _ = writeln!(lib, "pub mod {name};");
        let mut relations = String::new();
        let mut related = String::new();
        if i > 0 {
            let parent = format!("table_{:04}", i - 1);
            let _ = write!(
                relations,
                "    #[sea_orm(belongs_to = \"super::{parent}::Entity\", from = \"Column::ParentId\", to = \"super::{parent}::Column::Id\", on_update = \"NoAction\", on_delete = \"Cascade\")]\n    {},\n",
                pascal(&parent)
            );
            let _ = write!(
                related,
                "impl Related<super::{parent}::Entity> for Entity {{\n    fn to() -> RelationDef {{\n        Relation::{}.def()\n    }}\n}}\n\n",
                pascal(&parent)
            );
        }
        if i + 1 < TABLES {
            let child = format!("table_{:04}", i + 1);
            let _ = write!(
                relations,
                "    #[sea_orm(has_many = \"super::{child}::Entity\")]\n    {},\n",
                pascal(&child)
            );
            let _ = write!(
                related,
                "impl Related<super::{child}::Entity> for Entity {{\n    fn to() -> RelationDef {{\n        Relation::{}.def()\n    }}\n}}\n\n",
                pascal(&child)
            );
        }
        let text = format!(
            "use super::sea_orm_active_enums::ItemState;\nuse sea_orm::entity::prelude::*;\n\n#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]\n#[sea_orm(table_name = \"{name}\")]\npub struct Model {{\n    #[sea_orm(primary_key)]\n    pub id: i64,\n    pub parent_id: Option<i64>,\n    pub name: String,\n    #[sea_orm(unique)]\n    pub slug: String,\n    pub state: ItemState,\n    #[sea_orm(column_type = \"Decimal(Some((12, 2)))\")]\n    pub amount: Decimal,\n    #[sea_orm(column_type = \"Double\", nullable)]\n    pub ratio: Option<f64>,\n    pub tags: Vec<String>,\n    #[sea_orm(column_type = \"JsonBinary\", nullable)]\n    pub payload: Option<Json>,\n    pub external_id: Option<Uuid>,\n    pub created_at: DateTimeWithTimeZone,\n    pub due_on: Option<Date>,\n}}\n\n#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {{\n{relations}}}\n\n{related}impl ActiveModelBehavior for ActiveModel {{}}\n"
        );
        write(&dir.join(format!("src/{name}.rs")), &text);
    }
    write(&dir.join("src/lib.rs"), &lib);
    write(
        &dir.join("Cargo.toml"),
        &manifest(
            "bench_sea_orm",
            "sea-orm = { version = \"1\", default-features = false, features = [\"macros\", \"with-json\", \"with-chrono\", \"with-rust_decimal\", \"with-uuid\", \"postgres-array\"] }\n",
        ),
    );
}

fn cargo_check(dir: &Path, target: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["check", "-q"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // diesel's incremental state grows by 10–20 GB a check for 200 tables: checks are
        // full, for every crate alike.
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .unwrap_or_else(|e| panic!("cargo: {e}"));
    let elapsed = start.elapsed();
    assert!(status.success(), "cargo check failed in {}", dir.display());
    elapsed
}

fn touch(dir: &Path) {
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap_or_default();
    write(&lib, &text);
}

fn main() {
    let root: PathBuf = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
            PathBuf::from,
        )
        .join("bench-check");
    let target = root.join("target");
    let parsed = schema::parse_sql("synthetic.sql", &synthetic::schema_sql(TABLES));
    assert!(!parsed.has_errors());
    let crates: [(&str, PathBuf); 4] = [
        ("schemakit (blocking)", root.join("schemakit")),
        ("schemakit (+ tokio)", root.join("schemakit_both")),
        ("diesel print-schema", root.join("diesel")),
        ("sea-orm entities", root.join("sea_orm")),
    ];
    schemakit_crate(&crates[0].1, &parsed.schema, "\"blocking\"");
    schemakit_crate(&crates[1].1, &parsed.schema, "\"blocking\", \"tokio\"");
    diesel_crate(&crates[2].1);
    sea_orm_crate(&crates[3].1);
    println!(
        "cargo check of generated code for {TABLES} tables (dependencies prebuilt; best of 3)"
    );
    // `cargo bench --bench check_time -- sea schemakit`: only the crates whose names
    // contain one of the words (diesel alone takes minutes).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (name, dir) in &crates {
        if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
            continue;
        }
        let cold = cargo_check(dir, &target);
        let mut best = Duration::MAX;
        for _ in 0..3 {
            touch(dir);
            best = best.min(cargo_check(dir, &target));
        }
        println!(
            "{name:<22} {:>7.2} s   (first check with dependencies: {:.0} s)",
            best.as_secs_f64(),
            cold.as_secs_f64()
        );
    }
}
