//! The SQL front end: the one place that turns SQL text into sqlparser statements.
//! It splits a script into statements (`split`), parses each one, applies the recovery
//! rewrites for Postgres syntax sqlparser lacks, recognises the statements sqlparser cannot
//! read but that are known Postgres (kept verbatim, opaque), and sees through the guard
//! DO blocks migration tools write. `lower` converts what was read into model pieces and
//! operations of the rules, for the driver ([`crate::Folder`]); `lint` reads statements
//! through [`read`] too, so both recover, expand and locate them the same way. `text`
//! scans expression text stored in the model for the rules; `types` turns sqlparser's
//! data types into the model's.

pub(crate) mod expr;
mod lower;
pub(crate) mod reads;
pub(crate) mod recover;
pub(crate) mod routine;
pub mod split;
pub(crate) mod text;
pub(crate) mod types;

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

use split::Chunk;

/// One statement's text as the front end read it.
#[derive(Debug)]
pub(crate) enum Read {
    /// sqlparser read the text as written.
    Parsed(Box<ast::Statement>),
    /// sqlparser read it after a recovery rewrite: spans point into `text`, not the file.
    Rewritten {
        /// The statement.
        stmt: Box<ast::Statement>,
        /// The rewritten text the statement was parsed from.
        text: String,
        /// `CREATE DOMAIN … NOT NULL`, which the rewrite removed to be put back.
        domain_not_null: bool,
    },
    /// A DO block in one of the guard shapes: the byte ranges of its statements within
    /// the text.
    Guard(Vec<(usize, usize)>),
    /// A DO block of any other shape.
    Do,
    /// Known Postgres that sqlparser cannot read, kept verbatim; its kind.
    Unreadable(String),
    /// A statement sqlparser cannot read that the front end read itself.
    Recovered(recover::Recovered),
    /// Not SQL: sqlparser's message and, where it gave one, its line and column within
    /// the text.
    Error {
        /// What sqlparser said, lower-cased first letter, without the place.
        message: String,
        /// Line and column (1-based) within the text.
        at: Option<(u64, u64)>,
    },
}

impl Read {
    /// The statement, when sqlparser read one.
    pub(crate) fn statement(&self) -> Option<&ast::Statement> {
        match self {
            Read::Parsed(stmt) | Read::Rewritten { stmt, .. } => Some(stmt),
            _ => None,
        }
    }
}

/// Reads one statement's text (a chunk of [`split::split`]).
pub(crate) fn read(text: &str) -> Read {
    if text.starts_with('\\') {
        return Read::Unreadable("psql meta-command".into());
    }
    let head = leading_words(text, 4);
    if head.first().map(String::as_str) == Some("DO") {
        return match guarded_body(text) {
            Some(inner) => Read::Guard(inner),
            None => Read::Do,
        };
    }
    match parse_one(text) {
        Ok(stmt) => Read::Parsed(Box::new(stmt)),
        Err(err) => {
            // Rewrites for Postgres syntax sqlparser does not know but whose meaning the
            // model can still take in.
            if let Some((rewritten, domain_not_null)) = rewrite_unparsed(text, &head) {
                if let Ok(stmt) = parse_one(&rewritten) {
                    return Read::Rewritten {
                        stmt: Box::new(stmt),
                        text: rewritten,
                        domain_not_null,
                    };
                }
            }
            if let Some(r) = recover::recover(text) {
                return Read::Recovered(r);
            }
            if let Some(kind) = known_unparseable(&leading_words(text, 12)) {
                return Read::Unreadable(kind);
            }
            let (message, at) = split_parser_error(&err);
            Read::Error { message, at }
        }
    }
}

/// The statements of `text` (a script, or a section of one), each with where it starts
/// and ends; the guard DO blocks' inner statements take the place of the block. A text
/// that cannot be split yields nothing (the folder reports why).
pub(crate) fn statements(text: &str) -> Vec<(Chunk, bool)> {
    let Ok(chunks) = split::split(text) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(chunks.len());
    for c in chunks {
        let stmt = &text[c.start..c.end];
        if leading_words(stmt, 1).first().map(String::as_str) == Some("DO") {
            if let Some(inner) = guarded_body(stmt) {
                out.extend(inner.into_iter().map(|(s, e)| {
                    (
                        Chunk {
                            start: c.start + s,
                            end: c.start + e,
                        },
                        true,
                    )
                }));
                continue;
            }
        }
        out.push((c, false));
    }
    out
}

