//! windmill-mcp against FastMCP's OpenAPI integration: `scripts/bench-fastmcp.sh` (by hand, not in CI).
//!
//! Starts the fake Windmill in this process, then `windmill-mcp serve` (release binary) and a FastMCP
//! server (`scripts/fastmcp_server.py`: `FastMCP.from_openapi` on the same v1.743.0 spec, bundled into
//! one JSON file) as child processes on loopback, both pointed at the fake. Everything is measured
//! through the same client, rmcp's, over Streamable HTTP:
//! - start-up: from spawning the process to the first answered `tools/list`;
//! - `tools/list`: bytes of the serialized results (all pages), latency p50/p99;
//! - tool calls: a small GET, a list with query parameters and a POST with a JSON body, each also made
//!   directly with reqwest against the fake (the floor); overhead = server p50 − direct p50;
//! - throughput at 50 and 200 concurrent clients, each with its own MCP session;
//! - resident memory (VmRSS) idle, peak under load and after.
//!
//! It prints one table; nothing is asserted about time. Settings (environment):
//! - `BENCH_FASTMCP_PYTHON` (default `target/bench-venv/bin/python`), `BENCH_FASTMCP_SPEC` (default
//!   `target/bench/windmill-v1.743.0.json`): made by `scripts/bench-fastmcp.sh`;
//! - `BENCH_LIST_ITERS` (200) / `BENCH_LIST_ITERS_FASTMCP` (20): `tools/list` repetitions;
//! - `BENCH_CALL_ITERS` (500) / `BENCH_CALL_ITERS_FASTMCP` (100): calls per operation;
//! - `BENCH_TP_CALLS` (50) / `BENCH_TP_CALLS_FASTMCP` (10): calls per client in the throughput runs;
//! - `BENCH_CLIENTS` (`50,200`): concurrent clients of the throughput runs.

mod common;

use common::{env_usize, free_port, rss_kib, summary};

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ClientRequest, Implementation,
    ListToolsRequest, PaginatedRequestParams, ProtocolVersion, ServerResult,
};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};

type Client = RunningService<RoleClient, ClientConfig>;

