//! The fake Windmill (the `windmill-fake` crate, `tests/fake_windmill/`) checked against the
//! OpenAPI document a real Windmill serves (served-v1.740.0/openapi.json) and against the default
//! compiled spec (v1.795.0, its files brought into one document by the codegen loader): every
//! operation Windmill marks `x-mcp-tool: true` is called with valid inputs, and each answer's status
//! code, content type and body are checked against that operation's success response in the spec. The rest of
//! the file checks the fake's behaviours the end-to-end tests rely on (auth, errors, paging,
//! injection, recording).
//!
//! Known deviations of the real Windmill from its own spec, which the fake reproduces on purpose
//! and which are validated with those `required` entries relaxed (see `RELAXED`):
//! - `listScripts` items have no `content`, `created_by`, `deleted`, `is_template`,
//!   `has_preprocessor` (nor `schema`), measured on a real v1.743.0;
//! - `listFlows` items have no `value` (Windmill's `ListableFlow`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jsonschema::{Registry, Validator};
use serde_json::{json, Map, Value};
use windmill_fake::{
    FakeState, FakeWindmill, Injection, HASH_HELLO_OLD, JOB_DEMO_FAILURE, JOB_DEMO_QUEUED,
    TOKEN_ALICE, TOKEN_BOB, TOKEN_MCP_ONLY, TOKEN_SCRIPTS_READ,
};

const SPEC_PATH: &str = windmill_fake::DEFAULT_OPENAPI_JSON;
const SPEC_URI: &str = "urn:windmill-openapi";

/// (component schema, required properties the real server leaves out of list items)
const RELAXED: &[(&str, &[&str])] = &[
    (
        "Script",
        &[
            "content",
            "created_by",
            "deleted",
            "is_template",
            "has_preprocessor",
        ],
    ),
    ("OpenFlow", &["value"]),
];
const RELAXED_OPS: &[&str] = &["listScripts", "listFlows"];

// -------------------------------------------------------------------------------------------
// OpenAPI 3.0 -> JSON Schema
// -------------------------------------------------------------------------------------------

/// Converts one OpenAPI 3.0 schema object: `nullable: true` becomes `anyOf [.., {type: null}]`,
/// OpenAPI-only keywords (`discriminator`, `example`, `xml`, `externalDocs`, `x-*`) go.
fn to_json_schema(s: &Value) -> Value {
    let Value::Object(m) = s else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let v = match k.as_str() {
            "nullable" | "discriminator" | "example" | "xml" | "externalDocs" => continue,
            k if k.starts_with("x-") => continue,
            "properties" | "patternProperties" | "$defs" | "definitions" => match v {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(n, p)| (n.clone(), to_json_schema(p)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" | "propertyNames" | "contains" => {
                to_json_schema(v)
            }
            "allOf" | "anyOf" | "oneOf" => match v {
                Value::Array(a) => Value::Array(a.iter().map(to_json_schema).collect()),
                other => other.clone(),
            },
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    if m.get("nullable") == Some(&Value::Bool(true)) {
        json!({"anyOf": [Value::Object(out), {"type": "null"}]})
    } else {
        Value::Object(out)
    }
}

/// Converts every schema of the document (media-type and parameter `schema`s, component
/// `schemas`), leaving the rest as is.
fn convert_doc(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("schema", Value::Object(_)) => to_json_schema(v),
                        ("schemas", Value::Object(s)) => Value::Object(
                            s.iter()
                                .map(|(n, x)| (n.clone(), to_json_schema(x)))
                                .collect(),
                        ),
                        _ => convert_doc(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(convert_doc).collect()),
        other => other.clone(),
    }
}

/// `#/...` references of a schema taken out of the document point back into it.
fn absolutize_refs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) if r.starts_with('#') => {
                        (k.clone(), Value::String(format!("{SPEC_URI}{r}")))
                    }
                    _ => (k.clone(), absolutize_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(absolutize_refs).collect()),
        other => other.clone(),
    }
}

struct Op {
    method: String,
    path: String,
    op: Value,
}

struct Spec {
    /// The document as read (before the OpenAPI-to-JSON-Schema conversion).
    raw: Value,
    ops: BTreeMap<String, Op>,
    registry: Registry<'static>,
    relaxed: Registry<'static>,
}

impl Spec {
    /// The document a real Windmill serves (served-v1.740.0/openapi.json).
    fn load() -> Spec {
        let raw: Value = serde_json::from_slice(&std::fs::read(SPEC_PATH).expect("read spec"))
            .expect("parse spec");
        Spec::of(raw)
    }

    /// A vendored spec in Windmill's source layout, its cross-file references brought in.
    fn vendored(version: &str) -> Spec {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/windmill-openapi")
            .join(version)
            .join("backend/windmill-api/openapi.yaml");
        let loaded = windmill_mcp_codegen::load::load(&path).expect("the vendored spec loads");
        Spec::of(loaded.doc)
    }

