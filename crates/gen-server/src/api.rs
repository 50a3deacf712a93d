//! The HTTP API (`docs/workbench-api.md`): every handler reads or changes the one draft through the
//! session's journal (blocking file I/O, so on the blocking pool) and answers with the draft as it
//! now is, so the page never has to guess.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gen_session::{
    DraftApplied, DraftError, Guard, Session, TopologyProblem, save_blueprint, save_topology,
};
use gen_workbench::limits::MAX_INPUT_BYTES;
use gen_workbench::{BatchReport, Layout, lint, parse_canvas_input};
use serde_json::{Value, json};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::state::{App, Kind, Live};
use crate::{chat, guard, live, ui};

/// The longest a request may take (a chat turn asks a model, whose own timeout is shorter).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

pub(crate) fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/draft", get(draft))
        .route("/api/actions", post(actions))
        .route("/api/undo", post(undo))
        .route("/api/redo", post(redo))
        .route("/api/layout", put(layout))
        .route("/api/save", post(save))
        .route("/api/chat", post(chat::turn))
        .route("/api/chat/history", get(chat::history))
        .route("/api/status", get(status))
        .route("/api/map", get(map))
        .route("/api/events", get(live::events))
        // The timeout bounds producing an answer; an event stream answers at once and then
        // streams for as long as the page is open.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    Router::new()
        .route("/", get(ui::index))
        .fallback(ui::asset)
        .merge(api)
        // The body cap sits a little above one turn's cap, so an oversized turn is refused by the
        // parser with its own words, and anything larger never reaches memory.
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES + 4096))
        // A body that announces more than that is refused before a byte of it is read.
        .layer(RequestBodyLimitLayer::new(MAX_INPUT_BYTES + 4096))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard::check,
        ))
        .with_state(app)
}

/// An error answer: `{"error": …}` with a status.
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// A draft error as an answer; the details go to the server log.
pub(crate) fn failed(app: &App, e: &DraftError) -> Response {
    (app.log)(&format!("workbench: {e}"));
    error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Runs blocking work (the journal, the disk) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, Response> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the request failed: {e}"),
            )
        })
}

/// The draft as the page shows it: `DraftView`.
pub(crate) fn view(app: &App, session: &Session) -> Value {
    let history = &session.history;
    let draft = history.draft();
    json!({
        "name": app.name.as_str(),
        "kind": app.kind.label(),
        "revision": history.revision(),
        "draft": draft.to_blueprint(),
        "undo": history.undo_len(),
        "redo": history.redo_len(),
        "undoMessage": history.undo_message(),
        "redoMessage": history.redo_message(),
        "layout": session.layout,
        "problems": problems(app, draft),
        "dirty": dirty(app, draft),
        "ui": ui::built(),
    })
}

/// Advice on the draft, and for the topology what `gen validate` would say if it were saved now,
/// each on the step it names (by `name` in backticks or quotes), else on the whole draft.
fn problems(app: &App, draft: &gen_workbench::Draft) -> Vec<Value> {
    let mut found: Vec<Value> = lint(draft)
        .into_iter()
        .map(|f| json!({ "nodeId": f.node_id, "message": f.message }))
        .collect();
    if app.kind == Kind::Topology {
        let errors = match gen_session::check_topology(&app.workspace.dir, draft) {
            Ok(errors) => errors.into_iter().map(|d| d.message).collect(),
            Err(e) => vec![e.to_string()],
        };
        for message in errors {
            let node = draft.nodes().find(|n| {
                let id = n.id.as_str();
                [format!("`{id}`"), format!("'{id}'"), format!("\"{id}\"")]
                    .iter()
                    .any(|quoted| message.contains(quoted.as_str()))
            });
            found.push(json!({
                "nodeId": node.map(|n| n.id.to_string()),
                "message": format!("If saved now: {message}"),
            }));
        }
    }
    found
}

/// Whether Save would change what is saved: derived from the saved file every time, never tracked
/// (a tracked flag drifts after undo past a save; this cannot).
fn dirty(app: &App, draft: &gen_workbench::Draft) -> bool {
    let ws = &app.workspace.dir;
    let saved = match &app.kind {
        Kind::Topology => gen_session::open_topology(ws).map(|(d, _)| d).ok(),
        Kind::Blueprint(name) => gen_session::open_blueprint(ws, name).map(|f| f.draft).ok(),
        Kind::Draft => gen_session::BlueprintName::parse(app.name.as_str())
            .ok()
            .and_then(|name| gen_session::open_blueprint(ws, &name).ok())
            .map(|f| f.draft),
    };
    match saved {
        Some(saved) => saved.to_blueprint() != draft.to_blueprint(),
        // Never saved: anything in it is unsaved work.
        None => draft.node_count() > 0,
    }
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    if let Value::Object(map) = &mut base {
        map.insert(key.to_string(), value);
    }
    base
}

/// Tells every open page about a change this server made (the watcher would too, a moment later).
pub(crate) fn announce(app: &App, session: &Session) {
    let _ = app.live.send(Live::Draft(session.history.revision()));
}

async fn draft(State(app): State<Arc<App>>) -> Response {
    match blocking(&app, |app| app.session().map(|s| view(app, &s))).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}

/// The reducer's report as `gen draft apply --json` prints it.
pub(crate) fn report_json(report: &BatchReport, session: &Session, compacted: bool) -> Value {
    serde_json::to_value(DraftApplied {
        report: report.clone(),
        counters: gen_session::Counters::of(&session.history),
        compacted,
    })
    .unwrap_or(Value::Null)
}

