//! The one colour policy: `--color auto|always|never`, `NO_COLOR`, and whether each
//! stream is a terminal, decided once per run. Every diagnostic renderer, report and
//! progress line asks [`Color`]; nothing else looks at a terminal.

use std::ffi::OsString;
use std::io::IsTerminal;

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set (and not empty).
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file (`NO_COLOR` too is overruled).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// The value of `--color` in the raw arguments (the last one wins, as clap takes it),
    /// for clap's own help and usage errors, which it prints before the arguments are
    /// parsed. Anything unreadable is `auto`; clap then reports it.
    pub fn from_raw_args(args: &[OsString]) -> ColorChoice {
        let mut choice = ColorChoice::Auto;
        let mut args = args.iter().skip(1).map(|a| a.to_str());
        while let Some(arg) = args.next() {
            let value = match arg {
                Some("--") => break,
                Some("--color") => args.next().flatten(),
                Some(arg) => arg.strip_prefix("--color="),
                None => None,
            };
            choice = match value {
                Some("always") => ColorChoice::Always,
                Some("never") => ColorChoice::Never,
                Some(_) => ColorChoice::Auto,
                None => continue,
            };
        }
        choice
    }

    /// clap's form, for its help and usage errors.
    pub fn to_clap(self) -> clap::ColorChoice {
        match self {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

/// What a run may print beyond plain text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Color {
    /// Paint what goes to stdout (verify's report).
    pub stdout: bool,
    /// Paint what goes to stderr (diagnostics).
    pub stderr: bool,
    /// Show progress lines on stderr ("starting a local cluster …", waiting for a server,
    /// the interrupt notice): only on a terminal, whatever the colour, since a log or a
    /// pipe would keep every line.
    pub progress: bool,
}

impl Color {
    /// The policy for this process: `choice`, `NO_COLOR` and its streams.
    pub fn detect(choice: ColorChoice) -> Color {
        Color::decide(
            choice,
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
        )
    }

    /// The policy from its inputs: `always` and `never` are obeyed; `auto` paints a
    /// stream that is a terminal unless `no_color` (`NO_COLOR` set and not empty).
    pub fn decide(
        choice: ColorChoice,
        no_color: bool,
        stdout_terminal: bool,
        stderr_terminal: bool,
    ) -> Color {
        let paint = |terminal: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Color {
            stdout: paint(stdout_terminal),
            stderr: paint(stderr_terminal),
            progress: stderr_terminal,
        }
    }
}

/// `text` in the ANSI style `code` when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_paints_only_terminals_and_no_color_turns_it_off() {
        let c = Color::decide(ColorChoice::Auto, false, true, false);
        assert!(c.stdout && !c.stderr && !c.progress);
        let c = Color::decide(ColorChoice::Auto, true, true, true);
        assert!(!c.stdout && !c.stderr && c.progress);
    }

    #[test]
    fn always_and_never_overrule_terminals_and_no_color() {
        let c = Color::decide(ColorChoice::Always, true, false, false);
        assert!(c.stdout && c.stderr && !c.progress);
        let c = Color::decide(ColorChoice::Never, false, true, true);
        assert!(!c.stdout && !c.stderr && c.progress);
    }

    #[test]
    fn the_last_color_option_before_a_double_dash_counts() {
        let args = |a: &[&str]| -> Vec<OsString> { a.iter().map(OsString::from).collect() };
        let choice = |a: &[&str]| ColorChoice::from_raw_args(&args(a));
        assert_eq!(choice(&["sk", "parse", "x"]), ColorChoice::Auto);
        assert_eq!(
            choice(&["sk", "--color", "never", "parse"]),
            ColorChoice::Never
        );
        assert_eq!(
            choice(&["sk", "--color=never", "parse", "--color=always"]),
            ColorChoice::Always
        );
        assert_eq!(
            choice(&["sk", "parse", "--", "--color=never"]),
            ColorChoice::Auto
        );
    }
}
