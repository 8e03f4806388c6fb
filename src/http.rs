//! Streamable HTTP: routes compatible with Windmill's built-in MCP server, authentication, and
//! `Host`/`Origin` checks, in front of rmcp's transport.
//!
//! Order of checks on every MCP request: `Host`/`Origin` (DNS-rebinding protection) → token (401 with
//! `WWW-Authenticate` when missing, before any MCP processing) → rmcp. The caller's token and
//! workspace travel to the handler as a [`Caller`] in the request's extensions; nothing about a caller
//! is kept between requests.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::endpoints::Selection;
use crate::listing::Profile;
use crate::mcp::{Caller, McpServer, Shared};
use crate::text::form_pairs;
use crate::upstream::Token;
use crate::workspace::ItemFilter;

/// How the HTTP front end is set up.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// No sessions: every request stands alone (for replicas behind a load balancer).
    pub stateless: bool,
    /// Accepted `Host` values (host or host:port). Empty: any (not recommended).
    pub allowed_hosts: Vec<String>,
    /// Accepted `Origin` values (scheme://host[:port|:*]). Requests without `Origin` pass.
    pub allowed_origins: Vec<String>,
    /// Largest accepted request body.
    pub max_request_bytes: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            stateless: false,
            allowed_hosts: vec![
                "localhost".into(),
                "127.0.0.1".into(),
                "::1".into(),
                "[::1]".into(),
            ],
            allowed_origins: vec![
                "http://localhost:*".into(),
                "http://127.0.0.1:*".into(),
                "http://[::1]:*".into(),
            ],
            max_request_bytes: 4 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
struct Gate {
    shared: Arc<Shared>,
    options: Arc<HttpOptions>,
}

/// The application: MCP routes, `/health`, and the tool catalog at `/`.
pub fn app(shared: Arc<Shared>, options: HttpOptions) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts.clone())
        .with_max_request_body_bytes(options.max_request_bytes);
    if options.allowed_hosts.is_empty() {
        config = config.disable_allowed_hosts();
    }
    // Origins are checked by `gate` (with the same list) so that the answer comes before the 401.
    config = config.disable_allowed_origins();
    let factory_shared = shared.clone();
    let watch = !options.stateless;
    let factory = move || Ok(McpServer::http(factory_shared.clone(), watch));
    let mcp = if options.stateless {
        let config = config
            .with_legacy_session_mode(false)
            .with_json_response(true);
        Router::new()
            .route_service(
                "/api/mcp/w/{workspace}/mcp",
                StreamableHttpService::new(
                    factory.clone(),
                    Arc::new(NeverSessionManager::default()),
                    config.clone(),
                ),
            )
            .route_service(
                "/mcp",
                StreamableHttpService::new(
                    factory,
                    Arc::new(NeverSessionManager::default()),
                    config,
                ),
            )
    } else {
        let mut manager = LocalSessionManager::default();
        // Answers are kept this long for clients that resume a dropped stream (rmcp's default is
        // 60 s, which under load holds many megabytes of finished answers).
        manager.session_config.completed_cache_ttl = std::time::Duration::from_secs(15);
        let sessions = Arc::new(manager);
        Router::new()
            .route_service(
                "/api/mcp/w/{workspace}/mcp",
                StreamableHttpService::new(factory.clone(), sessions.clone(), config.clone()),
            )
            .route_service(
                "/mcp",
                StreamableHttpService::new(factory, sessions, config),
            )
    };
    let gate = Gate {
        shared,
        options: Arc::new(options),
    };
    let page = gate.clone();
    mcp.layer(axum::middleware::from_fn_with_state(gate, check_request))
        .route("/health", get(|| async { "ok" }))
        .route(
            "/",
            get(move |headers: HeaderMap| catalog_page(page.clone(), headers)),
        )
}

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.into(),
    )
        .into_response()
}

/// The host part of a `Host` header value (`h`, `h:port`, `[::1]:port`).
fn host_only(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    }
}

pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let bare = host_only(host);
    allowed.iter().any(|a| {
        let a = a.trim();
        a.eq_ignore_ascii_case(host)
            || a.trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(bare)
    })
}

pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return allowed.iter().any(|a| a == origin);
    };
    let default_port = if scheme == "https" { "443" } else { "80" };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p))
            if !h.ends_with('[')
                && p.chars().all(|c| c.is_ascii_digit())
                && !rest.ends_with(']') =>
        {
            (h, p)
        }
        _ => (rest, default_port),
    };
    allowed.iter().any(|a| {
        let Some((ascheme, arest)) = a.split_once("://") else {
            return false;
        };
        if !ascheme.eq_ignore_ascii_case(scheme) {
            return false;
        }
        let (ahost, aport) = match arest.rsplit_once(':') {
            Some((h, p))
                if p == "*" || (p.chars().all(|c| c.is_ascii_digit()) && !arest.ends_with(']')) =>
            {
                (h, p)
            }
            _ => (arest, "*"),
        };
        ahost.eq_ignore_ascii_case(host) && (aport == "*" || aport == port)
    })
}

/// The caller's token: `Authorization: Bearer`, then `?token=`, then the `token` cookie.
fn token_of(headers: &HeaderMap, query: Option<&str>) -> Option<Token> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let v = v.trim();
        if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
            return Token::new(&v[7..]);
        }
    }
    if let Some(q) = query {
        for (k, v) in form_pairs(q) {
            if k == "token" {
                return Token::new(v);
            }
        }
    }
    for cookie in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for part in cookie.split(';') {
            if let Some(v) = part.trim().strip_prefix("token=") {
                return Token::new(v);
            }
        }
    }
    None
}

fn valid_workspace(w: &str) -> bool {
    !w.is_empty()
        && w.len() <= 64
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn check_request(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        Some(h) if host_allowed(h, &gate.options.allowed_hosts) => {}
        Some(_) => {
            return plain(
                StatusCode::FORBIDDEN,
                "Forbidden: this Host is not allowed (see --allowed-hosts)",
            )
        }
        None if gate.options.allowed_hosts.is_empty() => {}
        None => return plain(StatusCode::BAD_REQUEST, "Bad Request: missing Host header"),
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| origin_allowed(o, &gate.options.allowed_origins));
        if !ok {
            return plain(
                StatusCode::FORBIDDEN,
                "Forbidden: this Origin is not allowed (see --allowed-origins)",
            );
        }
    }
    let path = req.uri().path().to_owned();
    let workspace = match path
        .strip_prefix("/api/mcp/w/")
        .and_then(|r| r.strip_suffix("/mcp"))
    {
        Some(w) if valid_workspace(w) => Some(w.to_owned()),
        Some(_) => {
            return plain(
                StatusCode::NOT_FOUND,
                "Not Found: bad workspace id in the URL",
            )
        }
        None => gate.shared.settings.workspace.clone(),
    };
    let query = req.uri().query().map(str::to_owned);
    let token =
        token_of(req.headers(), query.as_deref()).or_else(|| gate.shared.settings.token.clone());
    let Some(token) = token else {
        let mut r = plain(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send a Windmill token as `Authorization: Bearer <token>` (or `?token=<token>`). Create one in Windmill under User settings → Tokens.",
        );
        if let Ok(v) = "Bearer realm=\"windmill-mcp\", error=\"invalid_request\", error_description=\"a Windmill token is required\"".parse() {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        return r;
    };
    let mut exposure = gate.shared.settings.exposure();
    let mut items = gate.shared.settings.items.clone();
    if let Some(q) = &query {
        for (k, v) in form_pairs(q) {
            match k.as_str() {
                "tools" => match Selection::parse(&v) {
                    Ok(s) => exposure.selection = s,
                    Err(e) => {
                        return plain(
                            StatusCode::BAD_REQUEST,
                            format!("Bad Request: ?tools=: {e}"),
                        )
                    }
                },
                // A URL can make a connection read-only, never lift the server's read-only mode.
                "read_only" | "readonly" => {
                    exposure.read_only |= matches!(v.as_str(), "" | "1" | "true" | "yes")
                }
                "client" => match Profile::parse(&v) {
                    Ok(p) => exposure.profile = p,
                    Err(e) => {
                        return plain(
                            StatusCode::BAD_REQUEST,
                            format!("Bad Request: ?client=: {e}"),
                        )
                    }
                },
                "scripts" | "flows" => match ItemFilter::parse(&v) {
                    Ok(f) if k == "scripts" => items.scripts = f,
                    Ok(f) => items.flows = f,
                    Err(e) => {
                        return plain(StatusCode::BAD_REQUEST, format!("Bad Request: ?{k}=: {e}"))
                    }
                },
                "max_name_len" => match v.parse::<usize>() {
                    Ok(n) => exposure.max_name_len = Some(n),
                    Err(_) => {
                        return plain(
                            StatusCode::BAD_REQUEST,
                            format!("Bad Request: ?max_name_len=: expected a number, got `{v}`"),
                        )
                    }
                },
                _ => {}
            }
        }
    }
    req.extensions_mut().insert(Caller {
        workspace,
        token: Some(token),
        exposure,
        items,
    });
    next.run(req).await
}

