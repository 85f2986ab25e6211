//! pg_catalog → the schema model the parser produces. A fixed set of queries, whatever the
//! number of tables, each with an ORDER BY. System schemas, objects that belong to
//! extensions, and the runner's tracking table (with a schema made only for it) are left out.

use std::collections::BTreeMap;

use postgres::Client;
use schema::Loc;
use schema::model::*;

use crate::Error;

/// The number of catalog queries one introspection runs (for the benchmark).
pub const QUERY_COUNT: usize = QUERIES.len();

const USER_SCHEMA: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

const QUERIES: [&str; 13] = [
    // 0: extensions
    "SELECT e.extname::text, n.nspname::text, e.extversion
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql' ORDER BY 1",
    // 1: schemas
    "SELECT n.nspname::text FROM pg_namespace n
     WHERE {USER} AND n.nspname <> 'public'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
     ORDER BY 1",
    // 2: enums
    "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder),
            obj_description(t.oid, 'pg_type')
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE {USER} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
     GROUP BY n.nspname, t.typname, t.oid ORDER BY 1, 2",
    // 3: domains
    "SELECT n.nspname::text, t.typname::text, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
            CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN co.collname::text END,
            coalesce((SELECT array_agg(c.conname::text ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '{}'),
            coalesce((SELECT array_agg(pg_get_constraintdef(c.oid, true) ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '{}')
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type bt ON bt.oid = t.typbasetype
          LEFT JOIN pg_collation co ON co.oid = t.typcollation
     WHERE t.typtype = 'd' AND {USER}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
     ORDER BY 1, 2",
    // 4: columns (and table comments)
    "SELECT n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attndims::int,
            a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname::text END,
            dc.description, dt.description, a.attnum::int, a.attcollation
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
          LEFT JOIN pg_description dc ON dc.objoid = c.oid AND dc.classoid = 'pg_class'::regclass AND dc.objsubid = a.attnum
          LEFT JOIN pg_description dt ON dt.objoid = c.oid AND dt.classoid = 'pg_class'::regclass AND dt.objsubid = 0
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER}
       AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
     ORDER BY 1, 2, a.attnum",
    // 5: constraints (column numbers are resolved with query 4's names)
    "SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text, con.conkey,
            fn.nspname::text, fc.relname::text, con.confkey,
            con.confdeltype::text, con.confupdtype::text, con.confmatchtype::text, con.condeferrable, con.condeferred,
            CASE WHEN con.contype IN ('c', 'x') THEN pg_get_constraintdef(con.oid, true) END,
            {NULLS_NOT_DISTINCT}, i.indkey::int2[], i.indnkeyatts::int, am.amname::text
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
          LEFT JOIN pg_index i ON i.indexrelid = con.conindid
          LEFT JOIN pg_class ic ON ic.oid = con.conindid LEFT JOIN pg_am am ON am.oid = ic.relam
     WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER}
     ORDER BY 1, 2, 3",
    // 6: indexes that do not back a constraint (column numbers, operator classes and
    // collations are resolved with queries 4, 11 and 12)
    "SELECT n.nspname::text, ic.relname::text, c.relname::text, i.indisunique, am.amname::text, i.indnkeyatts::int,
            CASE WHEN 0 = ANY (i.indkey::int2[]) THEN
              ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k, true) ELSE '' END
                    FROM generate_series(1, i.indnatts) k ORDER BY k) END,
            i.indkey::int2[], i.indoption::int2[], i.indclass::oid[], i.indcollation::oid[],
            pg_get_expr(i.indpred, i.indrelid), coalesce(ic.reloptions, '{}'), {NULLS_NOT_DISTINCT},
            ds.description
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = ic.relam
          LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')
          LEFT JOIN pg_description ds ON ds.objoid = ic.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
     WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND {USER} AND con.oid IS NULL
     ORDER BY 1, 2",
    // 7: sequences not owned by a column
    "SELECT n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
     WHERE c.relkind = 'S' AND {USER}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
     ORDER BY 1, 2",
    // 8: views and materialized views, with what their rules read
    "SELECT n.nspname::text, c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid, true), obj_description(c.oid, 'pg_class'),
            deps.nsps, deps.names
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN LATERAL ({DEPENDS_ON}
            d.classid = 'pg_rewrite'::regclass AND d.objid IN (SELECT rw.oid FROM pg_rewrite rw WHERE rw.ev_class = c.oid)
            AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid)) x) deps ON true
     WHERE c.relkind IN ('v', 'm') AND {USER}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 1, 2",
    // 9: functions and procedures
    "SELECT n.nspname::text, p.proname::text,
            ARRAY(SELECT format_type(u.t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o) ORDER BY u.o),
            CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END,
            l.lanname::text, p.prosrc, p.provolatile::text, pg_get_function_arguments(p.oid),
            p.proparallel::text, p.procost, p.prorows, p.prosecdef, coalesce(p.proconfig, '{}'), p.proisstrict,
            p.proleakproof, CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END,
            deps.nsps, deps.names, p.proretset
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
          LEFT JOIN LATERAL ({DEPENDS_ON}
            d.classid = 'pg_proc'::regclass AND d.objid = p.oid
            AND NOT (d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid)) x) deps ON true
     WHERE {USER} AND p.prokind IN ('f', 'p')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 1, 2, 3",
    // 10: triggers
    "SELECT n.nspname::text, c.relname::text, t.tgname::text, t.tgtype::int, fn.nspname::text, f.proname::text,
            pg_get_triggerdef(t.oid, true),
            ARRAY(SELECT a.attname::text FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum ORDER BY k.ord)
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace
     WHERE NOT t.tgisinternal AND NOT c.relispartition AND {USER}
     ORDER BY 1, 2, 3",
    // 11: operator classes that are not their type's default
    "SELECT oid, opcname::text FROM pg_opclass WHERE NOT opcdefault ORDER BY oid",
    // 12: collations
    "SELECT oid, collname::text FROM pg_collation ORDER BY oid",
];

