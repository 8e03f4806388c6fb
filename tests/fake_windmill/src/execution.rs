//! What a run does: scripts and flows do not execute, their outcome is decided from their path.

use serde_json::{json, Value};

use crate::ids::now_rfc3339;
use crate::seed::WORKER_NAME;
use crate::state::{Authed, Job};

pub(crate) struct Outcome {
    success: bool,
    result: Value,
    logs: String,
}

/// Scripts and flows whose path contains `fail` fail like a bash script exiting with 3; others
/// return their fixed result or echo their arguments.
pub(crate) fn simulate(
    job_id: &str,
    path: Option<&str>,
    language: &str,
    fixed: Option<&Value>,
    args: &Value,
    force_fail: bool,
) -> Outcome {
    let header =
        format!("job={job_id} tag={language} worker={WORKER_NAME} hostname=fake-windmill\n");
    if force_fail || path.is_some_and(|p| p.contains("fail")) {
        let last = "+ exit 3".to_string();
        let logs = format!(
            "{header}\n--- {} CODE EXECUTION ---\n{last}\n",
            language.to_uppercase()
        );
        let message = format!("exit code for \"{language} run\": 3, last log lines:\n{last}");
        return Outcome {
            success: false,
            result: json!({"error": {"name": "ExecutionErr", "message": message, "exit_code": 3}}),
            logs,
        };
    }
    let result = fixed.cloned().unwrap_or_else(|| args.clone());
    let logs = format!(
        "{header}\n--- {} CODE EXECUTION ---\nargs: {args}\nresult: {result}\n",
        language.to_uppercase()
    );
    Outcome {
        success: true,
        result,
        logs,
    }
}

/// A job about to be recorded: what was run, how, by which tag.
pub(crate) struct Run {
    pub(crate) id: String,
    /// Windmill's `job_kind`: script, flow, preview.
    pub(crate) kind: &'static str,
    pub(crate) script_path: Option<String>,
    pub(crate) script_hash: Option<String>,
    pub(crate) args: Value,
    pub(crate) language: Option<String>,
    pub(crate) raw_code: Option<String>,
    pub(crate) tag: String,
}

impl Run {
    /// The job `who` started, with its `outcome`; it stays queued for `pending_polls` getJob polls
    /// (0: completed at once).
    pub(crate) fn job(self, who: &Authed, outcome: Outcome, pending_polls: u32) -> Job {
        let now = now_rfc3339();
        let completed = pending_polls == 0;
        Job {
            id: self.id,
            kind: self.kind.to_string(),
            script_path: self.script_path,
            script_hash: self.script_hash,
            args: self.args,
            created_by: who.username.clone(),
            email: who.email.clone(),
            created_at: now.clone(),
            started_at: if completed { Some(now.clone()) } else { None },
            completed_at: if completed { Some(now.clone()) } else { None },
            scheduled_for: now,
            completed,
            success: outcome.success,
            result: outcome.result,
            logs: outcome.logs,
            language: self.language,
            raw_code: self.raw_code,
            tag: self.tag,
            duration_ms: 12,
            schedule_path: None,
            pending_polls,
            canceled: None,
        }
    }
}

/// A getJob poll: a queued job with `pending_polls` left counts one down and completes at zero.
pub(crate) fn poll_job(j: &mut Job) {
    if j.completed || j.pending_polls == u32::MAX {
        return;
    }
    j.pending_polls = j.pending_polls.saturating_sub(1);
    if j.started_at.is_none() {
        j.started_at = Some(now_rfc3339());
    }
    if j.pending_polls == 0 {
        j.completed = true;
        j.completed_at = Some(now_rfc3339());
    }
}
