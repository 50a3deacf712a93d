//! A chat model behind an OpenAI-compatible endpoint (`POST {base}/chat/completions`): what the
//! iterate engine's judge (and next its constructor) asks. Every reply is untrusted: its size is
//! capped before it is parsed, each attempt has a timeout, 429 and 5xx are retried with backoff
//! (honouring `Retry-After`), and the API key is sent in one header and shown nowhere else.

use serde_json::{Value, json};
use std::time::Duration;

/// The largest reply body read (anything longer is an error, not parsed).
pub const MAX_REPLY_BYTES: u64 = 1 << 20;

/// A secret that prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a key.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ask {
    /// The system prompt.
    pub system: String,
    /// The user's message.
    pub user: String,
    /// The longest answer wanted, in tokens.
    pub max_tokens: u32,
    /// Turns before `user` (a repair retry shows the model its last answer and what was wrong).
    pub earlier: Vec<Turn>,
    /// A tool the model should answer through (its arguments are the structured answer).
    pub tool: Option<Tool>,
}

/// One earlier message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Whose it was.
    pub role: Role,
    /// What it said.
    pub text: String,
}

/// Who said an earlier turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The person (or the program speaking for them).
    User,
    /// The model.
    Assistant,
}

/// A tool offered to the model: the way to get structured output that the endpoint shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// Its name (`[a-zA-Z0-9_-]`, at most 64).
    pub name: String,
    /// What it is for, as the model reads it.
    pub description: String,
    /// The JSON Schema of its arguments.
    pub schema: Value,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The text of the first choice.
    pub text: String,
    /// Prompt tokens, as the server counted them.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// Requests it took (retries included).
    pub attempts: u32,
    /// The arguments of the first call of the offered tool, as the raw JSON text the model wrote
    /// (untrusted: the caller parses it).
    pub tool_input: Option<String>,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// An attempt took longer than the timeout.
    #[error("the model did not answer within {0:?}")]
    Timeout(Duration),
    /// Still rate-limited or failing after every attempt.
    #[error(
        "the model endpoint kept failing (HTTP {status}) after {attempts} attempt(s): {detail}"
    )]
    Unavailable {
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// The start of the last body.
        detail: String,
    },
    /// The endpoint refused the request (a bad key, an unknown model).
    #[error("the model endpoint refused the request (HTTP {status}): {detail}")]
    Refused {
        /// The status.
        status: u16,
        /// The start of the body.
        detail: String,
    },
    /// The reply was not a chat completion.
    #[error("the model's reply was not a chat completion: {0}")]
    BadReply(String),
    /// The endpoint could not be reached.
    #[error("cannot reach the model endpoint: {0}")]
    Transport(String),
}

/// What answers a question: an OpenAI-compatible endpoint here, Bedrock's Converse in
/// `gen-model-bedrock`; the judge and the constructor take either.
pub trait ChatModel: Send + Sync + std::fmt::Debug {
    /// Asks once (retrying what may pass).
    fn ask(&self, ask: &Ask) -> Result<Answer, ModelError>;
    /// Its kind, as events name it (`openai`, `bedrock`).
    fn kind(&self) -> &'static str;
}

impl ChatModel for OpenAiCompatible {
    fn ask(&self, ask: &Ask) -> Result<Answer, ModelError> {
        OpenAiCompatible::ask(self, ask)
    }
    fn kind(&self) -> &'static str {
        "openai"
    }
}

/// An OpenAI-compatible chat endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    /// `https://api.openai.com/v1`, or any compatible server's base.
    pub base_url: String,
    /// The model's name.
    pub model: String,
    /// The key, sent as `Authorization: Bearer`.
    pub api_key: Option<Secret>,
    /// Each attempt's limit.
    pub timeout: Duration,
    /// Attempts in all (429 and 5xx are retried).
    pub max_attempts: u32,
    /// The first backoff (doubled each retry, capped at 8 s) when the server gives no `Retry-After`.
    pub backoff: Duration,
}

impl OpenAiCompatible {
    /// An endpoint with the usual limits: 120 s per attempt, 4 attempts, 500 ms first backoff.
    pub fn new(base_url: &str, model: &str, api_key: Option<Secret>) -> OpenAiCompatible {
        OpenAiCompatible {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key,
            timeout: Duration::from_secs(120),
            max_attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }

    /// Asks once (retrying what may pass); see the crate docs.
    pub fn ask(&self, ask: &Ask) -> Result<Answer, ModelError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut messages = vec![json!({"role": "system", "content": ask.system})];
        for turn in &ask.earlier {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            messages.push(json!({"role": role, "content": turn.text}));
        }
        messages.push(json!({"role": "user", "content": ask.user}));
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": ask.max_tokens,
            "temperature": 0,
        });
        if let Some(tool) = &ask.tool {
            body["tools"] = json!([{
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.schema,
                },
            }]);
            // "auto", not a forced call: a model may need to ask a question back in plain text.
            body["tool_choice"] = json!("auto");
        }
        let url = format!("{}/chat/completions", self.base_url);
        let mut wait = self.backoff;
        for attempt in 1..=self.max_attempts.max(1) {
            let mut request = agent.post(&url).header("Content-Type", "application/json");
            if let Some(key) = &self.api_key {
                request = request.header("Authorization", &format!("Bearer {}", key.0));
            }
            let response = match request.send(body.to_string()) {
                Ok(r) => r,
                Err(ureq::Error::Timeout(_)) => return Err(ModelError::Timeout(self.timeout)),
                Err(e) => return Err(ModelError::Transport(e.to_string())),
            };
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response
                .into_body()
                .with_config()
                .limit(MAX_REPLY_BYTES)
                .read_to_string()
                .map_err(|e| match e {
                    ureq::Error::Timeout(_) => ModelError::Timeout(self.timeout),
                    other => ModelError::BadReply(other.to_string()),
                })?;
            let detail: String = text.chars().take(200).collect();
            match status {
                200..=299 => return parse(&text, attempt),
                429 | 500..=599 if attempt < self.max_attempts => {
                    std::thread::sleep(retry_after.unwrap_or(wait));
                    wait = (wait * 2).min(Duration::from_secs(8));
                }
                429 | 500..=599 => {
                    return Err(ModelError::Unavailable {
                        status,
                        attempts: attempt,
                        detail,
                    });
                }
                _ => return Err(ModelError::Refused { status, detail }),
            }
        }
        Err(ModelError::Transport("no attempt was made".into()))
    }
}

