//! End to end over real HTTP: rmcp's client → windmill-mcp (Streamable HTTP) → the fake Windmill.

mod common;

use std::collections::BTreeSet;

use common::mcp::{call, connect, serve, settings, text_of};
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use serde_json::{json, Value};
use windmill_fake::{self as fw, TOKEN_ALICE, TOKEN_BOB, TOKEN_MCP_ONLY};
use windmill_mcp::http::HttpOptions;

async fn setup() -> (fw::FakeWindmill, String) {
    let fake = fw::start().await;
    let addr = serve(settings(&fake.base_url), HttpOptions::default()).await;
    (fake, format!("http://{addr}/api/mcp/w/demo/mcp"))
}

#[tokio::test]
async fn initialize_reports_our_server_for_every_protocol_version() {
    let (_fake, url) = setup().await;
    for v in [
        ProtocolVersion::V_2024_11_05,
        ProtocolVersion::V_2025_03_26,
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_11_25,
    ] {
        let client = connect(&url, Some(TOKEN_ALICE), v.clone()).await;
        let info = client.peer_info().expect("server info");
        assert_eq!(info.protocol_version, v);
        let server = info.server_info.clone().expect("serverInfo");
        assert_eq!(server.name, "windmill-mcp");
        assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
        assert!(info
            .instructions
            .as_deref()
            .is_some_and(|i| i.contains("getScriptByPath")));
        assert!(info.capabilities.tools.is_some());
        let _ = client.cancel().await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's curated operations"
)]
async fn tools_list_pages_through_the_curated_set() {
    let (_fake, url) = setup().await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let first = client.list_tools(None).await.expect("first page");
    assert_eq!(first.tools.len(), 10, "page size 10");
    assert!(first.next_cursor.is_some());
    let all = client.list_all_tools().await.expect("all pages");
    let names: BTreeSet<String> = all
        .iter()
        .map(|t| t.name.to_string())
        .filter(|n| windmill_mcp::mcp::discovery::Discovery::named(n).is_none())
        .collect();
    assert_eq!(
        all.len(),
        45,
        "42 curated endpoint tools and the 3 discovery tools"
    );
    assert_eq!(names.len(), 42);
    // Windmill v1.795.0's curated set, under the names Windmill's own server lists them with
    // (`x-mcp-tool-name`: createAppRawSource is `createApp`, updateAppRawSource is `updateApp`).
    let expected: BTreeSet<String> = [
        "createApp",
        "createFlow",
        "createResource",
        "createSchedule",
        "createScript",
        "createVariable",
        "deleteFlowByPath",
        "deleteResource",
        "deleteSchedule",
        "deleteScriptByHash",
        "deleteScriptByPath",
        "deleteVariable",
        "getAppByPath",
        "getFlowByPath",
        "getJob",
        "getJobLogs",
        "getResource",
        "getSchedule",
        "getScriptByPath",
        "getVariable",
        "listApps",
        "listDataMetrics",
        "listFlows",
        "listJobs",
        "listQueue",
        "listResource",
        "listResourceType",
        "listSchedules",
        "listScripts",
        "listVariable",
        "listWorkers",
        "readDocsPage",
        "runFlowByPath",
        "runScriptByPath",
        "runScriptPreviewAndWaitResult",
        "searchDocs",
        "updateApp",
        "updateFlow",
        "updateResource",
        "updateSchedule",
        "updateScript",
        "updateVariable",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(names, expected);
    assert!(!names.contains("createAppRawSource") && !names.contains("updateAppRawSource"));
    let run = all
        .iter()
        .find(|t| t.name == "runScriptByPath")
        .expect("runScriptByPath");
    assert!(
        run.input_schema["properties"].get("body").is_some(),
        "script arguments are reachable"
    );
    assert!(run.input_schema["properties"].get("workspace").is_none());
    let bad = client
        .list_tools(Some(
            rmcp::model::PaginatedRequestParams::default().with_cursor(Some("nonsense".into())),
        ))
        .await;
    assert!(bad.is_err(), "a bad cursor is a protocol error");
    let _ = client.cancel().await;
}

/// (tool, arguments, method and raw path the fake must receive, a text the result must hold)
fn curated_calls() -> Vec<(&'static str, Value, &'static str, String, &'static str)> {
    let p = |s: &str| format!("/api/w/demo{s}");
    vec![
        (
            "searchDocs",
            json!({"query": "flows"}),
            "GET",
            "/api/docs/search".into(),
            "",
        ),
        (
            "readDocsPage",
            json!({"url": "https://www.windmill.dev/docs/core_concepts/scheduling"}),
            "GET",
            "/api/docs/page".into(),
            "",
        ),
        (
            "listScripts",
            json!({"per_page": 10}),
            "GET",
            p("/scripts/list"),
            "f/folder/my_script",
        ),
        (
            "getScriptByPath",
            json!({"path": "f/folder/my_script"}),
            "GET",
            p("/scripts/get/p/f/folder/my_script"),
            "f/folder/my_script",
        ),
        (
            "listFlows",
            json!({}),
            "GET",
            p("/flows/list"),
            "f/folder/my_flow",
        ),
        (
            "getFlowByPath",
            json!({"path": "f/folder/my_flow"}),
            "GET",
            p("/flows/get/f/folder/my_flow"),
            "f/folder/my_flow",
        ),
        (
            "listResource",
            json!({}),
            "GET",
            p("/resources/list"),
            "f/folder/my_postgres",
        ),
        (
            "getResource",
            json!({"path": "f/folder/my_postgres"}),
            "GET",
            p("/resources/get/f/folder/my_postgres"),
            "my_postgres",
        ),
        (
            "listResourceType",
            json!({}),
            "GET",
            p("/resources/type/list"),
            "postgresql",
        ),
        (
            "listVariable",
            json!({}),
            "GET",
            p("/variables/list"),
            "f/folder/api_url",
        ),
        (
            "getVariable",
            json!({"path": "f/folder/api_url"}),
            "GET",
            p("/variables/get/f/folder/api_url"),
            "api_url",
        ),
        (
            "listSchedules",
            json!({}),
            "GET",
            p("/schedules/list"),
            "nightly_my_script",
        ),
        (
            "getSchedule",
            json!({"path": "f/folder/nightly_my_script"}),
            "GET",
            p("/schedules/get/f/folder/nightly_my_script"),
            "nightly_my_script",
        ),
        (
            "listJobs",
            json!({"per_page": 5}),
            "GET",
            p("/jobs/list"),
            fw::JOB_DEMO_SUCCESS,
        ),
        ("listQueue", json!({}), "GET", p("/jobs/queue/list"), ""),
        (
            "getJob",
            json!({"id": fw::JOB_DEMO_SUCCESS}),
            "GET",
            p(&format!("/jobs_u/get/{}", fw::JOB_DEMO_SUCCESS)),
            fw::JOB_DEMO_SUCCESS,
        ),
        (
            "getJobLogs",
            json!({"id": fw::JOB_DEMO_SUCCESS}),
            "GET",
            p(&format!("/jobs_u/get_logs/{}", fw::JOB_DEMO_SUCCESS)),
            "",
        ),
        (
            "listApps",
            json!({"per_page": 10, "path_start": "f/folder/"}),
            "GET",
            p("/apps/list"),
            "f/folder/raw_dashboard",
        ),
        (
            "getAppByPath",
            json!({"path": "f/folder/raw_dashboard"}),
            "GET",
            p("/apps/get/p/f/folder/raw_dashboard"),
            "/index.tsx",
        ),
        (
            "listDataMetrics",
            json!({"table": "ducklake://lake/main.orders"}),
            "GET",
            p("/data_metrics/list"),
            "sum(amount)",
        ),
        (
            "listWorkers",
            json!({}),
            "GET",
            "/api/workers/list".into(),
            "",
        ),
        (
            "runScriptByPath",
            json!({"path": "u/admin/hello", "body": {"name": "Ada"}}),
            "POST",
            p("/jobs/run/p/u/admin/hello"),
            "",
        ),
        (
            "runFlowByPath",
            json!({"path": "f/folder/my_flow", "body": {"x": 1}}),
            "POST",
            p("/jobs/run/f/f/folder/my_flow"),
            "",
        ),
        (
            "runScriptPreviewAndWaitResult",
            json!({"content": "export function main(x: number) { return x * 2 }", "language": "bun", "args": {"x": 21}}),
            "POST",
            p("/jobs/run_wait_result/preview"),
            "",
        ),
        (
            "createVariable",
            json!({"path": "f/folder/new_var", "value": "v1", "is_secret": false, "description": "made by e2e"}),
            "POST",
            p("/variables/create"),
            "",
        ),
        (
            "updateVariable",
            json!({"path": "f/folder/new_var", "value": "v2"}),
            "POST",
            p("/variables/update/f/folder/new_var"),
            "",
        ),
        (
            "createResource",
            json!({"path": "f/folder/new_res", "value": {"host": "db"}, "resource_type": "postgresql"}),
            "POST",
            p("/resources/create"),
            "",
        ),
        (
            "updateResource",
            json!({"path": "f/folder/new_res", "value": {"host": "db2"}}),
            "POST",
            p("/resources/update/f/folder/new_res"),
            "",
        ),
        (
            "createScript",
            json!({"path": "f/folder/new_script", "summary": "new", "content": "def main(): return 1", "language": "python3"}),
            "POST",
            p("/scripts/create"),
            "",
        ),
        (
            "updateScript",
            json!({"path": "f/folder/new_script", "summary": "new, v2", "content": "def main(): return 2", "language": "python3"}),
            "POST",
            p("/scripts/update/f/folder/new_script"),
            "",
        ),
        (
            "createFlow",
            json!({"path": "f/folder/new_flow", "summary": "new flow", "value": {"modules": []}}),
            "POST",
            p("/flows/create"),
            "",
        ),
        (
            "updateFlow",
            json!({"path": "f/folder/new_flow", "summary": "renamed", "value": {"modules": []}}),
            "POST",
            p("/flows/update/f/folder/new_flow"),
            "",
        ),
        // `createApp` and `updateApp` are createAppRawSource and updateAppRawSource here, as in
        // Windmill's own server (`x-mcp-tool-name`).
        (
            "createApp",
            json!({"path": "f/folder/new_app", "summary": "app", "value": {"files": {"/index.tsx": "export default 1"}}, "policy": {"execution_mode": "viewer"}}),
            "POST",
            p("/apps/create_raw_source"),
            "",
        ),
        (
            "updateApp",
            json!({"path": "f/folder/new_app", "summary": "app 2", "value": {"files": {"/index.tsx": "export default 2"}}}),
            "POST",
            p("/apps/update_raw_source/f/folder/new_app"),
            "",
        ),
        (
            "createSchedule",
            json!({"path": "f/folder/new_sched", "schedule": "0 0 * * * *", "timezone": "UTC", "script_path": "f/folder/my_script", "is_flow": false, "args": {}}),
            "POST",
            p("/schedules/create"),
            "",
        ),
        (
            "updateSchedule",
            json!({"path": "f/folder/new_sched", "schedule": "0 30 * * * *", "timezone": "UTC", "args": {"a": 1}}),
            "POST",
            p("/schedules/update/f/folder/new_sched"),
            "",
        ),
        (
            "deleteSchedule",
            json!({"path": "f/folder/new_sched"}),
            "DELETE",
            p("/schedules/delete/f/folder/new_sched"),
            "",
        ),
        (
            "deleteVariable",
            json!({"path": "f/folder/new_var"}),
            "DELETE",
            p("/variables/delete/f/folder/new_var"),
            "",
        ),
        (
            "deleteResource",
            json!({"path": "f/folder/new_res"}),
            "DELETE",
            p("/resources/delete/f/folder/new_res"),
            "",
        ),
        (
            "deleteFlowByPath",
            json!({"path": "f/folder/new_flow"}),
            "DELETE",
            p("/flows/delete/f/folder/new_flow"),
            "",
        ),
        (
            "deleteScriptByPath",
            json!({"path": "f/folder/new_script"}),
            "POST",
            p("/scripts/delete/p/f/folder/new_script"),
            "",
        ),
        (
            "deleteScriptByHash",
            json!({"hash": fw::HASH_HELLO_OLD}),
            "POST",
            p(&format!("/scripts/delete/h/{}", fw::HASH_HELLO_OLD)),
            "",
        ),
    ]
}

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's curated operations"
)]
async fn every_curated_tool_reaches_windmill_and_answers() {
    let (fake, url) = setup().await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let calls = curated_calls();
    let called: BTreeSet<&str> = calls.iter().map(|c| c.0).collect();
    assert_eq!(called.len(), 42, "every curated tool is exercised");
    let curated: BTreeSet<&str> = windmill_mcp::endpoints::Registry::compiled()
        .curated()
        .iter()
        .map(|e| e.name())
        .collect();
    assert_eq!(called, curated, "every curated tool is exercised");
    for (tool, args, method, path, expect_text) in calls {
        fake.clear_requests();
        let result = call(&client, tool, args.clone()).await;
        let text = text_of(&result);
        assert_ne!(result.is_error, Some(true), "{tool}: {text}");
        let reqs = fake.requests();
        assert_eq!(reqs.len(), 1, "{tool}: {reqs:?}");
        let r = &reqs[0];
        assert_eq!(r.method, method, "{tool}");
        assert_eq!(r.path, path, "{tool}");
        assert_eq!(
            r.token.as_deref(),
            Some(TOKEN_ALICE),
            "{tool}: the caller's token goes to Windmill"
        );
        assert!(text.contains(expect_text), "{tool}: {text}");
        // Body fields arrive under their wire names, without the path parameter.
        if method != "GET"
            && method != "DELETE"
            && tool != "deleteScriptByHash"
            && tool != "deleteScriptByPath"
        {
            let body = r.json.clone().unwrap_or(Value::Null);
            let sent = args.as_object().cloned().unwrap_or_default();
            match tool {
                "runScriptByPath" | "runFlowByPath" => assert_eq!(body, sent["body"], "{tool}"),
                "updateVariable" | "updateResource" | "updateFlow" | "updateApp"
                | "updateSchedule" | "updateScript" => {
                    for (k, v) in sent.iter().filter(|(k, _)| *k != "path") {
                        assert_eq!(&body[k.as_str()], v, "{tool}.{k}");
                    }
                }
                _ => {
                    for (k, v) in &sent {
                        assert_eq!(&body[k.as_str()], v, "{tool}.{k}");
                    }
                }
            }
        }
        // JSON answers come as structured content as well (the tool as the curated listing names it).
        let entry = windmill_mcp::endpoints::Registry::compiled()
            .get_curated(tool)
            .expect("known tool");
        if entry.tool.output_schema.is_some() && r.method == "GET" {
            assert!(
                result.structured_content.is_some(),
                "{tool}: structured content"
            );
        }
    }
    let _ = client.cancel().await;
}

