//! Enum types and domains: CREATE TYPE, ALTER TYPE, CREATE DOMAIN.

use super::*;

impl Folder {
    // ----- types -------------------------------------------------------------------

    pub(super) fn create_type(
        &mut self,
        ctx: &Ctx,
        name: &ast::ObjectName,
        repr: Option<ast::UserDefinedTypeRepresentation>,
    ) -> Option<String> {
        let name = self.qname(name);
        match repr {
            Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                if self.schema.enums.contains_key(&name) || self.schema.domains.contains_key(&name)
                {
                    self.exists(ctx, false, format!("type `{name}`"));
                    return None;
                }
                let mut seen: Vec<String> = Vec::new();
                for l in labels {
                    if seen.contains(&l.value) {
                        self.error(
                            ctx,
                            Code::Duplicate,
                            format!("enum `{name}`: label `{}` used more than once", l.value),
                            "remove the duplicate label",
                        );
                        return None;
                    }
                    seen.push(l.value);
                }
                touch!(self.enums, &name);
                self.schema.enums.insert(
                    name.clone(),
                    EnumType {
                        name,
                        labels: seen,
                        comment: None,
                        loc: ctx.loc.clone(),
                    },
                );
                None
            }
            _ => {
                let reason =
                    "opaque to the offline model: composite, range or base type".to_string();
                self.note_opaque(ctx, &reason, "only enum types and domains are modelled; this type is kept verbatim and applied as written");
                Some(reason)
            }
        }
    }

    pub(super) fn alter_type(&mut self, ctx: &Ctx, at: ast::AlterType) {
        let name = self.qname(&at.name);
        if !self.schema.enums.contains_key(&name) {
            self.missing(ctx, false, format!("enum type `{name}`"));
            return;
        }
        touch!(self.enums, &name);
        match at.operation {
            ast::AlterTypeOperation::AddValue(add) => {
                let Some(e) = self.schema.enums.get_mut(&name) else {
                    return;
                };
                let value = add.value.value.clone();
                if e.labels.contains(&value) {
                    if !add.if_not_exists {
                        self.error(
                            ctx,
                            Code::Duplicate,
                            format!("enum `{name}`: label `{value}` already exists"),
                            "use ADD VALUE IF NOT EXISTS, or remove the statement",
                        );
                    }
                    return;
                }
                let at = match &add.position {
                    None => Some(e.labels.len()),
                    Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                        e.labels.iter().position(|l| *l == b.value)
                    }
                    Some(ast::AlterTypeAddValuePosition::After(a)) => {
                        e.labels.iter().position(|l| *l == a.value).map(|i| i + 1)
                    }
                };
                match at {
                    Some(i) => e.labels.insert(i, value),
                    None => self.error(
                        ctx,
                        Code::UnknownObject,
                        format!("enum `{name}`: the label named in BEFORE/AFTER does not exist"),
                        "name an existing label",
                    ),
                }
            }
            ast::AlterTypeOperation::RenameValue(r) => {
                let Some(e) = self.schema.enums.get_mut(&name) else {
                    return;
                };
                match e.labels.iter_mut().find(|l| **l == r.from.value) {
                    Some(l) => *l = r.to.value.clone(),
                    None => self.error(
                        ctx,
                        Code::UnknownObject,
                        format!("enum `{name}`: label `{}` does not exist", r.from.value),
                        "name an existing label",
                    ),
                }
            }
            ast::AlterTypeOperation::Rename(r) => {
                let new = QualifiedName::new(name.schema.clone(), ident(&r.new_name));
                touch!(self.enums, &new);
                let named = TypeName::Named(name.clone());
                touch_where!(self.tables, |_, t| t
                    .columns
                    .iter()
                    .any(|c| c.data_type.name == named));
                if let Some(mut e) = self.schema.enums.remove(&name) {
                    e.name = new.clone();
                    self.schema.enums.insert(new.clone(), e);
                }
                for t in self.schema.tables.values_mut() {
                    for c in &mut t.columns {
                        if c.data_type.name == TypeName::Named(name.clone()) {
                            c.data_type.name = TypeName::Named(new.clone());
                        }
                    }
                }
            }
        }
    }

    pub(super) fn create_domain(&mut self, ctx: &Ctx, cd: ast::CreateDomain) {
        let name = self.qname(&cd.name);
        if self.schema.enums.contains_key(&name) || self.schema.domains.contains_key(&name) {
            self.exists(ctx, false, format!("type `{name}`"));
            return;
        }
        let Some(base) = self.column_type(ctx, &cd.data_type, &format!("domain `{name}`")) else {
            return;
        };
        let mut checks = std::collections::BTreeMap::new();
        for c in &cd.constraints {
            match c {
                ast::TableConstraint::Check(ch) => {
                    let cname = match &ch.name {
                        Some(n) => ident(n),
                        None => names::choose_name(&name.name, None, "check", |n| {
                            checks.contains_key(n)
                        }),
                    };
                    checks.insert(cname, strip_nested(&ch.expr).to_string());
                }
                other => self.error(
                    ctx,
                    Code::Unsupported,
                    format!("domain `{name}`: constraint `{other}` is not allowed on a domain"),
                    "domains take NOT NULL and CHECK constraints only",
                ),
            }
        }
        touch!(self.domains, &name);
        self.schema.domains.insert(
            name.clone(),
            Domain {
                name,
                base,
                not_null: false,
                default: cd.default.as_ref().map(ToString::to_string),
                collation: cd.collation.as_ref().map(ident),
                checks,
                loc: ctx.loc.clone(),
            },
        );
    }

    /// After a rewritten `CREATE DOMAIN … NOT NULL`: marks the domain just created.
    pub(super) fn mark_domain_not_null(&mut self, ctx: &Ctx) {
        if let Ok(ast::Statement::CreateDomain(cd)) = parse_one(ctx.text) {
            let name = self.qname(&cd.name);
            touch!(self.domains, &name);
            if let Some(d) = self.schema.domains.get_mut(&name) {
                d.not_null = true;
            }
        }
    }
}
