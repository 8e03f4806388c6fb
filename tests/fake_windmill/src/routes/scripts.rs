//! Scripts: every version is kept; the deployed one is the latest that is neither archived nor deleted.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

use super::params::{
    check_enum, check_item_path, paginate, parse_body, q_bool, q_list, q_str, with_ws,
    SCRIPT_KINDS, SCRIPT_LANGS,
};
use super::render::{script_json, script_list_json};
use super::{created, ok_json, ApiError, ApiResult, AppState, WsPath, Q};
use crate::ids::{new_hash, now_rfc3339};
use crate::state::{visible, Authed, Script};

#[derive(Deserialize)]
struct NewScriptBody {
    path: String,
    parent_hash: Option<String>,
    summary: String,
    description: Option<String>,
    content: String,
    schema: Option<Value>,
    is_template: Option<bool>,
    lock: Option<String>,
    language: String,
    kind: Option<String>,
    tag: Option<String>,
}

fn default_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {},
        "required": []
    })
}

pub(crate) async fn list_scripts(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    Query(q): Q,
) -> ApiResult {
    let path_start = q_str(&q, "path_start").map(str::to_string);
    let path_exact = q_str(&q, "path_exact").map(str::to_string);
    let show_archived = q_bool(&q, "show_archived")?.unwrap_or(false);
    let order_desc = q_bool(&q, "order_desc")?.unwrap_or(true);
    let starred_only = q_bool(&q, "starred_only")?.unwrap_or(false);
    let is_template = q_bool(&q, "is_template")?;
    let languages = q_list(&q, "languages");
    let kinds = q_list(&q, "kinds");
    let created_by = q_list(&q, "created_by");
    with_ws(&app, &w, |ws, st| {
        // The deployed version of each path (what `Workspace::script` answers), in one pass.
        let mut live: HashMap<&str, &str> = HashMap::new();
        for s in ws.scripts.iter().rev() {
            if !s.archived && !s.deleted {
                live.entry(s.path.as_str()).or_insert(s.hash.as_str());
            }
        }
        let mut items: Vec<&Script> = ws
            .scripts
            .iter()
            .filter(|s| !s.deleted)
            .filter(|s| visible(&s.visible_to, &who))
            .filter(|s| {
                if show_archived {
                    // only archived versions, one per path (the latest)
                    s.archived
                } else {
                    live.get(s.path.as_str()) == Some(&s.hash.as_str())
                }
            })
            .filter(|s| path_start.as_deref().is_none_or(|p| s.path.starts_with(p)))
            .filter(|s| path_exact.as_deref().is_none_or(|p| s.path == p))
            .filter(|s| !starred_only || s.starred)
            .filter(|s| is_template.is_none_or(|t| s.is_template == t))
            .filter(|s| languages.as_ref().is_none_or(|l| l.contains(&s.language)))
            .filter(|s| kinds.as_ref().is_none_or(|k| k.contains(&s.kind)))
            .filter(|s| {
                created_by
                    .as_ref()
                    .is_none_or(|c| c.contains(&s.created_by))
            })
            .collect();
        if show_archived {
            let mut seen = std::collections::HashSet::new();
            let mut latest_first: Vec<&Script> = items.into_iter().rev().collect();
            latest_first.retain(|s| seen.insert(s.path.clone()));
            items = latest_first.into_iter().rev().collect();
        }
        // `scripts` is in creation order, so reversing gives newest first.
        if order_desc {
            items.reverse();
        }
        let items: Vec<Value> = paginate(items, &q, st)?
            .into_iter()
            .map(script_list_json)
            .collect();
        Ok(ok_json(Value::Array(items)))
    })
}

