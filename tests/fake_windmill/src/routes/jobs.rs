//! Runs, the queue, completed jobs, results, cancellation and logs.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::params::{
    check_enum, paginate, parse_args, parse_body, q_bool, q_list, q_str, with_ws, SCRIPT_LANGS,
};
use super::render::job_json;
use super::{created, ok_json, ok_text, ApiError, ApiResult, AppState, WsPath, Q};
use crate::execution::{poll_job, simulate, Run};
use crate::ids::{new_job_id, now_rfc3339};
use crate::state::{visible, Authed, Job};

pub(crate) async fn run_script_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, st| {
        let s = ws
            .script(&path)
            .filter(|s| visible(&s.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(
            &id,
            Some(&s.path),
            &s.language,
            s.result.as_ref(),
            &args,
            false,
        );
        let tag = s.tag.clone().unwrap_or_else(|| s.language.clone());
        ws.jobs.push(
            Run {
                id: id.clone(),
                kind: "script",
                script_path: Some(s.path.clone()),
                script_hash: Some(s.hash.clone()),
                args,
                language: Some(s.language.clone()),
                raw_code: Some(s.content.clone()),
                tag,
            }
            .job(&who, outcome, st.job_pending_polls),
        );
        Ok(created(id))
    })
}

pub(crate) async fn run_flow_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, st| {
        let f = ws
            .flows
            .get(&path)
            .filter(|f| !f.archived && visible(&f.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Flow", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(&id, Some(&f.path), "flow", None, &args, false);
        ws.jobs.push(
            Run {
                id: id.clone(),
                kind: "flow",
                script_path: Some(f.path.clone()),
                script_hash: None,
                args,
                language: None,
                raw_code: None,
                tag: "flow".to_string(),
            }
            .job(&who, outcome, st.job_pending_polls),
        );
        Ok(created(id))
    })
}

fn wait_result_response(job: &Job) -> Response {
    if job.success {
        ok_json(job.result.clone())
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(job.result.clone())).into_response()
    }
}

pub(crate) async fn run_wait_result_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    body: Bytes,
) -> ApiResult {
    let args = parse_args(&body)?;
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .script(&path)
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?
            .clone();
        let id = new_job_id();
        let outcome = simulate(
            &id,
            Some(&s.path),
            &s.language,
            s.result.as_ref(),
            &args,
            false,
        );
        let tag = s.tag.clone().unwrap_or_else(|| s.language.clone());
        let job = Run {
            id,
            kind: "script",
            script_path: Some(s.path.clone()),
            script_hash: Some(s.hash.clone()),
            args,
            language: Some(s.language.clone()),
            raw_code: Some(s.content.clone()),
            tag,
        }
        .job(&who, outcome, 0);
        let resp = wait_result_response(&job);
        ws.jobs.push(job);
        Ok(resp)
    })
}

#[derive(Deserialize)]
struct PreviewBody {
    content: Option<String>,
    path: Option<String>,
    args: Map<String, Value>,
    language: Option<String>,
    tag: Option<String>,
}

/// Preview runs fail when the path contains `fail` or the code contains `exit 3`
/// (or `raise`/`throw`).
pub(crate) async fn run_preview_and_wait(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: PreviewBody = parse_body(&headers, &body)?;
    let language = b.language.unwrap_or_else(|| "bun".to_string());
    check_enum("language", &language, SCRIPT_LANGS)?;
    let content = b.content.unwrap_or_default();
    let force_fail =
        content.contains("exit 3") || content.contains("raise ") || content.contains("throw ");
    with_ws(&app, &w, |ws, _| {
        let id = new_job_id();
        let args = Value::Object(b.args);
        let outcome = simulate(&id, b.path.as_deref(), &language, None, &args, force_fail);
        let tag = b.tag.unwrap_or_else(|| language.clone());
        let job = Run {
            id,
            kind: "preview",
            script_path: b.path.clone(),
            script_hash: None,
            args,
            language: Some(language.clone()),
            raw_code: Some(content),
            tag,
        }
        .job(&who, outcome, 0);
        let resp = wait_result_response(&job);
        ws.jobs.push(job);
        Ok(resp)
    })
}

