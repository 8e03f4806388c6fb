//! The Windmill operations this server calls on its own behalf (to list, describe and run a
//! workspace's scripts and flows, and to read Windmill's version and spec), with typed answers.
//!
//! Every request here is laid out by the generated request builders of the compiled spec (see
//! `contract` in [`crate::endpoints::generated`]), so a route that changes in a new Windmill spec
//! changes here at build time and shows in `spec diff`; answers are read into the structs below,
//! whose fields a test checks against the spec's response schemas.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::answer::windmill_message;
use super::client::{Answer, SendError, Token, Windmill};
use crate::endpoints::generated::contract;
use crate::endpoints::runtime::{ArgError, HttpRequest};

/// Why a call of Windmill's API did not give the expected answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    #[error("the request could not be laid out: {0}")]
    Build(#[from] ArgError),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("Windmill answered HTTP {status} to {method} /api{path}: {message}")]
    Status {
        status: u16,
        method: &'static str,
        path: String,
        message: String,
    },
    #[error("Windmill's answer to {what} is not what its spec describes: {reason}")]
    Decode { what: &'static str, reason: String },
}

impl UpstreamError {
    /// The HTTP status Windmill answered, if it answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            UpstreamError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Windmill's message, for an error status.
    pub fn message(&self) -> Option<&str> {
        match self {
            UpstreamError::Status { message, .. } => Some(message),
            _ => None,
        }
    }
}

/// A field that may be absent or `null`: its default then.
fn lenient<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One item of `listScripts` (`GET /w/{w}/scripts/list`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListedScript {
    pub path: String,
    #[serde(default, deserialize_with = "lenient")]
    pub hash: String,
    #[serde(default, deserialize_with = "lenient")]
    pub summary: String,
    #[serde(default, deserialize_with = "lenient")]
    pub description: String,
    #[serde(default, deserialize_with = "lenient")]
    pub language: String,
    /// `script`, `failure`, `trigger`, `command`, `approval`, `preprocessor`.
    #[serde(default, deserialize_with = "lenient")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient")]
    pub starred: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub archived: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub draft_only: bool,
    /// When this version of the script (its hash) was deployed: its last edit.
    #[serde(default, deserialize_with = "lenient")]
    pub created_at: String,
}

/// One item of `listFlows` (`GET /w/{w}/flows/list`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListedFlow {
    pub path: String,
    #[serde(default, deserialize_with = "lenient")]
    pub summary: String,
    #[serde(default, deserialize_with = "lenient")]
    pub description: String,
    #[serde(default, deserialize_with = "lenient")]
    pub edited_at: String,
    #[serde(default, deserialize_with = "lenient")]
    pub starred: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub archived: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub draft_only: bool,
}

/// What `getScriptByPath` / `getFlowByPath` give that a tool needs (the rest, e.g. the code, is
/// dropped as it is read).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Detail {
    /// The script hash (scripts only).
    #[serde(default, deserialize_with = "lenient")]
    pub hash: String,
    /// The last edit time (flows only).
    #[serde(default, deserialize_with = "lenient")]
    pub edited_at: String,
    #[serde(default, deserialize_with = "lenient")]
    pub summary: String,
    #[serde(default, deserialize_with = "lenient")]
    pub description: String,
    #[serde(default, deserialize_with = "lenient")]
    pub language: String,
    /// The argument schema, as Windmill stores it (any JSON; converted by the workspace layer).
    #[serde(default)]
    pub schema: Option<Value>,
}

/// `getCompletedJobResultMaybe`: a job's outcome if it has completed. A job still running and an
/// unknown id look alike (`completed: false`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResultMaybe {
    #[serde(default, deserialize_with = "lenient")]
    pub completed: bool,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub result: Value,
}

/// One item of `listResource`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListedResource {
    pub path: String,
}

/// A script or a flow, for the operations that exist for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Script,
    Flow,
}

impl ItemKind {
    /// The prefix of its tool names, as Windmill's own MCP server writes them (`s-`, `f-`).
    pub fn prefix(self) -> &'static str {
        match self {
            ItemKind::Script => "s-",
            ItemKind::Flow => "f-",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Script => "script",
            ItemKind::Flow => "flow",
        }
    }
}

/// Calls in one workspace with one token.
#[derive(Clone, Copy)]
pub struct Api<'a> {
    pub windmill: &'a Windmill,
    pub token: Option<&'a Token>,
    pub workspace: &'a str,
}

