//! Bedrock's Converse API as a [`ChatModel`]: what "run iterate operations against Bedrock APIs"
//! (seed `000_*`) needs. Credentials come from the standard AWS chain (environment, profile, SSO,
//! instance role) and are never printed or stored; each attempt has a timeout, and throttling and
//! 5xx are retried by the SDK's standard retry (4 attempts).

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, SystemContentBlock,
    ToolConfiguration, ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::{Document, Number};
use gen_model::{Answer, Ask, ChatModel, ModelError, Role};
use serde_json::Value;
use std::time::Duration;

/// Where and how to reach Bedrock.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The model id (`anthropic.claude-3-5-sonnet-20240620-v1:0`, an inference profile…).
    pub model_id: String,
    /// The region (default: AWS_REGION or the profile's).
    pub region: Option<String>,
    /// The credentials profile (default: AWS_PROFILE).
    pub profile: Option<String>,
    /// Another endpoint (default: AWS's, or AWS_ENDPOINT_URL_BEDROCK_RUNTIME).
    pub endpoint_url: Option<String>,
    /// Each attempt's limit.
    pub timeout: Duration,
    /// Attempts in all.
    pub max_attempts: u32,
    /// The first retry's backoff.
    pub initial_backoff: Duration,
}

/// A model on Bedrock.
pub struct Converse {
    rt: tokio::runtime::Runtime,
    client: aws_sdk_bedrockruntime::Client,
    model_id: String,
    timeout: Duration,
}

impl std::fmt::Debug for Converse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converse")
            .field("model_id", &self.model_id)
            .finish_non_exhaustive()
    }
}

impl Converse {
    /// A model over a client built elsewhere (a test's, a caller's own settings).
    pub fn with_client(
        client: aws_sdk_bedrockruntime::Client,
        model_id: &str,
        timeout: Duration,
    ) -> Result<Converse, ModelError> {
        Ok(Converse {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| ModelError::Transport(format!("cannot start the AWS client: {e}")))?,
            client,
            model_id: model_id.to_string(),
            timeout,
        })
    }

    /// The client the settings name; nothing is sent yet.
    pub fn open(settings: &Settings) -> Result<Converse, ModelError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ModelError::Transport(format!("cannot start the AWS client: {e}")))?;
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(settings.timeout)
            .build();
        let retry = aws_config::retry::RetryConfig::standard()
            .with_max_attempts(settings.max_attempts.max(1))
            .with_initial_backoff(settings.initial_backoff);
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .timeout_config(timeouts)
            .retry_config(retry);
        if let Some(region) = &settings.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = rt.block_on(loader.load());
        if sdk.region().is_none() {
            return Err(ModelError::Transport(
                "no AWS region: give --region, or set AWS_REGION or a region in the AWS profile"
                    .into(),
            ));
        }
        Ok(Converse {
            client: aws_sdk_bedrockruntime::Client::new(&sdk),
            rt,
            model_id: settings.model_id.clone(),
            timeout: settings.timeout,
        })
    }
}

fn failed<E, R>(err: SdkError<E, R>, timeout: Duration) -> ModelError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::TimeoutError(_) => ModelError::Timeout(timeout),
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("unknown");
            let detail = format!("{code}: {}", e.message().unwrap_or("no message"));
            match code {
                "ThrottlingException"
                | "ServiceUnavailableException"
                | "InternalServerException"
                | "ModelNotReadyException" => ModelError::Unavailable {
                    status: if code == "ThrottlingException" {
                        429
                    } else {
                        503
                    },
                    attempts: 0,
                    detail,
                },
                _ => ModelError::Refused {
                    status: 400,
                    detail,
                },
            }
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => ModelError::Timeout(timeout),
        _ => ModelError::Transport(format!("{err}")),
    }
}

