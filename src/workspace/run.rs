//! Running a script or flow as a Windmill job, and fetching a job's outcome later.
//!
//! A call starts the job (`POST /w/{w}/jobs/run/p/{path}` or `/jobs/run/f/{path}`), then polls
//! `GET /w/{w}/jobs_u/completed/get_result_maybe/{id}` (50 ms doubling up to 1 s) until the job
//! completes or the job timeout passes:
//! * success → the result as text, and as `structuredContent` when it is a JSON object;
//! * failure → `isError: true` with Windmill's error and the last lines of the job log;
//! * still running at the timeout → the job id, and how to fetch the outcome with `get_job_result`;
//! * the client cancels the request (`notifications/cancelled`) → the job is cancelled in Windmill
//!   (`POST /w/{w}/jobs_u/queue/cancel/{id}`).
//!
//! While waiting, a client that gave a progress token receives `notifications/progress`.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolResult, ContentBlock, JsonObject, ProgressNotificationParam, ProgressToken, Tool,
    ToolAnnotations,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::RoleServer;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::{ItemTool, Kind};
use crate::runtime::{Method, RequestBuilder};
use crate::windmill::{Token, Windmill};

pub const GET_JOB_RESULT: &str = "get_job_result";

/// Lines of the job log shown with a failure.
const LOG_TAIL_LINES: usize = 20;
const LOG_TAIL_BYTES: usize = 4000;

/// The `get_job_result` tool.
pub static JOB_RESULT_TOOL: LazyLock<Tool> = LazyLock::new(|| {
    let schema = json!({
        "type": "object",
        "properties": {
            "job_id": {"type": "string", "description": "The job id a script or flow tool returned."},
            "wait_seconds": {"type": "integer", "minimum": 0, "maximum": 600, "description": "How long to wait for the job to finish (default 0: answer at once)."}
        },
        "required": ["job_id"],
        "additionalProperties": false
    });
    let schema = match schema {
        Value::Object(o) => o,
        _ => JsonObject::new(),
    };
    Tool::new(
        GET_JOB_RESULT,
        "The outcome of a Windmill job started by a script or flow tool: its result when it has finished, its error and last log lines when it failed, or that it is still running.",
        Arc::new(schema),
    )
    .with_title("Get a job's result")
    .with_annotations(
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(true),
    )
});

fn tool_error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Where progress goes.
pub struct Progress {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
}

impl Progress {
    pub fn of(ctx: &RequestContext<RoleServer>) -> Self {
        Progress {
            peer: ctx.peer.clone(),
            token: ctx.meta.get_progress_token(),
        }
    }

    async fn send(&self, progress: f64, total: f64, message: String) {
        if let Some(t) = &self.token {
            let mut p = ProgressNotificationParam::new(t.clone(), progress);
            p.total = Some(total);
            p.message = Some(message);
            if let Err(e) = self.peer.notify_progress(p).await {
                tracing::debug!(error = %e, "progress notification not sent");
            }
        }
    }
}

/// How a run ended, for the caller to decide about refreshing the list.
pub enum RunEnd {
    Done(CallToolResult),
    /// Windmill does not know the item (deleted or renamed): the tool list is stale.
    Stale(CallToolResult),
    Cancelled,
}

/// Runs `item` with `args` (already validated) and waits for the outcome.
#[allow(clippy::too_many_arguments)]
pub async fn run_item(
    windmill: &Windmill,
    token: Option<&Token>,
    workspace: &str,
    item: &ItemTool,
    mut args: JsonObject,
    timeout: Duration,
    max_result: usize,
    progress: &Progress,
    ct: &CancellationToken,
) -> RunEnd {
    for (listed, original) in &item.renames {
        if let Some(v) = args.remove(listed) {
            args.insert(original.clone(), v);
        }
    }
    let route = match item.kind {
        Kind::Script => "/jobs/run/p/",
        Kind::Flow => "/jobs/run/f/",
    };
    let built = RequestBuilder::in_workspace(Method::Post, workspace, route).and_then(|mut rb| {
        rb.windmill_path("path", &item.path.clone())?;
        Ok(rb)
    });
    let mut rb = match built {
        Ok(rb) => rb,
        Err(e) => {
            return RunEnd::Done(tool_error(format!(
                "`{}` cannot be run: {e}. Nothing was sent to Windmill.",
                item.name()
            )))
        }
    };
    rb.json_body("application/json", Value::Object(args));
    let req = rb.finish();
    let what = format!("{} `{}`", item.kind.as_str(), item.path);
    let answer = tokio::select! {
        a = windmill.send(&req, token) => a,
        _ = ct.cancelled() => return RunEnd::Cancelled,
    };
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return RunEnd::Done(tool_error(format!("Starting the {what} failed: {e}."))),
    };
    if !(200..300).contains(&answer.status) {
        let message = crate::server::windmill_message(&answer.body);
        let mut text = format!(
            "Windmill refused to start the {what}: HTTP {} {message}",
            answer.status
        );
        if let Some(h) = crate::server::auth_hint(answer.status, &message) {
            text.push_str("\n\n");
            text.push_str(&h);
        }
        let result = tool_error(text);
        return if answer.status == 404 {
            RunEnd::Stale(result)
        } else {
            RunEnd::Done(result)
        };
    }
    let job_id = String::from_utf8_lossy(&answer.body)
        .trim()
        .trim_matches('"')
        .to_owned();
    if job_id.is_empty() || job_id.len() > 100 {
        return RunEnd::Done(tool_error(format!(
            "Windmill started the {what} but answered no usable job id ({} bytes).",
            answer.body.len()
        )));
    }
    let ended = wait(
        windmill, token, workspace, &job_id, &what, timeout, max_result, progress, ct,
    )
    .await;
    match ended {
        Some(r) => RunEnd::Done(r),
        None => {
            cancel(windmill, token, workspace, &job_id).await;
            RunEnd::Cancelled
        }
    }
}

