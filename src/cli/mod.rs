//! The command line: `serve`, `stdio`, `tools` (inspect the compiled-in tools) and `spec` (pull,
//! diff and bundle Windmill specs). Flags become [`Settings`]; everything else is done by the rooms
//! below (`mcp`, `http`, `upstream`, ...).

mod json_log;
pub mod spec;
pub mod tools;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};

use crate::config::{Settings, SpecSource};
use crate::endpoints::Selection;
use crate::http::HttpOptions;
use crate::listing::Profile;
use crate::mcp::{Caller, McpServer, Shared};
use crate::upstream::{Limits, Token};
use crate::workspace::{ItemFilter, ItemOptions, ItemSelection};

#[derive(Parser)]
#[command(
    name = "windmill-mcp",
    version,
    about = "Windmill's whole REST API as typed MCP tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over Streamable HTTP (callers bring their own Windmill token).
    Serve(ServeArgs),
    /// Serve MCP over stdin/stdout, for desktop clients.
    Stdio(Common),
    /// Inspect the compiled-in tools (no Windmill needed).
    Tools {
        #[command(subcommand)]
        command: ToolsCommand,
    },
    /// Windmill OpenAPI documents: `pull` one from a Windmill, `diff` two, `bundle` a multi-file one.
    Spec {
        #[command(subcommand)]
        command: spec::SpecCommand,
    },
}

