//! The handle of a running fake: start it, read what it received, arrange failures.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

use crate::routes::params::parse_query;
use crate::routes::{router, AppState};
use crate::state::{lock, FakeState, Injection, SharedState};

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Raw path as sent, with `/api`, still percent-encoded.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: Option<String>,
    /// Bearer token (or `token` cookie, or `?token=`), as Windmill would read it.
    pub token: Option<String>,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<Value>,
}

impl Recorded {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Query parameters, percent-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(self.query.as_deref().unwrap_or(""))
    }
}

/// A running fake. Dropping it stops the server.
pub struct FakeWindmill {
    /// `http://127.0.0.1:PORT` (no `/api`).
    pub base_url: String,
    pub addr: SocketAddr,
    state: SharedState,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWindmill {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start a fake with [`FakeState::seeded`].
pub async fn start() -> FakeWindmill {
    start_with(FakeState::seeded()).await
}

/// Start a fake with the given state.
pub async fn start_with(state: FakeState) -> FakeWindmill {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("fake windmill: cannot bind 127.0.0.1:0");
    let addr = listener
        .local_addr()
        .expect("fake windmill: no local address");
    let app = AppState {
        state: Arc::new(Mutex::new(state)),
        requests: Arc::new(Mutex::new(Vec::new())),
    };
    let router = router(app.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    FakeWindmill {
        base_url: format!("http://{addr}"),
        addr,
        state: app.state,
        requests: app.requests,
        task,
    }
}

impl FakeWindmill {
    /// `http://127.0.0.1:PORT/api`
    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }

    /// Requests whose method matches (case-insensitive) and whose raw path contains `path_contains`.
    pub fn requests_matching(&self, method: &str, path_contains: &str) -> Vec<Recorded> {
        lock(&self.requests)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path_contains))
            .cloned()
            .collect()
    }

    pub fn last_request(&self) -> Option<Recorded> {
        lock(&self.requests).last().cloned()
    }

    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    /// Lock the state. Do not hold the guard across an `.await`: the server needs it.
    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        lock(&self.state)
    }

    pub fn shared_state(&self) -> SharedState {
        self.state.clone()
    }

    /// The next request whose raw path contains `path_contains` gets `status` with a
    /// text/plain `body` (before authentication, so any route can be made to fail).
    pub fn fail_next(&self, path_contains: &str, status: u16, body: &str) {
        self.inject(Injection::fail(path_contains, status, body));
    }

    pub fn fail_next_json(&self, path_contains: &str, status: u16, body: &Value) {
        self.inject(Injection::fail_json(path_contains, status, body));
    }

    pub fn inject(&self, injection: Injection) {
        self.state().injections.push(injection);
    }

    pub fn clear_injections(&self) {
        self.state().injections.clear();
    }

    /// Delay every request by `delay` (`None` to stop).
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.state().delay = delay;
    }
}
