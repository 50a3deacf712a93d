//! Progress bars for long transfers, drawn on stderr only when it is a terminal (never in a pipe, a
//! log file or CI, and never with `--quiet`).

use gen_sync::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Transfers smaller than this finish before a bar would be worth drawing.
const WORTH_A_BAR: u64 = 2000;

/// One bar per stage of a transfer, replaced when the stage changes.
pub(crate) struct Bars {
    enabled: bool,
    current: Option<(&'static str, ProgressBar)>,
}

impl Bars {
    /// Bars if stderr is a terminal and the user did not ask for quiet.
    pub(crate) fn new() -> Bars {
        Bars {
            enabled: !crate::terminal::quiet() && std::io::stderr().is_terminal(),
            current: None,
        }
    }

    /// Moves the bar of `p.stage` (starting it on the first report of a large enough stage).
    pub(crate) fn update(&mut self, p: Progress) {
        if !self.enabled || p.total < WORTH_A_BAR {
            return;
        }
        if self
            .current
            .as_ref()
            .is_none_or(|(stage, _)| *stage != p.stage)
        {
            self.finish();
            let bar = ProgressBar::with_draw_target(Some(p.total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg:>18} [{bar:30}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(p.stage);
            self.current = Some((p.stage, bar));
        }
        if let Some((_, bar)) = &self.current {
            bar.set_position(p.done);
        }
    }

    /// Clears the bar so the summary starts on a clean line.
    pub(crate) fn finish(&mut self) {
        if let Some((_, bar)) = self.current.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.finish();
    }
}
