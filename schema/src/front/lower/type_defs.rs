//! Enum types and domains: CREATE TYPE, ALTER TYPE, CREATE DOMAIN.

use super::*;

impl Folder {
    pub(super) fn create_type(
        &mut self,
        ctx: &Ctx,
        name: &ast::ObjectName,
        repr: Option<ast::UserDefinedTypeRepresentation>,
    ) -> Option<String> {
        let name = self.qname(name);
        match repr {
            Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                let r = self.catalog.add_enum(EnumType {
                    name,
                    labels: labels.into_iter().map(|l| l.value).collect(),
                    comment: None,
                    loc: ctx.loc.clone(),
                });
                self.rule(ctx, r);
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
        match at.operation {
            ast::AlterTypeOperation::AddValue(add) => {
                let position = match add.position {
                    None => LabelPosition::End,
                    Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                        LabelPosition::Before(b.value)
                    }
                    Some(ast::AlterTypeAddValuePosition::After(a)) => LabelPosition::After(a.value),
                };
                let r = self
                    .catalog
                    .add_enum_label(&name, add.value.value, position);
                self.rule_if(ctx, r, false, add.if_not_exists);
            }
            ast::AlterTypeOperation::RenameValue(r) => {
                let r = self
                    .catalog
                    .rename_enum_label(&name, &r.from.value, &r.to.value);
                self.rule(ctx, r);
            }
            ast::AlterTypeOperation::Rename(r) => {
                let new = QualifiedName::new(name.schema.clone(), ident(&r.new_name));
                let r = self.catalog.rename_type(&name, &new);
                self.rule(ctx, r);
            }
        }
    }

    pub(super) fn create_domain(&mut self, ctx: &Ctx, cd: ast::CreateDomain) {
        let name = self.qname(&cd.name);
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
                    checks.insert(cname, crate::front::expr::canonical(&ch.expr));
                }
                other => self.error(
                    ctx,
                    Code::Unsupported,
                    format!("domain `{name}`: constraint `{other}` is not allowed on a domain"),
                    "domains take NOT NULL and CHECK constraints only",
                ),
            }
        }
        let r = self.catalog.add_domain(Domain {
            name,
            base,
            not_null: false,
            default: cd
                .default
                .as_ref()
                .map(|e| crate::front::expr::canonical(uncollated(e).0)),
            collation: cd
                .collation
                .as_ref()
                .map(ident)
                .or_else(|| cd.default.as_ref().and_then(|e| uncollated(e).1)),
            checks,
            loc: ctx.loc.clone(),
        });
        self.rule(ctx, r);
    }

    /// After a rewritten `CREATE DOMAIN … NOT NULL`: marks the domain just created.
    pub(super) fn mark_domain_not_null(&mut self, ctx: &Ctx) {
        if let Ok(ast::Statement::CreateDomain(cd)) = parse_one(ctx.text) {
            let name = self.qname(&cd.name);
            // The domain is not there when CREATE DOMAIN was refused, which was reported.
            let _ = self.catalog.set_domain_not_null(&name);
        }
    }
}
