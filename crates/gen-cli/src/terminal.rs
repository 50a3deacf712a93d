//! Everything gen writes to the terminal goes through here.
//!
//! * Text from events, vectors and drafts is data: before it reaches a terminal, control characters
//!   are made visible, so a synced event cannot retitle, clear or recolour a teammate's terminal.
//! * A closed stdout (`gen event log | head -1`) is not an error: the reader has what it wanted, so
//!   gen stops there and exits 0 without a word, like every Unix tool. Any other failure to write
//!   the output is reported and exits 2. Nothing a command acknowledges is written after its output
//!   starts, so stopping mid-output loses nothing.
//! * `--quiet` and `--color` are decided once, at start-up, and read here.

use crate::report::Exit;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static COLOR: AtomicBool = AtomicBool::new(false);

/// When to colour output, from `--color`; `auto` also honours `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file.
    Always,
    /// Never colour.
    Never,
}

impl ColorWhen {
    /// Whether to colour, given the environment.
    pub(crate) fn resolve(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }

    /// The `--color` value among raw arguments, read before parsing so clap's own help and usage
    /// errors follow it too.
    pub(crate) fn from_args(args: &[std::ffi::OsString]) -> ColorWhen {
        let mut when = ColorWhen::Auto;
        let mut next_is_value = false;
        for arg in args.iter().skip(1) {
            let Some(arg) = arg.to_str() else { continue };
            if arg == "--" {
                break;
            }
            let value = if next_is_value {
                Some(arg)
            } else {
                arg.strip_prefix("--color=")
            };
            next_is_value = arg == "--color";
            if let Some(v) = value {
                when = match v {
                    "always" => ColorWhen::Always,
                    "never" => ColorWhen::Never,
                    _ => ColorWhen::Auto,
                };
            }
        }
        when
    }
}

/// Records the output settings for the whole run.
pub(crate) fn configure(quiet: bool, color: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    COLOR.store(color, Ordering::Relaxed);
}

/// `--quiet`: leave out notes and confirmations (see the flag's help for the list).
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether diagnostics we render ourselves may use colour.
pub(crate) fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Set once the reader of stdout has gone (`gen … | head -1`): later output is dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout. A closed pipe is not an error: the rest of the output is dropped quietly and the
/// command still ends with its own exit code (a refusal piped into `head` still exits 1); any other
/// failure ends the run with exit 2.
pub(crate) fn write_out(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let result = std::io::stdout().lock().write_fmt(args);
    if let Err(e) = result {
        stdout_failed(&e);
    }
}

/// Flushes stdout at the end of a run, with the same rules as [`write_out`].
pub(crate) fn flush_out() {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = std::io::stdout().lock().flush() {
        stdout_failed(&e);
    }
}

/// Writes to stderr; if stderr itself is gone there is no one left to tell, so the text is dropped.
pub(crate) fn write_err(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

fn stdout_failed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        return;
    }
    write_err(format_args!("error: cannot write the output: {e}\n"));
    Exit::CannotRun.now();
}

/// `s` with C0/C1 control characters, DEL and bidirectional overrides written as `\u{…}` escapes.
pub(crate) fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`safe`] for a block of our own output: its line breaks stay, everything else is escaped.
pub(crate) fn safe_block(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(body) => {
                out.push_str(&safe(body));
                out.push('\n');
            }
            None => out.push_str(&safe(line)),
        }
    }
    Cow::Owned(out)
}

/// `println!` for our own text (no data in it): a closed pipe ends the run quietly.
macro_rules! outln {
    () => {
        $crate::terminal::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::terminal::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;

/// `print!` counterpart of [`outln`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// `eprintln!` that never panics (a closed stderr drops the text).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::terminal::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use errln;

/// `println!` for output that carries data (labels, titles, messages): escaped by [`safe_block`].
macro_rules! say {
    () => {
        $crate::terminal::outln!()
    };
    ($($arg:tt)*) => {
        $crate::terminal::outln!("{}", $crate::terminal::safe_block(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `eprintln!` for messages that carry data, escaped like [`say`].
macro_rules! esay {
    ($($arg:tt)*) => {
        $crate::terminal::errln!("{}", $crate::terminal::safe_block(&format!($($arg)*)))
    };
}
pub(crate) use esay;

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(safe("REQ-F-A-001"), "REQ-F-A-001");
        assert_eq!(safe("F\u{1b}]0;pwned\u{7}"), "F\\u{1b}]0;pwned\\u{7}");
        assert_eq!(safe("a\u{202e}b\nc"), "a\\u{202e}b\\u{a}c");
        assert_eq!(safe("design→code ✓"), "design→code ✓");
        assert_eq!(safe_block("a\u{1b}[2J\nb\n"), "a\\u{1b}[2J\nb\n");
    }

    #[test]
    fn the_last_color_flag_wins_and_stops_at_double_dash() {
        let args = |a: &[&str]| {
            a.iter()
                .map(Into::into)
                .collect::<Vec<std::ffi::OsString>>()
        };
        assert_eq!(
            ColorWhen::from_args(&args(&["gen", "status"])),
            ColorWhen::Auto
        );
        assert_eq!(
            ColorWhen::from_args(&args(&[
                "gen",
                "--color",
                "never",
                "status",
                "--color=always"
            ])),
            ColorWhen::Always
        );
        assert_eq!(
            ColorWhen::from_args(&args(&["gen", "--color=never", "--", "--color=always"])),
            ColorWhen::Never
        );
    }
}
