//! Workspace scripts and flows as tools, end to end: windmill-mcp served over HTTP in-process,
//! rmcp's client, and the fake Windmill with a workspace of 5,000 scripts and 500 flows
//! (`add_big_workspace`): paths that exercise the `_` ambiguity, a 100-character path, non-ASCII
//! descriptions, resource and S3 arguments, nested objects, per-user visibility.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::mcp::{
    call, connect_recording, eventually, install_crypto, serve, serve_shared, settings, text_of,
    watch_rounds, Recorder, RecordingClient,
};
use rmcp::model::{CallToolRequestParams, Tool};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use windmill_fake::{
    add_big_workspace, big_long_path, FakeState, FakeWindmill, BIG_AMBIGUOUS_A, BIG_AMBIGUOUS_B,
    BIG_ANA_ONLY, BIG_FAILING, BIG_FLOW, BIG_RICH, TOKEN_BIG_ANA, TOKEN_BIG_BEN, WS_BIG,
};
use windmill_mcp::config::Settings;
use windmill_mcp::http::HttpOptions;
use windmill_mcp::mcp::Shared;
use windmill_mcp::upstream::Token;
use windmill_mcp::workspace::names::{decode, tool_name, Kind};
use windmill_mcp::workspace::{ItemFilter, ItemOptions, ItemSelection};

const SCRIPTS: usize = 5000;
const FLOWS: usize = 500;

type Client = RecordingClient;

async fn big_fake() -> FakeWindmill {
    let mut st = FakeState::seeded();
    add_big_workspace(&mut st, SCRIPTS, FLOWS);
    windmill_fake::start_with(st).await
}

fn item_settings(fake: &FakeWindmill, refresh: Duration, job_timeout: Duration) -> Settings {
    let mut s = settings(&fake.base_url);
    s.page_size = 1000;
    // These tests are about every item as a tool; `tests/workspace_scale.rs` is about `auto`.
    s.items = ItemSelection {
        scripts: ItemFilter::all(),
        flows: ItemFilter::all(),
    };
    s.item_options = ItemOptions {
        refresh_interval: refresh,
        job_timeout,
        ..ItemOptions::default()
    };
    s
}

async fn connect(addr: std::net::SocketAddr, query: &str, token: &str) -> (Client, Recorder) {
    connect_recording(
        &format!("http://{addr}/api/mcp/w/{WS_BIG}/mcp{query}"),
        token,
    )
    .await
}

async fn tools(client: &Client) -> Vec<Tool> {
    client.peer().list_all_tools().await.expect("tools/list")
}

fn item_names(tools: &[Tool]) -> BTreeSet<String> {
    tools
        .iter()
        .map(|t| t.name.to_string())
        .filter(|n| n.starts_with("s-") || n.starts_with("f-"))
        .collect()
}

/// Tool names the fake should produce for a user: runnable scripts and flows visible to them.
fn expected_names(fake: &FakeWindmill, user: &str) -> BTreeSet<String> {
    let st = fake.state();
    let ws = &st.workspaces[WS_BIG];
    let sees = |v: &Option<Vec<String>>| v.as_ref().is_none_or(|u| u.iter().any(|x| x == user));
    let mut out = BTreeSet::new();
    for s in &ws.scripts {
        if s.kind == "script" && !s.archived && !s.deleted && sees(&s.visible_to) {
            out.insert(tool_name(Kind::Script, &s.path));
        }
    }
    for f in ws.flows.values() {
        if !f.archived && sees(&f.visible_to) {
            out.insert(tool_name(Kind::Flow, &f.path));
        }
    }
    out
}