/// Parses exactly one statement.
pub(crate) fn parse_one(text: &str) -> Result<ast::Statement, ParserError> {
    let dialect = PostgreSqlDialect {};
    let mut stmts = Parser::new(&dialect)
        .try_with_sql(text)?
        .parse_statements()?;
    match stmts.len() {
        1 => Ok(stmts.remove(0)),
        n => Err(ParserError::ParserError(format!(
            "expected one statement, found {n}"
        ))),
    }
}

/// The first `n` words of a statement, upper-cased, skipping comments.
pub(crate) fn leading_words(text: &str, n: usize) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

pub(crate) fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A short name for a statement's kind: `GRANT`, `CREATE POLICY`, `ALTER TABLE`.
pub(crate) fn statement_kind(text: &str) -> String {
    let words = leading_words(text, 3);
    let take = match words.first().map(String::as_str) {
        Some("CREATE" | "ALTER" | "DROP") => match words.get(1).map(String::as_str) {
            Some("OR") => 4,
            Some("UNIQUE" | "MATERIALIZED" | "EVENT" | "FOREIGN" | "DEFAULT" | "TEXT") => 3,
            _ => 2,
        },
        Some("SECURITY" | "REFRESH") => 3,
        _ => 1,
    };
    leading_words(text, take).join(" ")
}

/// Postgres statements sqlparser cannot parse, and that the model does not represent:
/// they are opaque, not errors.
fn known_unparseable(head: &[String]) -> Option<String> {
    let w: Vec<&str> = head.iter().map(String::as_str).collect();
    let kind = match w.as_slice() {
        ["DO", ..] => "DO block".to_string(),
        ["CREATE", "OR", "REPLACE", "PROCEDURE", ..] | ["CREATE", "PROCEDURE", ..] => {
            "CREATE PROCEDURE".into()
        }
        ["CREATE", "OR", "REPLACE", "RULE", ..] | ["CREATE", "RULE", ..] => "CREATE RULE".into(),
        [
            "CREATE",
            "AGGREGATE" | "CAST" | "PUBLICATION" | "SUBSCRIPTION" | "STATISTICS" | "CONVERSION"
            | "LANGUAGE" | "TRANSFORM" | "TABLESPACE",
            ..,
        ] => format!("CREATE {}", w[1]),
        ["CREATE", "EVENT", "TRIGGER", ..] => "CREATE EVENT TRIGGER".into(),
        ["ALTER", "TABLE", ..] if head_contains(head, "PARTITION") => {
            "ALTER TABLE … ATTACH/DETACH PARTITION".into()
        }
        ["ALTER", "DEFAULT", "PRIVILEGES", ..] => "ALTER DEFAULT PRIVILEGES".into(),
        ["ALTER", "TYPE", ..] if head_contains(head, "OWNER") => "ALTER TYPE … OWNER TO".into(),
        ["COMMENT", "ON", kind, ..] => format!("COMMENT ON {kind}"),
        ["DROP", "EVENT", "TRIGGER", ..] => "DROP EVENT TRIGGER".into(),
        [
            "DROP",
            kind @ ("STATISTICS" | "AGGREGATE" | "CAST" | "PUBLICATION" | "SUBSCRIPTION"
            | "CONVERSION" | "LANGUAGE" | "TRANSFORM" | "RULE" | "OPERATOR" | "COLLATION"
            | "PROCEDURE"),
            ..,
        ] => format!("DROP {kind}"),
        ["SELECT"] => "SELECT".into(),
        ["ALTER", second, ..]
            if matches!(
                *second,
                "FUNCTION"
                    | "PROCEDURE"
                    | "SEQUENCE"
                    | "EXTENSION"
                    | "DOMAIN"
                    | "SCHEMA"
                    | "DATABASE"
                    | "SYSTEM"
                    | "PUBLICATION"
                    | "VIEW"
                    | "MATERIALIZED"
                    | "TRIGGER"
                    | "POLICY"
                    | "ROLE"
                    | "USER"
                    | "INDEX"
            ) =>
        {
            format!("ALTER {second}")
        }
        [
            "GRANT" | "REVOKE" | "SECURITY" | "REINDEX" | "CLUSTER" | "VACUUM" | "ANALYZE"
            | "REFRESH" | "CALL" | "SET" | "RESET" | "LOCK" | "NOTIFY" | "LISTEN",
            ..,
        ] => w[0].to_string(),
        _ => return None,
    };
    Some(kind)
}