impl<'a> Api<'a> {
    pub fn new(windmill: &'a Windmill, token: Option<&'a Token>, workspace: &'a str) -> Self {
        Api {
            windmill,
            token,
            workspace,
        }
    }

    async fn send(&self, req: &HttpRequest) -> Result<Answer, UpstreamError> {
        let answer = self.windmill.send(req, self.token).await?;
        if (200..300).contains(&answer.status) {
            return Ok(answer);
        }
        Err(UpstreamError::Status {
            status: answer.status,
            method: req.method.as_str(),
            path: req
                .path_and_query
                .split('?')
                .next()
                .unwrap_or("")
                .to_owned(),
            message: windmill_message(&answer.body),
        })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        req: Result<HttpRequest, ArgError>,
        what: &'static str,
    ) -> Result<T, UpstreamError> {
        let answer = self.send(&req?).await?;
        serde_json::from_slice(&answer.body).map_err(|e| UpstreamError::Decode {
            what,
            reason: e.to_string(),
        })
    }

    /// A page of a listing, item by item: items that do not read as `T` are left out (and
    /// logged), so one odd item never hides the others. Also returns the page's raw length.
    async fn page<T: DeserializeOwned>(
        &self,
        req: Result<HttpRequest, ArgError>,
        what: &'static str,
    ) -> Result<(Vec<T>, usize), UpstreamError> {
        let items: Vec<Value> = self.json(req, what).await?;
        let n = items.len();
        let read = items
            .into_iter()
            .filter_map(|v| match serde_json::from_value::<T>(v) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::debug!(what, error = %e, "leaving out an item Windmill listed");
                    None
                }
            })
            .collect();
        Ok((read, n))
    }

    /// One page of the workspace's runnable scripts, oldest first.
    pub async fn list_scripts(
        &self,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<ListedScript>, usize), UpstreamError> {
        let req = contract::ListScripts {
            page: Some(page),
            per_page: Some(per_page),
            order_desc: Some(false),
            kinds: Some("script".into()),
        }
        .request(self.workspace);
        self.page(req, "listScripts").await
    }

    /// One page of the workspace's flows, oldest first.
    pub async fn list_flows(
        &self,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<ListedFlow>, usize), UpstreamError> {
        let req = contract::ListFlows {
            page: Some(page),
            per_page: Some(per_page),
            order_desc: Some(false),
        }
        .request(self.workspace);
        self.page(req, "listFlows").await
    }

    /// A script or flow, for its argument schema.
    pub async fn get(&self, kind: ItemKind, path: &str) -> Result<Detail, UpstreamError> {
        match kind {
            ItemKind::Script => {
                let req = contract::GetScriptByPath { path: path.into() }.request(self.workspace);
                self.json(req, "getScriptByPath").await
            }
            ItemKind::Flow => {
                let req = contract::GetFlowByPath { path: path.into() }.request(self.workspace);
                self.json(req, "getFlowByPath").await
            }
        }
    }

    /// Starts a script or flow with `args`; the job id.
    pub async fn run(
        &self,
        kind: ItemKind,
        path: &str,
        args: Value,
    ) -> Result<String, UpstreamError> {
        let req = match kind {
            ItemKind::Script => contract::RunScriptByPath {
                path: path.into(),
                body: Some(args),
            }
            .request(self.workspace),
            ItemKind::Flow => contract::RunFlowByPath {
                path: path.into(),
                body: Some(args),
            }
            .request(self.workspace),
        };
        let answer = self.send(&req?).await?;
        let id = String::from_utf8_lossy(&answer.body)
            .trim()
            .trim_matches('"')
            .to_owned();
        if id.is_empty() || id.len() > 100 || id.contains(char::is_whitespace) {
            return Err(UpstreamError::Decode {
                what: "a run",
                reason: format!("no usable job id in {} bytes", answer.body.len()),
            });
        }
        Ok(id)
    }

    /// A job's outcome, if it has completed.
    pub async fn result_maybe(&self, job_id: &str) -> Result<ResultMaybe, UpstreamError> {
        let req = contract::GetCompletedJobResultMaybe {
            id: job_id.into(),
            get_started: Some(true),
        }
        .request(self.workspace);
        self.json(req, "getCompletedJobResultMaybe").await
    }

    /// Cancels a queued or running job.
    pub async fn cancel(&self, job_id: &str, reason: &str) -> Result<(), UpstreamError> {
        let req = contract::CancelQueuedJob {
            id: job_id.into(),
            reason: Some(reason.into()),
        }
        .request(self.workspace);
        self.send(&req?).await.map(|_| ())
    }

    /// A job's log.
    pub async fn job_logs(&self, job_id: &str) -> Result<String, UpstreamError> {
        let req = contract::GetJobLogs { id: job_id.into() }.request(self.workspace);
        let answer = self.send(&req?).await?;
        Ok(String::from_utf8_lossy(&answer.body).into_owned())
    }

    /// Paths of the workspace's resources of one type (the first `per_page`).
    pub async fn resources_of_type(
        &self,
        resource_type: &str,
        per_page: i64,
    ) -> Result<Vec<String>, UpstreamError> {
        let req = contract::ListResource {
            resource_type: Some(resource_type.into()),
            per_page: Some(per_page),
        }
        .request(self.workspace);
        let (items, _) = self.page::<ListedResource>(req, "listResource").await?;
        Ok(items.into_iter().map(|r| r.path).collect())
    }
}

