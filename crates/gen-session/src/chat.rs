//! The conversation of a draft (`chat.jsonl` beside its journal): what the person said, what the
//! agent answered and the reducer's report, so a reload or a restart shows the same chat. One JSON
//! line per message, appended and fsynced before the turn is answered; a torn last line (a crash
//! mid-write) is skipped on reading, never fatal.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::{DraftError, DraftName, Drafts, io};

/// The most messages kept on reading (the file keeps everything).
pub const CHAT_SHOWN: usize = 500;

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatLine {
    /// `user` or `agent`.
    pub role: String,
    /// What was said (data: shown as text only).
    pub text: String,
    /// The reducer's report of the edits this message led to, when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
    /// When, RFC 3339 UTC.
    pub at: String,
}

impl Drafts {
    /// The conversation file of a draft.
    pub fn chat_path(&self, name: &DraftName) -> std::path::PathBuf {
        self.folder(name).join("chat.jsonl")
    }

    /// Appends messages to a draft's conversation, durably.
    pub fn append_chat(&self, name: &DraftName, lines: &[ChatLine]) -> Result<(), DraftError> {
        if !self.exists(name) {
            return Err(self.not_found(name));
        }
        let path = self.chat_path(name);
        let mut text = String::new();
        for line in lines {
            text.push_str(&serde_json::to_string(line).unwrap_or_default());
            text.push('\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(io("cannot write", &path))
    }

    /// The last [`CHAT_SHOWN`] messages of a draft's conversation (none when it has none yet).
    pub fn chat(&self, name: &DraftName) -> Result<Vec<ChatLine>, DraftError> {
        let path = self.chat_path(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("cannot read", &path)(e)),
        };
        let lines: Vec<ChatLine> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let skip = lines.len().saturating_sub(CHAT_SHOWN);
        Ok(lines.into_iter().skip(skip).collect())
    }
}
