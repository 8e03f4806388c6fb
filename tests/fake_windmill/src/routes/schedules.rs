//! Schedules (6-field cron with seconds).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{check_item_path, paginate, parse_body, q_bool, q_str, with_ws};
use super::render::schedule_json;
use super::{created, ok_json, ok_text, ApiError, ApiResult, AppState, WsPath, Q};
use crate::ids::now_rfc3339;
use crate::state::{Authed, Schedule};

#[derive(Deserialize)]
struct NewScheduleBody {
    path: String,
    schedule: String,
    timezone: String,
    script_path: String,
    is_flow: bool,
    args: Option<Value>,
    enabled: Option<bool>,
    summary: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct EditScheduleBody {
    schedule: String,
    timezone: String,
    args: Option<Value>,
    summary: Option<String>,
    description: Option<String>,
}

/// Windmill cron expressions include seconds: 6 fields (7 with a year).
fn check_cron(expr: &str) -> Result<(), ApiError> {
    let n = expr.split_whitespace().count();
    if (6..=7).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid cron expression `{expr}`: expected 6 fields (with seconds), got {n}"
        )))
    }
}

fn check_args_object(args: &Option<Value>) -> Result<Value, ApiError> {
    match args {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        Some(_) => Err(ApiError::unprocessable(
            "args: invalid type, expected a map",
        )),
    }
}

pub(crate) async fn create_schedule(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewScheduleBody = parse_body(&headers, &body)?;
    check_item_path(&b.path)?;
    check_cron(&b.schedule)?;
    let args = check_args_object(&b.args)?;
    with_ws(&app, &w, |ws, _| {
        if ws.schedules.contains_key(&b.path) {
            return Err(ApiError::bad_request(format!(
                "Schedule {} already exists",
                b.path
            )));
        }
        let target_exists = if b.is_flow {
            ws.flows.contains_key(&b.script_path)
        } else {
            ws.script(&b.script_path).is_some()
        };
        if !target_exists {
            let kind = if b.is_flow { "Flow" } else { "Script" };
            return Err(ApiError::not_found_at(kind, &b.script_path));
        }
        ws.schedules.insert(
            b.path.clone(),
            Schedule {
                path: b.path.clone(),
                schedule: b.schedule,
                timezone: b.timezone,
                script_path: b.script_path,
                is_flow: b.is_flow,
                args,
                enabled: b.enabled.unwrap_or(true),
                summary: b.summary,
                description: b.description,
                edited_by: who.username.clone(),
                email: who.email.clone(),
                edited_at: now_rfc3339(),
            },
        );
        Ok(created(b.path.clone()))
    })
}

pub(crate) async fn update_schedule(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: EditScheduleBody = parse_body(&headers, &body)?;
    check_cron(&b.schedule)?;
    let args = check_args_object(&b.args)?;
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .schedules
            .get_mut(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        s.schedule = b.schedule;
        s.timezone = b.timezone;
        s.args = args;
        if b.summary.is_some() {
            s.summary = b.summary;
        }
        if b.description.is_some() {
            s.description = b.description;
        }
        s.edited_by = who.username.clone();
        s.email = who.email.clone();
        s.edited_at = now_rfc3339();
        Ok(ok_text(path.clone()))
    })
}

pub(crate) async fn delete_schedule(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        ws.schedules
            .remove(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        Ok(ok_text(format!("schedule {path} deleted")))
    })
}

pub(crate) async fn get_schedule(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .schedules
            .get(&path)
            .ok_or_else(|| ApiError::not_found_at("Schedule", &path))?;
        let mut out = schedule_json(&w, s);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}

pub(crate) async fn list_schedules(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let script_path = q_str(&q, "path").map(str::to_string);
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let schedule_path = q_str(&q, "schedule_path").map(str::to_string);
    let is_flow = q_bool(&q, "is_flow")?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .schedules
            .values()
            .filter(|s| script_path.as_deref().is_none_or(|p| s.script_path == p))
            .filter(|s| path_start.as_deref().is_none_or(|p| s.path.starts_with(p)))
            .filter(|s| schedule_path.as_deref().is_none_or(|p| s.path == p))
            .filter(|s| is_flow.is_none_or(|f| s.is_flow == f))
            .map(|s| schedule_json(&w, s))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}
