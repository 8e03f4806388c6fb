//! Reading requests: query strings, JSON bodies, arguments, enum and path checks, pages.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::{ApiError, AppState};
use crate::state::{FakeState, Workspace};

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect()
}

pub(crate) fn q_usize(q: &HashMap<String, String>, name: &str) -> Result<Option<usize>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<usize>()
            .map(Some)
            .map_err(|_| ApiError::query(name, "invalid digit found in string")),
    }
}

pub(crate) fn q_bool(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, ApiError> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::query(
            name,
            "provided string was not `true` or `false`",
        )),
    }
}

pub(crate) fn q_str<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(String::as_str).filter(|s| !s.is_empty())
}

pub(crate) fn q_list(q: &HashMap<String, String>, name: &str) -> Option<Vec<String>> {
    q_str(q, name).map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
}

/// `page` starts at 1; `per_page` defaults to `default_per_page`, capped at `max_per_page`.
pub(crate) fn paginate<T>(
    items: Vec<T>,
    q: &HashMap<String, String>,
    st: &FakeState,
) -> Result<Vec<T>, ApiError> {
    let page = q_usize(q, "page")?.unwrap_or(1).max(1);
    let per_page = q_usize(q, "per_page")?
        .unwrap_or(st.default_per_page)
        .clamp(1, st.max_per_page.max(1));
    Ok(items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect())
}

pub(crate) fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(mime == "application/json" || mime.ends_with("+json")) {
        return Err(ApiError::text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected request with `Content-Type: application/json`",
        ));
    }
    serde_json::from_slice::<T>(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::unprocessable(e),
        _ => ApiError::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse the request body as JSON: {e}"),
        ),
    })
}

/// Arguments of a run: empty body = `{}`, otherwise a JSON object.
pub(crate) fn parse_args(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::bad_request("script args must be a JSON object")),
        Err(e) => Err(ApiError::text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse the request body as JSON: {e}"),
        )),
    }
}

pub(crate) const SCRIPT_LANGS: &[&str] = &[
    "python3",
    "deno",
    "go",
    "bash",
    "powershell",
    "postgresql",
    "mysql",
    "bigquery",
    "snowflake",
    "mssql",
    "oracledb",
    "graphql",
    "nativets",
    "bun",
    "php",
    "rust",
    "ansible",
    "csharp",
    "nu",
    "java",
    "ruby",
    "rlang",
    "duckdb",
    "bunnative",
];
pub(crate) const SCRIPT_KINDS: &[&str] = &[
    "script",
    "failure",
    "trigger",
    "command",
    "approval",
    "preprocessor",
];

pub(crate) fn check_enum(field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "{field}: unknown variant `{value}`, expected one of {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Windmill paths: `u/<user>/<name...>` or `f/<folder>/<name...>`.
pub(crate) fn check_item_path(path: &str) -> Result<(), ApiError> {
    let segs: Vec<&str> = path.split('/').collect();
    let ok = segs.len() >= 3
        && (segs[0] == "u" || segs[0] == "f")
        && segs
            .iter()
            .all(|s| !s.is_empty() && *s != ".." && *s != ".");
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid path `{path}`: it must look like u/<user>/<name> or f/<folder>/<name>"
        )))
    }
}

pub(crate) fn put(m: &mut Map<String, Value>, k: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v.into());
    }
}

pub(crate) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Run `f` on workspace `w` (the gate already checked it exists).
pub(crate) fn with_ws<R>(
    app: &AppState,
    w: &str,
    f: impl FnOnce(&mut Workspace, &FakeState) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let mut st = app.lock();
    let mut ws = st
        .workspaces
        .remove(w)
        .ok_or_else(|| ApiError::not_found(format!("workspace {w} does not exist")))?;
    let r = f(&mut ws, &st);
    st.workspaces.insert(w.to_string(), ws);
    r
}