pub(crate) async fn create_script(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path(w): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: NewScriptBody = parse_body(&headers, &body)?;
    check_enum("language", &b.language, SCRIPT_LANGS)?;
    let kind = b.kind.unwrap_or_else(|| "script".to_string());
    check_enum("kind", &kind, SCRIPT_KINDS)?;
    check_item_path(&b.path)?;
    with_ws(&app, &w, |ws, _| {
        let live = ws.script(&b.path).map(|s| s.hash.clone());
        let mut parent_hashes = Vec::new();
        match (&live, &b.parent_hash) {
            (Some(h), Some(p)) if h == p => {
                parent_hashes.push(h.clone());
                if let Some(prev) = ws.scripts.iter().find(|s| &s.hash == h) {
                    parent_hashes.extend(prev.parent_hashes.iter().cloned());
                }
            }
            (Some(h), _) => {
                return Err(ApiError::bad_request(format!(
                    "Path conflict for {} with non-archived hash {h}",
                    b.path
                )))
            }
            (None, Some(p)) => {
                return Err(ApiError::not_found(format!(
                    "parent script hash {p} not found at {}",
                    b.path
                )))
            }
            (None, None) => {}
        }
        for s in ws.scripts.iter_mut().filter(|s| s.path == b.path) {
            s.archived = true;
        }
        let hash = new_hash(&b.path, &b.content);
        ws.scripts.push(Script {
            path: b.path.clone(),
            hash: hash.clone(),
            parent_hashes,
            summary: b.summary,
            description: b.description.unwrap_or_default(),
            content: b.content,
            language: b.language,
            kind,
            schema: b.schema.unwrap_or_else(default_schema),
            created_by: who.username.clone(),
            created_at: now_rfc3339(),
            archived: false,
            deleted: false,
            is_template: b.is_template.unwrap_or(false),
            starred: false,
            tag: b.tag,
            lock: b.lock,
            result: None,
            visible_to: None,
        });
        Ok(created(hash))
    })
}

#[derive(Deserialize)]
struct UpdateScriptBody {
    /// Where the script ends up; the path in the URL when left out.
    path: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    content: String,
    schema: Option<Value>,
    lock: Option<String>,
    language: String,
    kind: Option<String>,
    tag: Option<String>,
}

/// `updateScript`: a new version of the script at `path`, which must hold one; a different body
/// `path` moves it there and archives the old path.
pub(crate) async fn update_script(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let b: UpdateScriptBody = parse_body(&headers, &body)?;
    check_enum("language", &b.language, SCRIPT_LANGS)?;
    let dest = b.path.clone().unwrap_or_else(|| path.clone());
    check_item_path(&dest)?;
    with_ws(&app, &w, |ws, _| {
        let prev = ws
            .script(&path)
            .cloned()
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?;
        if dest != path && ws.script(&dest).is_some() {
            return Err(ApiError::bad_request(format!(
                "Path conflict for {dest}: a script is already there"
            )));
        }
        let kind = b.kind.unwrap_or_else(|| prev.kind.clone());
        check_enum("kind", &kind, SCRIPT_KINDS)?;
        for s in ws.scripts.iter_mut().filter(|s| s.path == path) {
            s.archived = true;
        }
        let mut parent_hashes = vec![prev.hash.clone()];
        parent_hashes.extend(prev.parent_hashes.iter().cloned());
        let hash = new_hash(&dest, &b.content);
        ws.scripts.push(Script {
            path: dest.clone(),
            hash: hash.clone(),
            parent_hashes,
            summary: b.summary.unwrap_or_else(|| prev.summary.clone()),
            description: b.description.unwrap_or_else(|| prev.description.clone()),
            content: b.content,
            language: b.language,
            kind,
            schema: b.schema.unwrap_or_else(|| prev.schema.clone()),
            created_by: who.username.clone(),
            created_at: now_rfc3339(),
            archived: false,
            deleted: false,
            is_template: prev.is_template,
            starred: prev.starred,
            tag: b.tag.or(prev.tag.clone()),
            lock: b.lock,
            result: None,
            visible_to: prev.visible_to.clone(),
        });
        Ok(created(hash))
    })
}

pub(crate) async fn delete_script_by_hash(
    State(app): State<AppState>,
    Path((w, hash)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .scripts
            .iter_mut()
            .find(|s| s.hash == hash)
            .ok_or_else(|| ApiError::not_found(format!("script with hash {hash} not found")))?;
        s.deleted = true;
        s.archived = true;
        s.content = String::new();
        let out = script_json(&w, s);
        Ok(ok_json(out))
    })
}

pub(crate) async fn delete_script_by_path(
    State(app): State<AppState>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        if !ws.scripts.iter().any(|s| s.path == path) {
            return Err(ApiError::not_found_at("Script", &path));
        }
        ws.scripts.retain(|s| s.path != path);
        Ok(ok_json(json!(path)))
    })
}

pub(crate) async fn get_script_by_path(
    State(app): State<AppState>,
    Extension(who): Extension<Authed>,
    Path((w, path)): WsPath,
) -> ApiResult {
    with_ws(&app, &w, |ws, _| {
        let s = ws
            .script(&path)
            .filter(|s| visible(&s.visible_to, &who))
            .ok_or_else(|| ApiError::not_found_at("Script", &path))?;
        let mut out = script_json(&w, s);
        if let Value::Object(m) = &mut out {
            m.insert("is_draft".into(), json!(false));
        }
        Ok(ok_json(out))
    })
}
