//! The parts of `CREATE FUNCTION` that sqlparser 0.63 does not read: `COST n`, `ROWS n`,
//! `[NOT] LEAKPROOF` and a `BEGIN ATOMIC … END` body. [`recover`] blanks them out with
//! spaces of the same byte length, so sqlparser reads the rest with every position
//! unchanged, and returns what they said.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// What the blanked clauses of a `CREATE FUNCTION` said.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Unread {
    /// `COST n`: the number as written.
    pub cost: Option<String>,
    /// `ROWS n`: the number as written.
    pub rows: Option<String>,
    /// `LEAKPROOF` (true) or `NOT LEAKPROOF` (false).
    pub leakproof: Option<bool>,
    /// The `BEGIN ATOMIC … END` body, as written.
    pub atomic: Option<String>,
}

/// The statement with the clauses sqlparser cannot read replaced by spaces, and what they
/// said; `None` when it has none of them.
pub(crate) fn recover(text: &str) -> Option<(String, Unread)> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .ok()?;
    let lines: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // sqlparser's locations count lines from 1 and characters (not bytes) from 1.
    let offset = |loc: sqlparser::tokenizer::Location| -> Option<usize> {
        let start = *lines.get((loc.line as usize).checked_sub(1)?)?;
        let col = (loc.column as usize).checked_sub(1)?;
        let line = &text[start..];
        Some(start + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i))
    };
    let code: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let word = |i: usize, kw: &str| {
        code.get(i).is_some_and(|t| matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw)))
    };
    let mut unread = Unread::default();
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0i32;
    let mut i = 0;
    while i < code.len() {
        match &code[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        let after_set = i > 0 && word(i - 1, "SET");
        if depth != 0 || after_set {
            i += 1;
            continue;
        }
        let number = |j: usize| match code.get(j).map(|t| &t.token) {
            Some(Token::Number(n, _)) => Some(n.clone()),
            _ => None,
        };
        let span = |from: usize, to: usize| -> Option<(usize, usize)> {
            Some((offset(code[from].span.start)?, offset(code[to].span.end)?))
        };
        if (word(i, "COST") || word(i, "ROWS")) && number(i + 1).is_some() {
            let n = number(i + 1);
            if word(i, "COST") {
                unread.cost = n;
            } else {
                unread.rows = n;
            }
            blank.push(span(i, i + 1)?);
            i += 2;
        } else if word(i, "NOT") && word(i + 1, "LEAKPROOF") {
            unread.leakproof = Some(false);
            blank.push(span(i, i + 1)?);
            i += 2;
        } else if word(i, "LEAKPROOF") {
            unread.leakproof = Some(true);
            blank.push(span(i, i)?);
            i += 1;
        } else if word(i, "BEGIN") && word(i + 1, "ATOMIC") {
            // The body is the statement's last clause.
            let (start, end) = span(i, code.len() - 1)?;
            unread.atomic = Some(text[start..end].to_string());
            blank.push((start, end));
            break;
        } else {
            i += 1;
        }
    }
    if blank.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in blank {
        out.push_str(&text[at..start]);
        out.extend(text[start..end].chars().map(|c| match c {
            '\n' => "\n".to_string(),
            c => " ".repeat(c.len_utf8()),
        }));
        at = end;
    }
    out.push_str(&text[at..]);
    Some((out, unread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_clauses_are_blanked_in_place() {
        let text = "CREATE FUNCTION f(cost int) RETURNS SETOF int LANGUAGE sql\nNOT LEAKPROOF COST 5.5 ROWS 10 SET work_mem = '1MB'\nBEGIN ATOMIC\n  SELECT cost; -- é\nEND";
        let (blanked, unread) = recover(text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert_eq!(
            blanked.trim_end(),
            format!(
                "CREATE FUNCTION f(cost int) RETURNS SETOF int LANGUAGE sql\n{}SET work_mem = '1MB'",
                " ".repeat("NOT LEAKPROOF COST 5.5 ROWS 10 ".len())
            )
        );
        assert_eq!(
            unread,
            Unread {
                cost: Some("5.5".into()),
                rows: Some("10".into()),
                leakproof: Some(false),
                atomic: Some("BEGIN ATOMIC\n  SELECT cost; -- é\nEND".into()),
            }
        );
        assert_eq!(
            recover("CREATE FUNCTION f() RETURNS int AS 'select 1'"),
            None
        );
    }
}