    fn of(raw: Value) -> Spec {
        let doc = convert_doc(&raw);
        let mut ops = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    ops.insert(
                        id.to_string(),
                        Op {
                            method: method.to_uppercase(),
                            path: path.clone(),
                            op: op.clone(),
                        },
                    );
                }
            }
        }
        let mut relaxed_doc = doc.clone();
        for (schema, names) in RELAXED {
            // A schema may be a `$ref` to the one that holds `required` (the loader imports
            // openflow's `OpenFlow` as `OpenFlow_2` beside the root document's alias of it).
            let mut name = (*schema).to_owned();
            while let Some(target) = relaxed_doc["components"]["schemas"][&name]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                name = target.to_owned();
            }
            let req = relaxed_doc["components"]["schemas"][&name]["required"]
                .as_array_mut()
                .expect("relaxed schema has required");
            req.retain(|r| !names.contains(&r.as_str().unwrap_or("")));
        }
        let registry = Registry::new()
            .add(SPEC_URI, doc.clone())
            .expect("add")
            .prepare()
            .expect("prepare");
        let relaxed = Registry::new()
            .add(SPEC_URI, relaxed_doc)
            .expect("add")
            .prepare()
            .expect("prepare");
        Spec {
            raw,
            ops,
            registry,
            relaxed,
        }
    }

    fn mcp_ops(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for item in self.raw["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("item").values() {
                if op.get("x-mcp-tool") == Some(&Value::Bool(true)) {
                    out.insert(op["operationId"].as_str().expect("operationId").to_string());
                }
            }
        }
        out
    }

    fn validator(&self, schema: &Value, relaxed: bool) -> Validator {
        jsonschema::options()
            .with_registry(if relaxed {
                &self.relaxed
            } else {
                &self.registry
            })
            .should_validate_formats(true)
            .build(&absolutize_refs(schema))
            .unwrap_or_else(|e| panic!("cannot compile schema {schema}: {e}"))
    }

    fn errors(&self, schema: &Value, instance: &Value, relaxed: bool) -> Vec<String> {
        let v = self.validator(schema, relaxed);
        v.iter_errors(instance)
            .map(|e| format!("  at {}: {}", e.instance_path(), e))
            .collect()
    }

    /// The success schema of an operation (first 2xx response, given media type).
    fn response_schema(&self, op_id: &str, mime: &str) -> Value {
        let op = &self.ops[op_id].op;
        let (_, resp) = op["responses"]
            .as_object()
            .and_then(|r| r.iter().find(|(k, _)| k.starts_with('2')))
            .expect("2xx response");
        resp["content"][mime]["schema"].clone()
    }

    fn check_instance(&self, what: &str, schema: &Value, instance: &Value, relaxed: bool) {
        let errors = self.errors(schema, instance, relaxed);
        assert!(
            errors.is_empty(),
            "{what}: does not match its schema:\n{}\ninstance: {}",
            errors.join("\n"),
            serde_json::to_string_pretty(instance).unwrap_or_default()
        );
    }
}

/// Does a concrete path (after `/api`) fit a template such as `/w/{workspace}/scripts/get/p/{path}`?
/// A trailing parameter may span several segments (Windmill paths contain slashes).
fn fits_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, ts) in t.iter().enumerate() {
        let is_param = ts.starts_with('{') && ts.ends_with('}');
        if i == t.len() - 1 && is_param {
            return p.len() > i && p[i..].iter().all(|s| !s.is_empty());
        }
        match p.get(i) {
            Some(ps) if is_param && !ps.is_empty() => {}
            Some(ps) if ps == ts => {}
            _ => return false,
        }
    }
    t.len() == p.len()
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("reqwest client")
}

struct Answer {
    status: u16,
    mime: String,
    text: String,
    json: Option<Value>,
}

