//! Pure model of a Genesis workspace.
//!
//! Everything here works on values handed in by the edge crates: event lines as text, config files as
//! text. Nothing in this crate touches the file system, the network or the clock, so every rule can be
//! tested with plain data and two machines holding the same data derive the same answers.

// A pure library says nothing: it returns data and the edge decides what to print.
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)
)]

pub mod config;
pub mod event;
pub mod iterate;
pub mod projection;
