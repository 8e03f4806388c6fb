//! Running a script or flow as a Windmill job, and fetching a job's outcome later.
//!
//! A call starts the job (`runScriptByPath` or `runFlowByPath`), then polls
//! `getCompletedJobResultMaybe` (50 ms doubling up to 1 s) until the job completes or the job
//! timeout passes:
//! * success → the result as text, and as `structuredContent` when it is a JSON object;
//! * failure → `isError: true` with Windmill's error and the last lines of the job log;
//! * still running at the timeout → the job id, and how to fetch the outcome with `get_job_result`;
//! * the client cancels the request (`notifications/cancelled`) → the job is cancelled in Windmill
//!   (`cancelQueuedJob`).
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

use super::ItemTool;
use crate::text::{cap_text, suffix};
use crate::upstream::answer::{auth_hint, tool_error};
use crate::upstream::{Api, UpstreamError};

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

/// Where and how a job runs and is waited for.
pub struct Job<'a> {
    /// The workspace and token it runs with.
    pub api: Api<'a>,
    /// How long to wait for the outcome before answering with the job id.
    pub timeout: Duration,
    /// Largest result sent back.
    pub max_result: usize,
    pub progress: &'a Progress,
    /// Cancelled when the client cancels the request.
    pub cancel: &'a CancellationToken,
}

/// Runs `item` with `args` (already validated) and waits for the outcome.
pub async fn run_item(job: &Job<'_>, item: &ItemTool, mut args: JsonObject) -> RunEnd {
    for (listed, original) in &item.renames {
        if let Some(v) = args.remove(listed) {
            args.insert(original.clone(), v);
        }
    }
    let what = format!("{} `{}`", item.kind.as_str(), item.path);
    let started = tokio::select! {
        r = job.api.run(item.kind, &item.path, Value::Object(args)) => r,
        _ = job.cancel.cancelled() => return RunEnd::Cancelled,
    };
    let job_id = match started {
        Ok(id) => id,
        Err(UpstreamError::Status {
            status, message, ..
        }) => {
            let mut text = format!("Windmill refused to start the {what}: HTTP {status} {message}");
            if let Some(h) = auth_hint(status, &message) {
                text.push_str("\n\n");
                text.push_str(&h);
            }
            let result = tool_error(text);
            return if status == 404 {
                RunEnd::Stale(result)
            } else {
                RunEnd::Done(result)
            };
        }
        Err(e @ UpstreamError::Build(_)) => {
            return RunEnd::Done(tool_error(format!(
                "`{}` cannot be run: {e}. Nothing was sent to Windmill.",
                item.name()
            )))
        }
        Err(e) => return RunEnd::Done(tool_error(format!("Starting the {what} failed: {e}."))),
    };
    match wait(job, &job_id, &what).await {
        Some(r) => RunEnd::Done(r),
        None => {
            cancel(job.api, &job_id).await;
            RunEnd::Cancelled
        }
    }
}

/// Cancels a job; failures are logged only (the call is already over).
pub async fn cancel(api: Api<'_>, job_id: &str) {
    match api.cancel(job_id, "cancelled by the MCP client").await {
        Ok(()) => tracing::info!(job = job_id, "job cancelled at the client's request"),
        Err(e) => tracing::warn!(job = job_id, error = %e, "cancelling the job failed"),
    }
}

/// Polls until the job completes (`Some(result)`), the timeout passes (`Some(still running)`), or
/// the request is cancelled (`None`).
async fn wait(job: &Job<'_>, job_id: &str, what: &str) -> Option<CallToolResult> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(50);
    let mut polls = 0u32;
    loop {
        let answer = tokio::select! {
            a = job.api.result_maybe(job_id) => a,
            _ = job.cancel.cancelled() => return None,
        };
        polls += 1;
        match answer {
            Ok(r) if r.completed => {
                return Some(if r.success.unwrap_or(true) {
                    success_result(job_id, r.result, job.max_result)
                } else {
                    failure_result(job.api, job_id, what, &r.result).await
                });
            }
            Ok(_) => {}
            Err(e @ (UpstreamError::Status { .. } | UpstreamError::Build(_))) => {
                return Some(tool_error(format!(
                    "The {what} was started as job {job_id}, but reading its outcome failed: {e}. Try get_job_result later."
                )));
            }
            Err(e) => {
                tracing::debug!(job = job_id, error = %e, "polling the job failed; retrying");
            }
        }
        let elapsed = started.elapsed();
        if elapsed >= job.timeout {
            return Some(still_running(job_id, what, elapsed));
        }
        job.progress
            .send(
                elapsed.as_secs_f64(),
                job.timeout.as_secs_f64(),
                format!(
                    "job {job_id} running for {:.1} s (poll {polls})",
                    elapsed.as_secs_f64()
                ),
            )
            .await;
        let sleep = delay.min(job.timeout.saturating_sub(elapsed));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {},
            _ = job.cancel.cancelled() => return None,
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
    let mut r = CallToolResult::success(vec![ContentBlock::text(cap_text(text, max))]);
    if fits && result.is_object() {
        r.structured_content = Some(result);
    }
    tracing::debug!(job = job_id, "job succeeded");
    r
}

async fn failure_result(api: Api<'_>, job_id: &str, what: &str, result: &Value) -> CallToolResult {
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
        cap_text(message, LOG_TAIL_BYTES)
    );
    if let Some(tail) = log_tail(api, job_id).await {
        text.push_str("\n\nLast lines of the job log:\n");
        text.push_str(&tail);
    }
    tool_error(text)
}

/// The last lines of a job's log.
async fn log_tail(api: Api<'_>, job_id: &str) -> Option<String> {
    let logs = api.job_logs(job_id).await.ok()?;
    let lines: Vec<&str> = logs.trim_end().lines().collect();
    let start = lines.len().saturating_sub(LOG_TAIL_LINES);
    let tail = lines[start..].join("\n");
    let tail = if tail.len() > LOG_TAIL_BYTES {
        format!("…{}", suffix(&tail, LOG_TAIL_BYTES))
    } else {
        tail
    };
    (!tail.trim().is_empty()).then_some(tail)
}

/// `get_job_result`: `job.timeout` is the longest wait a caller may ask for.
pub async fn job_result(job: &Job<'_>, args: &JsonObject) -> CallToolResult {
    let Some(job_id) = args.get("job_id").and_then(Value::as_str) else {
        return tool_error(
            "Invalid arguments for `get_job_result`: missing required argument `job_id` (a string: the job id a script or flow tool returned).",
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
            Some(n) if n <= 600 => Duration::from_secs(n).min(job.timeout),
            _ => {
                return tool_error(format!(
                    "Invalid arguments for `get_job_result`: argument `wait_seconds`: expected an integer from 0 to 600, got {v}"
                ))
            }
        },
    };
    let what = format!("job {job_id}");
    let waiting = Job {
        timeout: wait_for,
        ..*job
    };
    match wait(&waiting, job_id, &what).await {
        Some(r) => r,
        None => tool_error("cancelled by the client"),
    }
}
