//! Serving the application on a TCP listener, with connection hygiene `axum::serve` does not offer:
//!
//! * a connection limit (`--max-connections`): a connection over it gets `503 Service Unavailable`
//!   with a sentence saying why, and is closed (so the process never runs out of file descriptors
//!   and stops accepting altogether);
//! * a header timeout (`--header-timeout`): from its first byte, a request's headers must arrive
//!   within this time;
//! * a body timeout (`--body-timeout`): from its headers, a request's body must arrive within this
//!   time (a client sending a byte at a time is cut off);
//! * an idle timeout (`--idle-timeout`): a keep-alive connection with no request for this long is
//!   closed.
//!
//! Each connection has a watchdog that knows which phase it is in (idle, reading headers, reading
//! a body, busy answering) and closes it when the phase's deadline passes. While a request is being
//! answered (a tool call, an SSE stream) no timeout applies: the MCP layer has its own limits.
//! HTTP/1.1 only, like `axum::serve` with axum's default features.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Open connections at most (`--max-connections`).
    pub max_connections: usize,
    /// Headers must arrive within this time of their first byte (`--header-timeout`).
    pub header_timeout: Duration,
    /// A body must arrive within this time of its headers (`--body-timeout`).
    pub body_timeout: Duration,
    /// A connection with no request for this long is closed (`--idle-timeout`).
    pub idle_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
        }
    }
}

/// Connections being refused at once (each gets its 503 within a second); past this, new ones
/// over the limit are closed without an answer.
const MAX_REFUSING: usize = 64;
/// How long open connections may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Where a connection stands.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request since then.
    Idle(Instant),
    /// A request's headers have been arriving since then.
    Head(Instant),
    /// A request's body has been expected since then.
    Body(Instant),
    /// A request is being answered.
    Busy,
}

#[derive(Debug)]
struct ConnState {
    phase: Mutex<Phase>,
}

impl ConnState {
    fn new() -> Arc<Self> {
        Arc::new(ConnState {
            phase: Mutex::new(Phase::Idle(Instant::now())),
        })
    }

    fn set(&self, f: impl FnOnce(Phase) -> Phase) {
        let mut p = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        *p = f(*p);
    }

    fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes came in.
    fn read(&self) {
        self.set(|p| match p {
            Phase::Idle(_) => Phase::Head(Instant::now()),
            other => other,
        });
    }

    /// A request's headers are in; its body is empty (`done`) or still to come.
    fn request(&self, done: bool) {
        self.set(|_| {
            if done {
                Phase::Busy
            } else {
                Phase::Body(Instant::now())
            }
        });
    }

    /// The request's body is in.
    fn body_done(&self) {
        self.set(|p| match p {
            Phase::Body(_) => Phase::Busy,
            other => other,
        });
    }

    /// The answer is sent (or abandoned).
    fn answered(&self) {
        self.set(|_| Phase::Idle(Instant::now()));
    }
}

/// Resolves when the connection has overstayed its phase; says which.
async fn watchdog(state: Arc<ConnState>, limits: ConnLimits) -> &'static str {
    let recheck = limits
        .header_timeout
        .min(limits.body_timeout)
        .min(limits.idle_timeout)
        .max(Duration::from_millis(10));
    loop {
        let now = Instant::now();
        let (deadline, why) = match state.phase() {
            Phase::Idle(t) => (t + limits.idle_timeout, "idle timeout"),
            Phase::Head(t) => (t + limits.header_timeout, "header timeout"),
            Phase::Body(t) => (t + limits.body_timeout, "body timeout"),
            Phase::Busy => (now + recheck, ""),
        };
        if !why.is_empty() && now >= deadline {
            return why;
        }
        // Look again at least every `recheck`: the phase may change meanwhile (an idle
        // connection that starts sending headers is then held to the header timeout, not to the
        // rest of the idle timeout).
        tokio::time::sleep_until(deadline.min(now + recheck).into()).await;
    }
}

