//! Resources and resource types.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{check_item_path, paginate, parse_body, q_bool, q_list, q_str, with_ws};
use super::render::{resource_json, resource_type_json};
use super::{created, ok_json, ok_text, ApiError, ApiResult, AppState, WsPath, Q};
use crate::ids::now_rfc3339;
use crate::state::{Authed, Resource};

#[derive(Deserialize)]
struct CreateResourceBody {
    path: String,
    value: Value,
    resource_type: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct EditResourceBody {
    path: Option<String>,
    value: Option<Value>,
    description: Option<String>,
    resource_type: Option<String>,
}

pub(crate) async fn create_resource(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateResourceBody = parse_body(&headers, &body)?;
    let update_if_exists = q_bool(&q, "update_if_exists")?.unwrap_or(false);
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.resources.contains_key(&b.path) && !update_if_exists {
            return Err(ApiError::bad_request(format!(
                "Resource {} already exists",
                b.path
            )));
        }
        ws.resources.insert(
            b.path.clone(),
            Resource {
                path: b.path.clone(),
                resource_type: b.resource_type,
                value: b.value,
                description: b.description.unwrap_or_default(),
                created_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(format!("resource {} created", b.path)))
    })
}

pub(crate) async fn delete_resource(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.resources
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        Ok(ok_text(format!("resource {path} deleted")))
    })
}

pub(crate) async fn update_resource(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditResourceBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut r = ws
            .resources
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.resources.contains_key(np) {
                    return Err(ApiError::bad_request(format!(
                        "Resource {np} already exists"
                    )));
                }
            }
        }
        if let Some(x) = b.value {
            r.value = x;
        }
        if let Some(x) = b.description {
            r.description = x;
        }
        if let Some(x) = b.resource_type {
            r.resource_type = x;
        }
        r.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.resources.remove(&path);
        r.path = npath.clone();
        ws.resources.insert(npath.clone(), r);
        Ok(ok_text(format!(
            "resource {path} updated (npath: {npath:?})"
        )))
    })
}

pub(crate) async fn get_resource(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let r = ws
            .resources
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Resource", &path))?;
        let mut out = resource_json(&w, r);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

pub(crate) async fn list_resources(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let types = q_list(&q, "resource_type");
    let exclude = q_list(&q, "resource_type_exclude");
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let exact = q_str(&q, "path").map(str::to_string);
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .resources
            .values()
            .filter(|r| types.as_ref().is_none_or(|t| t.contains(&r.resource_type)))
            .filter(|r| {
                exclude
                    .as_ref()
                    .is_none_or(|t| !t.contains(&r.resource_type))
            })
            .filter(|r| path_start.as_deref().is_none_or(|p| r.path.starts_with(p)))
            .filter(|r| exact.as_deref().is_none_or(|p| r.path == p))
            .map(|r| resource_json(&w, r))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

pub(crate) async fn list_resource_types(
    State(app): State<AppState>,
    Path(w): Path<String>,
) -> ApiResult {
    with_ws(&app, &w, |ws, st| {
        let mut all: Vec<Value> = st
            .global_resource_types
            .iter()
            .map(|rt| resource_type_json("admins", rt))
            .chain(
                ws.resource_types
                    .iter()
                    .map(|rt| resource_type_json(&w, rt)),
            )
            .collect();
        all.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Ok(ok_json(Value::Array(all)))
    })
}
