//! Hardening: Windmill misbehaving (down, slow, 500, malformed JSON, a 50 MB answer, a connection
//! cut mid-body) gives tool errors with clear messages; the server keeps serving; no task is left
//! behind. Limits (request body, response size, calls per connection, timeouts) give clear errors.

mod common;

use std::time::Duration;

use common::mcp::{call, connect, serve, settings, text_of};
use rmcp::model::ProtocolVersion;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use windmill_fake::{self as fw, InjectedResponse, Injection, TOKEN_ALICE};
use windmill_mcp::http::HttpOptions;

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Waits until at most `limit` tasks are alive (up to 10 s); returns the last count.
async fn settle(limit: usize) -> usize {
    let mut n = alive_tasks();
    for _ in 0..100 {
        if n <= limit {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        n = alive_tasks();
    }
    n
}

fn injected(path: &str, status: u16, content_type: &str, body: Vec<u8>) -> Injection {
    let mut i = Injection::fail(path, status, "");
    i.response = Some(InjectedResponse {
        status,
        content_type: content_type.into(),
        body,
    });
    i
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehaving_windmill_gives_tool_errors_and_nothing_is_left_behind() {
    let fake = fw::start().await;
    let mut s = settings(&fake.base_url);
    s.limits.timeout = Duration::from_secs(1);
    s.limits.max_response_bytes = 4 * 1024 * 1024;
    let addr = serve(s, HttpOptions::default()).await;
    let url = format!("http://{addr}/api/mcp/w/demo/mcp");
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;
    let get = json!({"path": "f/folder/my_script"});
    let ok = |r: &rmcp::model::CallToolResult| {
        assert_ne!(r.is_error, Some(true), "{}", text_of(r));
        assert!(r
            .structured_content
            .as_ref()
            .is_some_and(|v| v["path"] == "f/folder/my_script"));
    };
    ok(&call(&client, "getScriptByPath", get.clone()).await);
    let baseline = alive_tasks();

    let cases: Vec<(&str, Injection, &str)> = vec![
        (
            "500",
            injected(
                "/scripts/get/p/",
                500,
                "text/plain",
                b"Internal: database is down".to_vec(),
            ),
            "HTTP 500",
        ),
        (
            "malformed JSON",
            injected(
                "/scripts/get/p/",
                200,
                "application/json",
                b"{\"path\": \"f/fol".to_vec(),
            ),
            "not valid JSON",
        ),
        (
            "50 MB answer",
            injected(
                "/scripts/get/p/",
                200,
                "application/json",
                vec![b' '; 50 * 1024 * 1024],
            ),
            "larger than the 4194304 byte limit",
        ),
        (
            "slow past the timeout",
            Injection::delay("/scripts/get/p/", Duration::from_secs(3)),
            "did not answer within 1s",
        ),
    ];
    for (what, injection, expected) in cases {
        fake.inject(injection);
        let started = std::time::Instant::now();
        let r = call(&client, "getScriptByPath", get.clone()).await;
        assert_eq!(r.is_error, Some(true), "{what}: {}", text_of(&r));
        let t = text_of(&r);
        assert!(t.contains(expected), "{what}: {t}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{what}: answered in time"
        );
        // The server keeps serving.
        ok(&call(&client, "getScriptByPath", get.clone()).await);
    }
    // Nothing of ours is still running: the count comes back to where it was (the fake's own
    // handler for the slow request ends after its 3 s sleep).
    let after = settle(baseline).await;
    assert!(
        after <= baseline,
        "tasks alive: {after}, before the faults: {baseline}"
    );
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windmill_down_or_cut_off_mid_body() {
    // Down: nothing listens on the port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
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
    let r = call(
        &client,
        "getScriptByPath",
        json!({"path": "f/folder/my_script"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(
        text_of(&r).contains("cannot reach Windmill"),
        "{}",
        text_of(&r)
    );
    // Still serving: tools/list answers.
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.ok();

    // Cut off: headers promise 100,000 bytes, 20 arrive, then the connection is reset.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let cut_addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{\"path\": \"f/folder/")
                .await;
            let _ = sock.flush().await;
            // A reset (SO_LINGER 0) rather than an orderly close.
            let _ = sock.set_zero_linger();
            drop(sock);
        }
    });
    let addr = serve(
        settings(&format!("http://{cut_addr}")),
        HttpOptions::default(),
    )
    .await;
    let client = connect(
        &format!("http://{addr}/api/mcp/w/demo/mcp"),
        Some(TOKEN_ALICE),
        ProtocolVersion::V_2025_11_25,
    )
    .await;
    let r = call(
        &client,
        "getScriptByPath",
        json!({"path": "f/folder/my_script"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(t.contains("cut off") || t.contains("connection"), "{t}");
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_give_clear_errors() {
    let fake = fw::start().await;
    let mut s = settings(&fake.base_url);
    s.max_concurrent_calls = 2;
    s.max_result_bytes = 500;
    let options = HttpOptions {
        max_request_bytes: 64 * 1024,
        ..HttpOptions::default()
    };
    let addr = serve(s, options).await;
    let url = format!("http://{addr}/api/mcp/w/demo/mcp");
    let client = connect(&url, Some(TOKEN_ALICE), ProtocolVersion::V_2025_11_25).await;

    // Calls per connection: three at once with a limit of two.
    fake.inject(Injection::delay("/scripts/get/p/", Duration::from_millis(800)).times(3));
    let get = json!({"path": "f/folder/my_script"});
    let (a, b, c) = tokio::join!(
        call(&client, "getScriptByPath", get.clone()),
        call(&client, "getScriptByPath", get.clone()),
        call(&client, "getScriptByPath", get.clone())
    );
    let refused: Vec<String> = [a, b, c]
        .iter()
        .filter(|r| r.is_error == Some(true))
        .map(text_of)
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("limit 2, --max-concurrent-calls"),
        "{}",
        refused[0]
    );
    fake.clear_injections();

    // Result size: cut with a marker.
    let r = call(&client, "listScripts", json!({"per_page": 100})).await;
    let t = text_of(&r);
    assert!(
        t.contains("cut") && t.contains("result limit 500 bytes"),
        "{t}"
    );

    // Request body size: HTTP 413 before any MCP processing.
    let big = "x".repeat(100 * 1024);
    let resp = reqwest::Client::new()
        .post(&url)
        .bearer_auth(TOKEN_ALICE)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"getScriptByPath","arguments":{{"path":"{big}"}}}}}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    // And the connection still works.
    let r = call(&client, "getScriptByPath", get).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    client.cancel().await.ok();
}
