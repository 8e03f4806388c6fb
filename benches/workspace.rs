//! Workspace scripts and flows benchmark: `cargo bench --bench workspace`.
//!
//! Starts the fake Windmill in this process with a workspace of 5,000 scripts, 500 flows and the
//! 46 realistic items of the search evaluation, and `windmill-mcp serve` (the release binary, default
//! settings: scripts and flows `auto`, 64,000 B listing budget) as a child process on loopback, then
//! measures through rmcp's client over Streamable HTTP:
//! - cold discovery: the first `tools/list`, with the number of upstream calls by kind, and the
//!   whole listing's size; the same with `?scripts=all&flows=all` (every item a tool) for comparison;
//! - warm `tools/list` (all pages) against a direct HTTP GET of one page of the fake's script
//!   listing (the floor);
//! - `search_endpoints` over the 5,546 items (and the API), with paraphrases of the evaluation;
//! - a call of an unlisted script through `call_endpoint` against the same two requests made directly;
//! - with 10,000 scripts: search latency, and resident memory once they are read.
//!
//! Figures are printed; nothing is asserted about time.

mod common;

use common::summary;

fn rss(pid: u32) -> u64 {
    common::rss_kib(pid).unwrap_or(0)
}

use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};

struct Server {
    child: tokio::process::Child,
    pid: u32,
    url: String,
}

async fn start_server(base_url: &str) -> Server {
    let served = common::serve(base_url, &["--refresh-interval", "3600"]).await;
    Server {
        url: format!(
            "http://{}/api/mcp/w/{}/mcp",
            served.listen,
            windmill_fake::WS_BIG
        ),
        child: served.child,
        pid: served.pid,
    }
}

