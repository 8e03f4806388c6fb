//! A workspace with thousands of scripts and flows under the default settings (`auto`): the
//! fake Windmill holds 5,000 generic scripts, 500 flows and the 46 realistic items of
//! `tests/fake_windmill/data/realistic.json`; windmill-mcp is served over HTTP in-process and
//! driven by rmcp's client.
//!
//! What is checked: the whole default `tools/list` (every page) stays within the listing budget,
//! favorites come first and the rest follow the documented order, the same on a second server;
//! a cold start costs the listing pages plus the schemas of the listed items; the instructions and
//! the search tool tell the counts; every realistic item is found by a paraphrase and runs with
//! its arguments intact through `call_endpoint`; generic items are found by path; an unlisted
//! script found by search is described and run with validation, progress, timeout and cancel.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::mcp::{
    call, connect_recording, install_crypto, serve, text_of, Recorder, RecordingClient,
};
use rmcp::model::{CallToolRequestParams, PaginatedRequestParams};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use windmill_fake::{
    add_big_workspace, add_realistic_items, realistic_items, FakeState, FakeWindmill, BIG_FAILING,
    TOKEN_BIG_ANA, WS_BIG,
};
use windmill_mcp::config::Settings;
use windmill_mcp::http::HttpOptions;
use windmill_mcp::workspace::names::{tool_name, Kind};
use windmill_mcp::workspace::{ItemOptions, DEFAULT_LISTING_BUDGET};

const SCRIPTS: usize = 5000;
const FLOWS: usize = 500;
/// A script starred by the team but edited long ago: favorites come first whatever their age.
const OLD_FAVORITE: &str = "f/misc/s4003";

type Client = RecordingClient;

async fn scale_fake() -> FakeWindmill {
    let mut st = FakeState::seeded();
    add_big_workspace(&mut st, SCRIPTS, FLOWS);
    let ws = st.workspaces.get_mut(WS_BIG).unwrap();
    add_realistic_items(ws);
    let old = ws
        .scripts
        .iter_mut()
        .find(|s| s.path == OLD_FAVORITE)
        .unwrap();
    old.starred = true;
    old.created_at = "2020-01-02T03:04:05Z".into();
    windmill_fake::start_with(st).await
}

/// The defaults `serve` runs with (scripts and flows `auto`, 64,000 B budget), a short job timeout.
fn default_settings(fake: &FakeWindmill, job_timeout: Duration) -> Settings {
    Settings {
        base_url: fake.base_url.clone(),
        item_options: ItemOptions {
            job_timeout,
            refresh_interval: Duration::from_secs(3600),
            ..ItemOptions::default()
        },
        ..Settings::default()
    }
}

async fn connect(addr: std::net::SocketAddr) -> (Client, Recorder) {
    connect_recording(
        &format!("http://{addr}/api/mcp/w/{WS_BIG}/mcp"),
        TOKEN_BIG_ANA,
    )
    .await
}

/// The fake with the big workspace, a server with the default settings, and a client of it.
async fn start(job_timeout: Duration) -> (FakeWindmill, std::net::SocketAddr, Client, Recorder) {
    let fake = scale_fake().await;
    let addr = serve(default_settings(&fake, job_timeout), HttpOptions::default()).await;
    let (client, rec) = connect(addr).await;
    (fake, addr, client, rec)
}

/// Every page of `tools/list`: the item tool names in order, and the bytes of all pages.
async fn list_pages(client: &Client) -> (Vec<String>, usize, usize) {
    let mut cursor = None;
    let mut names = Vec::new();
    let mut bytes = 0;
    let mut pages = 0;
    loop {
        let page = client
            .peer()
            .list_tools(Some(PaginatedRequestParams::default().with_cursor(cursor)))
            .await
            .expect("tools/list");
        pages += 1;
        bytes += serde_json::to_vec(&page).unwrap().len();
        names.extend(
            page.tools
                .iter()
                .map(|t| t.name.to_string())
                .filter(|n| n.starts_with("s-") || n.starts_with("f-")),
        );
        cursor = page.next_cursor;
        if cursor.is_none() {
            return (names, bytes, pages);
        }
        assert!(pages < 100, "tools/list does not end");
    }
}

/// The runnable items `ana` sees, in the documented listing order: favorites, then the most
/// recently edited, then by path.
fn documented_order(fake: &FakeWindmill) -> Vec<String> {
    let st = fake.state();
    let ws = &st.workspaces[WS_BIG];
    let sees = |v: &Option<Vec<String>>| v.as_ref().is_none_or(|u| u.iter().any(|x| x == "ana"));
    let mut items: Vec<(bool, String, String, String)> = Vec::new();
    for s in &ws.scripts {
        if s.kind == "script" && !s.archived && !s.deleted && sees(&s.visible_to) {
            let name = tool_name(Kind::Script, &s.path);
            items.push((s.starred, s.created_at.clone(), s.path.clone(), name));
        }
    }
    for f in ws.flows.values() {
        if !f.archived && sees(&f.visible_to) {
            let name = tool_name(Kind::Flow, &f.path);
            items.push((f.starred, f.edited_at.clone(), f.path.clone(), name));
        }
    }
    items.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    items.into_iter().map(|i| i.3).collect()
}

