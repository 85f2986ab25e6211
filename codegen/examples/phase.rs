#[path = "../../benches/synthetic.rs"]
mod synthetic;
fn main() {
    let sql = synthetic::schema_sql(1000);
    let parsed = schema::parse_sql("s.sql", &sql);
    let opts = codegen::Options {
        module: "s".into(),
        source: "s".into(),
        threads: 1,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(codegen::generate(&parsed.schema, &opts).unwrap());
    }
    eprintln!("cold 1 thread {:?}", t.elapsed() / 20);
}