fn head_contains(head: &[String], word: &str) -> bool {
    head.iter().any(|w| w == word)
}

/// Rewrites a statement sqlparser cannot read into one it can, without changing what it
/// means to the model: `CREATE DOMAIN … NOT NULL` (returns `true` for the NOT NULL),
/// `DROP INDEX CONCURRENTLY`, and the `CREATE FUNCTION` clauses [`crate::front::routine`] blanks.
fn rewrite_unparsed(text: &str, head: &[String]) -> Option<(String, bool)> {
    let w: Vec<&str> = head.iter().map(String::as_str).collect();
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text).tokenize().ok()?;
    let is_word = |t: &Token, kw: &str| matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw));
    match w.as_slice() {
        ["CREATE", "DOMAIN", ..] => {
            let mut out = String::new();
            let mut depth = 0i32;
            let mut not_null = false;
            let mut i = 0;
            while i < tokens.len() {
                let t = &tokens[i];
                match t {
                    Token::LParen => depth += 1,
                    Token::RParen => depth -= 1,
                    _ => {}
                }
                if depth == 0 && is_word(t, "NOT") {
                    let next = tokens[i + 1..]
                        .iter()
                        .position(|t| !matches!(t, Token::Whitespace(_)));
                    if let Some(j) = next.map(|j| i + 1 + j) {
                        if is_word(&tokens[j], "NULL") {
                            not_null = true;
                            i = j + 1;
                            continue;
                        }
                    }
                }
                if depth == 0 && is_word(t, "NULL") {
                    let prev = out.trim_end().to_ascii_uppercase();
                    if !prev.ends_with("DEFAULT") {
                        i += 1;
                        continue;
                    }
                }
                out.push_str(&t.to_string());
                i += 1;
            }
            Some((out, not_null))
        }
        // sqlparser wants sequence options in one fixed order; the model needs none of
        // them, only the name, the type and OWNED BY.
        ["CREATE", "SEQUENCE", ..] | ["CREATE", "TEMP" | "TEMPORARY", "SEQUENCE", ..] => {
            let mut out = String::new();
            let mut skipping = false;
            for t in &tokens {
                if let Token::Word(w) = t {
                    let upper = w.value.to_ascii_uppercase();
                    if w.quote_style.is_none() {
                        if matches!(
                            upper.as_str(),
                            "INCREMENT"
                                | "START"
                                | "MINVALUE"
                                | "MAXVALUE"
                                | "NO"
                                | "CACHE"
                                | "CYCLE"
                        ) {
                            skipping = true;
                        } else if upper == "OWNED" {
                            skipping = false;
                        }
                    }
                }
                if !skipping {
                    out.push_str(&t.to_string());
                }
            }
            Some((out, false))
        }
        // Identity sequence options, `AS IDENTITY (START WITH 10 …)`, which sqlparser
        // reads only in one fixed order; the model keeps the identity, not its options.
        ["CREATE" | "ALTER", ..] if tokens.iter().any(|t| is_word(t, "IDENTITY")) => {
            let mut out = String::new();
            let mut after_identity = false;
            let mut depth = 0usize;
            let mut changed = false;
            for t in &tokens {
                if depth > 0 {
                    match t {
                        Token::LParen => depth += 1,
                        Token::RParen => depth -= 1,
                        _ => {}
                    }
                    continue;
                }
                if after_identity && matches!(t, Token::LParen) {
                    depth = 1;
                    changed = true;
                    after_identity = false;
                    continue;
                }
                if !matches!(t, Token::Whitespace(_)) {
                    after_identity = is_word(t, "IDENTITY");
                }
                out.push_str(&t.to_string());
            }
            changed.then_some((out, false))
        }
        // `COST`, `ROWS`, `[NOT] LEAKPROOF` and `BEGIN ATOMIC … END`, blanked in place;
        // the folder reads them from the statement as written.
        ["CREATE", "FUNCTION", ..] | ["CREATE", "OR", "REPLACE", "FUNCTION", ..] => {
            crate::front::routine::recover(text).map(|(blanked, _)| (blanked, false))
        }
        // `CREATE EXTENSION x SCHEMA s`: `WITH` is optional in Postgres, not in sqlparser.
        ["CREATE", "EXTENSION", ..] => {
            let mut out = String::new();
            let mut prev_with = false;
            let mut changed = false;
            for t in &tokens {
                if is_word(t, "SCHEMA") && !prev_with {
                    out.push_str("WITH ");
                    changed = true;
                }
                if !matches!(t, Token::Whitespace(_)) {
                    prev_with = is_word(t, "WITH");
                }
                out.push_str(&t.to_string());
            }
            changed.then_some((out, false))
        }
        // Operator class parameters, `name gist_trgm_ops(siglen=256)`: the model keeps
        // the operator class, not its parameters.
        ["CREATE", "INDEX" | "UNIQUE", ..] => {
            let significant: Vec<usize> = (0..tokens.len())
                .filter(|&i| !matches!(tokens[i], Token::Whitespace(_)))
                .collect();
            let mut drop = vec![false; tokens.len()];
            let mut changed = false;
            // `ON ONLY parent`: an index on the partitioned table alone; the model keeps
            // indexes on the partitioned table, not on its partitions.
            for pair in significant.windows(2) {
                if is_word(&tokens[pair[0]], "ON") && is_word(&tokens[pair[1]], "ONLY") {
                    drop[pair[1]] = true;
                    changed = true;
                }
            }
            for (k, &i) in significant.iter().enumerate() {
                let (Some(&prev), Some(&next)) = (
                    k.checked_sub(1).and_then(|p| significant.get(p)),
                    significant.get(k + 1),
                ) else {
                    continue;
                };
                let opclass = matches!(tokens[i], Token::Word(_))
                    && matches!(tokens[next], Token::LParen)
                    && matches!(tokens[prev], Token::Word(_) | Token::RParen)
                    && !matches!(&tokens[prev], Token::Word(w) if w.quote_style.is_none()
                        && matches!(w.value.to_ascii_uppercase().as_str(), "ON" | "USING" | "INDEX" | "EXISTS" | "ONLY" | "INCLUDE" | "WITH" | "WHERE" | "AND" | "OR" | "NOT"));
                if !opclass {
                    continue;
                }
                let mut depth = 0;
                for (j, t) in tokens.iter().enumerate().skip(next) {
                    match t {
                        Token::LParen => depth += 1,
                        Token::RParen => depth -= 1,
                        _ => {}
                    }
                    drop[j] = true;
                    if depth == 0 {
                        break;
                    }
                }
                changed = true;
            }
            let out: String = tokens
                .iter()
                .zip(&drop)
                .filter(|(_, d)| !**d)
                .map(|(t, _)| t.to_string())
                .collect();
            changed.then_some((out, false))
        }
        ["DROP", "INDEX", "CONCURRENTLY", ..] => {
            let mut out = String::new();
            let mut removed = false;
            for t in &tokens {
                if !removed && is_word(t, "CONCURRENTLY") {
                    removed = true;
                    continue;
                }
                out.push_str(&t.to_string());
            }
            Some((out, false))
        }
        _ => None,
    }
}

