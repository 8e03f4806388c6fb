//! Windmill's own tool names and the two shapes of an operation (issue 13), over a registry lowered
//! at run time from v1.795.0 (so these run whatever spec the binary is compiled from), and
//! wildcard path values reaching the fake Windmill intact.
//!
//! * `createApp` means what the connection's listing shows: in `curated` it is createAppRawSource
//!   (`x-mcp-tool-name`, as in Windmill's own server); with `--tools all` and through
//!   `call_endpoint` it is the operation whose operationId is `createApp`.
//! * The curated listing keeps Windmill's curated shape; every other way in has every parameter.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use common::mcp::{call, client_config, connect, install_crypto, settings, text_of};
use percent_encoding::percent_decode_str;
use rmcp::model::{CallToolRequestParams, ClientConfig, ProtocolVersion};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{json, Value};
use windmill_fake::{self as fw, TOKEN_ALICE};
use windmill_mcp::config::{Settings, SpecSource};
use windmill_mcp::endpoints::{Registry, Selection};
use windmill_mcp::http::HttpOptions;
use windmill_mcp::mcp::Shared;

fn spec(version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi")
        .join(version)
        .join("backend/windmill-api/openapi.yaml")
}

/// v1.795.0, lowered once with the codegen library.
static V1_795: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    let (api, _) = windmill_mcp_codegen::read_api(&spec("v1.795.0")).expect("v1.795.0 lowers");
    Arc::new(Registry::from_api(&api, "v1.795.0 (test)"))
});

async fn serve_registry(settings: Settings, registry: Arc<Registry>) -> String {
    install_crypto();
    let shared = Shared::with_registry(settings, registry).expect("settings");
    let app = windmill_mcp::http::app(shared, HttpOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/api/mcp/w/demo/mcp")
}

fn props(schema: &Value) -> Vec<String> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn create_app_has_two_meanings_in_the_registry() {
    let r = &*V1_795;
    let curated = r
        .named(&Selection::Curated, "createApp")
        .expect("curated createApp");
    assert_eq!(curated.endpoint.name, "createAppRawSource");
    assert!(curated.endpoint.path.ends_with("/apps/create_raw_source"));
    let op = r
        .named(&Selection::All, "createApp")
        .expect("operation createApp");
    assert_eq!(op.endpoint.name, "createApp");
    assert!(op.endpoint.path.ends_with("/apps/create"));
    assert_eq!(
        r.curated_alias("createApp")
            .map(|e| e.endpoint.name.as_str()),
        Some("createAppRawSource")
    );
    // The raw-source operation under its operationId carries its curated name.
    let raw = r.get("createAppRawSource").expect("createAppRawSource");
    assert_eq!(raw.endpoint.curated_name.as_deref(), Some("createApp"));
    // Windmill's curated names: createApp, updateApp, updateScript, listDataMetrics.
    let names: Vec<&str> = r.curated().iter().map(|e| e.name()).collect();
    for n in ["createApp", "updateApp", "updateScript", "listDataMetrics"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // The description is Windmill's x-mcp-tool-description when it gives one (createScript).
    let described = r.get_curated("createScript").expect("curated createScript");
    let text = described.tool.description.as_deref().unwrap_or("");
    assert!(
        text.starts_with("Creates a script at a path that does not already hold one."),
        "{text}"
    );
    assert_ne!(
        described.tool.description,
        r.get("createScript")
            .expect("createScript")
            .tool
            .description
    );
}

/// Issue 13 on the default build (compiled from v1.795.0): 832 tools for its 832 operations, the
/// curated set under Windmill's names (`createApp`, `updateApp`, `updateScript`,
/// `listDataMetrics`) with Windmill's `x-mcp-tool-description`s, and every tool exactly as v1.795.0
/// lowered at run time gives it.
#[test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "the default build is compiled from Windmill v1.795.0"
)]
fn the_default_build_serves_v1_795_0() {
    let compiled = Registry::compiled();
    let (api, loaded) = windmill_mcp_codegen::read_api(&spec("v1.795.0")).expect("v1.795.0 lowers");
    assert_eq!(api.operations.len(), 832);
    assert_eq!(compiled.all().len(), 832);
    assert_eq!(compiled.select(&Selection::All).count(), 832);
    assert_eq!(compiled.curated().len(), 42);
    let names: Vec<&str> = compiled.curated().iter().map(|e| e.name()).collect();
    for n in ["createApp", "updateApp", "updateScript", "listDataMetrics"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    for (name, op) in [
        ("createApp", "createAppRawSource"),
        ("updateApp", "updateAppRawSource"),
    ] {
        let e = compiled.get_curated(name).expect(name);
        assert_eq!(e.endpoint.name, op);
        assert_eq!(e.tool.name, name);
        assert_eq!(e.listed.name, name);
    }
    // Every `x-mcp-tool-description` of the spec is the description its curated tool is listed with.
    let mut described = 0;
    for item in loaded.doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            let Some(text) = op.get("x-mcp-tool-description").and_then(Value::as_str) else {
                continue;
            };
            let id = op["operationId"].as_str().expect("operationId");
            let e = compiled
                .curated()
                .iter()
                .find(|e| e.endpoint.name == id)
                .unwrap_or_else(|| panic!("{id} is not curated"));
            let got = e.tool.description.as_deref().unwrap_or("");
            assert!(
                got.starts_with(text.trim()),
                "{id}: listed with {got:?}, Windmill describes it as {text:?}"
            );
            described += 1;
        }
    }
    assert!(described >= 1, "v1.795.0 has x-mcp-tool-description marks");
    // The compiled registry and v1.795.0 lowered at run time give the same tools.
    let lowered = &*V1_795;
    assert_eq!(lowered.all().len(), compiled.all().len());
    let as_json = |t: &rmcp::model::Tool| serde_json::to_value(t).expect("a tool serializes");
    for (a, b) in compiled.all().iter().zip(lowered.all()) {
        assert_eq!(a.name(), b.name());
        assert_eq!(as_json(&a.tool), as_json(&b.tool), "{}", a.name());
        assert_eq!(as_json(&a.listed), as_json(&b.listed), "{}", a.name());
    }
    assert_eq!(lowered.curated().len(), compiled.curated().len());
    for (a, b) in compiled.curated().iter().zip(lowered.curated()) {
        assert_eq!(a.name(), b.name());
        assert_eq!(as_json(&a.tool), as_json(&b.tool), "curated {}", a.name());
        assert_eq!(
            as_json(&a.listed),
            as_json(&b.listed),
            "curated {}",
            a.name()
        );
    }
}

