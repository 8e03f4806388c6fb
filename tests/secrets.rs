//! Secrets: a full session with canary tokens (as `Authorization: Bearer`, as `?token=`, refused by
//! Windmill, with Windmill down) under TRACE logging of every crate: no token appears in any log
//! line, error message or tool result.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::mcp::{connect, serve, settings};
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use serde_json::json;
use windmill_fake::{self as fw, FakeState, FakeToken};
use windmill_mcp::http::HttpOptions;
use windmill_mcp::workspace::ItemSelection;

const CANARY_BEARER: &str = "canary-bearer-7f3a9c1e5d";
const CANARY_QUERY: &str = "canary-query-5b2d8e4f1a";
const CANARY_UNKNOWN: &str = "canary-unknown-9e8d7c6b5a";

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every tool call of a session, as text (results, structured content and protocol errors).
async fn exercise(url: &str, bearer: Option<&str>, seen: &mut Vec<String>) {
    let client = connect(url, bearer, ProtocolVersion::V_2025_11_25).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    seen.push(serde_json::to_string(&tools).unwrap());
    let calls = [
        ("getScriptByPath", json!({"path": "f/folder/my_script"})),
        (
            "runScriptByPath",
            json!({"path": "u/admin/hello", "body": {"name": "x"}}),
        ),
        ("getScriptByPath", json!({"path": "../../etc/passwd"})),
        ("getScriptByPath", json!({"pth": 3})),
        (
            "call_endpoint",
            json!({"name": "getVariable", "arguments": {"path": "u/none/missing"}}),
        ),
        ("s-f_folder_always__fail", json!({})),
        ("s-u_admin_hello", json!({"name": "canary?"})),
        (
            "get_job_result",
            json!({"job_id": "00000000-0000-0000-0000-000000000000"}),
        ),
        ("noSuchTool", json!({})),
    ];
    for (name, args) in calls {
        let params = CallToolRequestParams::new(name)
            .with_arguments(args.as_object().cloned().unwrap_or_default());
        match client.call_tool(params).await {
            Ok(r) => seen.push(serde_json::to_string(&r).unwrap()),
            Err(e) => seen.push(e.to_string()),
        }
    }
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_in_logs_errors_or_results() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(logs.clone());
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let mut st = FakeState::seeded();
    for t in [CANARY_BEARER, CANARY_QUERY] {
        st.tokens.insert(
            t.into(),
            FakeToken {
                is_admin: true,
                ..FakeToken::member("alice", &[fw::WS_DEMO])
            },
        );
    }
    let fake = fw::start_with(st).await;
    let mut s = settings(&fake.base_url);
    s.items = ItemSelection::default();
    s.page_size = 1000;
    let addr = serve(s, HttpOptions::default()).await;
    let base = format!("http://{addr}/api/mcp/w/demo/mcp");
    let mut seen = Vec::new();
    exercise(&base, Some(CANARY_BEARER), &mut seen).await;
    exercise(&format!("{base}?token={CANARY_QUERY}"), None, &mut seen).await;
    exercise(&base, Some(CANARY_UNKNOWN), &mut seen).await;
    // Windmill down.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut down = settings(&format!("http://127.0.0.1:{port}"));
    down.items = ItemSelection::default();
    let addr = serve(down, HttpOptions::default()).await;
    let down_url = format!("http://{addr}/api/mcp/w/demo/mcp");
    exercise(&down_url, Some(CANARY_BEARER), &mut seen).await;
    exercise(&format!("{down_url}?token={CANARY_QUERY}"), None, &mut seen).await;

    // The canaries did reach Windmill (the test is not vacuous)...
    let reached: Vec<Option<String>> = fake.requests().into_iter().map(|r| r.token).collect();
    assert!(reached.iter().any(|t| t.as_deref() == Some(CANARY_BEARER)));
    assert!(reached.iter().any(|t| t.as_deref() == Some(CANARY_QUERY)));
    assert!(reached.iter().any(|t| t.as_deref() == Some(CANARY_UNKNOWN)));
    // ...failures were exercised...
    let all = seen.join("\n");
    assert!(
        all.contains("cannot reach Windmill"),
        "Windmill down was exercised"
    );
    assert!(all.contains("HTTP 401"), "a refused token was exercised");
    assert!(all.contains("ExecutionErr"), "a failed job was exercised");
    // ...and TRACE logging was on, our own debug lines included.
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.contains("TRACE") && text.contains("DEBUG"),
        "logging was on"
    );
    assert!(
        text.contains("workspace scripts and flows refreshed"),
        "our debug lines were logged"
    );
    for canary in [CANARY_BEARER, CANARY_QUERY, CANARY_UNKNOWN] {
        assert!(!text.contains(canary), "{canary} in the logs");
        for s in &seen {
            assert!(!s.contains(canary), "{canary} in a result: {s}");
        }
    }
    // Not even a fragment of a `?token=` query value.
    assert!(!text.contains("token=canary"));
}
