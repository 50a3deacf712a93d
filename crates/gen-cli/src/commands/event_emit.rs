//! `gen event emit`: append one flat v1 event, durable before we say so.

use super::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{errln, outln, quiet};
use clap::Args;
use gen_core::event::{EnvelopeError, NewEvent};
use gen_workspace::Workspace;
use gen_workspace::{Emitted, WriteEventError};
use miette::{IntoDiagnostic, Result};
use serde_json::{Map, Value};

/// `gen event emit`
#[derive(Debug, Args)]
pub(crate) struct EmitArgs {
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
pub(crate) fn run(ws: &Workspace, args: &EmitArgs, json: bool) -> Result<Exit> {
    let data = match &args.data {
        None => Map::new(),
        Some(spec) => parse_data(spec)?,
    };
    let (timestamp, id) = gen_workspace::event_stamp();
    let event = NewEvent {
        event_type: args.event_type.trim().to_string(),
        timestamp,
        project: args
            .project
            .clone()
            .unwrap_or_else(|| gen_workspace::project_name(ws)),
        event_id: id.clone(),
        agent_id: super::agent_id(args.agent.as_deref()),
        feature: args.feature.clone(),
        edge: args.edge.clone(),
        payload: data,
    };
    let torn = match gen_workspace::append_event(ws, &event) {
        Ok(torn) => torn,
        Err(WriteEventError::Envelope(e)) => return Err(refusal(&e, &args.event_type).into()),
        Err(e) => return Err(e).into_diagnostic(),
    };
    if let Some(t) = &torn {
        errln!(
            "warning: events.jsonl ended with a torn line {} ({} bytes, a crash mid-write); it was moved to {} before appending",
            t.line,
            t.bytes,
            t.saved_to.display()
        );
    }
    if json {
        print_json(&Emitted::new(&event, torn.as_ref()))?;
    } else if !quiet() {
        outln!("Recorded {} {id}", event.event_type);
    }
    Ok(Exit::Success)
}

/// What to tell the user when the event itself cannot be written.
fn refusal(e: &EnvelopeError, event_type: &str) -> UserError {
    match e {
        EnvelopeError::BadType(_) => UserError::new(
            format!("event type `{event_type}` is not snake_case"),
            "use lowercase letters, digits and underscores, e.g. edge_started or iteration_completed",
        ),
        EnvelopeError::ReservedKey(key) => UserError::new(
            format!("--data sets `{key}`, which gen writes itself"),
            "use --feature/--edge/--project/--agent for those fields, or rename the key",
        ),
        EnvelopeError::Blank(field) => {
            let flag = match *field {
                "agent_id" => "agent",
                "event_id" => "id",
                other => other,
            };
            UserError::new(
                format!("--{flag} is empty"),
                format!("give --{flag} a value, or leave the flag out"),
            )
        }
    }
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
