//! Workspace scripts and flows benchmark: `cargo bench --bench workspace`.
//!
//! Starts the fake Windmill in this process with a workspace of 5,000 scripts and 500 flows, and
//! `windmill-mcp serve` (the release binary) as a child process on loopback, then measures through
//! rmcp's client over Streamable HTTP:
//! - cold discovery: the first `tools/list`, which lists and fetches everything, with the number of
//!   upstream calls by kind;
//! - warm `tools/list`: one page (the default 100 tools) and the whole list (all pages), against a
//!   direct HTTP GET of one page of the fake's script listing (the floor);
//! - a script tool call (run + wait) against the same two requests made directly;
//! - resident memory with 5,500 and with 10,000 scripts cached.
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

fn count(fake: &windmill_fake::FakeWindmill, path: &str) -> usize {
    fake.requests_matching("GET", path).len()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let iterations: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let (scripts, flows) = (5000, 500);
    let mut st = windmill_fake::FakeState::seeded();
    windmill_fake::add_big_workspace(&mut st, scripts, flows);
    let fake = windmill_fake::start_with(st).await;
    let mut server = start_server(&fake.base_url).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss(server.pid);
    let client = connect(&server.url).await;

    // Cold discovery.
    fake.clear_requests();
    let t = Instant::now();
    let first = client.list_tools(None).await.expect("first page");
    let cold = t.elapsed();
    let upstream = fake.requests().len();
    let pages = count(&fake, "/scripts/list") + count(&fake, "/flows/list");
    let details = count(&fake, "/scripts/get/p/") + count(&fake, "/flows/get/");
    let resources = count(&fake, "/resources/list");
    let all = client.list_all_tools().await.expect("all pages");
    let items = all
        .iter()
        .filter(|t| t.name.starts_with("s-") || t.name.starts_with("f-"))
        .count();
    let after_5500 = rss(server.pid);

    // Warm tools/list: one page, and the whole list.
    let http = reqwest::Client::new();
    let direct_url = format!(
        "{}/api/w/{}/scripts/list?per_page=100&page=7",
        fake.base_url,
        windmill_fake::WS_BIG
    );
    for _ in 0..30 {
        let _ = client.list_tools(None).await.expect("warm up");
        let _ = http
            .get(&direct_url)
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .send()
            .await
            .expect("direct")
            .bytes()
            .await;
    }
    let mut page = Vec::with_capacity(iterations);
    let mut later_page = Vec::with_capacity(iterations);
    let mut direct = Vec::with_capacity(iterations);
    let cursor =
        Some(rmcp::model::PaginatedRequestParams::default().with_cursor(Some("o:3000".into())));
    for _ in 0..iterations {
        let t = Instant::now();
        let r = client.list_tools(None).await.expect("page");
        page.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.tools.len(), first.tools.len());
        let t = Instant::now();
        let r = client
            .list_tools(cursor.clone())
            .await
            .expect("page at 3000");
        later_page.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!r.tools.is_empty());
        let t = Instant::now();
        let b = http
            .get(&direct_url)
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .send()
            .await
            .expect("direct")
            .bytes()
            .await
            .expect("body");
        direct.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!b.is_empty());
    }
    let mut full = Vec::new();
    for _ in 0..(iterations / 25).max(5) {
        let t = Instant::now();
        let r = client.list_all_tools().await.expect("all");
        full.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.len(), all.len());
    }

    // A script tool call (run + one poll) against the same two requests made directly.
    let name = "s-u_ana_task9";
    let args = serde_json::json!({"name": "bench"})
        .as_object()
        .cloned()
        .unwrap_or_default();
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
            .call_tool(CallToolRequestParams::new(name).with_arguments(args.clone()))
            .await
            .expect("call");
        via.push(t.elapsed().as_secs_f64() * 1e3);
        assert_ne!(r.is_error, Some(true));
        let t = Instant::now();
        let id = http
            .post(&run_url)
            .bearer_auth(windmill_fake::TOKEN_BIG_ANA)
            .json(&args)
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

    // Memory with 10,000 scripts cached.
    let mut st = windmill_fake::FakeState::seeded();
    windmill_fake::add_big_workspace(&mut st, 10_000, 0);
    let fake10k = windmill_fake::start_with(st).await;
    let mut server10k = start_server(&fake10k.base_url).await;
    let client10k = connect(&server10k.url).await;
    let t = Instant::now();
    let _ = client10k.list_tools(None).await.expect("cold 10k");
    let cold10k = t.elapsed();
    let rss10k_cached = rss(server10k.pid);
    let all10k = client10k.list_all_tools().await.expect("all 10k");
    let rss10k = rss(server10k.pid);
    let _ = client10k.cancel().await;
    let _ = server10k.child.kill().await;

    let (p50, p99) = summary(page);
    let (lp50, lp99) = summary(later_page);
    let (d50, d99) = summary(direct);
    let (f50, f99) = summary(full);
    let (v50, v99) = summary(via);
    let (r50, r99) = summary(direct_run);
    println!(
        "windmill-mcp workspace benchmark: {scripts} scripts + {flows} flows in the fake Windmill, release build, loopback"
    );
    println!(
        "  cold discovery (first tools/list)      {:>9.1} ms; {upstream} upstream calls: {pages} listing pages, {details} schema fetches, {resources} resource listings",
        cold.as_secs_f64() * 1e3
    );
    println!(
        "  tools listed                           {} ({items} scripts and flows)",
        all.len()
    );
    println!(
        "  warm tools/list, first page of {:>4}    p50 {p50:>8.3} ms   p99 {p99:>8.3} ms",
        first.tools.len()
    );
    println!("  warm tools/list, page at offset 3000   p50 {lp50:>8.3} ms   p99 {lp99:>8.3} ms");
    println!("  direct GET of 100 scripts (floor)      p50 {d50:>8.3} ms   p99 {d99:>8.3} ms");
    println!(
        "  warm tools/list, all {} tools        p50 {f50:>8.3} ms   p99 {f99:>8.3} ms",
        all.len()
    );
    println!("  script tool call (run + wait)          p50 {v50:>8.3} ms   p99 {v99:>8.3} ms");
    println!("  same two requests made directly        p50 {r50:>8.3} ms   p99 {r99:>8.3} ms");
    println!(
        "  resident memory                        idle {idle} KiB; 5,500 items cached {after_5500} KiB; 10,000 scripts cached {rss10k_cached} KiB, after listing all of them {rss10k} KiB ({} tools, cold discovery {:.1} ms)",
        all10k.len(),
        cold10k.as_secs_f64() * 1e3
    );
}
