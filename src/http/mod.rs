//! Streamable HTTP: routes compatible with Windmill's built-in MCP server, authentication, and
//! `Host`/`Origin` checks, in front of rmcp's transport.
//!
//! Order of checks on every MCP request: `Host`/`Origin` (DNS-rebinding protection; one `Host`,
//! strictly parsed, and no foreign authority in an absolute-form target) → token (401 with
//! `WWW-Authenticate` when missing or malformed, before any MCP processing) → the session's owner
//! (a session is bound to the token that opened it) → per-URL narrowing (bounded) → rmcp. The
//! caller's token and workspace travel to the handler as a [`Caller`] in the request's extensions.
//!
//! * [`sessions`]: the session cap with LRU eviction of idle sessions, the idle timeout a request in
//!   flight holds off, and each session's owner;
//! * [`conn`]: serving on a TCP listener with a connection limit and header, body and idle timeouts.

pub mod conn;
pub mod sessions;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

pub use conn::{serve, ConnLimits};
pub use sessions::{SessionLimits, Sessions};

use crate::config::Settings;
use crate::endpoints::Selection;
use crate::listing::Profile;
use crate::mcp::{Caller, McpServer, Shared};
use crate::text::form_pairs;
use crate::upstream::Token;
use crate::workspace::{token_identity, ItemFilter};

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
    /// Live sessions and their idle timeout.
    pub sessions: SessionLimits,
    /// Entries of one `?tools=`, `?scripts=` or `?flows=` list at most (`--max-selection-entries`).
    pub max_selection_entries: usize,
}

/// The default `--max-selection-entries`.
pub const DEFAULT_MAX_SELECTION_ENTRIES: usize = 64;

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
            sessions: SessionLimits::default(),
            max_selection_entries: DEFAULT_MAX_SELECTION_ENTRIES,
        }
    }
}

#[derive(Clone)]
struct Gate {
    shared: Arc<Shared>,
    options: Arc<HttpOptions>,
    /// `None` in stateless mode.
    sessions: Option<Arc<Sessions>>,
}

/// Answers for clients that resume a dropped stream are kept this long (rmcp's default is 60 s,
/// which under load holds many megabytes of finished answers).
const COMPLETED_CACHE_TTL: Duration = Duration::from_secs(15);

/// The application: MCP routes, `/health`, and the tool catalog at `/`.
pub fn app(shared: Arc<Shared>, options: HttpOptions) -> Router {
    app_with_sessions(shared, options).0
}

/// [`app`], and its sessions (`None` in stateless mode), to watch them.
pub fn app_with_sessions(
    shared: Arc<Shared>,
    options: HttpOptions,
) -> (Router, Option<Arc<Sessions>>) {
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
    let (mcp, sessions) = if options.stateless {
        let config = config
            .with_legacy_session_mode(false)
            .with_json_response(true);
        let router = Router::new()
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
            );
        (router, None)
    } else {
        let sessions = Sessions::new(options.sessions, COMPLETED_CACHE_TTL);
        let router = Router::new()
            .route_service(
                "/api/mcp/w/{workspace}/mcp",
                StreamableHttpService::new(factory.clone(), sessions.clone(), config.clone()),
            )
            .route_service(
                "/mcp",
                StreamableHttpService::new(factory, sessions.clone(), config),
            );
        (router, Some(sessions))
    };
    let gate = Gate {
        shared,
        options: Arc::new(options),
        sessions: sessions.clone(),
    };
    let page = gate.clone();
    let router = mcp
        .layer(axum::middleware::from_fn_with_state(gate, check_request))
        .route("/health", get(|| async { "ok" }))
        .route(
            "/",
            get(move |uri: Uri, headers: HeaderMap| catalog_page(page.clone(), uri, headers)),
        );
    (router, sessions)
}

/// `GET /`: the tool catalog (see `crate::catalog`), behind the same `Host`/`Origin` checks as the
/// MCP routes. It needs no token: it shows the served spec's tools, never workspace data.
async fn catalog_page(gate: Gate, uri: Uri, headers: HeaderMap) -> Response {
    if let Err(refusal) = check_front(&uri, &headers, &gate.options) {
        return refusal.into_response();
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

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.into(),
    )
        .into_response()
}

