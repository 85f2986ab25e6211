//! DROP of tables, views, indexes, sequences, types and schemas: the names and the
//! behaviour read from the statement, the rules applied by [`crate::rules`].

use super::*;

impl Folder {
    pub(super) fn drop(
        &mut self,
        ctx: &Ctx,
        object_type: ast::ObjectType,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
    ) -> Option<String> {
        let behavior = Behavior::cascade_if(cascade);
        for n in names {
            let name = self.qname(n);
            let r = match object_type {
                ast::ObjectType::Table => self.catalog.drop_table(&name, behavior),
                ast::ObjectType::View | ast::ObjectType::MaterializedView => {
                    self.catalog.drop_view(&name, behavior)
                }
                ast::ObjectType::Index => self.catalog.drop_index(&name),
                ast::ObjectType::Sequence => self.catalog.drop_sequence(&name, behavior),
                ast::ObjectType::Type => self.catalog.drop_type(&name, behavior),
                ast::ObjectType::Schema => self.catalog.drop_schema(&name.name, behavior),
                other => {
                    let reason = format!("opaque to the offline model: DROP {other}");
                    self.note_opaque(ctx, &reason, "this kind of object is not part of the schema model; the statement is kept verbatim and applied as written");
                    return Some(reason);
                }
            };
            self.rule_if(ctx, r, if_exists, false);
        }
        None
    }
}
