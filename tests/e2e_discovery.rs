//! The discovery tools and tool modes, end to end through rmcp's client and the fake Windmill.

mod common;

use common::mcp::{call, text_of};
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use windmill_fake as fw;

async fn setup(query: &str, read_only: bool) -> (fw::FakeWindmill, common::mcp::Client) {
    common::mcp::fake_and_client(query, read_only).await
}

#[tokio::test]
async fn discover_mode_lists_three_small_tools() {
    let (_fake, client) = setup("?tools=discover", false).await;
    let tools = client.list_all_tools().await.expect("list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        vec!["search_endpoints", "describe_endpoint", "call_endpoint"]
    );
    let bytes = serde_json::to_vec(&tools).expect("json").len();
    assert!(bytes < 3072, "discovery tools take {bytes} bytes");
    let _ = client.cancel().await;
}

#[tokio::test]
async fn search_describe_and_call_round_trip() {
    let (fake, client) = setup("?tools=discover", false).await;
    let r = call(
        &client,
        "search_endpoints",
        json!({"query": "list the folders of the workspace", "limit": 5}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let results = r
        .structured_content
        .as_ref()
        .and_then(|s| s["results"].as_array().cloned())
        .expect("results");
    assert!(
        results.iter().take(3).any(|h| h["name"] == "listFolders"),
        "{results:?}"
    );

    let r = call(
        &client,
        "describe_endpoint",
        json!({"name": "getScriptByPath"}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let d = r.structured_content.expect("described");
    assert_eq!(d["method"], "GET");
    assert_eq!(d["inputSchema"]["required"], json!(["path"]));
    assert!(d["outputSchema"].is_object());

    fake.clear_requests();
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "getScriptByPath", "arguments": {"path": "f/folder/my_script"}}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    assert_eq!(
        r.structured_content.as_ref().map(|s| s["path"].clone()),
        Some(json!("f/folder/my_script"))
    );
    let req = fake.last_request().expect("request");
    assert_eq!(req.path, "/api/w/demo/scripts/get/p/f/folder/my_script");

    // The same validation as the direct tool.
    fake.clear_requests();
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "listScripts", "arguments": {"per_page": "many"}}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(
        text_of(&r).contains("argument `per_page`"),
        "{}",
        text_of(&r)
    );
    assert!(fake.requests().is_empty());

    // Unknown names suggest.
    let r = call(
        &client,
        "describe_endpoint",
        json!({"name": "getScriptByPat"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("getScriptByPath"), "{}", text_of(&r));
    // Not listed as a tool of its own in discover mode.
    let e = client
        .call_tool(
            CallToolRequestParams::new("getScriptByPath").with_arguments(
                json!({"path": "f/folder/my_script"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        )
        .await;
    assert!(
        e.is_err(),
        "direct endpoint tools are not listed in discover mode"
    );
    let _ = client.cancel().await;
}

#[tokio::test]
async fn read_only_mode_refuses_writes_everywhere() {
    let (fake, client) = setup("", true).await;
    let tools = client.list_all_tools().await.expect("list");
    assert!(tools
        .iter()
        .all(
            |t| windmill_mcp::mcp::discovery::Discovery::named(&t.name).is_some()
                || t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)
        ));
    assert!(!tools.iter().any(|t| t.name == "deleteVariable"));
    fake.clear_requests();
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "deleteVariable", "arguments": {"path": "f/folder/api_url"}}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("read-only"), "{}", text_of(&r));
    assert!(fake.requests().is_empty(), "nothing reaches Windmill");
    let r = call(
        &client,
        "search_endpoints",
        json!({"query": "delete a variable"}),
    )
    .await;
    let results = r
        .structured_content
        .as_ref()
        .and_then(|s| s["results"].as_array().cloned())
        .unwrap_or_default();
    assert!(results.iter().all(|h| h["readOnly"] == true), "{results:?}");
    let e = client
        .call_tool(
            CallToolRequestParams::new("deleteVariable").with_arguments(
                json!({"path": "f/folder/api_url"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        )
        .await;
    assert!(format!("{e:?}").contains("read-only"), "{e:?}");
    // A read works.
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "getVariable", "arguments": {"path": "f/folder/api_url"}}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let _ = client.cancel().await;
}

#[tokio::test]
async fn url_selects_tools_and_read_only_per_connection() {
    let (_fake, client) = setup("?tools=listJobs,tag:variable&read_only=1", false).await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("list")
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(names.contains(&"listJobs".to_string()));
    assert!(names.contains(&"getVariable".to_string()));
    assert!(
        !names.contains(&"createVariable".to_string()),
        "read-only via the URL"
    );
    assert!(
        !names
            .iter()
            .any(|n| windmill_mcp::mcp::discovery::Discovery::named(n).is_some()),
        "{names:?}"
    );
    let _ = client.cancel().await;
}