#[derive(Subcommand)]
enum ToolsCommand {
    /// A table of tools: name, method, hints, bytes, path.
    List {
        /// Every operation, not only the curated set.
        #[arg(long)]
        all: bool,
        /// Only tools with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Tools whose names match this glob (e.g. `list*`), or a selection (`curated`, `all`, `a,b,tag:job`).
        #[arg(long)]
        select: Option<String>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Read the tools of this spec instead of the compiled ones: a spec file (YAML or JSON) or
        /// the base URL of a Windmill, whose `/api/openapi.json` is read.
        #[arg(long, value_name = "FILE|URL")]
        spec: Option<String>,
    },
    /// One tool exactly as `tools/list` sends it.
    Show { name: String },
    /// The endpoints `search_endpoints` finds for a query, best first, with their scores.
    Search {
        /// What you want to do, in plain words.
        query: String,
        /// How many results.
        #[arg(long, default_value_t = 8)]
        limit: usize,
    },
    /// Counts and bytes per selection, and what the generator degraded.
    Stats {
        /// Read the tools of this spec instead of the compiled ones: a spec file (YAML or JSON) or
        /// the base URL of a Windmill, whose `/api/openapi.json` is read.
        #[arg(long, value_name = "FILE|URL")]
        spec: Option<String>,
    },
    /// Write the tool catalog (the page `serve` shows at `/`) as a static site: `DIR/index.html`.
    Catalog {
        /// The directory to write to (created if missing).
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(ClapArgs, Clone)]
struct Common {
    /// Which spec the endpoint tools come from: `compiled` (this binary's), `live` (the connected
    /// Windmill's `/api/openapi.json`, read at start), `auto` (live when the connected Windmill's
    /// `/api/version` differs from the compiled spec's), a spec file, or another Windmill's base URL.
    #[arg(long = "spec", env = "WINDMILL_MCP_SPEC", default_value = "compiled")]
    spec_source: String,
    /// With `--spec live` or `auto`: how often the connected Windmill's `/api/version` is read, in
    /// seconds (fractions allowed); when it names another version, its spec is fetched and served
    /// and sessions get `tools/list_changed`. 0: the spec read at start is kept.
    #[arg(long, env = "WINDMILL_MCP_SPEC_POLL_INTERVAL", default_value_t = 60.0)]
    spec_poll_interval: f64,
    /// Windmill's URL.
    #[arg(long, env = "BASE_URL", default_value = "http://127.0.0.1:8000")]
    base_url: String,
    /// A Windmill token for local use (stdio, or HTTP callers that bring none). Never logged.
    #[arg(long, env = "WM_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The workspace for stdio and for the `/mcp` route.
    #[arg(long, env = "WM_WORKSPACE")]
    workspace: Option<String>,
    /// Endpoint tools to list: `curated`, `all`, or names, `tag:<tag>` and globs, comma-separated.
    #[arg(long, env = "WINDMILL_MCP_TOOLS", default_value = "curated")]
    tools: String,
    /// Only read-only operations are listed, searchable and callable.
    #[arg(long, env = "WINDMILL_MCP_READ_ONLY")]
    read_only: bool,
    /// Client profile: `full` (schemas as generated), `openai` (strict function calling) or `gemini`.
    #[arg(long, env = "WINDMILL_MCP_CLIENT_PROFILE", default_value = "full")]
    client_profile: String,
    /// Shorten tool names longer than this (prefix + hash), for clients that prefix tool names.
    #[arg(long, env = "WINDMILL_MCP_MAX_NAME_LEN")]
    max_name_len: Option<usize>,
    /// Tools per `tools/list` page (the default listing, within the listing budget, fits one).
    #[arg(long, env = "WINDMILL_MCP_PAGE_SIZE", default_value_t = 200)]
    page_size: usize,
    /// Timeout of each request to Windmill, in seconds.
    #[arg(long, env = "WINDMILL_MCP_TIMEOUT", default_value_t = 60)]
    timeout: u64,
    /// Largest Windmill answer read, in bytes.
    #[arg(long, env = "WINDMILL_MCP_MAX_RESPONSE_BYTES", default_value_t = 16 * 1024 * 1024)]
    max_response_bytes: usize,
    /// Largest tool result sent to the client, in bytes; longer ones are cut with a marker.
    #[arg(long, env = "WINDMILL_MCP_MAX_RESULT_BYTES", default_value_t = 100_000)]
    max_result_bytes: usize,
    /// Workspace scripts as tools: `auto` (all searchable and callable; favorites and the most
    /// recently edited listed within --listing-budget), `all` (all listed), `none`, or `favorites`
    /// and path globs (`f/team/*`, `u/me/**`), comma-separated.
    #[arg(long, env = "WINDMILL_MCP_SCRIPTS", default_value = "auto")]
    scripts: String,
    /// Workspace flows as tools: `auto`, `all`, `none`, or `favorites` and path globs.
    #[arg(long, env = "WINDMILL_MCP_FLOWS", default_value = "auto")]
    flows: String,
    /// Bytes the whole `tools/list` may take when scripts or flows are `auto`.
    #[arg(long, env = "WINDMILL_MCP_LISTING_BUDGET", default_value_t = crate::workspace::DEFAULT_LISTING_BUDGET)]
    listing_budget: usize,
    /// How often the scripts and flows are listed again, in seconds.
    #[arg(long, env = "WINDMILL_MCP_REFRESH_INTERVAL", default_value_t = 60)]
    refresh_interval: u64,
    /// How long a script or flow call waits for its job before returning the job id, in seconds.
    #[arg(long, env = "WINDMILL_MCP_JOB_TIMEOUT", default_value_t = 120)]
    job_timeout: u64,
    /// Tool calls in flight at once on one connection; more get a tool error.
    #[arg(long, env = "WINDMILL_MCP_MAX_CONCURRENT_CALLS", default_value_t = 16)]
    max_concurrent_calls: usize,
    /// Requests to Windmill in flight at once from the whole server; more wait up to --timeout.
    #[arg(long, env = "WINDMILL_MCP_MAX_UPSTREAM", default_value_t = 64)]
    max_upstream: usize,
    /// Scripts (and flows) read from one workspace listing at most; the rest are left out with a
    /// warning naming the workspace.
    #[arg(long, env = "WINDMILL_MCP_MAX_ITEMS", default_value_t = crate::workspace::selection::DEFAULT_MAX_ITEMS)]
    max_items: usize,
    /// Catalogs of scripts and flows kept at most (one per workspace, token and selection); the
    /// least recently used is dropped first.
    #[arg(long, env = "WINDMILL_MCP_MAX_CATALOGS", default_value_t = crate::workspace::selection::DEFAULT_MAX_CATALOGS)]
    max_catalogs: usize,
    /// Distinct `?scripts=`/`?flows=` selections one token keeps catalogs for; the least recently
    /// used is dropped first.
    #[arg(long, env = "WINDMILL_MCP_MAX_SELECTIONS_PER_TOKEN", default_value_t = crate::workspace::selection::DEFAULT_MAX_SELECTIONS_PER_TOKEN)]
    max_selections_per_token: usize,
    /// Log lines as `text` (coloured only on a terminal) or `json` (one object per line).
    #[arg(long, env = "WINDMILL_MCP_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(ClapArgs, Clone)]
struct ServeArgs {
    #[command(flatten)]
    common: Common,
    /// Address to listen on.
    #[arg(long, env = "WINDMILL_MCP_LISTEN", default_value = "127.0.0.1:8765")]
    listen: SocketAddr,
    /// No sessions: each request stands alone (for several replicas behind a load balancer).
    #[arg(long, env = "WINDMILL_MCP_STATELESS")]
    stateless: bool,
    /// Accepted `Host` headers, comma-separated (default: loopback names). `*` accepts any.
    #[arg(long, env = "WINDMILL_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// Accepted `Origin` headers, comma-separated (`scheme://host[:port|:*]`; default: loopback origins).
    #[arg(long, env = "WINDMILL_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// Largest accepted MCP request body, in bytes.
    #[arg(long, env = "WINDMILL_MCP_MAX_REQUEST_BYTES", default_value_t = 4 * 1024 * 1024)]
    max_request_bytes: usize,
    /// Let callers that bring no token of their own act with --token although --listen is not a
    /// loopback address: anyone who can reach the port gets that token's rights. Without this flag
    /// `serve` refuses to start with --token on a non-loopback address.
    #[arg(long, env = "WINDMILL_MCP_ALLOW_TOKEN_ON_NETWORK")]
    allow_token_on_network: bool,
    /// Live MCP sessions at most; a new one evicts the least recently used idle session.
    #[arg(long, env = "WINDMILL_MCP_MAX_SESSIONS", default_value_t = crate::http::sessions::DEFAULT_MAX_SESSIONS)]
    max_sessions: usize,
    /// A session with no request in flight for this many seconds is closed.
    #[arg(long, env = "WINDMILL_MCP_SESSION_IDLE_TIMEOUT", default_value_t = 300)]
    session_idle_timeout: u64,
    /// Open connections at most; more get `503 Service Unavailable` and are closed.
    #[arg(long, env = "WINDMILL_MCP_MAX_CONNECTIONS", default_value_t = 512)]
    max_connections: usize,
    /// Seconds a request's headers may take to arrive, from their first byte.
    #[arg(long, env = "WINDMILL_MCP_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a request's body may take to arrive, from its headers.
    #[arg(long, env = "WINDMILL_MCP_BODY_TIMEOUT", default_value_t = 30)]
    body_timeout: u64,
    /// Seconds a keep-alive connection may wait for its next request.
    #[arg(long, env = "WINDMILL_MCP_IDLE_TIMEOUT", default_value_t = 75)]
    idle_timeout: u64,
    /// Entries of one `?tools=`, `?scripts=` or `?flows=` list at most (more: 400).
    #[arg(long, env = "WINDMILL_MCP_MAX_SELECTION_ENTRIES", default_value_t = crate::http::DEFAULT_MAX_SELECTION_ENTRIES)]
    max_selection_entries: usize,
}

impl ServeArgs {
    /// `--token` for callers without one, on an address others can reach, needs the opt-in flag.
    fn check_token_exposure(&self) -> Result<(), CliError> {
        let has_token = self
            .common
            .token
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        if has_token && !self.listen.ip().is_loopback() && !self.allow_token_on_network {
            return Err(CliError::Flag {
                flag: "--token",
                reason: format!(
                    "refusing to listen on {} with a server token: every caller that sends no token of its own would act with it. Listen on a loopback address (127.0.0.1, ::1), let callers bring their own tokens, or pass --allow-token-on-network to accept that",
                    self.listen
                ),
            });
        }
        Ok(())
    }

