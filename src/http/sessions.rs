//! The sessions of the Streamable HTTP front: rmcp's in-memory sessions, plus
//!
//! * a cap on how many live (`--max-sessions`): a new session evicts the least recently used idle
//!   one, so a flood of abandoned sessions cannot lock real users out (only when every session has
//!   a request in flight is a new one refused);
//! * an idle timeout (`--session-idle-timeout`) that a request in flight holds off: rmcp's own
//!   5-minute keep-alive counts only messages, so it ended sessions while a long tool call was
//!   still running; here a session is idle only when none of its requests is in flight;
//! * the token each session is bound to: the identity (a keyed hash, never the token) of the token
//!   that opened it. The HTTP gate lets no other token use or end it.
//!
//! Memory freed by closed sessions is handed back to the operating system (glibc otherwise keeps
//! it in its arenas: 2,000 abandoned sessions kept 130 MB after they had all expired).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError, LocalSessionWorker,
};
use rmcp::transport::streamable_http_server::session::{
    ServerSseMessage, SessionId, SessionManager,
};
use rmcp::transport::WorkerTransport;

/// How many sessions may live and how long an idle one is kept.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Live sessions at most (`--max-sessions`).
    pub max_sessions: usize,
    /// A session with no request in flight for this long is closed (`--session-idle-timeout`).
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            max_sessions: DEFAULT_MAX_SESSIONS,
            idle_timeout: DEFAULT_SESSION_IDLE,
        }
    }
}

/// The default `--max-sessions`.
pub const DEFAULT_MAX_SESSIONS: usize = 500;
/// The default `--session-idle-timeout` (rmcp's own keep-alive was 5 minutes).
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(300);
/// A session whose `initialize` has not been answered yet is not evicted before this age.
const OPENING: Duration = Duration::from_secs(30);

struct Entry {
    /// Identity of the token that opened it; `None` until its `initialize` is answered.
    owner: Option<u128>,
    created: Instant,
    last_used: Instant,
    /// Requests of this session being answered now.
    in_flight: usize,
}

impl Entry {
    fn evictable(&self, now: Instant) -> bool {
        self.in_flight == 0 && (self.owner.is_some() || now.duration_since(self.created) >= OPENING)
    }
}

#[derive(Default)]
struct Table {
    entries: HashMap<SessionId, Entry>,
    /// Sessions being created (counted against the cap before their id is known).
    creating: usize,
}

/// What the gate learns of a session id a request carries.
pub enum Lookup {
    /// Not a session of ours (rmcp answers 404).
    Unknown,
    /// Someone else's session, or one whose `initialize` is still being answered.
    NotYours,
    /// The caller's own: the guard marks a request in flight until it is dropped.
    Yours(InFlight),
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
    #[error("{0} sessions are live (--max-sessions) and every one has a request in flight")]
    Full(usize),
}

/// rmcp's local session manager with the limits above.
pub struct Sessions {
    inner: LocalSessionManager,
    table: Mutex<Table>,
    limits: SessionLimits,
    /// Sessions closed since memory was last handed back.
    closed: AtomicU64,
    /// Sessions evicted to make room (for logs and tests).
    evicted: AtomicU64,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("live", &self.len())
            .field("limits", &self.limits)
            .finish()
    }
}

