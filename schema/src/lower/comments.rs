//! COMMENT ON.

use super::*;

impl Folder {
    // ----- comments ----------------------------------------------------------------

    pub(super) fn comment(
        &mut self,
        ctx: &Ctx,
        object_type: ast::CommentObject,
        name: &ast::ObjectName,
        comment: Option<String>,
        if_exists: bool,
    ) -> Option<String> {
        match object_type {
            ast::CommentObject::Table => {
                let q = self.qname(name);
                touch!(self.tables, &q);
                match self.schema.tables.get_mut(&q) {
                    Some(t) => t.comment = comment,
                    None => self.missing(ctx, if_exists, format!("table `{q}`")),
                }
            }
            ast::CommentObject::Column => {
                let mut parts = name.0.clone();
                let column = parts
                    .pop()
                    .and_then(|p| p.as_ident().map(ident))
                    .unwrap_or_default();
                let q = self.qname(&ast::ObjectName(parts));
                touch!(self.tables, &q);
                match self
                    .schema
                    .tables
                    .get_mut(&q)
                    .and_then(|t| t.column_mut(&column))
                {
                    Some(c) => c.comment = comment,
                    None => {
                        self.missing(ctx, if_exists, format!("column `{column}` of table `{q}`"))
                    }
                }
            }
            ast::CommentObject::Type => {
                let q = self.qname(name);
                touch!(self.enums, &q);
                match self.schema.enums.get_mut(&q) {
                    Some(e) => e.comment = comment,
                    None => self.missing(ctx, if_exists, format!("type `{q}`")),
                }
            }
            ast::CommentObject::Index => {
                let q = self.qname(name);
                touch!(self.indexes, &q);
                match self.schema.indexes.get_mut(&q) {
                    Some(i) => i.comment = comment,
                    None => self.missing(ctx, if_exists, format!("index `{q}`")),
                }
            }
            ast::CommentObject::View | ast::CommentObject::MaterializedView => {
                let q = self.qname(name);
                touch!(self.views, &q);
                match self.schema.views.get_mut(&q) {
                    Some(v) => v.comment = comment,
                    None => self.missing(ctx, if_exists, format!("view `{q}`")),
                }
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
        }
        None
    }
}