#[tokio::test]
async fn errors_are_tool_results_the_model_can_read() {
    let (fake, url) = setup().await;
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;

    // Bad arguments: named, with what was expected and what came, and nothing sent.
    fake.clear_requests();
    let r = call(
        &client,
        "listScripts",
        json!({"per_page": "many", "perpage": 3}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(
        t.contains("argument `per_page`: expected integer, got string \"many\""),
        "{t}"
    );
    assert!(
        t.contains("unknown argument `perpage`; did you mean `per_page`?"),
        "{t}"
    );
    assert!(fake.requests().is_empty(), "nothing reaches Windmill");

    let r = call(&client, "getScriptByPath", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    assert!(
        text_of(&r).contains("missing required argument `path`"),
        "{}",
        text_of(&r)
    );

    // A path that escapes.
    let r = call(
        &client,
        "getScriptByPath",
        json!({"path": "../../etc/passwd"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("`..`"), "{}", text_of(&r));
    assert!(fake.requests().is_empty());

    // 404 from Windmill: status and message.
    let r = call(&client, "getScriptByPath", json!({"path": "f/folder/nope"})).await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(t.contains("HTTP 404"), "{t}");

    // Unknown tool: a JSON-RPC error -32602 with a suggestion.
    let e = client
        .call_tool(CallToolRequestParams::new("listScript").with_arguments(serde_json::Map::new()))
        .await
        .expect_err("unknown tool");
    let msg = format!("{e:?}");
    assert!(
        msg.contains("-32602") || msg.contains("InvalidParams") || msg.contains("INVALID_PARAMS"),
        "{msg}"
    );
    assert!(msg.contains("listScripts"), "{msg}");
    let _ = client.cancel().await;
}

#[tokio::test]
async fn a_token_with_only_mcp_scopes_gets_told_what_token_to_make() {
    let (_fake, url) = setup().await;
    let client = connect(&url, Some(TOKEN_MCP_ONLY), ProtocolVersion::V_2025_11_25).await;
    let r = call(&client, "listScripts", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(t.contains("HTTP 403"), "{t}");
    assert!(t.contains("scripts:read"), "{t}");
    assert!(t.contains("Create a token"), "{t}");
    let _ = client.cancel().await;
}

#[tokio::test]
async fn each_caller_uses_its_own_token_and_workspace() {
    let (fake, url) = setup().await;
    let other_url = url.replace("/w/demo/", "/w/other/");
    let alice = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let bob = connect(&other_url, Some(TOKEN_BOB), ProtocolVersion::V_2025_11_25).await;
    fake.clear_requests();
    let (a, b) = tokio::join!(
        call(&alice, "listScripts", json!({})),
        call(&bob, "listScripts", json!({}))
    );
    assert_ne!(a.is_error, Some(true), "{}", text_of(&a));
    assert_ne!(b.is_error, Some(true), "{}", text_of(&b));
    assert!(text_of(&a).contains("f/folder/my_script"));
    assert!(
        !text_of(&b).contains("f/folder/my_script"),
        "bob sees only his workspace"
    );
    let reqs = fake.requests();
    assert!(reqs
        .iter()
        .any(|r| r.path == "/api/w/demo/scripts/list" && r.token.as_deref() == Some(TOKEN_ALICE)));
    assert!(reqs
        .iter()
        .any(|r| r.path == "/api/w/other/scripts/list" && r.token.as_deref() == Some(TOKEN_BOB)));
    assert_eq!(reqs.len(), 2);
    let _ = alice.cancel().await;
    let _ = bob.cancel().await;
}

#[tokio::test]
async fn http_front_door_checks_token_host_and_origin() {
    let (_fake, url) = setup().await;
    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}});
    let post = |u: &str| {
        http.post(u)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .json(&init)
    };
    // No token: 401 with WWW-Authenticate, before MCP.
    let r = post(&url).send().await.expect("send");
    assert_eq!(r.status(), 401);
    assert!(r
        .headers()
        .get("www-authenticate")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("Bearer")));
    // ?token= works as in Windmill's UI URLs.
    let r = post(&format!("{url}?token={TOKEN_ALICE}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    // A foreign Host or Origin is refused even with a token.
    let r = post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("host", "evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("origin", "http://localhost:6274")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    // A bad workspace id in the URL.
    let r = post(&url.replace("/w/demo/", "/w/..%2F/"))
        .bearer_auth(TOKEN_ALICE)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn windmill_down_is_a_tool_error_not_a_crash() {
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    let addr = serve(
        settings(&format!("http://127.0.0.1:{port}")),
        HttpOptions::default(),
    )
    .await;
    let client = connect(
        &format!("http://{addr}/api/mcp/w/demo/mcp"),
        Some(TOKEN_ALICE),
        ProtocolVersion::V_2025_11_25,
    )
    .await;
    let r = call(&client, "listScripts", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    assert!(
        text_of(&r).contains("cannot reach Windmill"),
        "{}",
        text_of(&r)
    );
    // And the server keeps serving.
    assert_eq!(
        client.list_all_tools().await.expect("still serving").len(),
        common::mcp::default_tool_count()
    );
    let _ = client.cancel().await;
}

#[tokio::test]
async fn stateless_mode_answers_plain_json() {
    let fake = fw::start().await;
    let addr = serve(
        settings(&fake.base_url),
        HttpOptions {
            stateless: true,
            ..HttpOptions::default()
        },
    )
    .await;
    let url = format!("http://{addr}/api/mcp/w/demo/mcp");
    let http = reqwest::Client::new();
    let r = http
        .post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json")));
    assert!(r.headers().get("mcp-session-id").is_none());
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["result"]["tools"].as_array().map(Vec::len), Some(10));
    // And a real client works against it.
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let res = call(
        &client,
        "getScriptByPath",
        json!({"path": "f/folder/my_script"}),
    )
    .await;
    assert_ne!(res.is_error, Some(true), "{}", text_of(&res));
    let _ = client.cancel().await;
}

#[tokio::test]
async fn protocol_2026_07_28_without_initialize() {
    use rmcp::service::ClientLifecycleMode;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::ClientServiceExt;
    let (_fake, url) = setup().await;
    common::mcp::install_crypto();
    let cfg =
        StreamableHttpClientTransportConfig::with_uri(url).auth_header(TOKEN_ALICE.to_owned());
    let client = common::mcp::client_config(ProtocolVersion::V_2026_07_28)
        .serve_with_lifecycle(
            StreamableHttpClientTransport::from_config(cfg),
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("discover lifecycle");
    let tools = client
        .list_all_tools()
        .await
        .expect("tools/list on 2026-07-28");
    assert_eq!(tools.len(), common::mcp::default_tool_count());
    let r = call(&client, "getVariable", json!({"path": "f/folder/api_url"})).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let _ = client.cancel().await;
}

#[tokio::test]
async fn server_errors_and_oversized_results_are_reported_clearly() {
    let fake = fw::start().await;
    let mut s = settings(&fake.base_url);
    s.max_result_bytes = 300;
    let addr = serve(s, HttpOptions::default()).await;
    let client = connect(
        &format!("http://{addr}/api/mcp/w/demo/mcp"),
        Some(TOKEN_ALICE),
        ProtocolVersion::V_2025_11_25,
    )
    .await;

    fake.fail_next("/scripts/list", 500, "database is on fire");
    let r = call(&client, "listScripts", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(
        t.contains("HTTP 500") && t.contains("database is on fire"),
        "{t}"
    );

    // Over the cap: cut with a marker saying how much was left out.
    let r = call(
        &client,
        "getScriptByPath",
        json!({"path": "f/folder/my_script"}),
    )
    .await;
    assert_ne!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(t.contains("[… cut:") && t.contains("bytes left out"), "{t}");
    assert!(t.len() < 600, "{}", t.len());
    let r = call(&client, "listJobs", json!({})).await;
    let t = text_of(&r);
    assert!(t.len() < 700, "{}", t.len());
    let _ = client.cancel().await;
}