/// Splits sqlparser's message "… at Line: L, Column: C" into the message and the place.
pub(crate) fn split_parser_error(err: &ParserError) -> (String, Option<(u64, u64)>) {
    let msg = match err {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => "statement is nested too deeply".to_string(),
    };
    if let Some(i) = msg.rfind(" at Line: ") {
        let place = &msg[i + " at Line: ".len()..];
        let mut parts = place.split(", Column: ");
        let line = parts.next().and_then(|l| l.trim().parse().ok());
        let col = parts.next().and_then(|c| c.trim().parse().ok());
        if let (Some(line), Some(col)) = (line, col) {
            let text = msg[..i].to_string();
            return (lowercase_first(&text), Some((line, col)));
        }
    }
    (lowercase_first(&msg), None)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The statements inside a DO block's guard, as byte ranges of the DO statement text,
/// when the block is one of the recognised guard shapes.
pub(crate) fn guarded_body(text: &str) -> Option<Vec<(usize, usize)>> {
    let open = text.find('$')?;
    let tag_end = text[open + 1..].find('$')? + open + 1;
    let tag = &text[open..=tag_end];
    let body_start = tag_end + 1;
    let body_end = body_start + text[body_start..].find(tag)?;
    let body = &text[body_start..body_end];
    let chunks = split::split(body).ok()?;
    let words = |c: &Chunk| leading_words(&body[c.start..c.end], 8);
    let last = chunks.last()?;
    if words(last) != ["END"] {
        return None;
    }
    let first = chunks.first()?;
    let first_words = words(first);
    if first_words.first().map(String::as_str) != Some("BEGIN") {
        return None;
    }
    // The first statement starts after BEGIN.
    let begin_len = body[first.start..].to_ascii_uppercase().find("BEGIN")? + "BEGIN".len();
    let mut inner: Vec<(usize, usize)> = chunks[..chunks.len() - 1]
        .iter()
        .map(|c| (c.start, c.end))
        .collect();
    inner[0].0 = first.start + begin_len;
    let trim = |(s, e): (usize, usize)| {
        let piece = &body[s..e];
        let lead = piece.len() - piece.trim_start().len();
        (s + lead, e)
    };
    let shape_exception = inner.len() >= 2 && {
        let (s, e) = *inner.last()?;
        let w = leading_words(&body[s..e], 6);
        w.first().map(String::as_str) == Some("EXCEPTION")
            && w.get(1).map(String::as_str) == Some("WHEN")
            && body[s..e].to_ascii_uppercase().contains("DUPLICATE_")
    };
    let ranges: Vec<(usize, usize)> = if shape_exception {
        inner[..inner.len() - 1].iter().copied().map(trim).collect()
    } else {
        // BEGIN IF [NOT] EXISTS (…) THEN <ddl>; … END IF; [IF … END IF; …] END
        let mut r = Vec::new();
        let mut in_if = false;
        for &(s, e) in &inner {
            let (s, e) = trim((s, e));
            let piece = &body[s..e];
            if in_if {
                if leading_words(piece, 3) == ["END", "IF"] {
                    in_if = false;
                } else {
                    r.push((s, e));
                }
                continue;
            }
            let upper = piece.to_ascii_uppercase();
            if !upper.starts_with("IF ") || !upper.contains("EXISTS") {
                return None;
            }
            let then = find_then(piece)?;
            r.push(trim((s + then, e)));
            in_if = true;
        }
        if in_if {
            return None;
        }
        r
    };
    // Procedural code between the statements (RAISE, ELSE, assignments, loops) is not a
    // guard the model can see through.
    let procedural = [
        "RAISE", "PERFORM", "IF", "ELSE", "ELSIF", "RETURN", "LOOP", "FOR", "WHILE", "EXECUTE",
        "GET", "END", "BEGIN", "DECLARE", "EXIT", "CONTINUE", "CASE", "NULL",
    ];
    if ranges.iter().any(|&(s, e)| {
        let piece = &body[s..e];
        leading_words(piece, 1)
            .first()
            .is_some_and(|w| procedural.contains(&w.as_str()))
            || piece.contains(":=")
    }) {
        return None;
    }
    if ranges.is_empty() || ranges.iter().any(|(s, e)| s >= e) {
        return None;
    }
    Some(
        ranges
            .into_iter()
            .map(|(s, e)| (body_start + s, body_start + e))
            .collect(),
    )
}

/// The byte offset just after the top-level `THEN` of an `IF … THEN` header.
fn find_then(piece: &str) -> Option<usize> {
    let mut depth = 0i32;
    let upper = piece.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
            }
            b'T' if depth == 0
                && upper[i..].starts_with("THEN")
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
                && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_alphanumeric()) =>
            {
                return Some(i + 4);
            }
            _ => {}
        }
        i += 1;
    }
    None
}
