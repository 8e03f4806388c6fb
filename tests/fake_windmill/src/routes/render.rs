//! The JSON a real Windmill answers for each kind of item (list items are leaner than `get`s).

use serde_json::{json, Map, Value};

use super::params::{obj, put};
use crate::ids::now_rfc3339;
use crate::seed::WORKER_NAME;
use crate::state::{Flow, Job, Resource, ResourceType, Schedule, Script, Variable, Worker};

pub(crate) fn script_json(w: &str, s: &Script) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "hash": s.hash,
        "path": s.path,
        "parent_hashes": s.parent_hashes,
        "summary": s.summary,
        "description": s.description,
        "content": s.content,
        "created_by": s.created_by,
        "created_at": s.created_at,
        "archived": s.archived,
        "schema": s.schema,
        "deleted": s.deleted,
        "is_template": s.is_template,
        "extra_perms": {},
        "language": s.language,
        "kind": s.kind,
        "starred": s.starred,
        "draft_only": false,
        "envs": [],
        "dedicated_worker": false,
        "ws_error_handler_muted": false,
        "has_preprocessor": false,
        "visible_to_runner_only": false,
        "labels": [],
    }));
    put(&mut m, "tag", s.tag.clone());
    put(&mut m, "lock", s.lock.clone());
    Value::Object(m)
}

/// The keys a real Windmill puts in `scripts/list` items (no `schema`, no `content`).
pub(crate) fn script_list_json(s: &Script) -> Value {
    let mut m = obj(json!({
        "hash": s.hash,
        "path": s.path,
        "summary": s.summary,
        "description": s.description,
        "created_at": s.created_at,
        "archived": s.archived,
        "extra_perms": {},
        "language": s.language,
        "starred": s.starred,
        "has_deploy_errors": false,
        "ws_error_handler_muted": false,
        "kind": s.kind,
    }));
    put(&mut m, "tag", s.tag.clone());
    Value::Object(m)
}

pub(crate) fn flow_json(w: &str, f: &Flow) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": f.path,
        "summary": f.summary,
        "description": f.description,
        "value": f.value,
        "edited_by": f.edited_by,
        "edited_at": f.edited_at,
        "archived": f.archived,
        "extra_perms": {},
        "starred": f.starred,
        "draft_only": false,
        "labels": [],
        "version_id": f.version_id,
    }));
    put(&mut m, "schema", f.schema.clone());
    put(&mut m, "tag", f.tag.clone());
    Value::Object(m)
}

/// Windmill's `ListableFlow` (no `value`, no `schema`).
pub(crate) fn flow_list_json(w: &str, f: &Flow) -> Value {
    json!({
        "workspace_id": w,
        "path": f.path,
        "summary": f.summary,
        "description": f.description,
        "edited_by": f.edited_by,
        "edited_at": f.edited_at,
        "archived": f.archived,
        "extra_perms": {},
        "starred": f.starred,
        "has_draft": false,
        "draft_only": false,
    })
}

pub(crate) fn variable_json(w: &str, v: &Variable, with_value: bool) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": v.path,
        "is_secret": v.is_secret,
        "description": v.description,
        "extra_perms": {},
        "is_oauth": v.is_oauth,
        "is_expired": false,
        "is_linked": false,
        "is_refreshed": false,
        "edited_by": v.edited_by,
        "edited_at": v.edited_at,
        "labels": [],
    }));
    if with_value {
        m.insert("value".into(), Value::String(v.value.clone()));
    }
    put(&mut m, "account", v.account);
    put(&mut m, "expires_at", v.expires_at.clone());
    Value::Object(m)
}

pub(crate) fn resource_json(w: &str, r: &Resource) -> Value {
    json!({
        "workspace_id": w,
        "path": r.path,
        "resource_type": r.resource_type,
        "value": r.value,
        "description": r.description,
        "is_oauth": false,
        "extra_perms": {},
        "is_expired": false,
        "is_linked": false,
        "is_refreshed": false,
        "created_by": r.created_by,
        "edited_at": r.edited_at,
        "labels": [],
    })
}