impl Sessions {
    /// The manager; starts its idle reaper on the current tokio runtime, if there is one (the
    /// reaper ends when the manager is dropped).
    pub fn new(limits: SessionLimits, completed_cache_ttl: Duration) -> Arc<Self> {
        let mut inner = LocalSessionManager::default();
        inner.session_config.completed_cache_ttl = completed_cache_ttl;
        // Idle sessions are closed here, where a request in flight counts as activity.
        inner.session_config.keep_alive = None;
        let limits = SessionLimits {
            max_sessions: limits.max_sessions.max(1),
            idle_timeout: limits.idle_timeout.max(Duration::from_millis(100)),
        };
        let sessions = Arc::new(Sessions {
            inner,
            table: Mutex::new(Table::default()),
            limits,
            closed: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
        });
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(reap(Arc::downgrade(&sessions), limits.idle_timeout));
        }
        sessions
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Live sessions.
    pub fn len(&self) -> usize {
        self.table().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sessions evicted so far to make room for new ones.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    pub fn limits(&self) -> SessionLimits {
        self.limits
    }

    /// Whether a new session can be opened now (the cap is not reached, or some session is idle).
    pub fn has_room(&self) -> bool {
        let now = Instant::now();
        let t = self.table();
        t.entries.len() + t.creating < self.limits.max_sessions
            || t.entries.values().any(|e| e.evictable(now))
    }

    /// Binds a just-opened session to the identity of the token that opened it.
    pub fn bind(&self, id: &str, owner: u128) {
        if let Some(e) = self.table().entries.get_mut(id) {
            if e.owner.is_none() {
                e.owner = Some(owner);
                e.last_used = Instant::now();
            }
        }
    }

    /// Whether the session `id` may be used by the token of identity `who`; if so, a request is in
    /// flight until the returned guard is dropped.
    pub fn enter(self: &Arc<Self>, id: &str, who: u128) -> Lookup {
        let mut t = self.table();
        let Some((key, e)) = t.entries.get_key_value(id) else {
            return Lookup::Unknown;
        };
        if e.owner != Some(who) {
            return Lookup::NotYours;
        }
        let key = key.clone();
        if let Some(e) = t.entries.get_mut(id) {
            e.in_flight += 1;
            e.last_used = Instant::now();
        }
        Lookup::Yours(InFlight {
            sessions: Arc::downgrade(self),
            id: key,
        })
    }

    /// Marks activity on a session without holding it (a long-lived GET stream).
    pub fn touch(&self, id: &str) {
        if let Some(e) = self.table().entries.get_mut(id) {
            e.last_used = Instant::now();
        }
    }

    /// Closes a session: out of the table, then rmcp's worker stopped.
    async fn close(&self, id: &SessionId) -> Result<(), LocalSessionManagerError> {
        let removed = self.table().entries.remove(id).is_some();
        if removed {
            self.closed.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.close_session(id).await
    }

    /// Sessions with nothing in flight whose last request ended at least `idle` ago.
    fn idle_ids(&self, idle: Duration) -> Vec<SessionId> {
        let now = Instant::now();
        self.table()
            .entries
            .iter()
            .filter(|(_, e)| e.evictable(now) && now.duration_since(e.last_used) >= idle)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Closes the idle sessions and hands freed memory back; how many were closed.
    pub async fn reap_now(&self) -> usize {
        let ids = self.idle_ids(self.limits.idle_timeout);
        for id in &ids {
            if let Err(e) = self.close(id).await {
                tracing::debug!(error = %e, "closing an idle session");
            }
        }
        if !ids.is_empty() {
            tracing::debug!(closed = ids.len(), "idle sessions closed");
        }
        if self.closed.swap(0, Ordering::Relaxed) > 0 {
            crate::workspace::catalog::release_free_memory();
        }
        ids.len()
    }
}

/// A request of a session in flight: the session is not idle (nor evicted) until this is dropped.
pub struct InFlight {
    sessions: Weak<Sessions>,
    id: SessionId,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let Some(sessions) = self.sessions.upgrade() else {
            return;
        };
        let mut table = sessions.table();
        if let Some(e) = table.entries.get_mut(&self.id) {
            e.in_flight = e.in_flight.saturating_sub(1);
            e.last_used = Instant::now();
        }
    }
}

/// Closes idle sessions every so often, until the manager is gone.
async fn reap(sessions: Weak<Sessions>, idle: Duration) {
    let tick = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::time::sleep(tick).await;
        let Some(s) = sessions.upgrade() else {
            return;
        };
        s.reap_now().await;
    }
}

impl SessionManager for Sessions {
    type Error = SessionsError;
    type Transport = WorkerTransport<LocalSessionWorker>;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let victim = {
            let now = Instant::now();
            let mut t = self.table();
            let victim = if t.entries.len() + t.creating >= self.limits.max_sessions {
                let lru = t
                    .entries
                    .iter()
                    .filter(|(_, e)| e.evictable(now))
                    .min_by_key(|(_, e)| e.last_used)
                    .map(|(id, _)| id.clone());
                match lru {
                    Some(id) => {
                        // Out of the table at once, so a parallel creation picks another.
                        t.entries.remove(&id);
                        Some(id)
                    }
                    None => return Err(SessionsError::Full(self.limits.max_sessions)),
                }
            } else {
                None
            };
            t.creating += 1;
            victim
        };
        if let Some(id) = victim {
            self.closed.fetch_add(1, Ordering::Relaxed);
            self.evicted.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("evicting the least recently used idle session to make room");
            if let Err(e) = self.inner.close_session(&id).await {
                tracing::debug!(error = %e, "closing an evicted session");
            }
        }
        let created = self.inner.create_session().await;
        let mut t = self.table();
        t.creating = t.creating.saturating_sub(1);
        let (id, transport) = created?;
        let now = Instant::now();
        t.entries.insert(
            id.clone(),
            Entry {
                owner: None,
                created: now,
                last_used: now,
                in_flight: 0,
            },
        );
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.table().entries.contains_key(id) && self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        Ok(self.close(id).await?)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_stream(id, message).await?)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_standalone_stream(id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.resume(id, last_event_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cap_evicts_the_least_recently_used_idle_session() {
        let s = Sessions::new(
            SessionLimits {
                max_sessions: 3,
                idle_timeout: Duration::from_secs(3600),
            },
            Duration::from_secs(1),
        );
        let mut ids = Vec::new();
        for i in 0..3u128 {
            let (id, _t) = s.create_session().await.expect("room");
            s.bind(&id, i);
            ids.push(id);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // The oldest is busy: the second-oldest goes.
        let Lookup::Yours(busy) = s.enter(&ids[0], 0) else {
            panic!("own session")
        };
        assert!(matches!(s.enter(&ids[0], 7), Lookup::NotYours));
        let (new, _t) = s.create_session().await.expect("room by eviction");
        s.bind(&new, 9);
        assert_eq!(s.len(), 3);
        assert_eq!(s.evicted(), 1);
        assert!(matches!(s.enter(&ids[1], 1), Lookup::Unknown));
        assert!(matches!(s.enter(&ids[2], 2), Lookup::Yours(_)));
        drop(busy);
        // Every session busy: refused, not evicted.
        let guards: Vec<_> = [&ids[0], &ids[2], &new]
            .iter()
            .zip([0u128, 2, 9])
            .map(|(id, who)| s.enter(id, who))
            .collect();
        assert!(!s.has_room());
        assert!(matches!(
            s.create_session().await,
            Err(SessionsError::Full(3))
        ));
        drop(guards);
        assert!(s.has_room());
    }

    #[tokio::test]
    async fn idle_sessions_are_reaped_unless_a_request_is_in_flight() {
        let s = Sessions::new(
            SessionLimits {
                max_sessions: 10,
                idle_timeout: Duration::from_millis(200),
            },
            Duration::from_secs(1),
        );
        let (a, _ta) = s.create_session().await.expect("a");
        let (b, _tb) = s.create_session().await.expect("b");
        s.bind(&a, 1);
        s.bind(&b, 2);
        let Lookup::Yours(held) = s.enter(&b, 2) else {
            panic!("own session")
        };
        // The reaper (every 50 ms here) or this call closes it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.reap_now().await;
        assert!(matches!(s.enter(&a, 1), Lookup::Unknown), "idle: closed");
        assert_eq!(s.len(), 1, "in flight: kept");
        drop(held);
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.reap_now().await;
        assert!(s.is_empty());
    }
}
