//! Instance-level routes: version, the served OpenAPI document, workers, documentation search.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::params::{paginate, q_str};
use super::render::worker_json;
use super::{ok_json, ok_text, ApiError, ApiResult, AppState, Q};
use crate::state::DocPage;

pub(crate) async fn version(State(app): State<AppState>) -> Response {
    ok_text(app.lock().version.clone())
}

pub(crate) async fn openapi_json(State(app): State<AppState>) -> ApiResult {
    let path = app.lock().openapi_json_path.clone();
    let bytes = std::fs::read(&path)
        .map_err(|e| ApiError::internal(format!("cannot read {}: {e}", path.display())))?;
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

pub(crate) async fn list_workers(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let st = app.lock();
    let items: Vec<Value> = st.workers.iter().map(worker_json).collect();
    Ok(ok_json(Value::Array(paginate(items, &q, &st)?)))
}

fn doc_sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.trim().to_string(), format!("{line}\n")));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

pub(crate) async fn search_docs(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let query = q_str(&q, "query").unwrap_or("").to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.is_empty() {
        return Err(ApiError::bad_request("query must not be empty"));
    }
    let st = app.lock();
    let mut hits: Vec<(i64, &DocPage, Vec<String>)> = st
        .docs
        .iter()
        .filter_map(|p| {
            let hay = format!("{}\n{}", p.title, p.text).to_lowercase();
            let score: i64 = words.iter().map(|w| hay.matches(w).count() as i64).sum();
            if score == 0 {
                return None;
            }
            let snippets: Vec<String> = p
                .text
                .lines()
                .filter(|l| {
                    let l = l.to_lowercase();
                    !l.trim().is_empty() && words.iter().any(|w| l.contains(w))
                })
                .take(3)
                .map(|l| l.trim().to_string())
                .collect();
            Some((score, p, snippets))
        })
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    let mut text = format!("Search results for \"{query}\":\n");
    if hits.is_empty() {
        text.push_str("No results.\n");
    }
    let mut results = Vec::new();
    for (i, (score, p, snippets)) in hits.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {}\nSource URL: {}\n",
            i + 1,
            p.title,
            p.url
        ));
        for s in snippets {
            text.push_str(&format!("   > {s}\n"));
        }
        results.push(json!({"url": p.url, "title": p.title, "score": score, "snippets": snippets}));
    }
    Ok(ok_json(json!({"text": text, "results": results})))
}

pub(crate) async fn read_docs_page(State(app): State<AppState>, Query(q): Q) -> ApiResult {
    let url = q_str(&q, "url").ok_or_else(|| ApiError::bad_request("missing url"))?;
    let st = app.lock();
    let page = st
        .docs
        .iter()
        .find(|p| p.url == url || p.url.ends_with(url) || url.ends_with(p.url.as_str()))
        .ok_or_else(|| ApiError::not_found(format!("docs page not found: {url}")))?;
    let text = match q_str(&q, "section") {
        None => page.text.clone(),
        Some(section) => {
            let sections = doc_sections(&page.text);
            match sections
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(section.trim()))
            {
                Some((_, body)) => body.clone(),
                None => {
                    return Err(ApiError::not_found(format!(
                        "section `{section}` not found in {}; sections: {}",
                        page.url,
                        sections
                            .iter()
                            .map(|(h, _)| h.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    Ok(ok_json(json!({"text": text, "source_url": page.url})))
}