async fn send(
    http: &reqwest::Client,
    fake: &FakeWindmill,
    method: &str,
    path_and_query: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let url = format!("{}{}", fake.api_url(), path_and_query);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = http.request(method, &url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = resp.status().as_u16();
    let mime = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let text = resp.text().await.expect("body");
    let json = if mime == "application/json" {
        serde_json::from_str(&text).ok()
    } else {
        None
    };
    Answer {
        status,
        mime,
        text,
        json,
    }
}

struct Checker {
    spec: Spec,
    fake: FakeWindmill,
    http: reqwest::Client,
    called: BTreeSet<String>,
}

impl Checker {
    /// Calls operation `op_id` at `path_and_query` (after `/api`) as Alice and checks the answer
    /// against the spec; returns the body (JSON, or the text as a JSON string).
    async fn call(&mut self, op_id: &str, path_and_query: &str, body: Option<Value>) -> Value {
        let op = self
            .spec
            .ops
            .get(op_id)
            .unwrap_or_else(|| panic!("{op_id} not in the spec"));
        let path = path_and_query.split('?').next().unwrap_or("");
        assert!(
            fits_template(&op.path, path),
            "{op_id}: {path} does not fit {}",
            op.path
        );
        if let Some(b) = &body {
            let schema = &op.op["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                !schema.is_null(),
                "{op_id}: the spec has no JSON request body"
            );
            self.spec.check_instance(
                &format!("{op_id} request body (test input)"),
                schema,
                b,
                false,
            );
        }
        let a = send(
            &self.http,
            &self.fake,
            &op.method,
            path_and_query,
            Some(TOKEN_ALICE),
            body.as_ref(),
        )
        .await;
        let responses = op.op["responses"].as_object().expect("responses");
        let documented = responses
            .keys()
            .filter(|k| k.starts_with('2'))
            .cloned()
            .collect::<Vec<_>>();
        assert!(
            documented.contains(&a.status.to_string()),
            "{op_id} {} {path_and_query}: status {} not among documented {documented:?}; body: {}",
            op.method,
            a.status,
            a.text
        );
        let content = &responses[&a.status.to_string()]["content"];
        let media = content.get(&a.mime).unwrap_or_else(|| {
            panic!(
                "{op_id}: content type {:?} not documented ({content})",
                a.mime
            )
        });
        let instance = if a.mime == "application/json" {
            a.json
                .clone()
                .unwrap_or_else(|| panic!("{op_id}: invalid JSON body: {}", a.text))
        } else {
            Value::String(a.text.clone())
        };
        let relaxed = RELAXED_OPS.contains(&op_id);
        self.spec.check_instance(
            &format!("{op_id} response"),
            &media["schema"],
            &instance,
            relaxed,
        );
        self.called.insert(op_id.to_string());
        instance
    }
}

async fn checker(spec: Spec) -> Checker {
    Checker {
        spec,
        fake: windmill_fake::start().await,
        http: client(),
        called: BTreeSet::new(),
    }
}

// -------------------------------------------------------------------------------------------
// Conformance
// -------------------------------------------------------------------------------------------

/// The conversion keeps the checks meaningful: references resolve, `required`, enums, formats
/// and `oneOf` bite, `nullable` admits null, and the relaxation only drops the listed fields.
#[test]
fn schema_checks_are_not_vacuous() {
    let spec = Spec::load();
    let fails = |op: &str, mime: &str, instance: Value, relaxed: bool| {
        let errors = spec.errors(&spec.response_schema(op, mime), &instance, relaxed);
        assert!(!errors.is_empty(), "{op}: {instance} should not validate");
    };
    let script = json!({
        "hash": "a1", "path": "f/x/y", "summary": "", "description": "", "content": "",
        "created_by": "a", "created_at": "2026-06-01T00:00:00Z", "archived": false,
        "deleted": false, "is_template": false, "extra_perms": {}, "language": "bun",
        "kind": "script", "starred": false, "has_preprocessor": false, "is_draft": false
    });
    assert!(spec
        .errors(
            &spec.response_schema("getScriptByPath", "application/json"),
            &script,
            false
        )
        .is_empty());
    let mut s = script.clone();
    s.as_object_mut().map(|m| m.remove("hash"));
    fails("getScriptByPath", "application/json", s, false);
    let mut s = script.clone();
    s["language"] = json!("cobol");
    fails("getScriptByPath", "application/json", s, false);
    let mut s = script.clone();
    s["created_at"] = json!("yesterday");
    fails("getScriptByPath", "application/json", s, false);
    fails("runScriptByPath", "text/plain", json!("not-a-uuid"), false);
    // relaxed list items may lack `content`, never `hash`
    let item = json!({"hash": "a1", "path": "f/x/y", "summary": "", "description": "",
        "created_at": "2026-06-01T00:00:00Z", "archived": false, "extra_perms": {},
        "language": "bun", "kind": "script", "starred": false});
    let list_schema = spec.response_schema("listScripts", "application/json");
    assert!(spec
        .errors(&list_schema, &json!([item.clone()]), true)
        .is_empty());
    assert!(!spec
        .errors(&list_schema, &json!([item.clone()]), false)
        .is_empty());
    let mut no_hash = item.clone();
    no_hash.as_object_mut().map(|m| m.remove("hash"));
    assert!(!spec
        .errors(&list_schema, &json!([no_hash]), true)
        .is_empty());
    // Job is a oneOf on `type`
    fails(
        "getJob",
        "application/json",
        json!({"id": "01900000-0000-7000-8000-000000000001", "type": "CompletedJob"}),
        false,
    );
    // nullable fields admit null
    let schedule = json!({"path": "f/x/s", "edited_by": "a", "edited_at": "2026-06-01T00:00:00Z",
        "schedule": "0 0 * * * *", "script_path": "f/x/y", "timezone": "UTC", "extra_perms": {},
        "is_flow": false, "enabled": true, "email": "a@b.c", "permissioned_as": "u/a",
        "summary": null, "args": null, "is_draft": false});
    assert!(spec
        .errors(
            &spec.response_schema("getSchedule", "application/json"),
            &schedule,
            false
        )
        .is_empty());
    let mut bad = schedule.clone();
    bad["enabled"] = Value::Null;
    fails("getSchedule", "application/json", bad, false);
}

#[tokio::test]
async fn every_mcp_operation_conforms_to_the_served_spec() {
    let mut c = checker(Spec::load()).await;
    exercise_mcp_operations(&mut c).await;
    assert_eq!(c.spec.mcp_ops().len(), 38);
}

/// The default compiled spec: its curated operations (42, with Windmill's full-code apps, data
/// metrics and updateScript) answer as v1.795.0 describes them.
#[tokio::test]
async fn every_mcp_operation_conforms_to_the_default_spec() {
    let mut c = checker(Spec::vendored("v1.795.0")).await;
    exercise_mcp_operations(&mut c).await;
    assert_eq!(c.spec.mcp_ops().len(), 42);
}

/// Calls every operation either document marks `x-mcp-tool` (those of v1.780.0 and later only
/// when the document has them) and fails on any marked operation left out.
async fn exercise_mcp_operations(c: &mut Checker) {
    let w = "/w/demo";

    // instance level
    let v = c.call("backendVersion", "/version", None).await;
    assert_eq!(v, json!("CE v1.743.0"));
    let s = c
        .call(
            "searchDocs",
            &format!("/docs/search?query={}", enc("cron seconds")),
            None,
        )
        .await;
    assert!(
        s["results"].as_array().is_some_and(|r| !r.is_empty()),
        "{s}"
    );
    let url = s["results"][0]["url"].as_str().expect("url").to_string();
    let p = c
        .call(
            "readDocsPage",
            &format!("/docs/page?url={}", enc(&url)),
            None,
        )
        .await;
    assert_eq!(p["source_url"], json!(url));
    let p = c
        .call(
            "readDocsPage",
            &format!(
                "/docs/page?url={}&section={}",
                enc(&url),
                enc("Cron syntax")
            ),
            None,
        )
        .await;
    assert!(
        p["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("## Cron syntax")),
        "{p}"
    );
    let workers = c.call("listWorkers", "/workers/list", None).await;
    assert_eq!(workers.as_array().map(Vec::len), Some(2));

    // variables
    let r = c
        .call(
            "createVariable",
            &format!("{w}/variables/create"),
            Some(json!({"path": "f/folder/new_var", "value": "v1", "is_secret": false, "description": "a var"})),
        )
        .await;
    assert_eq!(r, json!("variable f/folder/new_var created"));
    let v = c
        .call(
            "getVariable",
            &format!("{w}/variables/get/f/folder/new_var"),
            None,
        )
        .await;
    assert_eq!(v["value"], json!("v1"));
    c.call(
        "updateVariable",
        &format!("{w}/variables/update/f/folder/new_var"),
        Some(json!({"value": "v2"})),
    )
    .await;
    let v = c
        .call(
            "getVariable",
            &format!("{w}/variables/get/f/folder/db_password"),
            None,
        )
        .await;
    assert_eq!(v["value"], json!("s3cr3t-pa55"));
    let list = c
        .call(
            "listVariable",
            &format!("{w}/variables/list?per_page=100"),
            None,
        )
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(4));
    c.call(
        "deleteVariable",
        &format!("{w}/variables/delete/f/folder/new_var"),
        None,
    )
    .await;

    // resources
    c.call(
        "createResource",
        &format!("{w}/resources/create"),
        Some(json!({"path": "f/folder/new_db", "value": {"host": "h", "dbname": "d"}, "resource_type": "postgresql", "description": "db"})),
    )
    .await;
    let r = c
        .call(
            "getResource",
            &format!("{w}/resources/get/f/folder/new_db"),
            None,
        )
        .await;
    assert_eq!(r["value"]["host"], json!("h"));
    c.call(
        "updateResource",
        &format!("{w}/resources/update/f/folder/new_db"),
        Some(json!({"value": {"host": "h2", "dbname": "d"}})),
    )
    .await;
    let list = c
        .call(
            "listResource",
            &format!("{w}/resources/list?resource_type=postgresql"),
            None,
        )
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    let types = c
        .call(
            "listResourceType",
            &format!("{w}/resources/type/list"),
            None,
        )
        .await;
    assert!(types
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x["name"] == "c_weather_api")));
    c.call(
        "deleteResource",
        &format!("{w}/resources/delete/f/folder/new_db"),
        None,
    )
    .await;

    // scripts
    let list = c
        .call("listScripts", &format!("{w}/scripts/list"), None)
        .await;
    let items = list.as_array().expect("array");
    assert_eq!(items.len(), 4, "{list}");
    assert!(items
        .iter()
        .all(|i| i.get("schema").is_none() && i.get("content").is_none()));
    let s = c
        .call(
            "getScriptByPath",
            &format!("{w}/scripts/get/p/f/folder/my_script"),
            None,
        )
        .await;
    assert_eq!(s["schema"]["required"], json!(["a"]));
    let h1 = c
        .call(
            "createScript",
            &format!("{w}/scripts/create"),
            Some(json!({"path": "f/folder/new_script", "summary": "new", "description": "", "content": "def main(x: int):\n    return x\n", "language": "python3"})),
        )
        .await;
    let h1 = h1.as_str().expect("hash").to_string();
    let h2 = c
        .call(
            "createScript",
            &format!("{w}/scripts/create"),
            Some(json!({"path": "f/folder/new_script", "parent_hash": h1, "summary": "new v2", "description": "", "content": "def main(x: int):\n    return x * 2\n", "language": "python3"})),
        )
        .await;
    assert_ne!(h2.as_str(), Some(h1.as_str()));
    let deleted = c
        .call(
            "deleteScriptByHash",
            &format!("{w}/scripts/delete/h/{h1}"),
            None,
        )
        .await;
    assert_eq!(deleted["deleted"], json!(true));
    let d = c
        .call(
            "deleteScriptByPath",
            &format!("{w}/scripts/delete/p/f/folder/new_script"),
            None,
        )
        .await;
    assert_eq!(d, json!("f/folder/new_script"));

    // jobs
    let id = c
        .call(
            "runScriptByPath",
            &format!("{w}/jobs/run/p/f/folder/my_script"),
            Some(json!({"a": 1})),
        )
        .await;
    let id = id.as_str().expect("uuid").to_string();
    let job = c
        .call("getJob", &format!("{w}/jobs_u/get/{id}"), None)
        .await;
    assert_eq!(
        (job["type"].as_str(), job["success"].as_bool()),
        (Some("CompletedJob"), Some(true))
    );
    assert_eq!(job["result"], json!({"a": 1}));
    let logs = c
        .call("getJobLogs", &format!("{w}/jobs_u/get_logs/{id}"), None)
        .await;
    assert!(logs.as_str().is_some_and(|l| l.contains(&id)));
    let fid = c
        .call(
            "runFlowByPath",
            &format!("{w}/jobs/run/f/f/folder/my_flow"),
            Some(json!({"x": "hi"})),
        )
        .await;
    let fjob = c
        .call(
            "getJob",
            &format!("{w}/jobs_u/get/{}", fid.as_str().expect("uuid")),
            None,
        )
        .await;
    assert_eq!(fjob["job_kind"], json!("flow"));
    let failed = c
        .call(
            "getJob",
            &format!("{w}/jobs_u/get/{JOB_DEMO_FAILURE}"),
            None,
        )
        .await;
    assert_eq!(failed["result"]["error"]["name"], json!("ExecutionErr"));
    let queued = c
        .call("getJob", &format!("{w}/jobs_u/get/{JOB_DEMO_QUEUED}"), None)
        .await;
    assert_eq!(queued["type"], json!("QueuedJob"));
    let r = c
        .call(
            "runScriptPreviewAndWaitResult",
            &format!("{w}/jobs/run_wait_result/preview"),
            Some(json!({"content": "def main(x):\n    return x\n", "language": "python3", "args": {"x": 42}})),
        )
        .await;
    assert_eq!(r, json!({"x": 42}));
    let q = c
        .call("listQueue", &format!("{w}/jobs/queue/list"), None)
        .await;
    assert_eq!(q.as_array().map(Vec::len), Some(1));
    let jobs = c
        .call("listJobs", &format!("{w}/jobs/list?per_page=100"), None)
        .await;
    assert!(jobs.as_array().is_some_and(|j| j.len() >= 6), "{jobs}");

    // flows
    let flows = c.call("listFlows", &format!("{w}/flows/list"), None).await;
    assert!(flows
        .as_array()
        .is_some_and(|f| f.len() == 2 && f.iter().all(|x| x.get("value").is_none())));
    let f = c
        .call(
            "getFlowByPath",
            &format!("{w}/flows/get/f/folder/my_flow"),
            None,
        )
        .await;
    assert!(f["value"]["modules"].is_array());
    let flow_body = json!({
        "path": "f/folder/new_flow",
        "summary": "New flow",
        "description": "",
        "value": {"modules": [{"id": "a", "value": {"type": "identity"}}]},
        "schema": {"type": "object", "properties": {}, "required": []}
    });
    c.call(
        "createFlow",
        &format!("{w}/flows/create"),
        Some(flow_body.clone()),
    )
    .await;
    let mut updated = flow_body.clone();
    updated["summary"] = json!("New flow, renamed");
    c.call(
        "updateFlow",
        &format!("{w}/flows/update/f/folder/new_flow"),
        Some(updated),
    )
    .await;
    let f = c
        .call(
            "getFlowByPath",
            &format!("{w}/flows/get/f/folder/new_flow"),
            None,
        )
        .await;
    assert_eq!(f["summary"], json!("New flow, renamed"));
    c.call(
        "deleteFlowByPath",
        &format!("{w}/flows/delete/f/folder/new_flow"),
        None,
    )
    .await;

    // apps
    c.call(
        "createApp",
        &format!("{w}/apps/create"),
        Some(json!({"path": "f/folder/new_app", "value": {"grid": []}, "summary": "App", "policy": {"execution_mode": "publisher"}})),
    )
    .await;
    c.call(
        "updateApp",
        &format!("{w}/apps/update/f/folder/new_app"),
        Some(json!({"summary": "App v2"})),
    )
    .await;

    // schedules
    c.call(
        "createSchedule",
        &format!("{w}/schedules/create"),
        Some(json!({"path": "f/folder/new_schedule", "schedule": "0 */5 * * * *", "timezone": "UTC", "script_path": "f/folder/my_script", "is_flow": false, "args": {"a": 3}})),
    )
    .await;
    let s = c
        .call(
            "getSchedule",
            &format!("{w}/schedules/get/f/folder/new_schedule"),
            None,
        )
        .await;
    assert_eq!(s["args"], json!({"a": 3}));
    c.call(
        "updateSchedule",
        &format!("{w}/schedules/update/f/folder/new_schedule"),
        Some(json!({"schedule": "0 0 * * * *", "timezone": "Europe/Paris", "args": {"a": 4}})),
    )
    .await;
    let list = c
        .call("listSchedules", &format!("{w}/schedules/list"), None)
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(3));
    c.call(
        "deleteSchedule",
        &format!("{w}/schedules/delete/f/folder/new_schedule"),
        None,
    )
    .await;

    // full-code apps, data metrics and script updates (curated from v1.780.0 and v1.795.0)
    if c.spec.ops.contains_key("createAppRawSource") {
        let files = json!({"/index.tsx": "export default function App() { return null }"});
        c.call(
            "createAppRawSource",
            &format!("{w}/apps/create_raw_source"),
            Some(json!({"path": "f/folder/new_raw_app", "value": {"files": files}, "summary": "Raw app", "policy": {"execution_mode": "publisher"}})),
        )
        .await;
        c.call(
            "updateAppRawSource",
            &format!("{w}/apps/update_raw_source/f/folder/new_raw_app"),
            Some(json!({"value": {"files": files, "runnables": {}}, "summary": "Raw app v2"})),
        )
        .await;
        let a = c
            .call(
                "getAppByPath",
                &format!("{w}/apps/get/p/f/folder/new_raw_app?get_draft=true"),
                None,
            )
            .await;
        assert_eq!(a["summary"], json!("Raw app v2"));
        assert_eq!(a["raw_app"], json!(true));
        assert_eq!(a["versions"].as_array().map(Vec::len), Some(2), "{a}");
        let low = c
            .call(
                "getAppByPath",
                &format!("{w}/apps/get/p/f/folder/dashboard"),
                None,
            )
            .await;
        assert_eq!(low["raw_app"], json!(false));
        let apps = c
            .call(
                "listApps",
                &format!("{w}/apps/list?path_start=f/folder/&per_page=10"),
                None,
            )
            .await;
        let apps = apps.as_array().expect("a list of apps");
        assert!(apps.len() >= 3, "{apps:?}");
        // `raw_app` is left out for low-code apps, as Windmill does.
        let dashboard = apps
            .iter()
            .find(|a| a["path"] == "f/folder/dashboard")
            .expect("the low-code app is listed");
        assert!(dashboard.get("raw_app").is_none(), "{dashboard}");
        assert!(apps
            .iter()
            .any(|a| a["path"] == "f/folder/new_raw_app" && a["raw_app"] == json!(true)));
    }
    if c.spec.ops.contains_key("listDataMetrics") {
        let m = c
            .call(
                "listDataMetrics",
                &format!(
                    "{w}/data_metrics/list?table={}",
                    enc("ducklake://lake/main.orders")
                ),
                None,
            )
            .await;
        let metrics = m["metrics"].as_array().expect("metrics");
        assert_eq!(metrics.len(), 2, "{m}");
        assert!(m.get("next_cursor").is_none(), "{m}");
        // Keyset paging: one row per page, the cursor's four fields passed back.
        let first = c
            .call(
                "listDataMetrics",
                &format!("{w}/data_metrics/list?per_page=1"),
                None,
            )
            .await;
        let cur = &first["next_cursor"];
        assert!(cur.is_object(), "{first}");
        let q = format!(
            "cursor_table={}&cursor_kind={}&cursor_name={}&cursor_script={}",
            enc(cur["table_path"].as_str().unwrap_or("")),
            enc(cur["kind"].as_str().unwrap_or("")),
            enc(cur["name"].as_str().unwrap_or("")),
            enc(cur["script_path"].as_str().unwrap_or("")),
        );
        let second = c
            .call(
                "listDataMetrics",
                &format!("{w}/data_metrics/list?per_page=1&{q}"),
                None,
            )
            .await;
        assert_ne!(first["metrics"], second["metrics"]);
        assert_eq!(second["metrics"].as_array().map(Vec::len), Some(1));
    }
    if c.spec.ops.contains_key("updateScript") {
        let hash = c
            .call(
                "updateScript",
                &format!("{w}/scripts/update/f/folder/my_script"),
                Some(json!({"path": "f/folder/my_script", "summary": "v2", "description": "", "content": "def main():\n    return 2\n", "language": "python3"})),
            )
            .await;
        let s = c
            .call(
                "getScriptByPath",
                &format!("{w}/scripts/get/p/f/folder/my_script"),
                None,
            )
            .await;
        assert_eq!(s["hash"], hash);
        assert_eq!(s["summary"], json!("v2"));
    }

    // every x-mcp-tool operation was exercised
    let missing: Vec<String> = c.spec.mcp_ops().difference(&c.called).cloned().collect();
    assert!(
        missing.is_empty(),
        "x-mcp-tool operations not exercised: {missing:?}"
    );
}