/// A `Host` value (or an absolute-form target's authority) split strictly into host and port:
/// `name`, `name:port`, `1.2.3.4[:port]` or `[v6][:port]`; `None` for anything else (trailing text
/// after `]`, an empty or non-numeric port, characters no host name has).
pub fn parse_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return None;
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (v6, port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    if !authority.starts_with('[')
        && (host.is_empty()
            || host.len() > 253
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'))
    {
        return None;
    }
    Some((host, port))
}

/// Whether a `Host` value is well formed and allowed: its host (and port, if the allowed entry has
/// one) matches an entry of `allowed`. An empty list allows any well-formed value.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let Some((h, port)) = parse_authority(host) else {
        return false;
    };
    if allowed.is_empty() {
        return true;
    }
    allowed.iter().any(|a| {
        let a = a.trim();
        match parse_authority(a) {
            Some((ah, aport)) => ah.eq_ignore_ascii_case(h) && (aport.is_none() || aport == port),
            // A bare IPv6 literal (`::1`) in the list.
            None => a.eq_ignore_ascii_case(h),
        }
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

/// Why the credentials of a request cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("more than one Authorization header")]
    SeveralAuthorizations,
    #[error("`?token=` is empty")]
    EmptyQueryToken,
    #[error("the `token` cookie is empty")]
    EmptyCookie,
}

/// The caller's own token: `Authorization: Bearer`, then `?token=`, then the `token` cookie
/// (percent-decoded like the query). `Ok(None)`: the request carries no credentials at all. A
/// credential that is present but malformed or empty is an error, never "none": it must not fall
/// back to the server's token.
pub fn credentials(
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Option<Token>, CredentialError> {
    let mut auth = headers.get_all(header::AUTHORIZATION).iter();
    if let Some(v) = auth.next() {
        if auth.next().is_some() {
            return Err(CredentialError::SeveralAuthorizations);
        }
        let v = v.to_str().map_err(|_| CredentialError::NotBearer)?.trim();
        let (scheme, rest) = v.split_once(' ').ok_or(CredentialError::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(CredentialError::NotBearer);
        }
        return Token::new(rest).map(Some).ok_or(CredentialError::NotBearer);
    }
    if let Some(q) = query {
        for (k, v) in form_pairs(q) {
            if k == "token" {
                return Token::new(v)
                    .map(Some)
                    .ok_or(CredentialError::EmptyQueryToken);
            }
        }
    }
    for cookie in headers.get_all(header::COOKIE).iter() {
        // Read lossily: a stray byte elsewhere in the header must not hide the token (the request
        // would then act with the server token).
        let cookie = String::from_utf8_lossy(cookie.as_bytes());
        for part in cookie.split(';') {
            if let Some(v) = part.trim().strip_prefix("token=") {
                let v = v.trim_matches('"');
                let decoded = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                return Token::new(decoded.into_owned())
                    .map(Some)
                    .ok_or(CredentialError::EmptyCookie);
            }
        }
    }
    Ok(None)
}

fn valid_workspace(w: &str) -> bool {
    !w.is_empty()
        && w.len() <= 64
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why the gate refuses a request: the status and the sentence the client reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub text: String,
}

impl Refusal {
    fn new(status: StatusCode, text: impl Into<String>) -> Self {
        Refusal {
            status,
            text: text.into(),
        }
    }

    fn unauthorized(detail: &str) -> Self {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            format!("Unauthorized: {detail}. Send a Windmill token as `Authorization: Bearer <token>` (or `?token=<token>`). Create one in Windmill under User settings → Tokens."),
        )
    }

    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let error = if self.text.starts_with("Unauthorized: no token") {
            "invalid_request"
        } else {
            "invalid_token"
        };
        let mut r = plain(self.status, self.text);
        if unauthorized {
            if let Ok(v) = format!("Bearer realm=\"windmill-mcp\", error=\"{error}\", error_description=\"a Windmill token is required\"").parse() {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        r
    }
}

/// Who a request is from and what it may see, as the gate decided.
#[derive(Debug, Clone)]
pub struct Admission {
    pub caller: Caller,
    /// The identity of the caller's token (a keyed hash), which sessions are bound to.
    pub who: u128,
    /// The token is the server's (`--token`): the request carried no credentials of its own.
    pub server_token: bool,
}

/// The `Host` checks: exactly one `Host` header, well formed and allowed; an absolute-form target's
/// authority allowed too.
fn check_host(uri: &Uri, headers: &HeaderMap, allowed: &[String]) -> Result<(), Refusal> {
    let forbidden = |why: &str| {
        Refusal::new(
            StatusCode::FORBIDDEN,
            format!("Forbidden: {why} (see --allowed-hosts)"),
        )
    };
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err(forbidden("more than one Host header"));
    }
    if let Some(a) = uri.authority() {
        if !host_allowed(a.as_str(), allowed) {
            return Err(forbidden(
                "the request target names a host that is not allowed",
            ));
        }
    }
    match host {
        Some(h) => {
            let ok = h.to_str().is_ok_and(|h| host_allowed(h, allowed));
            if ok {
                Ok(())
            } else {
                Err(forbidden("this Host is not allowed"))
            }
        }
        None if allowed.is_empty() || uri.authority().is_some() => Ok(()),
        None => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "Bad Request: missing Host header",
        )),
    }
}