#[test]
fn every_operation_form_has_every_declared_parameter() {
    let r = &*V1_795;
    let (api, _) = windmill_mcp_codegen::read_api(&spec("v1.795.0")).expect("v1.795.0 lowers");
    let mut narrower = 0;
    for e in r.curated() {
        let full = r.get(&e.endpoint.name).expect("operation form");
        let op = api
            .operations
            .iter()
            .find(|o| o.name == e.endpoint.name)
            .expect("lowered op");
        let full_props = props(&Value::Object((*full.tool.input_schema).clone()));
        for p in &op.params {
            if !(p.location == windmill_mcp_codegen::ir::Location::Path
                && p.wire_name == "workspace")
            {
                assert!(
                    full_props.contains(&p.arg_name),
                    "{}: `{}` missing from the operation form",
                    op.name,
                    p.arg_name
                );
            }
        }
        let curated_props = props(&Value::Object((*e.tool.input_schema).clone()));
        assert!(curated_props.iter().all(|p| full_props.contains(p)));
        if curated_props.len() < full_props.len() {
            narrower += 1;
        }
    }
    assert!(
        narrower > 5,
        "the curated shape leaves some out ({narrower})"
    );
    let has = |tool: &str, arg: &str| {
        props(&Value::Object(
            (*r.get(tool).expect(tool).tool.input_schema).clone(),
        ))
        .contains(&arg.to_owned())
    };
    assert!(has("getAppByPath", "get_draft"));
    assert!(has("runScriptByPath", "tag"));
    assert!(has("runScriptByPath", "scheduled_for"));
}