/// The relations, types and functions an object needs (`pg_depend`, normal
/// dependencies), as two arrays in the same order: their schemas and their names. An array
/// type stands for its element type, and a composite type has its relation's name. The
/// query appends the condition that selects the dependent object's rows (`d.…`) and
/// closes it with `) x)`.
const DEPENDS_ON: &str = "SELECT coalesce(array_agg(x.nsp ORDER BY x.nsp, x.name), '{}') AS nsps,
            coalesce(array_agg(x.name ORDER BY x.nsp, x.name), '{}') AS names
     FROM (SELECT DISTINCT rn.nspname::text AS nsp, coalesce(rc.relname, et.typname, rp.proname)::text AS name
           FROM pg_depend d
                LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
                LEFT JOIN pg_type rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
                LEFT JOIN pg_type et ON et.oid = CASE WHEN rt.typcategory = 'A' AND rt.typelem <> 0 THEN rt.typelem ELSE rt.oid END
                LEFT JOIN pg_proc rp ON d.refclassid = 'pg_proc'::regclass AND rp.oid = d.refobjid
                JOIN pg_namespace rn ON rn.oid = coalesce(rc.relnamespace, et.typnamespace, rp.pronamespace)
           WHERE d.deptype = 'n' AND";

/// A column of a catalog row; a type the server did not send as expected is an error,
/// not a panic.
fn get<'a, T: postgres::types::FromSql<'a>>(r: &'a postgres::Row, i: usize) -> Result<T, Error> {
    r.try_get(i)
        .map_err(|e| Error::db(&format!("catalog column {i}"), e))
}

/// The names of [`DEPENDS_ON`]'s two arrays, from column `i` on.
fn depends_on(r: &postgres::Row, i: usize) -> Result<DependsOn, Error> {
    let schemas: Vec<String> = get(r, i)?;
    let names: Vec<String> = get(r, i + 1)?;
    Ok(DependsOn(
        schemas
            .into_iter()
            .zip(names)
            .map(|(s, n)| QualifiedName::new(s, n))
            .collect(),
    ))
}

fn sql(i: usize) -> String {
    QUERIES[i]
        .replace("{USER}", USER_SCHEMA)
        // `pg_index.indnullsnotdistinct` exists from PostgreSQL 15; read through the
        // row's JSON it is NULL (false) on 14.
        .replace(
            "{NULLS_NOT_DISTINCT}",
            "coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)",
        )
        .replace("{DEPENDS_ON}", DEPENDS_ON)
}

thread_local! {
    /// Parsed type texts: a catalog has few distinct ones and many columns.
    static TYPES: std::cell::RefCell<BTreeMap<String, DataType>> = const { std::cell::RefCell::new(BTreeMap::new()) };
}

fn ty(text: &str, what: &str) -> Result<DataType, Error> {
    if let Some(t) = TYPES.with(|c| c.borrow().get(text).cloned()) {
        return Ok(t);
    }
    let t = schema::parse_type(text).map_err(|e| Error::Environment(format!("{what}: {e}")))?;
    TYPES.with(|c| c.borrow_mut().insert(text.to_string(), t.clone()));
    Ok(t)
}

/// Reads the catalog of the connected database into a model. Tables named in `exclude`
/// (the runner's tracking table) are left out, with their indexes and triggers, and the
/// schema such a table is in when nothing else is in it (drizzle's `drizzle`).
pub fn introspect(client: &mut Client, exclude: &[QualifiedName]) -> Result<Schema, Error> {
    introspect_counted(client, exclude).map(|(s, _)| s)
}

/// [`introspect`], also returning how many queries it sent (it does not grow with the
/// number of tables).
pub fn introspect_counted(
    client: &mut Client,
    exclude: &[QualifiedName],
) -> Result<(Schema, usize), Error> {
    let mut s = Schema::default();
    let sent = std::cell::Cell::new(0usize);
    let q = |client: &mut Client, i: usize| {
        sent.set(sent.get() + 1);
        client
            .query(&sql(i), &[])
            .map_err(|e| Error::db(&format!("catalog query {i} failed"), e))
    };
    for r in q(client, 0)? {
        let name: String = get(&r, 0)?;
        s.extensions.insert(
            name.clone(),
            Extension {
                name,
                schema: Some(get(&r, 1)?),
                version: Some(get(&r, 2)?),
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 1)? {
        let name: String = get(&r, 0)?;
        s.schemas.insert(
            name.clone(),
            Namespace {
                name,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 2)? {
        let name = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        s.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: get(&r, 2)?,
                comment: get(&r, 3)?,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 3)? {
        let name = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        let names: Vec<String> = get(&r, 6)?;
        let defs: Vec<String> = get(&r, 7)?;
        s.domains.insert(
            name.clone(),
            Domain {
                base: ty(&get::<String>(&r, 2)?, &format!("domain `{name}`"))?,
                name,
                not_null: get(&r, 3)?,
                default: get::<Option<String>>(&r, 4)?.map(|e| schema::canonical_expr(&e)),
                collation: get(&r, 5)?,
                checks: names
                    .into_iter()
                    .zip(defs.into_iter().map(|d| check_expr(&d)))
                    .collect(),
                loc: Loc::default(),
            },
        );
    }
    // Column names and collations by (table, attnum), for constraints and indexes.
    let mut attrs: BTreeMap<(QualifiedName, i16), (String, u32)> = BTreeMap::new();
    for r in q(client, 4)? {
        let table = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        attrs.insert(
            (table.clone(), get::<i32>(&r, 12)? as i16),
            (get::<String>(&r, 2)?, get::<u32>(&r, 13)?),
        );
        let comment: Option<String> = get(&r, 11)?;
        let entry = s.tables.entry(table.clone()).or_insert_with(|| Table {
            name: table.clone(),
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            comment,
            loc: Loc::default(),
        });
        let name: String = get(&r, 2)?;
        let mut data_type = ty(
            &get::<String>(&r, 3)?,
            &format!("table `{table}`: column `{name}`"),
        )?;
        let dims: i32 = get(&r, 4)?;
        if dims > 1 {
            data_type.array_dims = dims as u32;
        }
        let expr: Option<String> =
            get::<Option<String>>(&r, 6)?.map(|e| schema::canonical_expr(&e));
        let identity: String = get(&r, 7)?;
        let generated: String = get(&r, 8)?;
        let is_generated = generated == "s" || generated == "v";
        entry.columns.push(Column {
            name,
            data_type,
            not_null: get(&r, 5)?,
            default: if is_generated { None } else { expr.clone() },
            identity: match identity.as_str() {
                "a" => Some(Identity::Always),
                "d" => Some(Identity::ByDefault),
                _ => None,
            },
            generated: if is_generated { expr } else { None },
            collation: get(&r, 9)?,
            comment: get(&r, 10)?,
            loc: Loc::default(),
        });
    }
    let names = |table: &QualifiedName, nums: &[i16]| -> Vec<String> {
        nums.iter()
            .map(|n| {
                attrs
                    .get(&(table.clone(), *n))
                    .map_or_else(|| format!("#{n}"), |(name, _)| name.clone())
            })
            .collect()
    };
    for r in q(client, 5)? {
        let table = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        let name: String = get(&r, 2)?;
        let contype: String = get(&r, 3)?;
        let columns = names(&table, &get::<Option<Vec<i16>>>(&r, 4)?.unwrap_or_default());
        let ref_table = QualifiedName::new(
            get::<Option<String>>(&r, 5)?.unwrap_or_default(),
            get::<Option<String>>(&r, 6)?.unwrap_or_default(),
        );
        let ref_columns = names(
            &ref_table,
            &get::<Option<Vec<i16>>>(&r, 7)?.unwrap_or_default(),
        );
        let def: String = get::<Option<String>>(&r, 13)?.unwrap_or_default();
        let indkey: Vec<i16> = get::<Option<Vec<i16>>>(&r, 15)?.unwrap_or_default();
        let nkey = get::<Option<i32>>(&r, 16)?.unwrap_or(0) as usize;
        let include = names(&table, indkey.get(nkey..).unwrap_or_default());
        let kind = match contype.as_str() {
            "p" => ConstraintKind::PrimaryKey { columns, include },
            "u" => ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct: get(&r, 14)?,
            },
            "c" => ConstraintKind::Check {
                expr: check_expr(&def),
            },
            "f" => ConstraintKind::ForeignKey(ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete: action(&get::<String>(&r, 8)?),
                on_update: action(&get::<String>(&r, 9)?),
                match_type: match get::<String>(&r, 10)?.as_str() {
                    "f" => FkMatch::Full,
                    "p" => FkMatch::Partial,
                    _ => FkMatch::Simple,
                },
            }),
            _ => {
                let (elements, predicate) = exclusion_parts(&def);
                ConstraintKind::Exclusion {
                    method: IndexMethod::from_name(
                        &get::<Option<String>>(&r, 17)?.unwrap_or_default(),
                    ),
                    elements,
                    include,
                    predicate,
                }
            }
        };
        if let Some(t) = s.tables.get_mut(&table) {
            t.constraints.insert(
                name.clone(),
                Constraint {
                    name,
                    kind,
                    deferrable: get(&r, 11)?,
                    initially_deferred: get(&r, 12)?,
                    loc: Loc::default(),
                },
            );
        }
    }
    let opclasses: BTreeMap<u32, String> = q(client, 11)?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect::<Result<_, Error>>()?;
    let collations: BTreeMap<u32, String> = q(client, 12)?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect::<Result<_, Error>>()?;
    /// The database's default collation: an index key using it shows none.
    const DEFAULT_COLLATION: u32 = 100;
    for r in q(client, 6)? {
        let schema_name: String = get(&r, 0)?;
        let name = QualifiedName::new(schema_name.clone(), get::<String>(&r, 1)?);
        let table = QualifiedName::new(schema_name, get::<String>(&r, 2)?);
        let nkey = get::<i32>(&r, 5)? as usize;
        let exprs: Vec<String> = get::<Option<Vec<String>>>(&r, 6)?.unwrap_or_default();
        let indkey: Vec<i16> = get(&r, 7)?;
        let options: Vec<i16> = get(&r, 8)?;
        let classes: Vec<u32> = get(&r, 9)?;
        let colls: Vec<u32> = get(&r, 10)?;
        let reloptions: Vec<String> = get(&r, 12)?;
        let mut keys = Vec::new();
        let mut include = Vec::new();
        for (k, attnum) in indkey.iter().enumerate() {
            let column = (*attnum != 0)
                .then(|| attrs.get(&(table.clone(), *attnum)))
                .flatten();
            if k >= nkey {
                include.extend(column.map(|(n, _)| n.clone()));
                continue;
            }
            let option = options.get(k).copied().unwrap_or(0);
            let descending = option & 1 != 0;
            let nulls_first = option & 2 != 0;
            let coll = colls.get(k).copied().unwrap_or(0);
            let column_coll = column.map_or(0, |(_, c)| *c);
            keys.push(IndexKey {
                expr: match column {
                    Some((n, _)) => KeyExpr::Column(n.clone()),
                    None => KeyExpr::Expression(schema::canonical_expr(unwrap_parens(
                        exprs.get(k).map_or("", String::as_str),
                    ))),
                },
                opclass: classes.get(k).and_then(|c| opclasses.get(c)).cloned(),
                collation: (coll != 0 && coll != column_coll && coll != DEFAULT_COLLATION)
                    .then(|| collations.get(&coll).cloned())
                    .flatten(),
                descending,
                // Written only when it differs from the default for the direction.
                nulls_first: (nulls_first != descending).then_some(nulls_first),
            });
        }
        s.indexes.insert(
            name.clone(),
            Index {
                name,
                table,
                unique: get(&r, 3)?,
                method: IndexMethod::from_name(&get::<String>(&r, 4)?),
                keys,
                include,
                nulls_not_distinct: get(&r, 13)?,
                predicate: get::<Option<String>>(&r, 11)?.map(|p| schema::canonical_expr(&p)),
                with: reloptions
                    .iter()
                    .filter_map(|o| {
                        o.split_once('=')
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                    })
                    .collect(),
                comment: get(&r, 14)?,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 7)? {
        let name = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        let data_type = ty(&get::<String>(&r, 2)?, &format!("sequence `{name}`"))?;
        s.sequences.insert(
            name.clone(),
            Sequence {
                name,
                data_type: Some(data_type),
                owned_by: None,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 8)? {
        let name = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        s.views.insert(
            name.clone(),
            View {
                name,
                materialized: get(&r, 2)?,
                definition: r
                    .get::<_, String>(3)
                    .trim()
                    .trim_end_matches(';')
                    .to_string(),
                comment: get(&r, 4)?,
                depends_on: depends_on(&r, 5)?,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 9)? {
        let name = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        let arg_texts: Vec<String> = get(&r, 2)?;
        let mut args = Vec::new();
        for a in &arg_texts {
            args.push(ty(a, &format!("function `{name}`"))?);
        }
        let key = FunctionKey { name, args };
        let language: String = get(&r, 4)?;
        let sql_body: Option<String> = get(&r, 15)?;
        let mut depends_on = depends_on(&r, 16)?;
        let (body, body_style) = match sql_body {
            Some(b) => (b, BodyStyle::SqlStandard),
            None => {
                let body: String = get(&r, 5)?;
                // Postgres records nothing of what a body in a string reads (a SQL
                // body's statements, a PL/pgSQL body's %ROWTYPE): ask the parser's front
                // end, as the parser does.
                depends_on.0.extend(schema::body_reads(&language, &body).0);
                (body, BodyStyle::String)
            }
        };
        let cost: f32 = get(&r, 9)?;
        let rows: f32 = get(&r, 10)?;
        let cost_default = if matches!(language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        let rows_default = if get::<bool>(&r, 18)? { 1000.0 } else { 0.0 };
        let config: Vec<String> = get(&r, 12)?;
        s.functions.insert(
            key.clone(),
            Function {
                key,
                params: get(&r, 7)?,
                returns: get(&r, 3)?,
                language,
                body,
                body_style,
                volatility: match get::<String>(&r, 6)?.as_str() {
                    "i" => Volatility::Immutable,
                    "s" => Volatility::Stable,
                    _ => Volatility::Volatile,
                },
                strict: get(&r, 13)?,
                security_definer: get(&r, 11)?,
                leakproof: get(&r, 14)?,
                parallel: match get::<String>(&r, 8)?.as_str() {
                    "s" => Parallel::Safe,
                    "r" => Parallel::Restricted,
                    _ => Parallel::Unsafe,
                },
                cost: (cost != cost_default).then(|| cost.to_string()),
                rows: (rows != rows_default).then(|| rows.to_string()),
                config: config
                    .iter()
                    .filter_map(|c| c.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                depends_on,
                loc: Loc::default(),
            },
        );
    }
    for r in q(client, 10)? {
        let table = QualifiedName::new(get::<String>(&r, 0)?, get::<String>(&r, 1)?);
        let name: String = get(&r, 2)?;
        let tgtype: i32 = get(&r, 3)?;
        let def: String = get(&r, 6)?;
        let update_of: Vec<String> = get(&r, 7)?;
        let mut events = Vec::new();
        if tgtype & 4 != 0 {
            events.push("INSERT".to_string());
        }
        if tgtype & 8 != 0 {
            events.push("DELETE".to_string());
        }
        if tgtype & 16 != 0 {
            if update_of.is_empty() {
                events.push("UPDATE".to_string());
            } else {
                let cols: Vec<String> = update_of.iter().map(|c| quote_ident(c)).collect();
                events.push(format!("UPDATE OF {}", cols.join(", ")));
            }
        }
        if tgtype & 32 != 0 {
            events.push("TRUNCATE".to_string());
        }
        let timing = if tgtype & 2 != 0 {
            "BEFORE"
        } else if tgtype & 64 != 0 {
            "INSTEAD OF"
        } else {
            "AFTER"
        };
        let condition = def
            .split_once(" WHEN (")
            .and_then(|(_, rest)| rest.rsplit_once(") EXECUTE"))
            .map(|(c, _)| c.to_string());
        s.triggers.insert(
            (table.clone(), name.clone()),
            Trigger {
                name,
                table,
                timing: timing.to_string(),
                events,
                for_each_row: tgtype & 1 != 0,
                condition,
                function: QualifiedName::new(get::<String>(&r, 4)?, get::<String>(&r, 5)?),
                loc: Loc::default(),
            },
        );
    }
    for name in exclude {
        s.tables.remove(name);
        s.triggers.retain(|(t, _), _| t != name);
        s.indexes.retain(|_, i| i.table != *name);
    }
    // A schema that holds only an excluded table was made for it (drizzle's `drizzle`).
    for name in exclude {
        let ns = name.schema.as_str();
        let used = s.tables.keys().any(|k| k.schema == ns)
            || s.views.keys().any(|k| k.schema == ns)
            || s.enums.keys().any(|k| k.schema == ns)
            || s.domains.keys().any(|k| k.schema == ns)
            || s.sequences.keys().any(|k| k.schema == ns)
            || s.functions.keys().any(|k| k.name.schema == ns)
            || s.indexes.keys().any(|k| k.schema == ns)
            || s.extensions
                .values()
                .any(|e| e.schema.as_deref() == Some(ns));
        if ns != "public" && !used {
            s.schemas.remove(ns);
        }
    }
    Ok((s, sent.get()))
}

/// `CHECK ((a > 0)) NOT VALID` → `(a > 0)` as Postgres prints the expression.
fn check_expr(def: &str) -> String {
    schema::canonical_expr(&check_text(def))
}

/// The expression of a CHECK definition, as Postgres prints it.
fn check_text(def: &str) -> String {
    let def = def
        .trim()
        .trim_end_matches(" NOT VALID")
        .trim_end_matches(" NO INHERIT");
    let inner = def.strip_prefix("CHECK ").unwrap_or(def);
    let inner = inner
        .strip_prefix('(')
        .and_then(|i| i.strip_suffix(')'))
        .unwrap_or(inner);
    inner.to_string()
}

/// `EXCLUDE USING gist (room WITH =, during WITH &&) INCLUDE (note) WHERE (NOT cancelled)
/// DEFERRABLE` → the elements `room WITH =` and `during WITH &&` and the predicate `NOT
/// cancelled`, as the parser models them.
fn exclusion_parts(def: &str) -> (Vec<String>, Option<String>) {
    let Some((elements, rest)) = def.find('(').and_then(|i| parenthesized(&def[i..])) else {
        return (vec![def.to_string()], None);
    };
    let elements = split_top_level(elements)
        .into_iter()
        .map(|e| e.trim().to_string())
        .collect();
    let predicate = rest
        .find(" WHERE (")
        .and_then(|i| parenthesized(&rest[i + " WHERE ".len()..]))
        .map(|(p, _)| p.to_string());
    (elements, predicate)
}

/// For text starting with `(`: what the matching `)` encloses, and the text after it.
/// Parentheses inside quotes do not count.
fn parenthesized(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((&text[1..i], &text[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at the commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `(a + b)` → `a + b`, only when the outer parentheses enclose the whole text.
fn unwrap_parens(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return text;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return text;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner } else { text }
}

fn action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

#[cfg(test)]
mod tests {
    use super::exclusion_parts;

    #[test]
    fn exclusion_definitions_split_into_the_parsers_elements_and_predicate() {
        let parts = |d: &str| exclusion_parts(d);
        assert_eq!(
            parts("EXCLUDE USING gist (room WITH =, during WITH &&)"),
            (vec!["room WITH =".into(), "during WITH &&".into()], None)
        );
        assert_eq!(
            parts(
                "EXCLUDE USING gist (room WITH =, tstzrange(lower(during), upper(during)) WITH &&) WHERE (NOT cancelled) DEFERRABLE INITIALLY DEFERRED"
            ),
            (
                vec![
                    "room WITH =".into(),
                    "tstzrange(lower(during), upper(during)) WITH &&".into()
                ],
                Some("NOT cancelled".into())
            )
        );
        assert_eq!(
            parts(
                "EXCLUDE USING btree (note COLLATE \"C,(\" WITH =) INCLUDE (a) WHERE (f(note) = ')')"
            ),
            (
                vec!["note COLLATE \"C,(\" WITH =".into()],
                Some("f(note) = ')'".into())
            )
        );
    }
}
