//! What every request goes through first: recording, delays and injected failures, then
//! authentication (token from the `Authorization` header, the `token` cookie or `?token=`),
//! workspace membership and Windmill's REST scopes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::params::parse_query;
use super::{ApiError, AppState};
use crate::server::Recorded;
use crate::state::{lock, Authed, FakeState};

/// Records the request, applies delays and injections, then authenticates.
pub(crate) async fn gate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("cannot read body: {e}")).into_response(),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let token = extract_token(&parts.headers, query.as_deref());
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    lock(&app.requests).push(Recorded {
        method: parts.method.as_str().to_string(),
        path: path.clone(),
        query: query.clone(),
        token: token.clone(),
        content_type,
        headers,
        body: bytes.to_vec(),
        json: if bytes.is_empty() {
            None
        } else {
            serde_json::from_slice(&bytes).ok()
        },
    });

    let (delays, injected, auth) = {
        let mut st = app.lock();
        let mut delays = Vec::new();
        if let Some(d) = st.delay {
            delays.push(d);
        }
        let mut injected = None;
        let method = parts.method.as_str();
        let pos = st.injections.iter().position(|inj| {
            path.contains(&inj.path_contains)
                && inj
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        });
        if let Some(pos) = pos {
            let inj = st.injections[pos].clone();
            match inj.remaining {
                Some(n) if n <= 1 => {
                    st.injections.remove(pos);
                }
                Some(n) => st.injections[pos].remaining = Some(n - 1),
                None => {}
            }
            if let Some(d) = inj.delay {
                delays.push(d);
            }
            injected = inj.response;
        }
        let auth = if is_public(&path) {
            Ok(None)
        } else {
            authorize(&st, &parts.method, &path, token.as_deref()).map(Some)
        };
        (delays, injected, auth)
    };
    for d in delays {
        tokio::time::sleep(d).await;
    }
    if let Some(inj) = injected {
        let status = StatusCode::from_u16(inj.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, inj.body).into_response();
        if let Ok(ct) = HeaderValue::from_str(&inj.content_type) {
            resp.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        return resp;
    }
    match auth {
        Ok(authed) => {
            if let Some(authed) = authed {
                parts.extensions.insert(authed);
            }
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => e.into_response(),
    }
}

fn is_public(path: &str) -> bool {
    path == "/api/version" || path == "/api/openapi.json" || !path.starts_with("/api/")
}

fn extract_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.strip_prefix("Bearer "))
    {
        return Some(t.to_string());
    }
    for cookie in headers.get_all(header::COOKIE) {
        if let Ok(s) = cookie.to_str() {
            for kv in s.split(';') {
                if let Some(t) = kv.trim().strip_prefix("token=") {
                    return Some(t.to_string());
                }
            }
        }
    }
    parse_query(query.unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

fn authorize(
    st: &FakeState,
    method: &Method,
    path: &str,
    token: Option<&str>,
) -> Result<Authed, ApiError> {
    let token = token.ok_or_else(ApiError::unauthorized)?;
    let info = st.tokens.get(token).ok_or_else(ApiError::unauthorized)?;
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() >= 4 && segs[1] == "api" && segs[2] == "w" {
        let w = segs[3];
        match &info.workspaces {
            Some(list) if !list.iter().any(|x| x == w) => return Err(ApiError::unauthorized()),
            _ => {}
        }
        if !st.workspaces.contains_key(w) {
            return Err(if info.workspaces.is_some() {
                ApiError::unauthorized()
            } else {
                ApiError::not_found(format!("workspace {w} does not exist"))
            });
        }
    }
    if let Some(scopes) = info.scopes.as_ref().filter(|s| !s.is_empty()) {
        let required = required_scope(method, path);
        if !scopes.iter().any(|s| scope_grants(s, &required, path)) {
            return Err(ApiError::missing_scope(&required));
        }
    }
    Ok(Authed {
        username: info.username.clone(),
        email: info.email.clone(),
    })
}

/// Windmill's REST scope for a route: `<domain>:<action>` where the domain is the path segment
/// after the workspace (`jobs_u` counts as `jobs`) and the action comes from the method
/// (GET read, POST/PUT/PATCH write, DELETE delete); running a script or flow needs
/// `jobs:run:scripts` / `jobs:run:flows`.
pub fn required_scope(method: &Method, path: &str) -> String {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (domain, rest): (&str, &[&str]) = if segs.get(1) == Some(&"w") {
        (
            segs.get(3).copied().unwrap_or(""),
            segs.get(4..).unwrap_or(&[]),
        )
    } else {
        (
            segs.get(1).copied().unwrap_or(""),
            segs.get(2..).unwrap_or(&[]),
        )
    };
    let domain = if domain == "jobs_u" { "jobs" } else { domain };
    if domain == "jobs" && rest.first().is_some_and(|s| s.starts_with("run")) {
        let kind = rest.get(1).copied().unwrap_or("");
        return if kind == "f" || kind.starts_with("preview_flow") {
            "jobs:run:flows".to_string()
        } else {
            "jobs:run:scripts".to_string()
        };
    }
    let action = match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => "read",
        Method::DELETE => "delete",
        _ => "write",
    };
    format!("{domain}:{action}")
}

fn scope_grants(token_scope: &str, required: &str, path: &str) -> bool {
    if token_scope == "*" {
        return true;
    }
    let tp: Vec<&str> = token_scope.split(':').collect();
    let rp: Vec<&str> = required.split(':').collect();
    if tp.len() < 2 || rp.len() < 2 || tp[0] != rp[0] {
        return false;
    }
    if tp[1] == "admin" {
        return true;
    }
    if !(tp[1] == rp[1] || (tp[1] == "write" && rp[1] == "read")) {
        return false;
    }
    let mut i = 2;
    while i < rp.len() {
        match tp.get(i) {
            None => return true,
            Some(x) if *x == rp[i] || *x == "*" => i += 1,
            Some(_) => return false,
        }
    }
    if i >= tp.len() {
        return true;
    }
    // what is left is a resource pattern: `*`, `f/folder/*`, `u/alice/script`
    let pattern = tp[i..].join(":");
    match pattern.strip_suffix('*') {
        Some(prefix) => path.contains(prefix),
        None => path.contains(pattern.as_str()),
    }
}