/// The checks every route makes before anything else: one allowed `Host` (or absolute-form
/// target), and at most one `Origin`, allowed.
fn check_front(uri: &Uri, headers: &HeaderMap, options: &HttpOptions) -> Result<(), Refusal> {
    check_host(uri, headers, &options.allowed_hosts)?;
    let mut origins = headers.get_all(header::ORIGIN).iter();
    if let Some(origin) = origins.next() {
        let ok = origins.next().is_none()
            && origin
                .to_str()
                .is_ok_and(|o| origin_allowed(o, &options.allowed_origins));
        if !ok {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "Forbidden: this Origin is not allowed (see --allowed-origins)",
            ));
        }
    }
    Ok(())
}

/// The caller's exposure and items narrowed by the URL's query.
fn narrow(
    settings: &Settings,
    options: &HttpOptions,
    query: Option<&str>,
) -> Result<(crate::config::Exposure, crate::workspace::ItemSelection), Refusal> {
    let mut exposure = settings.exposure();
    let mut items = settings.items.clone();
    let Some(q) = query else {
        return Ok((exposure, items));
    };
    let max = options.max_selection_entries.max(1);
    let bad = |what: String| Refusal::new(StatusCode::BAD_REQUEST, format!("Bad Request: {what}"));
    for (k, v) in form_pairs(q) {
        if matches!(k.as_str(), "tools" | "scripts" | "flows") {
            // Counted before anything is compiled: a list costs work in proportion to its length.
            let entries = v.split(',').filter(|e| !e.trim().is_empty()).count();
            let longest = v.split(',').map(str::len).max().unwrap_or(0);
            if entries > max {
                return Err(bad(format!(
                    "?{k}=: {entries} entries, at most {max} (--max-selection-entries); use tags (tag:<tag>) or wider globs"
                )));
            }
            if longest > crate::text::MAX_NAME_CHARS {
                return Err(bad(format!(
                    "?{k}=: an entry is longer than {} characters",
                    crate::text::MAX_NAME_CHARS
                )));
            }
        }
        match k.as_str() {
            "tools" => match Selection::parse(&v) {
                Ok(s) => exposure.selection = s,
                Err(e) => return Err(bad(format!("?tools=: {e}"))),
            },
            // A URL can make a connection read-only, never lift the server's read-only mode.
            "read_only" | "readonly" => {
                exposure.read_only |= matches!(v.as_str(), "" | "1" | "true" | "yes")
            }
            "client" => match Profile::parse(&v) {
                Ok(p) => exposure.profile = p,
                Err(e) => {
                    return Err(bad(format!(
                        "?client=: {}",
                        crate::text::ellipsize(&e.to_string(), 200)
                    )))
                }
            },
            "scripts" | "flows" => match ItemFilter::parse(&v) {
                Ok(f) if k == "scripts" => items.scripts = f,
                Ok(f) => items.flows = f,
                Err(e) => return Err(bad(format!("?{k}=: {e}"))),
            },
            "max_name_len" => match v.parse::<usize>() {
                Ok(n) => exposure.max_name_len = Some(n),
                Err(_) => {
                    return Err(bad(format!(
                        "?max_name_len=: expected a number, got `{}`",
                        crate::text::ellipsize(&v, 40)
                    )))
                }
            },
            _ => {}
        }
    }
    Ok((exposure, items))
}