const CALL_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// CPU time (user + system) a process has used, in milliseconds.
fn cpu_ms(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // Clock ticks of USER_HZ, which is 100 on Linux (`getconf CLK_TCK`).
    Some(ticks * 10.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn command_line(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".into())
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "?".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Samples a process's VmRSS every 50 ms until stopped; gives the peak in KiB.
struct RssSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<u64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut peak = rss_kib(pid).unwrap_or(0);
            while !flag.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                peak = peak.max(rss_kib(pid).unwrap_or(0));
            }
            peak
        });
        RssSampler { stop, task }
    }

    async fn peak(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// MCP client side
// ---------------------------------------------------------------------------------------------

async fn connect(url: &str) -> Result<Client, String> {
    let cfg = StreamableHttpClientTransportConfig::with_uri(url.to_owned())
        // rmcp's default limits (16 MiB per SSE event or JSON body) take FastMCP's 1.4 MB page.
        .auth_header(windmill_fake::TOKEN_ALICE.to_owned());
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("bench-compare", "0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
    .serve(StreamableHttpClientTransport::from_config(cfg))
    .await
    .map_err(|e| e.to_string())
}

/// One `tools/list` request straight to the server (no client-side cache).
async fn list_page(
    client: &Client,
    cursor: Option<String>,
) -> Result<rmcp::model::ListToolsResult, String> {
    let req = match cursor {
        None => ListToolsRequest {
            method: Default::default(),
            params: None,
            extensions: Default::default(),
        },
        Some(c) => {
            ListToolsRequest::with_param(PaginatedRequestParams::default().with_cursor(Some(c)))
        }
    };
    match client
        .send_request(ClientRequest::ListToolsRequest(req))
        .await
        .map_err(|e| e.to_string())?
    {
        ServerResult::ListToolsResult(r) => Ok(r),
        other => Err(format!("unexpected answer to tools/list: {other:?}")),
    }
}

/// Every page of `tools/list`: (tools, pages, bytes of the serialized results).
async fn list_all(client: &Client) -> Result<(usize, usize, usize), String> {
    let (mut tools, mut pages, mut bytes) = (0, 0, 0);
    let mut cursor = None;
    loop {
        let page = list_page(client, cursor).await?;
        tools += page.tools.len();
        pages += 1;
        bytes += serde_json::to_vec(&page).map_err(|e| e.to_string())?.len();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok((tools, pages, bytes)),
        }
    }
}

/// A tool call: Ok(()) for a result that is not `isError`, Err(text) otherwise.
async fn call(client: &Client, tool: &str, args: &Value) -> Result<(), String> {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(args.as_object().cloned().unwrap_or_default());
    match tokio::time::timeout(CALL_TIMEOUT, client.call_tool(params)).await {
        Err(_) => Err("timed out".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(r)) if r.is_error == Some(true) => Err(r
            .content
            .iter()
            .find_map(|c| c.as_text().map(|t| t.text.clone()))
            .unwrap_or_else(|| "isError without text".into())),
        Ok(Ok(_)) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The two servers
// ---------------------------------------------------------------------------------------------

struct Server {
    child: tokio::process::Child,
    pid: u32,
    /// The URL that lists every operation.
    url_all: String,
    /// windmill-mcp's default (curated) URL; FastMCP has no other selection.
    url_default: Option<String>,
    /// FastMCP's tools take Windmill's `workspace` path parameter; ours take it from the URL.
    workspace_arg: bool,
    startup: Duration,
}

impl Server {
    fn args(&self, v: &Value) -> Value {
        let mut v = v.clone();
        if self.workspace_arg {
            if let Some(m) = v.as_object_mut() {
                m.insert("workspace".into(), json!(windmill_fake::WS_DEMO));
            }
        }
        v
    }
}

/// Spawns, then waits for the port and times the first answered `tools/list`.
async fn start_server(
    name: &'static str,
    mut cmd: tokio::process::Command,
    port: u16,
    url_all: String,
    url_default: Option<String>,
    workspace_arg: bool,
) -> Server {
    let t0 = Instant::now();
    let mut child = cmd
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let pid = child.id().unwrap_or(0);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited before listening: {status}");
        }
        if t0.elapsed() > Duration::from_secs(120) {
            panic!("{name} did not listen on {port} within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let client = connect(&url_all)
        .await
        .unwrap_or_else(|e| panic!("{name}: initialize: {e}"));
    list_page(&client, None)
        .await
        .unwrap_or_else(|e| panic!("{name}: first tools/list: {e}"));
    let startup = t0.elapsed();
    let _ = client.cancel().await;
    Server {
        child,
        pid,
        url_all,
        url_default,
        workspace_arg,
        startup,
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

struct ListStats {
    tools: usize,
    pages: usize,
    bytes: usize,
    p50: f64,
    p99: f64,
}

async fn measure_list(url: &str, iters: usize, warmup: usize) -> ListStats {
    let client = connect(url).await.expect("initialize for tools/list");
    let (tools, pages, bytes) = list_all(&client).await.expect("tools/list");
    for _ in 0..warmup {
        list_all(&client).await.expect("tools/list (warm-up)");
    }
    let mut lat = Vec::with_capacity(iters);
    for _ in 0..iters {
        let t = Instant::now();
        let (n, _, _) = list_all(&client).await.expect("tools/list");
        lat.push(ms(t.elapsed()));
        assert_eq!(n, tools, "tools/list changed between calls");
    }
    let _ = client.cancel().await;
    let (p50, p99) = summary(lat);
    ListStats {
        tools,
        pages,
        bytes,
        p50,
        p99,
    }
}

/// What the direct request to the fake is.
enum Direct {
    Get(String),
    PostJson(String, Value),
}

struct Op {
    label: &'static str,
    tool: &'static str,
    args: Value,
    direct: Direct,
}

async fn direct_once(http: &reqwest::Client, base: &str, d: &Direct) -> Result<(), String> {
    let req = match d {
        Direct::Get(p) => http.get(format!("{base}{p}")),
        Direct::PostJson(p, body) => http.post(format!("{base}{p}")).json(body),
    };
    let resp = req
        .bearer_auth(windmill_fake::TOKEN_ALICE)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() && !body.is_empty() {
        Ok(())
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
    }
}

struct Lat {
    p50: f64,
    p99: f64,
    errors: usize,
    first_error: Option<String>,
}

fn lat_of(v: Vec<f64>, errors: usize, first_error: Option<String>) -> Lat {
    let (p50, p99) = summary(v);
    Lat {
        p50,
        p99,
        errors,
        first_error,
    }
}

/// Sequential calls of one operation: direct, ours and FastMCP interleaved, so all three see the
/// same machine conditions. FastMCP makes only the first `fm_iters` of them.
async fn measure_op(
    op: &Op,
    http: &reqwest::Client,
    base: &str,
    (ours, ours_srv): (&Client, &Server),
    (fm, fm_srv): (&Client, &Server),
    (iters, fm_iters): (usize, usize),
) -> (Lat, Lat, Lat) {
    let a_ours = ours_srv.args(&op.args);
    let a_fm = fm_srv.args(&op.args);
    for _ in 0..20 {
        let _ = direct_once(http, base, &op.direct).await;
        let _ = call(ours, op.tool, &a_ours).await;
        let _ = call(fm, op.tool, &a_fm).await;
    }
    let (mut d, mut o, mut f) = (Vec::new(), Vec::new(), Vec::new());
    let (mut de, mut oe, mut fe) = (0, 0, 0);
    let (mut d1, mut o1, mut f1) = (None, None, None);
    for i in 0..iters {
        let t = Instant::now();
        if let Err(e) = direct_once(http, base, &op.direct).await {
            de += 1;
            d1.get_or_insert(e);
        }
        d.push(ms(t.elapsed()));
        let t = Instant::now();
        if let Err(e) = call(ours, op.tool, &a_ours).await {
            oe += 1;
            o1.get_or_insert(e);
        }
        o.push(ms(t.elapsed()));
        if i < fm_iters {
            let t = Instant::now();
            if let Err(e) = call(fm, op.tool, &a_fm).await {
                fe += 1;
                f1.get_or_insert(e);
            }
            f.push(ms(t.elapsed()));
        }
    }
    (lat_of(o, oe, o1), lat_of(f, fe, f1), lat_of(d, de, d1))
}

struct Throughput {
    calls_per_s: f64,
    ok: usize,
    errors: usize,
    first_error: Option<String>,
    peak_rss_kib: u64,
    /// Server CPU time (user + system) per answered call.
    cpu_ms_per_call: f64,
    /// This process's CPU time (the clients and the fake Windmill) per answered call.
    bench_cpu_ms_per_call: f64,
}

/// `clients` MCP sessions (opened first), each making `calls` sequential calls; the clock runs
/// from the first call to the last answer.
async fn throughput_mcp(
    srv: &Server,
    tool: &'static str,
    args: &Value,
    clients: usize,
    calls: usize,
) -> Throughput {
    let args = srv.args(args);
    let url = srv.url_all.clone();
    let mut sessions = Vec::with_capacity(clients);
    let mut errors = 0;
    let mut first_error = None;
    // Open the sessions first, 16 at a time, so set-up is not part of the measured storm.
    let opened: Vec<Result<Client, String>> = futures::stream::iter((0..clients).map(|_| {
        let url = url.clone();
        async move { connect(&url).await }
    }))
    .buffer_unordered(16)
    .collect()
    .await;
    for s in opened {
        match s {
            Ok(c) => sessions.push(c),
            Err(e) => {
                errors += calls;
                first_error.get_or_insert(format!("initialize: {e}"));
            }
        }
    }
    let sampler = RssSampler::start(srv.pid);
    let cpu0 = cpu_ms(srv.pid);
    let bench0 = cpu_ms(std::process::id());
    let ok = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let tasks: Vec<_> = sessions
        .into_iter()
        .map(|c| {
            let args = args.clone();
            let ok = ok.clone();
            tokio::spawn(async move {
                let mut errs = 0usize;
                let mut first = None;
                for _ in 0..calls {
                    match call(&c, tool, &args).await {
                        Ok(()) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            errs += 1;
                            first.get_or_insert(e);
                        }
                    }
                }
                (c, errs, first)
            })
        })
        .collect();
    let mut done = Vec::with_capacity(tasks.len());
    for t in tasks {
        match t.await {
            Ok((c, e, f)) => {
                errors += e;
                if let Some(f) = f {
                    first_error.get_or_insert(f);
                }
                done.push(c);
            }
            Err(e) => {
                errors += calls;
                first_error.get_or_insert(format!("task: {e}"));
            }
        }
    }
    let elapsed = t0.elapsed();
    let cpu1 = cpu_ms(srv.pid);
    let bench1 = cpu_ms(std::process::id());
    let peak_rss_kib = sampler.peak().await;
    futures::future::join_all(done.into_iter().map(|c| async move {
        let _ = tokio::time::timeout(Duration::from_secs(10), c.cancel()).await;
    }))
    .await;
    let ok = ok.load(Ordering::Relaxed) as usize;
    let per_call = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if ok > 0 => (b - a) / ok as f64,
        _ => f64::NAN,
    };
    let cpu_ms_per_call = per_call(cpu0, cpu1);
    let bench_cpu_ms_per_call = per_call(bench0, bench1);
    Throughput {
        calls_per_s: ok as f64 / elapsed.as_secs_f64(),
        ok,
        errors,
        first_error,
        peak_rss_kib,
        cpu_ms_per_call,
        bench_cpu_ms_per_call,
    }
}

/// The floor: `clients` tasks sharing one reqwest client, each making `calls` GETs.
async fn throughput_direct(
    http: &reqwest::Client,
    base: &str,
    d: &str,
    clients: usize,
    calls: usize,
) -> Throughput {
    let ok = Arc::new(AtomicU64::new(0));
    let errs = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, ok, errs) = (http.clone(), ok.clone(), errs.clone());
            let (base, d) = (base.to_owned(), Direct::Get(d.to_owned()));
            tokio::spawn(async move {
                for _ in 0..calls {
                    match direct_once(&http, &base, &d).await {
                        Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(_) => errs.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = t0.elapsed();
    let ok = ok.load(Ordering::Relaxed) as usize;
    Throughput {
        calls_per_s: ok as f64 / elapsed.as_secs_f64(),
        ok,
        errors: errs.load(Ordering::Relaxed) as usize,
        first_error: None,
        peak_rss_kib: 0,
        cpu_ms_per_call: f64::NAN,
        bench_cpu_ms_per_call: f64::NAN,
    }
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

struct Row {
    metric: String,
    ours: String,
    fm: String,
    direct: String,
    ratio: String,
}

fn row(metric: impl Into<String>, ours: String, fm: String, direct: String, ratio: String) -> Row {
    Row {
        metric: metric.into(),
        ours,
        fm,
        direct,
        ratio,
    }
}

/// "FastMCP/ours 12.3×": how many times FastMCP's figure is ours (lower is better).
fn ratio_fm(ours: f64, fm: f64) -> String {
    if ours > 0.0 && fm.is_finite() && ours.is_finite() {
        format!("FastMCP/ours {:.1}×", fm / ours)
    } else {
        "—".into()
    }
}

/// "ours/FastMCP 12.3×": how many times ours is FastMCP's figure (higher is better).
fn ratio_ours(ours: f64, fm: f64) -> String {
    if fm > 0.0 && fm.is_finite() && ours.is_finite() {
        format!("ours/FastMCP {:.1}×", ours / fm)
    } else {
        "—".into()
    }
}

fn f_ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn f_mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn print_table(rows: &[Row]) {
    let head = row(
        "metric",
        "windmill-mcp".into(),
        "FastMCP".into(),
        "direct HTTP".into(),
        "ratio".into(),
    );
    let w0 = rows
        .iter()
        .chain(std::iter::once(&head))
        .map(|r| r.metric.chars().count())
        .max()
        .unwrap_or(10);
    let w = |f: fn(&Row) -> &String| {
        rows.iter()
            .chain(std::iter::once(&head))
            .map(|r| f(r).chars().count())
            .max()
            .unwrap_or(10)
    };
    let (w1, w2, w3, w4) = (
        w(|r| &r.ours),
        w(|r| &r.fm),
        w(|r| &r.direct),
        w(|r| &r.ratio),
    );
    let line = |r: &Row| {
        format!(
            "| {:<w0$} | {:>w1$} | {:>w2$} | {:>w3$} | {:<w4$} |",
            r.metric, r.ours, r.fm, r.direct, r.ratio
        )
    };
    println!("{}", line(&head));
    println!(
        "|{}|{}:|{}:|{}:|{}|",
        "-".repeat(w0 + 2),
        "-".repeat(w1 + 1),
        "-".repeat(w2 + 1),
        "-".repeat(w3 + 1),
        "-".repeat(w4 + 2)
    );
    for r in rows {
        println!("{}", line(r));
    }
}

async fn timed<T>(label: &str, f: impl Future<Output = T>) -> T {
    let t = Instant::now();
    let out = f.await;
    eprintln!("[compare] {label}: {:.1} s", t.elapsed().as_secs_f64());
    out
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = env!("CARGO_MANIFEST_DIR");
    let python = std::env::var("BENCH_FASTMCP_PYTHON")
        .unwrap_or_else(|_| format!("{root}/target/bench-venv/bin/python"));
    let spec = std::env::var("BENCH_FASTMCP_SPEC")
        .unwrap_or_else(|_| format!("{root}/target/bench/windmill-v1.743.0.json"));
    let server_py = format!("{root}/scripts/fastmcp_server.py");
    for (what, p) in [("python", &python), ("bundled spec", &spec)] {
        assert!(
            std::path::Path::new(p).exists(),
            "{what} {p} is missing: run scripts/bench-fastmcp.sh"
        );
    }
    let list_iters = env_usize("BENCH_LIST_ITERS", 200);
    let list_iters_fm = env_usize("BENCH_LIST_ITERS_FASTMCP", 20);
    let call_iters = env_usize("BENCH_CALL_ITERS", 500);
    let call_iters_fm = env_usize("BENCH_CALL_ITERS_FASTMCP", 100);
    let tp_calls = env_usize("BENCH_TP_CALLS", 50);
    let tp_calls_fm = env_usize("BENCH_TP_CALLS_FASTMCP", 10);
    let client_counts: Vec<usize> = std::env::var("BENCH_CLIENTS")
        .unwrap_or_else(|_| "50,200".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();

    let ncpu = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let load_start = loadavg();
    let ours_version = command_line(env!("CARGO_BIN_EXE_windmill-mcp"), &["--version"]);
    let fm_version = command_line(
        &python,
        &[
            "-c",
            "import fastmcp; print('fastmcp', fastmcp.__version__)",
        ],
    );
    println!("windmill-mcp vs FastMCP OpenAPI: loopback, fake Windmill in the bench process, rmcp client over Streamable HTTP");
    println!(
        "  date          {}",
        command_line("date", &["-u", "+%Y-%m-%d %H:%M:%S UTC"])
    );
    println!("  machine       nproc {ncpu}, {} RAM", mem_total());
    println!("  load at start {load_start}");
    println!(
        "  versions      {ours_version} (release build); {fm_version}; python {}",
        command_line(
            &python,
            &["-c", "import sys; print(sys.version.split()[0])"]
        )
    );
    println!(
        "  iterations    tools/list {list_iters} (FastMCP {list_iters_fm}); calls {call_iters} per op (FastMCP {call_iters_fm}); throughput {tp_calls} calls/client (FastMCP {tp_calls_fm}) at {client_counts:?} clients"
    );

    let fake = windmill_fake::start().await;
    let base = fake.base_url.clone();

    // --- start-up -------------------------------------------------------------------------------
    let port = free_port();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"));
    cmd.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--base-url",
        &base,
    ])
    .env("RUST_LOG", "warn");
    let ours_url = format!(
        "http://127.0.0.1:{port}/api/mcp/w/{}/mcp",
        windmill_fake::WS_DEMO
    );
    let ours = timed(
        "windmill-mcp start",
        start_server(
            "windmill-mcp",
            cmd,
            port,
            format!("{ours_url}?tools=all"),
            Some(ours_url.clone()),
            false,
        ),
    )
    .await;

    let port = free_port();
    let log_path = format!("{root}/target/bench/fastmcp-server.log");
    let log = std::fs::File::create(&log_path)
        .or_else(|_| std::fs::File::create("/dev/null"))
        .expect("log file for the FastMCP server");
    let mut cmd = tokio::process::Command::new(&python);
    cmd.args([
        server_py.as_str(),
        "--spec",
        &spec,
        "--base-url",
        &base,
        "--token",
        windmill_fake::TOKEN_ALICE,
        "--port",
        &port.to_string(),
    ])
    .env("PYTHONUNBUFFERED", "1")
    .stdout(log.try_clone().expect("dup log"))
    .stderr(log);
    let fm = timed(
        "FastMCP start",
        start_server(
            "FastMCP",
            cmd,
            port,
            format!("http://127.0.0.1:{port}/mcp"),
            None,
            true,
        ),
    )
    .await;

    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_ours = rss_kib(ours.pid).unwrap_or(0);
    let idle_fm = rss_kib(fm.pid).unwrap_or(0);

    // --- tools/list -----------------------------------------------------------------------------
    let list_ours_all = timed(
        "tools/list windmill-mcp all",
        measure_list(&ours.url_all, list_iters, 20),
    )
    .await;
    let list_ours_default = timed(
        "tools/list windmill-mcp default",
        measure_list(
            ours.url_default.as_deref().unwrap_or(&ours.url_all),
            list_iters,
            20,
        ),
    )
    .await;
    let list_fm = timed(
        "tools/list FastMCP",
        measure_list(&fm.url_all, list_iters_fm, 3),
    )
    .await;

    // --- calls ----------------------------------------------------------------------------------
    let ws = windmill_fake::WS_DEMO;
    let ops = [
        Op {
            label: "small GET (getScriptByPath)",
            tool: "getScriptByPath",
            args: json!({"path": "f/folder/my_script"}),
            direct: Direct::Get(format!("/api/w/{ws}/scripts/get/p/f/folder/my_script")),
        },
        Op {
            label: "list with query (listVariable)",
            tool: "listVariable",
            args: json!({"path_start": "f/", "page": 1, "per_page": 10}),
            direct: Direct::Get(format!(
                "/api/w/{ws}/variables/list?path_start=f%2F&page=1&per_page=10"
            )),
        },
        Op {
            label: "POST with body (runScriptPreviewAndWaitResult)",
            tool: "runScriptPreviewAndWaitResult",
            args: json!({"content": "def main(a, b):\n    return a + b\n", "language": "python3", "args": {"a": 1, "b": 2}}),
            direct: Direct::PostJson(
                format!("/api/w/{ws}/jobs/run_wait_result/preview"),
                json!({"content": "def main(a, b):\n    return a + b\n", "language": "python3", "args": {"a": 1, "b": 2}}),
            ),
        },
    ];
    let http = reqwest::Client::new();
    let c_ours = connect(&ours.url_all)
        .await
        .expect("initialize windmill-mcp");
    let c_fm = connect(&fm.url_all).await.expect("initialize FastMCP");
    let mut op_results = Vec::new();
    for op in &ops {
        let r = timed(
            op.label,
            measure_op(
                op,
                &http,
                &base,
                (&c_ours, &ours),
                (&c_fm, &fm),
                (call_iters, call_iters_fm),
            ),
        )
        .await;
        op_results.push(r);
    }

    // Same call through both: do the answers of Windmill's real shapes pass?
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let checks = [
        ("getScriptByPath", json!({"path": "f/folder/my_script"})),
        ("listScripts", json!({"per_page": 5, "page": 1})),
        ("listFlows", json!({"per_page": 5, "page": 1})),
        (
            "createVariable",
            json!({"path": format!("u/alice/bench_{stamp}"), "value": "v", "is_secret": false, "description": "bench"}),
        ),
        ("backendVersion", json!({})),
    ];
    let mut check_lines = Vec::new();
    for (tool, args) in &checks {
        let mut a2 = args.clone();
        if let (Some(m), Some(p)) = (a2.as_object_mut(), args.get("path").and_then(Value::as_str)) {
            if *tool == "createVariable" {
                m.insert("path".into(), json!(format!("{p}_fm")));
            }
        }
        let o = call(&c_ours, tool, &ours.args(args)).await;
        let f = call(&c_fm, tool, &fm.args(&a2)).await;
        let show = |r: &Result<(), String>| match r {
            Ok(()) => "ok".to_string(),
            Err(e) => format!(
                "error: {}",
                e.chars().take(110).collect::<String>().replace('\n', " ")
            ),
        };
        check_lines.push(format!(
            "  {tool:<16} windmill-mcp {:<40} FastMCP {}",
            show(&o),
            show(&f)
        ));
    }
    let _ = c_ours.cancel().await;
    let _ = c_fm.cancel().await;
    let after_calls_ours = rss_kib(ours.pid).unwrap_or(0);
    let after_calls_fm = rss_kib(fm.pid).unwrap_or(0);

    // --- throughput -----------------------------------------------------------------------------
    let tp_args = json!({"path": "f/folder/my_script"});
    let tp_direct = format!("/api/w/{ws}/scripts/get/p/f/folder/my_script");
    let mut tp = Vec::new();
    for &n in &client_counts {
        let o = timed(
            &format!("throughput windmill-mcp {n} clients"),
            throughput_mcp(&ours, "getScriptByPath", &tp_args, n, tp_calls),
        )
        .await;
        let f = timed(
            &format!("throughput FastMCP {n} clients"),
            throughput_mcp(&fm, "getScriptByPath", &tp_args, n, tp_calls_fm),
        )
        .await;
        let d = timed(
            &format!("throughput direct {n} clients"),
            throughput_direct(&http, &base, &tp_direct, n, tp_calls),
        )
        .await;
        tp.push((n, o, f, d));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_ours = rss_kib(ours.pid).unwrap_or(0);
    let after_fm = rss_kib(fm.pid).unwrap_or(0);
    let load_end = loadavg();

    // --- the table ------------------------------------------------------------------------------
    let mut rows = Vec::new();
    rows.push(row(
        "start-up to first answered tools/list",
        f_ms(ms(ours.startup)),
        f_ms(ms(fm.startup)),
        "—".into(),
        ratio_fm(ms(ours.startup), ms(fm.startup)),
    ));
    rows.push(row(
        "tools listed (all operations)",
        format!("{} in {} pages", list_ours_all.tools, list_ours_all.pages),
        format!("{} in {} page(s)", list_fm.tools, list_fm.pages),
        "—".into(),
        "—".into(),
    ));
    rows.push(row(
        "tools/list bytes, all operations",
        format!("{} B", thousands(list_ours_all.bytes as u64)),
        format!("{} B", thousands(list_fm.bytes as u64)),
        "—".into(),
        ratio_fm(list_ours_all.bytes as f64, list_fm.bytes as f64),
    ));
    rows.push(row(
        format!(
            "tools/list bytes, ours default ({} tools) vs FastMCP all",
            list_ours_default.tools
        ),
        format!("{} B", thousands(list_ours_default.bytes as u64)),
        format!("{} B", thousands(list_fm.bytes as u64)),
        "—".into(),
        ratio_fm(list_ours_default.bytes as f64, list_fm.bytes as f64),
    ));
    for (label, p) in [("p50", 0), ("p99", 1)] {
        let pick = |s: &ListStats| if p == 0 { s.p50 } else { s.p99 };
        rows.push(row(
            format!("tools/list all operations, all pages, {label}"),
            f_ms(pick(&list_ours_all)),
            f_ms(pick(&list_fm)),
            "—".into(),
            ratio_fm(pick(&list_ours_all), pick(&list_fm)),
        ));
    }
    for (label, p) in [("p50", 0), ("p99", 1)] {
        let pick = |s: &ListStats| if p == 0 { s.p50 } else { s.p99 };
        rows.push(row(
            format!("tools/list ours default vs FastMCP all, {label}"),
            f_ms(pick(&list_ours_default)),
            f_ms(pick(&list_fm)),
            "—".into(),
            ratio_fm(pick(&list_ours_default), pick(&list_fm)),
        ));
    }
    let mut notes = Vec::new();
    for (op, (o, f, d)) in ops.iter().zip(&op_results) {
        rows.push(row(
            format!("{} p50", op.label),
            f_ms(o.p50),
            f_ms(f.p50),
            f_ms(d.p50),
            ratio_fm(o.p50, f.p50),
        ));
        rows.push(row(
            format!("{} p99", op.label),
            f_ms(o.p99),
            f_ms(f.p99),
            f_ms(d.p99),
            ratio_fm(o.p99, f.p99),
        ));
        rows.push(row(
            format!("{} overhead (p50 − direct p50)", op.label),
            f_ms(o.p50 - d.p50),
            f_ms(f.p50 - d.p50),
            "0".into(),
            ratio_fm(o.p50 - d.p50, f.p50 - d.p50),
        ));
        for (who, l) in [("windmill-mcp", o), ("FastMCP", f), ("direct", d)] {
            if l.errors > 0 {
                notes.push(format!(
                    "  {} via {who}: {} errors, first: {}",
                    op.tool,
                    l.errors,
                    l.first_error.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    let mut peak_ours = after_calls_ours;
    let mut peak_fm = after_calls_fm;
    for (n, o, f, d) in &tp {
        rows.push(row(
            format!("throughput, {n} clients (getScriptByPath, calls/s)"),
            format!("{:.0}", o.calls_per_s),
            format!("{:.0}", f.calls_per_s),
            format!("{:.0}", d.calls_per_s),
            ratio_ours(o.calls_per_s, f.calls_per_s),
        ));
        rows.push(row(
            format!("  server CPU time per call, {n} clients"),
            f_ms(o.cpu_ms_per_call),
            f_ms(f.cpu_ms_per_call),
            "—".into(),
            ratio_fm(o.cpu_ms_per_call, f.cpu_ms_per_call),
        ));
        rows.push(row(
            format!("  client + fake CPU time per call, {n} clients"),
            f_ms(o.bench_cpu_ms_per_call),
            f_ms(f.bench_cpu_ms_per_call),
            "—".into(),
            "—".into(),
        ));
        rows.push(row(
            format!("  calls ok / errors, {n} clients"),
            format!("{} / {}", o.ok, o.errors),
            format!("{} / {}", f.ok, f.errors),
            format!("{} / {}", d.ok, d.errors),
            "—".into(),
        ));
        peak_ours = peak_ours.max(o.peak_rss_kib);
        peak_fm = peak_fm.max(f.peak_rss_kib);
        for (who, t) in [("windmill-mcp", o), ("FastMCP", f)] {
            if let Some(e) = &t.first_error {
                notes.push(format!(
                    "  throughput {n} clients via {who}: first error: {e}"
                ));
            }
        }
    }
    rows.push(row(
        "resident memory, idle",
        f_mib(idle_ours),
        f_mib(idle_fm),
        "—".into(),
        ratio_fm(idle_ours as f64, idle_fm as f64),
    ));
    rows.push(row(
        "resident memory, peak under load",
        f_mib(peak_ours),
        f_mib(peak_fm),
        "—".into(),
        ratio_fm(peak_ours as f64, peak_fm as f64),
    ));
    rows.push(row(
        "resident memory, after the run",
        f_mib(after_ours),
        f_mib(after_fm),
        "—".into(),
        ratio_fm(after_ours as f64, after_fm as f64),
    ));

    println!();
    print_table(&rows);
    println!();
    println!("  load at end   {load_end}");
    println!("Same call through both servers (fake Windmill answers with real Windmill's shapes):");
    for l in &check_lines {
        println!("{l}");
    }
    if !notes.is_empty() {
        println!("Errors during the runs:");
        for n in &notes {
            println!("{n}");
        }
    }
    for mut srv in [ours, fm] {
        let _ = srv.child.kill().await;
    }
}
