//! Rust source written as laid-out text: lines at an indent, items apart by a blank line,
//! lists on one line when they fit in 100 columns and one element per line when not (an
//! element itself is never broken, so a long one makes a long line).
//!
//! Every generated file is written this way, not through `quote!` → `syn` → `prettyplease`:
//! building, parsing and printing a token tree for 30 KB of code per table cost 25 times
//! parsing the SQL. What it writes is checked by compiling it (the codegen fixtures, the
//! hostile names, the checked-in crate and the real-world sets are compiled in tests).

use std::fmt::Write;

/// The width a line is kept within where it can be broken.
const WIDTH: usize = 100;

/// Rust source being written.
pub(crate) struct Code {
    out: String,
    depth: usize,
    /// Whether the last line opened a block (or the file): the next item needs no blank
    /// line before it.
    at_start: bool,
    /// Where the output fingerprint goes, in a file begun with [`Code::file`].
    fingerprint_at: Option<usize>,
}

/// What stands for the output fingerprint until the text after it is written.
const UNHASHED: &str = "0000000000000000";

impl Code {
    pub(crate) fn new() -> Self {
        Code {
            out: String::with_capacity(32 * 1024),
            depth: 0,
            at_start: true,
            fingerprint_at: None,
        }
    }

    /// A whole file: a first line of `head` and the fingerprint of what follows it
    /// (written by [`Code::finish`]), then a blank line.
    pub(crate) fn file(head: &str) -> Self {
        let mut code = Code::new();
        code.out.push_str(head);
        code.fingerprint_at = Some(code.out.len());
        code.out.push_str(UNHASHED);
        code.out.push_str("\n\n");
        code
    }

    /// The text written, with its output fingerprint when it is a file.
    pub(crate) fn finish(mut self) -> String {
        if let Some(at) = self.fingerprint_at {
            let body_start = at + UNHASHED.len() + 1;
            let output = crate::fingerprint(&[&self.out.as_bytes()[body_start..]]);
            self.out.replace_range(at..at + UNHASHED.len(), &output);
        }
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// Columns the current indent takes.
    fn indent_width(&self) -> usize {
        self.depth * 4
    }

    /// Text written already, as it is.
    pub(crate) fn text(&mut self, text: &str) {
        self.out.push_str(text);
        self.at_start = false;
    }

    /// A line at the current indent.
    pub(crate) fn line(&mut self, text: &str) {
        self.indent();
        self.out.push_str(text);
        self.out.push('\n');
        self.at_start = false;
    }

    /// A formatted line at the current indent.
    pub(crate) fn line_fmt(&mut self, args: std::fmt::Arguments) {
        self.indent();
        let _ = self.out.write_fmt(args);
        self.out.push('\n');
        self.at_start = false;
    }

    /// The blank line before an item, unless it is the first in its block.
    pub(crate) fn item(&mut self) {
        if !self.at_start {
            self.out.push('\n');
        }
        self.at_start = false;
    }

    /// `///` lines, one per element (each element starts with its space: `" Text."`).
    pub(crate) fn docs<S: AsRef<str>>(&mut self, lines: &[S]) {
        for l in lines {
            self.doc(l.as_ref());
        }
    }

    /// One `///` line.
    pub(crate) fn doc(&mut self, line: &str) {
        self.comment("///", line);
    }

    /// One `//!` line.
    pub(crate) fn inner_doc(&mut self, line: &str) {
        self.comment("//!", line);
    }

    /// `marker` and `line` on one line whatever `line` holds: a control character (a line
    /// break in a SQL name would end the comment and start code) is written escaped.
    fn comment(&mut self, marker: &str, line: &str) {
        self.indent();
        self.out.push_str(marker);
        let line = line.trim_end();
        // Printable ASCII needs no look at each character.
        if !line.bytes().all(|b| (b' '..=b'~').contains(&b))
            && line.chars().any(crate::needs_escape)
        {
            self.out.push_str(&crate::one_line(line));
        } else {
            self.out.push_str(line);
        }
        self.out.push('\n');
        self.at_start = false;
    }

    /// `text {` and one level deeper.
    pub(crate) fn open(&mut self, text: &str) {
        self.indent();
        self.out.push_str(text);
        self.out.push_str(" {\n");
        self.depth += 1;
        self.at_start = true;
    }

    /// One level out and `}` followed by `after`.
    pub(crate) fn close(&mut self, after: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push('}');
        self.out.push_str(after);
        self.out.push('\n');
        self.at_start = false;
    }

    /// `head(a, b)tail` on one line when it fits, else `head(`, one element per line
    /// with a trailing comma, `)tail`. `tail` may open a block (` -> T {`).
    pub(crate) fn list(&mut self, head: &str, items: &[String], tail: &str) {
        self.delimited(head, "(", ")", items, tail);
    }

    /// [`Code::list`] with other delimiters (`[`, `]`).
    pub(crate) fn delimited(
        &mut self,
        head: &str,
        open: &str,
        close: &str,
        items: &[String],
        tail: &str,
    ) {
        let inline =
            items.iter().map(String::len).sum::<usize>() + 2 * items.len().saturating_sub(1);
        let total =
            self.indent_width() + head.len() + open.len() + inline + close.len() + tail.len();
        let opens_block = tail.ends_with(" {");
        if total <= WIDTH || items.is_empty() {
            self.indent();
            self.out.push_str(head);
            self.out.push_str(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(item);
            }
            self.out.push_str(close);
            self.out.push_str(tail);
            self.out.push('\n');
        } else {
            // Broken, the delimiters end and start their lines: `Self {`, `}`.
            let (open, close) = (open.trim_end(), close.trim_start());
            self.indent();
            self.out.push_str(head);
            self.out.push_str(open);
            self.out.push('\n');
            self.depth += 1;
            for item in items {
                self.indent();
                self.out.push_str(item);
                self.out.push_str(",\n");
            }
            self.depth -= 1;
            self.indent();
            self.out.push_str(close);
            self.out.push_str(tail);
            self.out.push('\n');
        }
        if opens_block {
            self.depth += 1;
            self.at_start = true;
        } else {
            self.at_start = false;
        }
    }
}

/// A Rust string literal of `text`.
pub(crate) fn string(text: &str) -> String {
    format!("{text:?}")
}
