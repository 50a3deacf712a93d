//! A chat turn: the agent reads the message against the draft as it is *now*, its edits (untrusted)
//! go through the same reducer as the canvas, and the reply's report line is the reducer's —
//! never the agent's claim. Refused output is logged for debugging and shown as an error.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gen_agent::{MAX_MESSAGE_CHARS, Reply};
use gen_session::ChatLine;
use gen_workbench::Draft;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{announce, blocking, error, failed, report_json, view};
use crate::state::App;

/// `POST /api/chat` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChatRequest {
    message: String,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The ids of the steps a batch touched (for the brief highlight on the canvas).
fn changed_ids(before: &Draft, after: &Draft) -> Vec<String> {
    after
        .nodes()
        .filter(|n| before.node(n.id.as_str()) != Some(*n))
        .map(|n| n.id.to_string())
        .chain(
            // A step whose connections changed counts as touched too.
            after.nodes().filter_map(|n| {
                let id = n.id.as_str();
                let out_before: Vec<_> = before.outgoing(id).collect();
                let out_after: Vec<_> = after.outgoing(id).collect();
                (before.contains_node(id) && out_before != out_after).then(|| n.id.to_string())
            }),
        )
        .fold(Vec::new(), |mut ids, id| {
            if !ids.contains(&id) {
                ids.push(id);
            }
            ids
        })
}

/// What the turn came to, ready for the page and the chat log.
struct Outcome {
    reply: String,
    report: Option<Value>,
    changed: Vec<String>,
    session: gen_session::Session,
}

fn run_turn(app: &App, message: &str) -> Result<Outcome, gen_session::DraftError> {
    let before = app.session()?;
    let agent_reply = app.agent.turn(before.history.draft(), message);
    let (reply, report, changed, session) = match agent_reply {
        Reply::Say(text) => (text, None, Vec::new(), before),
        Reply::Refused { user, log } => {
            (app.log)(&format!("workbench: agent output refused: {log}"));
            (user, None, Vec::new(), before)
        }
        Reply::Undo | Reply::Redo => {
            let undo = matches!(agent_reply, Reply::Undo);
            let (message, changed) = if undo {
                app.drafts.undo(&app.name)?
            } else {
                app.drafts.redo(&app.name)?
            };
            let reply = match (message, undo) {
                (Some(m), true) => format!("Undid: {m}"),
                (Some(m), false) => format!("Redid: {m}"),
                (None, true) => "There is nothing to undo.".to_string(),
                (None, false) => "There is nothing to redo.".to_string(),
            };
            let ids = changed_ids(before.history.draft(), changed.session.history.draft());
            (reply, None, ids, changed.session)
        }
        Reply::Edit { actions, note } => {
            // Validated against the draft as it is now: a canvas edit that landed while the agent
            // thought makes its stale intents fail, one by one, with the usual words.
            let applied = app.drafts.apply(&app.name, &actions)?;
            let report = &applied.report;
            let mut reply = report.message();
            if !report.changed() {
                reply.push_str(" Nothing was changed.");
            }
            if let Some(note) = note {
                reply = format!("{note}\n{reply}");
            }
            let ids = changed_ids(
                before.history.draft(),
                applied.changed.session.history.draft(),
            );
            let json = report_json(report, &applied.changed.session, applied.changed.compacted);
            (reply, Some(json), ids, applied.changed.session)
        }
    };
    Ok(Outcome {
        reply,
        report,
        changed,
        session,
    })
}

/// `POST /api/chat`.
pub(crate) async fn turn(
    State(app): State<Arc<App>>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(b) => b,
        Err(e) => {
            return error(
                e.status(),
                format!("send {{\"message\": \"…\"}}: {}", e.body_text()),
            );
        }
    };
    let message = request.message.trim().to_string();
    if message.is_empty() {
        return error(StatusCode::BAD_REQUEST, "the message is empty");
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the message is longer than {MAX_MESSAGE_CHARS} characters; please shorten it"),
        );
    }
    let _one_at_a_time = app.chat_turn.lock().await;
    let result = blocking(&app, move |app| {
        let outcome = run_turn(app, &message)?;
        app.drafts.append_chat(
            &app.name,
            &[
                ChatLine {
                    role: "user".into(),
                    text: message,
                    report: None,
                    at: now(),
                },
                ChatLine {
                    role: "agent".into(),
                    text: outcome.reply.clone(),
                    report: outcome.report.clone(),
                    at: now(),
                },
            ],
        )?;
        Ok::<_, gen_session::DraftError>(outcome)
    })
    .await;
    match result {
        Ok(Ok(outcome)) => {
            announce(&app, &outcome.session);
            let mut v = view(&app, &outcome.session);
            if let Value::Object(map) = &mut v {
                map.insert("reply".into(), json!(outcome.reply));
                map.insert("report".into(), outcome.report.unwrap_or(Value::Null));
                map.insert("changed".into(), json!(outcome.changed));
            }
            Json(v).into_response()
        }
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}

/// `GET /api/chat/history`.
pub(crate) async fn history(State(app): State<Arc<App>>) -> Response {
    match blocking(&app, |app| app.drafts.chat(&app.name)).await {
        Ok(Ok(lines)) => Json(json!({ "messages": lines })).into_response(),
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}