async fn actions(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let actions = match parse_canvas_input(&body) {
        Ok(a) => a,
        Err(rejection) => {
            let report = BatchReport::rejected(rejection);
            return match blocking(&app, |app| app.session()).await {
                Ok(Ok(session)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(with(
                        view(&app, &session),
                        "report",
                        report_json(&report, &session, false),
                    )),
                )
                    .into_response(),
                Ok(Err(e)) => failed(&app, &e),
                Err(r) => r,
            };
        }
    };
    let result = blocking(&app, move |app| app.drafts.apply(&app.name, &actions)).await;
    match result {
        Ok(Ok(applied)) => {
            let session = &applied.changed.session;
            if applied.report.changed() {
                announce(&app, session);
            }
            Json(with(
                view(&app, session),
                "report",
                report_json(&applied.report, session, applied.changed.compacted),
            ))
            .into_response()
        }
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}

async fn walk(app: Arc<App>, forward: bool) -> Response {
    let result = blocking(&app, move |app| {
        if forward {
            app.drafts.redo(&app.name)
        } else {
            app.drafts.undo(&app.name)
        }
    })
    .await;
    match result {
        Ok(Ok((message, changed))) => {
            if message.is_some() {
                announce(&app, &changed.session);
            }
            Json(with(
                view(&app, &changed.session),
                "message",
                json!(message),
            ))
            .into_response()
        }
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}

async fn undo(State(app): State<Arc<App>>) -> Response {
    walk(app, false).await
}

async fn redo(State(app): State<Arc<App>>) -> Response {
    walk(app, true).await
}

async fn layout(
    State(app): State<Arc<App>>,
    body: Result<Json<Layout>, JsonRejection>,
) -> Response {
    let Json(layout) = match body {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a layout: {}", e.body_text()),
            );
        }
    };
    let result = blocking(&app, move |app| app.drafts.merge_layout(&app.name, &layout)).await;
    match result {
        Ok(Ok(_)) => Json(json!({ "ok": true })).into_response(),
        Ok(Err(e)) => failed(&app, &e),
        Err(r) => r,
    }
}

async fn save(State(app): State<Arc<App>>) -> Response {
    let result = blocking(&app, |app| -> Result<Value, (StatusCode, Value)> {
        let internal = |e: DraftError| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": e.to_string() }),
            )
        };
        let session = app.session().map_err(internal)?;
        let draft = session.history.draft();
        let ws = &app.workspace;
        match &app.kind {
            Kind::Draft | Kind::Blueprint(_) => {
                let name = match &app.kind {
                    Kind::Blueprint(b) => b.clone(),
                    _ => gen_session::BlueprintName::parse(app.name.as_str())
                        .map_err(|e| internal(e.into()))?,
                };
                let path =
                    save_blueprint(&ws.dir, &name, draft, &session.layout).map_err(internal)?;
                Ok(json!({ "saved": ws.relative(&path), "kind": "blueprint" }))
            }
            Kind::Topology => {
                let base = app.drafts.topology_base(&app.name);
                let guard = match &base {
                    Some(base) => Guard::Unchanged(base),
                    None => Guard::NotOpened,
                };
                match save_topology(
                    &ws.dir,
                    app.name.as_str(),
                    draft,
                    jiff::Timestamp::now(),
                    guard,
                ) {
                    Ok(saved) => {
                        app.drafts
                            .set_topology_base(&app.name, &saved.fingerprint)
                            .map_err(internal)?;
                        Ok(json!({
                            "saved": ws.relative(&saved.path),
                            "kind": "topology",
                            "unchanged": saved.unchanged,
                            "backup": saved.backup.as_ref().map(|b| ws.relative(b)),
                            "notes": saved.notes,
                        }))
                    }
                    Err(DraftError::Topology(problem)) => {
                        let problems: Vec<Value> = match &*problem {
                            TopologyProblem::Invalid { errors } => errors
                                .iter()
                                .map(|d| {
                                    json!({
                                        "file": d.file,
                                        "line": d.line,
                                        "column": d.column,
                                        "message": d.message,
                                        "hint": d.hint,
                                    })
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        Err((
                            StatusCode::UNPROCESSABLE_ENTITY,
                            json!({ "error": problem.to_string(), "problems": problems }),
                        ))
                    }
                    Err(e) => Err(internal(e)),
                }
            }
        }
    })
    .await;
    match result {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err((status, v))) => {
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                (app.log)(&format!("workbench: save failed: {v}"));
            }
            (status, Json(v)).into_response()
        }
        Err(r) => r,
    }
}

/// What `gen status --json` prints, from the library's one loader.
async fn status(State(app): State<Arc<App>>) -> Response {
    let result = blocking(&app, |app| {
        gen_workspace::load_status(
            &app.workspace,
            false,
            gen_core::projection::SeeAlso::default(),
        )
    })
    .await;
    match result {
        Ok(Ok(loaded)) => Json(loaded.report).into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(r) => r,
    }
}

/// The project map: the topology with the features on it.
async fn map(State(app): State<Arc<App>>) -> Response {
    let result = blocking(&app, |app| {
        gen_workspace::load_status(
            &app.workspace,
            false,
            gen_core::projection::SeeAlso::default(),
        )
        .map(|loaded| gen_core::projection::project_map(loaded.topology.as_ref(), &loaded.report))
    })
    .await;
    match result {
        Ok(Ok(map)) => Json(map).into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(r) => r,
    }
}
