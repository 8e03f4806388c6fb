//! How tools are shown to a client: the compact form `tools/list` sends, the schema dialects of
//! client profiles, and shortened names.
//!
//! * [`compact`]: the compact form of a tool definition (full structure, less prose);
//! * [`profile`]: the same schemas in the JSON-Schema subset a strict client accepts (`openai`,
//!   `gemini`), and the way back for the arguments such a client sends;
//! * [`short_name`]: names cut for clients that prefix tool names (`--max-name-len`).
//!
//! Pure functions of tool definitions: this room reads no registry, catalog or request.

pub mod compact;
pub mod profile;

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::Tool;

pub use profile::Profile;

/// Below this, a `max_name_len` is raised to it (room for a prefix and the hash).
pub const MIN_NAME_LEN: usize = 20;

/// `name` cut to `max` characters: a prefix, `_` and 8 hex digits of a hash of the whole name.
pub fn short_name(name: &str, max: Option<usize>) -> Cow<'_, str> {
    let Some(max) = max else {
        return name.into();
    };
    let max = max.max(MIN_NAME_LEN);
    if name.len() <= max {
        return name.into();
    }
    let h = crate::text::fnv64(name.as_bytes());
    let keep = max - 9;
    let prefix: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(keep)
        .collect();
    format!("{prefix}_{:08x}", (h ^ (h >> 32)) as u32).into()
}

/// Shortens a listed tool's name to `max` characters, if it is longer.
pub fn shorten(t: &mut Tool, max: Option<usize>) {
    if max.is_some() {
        let short = short_name(&t.name, max).into_owned();
        if short != t.name {
            t.name = short.into();
        }
    }
}

/// A tool with its input schema in a profile's dialect.
pub fn profiled(t: &Tool, profile: Profile) -> Tool {
    let mut t = t.clone();
    if profile != Profile::Full {
        t.input_schema = Arc::new(profile::transform(&t.input_schema, profile));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_stable_valid_and_distinct() {
        let a = short_name("getFlowUserStateByPathAndSomethingLong", Some(24));
        let b = short_name("getFlowUserStateByPathAndSomethingLonger", Some(24));
        assert_eq!(a.len(), 24);
        assert!(a.starts_with("getFlowUserStat_"), "{a}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            short_name("getFlowUserStateByPathAndSomethingLong", Some(24))
        );
        assert_eq!(short_name("listJobs", Some(24)), "listJobs");
        // Below the minimum, the minimum applies.
        assert_eq!(short_name("listJobs", Some(3)), "listJobs");
        assert_eq!(
            short_name("getFlowUserStateForAVeryLongName", Some(5)).len(),
            MIN_NAME_LEN
        );
        assert_eq!(short_name("anything", None), "anything");
    }
}
