//! Flows and apps.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{check_item_path, paginate, parse_body, q_bool, q_str, q_usize, with_ws};
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

/// `updateFlow`'s body: v1.743.0's `OpenFlowWPath` requires `path`, v1.795.0's `EditFlow` does not.
#[derive(Deserialize)]
struct EditFlowBody {
    path: Option<String>,
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
    let b: EditFlowBody = parse_body(&headers, &body)?;
    check_flow_value(&b.value)?;
    // From v1.795.0 (`EditFlow`) the body's `path` is optional: left out, the flow stays put.
    let dest = b.path.clone().unwrap_or_else(|| path.clone());
    with_ws(&app, &w, |ws, _| {
        if !ws.flows.contains_key(&path) {
            return Err(ApiError::not_found_at("Flow", &path));
        }
        if dest != path {
            check_item_path(&dest)?;
            if ws.flows.contains_key(&dest) {
                return Err(ApiError::bad_request(format!(
                    "Flow {} already exists",
                    dest
                )));
            }
        }
        let old = ws.flows.remove(&path);
        ws.flows.insert(
            dest.clone(),
            Flow {
                path: dest.clone(),
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
        Ok(ok_text(dest.clone()))
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

/// A raw (full-code) app's `value` must hold `files` with an entry point, as Windmill's build
/// requires.
fn check_raw_value(v: &Value) -> Result<(), ApiError> {
    let files = v
        .get("files")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("value.files: missing"))?;
    if !["/index.tsx", "/index.ts", "/index.js"]
        .iter()
        .any(|e| files.contains_key(*e))
    {
        return Err(ApiError::bad_request(
            "value.files: no entry point (/index.tsx, /index.ts or /index.js)",
        ));
    }
    Ok(())
}

/// `createApp` (low-code) and `createAppRawSource` (full-code).
async fn insert_app(
    app: AppState,
    who: Authed,
    w: String,
    headers: HeaderMap,
    body: Bytes,
    raw_app: bool,
) -> ApiResult {
    let b: CreateAppBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    if raw_app {
        check_raw_value(&b.value)?;
    }
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
                id: next_id() as i64,
                path: b.path.clone(),
                summary: b.summary,
                value: b.value,
                policy: b.policy,
                created_by: who.username.clone(),
                edited_at: now_rfc3339(),
                raw_app,
                versions: vec![next_id() as i64],
            },
        );
        Ok(created(b.path.clone()))
    })
}

pub(crate) async fn create_app(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    insert_app(app, who, w, headers, body, false).await
}

pub(crate) async fn create_app_raw_source(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    insert_app(app, who, w, headers, body, true).await
}

/// `updateApp` (low-code) and `updateAppRawSource` (full-code, which refuses to turn a low-code
/// app into a raw one, as Windmill does without `allow_kind_change`).
fn edit_app(
    app: &AppState,
    w: &str,
    path: String,
    headers: &HeaderMap,
    body: &Bytes,
    raw_app: bool,
) -> ApiResult {
    let b: EditAppBody = parse_body(headers, body)?;
    if raw_app {
        let value = b
            .value
            .as_ref()
            .ok_or_else(|| ApiError::bad_request("value: missing"))?;
        check_raw_value(value)?;
    }
    with_ws(app, w, |ws, _| {
        let mut a = ws
            .apps
            .get(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("App", &path))?;
        if a.raw_app != raw_app {
            return Err(ApiError::bad_request(format!(
                "App {path} is a {} app",
                if a.raw_app { "raw" } else { "low-code" }
            )));
        }
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
        a.versions.push(next_id() as i64);
        let npath = b.path.unwrap_or_else(|| path.clone());
        ws.apps.remove(&path);
        a.path = npath.clone();
        ws.apps.insert(npath.clone(), a);
        Ok(ok_text(format!("app {npath} updated")))
    })
}

pub(crate) async fn update_app(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    edit_app(&app, &w, path, &headers, &body, false)
}

pub(crate) async fn update_app_raw_source(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    edit_app(&app, &w, path, &headers, &body, true)
}

fn execution_mode(a: &App) -> Value {
    match a.policy.get("execution_mode").and_then(Value::as_str) {
        Some(m @ ("viewer" | "publisher" | "anonymous")) => json!(m),
        _ => json!("publisher"),
    }
}

/// `getAppByPath`: the app with its versions (`AppWithLastVersion`).
pub(crate) async fn get_app_by_path(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
    Query(q): Q,
) -> ApiResult {
    q_bool(&q, "get_draft")?;
    q_bool(&q, "with_starred_info")?;
    q_bool(&q, "raw_app")?;
    with_ws(&app, &w, |ws, _| {
        let a = ws
            .apps
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("App", &path))?;
        let out = json!({
            "id": a.id,
            "workspace_id": w,
            "path": a.path,
            "summary": a.summary,
            "versions": a.versions,
            "created_by": a.created_by,
            "created_at": a.edited_at,
            "value": a.value,
            "policy": a.policy,
            "execution_mode": execution_mode(a),
            "extra_perms": {},
            "raw_app": a.raw_app,
            "labels": [],
            // `UserDraftOverlay`: the fake keeps no drafts.
            "is_draft": false,
        });
        Ok(ok_json(out))
    })
}