#[tokio::test]
async fn run_wait_result_by_path_answers_the_result_or_422() {
    let mut c = checker(Spec::load()).await;
    let ok = c
        .call(
            "runWaitResultScriptByPath",
            "/w/demo/jobs/run_wait_result/p/u/admin/hello",
            Some(json!({"name": "Bob"})),
        )
        .await;
    assert_eq!(ok, json!({"name": "Bob"}));
    let a = send(
        &c.http,
        &c.fake,
        "POST",
        "/w/demo/jobs/run_wait_result/p/f/folder/always_fail",
        Some(TOKEN_ALICE),
        Some(&json!({})),
    )
    .await;
    assert_eq!(
        (a.status, a.mime.as_str()),
        (422, "application/json"),
        "{}",
        a.text
    );
    let err = a.json.expect("json");
    assert_eq!(err["error"]["name"], json!("ExecutionErr"));
    assert_eq!(err["error"]["exit_code"], json!(3));
    assert!(err["error"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("exit code for \"bash run\": 3")));
    // the failed run is recorded as a completed, unsuccessful job
    let jobs = send(
        &c.http,
        &c.fake,
        "GET",
        "/w/demo/jobs/list?script_path_exact=f%2Ffolder%2Falways_fail&success=false",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(jobs.json.and_then(|j| j.as_array().map(Vec::len)), Some(2));
}

// -------------------------------------------------------------------------------------------
// Behaviours
// -------------------------------------------------------------------------------------------

#[tokio::test]
async fn auth_errors_look_like_windmill() {
    let fake = windmill_fake::start().await;
    let http = client();
    let list = "/w/demo/scripts/list";
    for token in [None, Some("nope"), Some(TOKEN_BOB)] {
        let a = send(&http, &fake, "GET", list, token, None).await;
        assert_eq!(
            (a.status, a.mime.as_str(), a.text.as_str()),
            (401, "text/plain", "Not authorized: Unauthorized")
        );
    }
    // scoped tokens
    let cases = [
        (TOKEN_MCP_ONLY, "GET", list, "scripts:read"),
        (
            TOKEN_MCP_ONLY,
            "GET",
            "/w/demo/variables/list",
            "variables:read",
        ),
        (
            TOKEN_MCP_ONLY,
            "DELETE",
            "/w/demo/variables/delete/f/folder/api_url",
            "variables:delete",
        ),
        (
            TOKEN_MCP_ONLY,
            "POST",
            "/w/demo/jobs/run/p/f/folder/my_script",
            "jobs:run:scripts",
        ),
        (
            TOKEN_MCP_ONLY,
            "POST",
            "/w/demo/jobs/run/f/f/folder/my_flow",
            "jobs:run:flows",
        ),
        (TOKEN_MCP_ONLY, "GET", "/w/demo/jobs_u/get/x", "jobs:read"),
        (TOKEN_MCP_ONLY, "GET", "/workers/list", "workers:read"),
        (
            TOKEN_SCRIPTS_READ,
            "POST",
            "/w/demo/jobs/run/p/f/folder/my_script",
            "jobs:run:scripts",
        ),
    ];
    for (token, method, path, scope) in cases {
        let a = send(&http, &fake, method, path, Some(token), None).await;
        assert_eq!(a.status, 403, "{method} {path}");
        assert_eq!(a.text, format!("Access denied. Required scope: {scope}"));
    }
    let a = send(&http, &fake, "GET", list, Some(TOKEN_SCRIPTS_READ), None).await;
    assert_eq!(a.status, 200);
    // version and openapi.json need no token
    assert_eq!(
        send(&http, &fake, "GET", "/version", None, None)
            .await
            .status,
        200
    );
    let spec = send(&http, &fake, "GET", "/openapi.json", None, None).await;
    assert_eq!((spec.status, spec.mime.as_str()), (200, "application/json"));
    assert_eq!(
        spec.text.as_bytes(),
        std::fs::read(SPEC_PATH).expect("spec").as_slice()
    );
    // bob sees his own workspace
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/other/scripts/list",
        Some(TOKEN_BOB),
        None,
    )
    .await;
    assert_eq!(a.json.and_then(|j| j.as_array().map(Vec::len)), Some(2));
}

