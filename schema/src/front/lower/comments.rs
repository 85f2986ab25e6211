//! COMMENT ON.

use super::*;

impl Folder {
    pub(super) fn comment(
        &mut self,
        ctx: &Ctx,
        object_type: ast::CommentObject,
        name: &ast::ObjectName,
        comment: Option<String>,
        if_exists: bool,
    ) -> Option<String> {
        let target = match object_type {
            ast::CommentObject::Table => Object::Table(self.qname(name)),
            ast::CommentObject::Column => {
                let mut parts = name.0.clone();
                let column = parts
                    .pop()
                    .and_then(|p| p.as_ident().map(ident))
                    .unwrap_or_default();
                Object::Column(self.qname(&ast::ObjectName(parts)), column)
            }
            ast::CommentObject::Type => Object::Type(self.qname(name)),
            ast::CommentObject::Index => Object::Index(self.qname(name)),
            ast::CommentObject::View | ast::CommentObject::MaterializedView => {
                Object::View(self.qname(name))
            }
            other => {
                let reason = format!("opaque to the offline model: COMMENT ON {other}");
                self.note_opaque(
                    ctx,
                    &reason,
                    "comments are modelled on tables, columns, types, indexes and views only",
                );
                return Some(reason);
            }
        };
        let r = self.catalog.set_comment(&target, comment);
        self.rule_if(ctx, r, if_exists, false);
        None
    }
}