#[tokio::test]
async fn create_app_reaches_the_operation_its_listing_names() {
    let fake = fw::start().await;
    // Curated: `createApp` is createAppRawSource, in Windmill's curated shape.
    let url = serve_registry(settings(&fake.base_url), V1_795.clone()).await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let listed = tools
        .iter()
        .find(|t| t.name == "createApp")
        .expect("createApp listed");
    let listed_props = props(&Value::Object((*listed.input_schema).clone()));
    assert!(!listed_props.contains(&"preserve_on_behalf_of".to_owned()));
    assert!(!tools.iter().any(|t| t.name == "createAppRawSource"));
    let args = json!({
        "path": "f/apps/demo",
        "summary": "demo",
        "value": {"files": {"/index.tsx": "export default 1"}},
        "policy": {},
    });
    let r = call(&client, "createApp", args.clone()).await;
    let sent = fake.requests_matching("POST", "/apps/create");
    assert_eq!(sent.len(), 1, "{}", text_of(&r));
    assert!(sent[0].path.ends_with("/w/demo/apps/create_raw_source"));
    fake.clear_requests();
    // Through call_endpoint, names are operationIds: `createApp` is the low-code operation, and
    // the answer says so.
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "createApp", "arguments": {"path": "f/apps/low", "value": {}, "summary": "", "policy": {}}}),
    )
    .await;
    let sent = fake.requests_matching("POST", "/apps/create");
    assert_eq!(sent.len(), 1, "{}", text_of(&r));
    assert!(sent[0].path.ends_with("/w/demo/apps/create"));
    assert!(
        text_of(&r).contains("createAppRawSource"),
        "{}",
        text_of(&r)
    );
    let _ = client.cancel().await;
    fake.clear_requests();

    // --tools all: `createApp` is the operation of that id, with every parameter.
    let mut all = settings(&fake.base_url);
    all.selection = Selection::All;
    let url = serve_registry(all, V1_795.clone()).await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    for (tool, arg) in [
        ("getAppByPath", "get_draft"),
        ("runScriptByPath", "tag"),
        ("runScriptByPath", "scheduled_for"),
    ] {
        let t = tools.iter().find(|t| t.name == tool).expect(tool);
        assert!(
            props(&Value::Object((*t.input_schema).clone())).contains(&arg.to_owned()),
            "{tool} lacks {arg} with --tools all"
        );
    }
    assert!(tools.iter().any(|t| t.name == "createAppRawSource"));
    let r = call(
        &client,
        "createApp",
        json!({"path": "f/apps/low", "value": {}, "summary": "", "policy": {}}),
    )
    .await;
    let sent = fake.requests_matching("POST", "/apps/create");
    assert_eq!(sent.len(), 1, "{}", text_of(&r));
    assert!(sent[0].path.ends_with("/w/demo/apps/create"));
    let _ = client.cancel().await;
}

/// The five wildcard operations: values with `/` reach Windmill's route intact, hostile ones are
/// refused before anything is sent.
async fn wildcards_reach_the_fake(registry: Arc<Registry>) {
    let fake = fw::start().await;
    let mut all = settings(&fake.base_url);
    all.selection = Selection::All;
    let url = serve_registry(all, registry).await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let cases = [
        (
            "getNpmPackageMetadata",
            json!({"package": "@types/node"}),
            "/api/w/demo/npm_proxy/metadata/@types/node",
        ),
        (
            "resolveNpmPackageVersion",
            json!({"package": "@types/node"}),
            "/api/w/demo/npm_proxy/resolve/@types/node",
        ),
        (
            "getNpmPackageFiletree",
            json!({"package": "@types/node", "version": "20.1.0"}),
            "/api/w/demo/npm_proxy/filetree/@types/node/20.1.0",
        ),
        (
            "getNpmPackageFile",
            json!({"package": "@types/node", "version": "20.1.0", "filepath": "fp/map.js"}),
            "/api/w/demo/npm_proxy/file/@types/node/20.1.0/fp/map.js",
        ),
        (
            "deleteConcurrencyGroup",
            json!({"concurrency_id": "demo/script/f/folder/x"}),
            "/api/concurrency_groups/prune/demo/script/f/folder/x",
        ),
    ];
    for (tool, args, want) in cases {
        fake.clear_requests();
        let r = call(&client, tool, args).await;
        let sent = fake.requests();
        assert_eq!(sent.len(), 1, "{tool}: {}", text_of(&r));
        let path = percent_decode_str(&sent[0].path).decode_utf8_lossy();
        assert_eq!(path, want, "{tool}");
    }
    let hostile = [
        ("getNpmPackageMetadata", json!({"package": "a/b"})),
        ("getNpmPackageMetadata", json!({"package": "@a/../b"})),
        ("getNpmPackageMetadata", json!({"package": "@types/node/x"})),
        (
            "getNpmPackageFiletree",
            json!({"package": "@types/node", "version": "1/2"}),
        ),
        (
            "getNpmPackageFile",
            json!({"package": "@t/n", "version": "1", "filepath": "fp/../../../x"}),
        ),
        (
            "getNpmPackageFile",
            json!({"package": "@t/n", "version": "1", "filepath": "fp/x?y=1"}),
        ),
        (
            "getNpmPackageFile",
            json!({"package": "@t/n", "version": "1", "filepath": "/abs"}),
        ),
        ("deleteConcurrencyGroup", json!({"concurrency_id": "a//b"})),
        (
            "deleteConcurrencyGroup",
            json!({"concurrency_id": "a/%2e%2e/b"}),
        ),
        ("deleteConcurrencyGroup", json!({"concurrency_id": "a/b#c"})),
    ];
    fake.clear_requests();
    for (tool, args) in hostile {
        let r = call(&client, tool, args.clone()).await;
        assert_eq!(r.is_error, Some(true), "{tool} {args}: {}", text_of(&r));
        assert!(
            text_of(&r).contains("othing was sent"),
            "{tool} {args}: {}",
            text_of(&r)
        );
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    let _ = client.cancel().await;
}

#[tokio::test]
async fn wildcard_values_reach_windmill_intact_with_a_lowered_spec() {
    wildcards_reach_the_fake(V1_795.clone()).await;
}

#[tokio::test]
#[cfg_attr(
    any(windmill_spec = "1.107.0", windmill_spec = "1.520.1"),
    ignore = "v1.107.0 and v1.520.1 lack the npm proxy operations"
)]
async fn wildcard_values_reach_windmill_intact_with_the_compiled_spec() {
    wildcards_reach_the_fake(Registry::compiled().clone()).await;
}

