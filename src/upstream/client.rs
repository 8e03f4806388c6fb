//! Sending requests to Windmill with the caller's token, within time and size limits.
//!
//! [`Windmill::send`] is the one place a request leaves this server: it adds the token (never
//! logged: [`Token`] prints only its length), bounds the requests in flight (`--max-upstream`),
//! the time (`--timeout`) and the answer's size (`--max-response-bytes`), and never follows
//! redirects.

use std::fmt;
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};

use crate::endpoints::runtime::{HttpRequest, RequestBody};

/// A Windmill token. Never printed: `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    pub fn new(t: impl Into<String>) -> Option<Self> {
        let t = t.into();
        let t = t.trim();
        if t.is_empty() {
            None
        } else {
            Some(Token(t.to_owned()))
        }
    }

    /// The secret itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<{} chars redacted>)", self.0.len())
    }
}

/// Limits applied to every request towards Windmill.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Largest response body read from Windmill; larger ones are refused.
    pub max_response_bytes: usize,
    /// Requests to Windmill in flight at once, from the whole server; more wait (up to `timeout`).
    pub max_upstream: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(60),
            max_response_bytes: 16 * 1024 * 1024,
            max_upstream: 64,
        }
    }
}

/// What Windmill answered (2xx or not).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Why a request did not get an answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    #[error("Windmill did not answer within {0:?} (the request may still be running there)")]
    Timeout(Duration),
    #[error("cannot reach Windmill at {base}: {detail}")]
    Connect { base: String, detail: String },
    #[error("the connection to Windmill failed: {0}")]
    Network(String),
    #[error("Windmill's answer is larger than the {limit} byte limit (--max-response-bytes); narrow the request (e.g. a smaller per_page)")]
    TooLarge { limit: usize },
    #[error("the request could not be built: {0}")]
    Build(String),
    #[error("too many requests to Windmill are in flight (limit {limit}, --max-upstream); none finished within {waited:?}, so this one was not sent")]
    Busy { limit: usize, waited: Duration },
}

/// A Windmill client that cannot be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error("bad Windmill base URL `{url}`: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// An HTTP client bound to one Windmill base URL.
#[derive(Clone)]
pub struct Windmill {
    http: reqwest::Client,
    base: String,
    limits: Limits,
    upstream: std::sync::Arc<tokio::sync::Semaphore>,
}

impl fmt::Debug for Windmill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Windmill")
            .field("base", &self.base)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Installs the TLS provider once (rustls with ring).
fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Windmill {
    /// `base` is the Windmill URL (`https://windmill.example.com`), with or without `/api`.
    pub fn new(base: &str, limits: Limits) -> Result<Self, ConfigError> {
        install_crypto();
        let mut base = base.trim().trim_end_matches('/').to_owned();
        if let Some(b) = base.strip_suffix("/api") {
            base = b.to_owned();
        }
        let parsed = reqwest::Url::parse(&base).map_err(|e| ConfigError::BaseUrl {
            url: base.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::BaseUrl {
                url: base,
                reason: "only http and https are supported".into(),
            });
        }
        let http = reqwest::Client::builder()
            .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("windmill-mcp/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Client(e.to_string()))?;
        let upstream = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_upstream.max(1)));
        Ok(Windmill {
            http,
            base,
            limits,
            upstream,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sends a request (relative to `/api`) with the token, reading at most the response limit.
    pub async fn send(
        &self,
        req: &HttpRequest,
        token: Option<&Token>,
    ) -> Result<Answer, SendError> {
        let url = format!("{}/api{}", self.base, req.path_and_query);
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .map_err(|_| SendError::Build(format!("bad method {}", req.method.as_str())))?;
        let mut rb = self.http.request(method, &url);
        if let Some(t) = token {
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose())).map_err(|_| {
                SendError::Build("the token holds characters a header cannot carry".into())
            })?;
            v.set_sensitive(true);
            rb = rb.header(AUTHORIZATION, v);
        }
        for (k, v) in &req.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| SendError::Build(format!("bad header name `{k}`")))?;
            let value = HeaderValue::from_str(v).map_err(|_| {
                SendError::Build(format!(
                    "header `{k}` holds characters a header cannot carry"
                ))
            })?;
            rb = rb.header(name, value);
        }
        match &req.body {
            Some(RequestBody::Bytes {
                content_type,
                bytes,
            }) => {
                rb = rb
                    .header(CONTENT_TYPE, content_type.as_str())
                    .body(bytes.clone());
            }
            Some(RequestBody::Multipart(parts)) => {
                let boundary = format!("windmill-mcp-{:016x}", rand_u64());
                let mut body = Vec::new();
                for (k, v) in parts {
                    body.extend_from_slice(
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                            k.replace('"', "%22")
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(v.as_bytes());
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                rb = rb
                    .header(
                        CONTENT_TYPE,
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body);
            }
            None => {}
        }
        let limit = self.limits.max_response_bytes;
        let timeout = self.limits.timeout;
        let waited = std::time::Instant::now();
        let _permit = match tokio::time::timeout(timeout, self.upstream.acquire()).await {
            Ok(Ok(p)) => p,
            _ => {
                return Err(SendError::Busy {
                    limit: self.limits.max_upstream.max(1),
                    waited: waited.elapsed(),
                })
            }
        };
        let configured = timeout;
        let timeout = timeout.saturating_sub(waited.elapsed());
        let fut = async {
            let resp = rb.send().await.map_err(|e| self.classify(e))?;
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if resp.content_length().is_some_and(|n| n as usize > limit) {
                return Err(SendError::TooLarge { limit });
            }
            let mut body = Vec::new();
            let mut stream = resp.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| {
                    SendError::Network(format!("the answer was cut off: {}", error_chain(&e)))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(SendError::TooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Answer {
                status,
                content_type,
                body,
            })
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Timeout(configured)),
        }
    }

    fn classify(&self, e: reqwest::Error) -> SendError {
        if e.is_timeout() {
            SendError::Timeout(self.limits.timeout)
        } else if e.is_connect() {
            SendError::Connect {
                base: self.base.clone(),
                detail: error_chain(&e),
            }
        } else {
            SendError::Network(error_chain(&e))
        }
    }
}

/// An error with its causes, without the URL (which may hold a token in a query string).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        let text = c.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        cur = c.source();
    }
    let joined = parts.join(": ");
    // reqwest puts the URL in its messages: keep the query string out.
    redact_query(&joined)
}

/// Removes query strings from URLs in a text.
pub fn redact_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_url = false;
    let mut skipping = false;
    for (i, c) in text.char_indices() {
        let rest = &text[i..];
        if !in_url && (rest.starts_with("http://") || rest.starts_with("https://")) {
            in_url = true;
        }
        if in_url && (c.is_whitespace() || c == ')' || c == '"') {
            in_url = false;
            skipping = false;
        }
        if in_url && !skipping && c == '?' {
            skipping = true;
            out.push_str("?<redacted>");
        }
        if !skipping {
            out.push(c);
        }
    }
    out
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let t = Token::new("s3cret-canary").unwrap();
        assert!(!format!("{t:?}").contains("s3cret"));
        assert!(Token::new("  ").is_none());
    }

    #[tokio::test]
    async fn a_full_upstream_limit_is_a_clear_error() {
        let w = Windmill::new(
            "http://127.0.0.1:9",
            Limits {
                timeout: Duration::from_millis(200),
                max_response_bytes: 1024,
                max_upstream: 1,
            },
        )
        .unwrap();
        let held = w.upstream.clone().try_acquire_owned().unwrap();
        let req = HttpRequest {
            method: crate::endpoints::Method::Get,
            path_and_query: "/version".into(),
            headers: vec![],
            body: None,
        };
        let e = w.send(&req, None).await.unwrap_err();
        assert!(matches!(e, SendError::Busy { limit: 1, .. }), "{e}");
        assert!(e.to_string().contains("--max-upstream"));
        drop(held);
        // With the permit free, the request goes out (and finds nothing listening).
        let e = w.send(&req, None).await.unwrap_err();
        assert!(
            matches!(e, SendError::Connect { .. } | SendError::Timeout(_)),
            "{e}"
        );
    }

    #[test]
    fn query_strings_are_redacted() {
        assert_eq!(
            redact_query("error sending request for url (http://h/api/x?token=abc): boom"),
            "error sending request for url (http://h/api/x?<redacted>): boom"
        );
    }
}