fn parse(text: &str, attempts: u32) -> Result<Answer, ModelError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ModelError::BadReply(e.to_string()))?;
    let message = v
        .pointer("/choices/0/message")
        .ok_or_else(|| ModelError::BadReply("no choices[0].message".into()))?;
    // A tool call's arguments are a JSON *string* in this API; some servers send the object.
    let tool_input = message
        .pointer("/tool_calls/0/function/arguments")
        .map(|a| match a {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    let content = match message.get("content") {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) | None if tool_input.is_some() => "",
        _ => {
            return Err(ModelError::BadReply("no choices[0].message.content".into()));
        }
    };
    let tokens = |k: &str| {
        v.pointer(&format!("/usage/{k}"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Answer {
        text: content.to_string(),
        input_tokens: tokens("prompt_tokens"),
        output_tokens: tokens("completion_tokens"),
        attempts,
        tool_input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gen_testkit::scripted::{Reply, Scripted};

    fn ask() -> Ask {
        Ask {
            system: "judge".into(),
            user: "is it good?".into(),
            max_tokens: 100,
            ..Ask::default()
        }
    }

    fn client(url: &str) -> OpenAiCompatible {
        let mut c =
            OpenAiCompatible::new(&format!("{url}/v1"), "m1", Some(Secret::new("sk-test-123")));
        c.backoff = Duration::from_millis(10);
        c.timeout = Duration::from_secs(5);
        c
    }

    #[test]
    fn an_answer_comes_with_its_usage_and_the_key_only_in_its_header() {
        let server = Scripted::start(vec![Reply::chat("yes")]);
        let c = client(&server.url);
        let a = c.ask(&ask()).unwrap();
        assert_eq!(
            (a.text.as_str(), a.input_tokens, a.output_tokens, a.attempts),
            ("yes", 100, 20, 1)
        );
        let r = &server.requests()[0];
        assert_eq!(r.request_line, "POST /v1/chat/completions HTTP/1.1");
        assert!(
            r.headers
                .contains(&("authorization".into(), "Bearer sk-test-123".into()))
        );
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["model"], "m1");
        assert_eq!(body["messages"][1]["content"], "is it good?");
        assert!(
            !format!("{c:?}").contains("sk-test"),
            "the key never prints"
        );
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_then_reported() {
        let mut limited = Reply::json(429, r#"{"error":"slow down"}"#);
        limited.headers.push(("Retry-After".into(), "0".into()));
        let server = Scripted::start(vec![limited, Reply::json(503, "{}"), Reply::chat("ok")]);
        let a = client(&server.url).ask(&ask()).unwrap();
        assert_eq!((a.text.as_str(), a.attempts), ("ok", 3));
        let server = Scripted::start(
            (0..4)
                .map(|_| Reply::json(500, r#"{"error":"down"}"#))
                .collect(),
        );
        let e = client(&server.url).ask(&ask()).unwrap_err();
        assert!(
            matches!(
                e,
                ModelError::Unavailable {
                    status: 500,
                    attempts: 4,
                    ..
                }
            ),
            "{e}"
        );
        let server = Scripted::start(vec![Reply::json(401, r#"{"error":"bad key"}"#)]);
        let e = client(&server.url).ask(&ask()).unwrap_err();
        assert!(matches!(e, ModelError::Refused { status: 401, .. }), "{e}");
        assert_eq!(server.requests().len(), 1, "a refusal is not retried");
    }

    #[test]
    fn a_slow_reply_hits_the_timeout_and_garbage_is_a_bad_reply() {
        let mut slow = Reply::chat("late");
        slow.delay = Duration::from_millis(1500);
        let server = Scripted::start(vec![slow]);
        let mut c = client(&server.url);
        c.timeout = Duration::from_millis(300);
        assert!(matches!(c.ask(&ask()), Err(ModelError::Timeout(_))));
        let server = Scripted::start(vec![Reply::json(200, "not json")]);
        assert!(matches!(
            client(&server.url).ask(&ask()),
            Err(ModelError::BadReply(_))
        ));
    }
}