fn count(fake: &FakeWindmill, method: &str, path: &str) -> usize {
    fake.requests_matching(method, path).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_scripts_and_flows_are_listed_with_faithful_schemas() {
    let fake = big_fake().await;
    let addr = serve(
        item_settings(&fake, Duration::from_secs(3600), Duration::from_secs(10)),
        HttpOptions::default(),
    )
    .await;
    let (client, _) = connect(addr, "", TOKEN_BIG_ANA).await;
    let listed = tools(&client).await;
    let names = item_names(&listed);
    let expected = expected_names(&fake, "ana");
    assert_eq!(expected.len(), SCRIPTS + FLOWS, "fixture size");
    assert_eq!(
        names, expected,
        "every runnable script and flow, nothing else"
    );
    assert!(listed.iter().any(|t| t.name == "get_job_result"));
    // Cold discovery: every page of both listings, one fetch per item, one resource listing.
    let script_pages = count(&fake, "GET", "/scripts/list");
    assert!(
        (SCRIPTS / 100..=SCRIPTS / 100 + 2).contains(&script_pages),
        "{script_pages} script pages"
    );
    assert_eq!(count(&fake, "GET", "/scripts/get/p/"), SCRIPTS);
    assert_eq!(count(&fake, "GET", "/flows/get/"), FLOWS);
    assert_eq!(count(&fake, "GET", "/resources/list"), 1);
    // The trigger script is not a tool.
    assert!(!names.contains(&tool_name(Kind::Script, "f/team_data/on_webhook")));

    // Names: valid, unique, reversible; the `_` ambiguity resolved; Windmill's names kept.
    let name_re = |n: &str| {
        !n.is_empty()
            && n.len() <= 64
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    assert!(listed.iter().all(|t| name_re(&t.name)));
    let a = tool_name(Kind::Script, BIG_AMBIGUOUS_A);
    let b = tool_name(Kind::Script, BIG_AMBIGUOUS_B);
    assert_ne!(a, b);
    assert!(names.contains(&a) && names.contains(&b));
    assert_eq!(
        decode(&a),
        Some((Kind::Script, BIG_AMBIGUOUS_A.to_string()))
    );
    assert!(
        names.contains("s-u_ana_task9"),
        "Windmill's own name where unambiguous"
    );
    let long = tool_name(Kind::Script, &big_long_path());
    assert!(names.contains(&long) && long.len() <= 64);

    // The rich script: order, required, enums, defaults, resources, S3, nested, renamed key.
    let rich = listed
        .iter()
        .find(|t| t.name == tool_name(Kind::Script, BIG_RICH))
        .expect("rich script listed");
    let desc = rich.description.as_deref().unwrap_or("");
    assert!(desc.contains("日本語") && desc.contains("résumé"), "{desc}");
    let schema = Value::Object((*rich.input_schema).clone());
    let keys: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..7],
        &["target", "db", "file", "options", "tags", "mode", "choice"]
    );
    let renamed = keys[7];
    assert!(renamed.starts_with("bad_key_"), "{renamed}");
    assert_eq!(schema["required"], json!(["target", "db", renamed]));
    assert_eq!(
        schema["properties"]["mode"]["enum"],
        json!(["fast", "safe"])
    );
    assert_eq!(schema["properties"]["mode"]["default"], json!("safe"));
    assert!(schema["properties"]["mode"].get("enumLabels").is_none());
    assert!(schema["properties"]["target"].get("placeholder").is_none());
    assert_eq!(
        schema["properties"]["db"]["examples"],
        json!(["$res:f/db/main", "$res:u/ana/dev_db"])
    );
    assert_eq!(schema["properties"]["file"]["type"], "object");
    assert_eq!(schema["properties"]["file"]["required"], json!(["s3"]));
    assert_eq!(
        schema["properties"]["options"]["properties"]["window"]["properties"]["from"]["format"],
        "date-time"
    );
    assert_eq!(
        schema["properties"]["options"]["required"],
        json!(["retries"])
    );
    assert_eq!(
        schema["properties"]["choice"]["oneOf"][1]["title"],
        "ByName"
    );
    jsonschema::draft202012::new(&schema).expect("a valid JSON Schema");

    // A second listing is byte-identical (stable order and bytes).
    let again = tools(&client).await;
    assert_eq!(
        serde_json::to_string(&listed).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_kind_is_called_with_arguments_intact_and_failures_are_errors() {
    let fake = big_fake().await;
    let addr = serve(
        item_settings(&fake, Duration::from_secs(3600), Duration::from_secs(10)),
        HttpOptions::default(),
    )
    .await;
    let (client, _) = connect(
        addr,
        "?scripts=f/team_data/*,f/a*/*,f/long_folder_name/*&flows=f/flows/*",
        TOKEN_BIG_ANA,
    )
    .await;
    let listed = tools(&client).await;
    let names = item_names(&listed);
    assert_eq!(
        names,
        [
            tool_name(Kind::Script, BIG_AMBIGUOUS_A),
            tool_name(Kind::Script, BIG_AMBIGUOUS_B),
            tool_name(Kind::Script, &big_long_path()),
            tool_name(Kind::Script, BIG_RICH),
            tool_name(Kind::Script, BIG_FAILING),
            tool_name(Kind::Flow, BIG_FLOW),
        ]
        .into_iter()
        .collect(),
        "path globs select"
    );
    let rich = listed
        .iter()
        .find(|t| t.name == tool_name(Kind::Script, BIG_RICH))
        .unwrap();
    let renamed = rich.input_schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("bad_key_"))
        .unwrap()
        .clone();
    let args = json!({
        "target": "ERP — süd",
        "db": "$res:f/db/main",
        "file": {"s3": "exports/2026/11.csv"},
        "options": {"retries": 2, "window": {"from": "2026-11-01T00:00:00Z"}},
        "tags": ["a", "ü"],
        "mode": "fast",
        "choice": {"label": "ById", "id": 7},
        renamed.clone(): "spaced"
    });
    let r = call(&client, &tool_name(Kind::Script, BIG_RICH), args).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let sent = fake
        .requests_matching("POST", "/api/w/big/jobs/run/p/f/team_data/rich_args")
        .pop()
        .expect("the run reached the fake");
    let expected_body = json!({
        "target": "ERP — süd",
        "db": "$res:f/db/main",
        "file": {"s3": "exports/2026/11.csv"},
        "options": {"retries": 2, "window": {"from": "2026-11-01T00:00:00Z"}},
        "tags": ["a", "ü"],
        "mode": "fast",
        "choice": {"label": "ById", "id": 7},
        "bad key": "spaced"
    });
    assert_eq!(
        sent.json,
        Some(expected_body.clone()),
        "arguments reach Windmill intact, key restored"
    );
    assert_eq!(sent.token.as_deref(), Some(TOKEN_BIG_ANA));
    // The fake echoes the arguments as the result: an object → structuredContent.
    assert_eq!(r.structured_content, Some(expected_body));

    // Both ambiguous paths and the long one reach their own script.
    for path in [BIG_AMBIGUOUS_A, BIG_AMBIGUOUS_B, &big_long_path()] {
        let r = call(
            &client,
            &tool_name(Kind::Script, path),
            json!({"name": "x"}),
        )
        .await;
        assert_ne!(r.is_error, Some(true), "{path}: {}", text_of(&r));
        let raw: String = path
            .split('/')
            .map(|s| {
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("/");
        let hits = fake
            .requests()
            .into_iter()
            .filter(|q| q.method == "POST" && q.path.starts_with("/api/w/big/jobs/run/p/"))
            .filter(|q| {
                percent_encoding::percent_decode_str(&q.path["/api/w/big/jobs/run/p/".len()..])
                    .decode_utf8_lossy()
                    == *path
            })
            .count();
        assert_eq!(hits, 1, "{path} ({raw}) run exactly once");
    }

    // A flow.
    let r = call(
        &client,
        &tool_name(Kind::Flow, BIG_FLOW),
        json!({"since": "2026-11-01", "limit": 5}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let sent = fake
        .requests_matching("POST", "/api/w/big/jobs/run/f/f/flows/nightly_sync")
        .pop()
        .expect("flow run");
    assert_eq!(sent.json, Some(json!({"since": "2026-11-01", "limit": 5})));

    // Bad arguments: isError naming the problem, nothing sent.
    let before = fake.requests().len();
    let r = call(
        &client,
        &tool_name(Kind::Flow, BIG_FLOW),
        json!({"limit": "many"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(
        t.contains("missing required argument `since`") && t.contains("`limit`"),
        "{t}"
    );
    assert_eq!(
        fake.requests().len(),
        before,
        "nothing was sent to Windmill"
    );

    // A failing job: isError with Windmill's error and the log tail.
    let r = call(
        &client,
        &tool_name(Kind::Script, BIG_FAILING),
        json!({"name": "x"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    let t = text_of(&r);
    assert!(t.contains("ExecutionErr") && t.contains("exit code"), "{t}");
    assert!(
        t.contains("Last lines of the job log") && t.contains("+ exit 3"),
        "{t}"
    );
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_jobs_report_progress_time_out_with_their_id_and_cancel() {
    let fake = big_fake().await;
    let addr = serve(
        item_settings(&fake, Duration::from_secs(3600), Duration::from_secs(2)),
        HttpOptions::default(),
    )
    .await;
    let (client, rec) = connect(addr, "?scripts=f/a/*&flows=none", TOKEN_BIG_ANA).await;
    let name = tool_name(Kind::Script, BIG_AMBIGUOUS_A);

    // Slow: 3 polls before completion → progress notifications, then the result.
    fake.state().job_pending_polls = 3;
    let r = call(&client, &name, json!({"name": "slow"})).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    assert_eq!(r.structured_content, Some(json!({"name": "slow"})));
    let progress = rec.progress.lock().unwrap().clone();
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[1].progress >= w[0].progress));
    assert!(progress[0]
        .message
        .as_deref()
        .unwrap_or("")
        .contains("running"));

    // Over the timeout: the job id, and get_job_result fetches the outcome later.
    fake.state().job_pending_polls = u32::MAX;
    let r = call(&client, &name, json!({"name": "late"})).await;
    assert_ne!(r.is_error, Some(true));
    let job_id = r
        .structured_content
        .as_ref()
        .and_then(|v| v["job_id"].as_str())
        .expect("job id")
        .to_owned();
    assert!(text_of(&r).contains(&job_id) && text_of(&r).contains("get_job_result"));
    let r = call(&client, "get_job_result", json!({"job_id": job_id})).await;
    assert_eq!(r.structured_content.as_ref().unwrap()["status"], "running");
    {
        let mut st = fake.state();
        let job = st
            .workspaces
            .get_mut(WS_BIG)
            .unwrap()
            .jobs
            .iter_mut()
            .find(|j| j.id == job_id)
            .unwrap();
        job.pending_polls = 1;
    }
    let r = call(
        &client,
        "get_job_result",
        json!({"job_id": job_id, "wait_seconds": 5}),
    )
    .await;
    assert_eq!(
        r.structured_content,
        Some(json!({"name": "late"})),
        "{}",
        text_of(&r)
    );

    // Cancelled by the client: the job is cancelled in Windmill.
    rec.progress.lock().unwrap().clear();
    let params = CallToolRequestParams::new(name.clone())
        .with_arguments(json!({"name": "cancel me"}).as_object().cloned().unwrap());
    let call_fut = client.call_tool(params);
    let waited = tokio::time::timeout(Duration::from_millis(700), call_fut).await;
    assert!(waited.is_err(), "the call was still waiting");
    // Dropping the call sent notifications/cancelled; the server cancels the job.
    let mut cancelled = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let st = fake.state();
        cancelled = st.workspaces[WS_BIG]
            .jobs
            .iter()
            .find(|j| j.args == json!({"name": "cancel me"}))
            .and_then(|j| j.canceled.clone());
        if cancelled.is_some() {
            break;
        }
    }
    assert_eq!(cancelled.as_deref(), Some("cancelled by the MCP client"));
    assert_eq!(count(&fake, "POST", "/jobs_u/queue/cancel/"), 1);
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_changed_script_costs_one_listing_and_one_fetch_and_notifies_sessions() {
    let fake = big_fake().await;
    // Library level: one refresh, measured exactly.
    install_crypto();
    let shared = Shared::new(item_settings(
        &fake,
        Duration::from_secs(3600),
        Duration::from_secs(5),
    ))
    .expect("settings");
    let token = Token::new(TOKEN_BIG_ANA).unwrap();
    let sel = ItemSelection {
        scripts: ItemFilter::all(),
        flows: ItemFilter::all(),
    };
    let cold = shared
        .items
        .catalog(&windmill_mcp::workspace::Scope {
            windmill: &shared.windmill,
            workspace: WS_BIG,
            token: &token,
            selection: &sel,
            item_budget: usize::MAX,
        })
        .await;
    assert_eq!(cold.infos.len(), SCRIPTS + FLOWS);
    assert_eq!(cold.last.detail_calls, SCRIPTS + FLOWS);

    let change = |fake: &FakeWindmill, n: u32| {
        let mut st = fake.state();
        let ws = st.workspaces.get_mut(WS_BIG).unwrap();
        let i = ws
            .scripts
            .iter()
            .rposition(|s| s.path == "f/misc/s7")
            .unwrap();
        let mut next = ws.scripts[i].clone();
        ws.scripts[i].archived = true;
        next.hash = format!("c4a46e{n:010x}");
        next.schema["properties"]["added"] = json!({"type": "string"});
        ws.scripts.push(next);
    };
    change(&fake, 1);
    fake.clear_requests();
    let warm = shared
        .items
        .refresh_now(&windmill_mcp::workspace::Scope {
            windmill: &shared.windmill,
            workspace: WS_BIG,
            token: &token,
            selection: &sel,
            item_budget: usize::MAX,
        })
        .await;
    assert_eq!(warm.last.detail_calls, 1, "{:?}", warm.last);
    assert_eq!(warm.last.reused, SCRIPTS + FLOWS - 1);
    assert_eq!(warm.last.resource_calls, 0);
    assert_eq!(count(&fake, "GET", "/scripts/get/p/"), 1);
    assert_eq!(count(&fake, "GET", "/scripts/get/p/f/misc/s7"), 1);
    assert_eq!(count(&fake, "GET", "/flows/get/"), 0);
    let list_calls = count(&fake, "GET", "/scripts/list") + count(&fake, "GET", "/flows/list");
    assert_eq!(
        list_calls, warm.last.list_calls,
        "one pass over the listings"
    );
    assert_eq!(fake.requests().len(), list_calls + 1, "nothing else");
    assert_eq!(warm.generation, cold.generation + 1);
    let s7 = warm
        .listed(windmill_mcp::listing::Profile::Full, usize::MAX)
        .items
        .iter()
        .find(|t| t.name() == tool_name(Kind::Script, "f/misc/s7"))
        .cloned()
        .unwrap();
    assert!(s7.input_schema()["properties"].get("added").is_some());

    // Over MCP: a connected session is told.
    let (addr, shared) = serve_shared(
        item_settings(&fake, Duration::from_millis(300), Duration::from_secs(5)),
        HttpOptions::default(),
    )
    .await;
    let (client, rec) = connect(addr, "", TOKEN_BIG_ANA).await;
    let before = item_names(&tools(&client).await);
    assert_eq!(before.len(), SCRIPTS + FLOWS);
    // Two watcher rounds with nothing changed (each would have notified before counting), then a
    // round trip on the session: no notification.
    watch_rounds(&shared, shared.watch_rounds.count(), 2).await;
    client
        .peer()
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .expect("ping");
    assert_eq!(
        rec.list_changed.load(Ordering::SeqCst),
        0,
        "no change, no notification"
    );
    change(&fake, 2);
    eventually(
        Duration::from_secs(10),
        "notifications/tools/list_changed",
        || rec.list_changed.load(Ordering::SeqCst) > 0,
    )
    .await;
    client.cancel().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tokens_never_see_each_others_scripts() {
    let fake = big_fake().await;
    let addr = serve(
        item_settings(&fake, Duration::from_secs(3600), Duration::from_secs(5)),
        HttpOptions::default(),
    )
    .await;
    let ((ana, _), (ben, _)) = tokio::join!(
        connect(addr, "", TOKEN_BIG_ANA),
        connect(addr, "", TOKEN_BIG_BEN)
    );
    let (ana_tools, ben_tools) = tokio::join!(tools(&ana), tools(&ben));
    let ana_names = item_names(&ana_tools);
    let ben_names = item_names(&ben_tools);
    assert_eq!(ana_names, expected_names(&fake, "ana"));
    assert_eq!(ben_names, expected_names(&fake, "ben"));
    let private = tool_name(Kind::Script, BIG_ANA_ONLY);
    assert!(ana_names.contains(&private));
    assert!(!ben_names.contains(&private));
    assert!(ben_names.len() < ana_names.len());
    // Ben cannot call ana's script by name: a protocol error, and nothing runs in Windmill.
    let params = CallToolRequestParams::new(private.clone())
        .with_arguments(json!({"name": "x"}).as_object().cloned().unwrap());
    let err = ben.call_tool(params).await.expect_err("unknown for ben");
    assert!(err.to_string().contains("unknown tool"), "{err}");
    assert!(fake
        .requests_matching("POST", "/jobs/run/p/u/ana/private_report")
        .is_empty());
    // Ana can.
    let r = call(&ana, &private, json!({"name": "x"})).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    // Favorites and none select per URL.
    let (fav, _) = connect(addr, "?scripts=none&flows=favorites", TOKEN_BIG_ANA).await;
    let fav_names = item_names(&tools(&fav).await);
    assert_eq!(fav_names.len(), FLOWS / 50);
    assert!(fav_names.iter().all(|n| n.starts_with("f-")));
    for c in [ana, ben, fav] {
        c.cancel().await.ok();
    }
}

#[test]
fn filters_parse() {
    let f = ItemFilter::parse("favorites, f/team/*").unwrap();
    assert!(f.admits("f/team/x", false));
    assert!(!f.admits("f/team/sub/x", false));
    assert!(f.admits("u/me/x", true));
    assert!(ItemFilter::parse("none").unwrap().is_none());
    assert!(ItemFilter::parse("f/[").is_err());
}

/// Two tokens in two workspaces at the same time: lists, calls, the requests Windmill sees and the
/// list-changed notifications never cross.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workspaces_side_by_side_never_cross() {
    let fake = big_fake().await;
    let (addr, shared) = serve_shared(
        item_settings(&fake, Duration::from_millis(300), Duration::from_secs(5)),
        HttpOptions::default(),
    )
    .await;
    let demo_url = |addr: std::net::SocketAddr| {
        StreamableHttpClientTransportConfig::with_uri(format!("http://{addr}/api/mcp/w/demo/mcp"))
            .auth_header(windmill_fake::TOKEN_ALICE.to_owned())
    };
    let alice_rec = Recorder::default();
    let alice = alice_rec
        .clone()
        .serve(StreamableHttpClientTransport::from_config(demo_url(addr)))
        .await
        .expect("alice");
    let (ana, ana_rec) = connect(addr, "", TOKEN_BIG_ANA).await;

    let demo_names: BTreeSet<String> = {
        let st = fake.state();
        let ws = &st.workspaces[windmill_fake::WS_DEMO];
        let mut n: BTreeSet<String> = ws
            .scripts
            .iter()
            .filter(|s| !s.archived && !s.deleted && s.kind == "script")
            .map(|s| tool_name(Kind::Script, &s.path))
            .collect();
        n.extend(ws.flows.values().map(|f| tool_name(Kind::Flow, &f.path)));
        n
    };
    let big_names = expected_names(&fake, "ana");
    let rounds = |client: &Client, expected: BTreeSet<String>, tool: String, args: Value| {
        let client = client.peer().clone();
        async move {
            for _ in 0..10 {
                let listed = item_names(&client.list_all_tools().await.expect("list"));
                assert_eq!(listed, expected);
                let r = call(&client, &tool, args.clone()).await;
                assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
            }
        }
    };
    tokio::join!(
        rounds(
            &alice,
            demo_names.clone(),
            "s-u_admin_hello".into(),
            json!({"name": "a"})
        ),
        rounds(
            &ana,
            big_names.clone(),
            tool_name(Kind::Script, BIG_ANA_ONLY),
            json!({"name": "b"})
        ),
    );
    assert!(demo_names.is_disjoint(&big_names));
    // Names of the other workspace are unknown tools.
    let other = CallToolRequestParams::new(tool_name(Kind::Script, BIG_ANA_ONLY))
        .with_arguments(json!({"name": "x"}).as_object().cloned().unwrap());
    assert!(alice.call_tool(other).await.is_err());
    let other = CallToolRequestParams::new("s-u_admin_hello")
        .with_arguments(json!({"name": "x"}).as_object().cloned().unwrap());
    assert!(ana.call_tool(other).await.is_err());
    // Every request Windmill saw carried the token of the workspace it was for.
    for r in fake.requests() {
        if r.path.starts_with("/api/w/demo/") {
            assert_eq!(
                r.token.as_deref(),
                Some(windmill_fake::TOKEN_ALICE),
                "{}",
                r.path
            );
        } else if r.path.starts_with("/api/w/big/") {
            assert_eq!(r.token.as_deref(), Some(TOKEN_BIG_ANA), "{}", r.path);
        }
    }
    // A change in `big` is announced to ana only.
    {
        let mut st = fake.state();
        let ws = st.workspaces.get_mut(WS_BIG).unwrap();
        let mut s = ws
            .scripts
            .iter()
            .rev()
            .find(|s| s.path == "f/misc/s7")
            .unwrap()
            .clone();
        s.hash = "0dd0dd0dd0dd0dd0".into();
        ws.scripts.push(s);
    }
    eventually(Duration::from_secs(10), "ana is told", || {
        ana_rec.list_changed.load(Ordering::SeqCst) > 0
    })
    .await;
    // Both sessions' watchers go round at the same interval: four more rounds include at least one
    // of alice's after the change, which would have notified her before counting.
    watch_rounds(&shared, shared.watch_rounds.count(), 4).await;
    alice
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .expect("ping");
    assert_eq!(
        alice_rec.list_changed.load(Ordering::SeqCst),
        0,
        "alice is not"
    );
    alice.cancel().await.ok();
    ana.cancel().await.ok();
}