#[tokio::test]
async fn client_errors_look_like_windmill() {
    let fake = windmill_fake::start().await;
    let http = client();
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/get/p/f/folder/nope",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!((a.status, a.mime.as_str()), (404, "text/plain"));
    assert_eq!(a.text, "Not found: Script not found at name f/folder/nope");
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/jobs_u/get/00000000-0000-0000-0000-000000000000",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    // invalid JSON, wrong shape, wrong content type
    let url = format!("{}/w/demo/variables/create", fake.api_url());
    let r = http
        .post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let a = send(
        &http,
        &fake,
        "POST",
        "/w/demo/variables/create",
        Some(TOKEN_ALICE),
        Some(&json!({"path": "f/folder/x"})),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("missing field"), "{}", a.text);
    let r = http
        .post(&url)
        .bearer_auth(TOKEN_ALICE)
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 415);
    let a = send(
        &http,
        &fake,
        "POST",
        "/w/demo/scripts/create",
        Some(TOKEN_ALICE),
        Some(&json!({"path": "f/folder/x", "summary": "", "content": "", "language": "cobol"})),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    // updating a script without its parent hash
    let a = send(&http, &fake, "POST", "/w/demo/scripts/create", Some(TOKEN_ALICE), Some(&json!({"path": "f/folder/my_script", "summary": "", "content": "x", "language": "python3"}))).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a
        .text
        .starts_with("Bad request: Path conflict for f/folder/my_script"));
    // query parameters
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/list?per_page=many",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 400);
    // a 5-field cron is refused (Windmill wants seconds)
    let a = send(&http, &fake, "POST", "/w/demo/schedules/create", Some(TOKEN_ALICE), Some(&json!({"path": "f/folder/s", "schedule": "0 * * * *", "timezone": "UTC", "script_path": "f/folder/my_script", "is_flow": false, "args": {}}))).await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn lists_page_and_filter() {
    let fake = windmill_fake::start().await;
    let http = client();
    let get = |path: &'static str| {
        let (http, fake) = (&http, &fake);
        async move {
            let a = send(http, fake, "GET", path, Some(TOKEN_ALICE), None).await;
            assert_eq!(a.status, 200, "{path}: {}", a.text);
            a.json.expect("json")
        }
    };
    let paths = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["path"].as_str().map(str::to_string))
            .collect()
    };
    let all = paths(&get("/w/demo/scripts/list").await);
    assert_eq!(
        all,
        [
            "f/folder/with_resource",
            "f/folder/always_fail",
            "u/admin/hello",
            "f/folder/my_script"
        ]
    );
    assert_eq!(
        paths(&get("/w/demo/scripts/list?per_page=1&page=2").await),
        [all[1].clone()]
    );
    assert_eq!(
        paths(&get("/w/demo/scripts/list?order_desc=false&per_page=1").await),
        ["f/folder/my_script"]
    );
    assert_eq!(
        paths(&get("/w/demo/scripts/list?path_start=u%2F").await),
        ["u/admin/hello"]
    );
    let archived = get("/w/demo/scripts/list?show_archived=true").await;
    assert_eq!(archived[0]["hash"], json!(HASH_HELLO_OLD));
    // secrets are hidden in lists, shown by getVariable unless decrypt_secret=false
    let vars = get("/w/demo/variables/list").await;
    let secret = vars
        .as_array()
        .and_then(|a| a.iter().find(|v| v["path"] == "f/folder/db_password"))
        .cloned();
    assert!(secret.is_some_and(|s| s.get("value").is_none()));
    let v = get("/w/demo/variables/get/f/folder/db_password?decrypt_secret=false").await;
    assert!(v.get("value").is_none());
    assert_eq!(
        paths(&get("/w/demo/schedules/list?is_flow=true").await),
        ["f/folder/hourly_flow"]
    );
}

