//! Load test: `cargo bench --bench load` (release build).
//!
//! By default it starts the fake Windmill in this process and `windmill-mcp serve` (the release
//! binary) as a child process on loopback, then opens `LOAD_SESSIONS` (200) MCP sessions at once,
//! each an rmcp client over Streamable HTTP with its own connection and session, and has each send
//! `LOAD_REQUESTS` (100) requests, one after the other, all sessions at the same time. The requests
//! are a mix of six kinds, rotated so that every kind is in flight at every moment:
//! - `tools/list` (first page);
//! - `getScriptByPath` (`f/folder/my_script`), `listScripts` (`per_page` 5), `getVariable`
//!   (`f/folder/api_url`) and `listVariable` (`path_start` `f/folder/`): endpoint tools;
//! - `s-u_admin_hello`: a workspace script tool (job run + result poll), with an argument unique to
//!   the request that must come back in the result.
//!
//! Every answer is checked: a protocol error, an `isError` result, an answer that lacks what it
//! should contain, or a request that takes longer than 60 s counts as an error. It prints the total
//! requests, wall time, throughput, p50/p99 latency per kind and overall, the server's resident
//! memory (VmRSS) before, at its highest during, and after the run, and the error count; it exits
//! with status 1 on any error.
//!
//! Environment:
//! - `LOAD_SESSIONS` (200), `LOAD_REQUESTS` (100 per session);
//! - `LOAD_STATELESS=1`: start the server with `--stateless`;
//! - `LOAD_URL`: start nothing and load this MCP URL instead (e.g. an nginx in front of replicas,
//!   see `scripts/scale-out.sh`), with the token `LOAD_TOKEN` (default `tok-alice`);
//!   `LOAD_SERVER_PIDS` (comma-separated) names the processes whose memory to report then.

mod common;

use common::{env_usize, pct, rss_kib};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};

type Client = RunningService<RoleClient, ClientConfig>;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const SCRIPT_TOOL: &str = "s-u_admin_hello";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ToolsList,
    GetScriptByPath,
    ListScripts,
    GetVariable,
    ListVariable,
    ScriptTool,
}

const KINDS: [Kind; 6] = [
    Kind::ToolsList,
    Kind::GetScriptByPath,
    Kind::ListScripts,
    Kind::GetVariable,
    Kind::ListVariable,
    Kind::ScriptTool,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::ToolsList => "tools/list (first page)",
            Kind::GetScriptByPath => "call getScriptByPath",
            Kind::ListScripts => "call listScripts per_page=5",
            Kind::GetVariable => "call getVariable",
            Kind::ListVariable => "call listVariable",
            Kind::ScriptTool => "call s-u_admin_hello (job)",
        }
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"))
        .unwrap_or(false)
}

/// User + system CPU time of a process, in seconds (`/proc/<pid>/stat`, fields 14 and 15).
fn cpu_secs(pid: &str) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count from the closing parenthesis.
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Some(ticks / if hz > 0 { hz as f64 } else { 100.0 })
}

fn cpu_all(pids: &[u32]) -> Option<f64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|p| cpu_secs(&p.to_string())).sum()
}

fn fmt_kib(v: Option<u64>) -> String {
    match v {
        Some(k) => format!("{k} KiB ({:.1} MiB)", k as f64 / 1024.0),
        None => "?".into(),
    }
}

/// What the bench records; shared by every session.
#[derive(Default)]
struct Record {
    latencies: BTreeMap<Kind, Vec<f64>>,
    errors: u64,
    /// The first few error messages, to print.
    samples: Vec<String>,
}

impl Record {
    fn error(&mut self, msg: String) {
        self.errors += 1;
        if self.samples.len() < 10 {
            self.samples.push(msg);
        }
    }
}

async fn connect(url: &str, token: &str) -> Result<Client, String> {
    let cfg =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).auth_header(token.to_owned());
    let fut = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("load", "0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
    .serve(StreamableHttpClientTransport::from_config(cfg));
    match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(format!("initialize: {e}")),
        Err(_) => Err("initialize: timed out".into()),
    }
}

