//! What Windmill's answers become for the model: Windmill's own error message, a hint when a token
//! lacks a scope, tool errors, and an endpoint's answer shaped as a tool result (structured content,
//! text, or an embedded resource), always within the result cap.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{json, Value};

use super::client::Answer;
use crate::endpoints::ToolEntry;
use crate::text::cap_text;

/// A tool result with `isError: true`: what the model reads when a call went wrong.
pub fn tool_error(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text.into())])
}

/// Windmill's message from an error body: JSON `{"error": {"message"}}`, else the text.
pub fn windmill_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(m) = v.pointer("/error/message").and_then(Value::as_str) {
            let name = v.pointer("/error/name").and_then(Value::as_str);
            return match name {
                Some(n) => format!("{n}: {m}"),
                None => m.to_owned(),
            };
        }
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            return m.to_owned();
        }
    }
    let t = text.trim();
    if t.is_empty() {
        "(empty body)".into()
    } else {
        t.to_owned()
    }
}

/// A hint for 401/403 answers: which token to make.
pub fn auth_hint(status: u16, message: &str) -> Option<String> {
    if status == 401 {
        return Some("The Windmill token was refused (unknown or expired). Create a token in Windmill (User settings → Tokens) and send it as `Authorization: Bearer <token>`.".into());
    }
    if status != 403 {
        return None;
    }
    let idx = message.find("Required scope:")?;
    let scope = message[idx + "Required scope:".len()..]
        .trim()
        .trim_end_matches('.')
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    Some(format!(
        "The token lacks the scope `{scope}`. Tokens made for Windmill's built-in MCP server (scopes `mcp:*`, as in its `?token=` URLs) are refused by the REST API this server calls. Create a token without scopes, or with REST scopes such as `{scope}` (Windmill lists them at /api/tokens/list/scopes), in User settings → Tokens, and use that one."
    ))
}

pub fn endpoint_result(
    entry: &ToolEntry,
    method: &str,
    path: &str,
    answer: Answer,
    max: usize,
) -> CallToolResult {
    let Answer {
        status,
        content_type,
        body,
    } = answer;
    let ct = content_type.unwrap_or_default();
    if !(200..300).contains(&status) {
        let message = windmill_message(&body);
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut text = format!(
            "Windmill answered HTTP {status} {reason} to {method} /api{}: {message}",
            path.split('?').next().unwrap_or(path)
        );
        if let Some(h) = auth_hint(status, &message) {
            text.push_str("\n\n");
            text.push_str(&h);
        }
        return tool_error(cap_text(text, max));
    }
    let is_json = ct.starts_with("application/json") || ct.contains("+json");
    if is_json || (entry.tool.output_schema.is_some() && ct.is_empty()) {
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            return json_result(entry, value, max);
        }
        if is_json {
            return tool_error(format!(
                "Windmill answered {status} with content that is not valid JSON ({} bytes).",
                body.len()
            ));
        }
    }
    if ct.starts_with("text/")
        || ct.is_empty()
        || std::str::from_utf8(&body).is_ok() && !ct.starts_with("application/octet-stream")
    {
        let text = String::from_utf8_lossy(&body).into_owned();
        if entry.tool.output_schema.is_some() {
            // The spec promised JSON; keep the promise of structured content where we can.
            let value = Value::String(text.clone());
            return json_result(entry, value, max);
        }
        return CallToolResult::success(vec![ContentBlock::text(cap_text(text, max))]);
    }
    let described = format!(
        "Windmill answered {} bytes of {}.",
        body.len(),
        if ct.is_empty() { "binary data" } else { &ct }
    );
    if body.len() <= max {
        use base64::Engine;
        let blob = base64::engine::general_purpose::STANDARD.encode(&body);
        let resource = rmcp::model::ResourceContents::BlobResourceContents {
            uri: format!("windmill:/{}", path),
            mime_type: Some(ct.clone()),
            blob,
            meta: None,
        };
        return CallToolResult::success(vec![
            ContentBlock::text(described),
            ContentBlock::resource(resource),
        ]);
    }
    CallToolResult::success(vec![ContentBlock::text(format!(
        "{described} Too large to return here (limit {max} bytes)."
    ))])
}

fn json_result(entry: &ToolEntry, value: Value, max: usize) -> CallToolResult {
    let ep = &entry.endpoint;
    let mut value = value;
    let mut note = String::new();
    let text = serde_json::to_string(&value).unwrap_or_default();
    if text.len() > max {
        if let Value::Array(items) = &mut value {
            let total = items.len();
            let mut size = 2;
            let mut keep = 0;
            for it in items.iter() {
                size += serde_json::to_string(it).map(|s| s.len()).unwrap_or(0) + 1;
                if size > max {
                    break;
                }
                keep += 1;
            }
            items.truncate(keep);
            note = format!("\n[… cut: the first {keep} of {total} items are shown (result limit {max} bytes); ask for fewer, e.g. with per_page, or page on]");
        }
    }
    let text = serde_json::to_string(&value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(
        cap_text(text.clone(), max) + &note,
    )]);
    if entry.tool.output_schema.is_some() && text.len() <= max {
        result.structured_content = Some(if ep.wraps_output || !value.is_object() {
            json!({ "result": value })
        } else {
            value
        });
    }
    result
}
