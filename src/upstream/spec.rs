//! The spec a running Windmill serves: fetching its `/api/openapi.json` and lowering it into a
//! [`Registry`] (a live spec), reading a spec file into one, and the start-up check of the running
//! version against the spec the endpoint tools come from.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use windmill_mcp_codegen::diff::{self, ApiDiff, ApiView};
use windmill_mcp_codegen::ir::Api;
use windmill_mcp_codegen::{load, lower, read_api};

use super::api::UpstreamError;
use super::client::{Limits, Windmill};
use crate::endpoints::Registry;

/// A client for reading a Windmill's spec and version (no token: both are public).
pub fn spec_client(base_url: &str, timeout: Duration) -> Result<Windmill, String> {
    Windmill::new(
        base_url,
        Limits {
            timeout,
            max_response_bytes: MAX_SPEC_BYTES,
            max_upstream: 4,
        },
    )
    .map_err(|e| e.to_string())
}

/// The running Windmill's `/api/version` text (e.g. `CE v1.795.0`).
pub async fn running_version(windmill: &Windmill) -> Result<String, String> {
    let base = windmill.base();
    match super::api::version(windmill).await {
        Ok(text) => Ok(text),
        Err(UpstreamError::Status { status, .. }) => {
            Err(format!("{base}/api/version answered HTTP {status}"))
        }
        Err(e) => Err(format!("cannot read {base}/api/version: {e}")),
    }
}

/// Lowers a JSON document fetched from `url` (off the async threads: it takes a while).
pub async fn lower_json(url: String, body: Vec<u8>) -> Result<Api, String> {
    tokio::task::spawn_blocking(move || {
        let doc: Value = serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))?;
        let loaded = load::Loaded {
            doc,
            root: PathBuf::from(&url),
            files: Vec::new(),
        };
        lower::lower(&loaded).map_err(|e| format!("{url} does not lower into tools: {e}"))
    })
    .await
    .map_err(|e| format!("lowering stopped: {e}"))?
}

/// The endpoint tools of the spec a running Windmill serves: `/api/openapi.json`, lowered with the
/// codegen library, with request building interpreted and the search index built now.
pub async fn live_registry(windmill: &Windmill) -> Result<Registry, String> {
    let (url, body) = fetch_openapi_json(windmill).await?;
    let api = lower_json(url.clone(), body).await?;
    tokio::task::spawn_blocking(move || Registry::from_api(&api, url))
        .await
        .map_err(|e| format!("building the tools stopped: {e}"))
}

/// The endpoint tools of a spec file (YAML or JSON, with the files it `$ref`s).
pub fn file_registry(path: &Path) -> Result<Registry, String> {
    let (api, _) = read_api(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Registry::from_api(&api, path.display().to_string()))
}