fn requests(fake: &FakeWindmill, method: &str, part: &str) -> usize {
    fake.requests_matching(method, part).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_default_listing_of_a_big_workspace_fits_the_budget_favorites_first() {
    let (fake, addr, client, _) = start(Duration::from_secs(30)).await;
    let (listed, bytes, pages) = list_pages(&client).await;

    // The whole default listing, every page, within the budget.
    assert!(
        bytes <= DEFAULT_LISTING_BUDGET,
        "{bytes} B in {pages} pages over the {DEFAULT_LISTING_BUDGET} B budget"
    );
    assert!(
        listed.len() >= 10,
        "the budget leaves room for items: {listed:?}"
    );
    // With the default page size the whole default listing is one `tools/list` request.
    assert_eq!(pages, 1, "{bytes} B in {pages} pages");

    // Favorites first, then the documented order, whatever page they are on.
    let order = documented_order(&fake);
    let total = order.len();
    assert!(total > SCRIPTS, "{total}");
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    let expected: BTreeSet<&String> = order.iter().take(listed.len()).collect();
    assert_eq!(
        listed_set, expected,
        "the listed items are the first of the documented order"
    );
    assert!(listed_set.contains(&tool_name(Kind::Script, OLD_FAVORITE)));
    let starred_flows = fake.state().workspaces[WS_BIG]
        .flows
        .values()
        .filter(|f| f.starred)
        .count();
    assert!(starred_flows >= 5 && listed.len() > starred_flows + 1);

    // A cold start costs the listing pages and the schemas of the listed items (fetched a few at
    // a time, then one at a time near the end: the one that did not fit is the only extra).
    let per_page = ItemOptions::default().per_page;
    let script_pages = requests(&fake, "GET", "/api/w/big/scripts/list");
    let flow_pages = requests(&fake, "GET", "/api/w/big/flows/list");
    assert!(
        script_pages <= (SCRIPTS + 60) / per_page + 2,
        "{script_pages}"
    );
    assert!(flow_pages <= (FLOWS + 20) / per_page + 2, "{flow_pages}");
    let fetches = requests(&fake, "GET", "/api/w/big/scripts/get/p/")
        + requests(&fake, "GET", "/api/w/big/flows/get/");
    assert!(
        fetches <= listed.len() + 1,
        "{fetches} schema fetches for {} listed items",
        listed.len()
    );

    eprintln!(
        "{} of {total} items listed; tools/list {bytes} B in {pages} pages; upstream: {script_pages} + {flow_pages} listing pages, {fetches} schema fetches",
        listed.len()
    );

    // The model is told how many there are, how many are listed and how to find the rest.
    let st_counts = {
        let st = fake.state();
        let ws = &st.workspaces[WS_BIG];
        let scripts = ws
            .scripts
            .iter()
            .filter(|s| s.kind == "script" && !s.archived && !s.deleted)
            .count();
        (scripts, ws.flows.len())
    };
    // The first session may start before a cold listing is read: it is told how to find them.
    let first = client
        .peer_info()
        .and_then(|i| i.instructions.clone())
        .unwrap_or_default();
    assert!(first.contains("search_endpoints") && first.contains("call_endpoint"));
    // Once read, sessions are told the counts.
    let (warm, _) = connect(addr).await;
    let instructions = warm
        .peer_info()
        .and_then(|i| i.instructions.clone())
        .unwrap_or_default();
    warm.cancel().await.ok();
    let note = format!(
        "has {} scripts and {} flows; {} are listed as tools",
        st_counts.0,
        st_counts.1,
        listed.len()
    );
    assert!(instructions.contains(&note), "{instructions}");
    assert!(instructions.contains("search_endpoints"), "{instructions}");
    let tools = client.peer().list_all_tools().await.unwrap();
    let search = tools.iter().find(|t| t.name == "search_endpoints").unwrap();
    assert!(search.description.as_deref().unwrap_or("").contains(&note));
    // The discovery tools, counts included, stay small.
    let discovery: Vec<_> = tools
        .iter()
        .filter(|t| {
            ["search_endpoints", "describe_endpoint", "call_endpoint"].contains(&t.name.as_ref())
        })
        .collect();
    assert_eq!(discovery.len(), 3);
    let bytes = serde_json::to_vec(&discovery).unwrap().len();
    assert!(bytes < 3072, "discovery tools take {bytes} B");

    // The same places on another server (a restart, or another replica).
    let addr2 = serve(
        default_settings(&fake, Duration::from_secs(30)),
        HttpOptions::default(),
    )
    .await;
    let (client2, _) = connect(addr2).await;
    let (listed2, _, _) = list_pages(&client2).await;
    assert_eq!(listed, listed2, "stable across servers");

    client.cancel().await.ok();
    client2.cancel().await.ok();
}

#[derive(Deserialize)]
struct Queries {
    workspace: Vec<ItemQuery>,
}

#[derive(Deserialize)]
struct ItemQuery {
    query: String,
    expect: String,
}

/// Arguments valid for a realistic item's schema, with values a test can recognise.
fn arguments_for(args: &Map<String, Value>, schema: &Value) -> Value {
    let mut out = Map::new();
    for name in args.keys() {
        let ty = schema["properties"][name]["type"]
            .as_str()
            .unwrap_or("string");
        let v = match ty {
            "integer" => json!(name.len() as i64 + 7),
            "boolean" => json!(true),
            _ => json!(format!("{name} ✓ / ü")),
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_realistic_item_is_found_by_paraphrase_and_runs_with_its_arguments_intact() {
    let (fake, _addr, client, _) = start(Duration::from_secs(30)).await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/search_eval/queries.json"
    ))
    .unwrap();
    let queries: Queries = serde_json::from_str(&text).unwrap();
    let items = realistic_items();

    // Every query of the evaluation, through MCP: the expected item in the top 3.
    let mut misses = Vec::new();
    for q in &queries.workspace {
        let r = call(
            &client,
            "search_endpoints",
            json!({"query": q.query, "limit": 3}),
        )
        .await;
        assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
        let results = r.structured_content.as_ref().unwrap()["results"]
            .as_array()
            .unwrap()
            .clone();
        if !results.iter().any(|x| x["path"] == q.expect.as_str()) {
            misses.push(format!("{:?} → {}", q.query, text_of(&r)));
        }
    }
    assert!(
        misses.is_empty(),
        "{} of {} paraphrases missed their item in the top 3:\n{}",
        misses.len(),
        queries.workspace.len(),
        misses.join("\n")
    );

    // Every realistic item: its search result gives the exact name, and call_endpoint runs it
    // with its arguments reaching Windmill intact.
    for item in &items {
        let q = queries
            .workspace
            .iter()
            .find(|q| q.expect == item.path)
            .expect("every realistic item has a query");
        let r = call(
            &client,
            "search_endpoints",
            json!({"query": q.query, "limit": 3}),
        )
        .await;
        let results = r.structured_content.as_ref().unwrap()["results"]
            .as_array()
            .unwrap()
            .clone();
        let hit = results
            .iter()
            .find(|x| x["path"] == item.path.as_str())
            .unwrap();
        let kind = if item.is_flow() { "flow" } else { "script" };
        assert_eq!(hit["kind"], kind);
        let name = hit["name"].as_str().unwrap().to_owned();
        let k = if item.is_flow() {
            Kind::Flow
        } else {
            Kind::Script
        };
        assert_eq!(name, tool_name(k, &item.path));

        let args = arguments_for(&item.args, &item.schema());
        let r = call(
            &client,
            "call_endpoint",
            json!({"name": name, "arguments": args}),
        )
        .await;
        assert_ne!(r.is_error, Some(true), "{}: {}", item.path, text_of(&r));
        let st = fake.state();
        let job = st.workspaces[WS_BIG]
            .jobs
            .iter()
            .rev()
            .find(|j| j.script_path.as_deref() == Some(item.path.as_str()))
            .unwrap_or_else(|| panic!("no job for {}", item.path));
        assert_eq!(job.args, args, "{}", item.path);
    }
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generic_items_are_found_by_path_and_by_name() {
    let (_fake, _addr, client, _) = start(Duration::from_secs(30)).await;
    for path in [
        "f/misc/s4999",
        "u/ana/task1233",
        "f/ops/sub_6/step_4998",
        "f/flows_3/flow_487",
    ] {
        let kind = if path.contains("flow_") {
            Kind::Flow
        } else {
            Kind::Script
        };
        let name = tool_name(kind, path);
        for query in [path.to_owned(), name.clone()] {
            let r = call(
                &client,
                "search_endpoints",
                json!({"query": query, "limit": 3}),
            )
            .await;
            let first = r.structured_content.as_ref().unwrap()["results"][0].clone();
            assert_eq!(first["name"], name.as_str(), "{query}: {}", text_of(&r));
        }
    }
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unlisted_script_is_searched_described_and_run_with_progress_timeout_and_cancel() {
    let (fake, _addr, client, rec) = start(Duration::from_secs(2)).await;
    let (listed, _, _) = list_pages(&client).await;

    // Found by search, not listed.
    let r = call(
        &client,
        "search_endpoints",
        json!({"query": "f/misc/s4999", "limit": 1}),
    )
    .await;
    let hit = r.structured_content.as_ref().unwrap()["results"][0].clone();
    let name = hit["name"].as_str().unwrap().to_owned();
    assert_eq!(hit["listed"], false, "{hit}");
    assert!(!listed.contains(&name));
    assert!(text_of(&r).contains("call_endpoint"), "{}", text_of(&r));

    // Described: its own input schema, fetched on demand.
    let r = call(&client, "describe_endpoint", json!({"name": name})).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let d = r.structured_content.clone().unwrap();
    assert_eq!(d["kind"], "script");
    assert_eq!(d["path"], "f/misc/s4999");
    assert_eq!(d["inputSchema"]["required"], json!(["name"]));
    assert_eq!(d["inputSchema"]["properties"]["count"]["type"], "integer");

    // Validated like a listed tool: nothing reaches Windmill.
    let runs = requests(&fake, "POST", "/api/w/big/jobs/run/p/f/misc/s4999");
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": name, "arguments": {"name": "x", "count": "three"}}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("count"), "{}", text_of(&r));
    assert_eq!(
        requests(&fake, "POST", "/api/w/big/jobs/run/p/f/misc/s4999"),
        runs
    );

    // Slow: progress notifications, then the result.
    fake.state().job_pending_polls = 3;
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": name, "arguments": {"name": "slow", "count": 2}}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    assert_eq!(
        r.structured_content,
        Some(json!({"name": "slow", "count": 2}))
    );
    let progress = rec.progress.lock().unwrap().clone();
    assert!(progress.len() >= 2, "{progress:?}");

    // Past the timeout: the job id for get_job_result.
    fake.state().job_pending_polls = u32::MAX;
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": name, "arguments": {"name": "late"}}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let job_id = r.structured_content.as_ref().unwrap()["job_id"]
        .as_str()
        .expect("job id")
        .to_owned();
    let r = call(&client, "get_job_result", json!({"job_id": job_id})).await;
    assert_eq!(r.structured_content.as_ref().unwrap()["status"], "running");

    // Cancelled by the client: the job is cancelled in Windmill.
    let params = CallToolRequestParams::new("call_endpoint").with_arguments(
        json!({"name": name, "arguments": {"name": "cancel me"}})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let waited = tokio::time::timeout(Duration::from_millis(700), client.call_tool(params)).await;
    assert!(waited.is_err(), "the call was still waiting");
    let mut cancelled = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancelled = fake.state().workspaces[WS_BIG]
            .jobs
            .iter()
            .find(|j| j.args == json!({"name": "cancel me"}))
            .and_then(|j| j.canceled.clone());
        if cancelled.is_some() {
            break;
        }
    }
    assert_eq!(cancelled.as_deref(), Some("cancelled by the MCP client"));

    // A failing unlisted script: isError with Windmill's error and the log tail.
    fake.state().job_pending_polls = 0;
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": tool_name(Kind::Script, BIG_FAILING), "arguments": {"name": "x"}}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(
        t.contains("ExecutionErr") && t.contains("Last lines of the job log"),
        "{t}"
    );
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_budget_and_explicit_selections_are_honoured() {
    let fake = scale_fake().await;
    // A budget too small for any item: endpoint and discovery tools only, items one search away.
    let mut small = default_settings(&fake, Duration::from_secs(30));
    small.item_options.listing_budget = 1_000;
    let addr = serve(small, HttpOptions::default()).await;
    let (client, _) = connect(addr).await;
    let (listed, _, _) = list_pages(&client).await;
    assert!(listed.is_empty(), "{listed:?}");
    let tools = client.peer().list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "search_endpoints"));
    client.cancel().await.ok();

    // `?scripts=all&flows=all` lists every item, as before `auto`.
    let addr = serve(
        default_settings(&fake, Duration::from_secs(30)),
        HttpOptions::default(),
    )
    .await;
    install_crypto();
    let cfg = StreamableHttpClientTransportConfig::with_uri(format!(
        "http://{addr}/api/mcp/w/{WS_BIG}/mcp?scripts=all&flows=all"
    ))
    .auth_header(TOKEN_BIG_ANA.to_owned());
    let all = Recorder::default()
        .serve(StreamableHttpClientTransport::from_config(cfg))
        .await
        .unwrap();
    let names: BTreeSet<String> = all
        .peer()
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .filter(|n| n.starts_with("s-") || n.starts_with("f-"))
        .collect();
    let order = documented_order(&fake);
    assert_eq!(names, order.into_iter().collect::<BTreeSet<_>>());
    all.cancel().await.ok();
}
