//! `windmill-mcp`: serve Windmill's API as MCP tools, or inspect the generated tools.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};
use windmill_mcp::config::Settings;
use windmill_mcp::http::HttpOptions;
use windmill_mcp::inspect;
use windmill_mcp::registry::Selection;
use windmill_mcp::server::{Caller, McpServer, Shared};
use windmill_mcp::windmill::{Limits, Token};
use windmill_mcp::workspace::{ItemFilter, ItemOptions, ItemSelection};

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
        command: windmill_mcp::spec::SpecCommand,
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
    },
    /// One tool exactly as `tools/list` sends it.
    Show { name: String },
    /// Counts and bytes per selection, and what the generator degraded.
    Stats,
}

#[derive(ClapArgs, Clone)]
struct Common {
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
    /// Tools per `tools/list` page.
    #[arg(long, env = "WINDMILL_MCP_PAGE_SIZE", default_value_t = 100)]
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
    /// Workspace scripts listed as tools: `all`, `none`, or `favorites` and path globs
    /// (`f/team/*`, `u/me/**`), comma-separated.
    #[arg(long, env = "WINDMILL_MCP_SCRIPTS", default_value = "all")]
    scripts: String,
    /// Workspace flows listed as tools: `all`, `none`, or `favorites` and path globs.
    #[arg(long, env = "WINDMILL_MCP_FLOWS", default_value = "all")]
    flows: String,
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
}

impl Common {
    fn settings(&self) -> Result<Settings, String> {
        Ok(Settings {
            base_url: self.base_url.clone(),
            token: self.token.clone().and_then(Token::new),
            workspace: self.workspace.clone().filter(|w| !w.is_empty()),
            selection: Selection::parse(&self.tools)?,
            read_only: self.read_only,
            profile: windmill_mcp::profile::Profile::parse(&self.client_profile)?,
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
                scripts: ItemFilter::parse(&self.scripts).map_err(|e| format!("--scripts: {e}"))?,
                flows: ItemFilter::parse(&self.flows).map_err(|e| format!("--flows: {e}"))?,
            },
            item_options: ItemOptions {
                refresh_interval: Duration::from_secs(self.refresh_interval.max(1)),
                job_timeout: Duration::from_secs(self.job_timeout.max(1)),
                ..ItemOptions::default()
            },
        })
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Tools { command } => {
            let out = match command {
                ToolsCommand::List {
                    all,
                    tag,
                    select,
                    json,
                } => {
                    let sel = match (all, &select) {
                        (true, _) => Selection::All,
                        (false, Some(s)) => Selection::parse(s)?,
                        (false, None) if tag.is_some() => Selection::All,
                        (false, None) => Selection::Curated,
                    };
                    inspect::list(&sel, tag.as_deref(), json)
                }
                ToolsCommand::Show { name } => inspect::show(&name)?,
                ToolsCommand::Stats => inspect::stats(),
            };
            println!("{}", out.trim_end());
            Ok(())
        }
        Command::Spec { command } => windmill_mcp::spec::run(command).await,
        Command::Stdio(common) => {
            init_logging();
            let settings = common.settings()?;
            let caller = Caller {
                workspace: settings.workspace.clone(),
                token: settings.token.clone(),
                exposure: settings.exposure(),
                items: settings.items.clone(),
            };
            let shared = Shared::new(settings)?;
            let server = McpServer::fixed(shared, caller);
            let running = rmcp::serve_server(server, rmcp::transport::stdio())
                .await
                .map_err(|e| format!("stdio: {e}"))?;
            running.waiting().await.map_err(|e| format!("stdio: {e}"))?;
            Ok(())
        }
        Command::Serve(args) => {
            init_logging();
            let settings = args.common.settings()?;
            let mut options = HttpOptions {
                stateless: args.stateless,
                max_request_bytes: args.max_request_bytes,
                ..HttpOptions::default()
            };
            if !args.allowed_hosts.is_empty() {
                options.allowed_hosts = if args.allowed_hosts.iter().any(|h| h == "*") {
                    Vec::new()
                } else {
                    args.allowed_hosts.clone()
                };
            }
            if !args.allowed_origins.is_empty() {
                options.allowed_origins = args.allowed_origins.clone();
            }
            let base = settings.base_url.clone();
            let shared = Shared::new(settings)?;
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(
                "windmill-mcp {} serving {} endpoint tools of {} {} for {base} on http://{addr}/api/mcp/w/<workspace>/mcp{}",
                env!("CARGO_PKG_VERSION"),
                windmill_mcp::registry::REGISTRY.all().len(),
                windmill_mcp::generated::SPEC_TITLE,
                windmill_mcp::generated::SPEC_VERSION,
                if args.stateless { " (stateless)" } else { "" }
            );
            // Compare the running Windmill's version with the tools' in the background: never delays
            // or fails start-up (Windmill may be down).
            tokio::spawn(windmill_mcp::spec::check_version(base.clone()));
            let app = windmill_mcp::http::app(shared, options);
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| format!("server: {e}"))
        }
    }
}