async fn connect(url: &str) -> RunningService<RoleClient, ClientConfig> {
    let cfg = StreamableHttpClientTransportConfig::with_uri(url.to_owned())
        .auth_header(windmill_fake::TOKEN_BIG_ANA.to_owned());
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("bench", "0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
    .serve(StreamableHttpClientTransport::from_config(cfg))
    .await
    .expect("initialize")
}

fn raw_post(http: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
    http.post(url)
        .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
}

/// A session opened with a raw `initialize` and `initialized`: its id.
async fn raw_session(http: &reqwest::Client, url: &str) -> String {
    let r = raw_post(http, url)
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#)
        .send()
        .await
        .expect("initialize");
    let id = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .expect("session id")
        .to_owned();
    let _ = r.bytes().await;
    let _ = raw_post(http, url)
        .header("mcp-session-id", &id)
        .body(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .send()
        .await
        .expect("initialized");
    id
}

fn count(fake: &windmill_fake::FakeWindmill, path: &str) -> usize {
    fake.requests_matching("GET", path).len()
}

fn is_item(name: &str) -> bool {
    name.starts_with("s-") || name.starts_with("f-")
}

/// The paraphrases of the search evaluation (endpoints and workspace).
fn queries() -> Vec<String> {
    let text = include_str!("../tests/search_eval/queries.json");
    let v: Value = serde_json::from_str(text).expect("queries.json");
    ["endpoints", "workspace"]
        .iter()
        .flat_map(|k| v[k].as_array().cloned().unwrap_or_default())
        .filter_map(|q| q["query"].as_str().map(str::to_owned))
        .collect()
}

fn big_fake_state(scripts: usize, flows: usize) -> windmill_fake::FakeState {
    let mut st = windmill_fake::FakeState::seeded();
    // A Windmill of the compiled version: no start-up spec check (`serve` pulls and diffs the
    // served document when the versions differ; `cargo bench --bench serve` covers start-up).
    st.version = format!(
        "CE v{}",
        windmill_mcp::endpoints::Registry::compiled().spec().version
    );
    windmill_fake::add_big_workspace(&mut st, scripts, flows);
    if let Some(ws) = st.workspaces.get_mut(windmill_fake::WS_BIG) {
        windmill_fake::add_realistic_items(ws);
    }
    st
}

/// Cold discovery: the first `tools/list` page, then all pages; upstream calls and bytes.
struct Cold {
    first_ms: f64,
    upstream: usize,
    pages: usize,
    details: usize,
    /// `tools/list` requests to read the whole listing.
    list_pages: usize,
    tools: usize,
    items: usize,
    bytes: usize,
}

async fn cold(fake: &windmill_fake::FakeWindmill, url: &str) -> Cold {
    fake.clear_requests();
    // From the first request: `initialize` already starts reading the workspace.
    let t = Instant::now();
    let client = connect(url).await;
    let _ = client.list_tools(None).await.expect("first page");
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let upstream = fake.requests().len();
    let pages = count(fake, "/scripts/list") + count(fake, "/flows/list");
    let details = count(fake, "/scripts/get/p/") + count(fake, "/flows/get/");
    let mut cursor = None;
    let (mut tools, mut items, mut bytes, mut list_pages) = (0, 0, 0, 0);
    loop {
        list_pages += 1;
        let page = client
            .list_tools(Some(
                rmcp::model::PaginatedRequestParams::default().with_cursor(cursor),
            ))
            .await
            .expect("page");
        bytes += serde_json::to_vec(&page).map(|b| b.len()).unwrap_or(0);
        tools += page.tools.len();
        items += page.tools.iter().filter(|t| is_item(&t.name)).count();
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let _ = client.cancel().await;
    Cold {
        first_ms,
        upstream,
        pages,
        details,
        list_pages,
        tools,
        items,
        bytes,
    }
}

async fn search_times(
    client: &RunningService<RoleClient, ClientConfig>,
    queries: &[String],
    rounds: usize,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for q in queries {
            let args = json!({"query": q, "limit": 8});
            let t = Instant::now();
            let r = client
                .call_tool(
                    CallToolRequestParams::new("search_endpoints")
                        .with_arguments(args.as_object().cloned().unwrap_or_default()),
                )
                .await
                .expect("search");
            out.push(t.elapsed().as_secs_f64() * 1e3);
            assert_ne!(r.is_error, Some(true));
        }
    }
    out
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let iterations = common::env_usize("BENCH_ITERATIONS", 500);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (scripts, flows) = (5000, 500);
    let fake = windmill_fake::start_with(big_fake_state(scripts, flows)).await;
    let mut server = start_server(&fake.base_url).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss(server.pid);

    // Cold discovery, default settings, then with every item listed (a server of its own).
    let auto = cold(&fake, &server.url).await;
    let after_5500 = rss(server.pid);
    let mut all_server = start_server(&fake.base_url).await;
    let everything = cold(&fake, &format!("{}?scripts=all&flows=all", all_server.url)).await;
    let _ = all_server.child.kill().await;

    // Warm tools/list, all pages, against the direct floor.
    let client = connect(&server.url).await;
    let http = reqwest::Client::new();
    let direct_url = format!(
        "{}/api/w/{}/scripts/list?per_page=100&page=7",
        fake.base_url,
        windmill_fake::WS_BIG
    );
    let direct_get = || async {
        let b = http
            .get(&direct_url)
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .send()
            .await
            .expect("direct")
            .bytes()
            .await
            .expect("body");
        assert!(!b.is_empty());
    };
    for _ in 0..30 {
        let _ = client.list_all_tools().await.expect("warm up");
        direct_get().await;
    }
    // The same tools/list as raw HTTP in a session of its own: the response read, not parsed
    // (what the server and the transport cost, without rmcp's client turning it into types).
    let raw_session = raw_session(&http, &server.url).await;
    let raw_list = || async {
        let b = raw_post(&http, &server.url)
            .header("mcp-session-id", &raw_session)
            .body(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
            .send()
            .await
            .expect("raw tools/list")
            .bytes()
            .await
            .expect("body");
        assert!(b.len() > 50_000, "{}", b.len());
    };
    let mut list = Vec::with_capacity(iterations);
    let mut raw = Vec::with_capacity(iterations);
    let mut direct = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let r = client.list_all_tools().await.expect("all pages");
        list.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.len(), auto.tools);
        let t = Instant::now();
        raw_list().await;
        raw.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        direct_get().await;
        direct.push(t.elapsed().as_secs_f64() * 1e3);
    }

    // Search over the 5,546 items and the API.
    let queries = queries();
    let _ = search_times(&client, &queries, 1).await;
    let search = search_times(&client, &queries, (iterations / queries.len()).max(3)).await;

    // An unlisted script through call_endpoint, against the same two requests made directly.
    let args = json!({"name": "s-u_ana_task9", "arguments": {"name": "bench"}});
    let run_url = format!(
        "{}/api/w/{}/jobs/run/p/u/ana/task9",
        fake.base_url,
        windmill_fake::WS_BIG
    );
    let mut via = Vec::with_capacity(iterations);
    let mut direct_run = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let r = client
            .call_tool(
                CallToolRequestParams::new("call_endpoint")
                    .with_arguments(args.as_object().cloned().unwrap_or_default()),
            )
            .await
            .expect("call");
        via.push(t.elapsed().as_secs_f64() * 1e3);
        assert_ne!(r.is_error, Some(true));
        let t = Instant::now();
        let id = http
            .post(&run_url)
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .json(&args["arguments"])
            .send()
            .await
            .expect("run")
            .text()
            .await
            .expect("id");
        let res = http
            .get(format!(
                "{}/api/w/{}/jobs_u/completed/get_result_maybe/{id}",
                fake.base_url,
                windmill_fake::WS_BIG
            ))
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .send()
            .await
            .expect("result")
            .bytes()
            .await
            .expect("body");
        direct_run.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!res.is_empty());
    }
    let _ = client.cancel().await;
    let _ = server.child.kill().await;

    // 10,000 scripts: cold discovery, search, memory once read.
    let fake10k = windmill_fake::start_with(big_fake_state(10_000, 0)).await;
    let mut server10k = start_server(&fake10k.base_url).await;
    let cold10k = cold(&fake10k, &server10k.url).await;
    let client10k = connect(&server10k.url).await;
    let _ = search_times(&client10k, &queries, 1).await;
    let search10k = search_times(&client10k, &queries, (iterations / queries.len()).max(3)).await;
    let rss10k = rss(server10k.pid);
    let _ = client10k.cancel().await;
    let _ = server10k.child.kill().await;

    // `--spec live`: from starting the process to the first tools/list, with the fake serving
    // v1.740.0's document (read and lowered at start). The 10,000-script fake is still running.
    let mut live_ms = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let served = common::serve(&fake10k.base_url, &["--spec", "live"]).await;
        // Endpoint tools only: the time is the spec's, not the workspace listing's.
        let url = format!(
            "http://{}/api/mcp/w/{}/mcp?scripts=none&flows=none",
            served.listen,
            windmill_fake::WS_BIG
        );
        let c = connect(&url).await;
        let tools = c.list_tools(None).await.expect("live tools/list");
        live_ms.push(t.elapsed().as_secs_f64() * 1e3);
        // v1.740.0's curated set has no listDataMetrics (v1.795.0's has).
        assert!(tools.tools.len() > 30);
        assert!(!tools.tools.iter().any(|t| t.name == "listDataMetrics"));
        let _ = c.cancel().await;
        drop(served);
    }
    live_ms.sort_by(f64::total_cmp);
    let (l50, l99) = summary(list);
    let (w50, w99) = summary(raw);
    let (d50, d99) = summary(direct);
    let (s50, s99) = summary(search);
    let (t50, t99) = summary(search10k);
    let (v50, v99) = summary(via);
    let (r50, r99) = summary(direct_run);
    let line = |label: &str, c: &Cold| {
        println!(
            "  {label:<38} initialize + first page {:>8.1} ms; {} upstream calls ({} listing pages, {} schema fetches); {} tools ({} scripts and flows), {} B in {} tools/list page(s)",
            c.first_ms, c.upstream, c.pages, c.details, c.tools, c.items, c.bytes, c.list_pages
        );
    };
    println!(
        "windmill-mcp workspace benchmark: {scripts} scripts + {flows} flows + 46 realistic items in the fake Windmill, release build, loopback; load average at the start: {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    line("cold discovery, default (auto)", &auto);
    line("cold discovery, ?scripts=all&flows=all", &everything);
    println!(
        "  warm tools/list, {} tools in {} page(s)  p50 {l50:>8.3} ms   p99 {l99:>8.3} ms",
        auto.tools, auto.list_pages
    );
    println!("  the same over raw HTTP, not parsed     p50 {w50:>8.3} ms   p99 {w99:>8.3} ms");
    println!("  direct GET of 100 scripts (floor)      p50 {d50:>8.3} ms   p99 {d99:>8.3} ms");
    println!(
        "  search_endpoints, 5,546 items + API    p50 {s50:>8.3} ms   p99 {s99:>8.3} ms   ({} queries)",
        queries.len()
    );
    println!("  search_endpoints, 10,000 items + API   p50 {t50:>8.3} ms   p99 {t99:>8.3} ms");
    println!("  unlisted script via call_endpoint      p50 {v50:>8.3} ms   p99 {v99:>8.3} ms");
    println!("  same two requests made directly        p50 {r50:>8.3} ms   p99 {r99:>8.3} ms");
    line("cold discovery, 10,000 scripts", &cold10k);
    println!(
        "  --spec live: start to first tools/list  {} ms (3 starts, v1.740.0's served document)",
        live_ms
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    println!(
        "  resident memory                        idle {idle} KiB; 5,546 items read {after_5500} KiB; 10,000 scripts read and searched {rss10k} KiB"
    );
}