/// `GET /`: the tool catalog (see `crate::catalog`), behind the same `Host`/`Origin` checks as the
/// MCP routes. It needs no token: it shows the served spec's tools, never workspace data.
async fn catalog_page(gate: Gate, headers: HeaderMap) -> Response {
    let allowed = &gate.options.allowed_hosts;
    match headers.get(header::HOST).and_then(|v| v.to_str().ok()) {
        Some(h) if host_allowed(h, allowed) => {}
        None if allowed.is_empty() => {}
        Some(_) => {
            return plain(
                StatusCode::FORBIDDEN,
                "Forbidden: this Host is not allowed (see --allowed-hosts)",
            )
        }
        None => return plain(StatusCode::BAD_REQUEST, "Bad Request: missing Host header"),
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !origin
            .to_str()
            .is_ok_and(|o| origin_allowed(o, &gate.options.allowed_origins))
        {
            return plain(
                StatusCode::FORBIDDEN,
                "Forbidden: this Origin is not allowed (see --allowed-origins)",
            );
        }
    }
    let registry = gate.shared.registry();
    match tokio::task::spawn_blocking(move || crate::catalog::served_page(&registry)).await {
        Ok(Ok(page)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    crate::catalog::CONTENT_SECURITY_POLICY,
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::X_FRAME_OPTIONS, "DENY"),
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            page.to_string(),
        )
            .into_response(),
        Ok(Err(e)) => plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the catalog could not be made: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let o = HttpOptions::default();
        assert!(host_allowed("localhost:8765", &o.allowed_hosts));
        assert!(host_allowed("127.0.0.1", &o.allowed_hosts));
        assert!(host_allowed("[::1]:80", &o.allowed_hosts));
        assert!(!host_allowed("evil.example:8765", &o.allowed_hosts));
        assert!(origin_allowed("http://localhost:3000", &o.allowed_origins));
        assert!(!origin_allowed("http://evil.example", &o.allowed_origins));
        assert!(!origin_allowed(
            "https://localhost:3000",
            &o.allowed_origins
        ));
        assert!(origin_allowed(
            "https://app.example.com",
            &["https://app.example.com:443".to_string()]
        ));
    }

    #[test]
    fn tokens_from_header_query_and_cookie() {
        let mut h = HeaderMap::new();
        assert!(token_of(&h, Some("a=1&token=q%2Bt")).is_some_and(|t| t.expose() == "q+t"));
        h.insert(header::COOKIE, "x=1; token=c".parse().unwrap());
        assert!(token_of(&h, None).is_some_and(|t| t.expose() == "c"));
        h.insert(header::AUTHORIZATION, "Bearer b".parse().unwrap());
        assert!(token_of(&h, Some("token=q")).is_some_and(|t| t.expose() == "b"));
    }
}
