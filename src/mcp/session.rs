//! Per-session state: calls in flight, and the watcher that tells the client when its list of tools
//! changed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use rmcp::service::Peer;
use rmcp::RoleServer;

use super::Shared;
use crate::upstream::Token;
use crate::workspace::{ItemSelection, Scope};

/// One session's state.
pub struct Session {
    /// Whether this session lives long enough to be told about changes (not in stateless mode).
    watch: bool,
    watcher: OnceLock<tokio::task::AbortHandle>,
    /// The task that tells the client when the served endpoint tools change (a followed Windmill
    /// was upgraded).
    spec_watcher: OnceLock<tokio::task::AbortHandle>,
    /// The catalog generation this session last saw.
    seen: Arc<AtomicU64>,
    /// Tool calls in flight (`--max-concurrent-calls`).
    pub calls: Arc<tokio::sync::Semaphore>,
    pub max_calls: usize,
}

impl Session {
    pub fn new(watch: bool, max_calls: usize) -> Self {
        let max_calls = max_calls.max(1);
        Session {
            watch,
            watcher: OnceLock::new(),
            spec_watcher: OnceLock::new(),
            seen: Arc::new(AtomicU64::new(0)),
            calls: Arc::new(tokio::sync::Semaphore::new(max_calls)),
            max_calls,
        }
    }

    /// Records that the client has seen the list of this catalog generation.
    pub fn saw(&self, generation: u64) {
        self.seen.store(generation, Ordering::Relaxed);
    }

    /// Starts (once per session) the task that refreshes the caller's catalog every refresh
    /// interval and sends `notifications/tools/list_changed` when it changed.
    pub fn start_watcher(
        &self,
        shared: &Arc<Shared>,
        peer: Peer<RoleServer>,
        workspace: String,
        token: Token,
        selection: ItemSelection,
        item_budget: usize,
    ) {
        if !self.watch || self.watcher.get().is_some() {
            return;
        }
        let shared = shared.clone();
        let seen = self.seen.clone();
        let task = tokio::spawn(async move {
            let interval = shared.settings.item_options.refresh_interval;
            loop {
                tokio::time::sleep(interval).await;
                if peer.is_transport_closed() {
                    break;
                }
                let scope = Scope {
                    windmill: &shared.windmill,
                    workspace: &workspace,
                    token: &token,
                    selection: &selection,
                    item_budget,
                };
                let c = shared.items.fresh(&scope).await;
                if c.generation != seen.load(Ordering::Relaxed) {
                    if peer.notify_tool_list_changed().await.is_err() {
                        break;
                    }
                    seen.store(c.generation, Ordering::Relaxed);
                }
                shared.watch_rounds.done();
            }
        });
        if self.watcher.set(task.abort_handle()).is_err() {
            task.abort();
        }
    }
}

impl Session {
    /// Starts (once per session) the task that sends `notifications/tools/list_changed` each time
    /// the served endpoint tools change (see `mcp::follow`).
    pub fn start_spec_watcher(
        &self,
        changes: tokio::sync::watch::Receiver<u64>,
        peer: Peer<RoleServer>,
    ) {
        if !self.watch || self.spec_watcher.get().is_some() {
            return;
        }
        let mut changes = changes;
        let task = tokio::spawn(async move {
            // Ends when the server's state is gone (the sender with it) or the client is.
            while changes.changed().await.is_ok() {
                if peer.is_transport_closed() || peer.notify_tool_list_changed().await.is_err() {
                    break;
                }
            }
        });
        if self.spec_watcher.set(task.abort_handle()).is_err() {
            task.abort();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for h in [self.watcher.get(), self.spec_watcher.get()]
            .into_iter()
            .flatten()
        {
            h.abort();
        }
    }
}