/// `listApps`: `ListableApp`s, newest first by default; `raw_app` is omitted for low-code apps,
/// as Windmill does.
pub(crate) async fn list_apps(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let path_exact = q_str(&q, "path_exact").map(str::to_string);
    let order_desc = q_bool(&q, "order_desc")?.unwrap_or(true);
    let created_by = q_str(&q, "created_by").map(str::to_string);
    for flag in ["starred_only", "include_draft_only", "with_deployment_msg"] {
        q_bool(&q, flag)?;
    }
    with_ws(&app, &w, |ws, st| {
        let mut items: Vec<&App> = ws
            .apps
            .values()
            .filter(|a| path_start.as_deref().is_none_or(|p| a.path.starts_with(p)))
            .filter(|a| path_exact.as_deref().is_none_or(|p| a.path == p))
            .filter(|a| created_by.as_deref().is_none_or(|c| a.created_by == c))
            .collect();
        items.sort_by(|x, y| x.edited_at.cmp(&y.edited_at).then(x.path.cmp(&y.path)));
        if order_desc {
            items.reverse();
        }
        let items: Vec<Value> = paginate(items, &q, st)?
            .into_iter()
            .map(|a| {
                let mut item = json!({
                    "id": a.id,
                    "workspace_id": w,
                    "path": a.path,
                    "summary": a.summary,
                    "version": a.versions.last().copied().unwrap_or(0),
                    "extra_perms": {},
                    "edited_at": a.edited_at,
                    "execution_mode": execution_mode(a),
                    "starred": false,
                    "labels": [],
                });
                if a.raw_app {
                    item["raw_app"] = json!(true);
                }
                item
            })
            .collect();
        Ok(ok_json(Value::Array(items)))
    })
}

/// `listDataMetrics`: declared measures and dimensions, filtered by `table` or `path_prefix`,
/// keyset-paged on (table, kind, name, script) with the `cursor_*` parameters.
pub(crate) async fn list_data_metrics(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let table = q_str(&q, "table").map(|t| t.trim_start_matches("ducklake://").to_string());
    let prefix = q_str(&q, "path_prefix").map(str::to_string);
    let per_page = q_usize(&q, "per_page")?.unwrap_or(1000).clamp(1, 1000);
    let cursor: Vec<Option<&str>> = [
        "cursor_table",
        "cursor_kind",
        "cursor_name",
        "cursor_script",
    ]
    .iter()
    .map(|k| q_str(&q, k))
    .collect();
    let cursor = match cursor.as_slice() {
        [Some(t), Some(k), Some(n), Some(s)] => Some((*t, *k, *n, *s)),
        [None, None, None, None] => None,
        _ => {
            return Err(ApiError::bad_request(
                "the four cursor_* parameters move together",
            ))
        }
    };
    with_ws(&app, &w, |ws, _| {
        let mut rows: Vec<_> = ws
            .data_metrics
            .iter()
            .filter(|m| table.as_deref().is_none_or(|t| m.table_path == t))
            .filter(|m| {
                prefix
                    .as_deref()
                    .is_none_or(|p| m.script_path.starts_with(p))
            })
            .filter(|m| {
                cursor.is_none_or(|c| {
                    (
                        m.table_path.as_str(),
                        m.kind.as_str(),
                        m.name.as_str(),
                        m.script_path.as_str(),
                    ) > c
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.table_path, &a.kind, &a.name, &a.script_path).cmp(&(
                &b.table_path,
                &b.kind,
                &b.name,
                &b.script_path,
            ))
        });
        let more = rows.len() > per_page;
        rows.truncate(per_page);
        let metrics: Vec<Value> = rows
            .iter()
            .map(|m| {
                let mut v = json!({
                    "table_path": m.table_path,
                    "kind": m.kind,
                    "name": m.name,
                    "script_path": m.script_path,
                    "expr": m.expr,
                });
                if let Some(f) = &m.filter {
                    v["filter"] = json!(f);
                }
                v
            })
            .collect();
        let mut out = json!({ "metrics": metrics });
        if let (true, Some(last)) = (more, rows.last()) {
            out["next_cursor"] = json!({
                "table_path": last.table_path,
                "kind": last.kind,
                "name": last.name,
                "script_path": last.script_path,
            });
        }
        Ok(ok_json(out))
    })
}
