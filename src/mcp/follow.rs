//! Following the connected Windmill's version (`--spec live` or `auto`, `--spec-poll-interval`).
//!
//! A background task reads `/api/version` every poll interval. When the `x.y.z` in it is not the
//! version the served tools were read for, it fetches `/api/openapi.json`, lowers it with the
//! codegen library and serves the result (with `auto`, the compiled tools again when the version is
//! the compiled one); sessions are told with `notifications/tools/list_changed` when the tools
//! differ. A document that cannot be fetched or lowered leaves the served tools in place, with one
//! warning saying why; the same version is tried again after 1, 2, 4, ... polls (at most
//! [`MAX_BACKOFF_POLLS`]), a new version at the next poll.
//!
//! The task holds the server's state only weakly: it ends with the server, and never panics
//! (lowering runs on a blocking thread, whose panic is an error like any other).

use std::sync::{Arc, Weak};

use super::{Shared, SPEC_FETCH_TIMEOUT};
use crate::config::SpecSource;
use crate::endpoints::Registry;
use crate::upstream::spec;
use crate::upstream::Windmill;

/// Longest wait, in polls, before a document that failed is tried again for the same version.
pub const MAX_BACKOFF_POLLS: u64 = 64;

/// What the follower knows of the connected Windmill.
#[derive(Debug, Default, Clone)]
pub struct Following {
    /// The version (`x.y.z`) the served tools were read for, when known.
    followed: Option<String>,
    /// The last version whose document could not be fetched or lowered.
    failure: Option<Failure>,
    /// Whether the last `/api/version` read failed (warned once, until it answers again).
    version_unreadable: bool,
}

#[derive(Debug, Clone)]
struct Failure {
    version: String,
    /// Failed tries for this version.
    attempts: u32,
    /// The poll round at which it is tried again.
    next_round: u64,
    /// Why it failed last (a new reason is warned again).
    reason: String,
}

impl Following {
    /// The served tools are those of `version` (unknown: `None`, the next poll decides).
    pub fn serving(version: Option<String>) -> Self {
        Following {
            followed: version,
            ..Following::default()
        }
    }

    /// Start-up could not read `version`'s document (already warned, with `reason`): it is tried
    /// again at the first poll.
    pub fn failed(version: Option<String>, reason: String) -> Self {
        Following {
            followed: None,
            failure: version.map(|version| Failure {
                version,
                attempts: 0,
                next_round: 1,
                reason,
            }),
            version_unreadable: false,
        }
    }
}

/// Polls to wait before trying a version's document again after `attempts` failures.
fn backoff(attempts: u32) -> u64 {
    1u64.checked_shl(attempts.saturating_sub(1))
        .unwrap_or(MAX_BACKOFF_POLLS)
        .min(MAX_BACKOFF_POLLS)
}

/// Starts the follower when `shared`'s settings ask for it (`live` or `auto`, a non-zero poll
/// interval). Must be called within a Tokio runtime.
pub fn start(shared: &Arc<Shared>, following: Following) {
    let settings = &shared.settings;
    let interval = settings.spec_poll_interval;
    if !settings.spec.follows_windmill() || interval.is_zero() {
        return;
    }
    let client = match spec::spec_client(&settings.base_url, SPEC_FETCH_TIMEOUT) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("cannot follow Windmill's version: {e}");
            return;
        }
    };
    let weak = Arc::downgrade(shared);
    let auto = settings.spec == SpecSource::Auto;
    let task = tokio::spawn(run(weak, client, auto, interval, following));
    if shared.follower.set(task.abort_handle()).is_err() {
        task.abort();
    }
}

async fn run(
    weak: Weak<Shared>,
    client: Windmill,
    auto: bool,
    interval: std::time::Duration,
    mut state: Following,
) {
    let mut round: u64 = 0;
    loop {
        tokio::time::sleep(interval).await;
        round += 1;
        if weak.strong_count() == 0 {
            return;
        }
        step(&weak, &client, auto, round, &mut state).await;
        match weak.upgrade() {
            Some(shared) => shared.spec_rounds.done(),
            None => return,
        }
    }
}

/// One poll: read the version, and when it is a new one, read and serve its tools.
async fn step(
    weak: &Weak<Shared>,
    client: &Windmill,
    auto: bool,
    round: u64,
    state: &mut Following,
) {
    let base = client.base();
    let text = match spec::running_version(client).await {
        Ok(t) => t,
        Err(e) => {
            if !state.version_unreadable {
                tracing::warn!(
                    "cannot follow Windmill's version ({e}); the tools stay as they are"
                );
                state.version_unreadable = true;
            } else {
                tracing::debug!("cannot follow Windmill's version: {e}");
            }
            return;
        }
    };
    let shown = crate::text::ellipsize(text.trim(), 80);
    if state.version_unreadable {
        tracing::info!("Windmill at {base} answers its version again: {shown}");
        state.version_unreadable = false;
    }
    let Some(version) = spec::parse_version(&text) else {
        tracing::debug!(
            "{base}/api/version answered `{}`, which names no version",
            shown
        );
        return;
    };
    if state.followed.as_deref() == Some(version.as_str()) {
        state.failure = None;
        return;
    }
    if let Some(f) = &state.failure {
        if f.version == version && round < f.next_round {
            return;
        }
    }
    let compiled = Registry::compiled();
    let next = if auto && spec::parse_version(&compiled.spec().version).as_deref() == Some(&version)
    {
        Ok(compiled.clone())
    } else {
        match spec::live_registry(client).await {
            // A document without operations would leave the clients no tools at all.
            Ok(r) if r.all().is_empty() => Err(format!(
                "{}/api/openapi.json declares no operations",
                client.base()
            )),
            Ok(r) => Ok(Arc::new(r)),
            Err(e) => Err(e),
        }
    };
    let Some(shared) = weak.upgrade() else {
        return;
    };
    let current = shared.registry();
    match next {
        Ok(registry) => {
            let changed = if Arc::ptr_eq(&current, &registry) {
                false
            } else {
                let (a, b) = (current.clone(), registry.clone());
                tokio::task::spawn_blocking(move || a.digest() != b.digest())
                    .await
                    .unwrap_or(true)
            };
            shared.replace_registry(registry.clone(), changed);
            tracing::info!(
                "Windmill at {base} is now {}: serving the {} endpoint tools of {} {} ({}){}",
                shown,
                registry.all().len(),
                registry.spec().title,
                registry.spec().version,
                registry.spec().origin,
                if changed {
                    "; sessions are told their tools changed"
                } else {
                    ", the same tools as before"
                }
            );
            state.followed = Some(version);
            state.failure = None;
        }
        Err(reason) => {
            let (attempts, warned) = match &state.failure {
                Some(f) if f.version == version => (f.attempts + 1, f.reason == reason),
                _ => (1, false),
            };
            let wait = backoff(attempts);
            if warned {
                tracing::debug!(
                    "Windmill {version}'s spec still cannot be read ({reason}); next try in {wait} polls"
                );
            } else {
                tracing::warn!(
                    "Windmill at {base} is now {}, but its spec could not be read ({reason}); still serving the tools of {} {} ({}); next try in {wait} polls",
                    shown,
                    current.spec().title,
                    current.spec().version,
                    current.spec().origin
                );
            }
            state.failure = Some(Failure {
                version,
                attempts,
                next_round: round + wait,
                reason,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_versions_are_tried_less_and_less_often() {
        let waits: Vec<u64> = (1..=9).map(backoff).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 64, 64]);
        assert_eq!(backoff(0), 1);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF_POLLS);
    }
}