/// `/w/{workspace}{route}{job_id}`.
fn job_request(
    method: Method,
    workspace: &str,
    route: &str,
    job_id: &str,
) -> Result<RequestBuilder, crate::runtime::ArgError> {
    let mut rb = RequestBuilder::in_workspace(method, workspace, route)?;
    rb.segment("id", &job_id.to_owned())?;
    Ok(rb)
}

/// Cancels a job; failures are logged only (the call is already over).
pub async fn cancel(windmill: &Windmill, token: Option<&Token>, workspace: &str, job_id: &str) {
    let Ok(mut rb) = job_request(Method::Post, workspace, "/jobs_u/queue/cancel/", job_id) else {
        return;
    };
    rb.json_body(
        "application/json",
        json!({"reason": "cancelled by the MCP client"}),
    );
    match windmill.send(&rb.finish(), token).await {
        Ok(a) if (200..300).contains(&a.status) => {
            tracing::info!(job = job_id, "job cancelled at the client's request")
        }
        Ok(a) => tracing::warn!(job = job_id, status = a.status, "cancelling the job failed"),
        Err(e) => tracing::warn!(job = job_id, error = %e, "cancelling the job failed"),
    }
}

/// Polls until the job completes (`Some(result)`), the timeout passes (`Some(still running)`), or
/// the request is cancelled (`None`).
#[allow(clippy::too_many_arguments)]
async fn wait(
    windmill: &Windmill,
    token: Option<&Token>,
    workspace: &str,
    job_id: &str,
    what: &str,
    timeout: Duration,
    max_result: usize,
    progress: &Progress,
    ct: &CancellationToken,
) -> Option<CallToolResult> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(50);
    let mut polls = 0u32;
    loop {
        let built = job_request(
            Method::Get,
            workspace,
            "/jobs_u/completed/get_result_maybe/",
            job_id,
        );
        let mut rb = match built {
            Ok(rb) => rb,
            Err(e) => return Some(tool_error(format!("bad job id `{job_id}`: {e}"))),
        };
        rb.query("get_started", &"true".to_owned(), false);
        let req = rb.finish();
        let answer = tokio::select! {
            a = windmill.send(&req, token) => a,
            _ = ct.cancelled() => return None,
        };
        polls += 1;
        match answer {
            Ok(a) if (200..300).contains(&a.status) => {
                let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
                if v.get("completed").and_then(Value::as_bool) == Some(true) {
                    let success = v.get("success").and_then(Value::as_bool).unwrap_or(true);
                    let result = v.get("result").cloned().unwrap_or(Value::Null);
                    return Some(if success {
                        success_result(job_id, result, max_result)
                    } else {
                        failure_result(windmill, token, workspace, job_id, what, &result).await
                    });
                }
            }
            Ok(a) => {
                let message = crate::server::windmill_message(&a.body);
                return Some(tool_error(format!(
                    "The {what} was started as job {job_id}, but reading its outcome failed: HTTP {} {message}. Try get_job_result later.",
                    a.status
                )));
            }
            Err(e) => {
                tracing::debug!(job = job_id, error = %e, "polling the job failed; retrying");
            }
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            return Some(still_running(job_id, what, elapsed));
        }
        progress
            .send(
                elapsed.as_secs_f64(),
                timeout.as_secs_f64(),
                format!(
                    "job {job_id} running for {:.1} s (poll {polls})",
                    elapsed.as_secs_f64()
                ),
            )
            .await;
        let sleep = delay.min(timeout.saturating_sub(elapsed));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {},
            _ = ct.cancelled() => return None,
        }
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}