/// `--spec live`: the tools of the document the connected Windmill serves (v1.740.0 here), with
/// request building interpreted from it; `--spec compiled` keeps the compiled ones.
#[tokio::test]
async fn a_live_spec_serves_the_connected_windmills_operations() {
    let fake = fw::start().await;
    fake.state().version = "CE v1.740.0".to_owned();
    let mut s = settings(&fake.base_url);
    s.selection = Selection::All;
    s.spec = SpecSource::Compiled;
    let compiled = windmill_mcp::mcp::resolve_registry(&s).await;
    assert!(Arc::ptr_eq(&compiled, Registry::compiled()));
    s.spec = SpecSource::Live;
    let start = std::time::Instant::now();
    let live = windmill_mcp::mcp::resolve_registry(&s).await;
    eprintln!(
        "live spec read and lowered in {:?} (debug build)",
        start.elapsed()
    );
    assert_eq!(live.spec().version, "1.740.0");
    assert!(live.get("editDeployTo").is_some());
    assert!(live.get("listDataMetrics").is_none());
    // `auto`: the running version differs from the compiled one only when it is not v1.740.0.
    s.spec = SpecSource::Auto;
    let auto = windmill_mcp::mcp::resolve_registry(&s).await;
    assert_eq!(auto.spec().version, "1.740.0");

    s.spec = SpecSource::Live;
    let url = serve_registry(s, live).await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "editDeployTo"));
    assert!(!tools.iter().any(|t| t.name == "listDataMetrics"));
    fake.clear_requests();
    let r = call(&client, "editDeployTo", json!({"deploy_to": "prod"})).await;
    let sent = fake.requests_matching("POST", "/workspaces/edit_deploy_to");
    assert_eq!(sent.len(), 1, "{}", text_of(&r));
    assert_eq!(sent[0].path, "/api/w/demo/workspaces/edit_deploy_to");
    let body: Value = serde_json::from_slice(&sent[0].body).expect("JSON body");
    assert_eq!(body, json!({"deploy_to": "prod"}));
    let _ = client.cancel().await;
}

#[tokio::test]
async fn an_unreadable_live_spec_leaves_the_compiled_tools() {
    let mut s = settings("http://127.0.0.1:9");
    s.spec = SpecSource::Live;
    let r = windmill_mcp::mcp::resolve_registry(&s).await;
    assert!(Arc::ptr_eq(&r, Registry::compiled()));
}

// Following a Windmill upgraded while the server runs (`--spec live`/`auto` with
// `--spec-poll-interval`).

/// A client that counts `notifications/tools/list_changed` and lets a test await the next one.
#[derive(Clone, Default)]
struct ListChanges {
    count: Arc<AtomicUsize>,
    arrived: Arc<tokio::sync::Notify>,
}

