//! Variables: create, update, delete, get and list (secret values only to those who may read them).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{check_item_path, paginate, parse_body, q_bool, q_str, with_ws};
use super::render::variable_json;
use super::{created, ok_json, ok_text, ApiError, ApiResult, AppState, WsPath, Q};
use crate::ids::now_rfc3339;
use crate::state::{Authed, Variable};

#[derive(Deserialize)]
struct CreateVariableBody {
    path: String,
    value: String,
    is_secret: bool,
    description: String,
    account: Option<i64>,
    is_oauth: Option<bool>,
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct EditVariableBody {
    path: Option<String>,
    value: Option<String>,
    is_secret: Option<bool>,
    description: Option<String>,
}

pub(crate) async fn create_variable(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateVariableBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.variables.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Variable {} already exists",
                b.path
            )));
        }
        ws.variables.insert(
            b.path.clone(),
            Variable {
                path: b.path.clone(),
                value: b.value,
                is_secret: b.is_secret,
                description: b.description,
                account: b.account,
                is_oauth: b.is_oauth.unwrap_or(false),
                expires_at: b.expires_at,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(format!("variable {} created", b.path)))
    })
}

pub(crate) async fn delete_variable(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.variables
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        Ok(ok_text(format!("variable {path} deleted")))
    })
}

pub(crate) async fn update_variable(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditVariableBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut v = ws
            .variables
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.variables.contains_key(np) {
                    return Err(ApiError::bad_request(format!(
                        "Variable {np} already exists"
                    )));
                }
            }
        }
        if let Some(x) = b.value {
            v.value = x;
        }
        if let Some(x) = b.is_secret {
            v.is_secret = x;
        }
        if let Some(x) = b.description {
            v.description = x;
        }
        v.edited_by = who.username.clone();
        v.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.variables.remove(&path);
        v.path = npath.clone();
        ws.variables.insert(npath.clone(), v);
        Ok(ok_text(format!(
            "variable {path} updated (npath: {npath:?})"
        )))
    })
}

pub(crate) async fn get_variable(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    Query(q): Q,
) -> ApiResult {
    let decrypt = q_bool(&q, "decrypt_secret")?.unwrap_or(true);
    with_ws(&app, &w, |ws, _| {
        let v = ws
            .variables
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Variable", &path))?;
        let mut out = variable_json(&w, v, !v.is_secret || decrypt);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

pub(crate) async fn list_variables(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let exact = q_str(&q, "path").map(str::to_string);
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .variables
            .values()
            .filter(|v| path_start.as_deref().is_none_or(|p| v.path.starts_with(p)))
            .filter(|v| exact.as_deref().is_none_or(|p| v.path == p))
            .map(|v| variable_json(&w, v, !v.is_secret))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}