/// The gate's decision on a request, from its target and headers alone: `Host` and `Origin`, the
/// workspace in the path, the caller's token (its own, or the server's when it sends none), and
/// the per-URL narrowing. No I/O, bounded work (the fuzz target `http_front` runs this).
pub fn admit(
    uri: &Uri,
    headers: &HeaderMap,
    settings: &Settings,
    options: &HttpOptions,
) -> Result<Admission, Refusal> {
    check_front(uri, headers, options)?;
    let workspace = match uri
        .path()
        .strip_prefix("/api/mcp/w/")
        .and_then(|r| r.strip_suffix("/mcp"))
    {
        Some(w) if valid_workspace(w) => Some(w.to_owned()),
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "Not Found: bad workspace id in the URL",
            ))
        }
        None => settings.workspace.clone(),
    };
    let query = uri.query();
    let (token, server_token) = match credentials(headers, query) {
        Ok(Some(t)) => (t, false),
        Ok(None) => match settings.token.clone() {
            Some(t) => (t, true),
            None => return Err(Refusal::unauthorized("no token")),
        },
        Err(e) => return Err(Refusal::unauthorized(&e.to_string())),
    };
    let (exposure, items) = narrow(settings, options, query)?;
    Ok(Admission {
        who: token_identity(&token),
        caller: Caller {
            workspace,
            token: Some(token),
            exposure,
            items,
        },
        server_token,
    })
}

static SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

async fn check_request(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let admission = match admit(
        req.uri(),
        req.headers(),
        &gate.shared.settings,
        &gate.options,
    ) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let who = admission.who;
    // A session is the business of the token that opened it only.
    let mut in_flight = None;
    let mut opening = false;
    if let Some(sessions) = &gate.sessions {
        let mut ids = req.headers().get_all(&SESSION_ID).iter();
        match (ids.next(), ids.next()) {
            (Some(_), Some(_)) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: more than one Mcp-Session-Id header",
                )
            }
            (Some(id), None) => {
                let id = id.to_str().unwrap_or_default();
                match sessions.enter(id, who) {
                    sessions::Lookup::Yours(guard) => {
                        // A GET stream may stay open for hours: it marks activity but does not
                        // hold the session against eviction; requests do.
                        if req.method() == http::Method::GET {
                            sessions.touch(id);
                        } else {
                            in_flight = Some(guard);
                        }
                    }
                    sessions::Lookup::NotYours => {
                        return plain(StatusCode::NOT_FOUND, "Not Found: Session not found")
                    }
                    sessions::Lookup::Unknown => {}
                }
            }
            (None, _) => {
                if req.method() == http::Method::POST {
                    if !sessions.has_room() {
                        let mut r = plain(
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!(
                                "Service Unavailable: {} sessions are open (--max-sessions) and each has a request in flight. Retry shortly.",
                                sessions.limits().max_sessions
                            ),
                        );
                        r.headers_mut()
                            .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
                        return r;
                    }
                    opening = true;
                }
            }
        }
    }
    let is_delete = req.method() == http::Method::DELETE;
    req.extensions_mut().insert(admission.caller);
    let mut response = next.run(req).await;
    if let (true, Some(sessions)) = (opening, &gate.sessions) {
        if let Some(id) = response
            .headers()
            .get(&SESSION_ID)
            .and_then(|v| v.to_str().ok())
        {
            sessions.bind(id, who);
        }
    }
    // rmcp answers a DELETE with 202; clients (the official Python one) expect 200 or 204.
    if is_delete && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = axum::body::Body::empty();
    }
    match in_flight {
        // The session stays in use until its answer (an SSE stream) is sent.
        Some(guard) => response.map(|body| {
            axum::body::Body::new(held::Held {
                inner: body,
                _guard: guard,
            })
        }),
        None => response,
    }
}

