//! Serving benchmark: `cargo bench --bench serve`.
//!
//! Starts the fake Windmill in this process and `windmill-mcp serve` (the release binary) as a child
//! process on loopback, then measures through rmcp's client over Streamable HTTP:
//! - `tools/list` latency (curated set, one page);
//! - a tool call (`getScriptByPath`) against a direct HTTP GET of the same fake endpoint, which is the
//!   floor: the difference is what windmill-mcp adds;
//! - the server's resident memory when idle and after the run.
//!
//! Figures are printed; nothing is asserted about time.

mod common;

use common::{rss_kib, summary};

use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let iterations: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let fake = windmill_fake::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--base-url",
            &fake.base_url,
            // Endpoint tools only: `benches/workspace.rs` measures scripts and flows.
            "--scripts",
            "none",
            "--flows",
            "none",
        ])
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn windmill-mcp serve");
    let pid = child.id().unwrap_or(0);
    let url = format!("http://127.0.0.1:{port}/api/mcp/w/demo/mcp");
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if http
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            panic!("windmill-mcp did not start");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let startup = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(pid);

    let cfg = StreamableHttpClientTransportConfig::with_uri(url.clone())
        .auth_header(windmill_fake::TOKEN_ALICE.to_owned());
    let client = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("bench", "0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
    .serve(StreamableHttpClientTransport::from_config(cfg))
    .await
    .expect("initialize");

    let direct_url = format!(
        "{}/api/w/demo/scripts/get/p/f/folder/my_script",
        fake.base_url
    );
    // Warm up both paths.
    for _ in 0..50 {
        let _ = http
            .get(&direct_url)
            .bearer_auth(windmill_fake::TOKEN_ALICE)
            .send()
            .await
            .expect("direct")
            .bytes()
            .await;
        let _ = client.list_tools(None).await.expect("list");
    }
    let mut list = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let r = client.list_tools(None).await.expect("list");
        list.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.tools.len(), 41);
    }
    let mut direct = Vec::with_capacity(iterations);
    let mut via = Vec::with_capacity(iterations);
    let args = serde_json::json!({"path": "f/folder/my_script"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    for _ in 0..iterations {
        let t = Instant::now();
        let b = http
            .get(&direct_url)
            .bearer_auth(windmill_fake::TOKEN_ALICE)
            .send()
            .await
            .expect("direct")
            .bytes()
            .await
            .expect("body");
        direct.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!b.is_empty());
        let t = Instant::now();
        let r = client
            .call_tool(CallToolRequestParams::new("getScriptByPath").with_arguments(args.clone()))
            .await
            .expect("call");
        via.push(t.elapsed().as_secs_f64() * 1e3);
        assert_ne!(r.is_error, Some(true));
    }
    let after_rss = rss_kib(pid);
    let (l50, l99) = summary(list);
    let (d50, d99) = summary(direct);
    let (v50, v99) = summary(via);
    println!("windmill-mcp serve benchmark ({iterations} sequential requests each, loopback, fake Windmill)");
    println!(
        "  start-up to first /health answer     {:>8.1} ms",
        startup.as_secs_f64() * 1e3
    );
    println!("  tools/list (38 curated + 3 discovery) p50 {l50:>7.3} ms   p99 {l99:>7.3} ms");
    println!("  direct HTTP GET to the fake (floor)   p50 {d50:>7.3} ms   p99 {d99:>7.3} ms");
    println!("  tools/call getScriptByPath via MCP    p50 {v50:>7.3} ms   p99 {v99:>7.3} ms");
    println!(
        "  overhead of the MCP hop               p50 {:>7.3} ms   p99 {:>7.3} ms",
        v50 - d50,
        v99 - d99
    );
    println!(
        "  server resident memory               idle {} KiB, after the run {} KiB",
        idle_rss
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into()),
        after_rss
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into())
    );
    let _ = client.cancel().await;
    let _ = child.kill().await;
}
