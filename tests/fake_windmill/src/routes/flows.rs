//! Flows and apps.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{check_item_path, paginate, parse_body, q_bool, q_str, with_ws};
use super::render::{flow_json, flow_list_json};
use super::{created, ok_json, ok_text, ApiError, ApiResult, AppState, WsPath, Q};
use crate::ids::{next_id, now_rfc3339};
use crate::state::{visible, App, Authed, Flow};

#[derive(Deserialize)]
struct NewFlowBody {
    path: String,
    summary: String,
    description: Option<String>,
    value: Value,
    schema: Option<Value>,
    tag: Option<String>,
}

fn check_flow_value(v: &Value) -> Result<(), ApiError> {
    match v.get("modules") {
        Some(Value::Array(_)) => Ok(()),
        _ => Err(ApiError::unprocessable("value: missing field `modules`")),
    }
}

pub(crate) async fn list_flows(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let path_exact = q_str(&q, "path_exact").map(str::to_string);
    let show_archived = q_bool(&q, "show_archived")?.unwrap_or(false);
    let starred_only = q_bool(&q, "starred_only")?.unwrap_or(false);
    let order_desc = q_bool(&q, "order_desc")?.unwrap_or(true);
    with_ws(&app, &w, |ws, st| {
        let mut items: Vec<&Flow> = ws
            .flows
            .values()
            .filter(|f| f.archived == show_archived)
            .filter(|f| visible(&f.visible_to, &who))
            .filter(|f| path_start.as_deref().is_none_or(|p| f.path.starts_with(p)))
            .filter(|f| path_exact.as_deref().is_none_or(|p| f.path == p))
            .filter(|f| !starred_only || f.starred)
            .collect();
        items.sort_by(|a, b| a.edited_at.cmp(&b.edited_at));
        if order_desc {
            items.reverse();
        }
        let items: Vec<Value> = paginate(items, &q, st)?
            .into_iter()
            .map(|f| flow_list_json(&w, f))
            .collect();
        Ok(ok_json(Value::Array(items)))
    })
}

pub(crate) async fn get_flow_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let f = ws
            .flows
            .get(&path)
            .filter(|f| !f.archived && visible(&f.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?;
        let mut out = flow_json(&w, f);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

pub(crate) async fn create_flow(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewFlowBody = parse_body(&headers, &body)?;
    check_flow_value(&b.value)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.flows.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Flow {} already exists",
                b.path
            )));
        }
        ws.flows.insert(
            b.path.clone(),
            Flow {
                path: b.path.clone(),
                summary: b.summary,
                description: b.description.unwrap_or_default(),
                value: b.value,
                schema: b.schema,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
                archived: false,
                starred: false,
                tag: b.tag,
                version_id: next_id() as i64,
                visible_to: None,
            },
        );
        Ok(created(b.path.clone()))
    })
}

pub(crate) async fn update_flow(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewFlowBody = parse_body(&headers, &body)?;
    check_flow_value(&b.value)?;
    with_ws(&app, &w, |ws, _| {
        if !ws.flows.contains_key(&path) {
            return Err(ApiError::not_found_at("Flow", &path));
        }
        if b.path != path {
            check_item_path(&b.path)?;
            if ws.flows.contains_key(&b.path) {
                return Err(ApiError::bad_request(format!(
                    "Flow {} already exists",
                    b.path
                )));
            }
        }
        let old = ws.flows.remove(&path);
        ws.flows.insert(
            b.path.clone(),
            Flow {
                path: b.path.clone(),
                summary: b.summary,
                description: b.description.unwrap_or_default(),
                value: b.value,
                schema: b.schema,
                edited_by: who.username.clone(),
                edited_at: now_rfc3339(),
                archived: false,
                starred: old.as_ref().is_some_and(|f| f.starred),
                tag: b.tag,
                version_id: next_id() as i64,
                visible_to: None,
            },
        );
        Ok(ok_text(b.path.clone()))
    })
}

pub(crate) async fn delete_flow_by_path(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.flows
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?;
        Ok(ok_text(format!("Flow {path} deleted")))
    })
}

#[derive(Deserialize)]
struct CreateAppBody {
    path: String,
    value: Value,
    summary: String,
    policy: Value,
}

#[derive(Deserialize)]
struct EditAppBody {
    path: Option<String>,
    summary: Option<String>,
    value: Option<Value>,
    policy: Option<Value>,
}

pub(crate) async fn create_app(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CreateAppBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        if ws.apps.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "App {} already exists",
                b.path
            )));
        }
        ws.apps.insert(
            b.path.clone(),
            App {
                path: b.path.clone(),
                summary: b.summary,
                value: b.value,
                policy: b.policy,
                created_by: who.username.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(b.path.clone()))
    })
}

pub(crate) async fn update_app(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditAppBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let mut a = ws
            .apps
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("App", &path))?;
        if let Some(np) = &b.path {
            if np != &path {
                check_item_path(np)?;
                if ws.apps.contains_key(np) {
                    return Err(ApiError::bad_request(format!("App {np} already exists")));
                }
            }
        }
        if let Some(x) = b.summary {
            a.summary = x;
        }
        if let Some(x) = b.value {
            a.value = x;
        }
        if let Some(x) = b.policy {
            a.policy = x;
        }
        a.edited_at = now_rfc3339();
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.apps.remove(&path);
        a.path = npath.clone();
        ws.apps.insert(npath.clone(), a);
        Ok(ok_text(format!("app {npath} updated")))
    })
}