/// A response body that holds something (an in-flight guard) until it is sent or dropped.
pub(crate) mod held {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http_body::{Body, Frame, SizeHint};

    pub struct Held<G> {
        pub inner: axum::body::Body,
        pub _guard: G,
    }

    impl<G: Unpin + Send + 'static> Body for Held<G> {
        type Data = hyper::body::Bytes;
        type Error = axum::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            Pin::new(&mut self.inner).poll_frame(cx)
        }

        fn is_end_stream(&self) -> bool {
            self.inner.is_end_stream()
        }

        fn size_hint(&self) -> SizeHint {
            self.inner.size_hint()
        }
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
        assert!(host_allowed("[::1]", &o.allowed_hosts));
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
        assert!(host_allowed(
            "mcp.example.com:443",
            &["mcp.example.com".to_string()]
        ));
        assert!(!host_allowed(
            "mcp.example.com:80",
            &["mcp.example.com:443".to_string()]
        ));
    }

    #[test]
    fn host_values_are_parsed_strictly() {
        let o = HttpOptions::default();
        for bad in [
            "[::1]evil.com",
            "[::1]:80evil",
            "[::1]:",
            "localhost:",
            "localhost:80:80",
            "localhost:99999",
            "localhost evil.com",
            "localhost/evil",
            "localhost@evil.com",
            "[evil.com]",
            "",
            "127.0.0.1:80 ",
        ] {
            assert!(!host_allowed(bad, &o.allowed_hosts), "{bad:?}");
            assert!(!host_allowed(bad, &[]), "{bad:?} (any host)");
        }
        assert_eq!(parse_authority("[::1]:8765"), Some(("::1", Some(8765))));
        assert_eq!(parse_authority("Example.com"), Some(("Example.com", None)));
    }

    #[test]
    fn credentials_from_header_query_and_cookie() {
        let mut h = HeaderMap::new();
        let tok = |h: &HeaderMap, q| credentials(h, q).map(|t| t.map(|t| t.expose().to_owned()));
        assert_eq!(tok(&h, None), Ok(None));
        assert_eq!(tok(&h, Some("a=1&token=q%2Bt")), Ok(Some("q+t".into())));
        h.insert(header::COOKIE, "x=1; token=c%2Bd%3D".parse().unwrap());
        assert_eq!(
            tok(&h, None),
            Ok(Some("c+d=".into())),
            "cookies are percent-decoded"
        );
        h.insert(header::AUTHORIZATION, "Bearer b".parse().unwrap());
        assert_eq!(tok(&h, Some("token=q")), Ok(Some("b".into())));
        h.insert(header::AUTHORIZATION, "bearer   b2 ".parse().unwrap());
        assert_eq!(tok(&h, None), Ok(Some("b2".into())));
    }

    #[test]
    fn malformed_credentials_are_errors_not_absent() {
        let with_auth = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            credentials(&h, None)
        };
        for v in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "Bearer    ",
            "Token abc",
            "abc",
        ] {
            assert_eq!(with_auth(v), Err(CredentialError::NotBearer), "{v:?}");
        }
        let h = HeaderMap::new();
        assert_eq!(
            credentials(&h, Some("token=")),
            Err(CredentialError::EmptyQueryToken)
        );
        assert_eq!(
            credentials(&h, Some("x=1&token")),
            Err(CredentialError::EmptyQueryToken)
        );
        let mut c = HeaderMap::new();
        c.insert(header::COOKIE, "token=; x=1".parse().unwrap());
        assert_eq!(credentials(&c, None), Err(CredentialError::EmptyCookie));
        let mut two = HeaderMap::new();
        two.append(header::AUTHORIZATION, "Bearer a".parse().unwrap());
        two.append(header::AUTHORIZATION, "Bearer b".parse().unwrap());
        assert_eq!(
            credentials(&two, None),
            Err(CredentialError::SeveralAuthorizations)
        );
    }
}
