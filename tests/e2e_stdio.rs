//! End to end over stdio: rmcp's client spawns the built `windmill-mcp stdio` binary.

mod common;

use common::mcp::{call, client_config, text_of};
use rmcp::model::ProtocolVersion;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::json;
use windmill_fake::{self as fw, TOKEN_ALICE};

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's operations"
)]
async fn stdio_session_lists_and_calls() {
    let fake = fw::start().await;
    let cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp")).configure(|c| {
        c.arg("stdio")
            .env("BASE_URL", &fake.base_url)
            .env("WM_TOKEN", TOKEN_ALICE)
            .env("WM_WORKSPACE", "demo")
            .env("WINDMILL_MCP_PAGE_SIZE", "7")
            .env("RUST_LOG", "debug");
    });
    let client = client_config(ProtocolVersion::V_2025_06_18)
        .serve(TokioChildProcess::new(cmd).expect("spawn"))
        .await
        .expect("initialize over stdio");
    let info = client.peer_info().expect("info");
    assert_eq!(
        info.server_info.as_ref().map(|s| s.name.as_str()),
        Some("windmill-mcp")
    );
    let first = client.list_tools(None).await.expect("page");
    assert_eq!(first.tools.len(), 7);
    let all = client.list_all_tools().await.expect("all");
    let items: Vec<&str> = all
        .iter()
        .map(|t| t.name.as_ref())
        .filter(|n| n.starts_with("s-") || n.starts_with("f-"))
        .collect();
    // 42 curated endpoint tools + 3 discovery tools + get_job_result + the workspace's scripts
    // and flows.
    assert_eq!(all.len(), 45 + 1 + items.len());
    assert!(items.contains(&"s-u_admin_hello"), "{items:?}");
    assert!(items.contains(&"f-f_folder_my__flow"), "{items:?}");

    let r = call(
        &client,
        "getScriptByPath",
        json!({"path": "f/folder/my_script"}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    assert!(
        r.structured_content
            .as_ref()
            .is_some_and(|s| s["path"] == "f/folder/my_script"),
        "{r:?}"
    );
    let req = fake.last_request().expect("a request reached the fake");
    assert_eq!(req.path, "/api/w/demo/scripts/get/p/f/folder/my_script");
    assert_eq!(
        req.token.as_deref(),
        Some(TOKEN_ALICE),
        "the configured token is used on stdio"
    );

    let r = call(
        &client,
        "runScriptByPath",
        json!({"path": "u/admin/hello", "body": {"name": "stdio"}}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let req = fake.last_request().expect("run request");
    assert_eq!(req.json, Some(json!({"name": "stdio"})));

    // The same script as a workspace tool: run and wait, result as structured content.
    let r = call(&client, "s-u_admin_hello", json!({"name": "tool"})).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let runs = fake.requests_matching("POST", "/api/w/demo/jobs/run/p/u/admin/hello");
    assert_eq!(
        runs.last().and_then(|r| r.json.clone()),
        Some(json!({"name": "tool"}))
    );
    assert_eq!(
        runs.last().and_then(|r| r.token.clone()).as_deref(),
        Some(TOKEN_ALICE)
    );
    let _ = client.cancel().await;
}