    fn http_options(&self) -> HttpOptions {
        let mut options = HttpOptions {
            stateless: self.stateless,
            max_request_bytes: self.max_request_bytes,
            sessions: crate::http::SessionLimits {
                max_sessions: self.max_sessions.max(1),
                idle_timeout: Duration::from_secs(self.session_idle_timeout.max(1)),
            },
            max_selection_entries: self.max_selection_entries.max(1),
            ..HttpOptions::default()
        };
        if !self.allowed_hosts.is_empty() {
            options.allowed_hosts = if self.allowed_hosts.iter().any(|h| h == "*") {
                Vec::new()
            } else {
                self.allowed_hosts.clone()
            };
        }
        if !self.allowed_origins.is_empty() {
            options.allowed_origins = self.allowed_origins.clone();
        }
        options
    }

    fn conn_limits(&self) -> crate::http::ConnLimits {
        crate::http::ConnLimits {
            max_connections: self.max_connections.max(1),
            header_timeout: Duration::from_secs(self.header_timeout.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout.max(1)),
            idle_timeout: Duration::from_secs(self.idle_timeout.max(1)),
        }
    }
}

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{flag}: {reason}")]
    Flag { flag: &'static str, reason: String },
    #[error(transparent)]
    Config(#[from] crate::upstream::client::ConfigError),
    #[error("{what}: {reason}")]
    Io { what: String, reason: String },
    /// A `tools` or `spec` command's own report of what went wrong.
    #[error("{0}")]
    Command(String),
}

impl From<String> for CliError {
    fn from(s: String) -> Self {
        CliError::Command(s)
    }
}

fn flag(flag: &'static str) -> impl FnOnce(String) -> CliError {
    move |reason| CliError::Flag { flag, reason }
}

fn io(what: impl Into<String>) -> impl FnOnce(String) -> CliError {
    let what = what.into();
    move |reason| CliError::Io { what, reason }
}

impl Common {
    fn settings(&self) -> Result<Settings, CliError> {
        Ok(Settings {
            base_url: self.base_url.clone(),
            token: self.token.clone().and_then(Token::new),
            workspace: self.workspace.clone().filter(|w| !w.is_empty()),
            selection: Selection::parse(&self.tools).map_err(|e| flag("--tools")(e.to_string()))?,
            read_only: self.read_only,
            profile: Profile::parse(&self.client_profile)
                .map_err(|e| flag("--client-profile")(e.to_string()))?,
            max_name_len: self.max_name_len,
            page_size: self.page_size.max(1),
            limits: Limits {
                timeout: Duration::from_secs(self.timeout.max(1)),
                max_response_bytes: self.max_response_bytes,
                max_upstream: self.max_upstream.max(1),
            },
            max_concurrent_calls: self.max_concurrent_calls.max(1),
            max_result_bytes: self.max_result_bytes.max(1000),
            items: ItemSelection {
                scripts: ItemFilter::parse(&self.scripts)
                    .map_err(|e| flag("--scripts")(e.to_string()))?,
                flows: ItemFilter::parse(&self.flows)
                    .map_err(|e| flag("--flows")(e.to_string()))?,
            },
            item_options: ItemOptions {
                listing_budget: self.listing_budget,
                refresh_interval: Duration::from_secs(self.refresh_interval.max(1)),
                job_timeout: Duration::from_secs(self.job_timeout.max(1)),
                max_items: self.max_items.max(1),
                max_catalogs: self.max_catalogs.max(1),
                max_selections_per_token: self.max_selections_per_token.max(1),
                ..ItemOptions::default()
            },
            spec: SpecSource::parse(&self.spec_source).map_err(flag("--spec"))?,
            spec_poll_interval: poll_interval(self.spec_poll_interval)
                .map_err(flag("--spec-poll-interval"))?,
        })
    }
}

/// `--spec-poll-interval`'s seconds as a duration (0: off).
fn poll_interval(seconds: f64) -> Result<Duration, String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!(
            "`{seconds}` is not a number of seconds (0 or more; 0 turns following off)"
        ));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{seconds}` seconds: {e}"))
}

fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        // Colour codes only where a terminal shows them, not in files or log collectors.
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .with_ansi(false)
            .event_format(json_log::JsonLines)
            .try_init(),
    };
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Tools { command } => {
            let out = match command {
                ToolsCommand::List {
                    all,
                    tag,
                    select,
                    json,
                    spec,
                } => {
                    let sel = match (all, &select) {
                        (true, _) => Selection::All,
                        (false, Some(s)) => {
                            Selection::parse(s).map_err(|e| flag("--select")(e.to_string()))?
                        }
                        (false, None) if tag.is_some() => Selection::All,
                        (false, None) => Selection::Curated,
                    };
                    let registry = tools::registry_of(spec.as_deref())
                        .await
                        .map_err(flag("--spec"))?;
                    tools::list_of(&registry, &sel, tag.as_deref(), json)
                }
                ToolsCommand::Show { name } => tools::show(&name)?,
                ToolsCommand::Search { query, limit } => tools::search(&query, limit),
                ToolsCommand::Stats { spec } => {
                    let registry = tools::registry_of(spec.as_deref())
                        .await
                        .map_err(flag("--spec"))?;
                    tools::stats_of(&registry)
                }
                ToolsCommand::Catalog { out } => tools::catalog(&out)?,
            };
            stdout(&format!("{}\n", out.trim_end()));
            Ok(())
        }
        Command::Spec { command } => Ok(spec::run(command).await?),
        Command::Stdio(common) => {
            init_logging(common.log_format);
            let settings = common.settings()?;
            let caller = Caller {
                workspace: settings.workspace.clone(),
                token: settings.token.clone(),
                exposure: settings.exposure(),
                items: settings.items.clone(),
            };
            let shared = Shared::for_spec(settings).await?;
            let server = McpServer::fixed(shared, caller);
            let running = rmcp::serve_server(server, rmcp::transport::stdio())
                .await
                .map_err(|e| io("stdio")(e.to_string()))?;
            running
                .waiting()
                .await
                .map_err(|e| io("stdio")(e.to_string()))?;
            Ok(())
        }
        Command::Serve(args) => {
            init_logging(args.common.log_format);
            args.check_token_exposure()?;
            let settings = args.common.settings()?;
            let options = args.http_options();
            let limits = args.conn_limits();
            let base = settings.base_url.clone();
            let shared = Shared::for_spec(settings).await?;
            let registry = shared.registry();
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .map_err(|e| io(format!("cannot listen on {}", args.listen))(e.to_string()))?;
            let addr = listener
                .local_addr()
                .map_err(|e| io("the listening address")(e.to_string()))?;
            tracing::info!(
                "windmill-mcp {} serving {} endpoint tools of {} {} for {base} on http://{addr}/api/mcp/w/<workspace>/mcp{}",
                env!("CARGO_PKG_VERSION"),
                registry.all().len(),
                registry.spec().title,
                registry.spec().version,
                if args.stateless { " (stateless)" } else { "" }
            );
            if shared.settings.token.is_some() && !args.listen.ip().is_loopback() {
                tracing::warn!(
                    "--allow-token-on-network: callers without a token of their own act with the server token"
                );
            }
            // Compare the running Windmill's version with the tools' in the background: never delays
            // or fails start-up (Windmill may be down). With `live`/`auto` start-up has read that
            // version already and serves its spec (or the compiled one it equals), and the follower
            // keeps to it: a second read, pull and diff would only repeat that work.
            if !shared.settings.spec.follows_windmill() {
                tokio::spawn(crate::upstream::spec::check_version(base.clone(), registry));
            }
            let app = crate::http::app(shared, options);
            crate::http::serve(listener, app, limits, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
            Ok(())
        }
    }
}

/// Writes a command's output. A reader that went away (`windmill-mcp tools list | head`) ends the
/// output quietly: `println!` would panic on the closed pipe.
pub(crate) fn stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