/// The TCP stream, noting when bytes come in.
struct Watched {
    inner: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A request body that tells the watchdog when it is complete.
struct RequestBody {
    inner: Incoming,
    state: Arc<ConnState>,
}

impl HttpBody for RequestBody {
    type Data = hyper::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let r = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(r, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.state.body_done();
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Held by a response body until it is sent or dropped: the connection's answer is then out.
struct Answered(Arc<ConnState>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves; then lets open
/// connections finish (up to 10 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let max = limits.max_connections.max(1);
    let permits = Arc::new(tokio::sync::Semaphore::new(max));
    let refusing = Arc::new(tokio::sync::Semaphore::new(MAX_REFUSING));
    let stop = CancellationToken::new();
    let mut last_warning: Option<Instant> = None;
    let mut warn = |what: String| {
        // At most one line every 10 s: a flood must not flood the log too.
        if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            last_warning = Some(Instant::now());
            tracing::warn!("{what}");
        }
    };
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    // EMFILE and the like: wait a little rather than spin.
                    warn(format!("cannot accept a connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let app = app.clone();
                let stop = stop.clone();
                tokio::spawn(async move {
                    connection(stream, app, limits, stop).await;
                    drop(permit);
                });
            }
            Err(_) => {
                warn(format!(
                    "{max} connections are open (--max-connections): refusing new ones"
                ));
                if let Ok(p) = refusing.clone().try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse(stream, max).await;
                        drop(p);
                    });
                }
            }
        }
    }
    stop.cancel();
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, permits.acquire_many(all)).await;
}

/// The answer to a connection over the limit.
pub fn refusal(max: usize) -> String {
    let body = format!(
        "Service Unavailable: this server has {max} connections open, its limit (--max-connections). Retry shortly.\n"
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

async fn refuse(mut stream: TcpStream, max: usize) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(refusal(max).as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

async fn connection(stream: TcpStream, app: Router, limits: ConnLimits, stop: CancellationToken) {
    let _ = stream.set_nodelay(true);
    let state = ConnState::new();
    let io = TokioIo::new(Watched {
        inner: stream,
        state: state.clone(),
    });
    let st = state.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        st.request(req.body().is_end_stream());
        let body_state = st.clone();
        let req = req.map(|inner| RequestBody {
            inner,
            state: body_state,
        });
        let answered = app.clone().oneshot(req);
        let st = st.clone();
        async move {
            let response = match answered.await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|inner| super::held::Held {
                inner,
                _guard: Answered(st),
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watchdog times headers (hyper's own timer would also cut idle connections at the header
    // timeout).
    builder.header_read_timeout(None).keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        why = watchdog(state, limits) => {
            tracing::debug!("closing a connection: {why}");
        }
        _ = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_http_answer() {
        let r = refusal(7);
        let (head, body) = r.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(body.contains("7 connections") && body.contains("--max-connections"));
    }

    #[tokio::test]
    async fn phases_have_deadlines() {
        let limits = ConnLimits {
            max_connections: 1,
            header_timeout: Duration::from_millis(100),
            body_timeout: Duration::from_millis(200),
            idle_timeout: Duration::from_millis(300),
        };
        let s = ConnState::new();
        let t = Instant::now();
        assert_eq!(watchdog(s.clone(), limits).await, "idle timeout");
        assert!(t.elapsed() >= Duration::from_millis(300));
        s.read();
        assert_eq!(watchdog(s.clone(), limits).await, "header timeout");
        s.request(false);
        assert_eq!(watchdog(s.clone(), limits).await, "body timeout");
        s.request(true);
        let busy = tokio::time::timeout(Duration::from_millis(500), watchdog(s.clone(), limits));
        assert!(
            busy.await.is_err(),
            "no timeout while a request is answered"
        );
        s.answered();
        s.read();
        assert!(matches!(s.phase(), Phase::Head(_)));
    }
}