#[tokio::test]
async fn records_raw_requests() {
    let fake = windmill_fake::start().await;
    let http = client();
    fake.clear_requests();
    send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/get/p/f/folder/my_script?with_starred_info=true",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    // percent-encoded slashes reach the handler decoded, and are recorded as sent
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/get/p/f%2Ffolder%2Fmy_script",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    send(
        &http,
        &fake,
        "POST",
        "/w/demo/jobs/run/p/u/admin/hello",
        Some(TOKEN_ALICE),
        Some(&json!({"name": "x"})),
    )
    .await;
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, "/api/w/demo/scripts/get/p/f/folder/my_script");
    assert_eq!(reqs[0].query.as_deref(), Some("with_starred_info=true"));
    assert_eq!(reqs[0].token.as_deref(), Some(TOKEN_ALICE));
    assert_eq!(
        reqs[1].path,
        "/api/w/demo/scripts/get/p/f%2Ffolder%2Fmy_script"
    );
    assert_eq!(reqs[2].content_type.as_deref(), Some("application/json"));
    assert_eq!(reqs[2].json, Some(json!({"name": "x"})));
    assert_eq!(fake.requests_matching("post", "/jobs/run/").len(), 1);
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn injections_and_delays() {
    let fake = windmill_fake::start().await;
    let http = client();
    fake.fail_next("/scripts/list", 503, "upstream unavailable");
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/list",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!((a.status, a.text.as_str()), (503, "upstream unavailable"));
    let a = send(
        &http,
        &fake,
        "GET",
        "/w/demo/scripts/list",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    fake.inject(
        Injection::fail_json("/jobs/run/", 500, &json!({"error": "boom"}))
            .method("POST")
            .times(2),
    );
    for _ in 0..2 {
        let a = send(
            &http,
            &fake,
            "POST",
            "/w/demo/jobs/run/p/u/admin/hello",
            Some(TOKEN_ALICE),
            None,
        )
        .await;
        assert_eq!((a.status, a.mime.as_str()), (500, "application/json"));
    }
    let a = send(
        &http,
        &fake,
        "POST",
        "/w/demo/jobs/run/p/u/admin/hello",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 201);
    fake.inject(Injection::delay("/version", Duration::from_millis(300)));
    let t = std::time::Instant::now();
    assert_eq!(
        send(&http, &fake, "GET", "/version", None, None)
            .await
            .status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn queued_jobs_complete_after_polls() {
    let fake = windmill_fake::start().await;
    let http = client();
    fake.state().job_pending_polls = 2;
    let id = send(
        &http,
        &fake,
        "POST",
        "/w/demo/jobs/run/p/f/folder/my_script",
        Some(TOKEN_ALICE),
        Some(&json!({"a": 5})),
    )
    .await
    .text;
    let queue = send(
        &http,
        &fake,
        "GET",
        "/w/demo/jobs/queue/list",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert!(queue.json.is_some_and(|q| q
        .as_array()
        .is_some_and(|a| a.iter().any(|j| j["id"] == json!(id)))));
    let poll = |id: String| {
        let (http, fake) = (&http, &fake);
        async move {
            send(
                http,
                fake,
                "GET",
                &format!("/w/demo/jobs_u/get/{id}"),
                Some(TOKEN_ALICE),
                None,
            )
            .await
            .json
            .expect("json")
        }
    };
    let j = poll(id.clone()).await;
    assert_eq!(
        (j["type"].as_str(), j["running"].as_bool()),
        (Some("QueuedJob"), Some(true))
    );
    let j = poll(id.clone()).await;
    assert_eq!(j["type"], json!("CompletedJob"));
    assert_eq!(j["result"], json!({"a": 5}));
    let job = fake
        .state()
        .workspace("demo")
        .and_then(|w| w.job(&id).cloned())
        .expect("job in state");
    assert!(job.completed && job.success);
}

#[tokio::test]
async fn custom_state_and_openapi_path() {
    let dir = std::env::temp_dir().join(format!("fake-wm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join("openapi.json");
    std::fs::write(&file, br#"{"openapi":"3.0.3"}"#).expect("write");
    let mut st = FakeState::seeded();
    st.openapi_json_path = file.clone();
    st.version = "EE v1.999.0".into();
    let fake = windmill_fake::start_with(st).await;
    let http = client();
    assert_eq!(
        send(&http, &fake, "GET", "/openapi.json", None, None)
            .await
            .text,
        r#"{"openapi":"3.0.3"}"#
    );
    assert_eq!(
        send(&http, &fake, "GET", "/version", None, None).await.text,
        "EE v1.999.0"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_input_gets_a_client_error_not_a_crash() {
    let fake = windmill_fake::start().await;
    let http = client();
    let api = fake.api_url();
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/w/demo/scripts/get/p/%FF%FE", None),
        ("GET", "/w/demo/scripts/get/p/f/%2E%2E/%2E%2E/etc", None),
        ("GET", "/w/demo/scripts/list?page=0&per_page=0", None),
        (
            "GET",
            "/w/demo/scripts/list?per_page=99999999999999999999999",
            None,
        ),
        (
            "GET",
            "/w/demo/scripts/list?%ZZ=1&show_archived=maybe",
            None,
        ),
        ("GET", "/w/demo/jobs/list?success=yes", None),
        ("GET", "/docs/page?url=", None),
        ("GET", "/docs/search?query=", None),
        ("GET", "/docs/page?url=nowhere&section=x", None),
        ("GET", "/w/nowhere/scripts/list", None),
        ("GET", "/unknown/route", None),
        ("DELETE", "/w/demo/scripts/list", None),
        ("POST", "/w/demo/variables/create", Some("[]")),
        ("POST", "/w/demo/variables/create", Some("null")),
        ("POST", "/w/demo/variables/create", Some(r#"{"path": 1}"#)),
        (
            "POST",
            "/w/demo/variables/create",
            Some(r#"{"path": "../x", "value": "", "is_secret": false, "description": ""}"#),
        ),
        (
            "POST",
            "/w/demo/variables/update/f/folder/api_url",
            Some(r#"{"path": "nope"}"#),
        ),
        ("POST", "/w/demo/jobs/run/p/f/folder/my_script", Some("[1]")),
        ("POST", "/w/demo/jobs/run/p/f/folder/my_script", Some("nul")),
        (
            "POST",
            "/w/demo/jobs/run_wait_result/preview",
            Some(r#"{"args": []}"#),
        ),
        (
            "POST",
            "/w/demo/jobs/run_wait_result/preview",
            Some(r#"{"args": {}, "language": "cobol"}"#),
        ),
        (
            "POST",
            "/w/demo/schedules/create",
            Some(
                r#"{"path": "f/folder/s", "schedule": "0 0 * * * *", "timezone": "UTC", "script_path": "f/folder/my_script", "is_flow": false, "args": "x"}"#,
            ),
        ),
        (
            "POST",
            "/w/demo/schedules/create",
            Some(
                r#"{"path": "f/folder/s", "schedule": "0 0 * * * *", "timezone": "UTC", "script_path": "f/folder/nope", "is_flow": false, "args": {}}"#,
            ),
        ),
        (
            "POST",
            "/w/demo/flows/create",
            Some(r#"{"path": "f/folder/x", "summary": "", "value": {}}"#),
        ),
        ("POST", "/w/demo/scripts/delete/h/nope", None),
        ("GET", "/w/demo/jobs_u/get_logs/nope", None),
    ];
    for (method, path, body) in cases {
        for token in [TOKEN_ALICE, windmill_fake::TOKEN_ADMIN] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = http
                .request(method.clone(), format!("{api}{path}"))
                .bearer_auth(token);
            if let Some(b) = body {
                req = req
                    .header("content-type", "application/json")
                    .body(b.to_string());
            }
            let resp = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            assert!(status < 500, "{method} {path} {body:?}: {status} {text}");
        }
    }
    // an injected status that is not a status code becomes a 500, and the fake lives on
    fake.fail_next("/version", 1000, "nonsense");
    assert_eq!(
        send(&http, &fake, "GET", "/version", None, None)
            .await
            .status,
        500
    );
    assert_eq!(
        send(&http, &fake, "GET", "/version", None, None)
            .await
            .status,
        200
    );
}

/// The routes the workspace tools use beyond the curated set (result polling, cancel, and the
/// listings with per-user visibility) answer what the spec documents.
#[tokio::test]
async fn job_polling_cancel_and_visibility_conform() {
    let mut c = checker(Spec::load()).await;
    c.fake.state().job_pending_polls = u32::MAX;
    let id = c
        .call(
            "runScriptByPath",
            "/w/demo/jobs/run/p/f/folder/my_script",
            Some(json!({"a": 1})),
        )
        .await;
    let id = id.as_str().expect("job id text").to_owned();
    let r = c
        .call(
            "getCompletedJobResultMaybe",
            &format!("/w/demo/jobs_u/completed/get_result_maybe/{id}?get_started=true"),
            None,
        )
        .await;
    assert_eq!(r["completed"], json!(false));
    c.call(
        "cancelQueuedJob",
        &format!("/w/demo/jobs_u/queue/cancel/{id}"),
        Some(json!({"reason": "test"})),
    )
    .await;
    let r = c
        .call(
            "getCompletedJobResultMaybe",
            &format!("/w/demo/jobs_u/completed/get_result_maybe/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (r["completed"].clone(), r["success"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(r["result"]["error"]["name"], json!("Canceled"));

    // A script only bob may see is neither listed nor readable for alice.
    {
        let mut st = c.fake.state();
        let ws = st.workspaces.get_mut("demo").expect("demo");
        let s = ws
            .scripts
            .iter_mut()
            .rev()
            .find(|s| s.path == "f/folder/my_script")
            .expect("seeded");
        s.visible_to = Some(vec!["bob".into()]);
    }
    let list = c
        .call("listScripts", "/w/demo/scripts/list?per_page=100", None)
        .await;
    assert!(!list
        .as_array()
        .expect("array")
        .iter()
        .any(|s| s["path"] == json!("f/folder/my_script")));
    let a = send(
        &c.http,
        &c.fake,
        "GET",
        "/w/demo/scripts/get/p/f/folder/my_script",
        Some(TOKEN_ALICE),
        None,
    )
    .await;
    assert_eq!(a.status, 404);
}
