//! `gen event emit`: append one flat v1 event, durable before we say so.

use super::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{errln, outln, quiet};
use clap::Args;
use gen_core::config::canonical_edge_id;
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};
use serde_json::{Map, Value, json};

/// Keys gen writes itself, or that readers take as the event's identity, feature, edge or agent.
const RESERVED: &[&str] = &[
    "event_type",
    "timestamp",
    "project",
    "event_id",
    "agent_id",
    "feature",
    "feature_id",
    "edge",
    "actor",
    "eventType",
    "eventTime",
    "_metadata",
    "_v1_compat",
];

/// `gen event emit`
#[derive(Debug, Args)]
pub struct EmitArgs {
    /// Event type, snake_case (e.g. edge_started, iteration_completed).
    #[arg(value_name = "TYPE")]
    pub event_type: String,
    /// Feature id the event is about.
    #[arg(long)]
    pub feature: Option<String>,
    /// Edge id (`design→code`; `design->code` is accepted).
    #[arg(long)]
    pub edge: Option<String>,
    /// Payload: a JSON object, or @FILE to read one from a file (`@-` for stdin).
    #[arg(long, value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// Project name (default: constraints project.name, else the folder name).
    #[arg(long)]
    pub project: Option<String>,
    /// Agent id (default: $GEN_AGENT_ID, else $USER, else "primary").
    #[arg(long, env = "GEN_AGENT_ID")]
    pub agent: Option<String>,
}

/// Runs the command.
pub fn run(ws: &Workspace, args: &EmitArgs, json: bool) -> Result<Exit> {
    let event_type = args.event_type.trim();
    if event_type.is_empty()
        || !event_type
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(UserError::new(
            format!("event type `{}` is not snake_case", args.event_type),
            "use lowercase letters, digits and underscores, e.g. edge_started or iteration_completed",
        )
        .into());
    }
    let data = match &args.data {
        None => Map::new(),
        Some(spec) => parse_data(spec)?,
    };
    // Readers also take feature/edge/agent from a nested `data` object, so it may not set them either.
    let nested = data.get("data").and_then(Value::as_object);
    let keys = data.keys().map(|k| k.to_string()).chain(
        nested
            .into_iter()
            .flat_map(|d| d.keys().map(|k| format!("data.{k}"))),
    );
    for key in keys {
        if RESERVED.contains(&key.trim_start_matches("data.")) {
            return Err(UserError::new(
                format!("--data sets `{key}`, which gen writes itself"),
                "use --feature/--edge/--project/--agent for those fields, or rename the key",
            )
            .into());
        }
    }
    for (flag, value) in [
        ("--feature", &args.feature),
        ("--edge", &args.edge),
        ("--agent", &args.agent),
        ("--project", &args.project),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(UserError::new(
                format!("{flag} is empty"),
                format!("give {flag} a value, or leave the flag out"),
            )
            .into());
        }
    }
    let now = jiff::Timestamp::now();
    let id = uuid::Uuid::now_v7().to_string();
    let project = args
        .project
        .clone()
        .unwrap_or_else(|| crate::load::project_name(ws));
    let agent = args
        .agent
        .clone()
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "primary".into());
    // Envelope first, in the order the reference writer uses, then the payload at the top level.
    let mut event = Map::new();
    event.insert("event_type".into(), event_type.into());
    event.insert(
        "timestamp".into(),
        format!("{}", now.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")).into(),
    );
    event.insert("project".into(), project.into());
    event.insert("event_id".into(), id.clone().into());
    event.insert("agent_id".into(), agent.into());
    if let Some(f) = &args.feature {
        event.insert("feature".into(), f.trim().into());
    }
    if let Some(e) = &args.edge {
        event.insert("edge".into(), canonical_edge_id(e).into());
    }
    event.extend(data);
    let line = serde_json::to_string(&Value::Object(event.clone())).into_diagnostic()?;
    let torn = gen_workspace::log::append_lines(&ws.events_path(), &[line]).into_diagnostic()?;
    if let Some(t) = &torn {
        errln!(
            "warning: events.jsonl ended with a torn line {} ({} bytes, a crash mid-write); it was moved to {} before appending",
            t.line,
            t.bytes,
            t.saved_to.display()
        );
    }
    if json {
        print_json(&json!({"id": id, "event": event, "repaired_torn_line": torn.map(|t| t.line)}))?;
    } else if !quiet() {
        outln!("Recorded {event_type} {id}");
    }
    Ok(Exit::Success)
}

fn parse_data(spec: &str) -> Result<Map<String, Value>> {
    let (text, origin) = if let Some(path) = spec.strip_prefix('@') {
        let text = if path == "-" {
            std::io::read_to_string(std::io::stdin()).into_diagnostic()?
        } else {
            std::fs::read_to_string(path).map_err(|e| {
                UserError::new(
                    format!("cannot read --data file {path}: {e}"),
                    "check the path after @",
                )
            })?
        };
        (text, path.to_string())
    } else {
        (spec.to_string(), "--data".to_string())
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(UserError::new(
            format!("{origin} must be a JSON object"),
            r#"wrap the value in an object, e.g. --data '{"delta": 2}'"#,
        )
        .into()),
        Err(e) => Err(UserError::new(
            format!(
                "{origin} is not valid JSON: {} (line {}, column {})",
                e.to_string().split(" at line ").next().unwrap_or_default(),
                e.line(),
                e.column()
            ),
            r#"pass one JSON object, e.g. --data '{"iteration": 1, "delta": 2}'"#,
        )
        .into()),
    }
}