/// The largest spec `spec pull` and the start-up check read (Windmill's is about 1.4 MB).
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// Fetches `<from>/api/openapi.json` as bytes, refusing non-2xx answers and anything but JSON.
pub async fn fetch_openapi_json(windmill: &Windmill) -> Result<(String, Vec<u8>), String> {
    let url = format!("{}/api/openapi.json", windmill.base());
    let answer = match super::api::openapi_json(windmill).await {
        Ok(a) => a,
        Err(UpstreamError::Status {
            status, message, ..
        }) => {
            let snippet = crate::text::ellipsize(message.trim(), 200);
            return Err(format!(
                "{url} answered HTTP {status}{}{snippet}; is this the base URL of a Windmill (e.g. https://windmill.example.com)?",
                if snippet.is_empty() { "" } else { ": " },
            ));
        }
        Err(e) => return Err(format!("cannot fetch {url}: {e}")),
    };
    let ct = answer
        .content_type
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    let text = String::from_utf8_lossy(&answer.body);
    let start = text.trim_start();
    if ct.contains("yaml") || start.starts_with("openapi:") || start.starts_with("---") {
        return Err(format!(
            "{url} answered YAML{}, not JSON; `spec pull` takes the JSON document only \
             (Windmill's served YAML uses recursive aliases the generator cannot read)",
            if ct.is_empty() {
                String::new()
            } else {
                format!(" ({ct})")
            }
        ));
    }
    if !start.starts_with('{') {
        let what = if start.starts_with('<') {
            "HTML"
        } else {
            "something else"
        };
        return Err(format!(
            "{url} answered {what}, not the OpenAPI JSON document{}; is this the base URL of a Windmill?",
            if ct.is_empty() {
                String::new()
            } else {
                format!(" (content type {ct})")
            }
        ));
    }
    if let Err(e) = serde_json::from_slice::<Value>(&answer.body) {
        return Err(format!(
            "{url} answered malformed JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ));
    }
    Ok((url, answer.body))
}

/// What the start-up check found.
#[derive(Debug, Clone, Default)]
pub struct VersionCheck {
    /// `GET /api/version`'s answer, e.g. `CE v1.743.0`.
    pub running: Option<String>,
    /// The `x.y.z` in it.
    pub running_version: Option<String>,
    /// Whether it is the version the tools were generated from.
    pub matches: Option<bool>,
    /// The comparison with the running Windmill's `/api/openapi.json`, when the versions differ and
    /// the document could be fetched and lowered.
    pub diff: Option<ApiDiff>,
    /// The curated tools (of this binary) whose operations differ in the running Windmill:
    /// `name`, `name (breaking)` or `name (removed)`.
    pub curated_changed: Vec<String>,
    /// What could not be checked, and why.
    pub problems: Vec<String>,
}

/// The `x.y.z` of a version text such as `CE v1.743.0` or `v1.520.1-12-gabcdef`.
pub fn parse_version(text: &str) -> Option<String> {
    text.split_whitespace().find_map(|word| {
        let w = word.trim_start_matches(['v', 'V']);
        let core: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let core = core.trim_end_matches('.');
        (core.contains('.') && core.starts_with(|c: char| c.is_ascii_digit()))
            .then(|| core.to_owned())
    })
}

/// Compares the running Windmill's version with the one the tools were generated from, and logs a
/// warning when they differ, naming the curated tools whose operations changed. Never fails: what
/// cannot be checked is logged and reported in [`VersionCheck::problems`]. Meant to be spawned.
pub async fn check_version(base_url: String, registry: Arc<Registry>) -> VersionCheck {
    let compiled = registry.spec().version.clone();
    let compiled = compiled.as_str();
    let mut check = VersionCheck::default();
    let windmill = match Windmill::new(
        &base_url,
        Limits {
            timeout: Duration::from_secs(30),
            max_response_bytes: MAX_SPEC_BYTES,
            max_upstream: 4,
        },
    ) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("cannot check Windmill's version: {e}");
            check.problems.push(e.to_string());
            return check;
        }
    };
    let base = windmill.base().to_owned();
    let running = match super::api::version(&windmill).await {
        Ok(text) => text,
        Err(UpstreamError::Status { status, .. }) => {
            let p = format!("{base}/api/version answered HTTP {status}");
            tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
            check.problems.push(p);
            return check;
        }
        Err(e) => {
            let p = format!("cannot read {base}/api/version: {e}");
            tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
            check.problems.push(p);
            return check;
        }
    };
    check.running = Some(running.clone());
    let Some(version) = parse_version(&running) else {
        let p = format!("{base}/api/version answered `{running}`, which names no version");
        tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
        check.problems.push(p);
        return check;
    };
    check.running_version = Some(version.clone());
    let compiled_core = parse_version(compiled).unwrap_or_else(|| compiled.to_owned());
    if version == compiled_core {
        check.matches = Some(true);
        tracing::info!(
            "Windmill at {base} is {running}, the version the tools were generated from"
        );
        return check;
    }
    check.matches = Some(false);
    tracing::warn!(
        "Windmill at {base} is {running}, but the tools were generated from Windmill API {compiled}; \
         calls of operations that changed may fail. To rebuild for it: \
         `windmill-mcp spec pull --from {base}` (README: Rebuilding for your Windmill)"
    );

    let fetched = match fetch_openapi_json(&windmill).await {
        Ok((_, body)) => body,
        Err(e) => {
            let p = format!("cannot compare the operations: {e}");
            tracing::warn!("{p}");
            check.problems.push(p);
            return check;
        }
    };
    let root = PathBuf::from(format!("{base}/api/openapi.json"));
    let view = registry.view();
    let lowered = tokio::task::spawn_blocking(move || {
        let doc: Value = serde_json::from_slice(&fetched).map_err(|e| e.to_string())?;
        let loaded = load::Loaded {
            doc,
            root,
            files: Vec::new(),
        };
        let api = lower::lower(&loaded).map_err(|e| e.to_string())?;
        Ok::<ApiDiff, String>(diff::diff_views(&view, &ApiView::from_api(&api)))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let d = match lowered {
        Ok(d) => d,
        Err(e) => {
            let p = format!("cannot compare the operations with the running Windmill's: {e}");
            tracing::warn!("{p}");
            check.problems.push(p);
            return check;
        }
    };
    for t in registry
        .all()
        .iter()
        .map(|e| &e.endpoint)
        .filter(|e| e.curated)
    {
        if d.removed.iter().any(|r| r.name == t.name) {
            check.curated_changed.push(format!("{} (removed)", t.name));
        } else if let Some(c) = d.changed.iter().find(|c| c.name == t.name) {
            check.curated_changed.push(if c.breaking {
                format!("{} (breaking)", t.name)
            } else {
                t.name.to_owned()
            });
        }
    }
    let s = d.summary;
    let totals = format!(
        "{} tools added, {} removed, {} changed ({} with breaking changes) in all",
        s.added, s.removed, s.changed, s.breaking_tools
    );
    if check.curated_changed.is_empty() {
        tracing::info!(
            "no curated tool's operation differs in Windmill {version}; {totals} \
             (`windmill-mcp spec diff @compiled <pulled openapi.json>` for details)"
        );
    } else {
        tracing::warn!(
            "curated tools whose operations differ in Windmill {version}: {}; {totals} \
             (`windmill-mcp spec diff @compiled <pulled openapi.json>` for details)",
            check.curated_changed.join(", ")
        );
    }
    check.diff = Some(d);
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_windmill_texts() {
        assert_eq!(parse_version("CE v1.743.0").as_deref(), Some("1.743.0"));
        assert_eq!(parse_version("EE v1.520.1").as_deref(), Some("1.520.1"));
        assert_eq!(
            parse_version("v1.520.1-12-gabcdef").as_deref(),
            Some("1.520.1")
        );
        assert_eq!(parse_version("1.743.0").as_deref(), Some("1.743.0"));
        assert_eq!(parse_version("CE dev"), None);
        assert_eq!(parse_version(""), None);
    }
}