fn still_running(job_id: &str, what: &str, elapsed: Duration) -> CallToolResult {
    let mut r = CallToolResult::success(vec![ContentBlock::text(format!(
        "The {what} is still running as job {job_id} after {:.0} s. Call get_job_result with {{\"job_id\": \"{job_id}\", \"wait_seconds\": 30}} to get its outcome later.",
        elapsed.as_secs_f64()
    ))]);
    r.structured_content = Some(json!({"job_id": job_id, "status": "running"}));
    r
}

fn success_result(job_id: &str, result: Value, max: usize) -> CallToolResult {
    let text = serde_json::to_string(&result).unwrap_or_default();
    let fits = text.len() <= max;
    let mut r =
        CallToolResult::success(vec![ContentBlock::text(crate::server::cap_text(text, max))]);
    if fits && result.is_object() {
        r.structured_content = Some(result);
    }
    tracing::debug!(job = job_id, "job succeeded");
    r
}

async fn failure_result(
    windmill: &Windmill,
    token: Option<&Token>,
    workspace: &str,
    job_id: &str,
    what: &str,
    result: &Value,
) -> CallToolResult {
    let err = result.get("error").unwrap_or(result);
    let message = match (
        err.get("name").and_then(Value::as_str),
        err.get("message").and_then(Value::as_str),
    ) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m.to_owned(),
        _ => serde_json::to_string(err).unwrap_or_default(),
    };
    let mut text = format!(
        "The {what} failed (job {job_id}): {}",
        crate::server::cap_text(message, LOG_TAIL_BYTES)
    );
    if let Some(tail) = log_tail(windmill, token, workspace, job_id).await {
        text.push_str("\n\nLast lines of the job log:\n");
        text.push_str(&tail);
    }
    tool_error(text)
}

/// The last lines of a job's log.
async fn log_tail(
    windmill: &Windmill,
    token: Option<&Token>,
    workspace: &str,
    job_id: &str,
) -> Option<String> {
    let rb = job_request(Method::Get, workspace, "/jobs_u/get_logs/", job_id).ok()?;
    let a = windmill.send(&rb.finish(), token).await.ok()?;
    if !(200..300).contains(&a.status) {
        return None;
    }
    let logs = String::from_utf8_lossy(&a.body);
    let lines: Vec<&str> = logs.trim_end().lines().collect();
    let start = lines.len().saturating_sub(LOG_TAIL_LINES);
    let mut tail = lines[start..].join("\n");
    if tail.len() > LOG_TAIL_BYTES {
        let mut cut = tail.len() - LOG_TAIL_BYTES;
        while !tail.is_char_boundary(cut) {
            cut += 1;
        }
        tail = format!("…{}", &tail[cut..]);
    }
    (!tail.trim().is_empty()).then_some(tail)
}

/// `get_job_result`.
#[allow(clippy::too_many_arguments)]
pub async fn job_result(
    windmill: &Windmill,
    token: Option<&Token>,
    workspace: &str,
    args: &JsonObject,
    max_wait: Duration,
    max_result: usize,
    progress: &Progress,
    ct: &CancellationToken,
) -> CallToolResult {
    let Some(job_id) = args.get("job_id").and_then(Value::as_str) else {
        return tool_error(
            "Invalid arguments for `get_job_result`: missing required argument `job_id` (a string: the job id a script or flow tool returned).".into(),
        );
    };
    if let Some(extra) = args.keys().find(|k| *k != "job_id" && *k != "wait_seconds") {
        return tool_error(format!(
            "Invalid arguments for `get_job_result`: unknown argument `{extra}`; the arguments are: job_id, wait_seconds"
        ));
    }
    let wait_for = match args.get("wait_seconds") {
        None | Some(Value::Null) => Duration::ZERO,
        Some(v) => match v.as_u64() {
            Some(n) if n <= 600 => Duration::from_secs(n).min(max_wait),
            _ => {
                return tool_error(format!(
                    "Invalid arguments for `get_job_result`: argument `wait_seconds`: expected an integer from 0 to 600, got {v}"
                ))
            }
        },
    };
    let what = format!("job {job_id}");
    match wait(
        windmill, token, workspace, job_id, &what, wait_for, max_result, progress, ct,
    )
    .await
    {
        Some(r) => r,
        None => tool_error("cancelled by the client".into()),
    }
}
