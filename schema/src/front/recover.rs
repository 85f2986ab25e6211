//! Statements sqlparser cannot read whose meaning the model takes in: the front end reads
//! them itself, token by token, into [`Recovered`] pieces.
//!
//! - `ALTER TABLE t ALTER CONSTRAINT c [NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]`
//! - `ALTER TABLE t ADD CONSTRAINT c NOT NULL column` (PostgreSQL 18)
//! - `ALTER FUNCTION f[(types)] RENAME TO g`
//! - `ALTER SEQUENCE s OWNED BY t.column | NONE`

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::model::QualifiedName;

/// What a recovered statement does, in model terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Recovered {
    /// A constraint's deferrability changes.
    ConstraintTiming {
        /// The table.
        table: QualifiedName,
        /// The constraint.
        name: String,
        /// `DEFERRABLE`.
        deferrable: bool,
        /// `INITIALLY DEFERRED`.
        initially_deferred: bool,
    },
    /// A column becomes NOT NULL through a named NOT NULL constraint.
    NotNull {
        /// The table.
        table: QualifiedName,
        /// The column.
        column: String,
    },
    /// A function (one overload, or all of the name) is renamed.
    RenameFunction {
        /// Its name.
        name: QualifiedName,
        /// Its argument list as written (`integer, b text`), when given.
        args: Option<String>,
        /// The new name.
        new: String,
    },
    /// A sequence's owning column changes (`None`: owned by nothing).
    SequenceOwner {
        /// The sequence.
        sequence: QualifiedName,
        /// The column that owns it.
        owner: Option<(QualifiedName, String)>,
    },
}

/// The statement as a [`Recovered`] piece, when it is one of the forms above.
pub(crate) fn recover(text: &str) -> Option<Recovered> {
    let dialect = PostgreSqlDialect {};
    let tokens: Vec<Token> = Tokenizer::new(&dialect, text)
        .tokenize()
        .ok()?
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut c = Cursor { tokens, at: 0 };
    c.keyword("ALTER")?;
    let r = if c.keyword("TABLE").is_some() {
        c.optional(&["IF", "EXISTS"]);
        c.keyword("ONLY");
        let table = c.qname()?;
        if c.keyword("ALTER").is_some() {
            c.keyword("CONSTRAINT")?;
            let name = c.ident()?;
            let not = c.keyword("NOT").is_some();
            c.keyword("DEFERRABLE")?;
            let initially_deferred = if c.keyword("INITIALLY").is_some() {
                if c.keyword("DEFERRED").is_some() {
                    true
                } else {
                    c.keyword("IMMEDIATE")?;
                    false
                }
            } else {
                false
            };
            Recovered::ConstraintTiming {
                table,
                name,
                deferrable: !not,
                initially_deferred: !not && initially_deferred,
            }
        } else {
            c.keyword("ADD")?;
            c.keyword("CONSTRAINT")?;
            c.ident()?;
            c.keyword("NOT")?;
            c.keyword("NULL")?;
            let column = c.ident()?;
            Recovered::NotNull { table, column }
        }
    } else if c.keyword("FUNCTION").is_some() {
        let name = c.qname()?;
        let args = if c.punct(&Token::LParen) {
            let start = c.at;
            let mut depth = 1;
            while depth > 0 {
                match c.tokens.get(c.at)? {
                    Token::LParen => depth += 1,
                    Token::RParen => depth -= 1,
                    _ => {}
                }
                c.at += 1;
            }
            let inner: String = c.tokens[start..c.at - 1]
                .iter()
                .map(|t| format!("{t} "))
                .collect();
            Some(inner)
        } else {
            None
        };
        c.keyword("RENAME")?;
        c.keyword("TO")?;
        let new = c.ident()?;
        Recovered::RenameFunction { name, args, new }
    } else {
        c.keyword("SEQUENCE")?;
        c.optional(&["IF", "EXISTS"]);
        let sequence = c.qname()?;
        c.keyword("OWNED")?;
        c.keyword("BY")?;
        let owner = if c.keyword("NONE").is_some() {
            None
        } else {
            let mut parts = vec![c.ident()?];
            while c.punct(&Token::Period) {
                parts.push(c.ident()?);
            }
            let column = parts.pop()?;
            let table = match parts.as_slice() {
                [t] => QualifiedName::public(t.clone()),
                [s, t] => QualifiedName::new(s.clone(), t.clone()),
                _ => return None,
            };
            Some((table, column))
        };
        Recovered::SequenceOwner { sequence, owner }
    };
    c.punct(&Token::SemiColon);
    (c.at == c.tokens.len()).then_some(r)
}

struct Cursor {
    tokens: Vec<Token>,
    at: usize,
}

impl Cursor {
    fn keyword(&mut self, kw: &str) -> Option<()> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw) => {
                self.at += 1;
                Some(())
            }
            _ => None,
        }
    }

    fn optional(&mut self, kws: &[&str]) {
        let at = self.at;
        if kws.iter().any(|k| self.keyword(k).is_none()) {
            self.at = at;
        }
    }

    fn punct(&mut self, t: &Token) -> bool {
        if self.tokens.get(self.at) == Some(t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => {
                self.at += 1;
                Some(if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_ascii_lowercase()
                })
            }
            _ => None,
        }
    }

    fn qname(&mut self) -> Option<QualifiedName> {
        let first = self.ident()?;
        if self.punct(&Token::Period) {
            Some(QualifiedName::new(first, self.ident()?))
        } else {
            Some(QualifiedName::public(first))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_are_read() {
        assert_eq!(
            recover("ALTER TABLE ONLY s.t ALTER CONSTRAINT c_fk DEFERRABLE INITIALLY DEFERRED"),
            Some(Recovered::ConstraintTiming {
                table: QualifiedName::new("s", "t"),
                name: "c_fk".into(),
                deferrable: true,
                initially_deferred: true,
            })
        );
        assert_eq!(
            recover("alter table t alter constraint c not deferrable"),
            Some(Recovered::ConstraintTiming {
                table: QualifiedName::public("t"),
                name: "c".into(),
                deferrable: false,
                initially_deferred: false,
            })
        );
        assert_eq!(
            recover("ALTER TABLE t ADD CONSTRAINT t_n_nn NOT NULL \"N\""),
            Some(Recovered::NotNull {
                table: QualifiedName::public("t"),
                column: "N".into(),
            })
        );
        assert!(matches!(
            recover("ALTER FUNCTION f(integer, b text) RENAME TO g"),
            Some(Recovered::RenameFunction { args: Some(a), .. }) if a.contains("text")
        ));
        assert_eq!(
            recover("ALTER SEQUENCE s OWNED BY public.t.id"),
            Some(Recovered::SequenceOwner {
                sequence: QualifiedName::public("s"),
                owner: Some((QualifiedName::public("t"), "id".into())),
            })
        );
        assert_eq!(
            recover("ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE, ADD x int"),
            None
        );
    }
}
