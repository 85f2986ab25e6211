//! Splits a SQL script into statements without parsing them, so that one statement the
//! parser cannot read does not hide the others, and every statement keeps its place.

/// One statement of a script: a byte range of the text, without the closing `;` and
/// without leading blanks and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// Byte offset of the statement's first character.
    pub start: usize,
    /// Byte offset just past the statement's last character.
    pub end: usize,
}

/// A script that cannot be split: an unterminated quote, dollar quote or comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// Byte offset where the unterminated construct starts.
    pub offset: usize,
    /// What is unterminated.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

/// Splits `text` at top-level semicolons, honouring quotes, dollar quotes, comments and
/// the `BEGIN ATOMIC … END` body of a function or procedure, whose statements end in
/// semicolons of their own.
pub fn split(text: &str) -> Result<Vec<Chunk>, SplitError> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None;
    let mut last_code_end = 0;
    let mut routine = Routine::default();
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(text, i)?;
                continue;
            }
            b';' if routine.begin_depth > 0 => {
                i += 1;
                last_code_end = i;
                continue;
            }
            b';' => {
                routine = Routine::default();
                if let Some(s) = start.take() {
                    chunks.push(Chunk {
                        start: s,
                        end: last_code_end,
                    });
                }
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            // A psql meta-command (`\restrict KEY`, `\connect db`, which pg_dump writes)
            // where a statement would start: the rest of its line, a chunk of its own.
            b'\\' if start.is_none() => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                chunks.push(Chunk {
                    start: i,
                    end: text[..end].trim_end().len().max(i + 1),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
        i = match b {
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && (i < 2 || !is_ident_byte(bytes[i - 2]));
                skip_string(text, i, escapes)?
            }
            b'"' => skip_quoted_ident(text, i)?,
            b'$' => match dollar_tag(text, i) {
                Some(tag) => skip_dollar(text, i, tag)?,
                None => i + 1,
            },
            _ if is_ident_byte(b) => {
                let mut j = i;
                while j < bytes.len() && (is_ident_byte(bytes[j]) || bytes[j] == b'$') {
                    j += 1;
                }
                routine.word(&text[i..j]);
                j
            }
            b'(' => {
                routine.paren_depth += 1;
                i + 1
            }
            b')' => {
                routine.paren_depth -= 1;
                i + 1
            }
            _ => i + char_len(text, i),
        };
        last_code_end = i;
    }
    if let Some(s) = start {
        chunks.push(Chunk {
            start: s,
            end: last_code_end,
        });
    }
    Ok(chunks)
}

/// What the splitter knows of the statement so far, to keep a SQL-standard body whole:
/// psql's rule. In a statement that starts `CREATE [OR REPLACE] {FUNCTION | PROCEDURE}`,
/// `BEGIN` outside parentheses opens a block, `CASE` inside one opens another, `END`
/// closes one, and a semicolon inside a block does not end the statement.
#[derive(Default)]
struct Routine {
    /// The statement's first words, lower-cased (four at most).
    head: Vec<String>,
    /// Whether `head` starts a function or procedure.
    is_routine: bool,
    paren_depth: i32,
    begin_depth: u32,
}

impl Routine {
    fn word(&mut self, word: &str) {
        if self.head.len() < 4 {
            self.head.push(word.to_ascii_lowercase());
            let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
            self.is_routine = matches!(
                head.as_slice(),
                ["create", "function" | "procedure", ..]
                    | ["create", "or", "replace", "function" | "procedure", ..]
            );
        }
        if !self.is_routine || self.paren_depth != 0 {
            return;
        }
        let opens = word.eq_ignore_ascii_case("begin")
            || (word.eq_ignore_ascii_case("case") && self.begin_depth > 0);
        if opens {
            self.begin_depth += 1;
        } else if word.eq_ignore_ascii_case("end") {
            self.begin_depth = self.begin_depth.saturating_sub(1);
        }
    }
}

fn char_len(text: &str, i: usize) -> usize {
    text[i..].chars().next().map_or(1, char::len_utf8)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn skip_block_comment(text: &str, start: usize) -> Result<usize, SplitError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Err(SplitError {
        offset: start,
        message: "unterminated block comment".into(),
        help: "close the comment with `*/`".into(),
    })
}

fn skip_string(text: &str, start: usize, escapes: bool) -> Result<usize, SplitError> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(SplitError {
        offset: start,
        message: "unterminated string literal".into(),
        help: "close the string with `'` (write `''` for a quote inside it)".into(),
    })
}

fn skip_quoted_ident(text: &str, start: usize) -> Result<usize, SplitError> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(SplitError {
        offset: start,
        message: "unterminated quoted identifier".into(),
        help: "close the identifier with `\"`".into(),
    })
}

/// The tag of a dollar quote opening at `start` (`$$` or `$tag$`), if one opens there.
fn dollar_tag(text: &str, start: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    if start > 0 && is_ident_byte(bytes[start - 1]) {
        return None;
    }
    let mut j = start + 1;
    if j < bytes.len() && bytes[j].is_ascii_digit() {
        return None;
    }
    while j < bytes.len() && is_ident_byte(bytes[j]) {
        j += 1;
    }
    (bytes.get(j) == Some(&b'$')).then(|| &text[start..=j])
}

fn skip_dollar(text: &str, start: usize, tag: &str) -> Result<usize, SplitError> {
    let body = start + tag.len();
    match text[body..].find(tag) {
        Some(n) => Ok(body + n + tag.len()),
        None => Err(SplitError {
            offset: start,
            message: format!("unterminated dollar-quoted string `{tag}`"),
            help: format!("close the body with a matching `{tag}`"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split(text)
            .map(|c| c.iter().map(|c| &text[c.start..c.end]).collect())
            .unwrap_or_default()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let text = "-- lead\nCREATE TABLE a (x text DEFAULT ';');\n/* c; */ SELECT $$a;b$$;\nDO $f$ BEGIN; END $f$ ; SELECT 1";
        assert_eq!(
            pieces(text),
            [
                "CREATE TABLE a (x text DEFAULT ';')",
                "SELECT $$a;b$$",
                "DO $f$ BEGIN; END $f$",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn a_sql_standard_body_is_one_statement() {
        let text = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 END;\n  SELECT (x);\nEND;\nCREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END; SELECT 1; BEGIN; END";
        assert_eq!(
            pieces(text),
            [
                "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 END;\n  SELECT (x);\nEND",
                "CREATE OR REPLACE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END",
                "SELECT 1",
                "BEGIN",
                "END"
            ]
        );
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        assert_eq!(pieces("SELECT $1; SELECT 2"), ["SELECT $1", "SELECT 2"]);
    }

    #[test]
    fn escape_strings_and_doubled_quotes() {
        assert_eq!(
            pieces("SELECT E'a\\'; b'; SELECT 'it''s; ok'"),
            ["SELECT E'a\\'; b'", "SELECT 'it''s; ok'"]
        );
    }

    #[test]
    fn unterminated_constructs_report_their_start() {
        let err = split("SELECT 1;\nDO $$ BEGIN").unwrap_err();
        assert_eq!(err.offset, 13);
        assert!(split("SELECT 'abc").is_err());
        assert!(split("/* /* */").is_err());
        assert!(split("SELECT \"x").is_err());
    }
}