impl ClientHandler for ListChanges {
    fn get_info(&self) -> ClientConfig {
        client_config(ProtocolVersion::V_2025_11_25)
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.arrived.notify_one();
    }
}

impl ListChanges {
    /// Waits for the next notification (or one that came since the last wait).
    async fn next(&self, within: Duration) {
        tokio::time::timeout(within, self.arrived.notified())
            .await
            .expect("notifications/tools/list_changed");
    }
}

/// The served v1.740.0 document, as a fake Windmill answers `/api/openapi.json`.
fn served_v1_740() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi/served-v1.740.0/openapi.json")
}

/// A file of this test process's own (removed by the caller's `TempFile`).
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "windmill-mcp-versions-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, bytes).expect("write temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// v1.795.0 as one JSON document, as a Windmill of that version would serve it.
fn served_v1_795() -> TempFile {
    let loaded = windmill_mcp_codegen::load::load(&spec("v1.795.0")).expect("v1.795.0 loads");
    TempFile::new(
        "v1.795.0.json",
        &serde_json::to_vec(&loaded.doc).expect("JSON"),
    )
}

/// A server started as `serve` starts it (`Shared::for_spec`: the spec read at start, then the
/// version followed), with a client that records list changes.
async fn serve_following(
    fake: &fw::FakeWindmill,
    source: SpecSource,
) -> (
    Arc<Shared>,
    RunningService<RoleClient, ListChanges>,
    ListChanges,
) {
    install_crypto();
    let mut s = settings(&fake.base_url);
    s.selection = Selection::All;
    s.page_size = 2000;
    s.spec = source;
    s.spec_poll_interval = Duration::from_millis(200);
    let shared = Shared::for_spec(s).await.expect("settings");
    let app = windmill_mcp::http::app(shared.clone(), HttpOptions::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let cfg =
        StreamableHttpClientTransportConfig::with_uri(format!("http://{addr}/api/mcp/w/demo/mcp"))
            .auth_header(TOKEN_ALICE.to_owned());
    let rec = ListChanges::default();
    let client = rec
        .clone()
        .serve(StreamableHttpClientTransport::from_config(cfg))
        .await
        .expect("MCP initialize");
    (shared, client, rec)
}

fn names(tools: &[rmcp::model::Tool]) -> BTreeSet<String> {
    tools.iter().map(|t| t.name.to_string()).collect()
}

fn registry_names(r: &Registry) -> BTreeSet<String> {
    r.all().iter().map(|e| e.name().to_owned()).collect()
}

/// Waits until the follower has polled `n` more times.
async fn spec_rounds(shared: &Shared, n: u64) {
    let from = shared.spec_rounds.count();
    tokio::time::timeout(Duration::from_secs(60), shared.spec_rounds.reach(from + n))
        .await
        .expect("the follower keeps polling");
}

/// The fake Windmill answering `/api/version` as v1.740.0 and serving that version's
/// `openapi.json`.
async fn fake_at_v1_740() -> fw::FakeWindmill {
    let fake = fw::start().await;
    {
        let mut st = fake.state();
        st.version = "CE v1.740.0".to_owned();
        st.openapi_json_path = served_v1_740();
    }
    fake
}

fn spec_fetches(fake: &fw::FakeWindmill) -> Vec<fw::Recorded> {
    fake.requests_matching("GET", "/api/openapi.json")
}

#[tokio::test]
async fn a_live_spec_follows_a_windmill_upgraded_while_serving() {
    let fake = fake_at_v1_740().await;
    let (shared, client, rec) = serve_following(&fake, SpecSource::Live).await;
    assert_eq!(shared.registry().spec().version, "1.740.0");
    let before = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert!(before.contains("editDeployTo"));
    assert!(!before.contains("listDataMetrics"));
    // Polls at the same version fetch nothing more.
    spec_rounds(&shared, 3).await;
    assert_eq!(spec_fetches(&fake).len(), 1);
    assert_eq!(rec.count.load(Ordering::SeqCst), 0);

    // Windmill is upgraded to v1.795.0.
    let v1_795 = served_v1_795();
    let upgraded = std::time::Instant::now();
    {
        let mut st = fake.state();
        st.openapi_json_path = v1_795.0.clone();
        st.version = "CE v1.795.0".to_owned();
    }
    rec.next(Duration::from_secs(90)).await;
    eprintln!(
        "version change to tools/list_changed: {:?} (poll interval 200 ms, debug build)",
        upgraded.elapsed()
    );
    let served = shared.registry();
    assert_eq!(served.spec().version, "1.795.0");
    let after = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert!(!after.contains("editDeployTo"));
    assert!(after.contains("listDataMetrics"));
    // Exactly v1.795.0's operations (`--tools all` lists no discovery tools).
    assert_eq!(after, registry_names(&V1_795));
    // Calls are resolved against the new tools.
    let gone = client
        .peer()
        .call_tool(
            CallToolRequestParams::new("editDeployTo").with_arguments(
                json!({"deploy_to": "prod"})
                    .as_object()
                    .cloned()
                    .expect("object"),
            ),
        )
        .await;
    assert!(gone.is_err(), "{gone:?}");
    // The spec was fetched once at start and once for the new version, without a token.
    spec_rounds(&shared, 3).await;
    let fetches = spec_fetches(&fake);
    assert_eq!(fetches.len(), 2);
    assert!(fetches.iter().all(|r| r.token.is_none()));
    assert_eq!(rec.count.load(Ordering::SeqCst), 1);
    let _ = client.cancel().await;
}

#[tokio::test]
async fn auto_serves_the_compiled_tools_again_when_windmill_reaches_the_compiled_version() {
    let fake = fake_at_v1_740().await;
    let compiled = Registry::compiled();
    assert_ne!(compiled.spec().version, "1.740.0");
    let (shared, client, rec) = serve_following(&fake, SpecSource::Auto).await;
    assert_eq!(shared.registry().spec().version, "1.740.0");
    let before = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert_eq!(before, registry_names(&shared.registry()));
    assert_ne!(before, registry_names(compiled));
    // Windmill is upgraded to the compiled version: the compiled tools, nothing fetched.
    fake.state().version = format!("CE v{}", compiled.spec().version);
    rec.next(Duration::from_secs(30)).await;
    assert!(Arc::ptr_eq(&shared.registry(), compiled));
    let after = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert_eq!(after, registry_names(compiled));
    assert_eq!(spec_fetches(&fake).len(), 1);
    let _ = client.cancel().await;
}

#[tokio::test]
async fn a_spec_that_cannot_be_read_after_an_upgrade_leaves_the_tools() {
    let fake = fake_at_v1_740().await;
    let (shared, client, rec) = serve_following(&fake, SpecSource::Live).await;
    let served = shared.registry();
    assert_eq!(served.spec().version, "1.740.0");
    let before = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert!(before.contains("editDeployTo"));

    // The new version's document arrives cut short (malformed JSON).
    let whole = std::fs::read(served_v1_740()).expect("served v1.740.0");
    let cut = TempFile::new("cut.json", &whole[..whole.len() / 2]);
    {
        let mut st = fake.state();
        st.openapi_json_path = cut.0.clone();
        st.version = "CE v1.741.0".to_owned();
    }
    fake.clear_requests();
    spec_rounds(&shared, 8).await;
    // Tried again less and less often (after 1, 2, 4 polls), not at every poll.
    let tries = spec_fetches(&fake).len();
    assert!((1..=4).contains(&tries), "{tries} fetches in 8 polls");
    // The tools stay, still callable, and the client was told nothing.
    assert!(Arc::ptr_eq(&shared.registry(), &served));
    client
        .peer()
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .expect("ping");
    assert_eq!(rec.count.load(Ordering::SeqCst), 0);
    let still = names(&client.peer().list_all_tools().await.expect("tools/list"));
    assert_eq!(still, before);
    fake.clear_requests();
    let r = call(client.peer(), "editDeployTo", json!({"deploy_to": "prod"})).await;
    assert_eq!(
        fake.requests_matching("POST", "/workspaces/edit_deploy_to")
            .len(),
        1,
        "{}",
        text_of(&r)
    );

    // The next version serves a readable document with the same operations: it is served, and
    // since the tools are the same, nobody is told.
    {
        let mut st = fake.state();
        st.openapi_json_path = served_v1_740();
        st.version = "CE v1.742.0".to_owned();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while Arc::ptr_eq(&shared.registry(), &served) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "v1.742.0's document not served"
        );
        spec_rounds(&shared, 1).await;
    }
    assert_eq!(shared.registry().digest(), served.digest());
    spec_rounds(&shared, 2).await;
    client
        .peer()
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .expect("ping");
    assert_eq!(rec.count.load(Ordering::SeqCst), 0);
    let _ = client.cancel().await;
}
