//! Starting windmill-mcp in-process over HTTP, and rmcp clients for it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProgressNotificationParam, ProtocolVersion,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::Value;
use windmill_mcp::config::Settings;
use windmill_mcp::endpoints::Selection;
use windmill_mcp::http::{ConnLimits, HttpOptions, Sessions};
use windmill_mcp::mcp::Shared;
use windmill_mcp::upstream::Limits;
use windmill_mcp::workspace::{ItemFilter, ItemOptions, ItemSelection};

pub type Client = RunningService<RoleClient, ClientConfig>;

/// How many tools a session in the default tool mode lists (before any script or flow): the
/// curated endpoint tools and the 3 discovery tools. Windmill v1.795.0 (the default spec) has 42
/// curated operations; built against another spec (`WINDMILL_OPENAPI`), the count is that spec's own.
pub fn default_tool_count() -> usize {
    let curated = windmill_mcp::endpoints::Registry::compiled()
        .select(&Selection::Curated)
        .count();
    #[cfg(windmill_spec = "1.795.0")]
    assert_eq!(curated, 42, "Windmill v1.795.0's curated operations");
    curated + 3
}

pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn settings(base_url: &str) -> Settings {
    Settings {
        base_url: base_url.to_owned(),
        token: None,
        workspace: None,
        selection: Selection::Curated,
        read_only: false,
        profile: windmill_mcp::listing::profile::Profile::Full,
        max_name_len: None,
        page_size: 10,
        limits: Limits {
            timeout: Duration::from_secs(10),
            max_response_bytes: 4 * 1024 * 1024,
            max_upstream: 64,
        },
        max_concurrent_calls: 16,
        max_result_bytes: 100_000,
        // Endpoint tests see endpoint tools only; tests of workspace tools turn these on.
        items: ItemSelection {
            scripts: ItemFilter::none(),
            flows: ItemFilter::none(),
        },
        item_options: ItemOptions::default(),
        ..Settings::default()
    }
}

/// Serves windmill-mcp on 127.0.0.1:0; returns its address.
pub async fn serve(settings: Settings, options: HttpOptions) -> SocketAddr {
    serve_shared(settings, options).await.0
}

/// Serves windmill-mcp on 127.0.0.1:0; returns its address and its shared state (to await its
/// background work, e.g. `watch_rounds`).
pub async fn serve_shared(
    settings: Settings,
    options: HttpOptions,
) -> (SocketAddr, std::sync::Arc<Shared>) {
    let s = serve_with(settings, options, ConnLimits::default()).await;
    (s.addr, s.shared)
}

/// A server started by [`serve_with`].
pub struct Served {
    pub addr: SocketAddr,
    pub shared: std::sync::Arc<Shared>,
    /// Its sessions (`None` in stateless mode).
    pub sessions: Option<std::sync::Arc<Sessions>>,
}

/// Serves windmill-mcp on 127.0.0.1:0 as `serve` does (connection limits and timeouts).
pub async fn serve_with(settings: Settings, options: HttpOptions, limits: ConnLimits) -> Served {
    install_crypto();
    let shared = Shared::new(settings).expect("settings");
    let (app, sessions) = windmill_mcp::http::app_with_sessions(shared.clone(), options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(windmill_mcp::http::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    Served {
        addr,
        shared,
        sessions,
    }
}

/// Waits until `cond` holds, checking every 20 ms; panics with `what` after `deadline`.
pub async fn eventually(deadline: Duration, what: &str, cond: impl Fn() -> bool) {
    let end = tokio::time::Instant::now() + deadline;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < end,
            "not within {deadline:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the server's list-change watchers have done `n` more rounds than `from` (each
/// round refreshes a session's catalog and notifies it if its list changed, before counting).
pub async fn watch_rounds(shared: &Shared, from: u64, n: u64) {
    tokio::time::timeout(Duration::from_secs(30), shared.watch_rounds.reach(from + n))
        .await
        .expect("the watchers keep running");
}

pub fn client_config(version: ProtocolVersion) -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("e2e-test", "0.0.1"),
    )
    .with_protocol_version(version)
}

/// An rmcp client over Streamable HTTP with a bearer token.
pub async fn connect(url: &str, token: Option<&str>, version: ProtocolVersion) -> Client {
    install_crypto();
    let mut cfg = StreamableHttpClientTransportConfig::with_uri(url.to_owned());
    if let Some(t) = token {
        cfg = cfg.auth_header(t.to_owned());
    }
    let transport = StreamableHttpClientTransport::from_config(cfg);
    client_config(version)
        .serve(transport)
        .await
        .expect("MCP initialize")
}

/// A client that records the progress and list-changed notifications it receives.
#[derive(Clone, Default)]
pub struct Recorder {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    pub list_changed: Arc<AtomicUsize>,
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        client_config(ProtocolVersion::V_2025_11_25)
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed.fetch_add(1, Ordering::SeqCst);
    }
}

pub type RecordingClient = RunningService<RoleClient, Recorder>;

/// A [`Recorder`] client over Streamable HTTP with a bearer token, and its records.
pub async fn connect_recording(url: &str, token: &str) -> (RecordingClient, Recorder) {
    install_crypto();
    let cfg =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).auth_header(token.to_owned());
    let rec = Recorder::default();
    let client = rec
        .clone()
        .serve(StreamableHttpClientTransport::from_config(cfg))
        .await
        .expect("MCP initialize");
    (client, rec)
}

pub async fn call(client: &rmcp::Peer<RoleClient>, name: &str, args: Value) -> CallToolResult {
    let params = CallToolRequestParams::new(name.to_owned())
        .with_arguments(args.as_object().cloned().expect("object arguments"));
    client
        .call_tool(params)
        .await
        .unwrap_or_else(|e| panic!("{name}: protocol error {e}"))
}

pub fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fake Windmill and an rmcp client of windmill-mcp (one page of tools) on
/// `/api/mcp/w/demo/mcp{query}`, with alice's token.
pub async fn fake_and_client(
    query: &str,
    read_only: bool,
) -> (windmill_fake::FakeWindmill, Client) {
    let fake = windmill_fake::start().await;
    let mut s = settings(&fake.base_url);
    s.read_only = read_only;
    s.page_size = 1000;
    let addr = serve(s, HttpOptions::default()).await;
    let client = connect(
        &format!("http://{addr}/api/mcp/w/demo/mcp{query}"),
        Some(windmill_fake::TOKEN_ALICE),
        ProtocolVersion::V_2025_11_25,
    )
    .await;
    (fake, client)
}