pub(crate) fn resource_type_json(w: &str, rt: &ResourceType) -> Value {
    json!({
        "workspace_id": w,
        "name": rt.name,
        "schema": rt.schema,
        "description": rt.description,
        "created_by": rt.created_by,
        "edited_at": rt.edited_at,
        "is_fileset": false,
    })
}

pub(crate) fn schedule_json(w: &str, s: &Schedule) -> Value {
    let mut m = obj(json!({
        "workspace_id": w,
        "path": s.path,
        "edited_by": s.edited_by,
        "edited_at": s.edited_at,
        "schedule": s.schedule,
        "timezone": s.timezone,
        "enabled": s.enabled,
        "script_path": s.script_path,
        "is_flow": s.is_flow,
        "args": s.args,
        "extra_perms": {},
        "email": s.email,
        "permissioned_as": format!("u/{}", s.edited_by),
        "ws_error_handler_muted": false,
        "no_flow_overlap": false,
        "cron_version": "v2",
        "labels": [],
    }));
    put(&mut m, "summary", s.summary.clone());
    put(&mut m, "description", s.description.clone());
    Value::Object(m)
}

pub(crate) fn job_json(w: &str, j: &Job, with_logs: bool, with_code: bool) -> Value {
    let mut m = Map::new();
    m.insert("workspace_id".into(), json!(w));
    m.insert("id".into(), json!(j.id));
    m.insert("created_by".into(), json!(j.created_by));
    m.insert("created_at".into(), json!(j.created_at));
    put(&mut m, "script_path", j.script_path.clone());
    put(&mut m, "script_hash", j.script_hash.clone());
    m.insert("args".into(), j.args.clone());
    m.insert("canceled".into(), json!(false));
    m.insert("job_kind".into(), json!(j.kind));
    put(&mut m, "schedule_path", j.schedule_path.clone());
    m.insert(
        "permissioned_as".into(),
        json!(format!("u/{}", j.created_by)),
    );
    m.insert("is_flow_step".into(), json!(false));
    put(&mut m, "language", j.language.clone());
    m.insert("email".into(), json!(j.email));
    m.insert("visible_to_owner".into(), json!(true));
    m.insert("tag".into(), json!(j.tag));
    m.insert("priority".into(), json!(0));
    if with_code {
        put(&mut m, "raw_code", j.raw_code.clone());
    }
    if j.completed {
        m.insert(
            "started_at".into(),
            json!(j.started_at.clone().unwrap_or(j.created_at.clone())),
        );
        put(&mut m, "completed_at", j.completed_at.clone());
        m.insert("duration_ms".into(), json!(j.duration_ms));
        m.insert("success".into(), json!(j.success));
        m.insert("result".into(), j.result.clone());
        if with_logs {
            m.insert("logs".into(), json!(j.logs));
        }
        m.insert("deleted".into(), json!(false));
        m.insert("is_skipped".into(), json!(false));
        m.insert("mem_peak".into(), json!(41_000));
        m.insert("worker".into(), json!(WORKER_NAME));
        m.insert("type".into(), json!("CompletedJob"));
    } else {
        let running = j.started_at.is_some();
        put(&mut m, "started_at", j.started_at.clone());
        m.insert("scheduled_for".into(), json!(j.scheduled_for));
        m.insert("running".into(), json!(running));
        if with_logs && running {
            m.insert("logs".into(), json!(""));
        }
        m.insert("type".into(), json!("QueuedJob"));
    }
    Value::Object(m)
}

pub(crate) fn worker_json(wk: &Worker) -> Value {
    json!({
        "worker": wk.worker,
        "worker_instance": wk.worker_instance,
        "ping_at": now_rfc3339(),
        "last_ping": 1,
        "started_at": wk.started_at,
        "ip": wk.ip,
        "jobs_executed": wk.jobs_executed,
        "custom_tags": wk.custom_tags,
        "worker_group": wk.worker_group,
        "wm_version": wk.wm_version,
        "occupancy_rate": 0.05,
        "occupancy_rate_15s": 0.0,
        "occupancy_rate_5m": 0.04,
        "occupancy_rate_30m": 0.05,
        "memory": 2_147_483_648_u64,
        "vcpus": 2,
        "memory_usage": 104_857_600,
        "wm_memory_usage": 52_428_800,
        "native_mode": false,
    })
}
