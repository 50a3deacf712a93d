//! `gen completions SHELL`: a completion script for the shell, generated from the same command
//! definition the binary parses with, so it never goes out of date.

use crate::cli::Cli;
use crate::report::Exit;
use crate::terminal::out;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use miette::Result;

/// `gen completions`
#[derive(Debug, Args)]
#[command(after_help = "Install, e.g.:
  bash:        gen completions bash > ~/.local/share/bash-completion/completions/gen
  zsh:         gen completions zsh > \"${fpath[1]}/_gen\"
  fish:        gen completions fish > ~/.config/fish/completions/gen.fish
  powershell:  gen completions powershell >> $PROFILE")]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs the command.
pub(crate) fn run(args: &CompletionsArgs) -> Result<Exit> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "gen", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(Exit::Success)
}