impl ChatModel for Converse {
    fn ask(&self, ask: &Ask) -> Result<Answer, ModelError> {
        let built =
            |e: aws_sdk_bedrockruntime::error::BuildError| ModelError::Transport(e.to_string());
        let mut messages = Vec::new();
        for turn in &ask.earlier {
            let role = match turn.role {
                Role::User => ConversationRole::User,
                Role::Assistant => ConversationRole::Assistant,
            };
            messages.push(
                Message::builder()
                    .role(role)
                    .content(ContentBlock::Text(turn.text.clone()))
                    .build()
                    .map_err(built)?,
            );
        }
        messages.push(
            Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text(ask.user.clone()))
                .build()
                .map_err(built)?,
        );
        let mut request = self
            .client
            .converse()
            .model_id(&self.model_id)
            .system(SystemContentBlock::Text(ask.system.clone()))
            .set_messages(Some(messages))
            .inference_config(
                InferenceConfiguration::builder()
                    .max_tokens(i32::try_from(ask.max_tokens).unwrap_or(i32::MAX))
                    .temperature(0.0)
                    .build(),
            );
        if let Some(tool) = &ask.tool {
            let spec = ToolSpecification::builder()
                .name(&tool.name)
                .description(&tool.description)
                .input_schema(ToolInputSchema::Json(document(&tool.schema)))
                .build()
                .map_err(built)?;
            request = request.tool_config(
                ToolConfiguration::builder()
                    .tools(aws_sdk_bedrockruntime::types::Tool::ToolSpec(spec))
                    .build()
                    .map_err(built)?,
            );
        }
        let out = self
            .rt
            .block_on(request.send())
            .map_err(|e| failed(e, self.timeout))?;
        let (text, tool_input) = match out.output() {
            Some(aws_sdk_bedrockruntime::types::ConverseOutput::Message(m)) => {
                let text = m
                    .content()
                    .iter()
                    .filter_map(|c| c.as_text().ok().cloned())
                    .collect::<Vec<_>>()
                    .join("");
                let tool_input = m
                    .content()
                    .iter()
                    .find_map(|c| c.as_tool_use().ok())
                    .map(|t| json(t.input()).to_string());
                (text, tool_input)
            }
            _ => {
                return Err(ModelError::BadReply(
                    "no message in the Converse output".into(),
                ));
            }
        };
        let usage = out.usage();
        Ok(Answer {
            text,
            input_tokens: usage.map_or(0, |u| u.input_tokens().max(0) as u64),
            output_tokens: usage.map_or(0, |u| u.output_tokens().max(0) as u64),
            attempts: 1,
            tool_input,
        })
    }

    fn kind(&self) -> &'static str {
        "bedrock"
    }
}

/// JSON as the SDK's document type (a tool's input schema).
fn document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Number::PosInt(u),
            (None, Some(i)) => Number::NegInt(i),
            _ => Number::Float(n.as_f64().unwrap_or(0.0)),
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(document).collect()),
        Value::Object(map) => {
            Document::Object(map.iter().map(|(k, v)| (k.clone(), document(v))).collect())
        }
    }
}

/// The SDK's document as JSON (a tool call's input, parsed by the caller like any untrusted text).
fn json(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(json).collect()),
        Document::Object(map) => {
            // HashMap order is arbitrary: sort so the same answer always reads the same.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), json(&map[k])))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockruntime::config::{Credentials, Region};
    use gen_testkit::scripted::{Reply, Scripted};

    fn converse(url: &str, timeout: Duration) -> Converse {
        let config = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version_latest()
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(5)),
            )
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(timeout)
                    .build(),
            )
            .build();
        Converse::with_client(
            aws_sdk_bedrockruntime::Client::from_conf(config),
            "scripted.model-v1:0",
            timeout,
        )
        .unwrap()
    }

    fn reply(text: &str) -> Reply {
        Reply::json(
            200,
            &serde_json::json!({
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 50, "outputTokens": 7, "totalTokens": 57},
                "metrics": {"latencyMs": 3},
            })
            .to_string(),
        )
    }

    fn ask() -> Ask {
        Ask {
            system: "judge".into(),
            user: "is it clear?".into(),
            max_tokens: 300,
            ..Ask::default()
        }
    }

    #[test]
    fn a_converse_answer_after_throttling_with_the_request_as_bedrock_wants_it() {
        let mut throttled = Reply::json(429, r#"{"message":"Too many requests"}"#);
        throttled
            .headers
            .push(("x-amzn-errortype".into(), "ThrottlingException".into()));
        let server = Scripted::start(vec![throttled, reply(r#"{"outcome":"pass"}"#)]);
        let answer = converse(&server.url, Duration::from_secs(5))
            .ask(&ask())
            .unwrap();
        assert_eq!(answer.text, r#"{"outcome":"pass"}"#);
        assert_eq!((answer.input_tokens, answer.output_tokens), (50, 7));
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "throttled once, then answered");
        assert!(
            requests[1].request_line.contains("/converse"),
            "{}",
            requests[1].request_line
        );
        let body: serde_json::Value = serde_json::from_str(&requests[1].body).unwrap();
        assert_eq!(body["system"][0]["text"], "judge");
        assert_eq!(body["messages"][0]["content"][0]["text"], "is it clear?");
        assert_eq!(body["inferenceConfig"]["maxTokens"], 300);
    }

    #[test]
    fn a_slow_converse_hits_the_timeout_and_a_refusal_says_so() {
        let mut slow = reply("late");
        slow.delay = Duration::from_millis(1500);
        let server = Scripted::start(vec![slow.clone(), slow.clone(), slow]);
        let e = converse(&server.url, Duration::from_millis(200))
            .ask(&ask())
            .unwrap_err();
        assert!(matches!(e, ModelError::Timeout(_)), "{e}");
        let mut denied = Reply::json(403, r#"{"message":"no access to this model"}"#);
        denied
            .headers
            .push(("x-amzn-errortype".into(), "AccessDeniedException".into()));
        let server = Scripted::start(vec![denied]);
        let e = converse(&server.url, Duration::from_secs(5))
            .ask(&ask())
            .unwrap_err();
        assert!(e.to_string().contains("AccessDeniedException"), "{e}");
    }
}
