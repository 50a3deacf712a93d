//! The text side of the vector refresh: splicing derived values into the YAML file as written, and
//! checking that the result reads back as meant.
//!
//! A vector file is authored text (comments, quoting, `007`, `2026-03-01`, `.inf`, several `---`
//! documents); re-serialising any tree of it loses some of that, so it is never re-serialised. Each
//! change is one byte range of the original text, located from the parser's node spans:
//!
//! - a scalar value is replaced where it stands, keeping its quote style (`'pending'` becomes
//!   `'converged'`), and the rest of its line (a trailing comment) stays;
//! - missing keys are new lines after the last line of their block mapping, at the indentation of
//!   that mapping's keys; a missing mapping (`trajectory:`, `code: {}`) is opened as a block under its
//!   key with the file's indentation step;
//! - quoting, number and timestamp spelling and line endings (new lines take the file's dominant
//!   one, so CRLF stays CRLF) are the shared rules of [`crate::config::yaml_text`];
//! - a stale `converged_at` line is removed whole.
//!
//! Whatever cannot be done this way without guessing — inserting into a flow mapping, a value behind
//! an anchor, alias, tag or merge key, a block scalar — is refused with what and where, and the file is
//! left alone. The spliced text is then parsed again and compared with the original: every authored
//! value must be equal and spelled the same, every derived value must be the planned one, and the
//! number of documents must not change. A text that fails is never handed out.
//!
//! The rooms: this file holds the public surface ([`Skip`], [`SkipReason`]); `splice.rs` is the
//! text editor, `layout.rs` reads offsets, indentation and shapes off the source text, `verify.rs`
//! is the read-back check, and `tests.rs` pins all of it.

mod layout;
mod splice;
mod verify;

#[cfg(test)]
mod tests;

pub(crate) use splice::splice;
pub(crate) use verify::verify;

use crate::config::yaml::Pos;

/// A refused vector file: why, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Skip {
    /// The place the reason is about, when there is one.
    pub pos: Option<Pos>,
    /// What is wrong and what to do.
    pub reason: SkipReason,
}

/// Why a vector file cannot be refreshed in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The file is not valid YAML.
    #[error("the file does not parse ({0})")]
    Unparsable(String),
    /// The top level is a list or a scalar.
    #[error("the file's top level is not a mapping of keys")]
    NotAMapping,
    /// The file could not be read.
    #[error("the file cannot be read ({0})")]
    Unreadable(String),
    /// The file changed between reading and writing.
    #[error("the file changed while it was being refreshed; run the command again")]
    ChangedMeanwhile,
    /// Keys would have to be added to or removed from a flow mapping (`{a: 1}`).
    #[error("{0} is a flow mapping; refresh it by hand or convert it to block style")]
    Flow(String),
    /// A value has a different kind than the refresh writes.
    #[error("{what} is {kind}, expected {expected}; refresh it by hand")]
    Shape {
        /// `trajectory`, `trajectory.code` or `trajectory.code.status`.
        what: String,
        /// What it is.
        kind: &'static str,
        /// What the refresh needs.
        expected: &'static str,
    },
    /// A value written with an anchor, alias, tag, a block scalar or on its own line.
    #[error(
        "{0} is written with an anchor, alias, tag or block scalar (or on its own line); refresh it by hand"
    )]
    Unusual(String),
    /// A value that comes from a merge key, so it is written somewhere else.
    #[error("{0} comes from a merge key (`<<`); refresh it by hand where it is defined")]
    Merged(String),
    /// The spliced text does not read back as intended (a bug or an unforeseen spelling).
    #[error("the refreshed text would not read back as intended ({0}); the file was left as it is")]
    Mismatch(String),
}

fn skip(pos: Pos, reason: SkipReason) -> Skip {
    Skip {
        pos: pos.known(),
        reason,
    }
}

fn mismatch(what: String) -> Skip {
    Skip {
        pos: None,
        reason: SkipReason::Mismatch(what),
    }
}
