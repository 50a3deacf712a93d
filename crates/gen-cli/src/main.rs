//! The `gen` binary: parse flags, run one command, render errors with miette.

mod cli;
mod commands;
mod load;
mod terminal;

use clap::Parser;

/// mimalloc: reading a large event log allocates millions of small strings; glibc malloc was a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    miette::set_hook(Box::new(|_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .terminal_links(false)
                .context_lines(2)
                .build(),
        )
    }))
    .ok();
    match commands::run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