fn args(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One request of `kind`; `Err` says what went wrong.
async fn one(client: &Client, kind: Kind, tag: &str) -> Result<(), String> {
    let (name, a, expect): (&str, Value, String) = match kind {
        Kind::ToolsList => {
            let r = client
                .list_tools(None)
                .await
                .map_err(|e| format!("tools/list: {e}"))?;
            if !r.tools.iter().any(|t| t.name == "getScriptByPath") {
                return Err(format!(
                    "tools/list: first page of {} tools lacks getScriptByPath",
                    r.tools.len()
                ));
            }
            return Ok(());
        }
        Kind::GetScriptByPath => (
            "getScriptByPath",
            json!({"path": "f/folder/my_script"}),
            "f/folder/my_script".into(),
        ),
        Kind::ListScripts => ("listScripts", json!({"per_page": 5}), "\"path\"".into()),
        Kind::GetVariable => (
            "getVariable",
            json!({"path": "f/folder/api_url"}),
            "f/folder/api_url".into(),
        ),
        Kind::ListVariable => (
            "listVariable",
            json!({"path_start": "f/folder/"}),
            "f/folder/api_url".into(),
        ),
        Kind::ScriptTool => (SCRIPT_TOOL, json!({"name": tag}), tag.to_owned()),
    };
    let r = client
        .call_tool(CallToolRequestParams::new(name).with_arguments(args(a)))
        .await
        .map_err(|e| format!("{name}: protocol error: {e}"))?;
    let text = text_of(&r);
    if r.is_error == Some(true) {
        let short: String = text.chars().take(300).collect();
        return Err(format!("{name}: isError: {short}"));
    }
    let structured = r
        .structured_content
        .as_ref()
        .map(|v| v.to_string())
        .unwrap_or_default();
    if !text.contains(&expect) && !structured.contains(&expect) {
        let short: String = text.chars().take(300).collect();
        return Err(format!("{name}: answer lacks {expect:?}: {short}"));
    }
    Ok(())
}

struct Server {
    child: tokio::process::Child,
    pid: u32,
    url: String,
}

async fn start_server(base_url: &str, stateless: bool) -> Server {
    let extra: &[&str] = if stateless { &["--stateless"] } else { &[] };
    let served = common::serve(base_url, extra).await;
    Server {
        url: format!("http://{}/api/mcp/w/demo/mcp", served.listen),
        child: served.child,
        pid: served.pid,
    }
}

fn rss_all(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|p| rss_kib(*p)).sum()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sessions = env_usize("LOAD_SESSIONS", 200).max(1);
    let requests = env_usize("LOAD_REQUESTS", 100);
    let stateless = env_flag("LOAD_STATELESS");
    let external = std::env::var("LOAD_URL").ok().filter(|v| !v.is_empty());
    let token = std::env::var("LOAD_TOKEN")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| windmill_fake::TOKEN_ALICE.to_owned());

    // The server(s): ours, or the one(s) behind LOAD_URL.
    let mut _fake = None;
    let mut server = None;
    let (url, pids, target) = match &external {
        Some(u) => {
            let pids: Vec<u32> = std::env::var("LOAD_SERVER_PIDS")
                .unwrap_or_default()
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect();
            (u.clone(), pids, format!("external server at {u}"))
        }
        None => {
            let fake = windmill_fake::start().await;
            let s = start_server(&fake.base_url, stateless).await;
            let out = (
                s.url.clone(),
                vec![s.pid],
                format!(
                    "windmill-mcp serve{} (pid {}), fake Windmill in the bench process",
                    if stateless { " --stateless" } else { "" },
                    s.pid
                ),
            );
            _fake = Some(fake);
            server = Some(s);
            out
        }
    };
    // Warm the server's catalogs (token identity, workspace scripts) with one session, so the
    // "before" memory is a server that has served once, and a broken set-up fails fast.
    {
        let c = match connect(&url, &token).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("load: cannot open a first session on {url}: {e}");
                std::process::exit(1);
            }
        };
        for k in KINDS {
            if let Err(e) = one(&c, k, "warmup").await {
                eprintln!("load: warm-up {}: {e}", k.label());
                std::process::exit(1);
            }
        }
        let _ = c.cancel().await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = rss_all(&pids);

    // Sample memory while the load runs.
    let peak = Arc::new(AtomicU64::new(rss_before.unwrap_or(0)));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pids) = (peak.clone(), sampling.clone(), pids.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                if let Some(v) = rss_all(&pids) {
                    peak.fetch_max(v, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    // Open every session at once, then start all the requests together.
    let record = Arc::new(Mutex::new(Record::default()));
    let connect_ms = Arc::new(Mutex::new(Vec::with_capacity(sessions)));
    let barrier = Arc::new(tokio::sync::Barrier::new(sessions + 1));
    let done = Arc::new(tokio::sync::Barrier::new(sessions + 1));
    let connected = Arc::new(AtomicU64::new(0));
    let (release_tx, release_rx) = tokio::sync::watch::channel(false);
    let t_connect = Instant::now();
    let mut tasks = Vec::with_capacity(sessions);
    for s in 0..sessions {
        let (url, token) = (url.clone(), token.clone());
        let (record, connect_ms, barrier, done, connected) = (
            record.clone(),
            connect_ms.clone(),
            barrier.clone(),
            done.clone(),
            connected.clone(),
        );
        let mut release = release_rx.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let client = connect(&url, &token).await;
            let elapsed = t.elapsed().as_secs_f64() * 1e3;
            match &client {
                Ok(_) => {
                    connected.fetch_add(1, Ordering::Relaxed);
                    connect_ms.lock().unwrap().push(elapsed);
                }
                Err(e) => record.lock().unwrap().error(format!("session {s}: {e}")),
            }
            barrier.wait().await;
            let Ok(client) = client else {
                done.wait().await;
                return;
            };
            let mut mine: BTreeMap<Kind, Vec<f64>> = BTreeMap::new();
            let mut errors = Vec::new();
            for i in 0..requests {
                let kind = KINDS[(s + i) % KINDS.len()];
                let tag = format!("load-s{s}-r{i}");
                let t = Instant::now();
                let r = match tokio::time::timeout(REQUEST_TIMEOUT, one(&client, kind, &tag)).await
                {
                    Ok(r) => r,
                    Err(_) => Err(format!("{}: timed out", kind.label())),
                };
                mine.entry(kind)
                    .or_default()
                    .push(t.elapsed().as_secs_f64() * 1e3);
                if let Err(e) = r {
                    errors.push(format!("session {s} request {i}: {e}"));
                }
            }
            {
                let mut rec = record.lock().unwrap();
                for (k, v) in mine {
                    rec.latencies.entry(k).or_default().extend(v);
                }
                for e in errors {
                    rec.error(e);
                }
            }
            // Memory is read with every session still open.
            done.wait().await;
            let _ = release.wait_for(|r| *r).await;
            let _ = client.cancel().await;
        }));
    }
    barrier.wait().await;
    let connect_wall = t_connect.elapsed();
    let t_run = Instant::now();
    let (cpu_server0, cpu_self0) = (cpu_all(&pids), cpu_secs("self"));
    done.wait().await;
    let wall = t_run.elapsed();
    let (cpu_server1, cpu_self1) = (cpu_all(&pids), cpu_secs("self"));
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.await;
    let rss_after = rss_all(&pids);
    if let Some(v) = rss_after {
        peak.fetch_max(v, Ordering::Relaxed);
    }
    let _ = release_tx.send(true);
    for t in tasks {
        if let Err(e) = t.await {
            record
                .lock()
                .unwrap()
                .error(format!("session task panicked: {e}"));
        }
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let rss_closed = rss_all(&pids);

    let rec = std::mem::take(&mut *record.lock().unwrap());
    let mut connect_ms = std::mem::take(&mut *connect_ms.lock().unwrap());
    connect_ms.sort_by(|a, b| a.total_cmp(b));
    let mut all: Vec<f64> = rec.latencies.values().flatten().copied().collect();
    all.sort_by(|a, b| a.total_cmp(b));
    let total = all.len();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    println!(
        "windmill-mcp load test: {sessions} concurrent sessions x {requests} mixed requests, release build, loopback"
    );
    println!("  target                   {target}");
    println!(
        "  machine                  {} cores; load average before the run: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  sessions opened          {}/{sessions} in {:.1} ms (initialize p50 {:.2} ms, p99 {:.2} ms)",
        connected.load(Ordering::Relaxed),
        connect_wall.as_secs_f64() * 1e3,
        pct(&connect_ms, 0.5),
        pct(&connect_ms, 0.99)
    );
    println!("  total requests           {total}");
    println!("  wall time                {:.3} s", wall.as_secs_f64());
    println!(
        "  throughput               {:.0} req/s",
        total as f64 / wall.as_secs_f64().max(1e-9)
    );
    println!(
        "  latency                  {:<30} {:>7} {:>10} {:>10}",
        "kind", "count", "p50 ms", "p99 ms"
    );
    for (k, v) in &rec.latencies {
        let mut v = v.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        println!(
            "                           {:<30} {:>7} {:>10.2} {:>10.2}",
            k.label(),
            v.len(),
            pct(&v, 0.5),
            pct(&v, 0.99)
        );
    }
    println!(
        "                           {:<30} {:>7} {:>10.2} {:>10.2}",
        "overall",
        total,
        pct(&all, 0.5),
        pct(&all, 0.99)
    );
    let share = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!(
            "{:.1} s ({:.0}% of one core)",
            b - a,
            (b - a) / wall.as_secs_f64().max(1e-9) * 100.0
        ),
        _ => "?".into(),
    };
    println!(
        "  CPU time during the run  server {}; this process (clients{}) {}",
        if pids.is_empty() {
            "not measured".to_string()
        } else {
            share(cpu_server0, cpu_server1)
        },
        if external.is_some() {
            ""
        } else {
            " + fake Windmill"
        },
        share(cpu_self0, cpu_self1)
    );
    if pids.is_empty() {
        println!("  server resident memory   not measured (set LOAD_SERVER_PIDS)");
    } else {
        let which = if pids.len() > 1 {
            format!(" (sum of pids {pids:?})")
        } else {
            String::new()
        };
        println!("  server resident memory{which}");
        println!("    before the run         {}", fmt_kib(rss_before));
        println!(
            "    highest during the run {}",
            fmt_kib(Some(peak.load(Ordering::Relaxed)))
        );
        println!(
            "    after the run          {} (sessions still open)",
            fmt_kib(rss_after)
        );
        println!(
            "    after closing          {} (1 s after the sessions closed)",
            fmt_kib(rss_closed)
        );
    }
    println!("  errors                   {}", rec.errors);
    for s in &rec.samples {
        println!("    {s}");
    }
    if let Some(mut s) = server {
        let _ = s.child.kill().await;
    }
    if rec.errors > 0 || total != sessions * requests {
        std::process::exit(1);
    }
}