/// Windmill's version text (`GET /api/version`, e.g. `CE v1.743.0`); needs no token.
pub async fn version(windmill: &Windmill) -> Result<String, UpstreamError> {
    let api = Api::new(windmill, None, "");
    let answer = api.send(&contract::BackendVersion {}.request("")?).await?;
    Ok(String::from_utf8_lossy(&answer.body).trim().to_owned())
}

/// Where a running Windmill serves its spec as one JSON document. Windmill's spec describes only
/// the YAML twin (`/openapi.yaml`, whose recursive aliases no serde YAML parser reads); this route
/// is the one Windmill path this server writes by hand.
pub const OPENAPI_JSON_ROUTE: &str = "/openapi.json";

/// The spec a running Windmill serves as JSON, as bytes (not parsed: it may be large).
pub async fn openapi_json(windmill: &Windmill) -> Result<Answer, UpstreamError> {
    let req = HttpRequest {
        method: crate::endpoints::Method::Get,
        path_and_query: OPENAPI_JSON_ROUTE.into(),
        headers: Vec::new(),
        body: None,
    };
    Api::new(windmill, None, "").send(&req).await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    /// Property names a response schema describes (through `items`, `allOf`, `anyOf`).
    fn properties(schema: &Value, out: &mut BTreeSet<String>) {
        if let Some(p) = schema.get("properties").and_then(Value::as_object) {
            out.extend(p.keys().cloned());
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            for s in schema
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                properties(s, out);
            }
        }
        if let Some(items) = schema.get("items") {
            properties(items, out);
        }
    }

    /// Every field the typed answers read is one the compiled spec describes, so a renamed field
    /// in a new Windmill spec fails here rather than reading as empty.
    #[test]
    fn typed_answers_read_fields_the_spec_describes() {
        let spec = std::path::Path::new(crate::endpoints::generated::SPEC_PATH);
        let (api, _) = windmill_mcp_codegen::read_api(spec).expect("the compiled spec lowers");
        let reads: &[(&str, &[&str])] = &[
            (
                "listScripts",
                &[
                    "path",
                    "hash",
                    "summary",
                    "description",
                    "language",
                    "kind",
                    "starred",
                    "archived",
                    "draft_only",
                    "created_at",
                ],
            ),
            (
                "listFlows",
                &[
                    "path",
                    "summary",
                    "description",
                    "edited_at",
                    "starred",
                    "archived",
                    "draft_only",
                ],
            ),
            (
                "getScriptByPath",
                &["hash", "summary", "description", "language", "schema"],
            ),
            (
                "getFlowByPath",
                &["edited_at", "summary", "description", "schema"],
            ),
            (
                "getCompletedJobResultMaybe",
                &["completed", "success", "result"],
            ),
            ("listResource", &["path"]),
        ];
        for (op, fields) in reads {
            let Some(o) = api.operations.iter().find(|o| o.name == *op) else {
                // Specs that lack the operation say so in the build (see the contract).
                continue;
            };
            let schema = o
                .response
                .as_ref()
                .and_then(|r| r.schema.clone())
                .unwrap_or(Value::Null);
            let mut known = BTreeSet::new();
            properties(&schema, &mut known);
            for f in *fields {
                assert!(
                    known.contains(*f),
                    "{op} answers have no `{f}` in this spec: {known:?}"
                );
            }
        }
    }
}