fn job_filter(q: &HashMap<String, String>) -> Result<impl Fn(&Job) -> bool, ApiError> {
    let exact = q_list(q, "script_path_exact");
    let start = q_list(q, "script_path_start");
    let kinds = q_list(q, "job_kinds");
    let created_by = q_list(q, "created_by");
    let schedule_path = q_str(q, "schedule_path").map(str::to_string);
    let script_hash = q_str(q, "script_hash").map(str::to_string);
    let success = q_bool(q, "success")?;
    let running = q_bool(q, "running")?;
    Ok(move |j: &Job| {
        let sp = j.script_path.as_deref().unwrap_or("");
        exact.as_ref().is_none_or(|l| l.iter().any(|p| p == sp))
            && start
                .as_ref()
                .is_none_or(|l| l.iter().any(|p| sp.starts_with(p.as_str())))
            && kinds.as_ref().is_none_or(|l| l.contains(&j.kind))
            && created_by
                .as_ref()
                .is_none_or(|l| l.contains(&j.created_by))
            && schedule_path
                .as_deref()
                .is_none_or(|p| j.schedule_path.as_deref() == Some(p))
            && script_hash
                .as_deref()
                .is_none_or(|h| j.script_hash.as_deref() == Some(h))
            && success.is_none_or(|s| j.completed && j.success == s)
            && running.is_none_or(|r| !j.completed && j.started_at.is_some() == r)
    })
}

pub(crate) async fn list_jobs(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let keep = job_filter(&q)?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .jobs
            .iter()
            .rev()
            .filter(|j| keep(j))
            .map(|j| job_json(&w, j, false, false))
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

pub(crate) async fn list_queue(
    State(app): State<AppState>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let keep = job_filter(&q)?;
    with_ws(&app, &w, |ws, st| {
        let items: Vec<Value> = ws
            .jobs
            .iter()
            .rev()
            .filter(|j| !j.completed && keep(j))
            .map(|j| {
                let mut v = job_json(&w, j, false, false);
                if let Value::Object(m) = &mut v {
                    m.remove("type");
                }
                v
            })
            .collect();
        Ok(ok_json(Value::Array(paginate(items, &q, st)?)))
    })
}

pub(crate) async fn get_job(
    State(app): State<AppState>,
    Path((w, id)): WsPath,
    Query(q): Q,
) -> ApiResult {
    let no_logs = q_bool(&q, "no_logs")?.unwrap_or(false);
    let no_code = q_bool(&q, "no_code")?.unwrap_or(false);
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        poll_job(j);
        Ok(ok_json(job_json(&w, j, !no_logs, !no_code)))
    })
}

/// `getCompletedJobResultMaybe`: `{completed, result, success, started}`; a poll like getJob's.
pub(crate) async fn get_result_maybe(
    State(app): State<AppState>,
    Path((w, id)): WsPath,
    Query(q): Q,
) -> ApiResult {
    let get_started = q_bool(&q, "get_started")?.unwrap_or(false);
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        poll_job(j);
        let mut out = if j.completed {
            json!({"completed": true, "result": j.result, "success": j.success})
        } else {
            json!({"completed": false, "result": null, "success": false})
        };
        if get_started {
            out["started"] = json!(j.started_at.is_some());
        }
        Ok(ok_json(out))
    })
}

#[derive(Deserialize)]
struct CancelBody {
    reason: Option<String>,
}

/// `cancelQueuedJob`: a job still running completes as failed, with Windmill's cancel error.
pub(crate) async fn cancel_job(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, id)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: CancelBody = parse_body(&headers, &body)?;
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        if j.completed {
            return Err(ApiError::bad_request(format!(
                "queued job id {id} does not exist"
            )));
        }
        let reason = b.reason.unwrap_or_default();
        j.completed = true;
        j.success = false;
        j.completed_at = Some(now_rfc3339());
        j.result = json!({"error": {"name": "Canceled", "message": format!("Job canceled: {reason} by {}", who.username)}});
        j.canceled = Some(reason);
        Ok(ok_text(id.clone()))
    })
}

pub(crate) async fn get_job_logs(State(app): State<AppState>, Path((w, id)): WsPath) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let j = ws
            .job(&id)
            .ok_or_else(|| ApiError::not_found(format!("Job {id} not found")))?;
        Ok(ok_text(if j.completed {
            j.logs.clone()
        } else {
            String::new()
        }))
    })
}
