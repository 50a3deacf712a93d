//! Who may talk to the server: requests for our own Host (no DNS rebinding), mutations from our own
//! Origin (no cross-site requests), and on `/api/` the per-run token, from the cookie the token URL
//! sets or an `Authorization: Bearer` header. Compared in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::App;

/// The cookie's name: per port, so two workbenches on one machine do not log each other out.
pub(crate) fn cookie_name(app: &App) -> String {
    format!("gen_token_{}", app.addr.port())
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// Equal bytes, in time that depends only on the length.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn own_hosts(app: &App) -> [String; 2] {
    let port = app.addr.port();
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
}

/// The token the request carries, if any.
pub(crate) fn presented(app: &App, headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(value.trim().to_string());
    }
    let name = cookie_name(app);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The checks, before any handler runs.
pub(crate) async fn check(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !own_hosts(&app).iter().any(|h| h == host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "this workbench answers only to 127.0.0.1 and localhost",
        );
    }
    let mutating = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if mutating {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let own = |o: &str| own_hosts(&app).iter().any(|h| o == format!("http://{h}"));
        if origin.is_some_and(|o| !own(o)) {
            return refuse(
                StatusCode::FORBIDDEN,
                "a change must come from the workbench's own page",
            );
        }
        // A browser that sends no Origin still says where a request came from.
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if origin.is_none() && site.is_some_and(|s| s == "cross-site" || s == "same-site") {
            return refuse(
                StatusCode::FORBIDDEN,
                "a change must come from the workbench's own page",
            );
        }
    }
    if request.uri().path().starts_with("/api/") {
        let ok = presented(&app, headers).is_some_and(|t| same(&t, &app.token));
        if !ok {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "open the address `gen workbench` printed (with ?token=…) to use this workbench",
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
