//! Agent checks judged by a model: the asset, the criterion and the context go in; one verdict
//! comes out — parsed strictly, corrected once with the parse error when malformed, and an ERROR
//! (never a pass) when still malformed or when the model cannot be reached.

use gen_core::iterate::{Outcome, ResolvedCheck, VERDICT_FORMAT, parse_verdict};
use gen_model::{Ask, ChatModel, ModelError};
use std::sync::Arc;

/// The most of the asset a judge is shown.
const MAX_ASSET_CHARS: usize = 100_000;

/// What judging one check came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Pass, fail, or error.
    pub outcome: Outcome,
    /// The model's reason, or what went wrong.
    pub message: String,
    /// Prompt tokens spent.
    pub input_tokens: u64,
    /// Completion tokens spent.
    pub output_tokens: u64,
}

/// What judges agent checks.
pub trait Judge {
    /// Judges `check` on `asset` (its text) for `context` (feature and edge, in words).
    fn judge(&self, check: &ResolvedCheck, asset: &str, context: &str) -> Judged;
}

/// A judge behind a chat model (OpenAI-compatible, Bedrock).
#[derive(Debug, Clone)]
pub struct ModelJudge {
    /// The model.
    pub model: Arc<dyn ChatModel>,
}

fn failed(e: &ModelError) -> Judged {
    Judged {
        outcome: Outcome::Error,
        message: format!("the judge could not answer: {e}"),
        input_tokens: 0,
        output_tokens: 0,
    }
}

impl Judge for ModelJudge {
    fn judge(&self, check: &ResolvedCheck, asset: &str, context: &str) -> Judged {
        let shown: String = asset.chars().take(MAX_ASSET_CHARS).collect();
        let cut = if shown.len() < asset.len() {
            "\n[… cut]"
        } else {
            ""
        };
        let system = format!(
            "You evaluate one check of an AI-assisted software process. Judge only whether the asset meets the criterion. {VERDICT_FORMAT}"
        );
        let user = format!(
            "{context}\nCheck: {}\nCriterion: {}\n\nAsset:\n```\n{shown}{cut}\n```",
            check.name, check.criterion
        );
        let mut ask = Ask {
            system,
            user,
            max_tokens: 400,
            ..Ask::default()
        };
        let mut spent = (0, 0);
        for attempt in 0..2 {
            let answer = match self.model.ask(&ask) {
                Ok(a) => a,
                Err(e) => return failed(&e),
            };
            spent.0 += answer.input_tokens;
            spent.1 += answer.output_tokens;
            match parse_verdict(&answer.text) {
                Ok(v) => {
                    return Judged {
                        outcome: if v.pass { Outcome::Pass } else { Outcome::Fail },
                        message: v.reason,
                        input_tokens: spent.0,
                        output_tokens: spent.1,
                    };
                }
                Err(why) if attempt == 0 => {
                    ask.user = format!(
                        "{}\n\nYour previous reply was not a verdict: {why}. {VERDICT_FORMAT}",
                        ask.user
                    );
                }
                Err(why) => {
                    let start: String = answer.text.chars().take(200).collect();
                    return Judged {
                        outcome: Outcome::Error,
                        message: format!("judge reply was not a verdict ({why}): {start}"),
                        input_tokens: spent.0,
                        output_tokens: spent.1,
                    };
                }
            }
        }
        unreachable!("the loop returns")
    }
}
