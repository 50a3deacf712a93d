//! The `gen` binary: parse flags, run one command, render errors with miette, exit with an [`report::Exit`].

mod cli;
mod commands;
mod load;
mod progress;
mod report;
mod terminal;

use clap::{CommandFactory, FromArgMatches};
use report::Exit;
use std::process::ExitCode;
use terminal::{ColorWhen, errln};

/// mimalloc: reading a large event log allocates millions of small strings; glibc malloc was a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap prints help and usage errors before `--color` is parsed, so it gets the choice from a pre-scan.
    let clap_color = match ColorWhen::from_args(&args) {
        ColorWhen::Always => clap::ColorChoice::Always,
        ColorWhen::Never => clap::ColorChoice::Never,
        ColorWhen::Auto if !ColorWhen::Auto.resolve() => clap::ColorChoice::Never,
        ColorWhen::Auto => clap::ColorChoice::Auto,
    };
    let matches = cli::Cli::command()
        .color(clap_color)
        .get_matches_from(&args);
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let color = cli.color.resolve();
    terminal::configure(cli.quiet, color);
    miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .terminal_links(false)
                .context_lines(2)
                .color(color)
                .build(),
        )
    }))
    .ok();
    let exit = match commands::run(cli) {
        Ok(exit) => exit,
        Err(report) => {
            errln!("{report:?}");
            Exit::CannotRun
        }
    };
    terminal::flush_out();
    exit.into()
}
