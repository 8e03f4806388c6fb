//! What Windmill's router makes of a path parameter: one segment, or the rest of the path.
//!
//! Windmill's backend is an axum application. A route captures a parameter either as one segment
//! (`/:name`, `{name}` in axum 0.8) or as the rest of the path (`/*name`, `{*name}`): only a rest
//! capture receives a value holding `/` intact; anywhere else a `/` moves the request to another
//! route or to none. The spec does not say which is which, so this module holds what Windmill's
//! route tables say (read in `backend/windmill-api/src/*.rs`, `backend/windmill-store/src/`,
//! `backend/windmill-api-npm-proxy/src/lib.rs` of the v1.795.0 era):
//!
//! 1. **Windmill paths.** A path parameter named `path` or ending in `_path`, last in its template,
//!    is a rest capture: `/scripts/get/p/*path`, `/jobs/run/p/*script_path`,
//!    `/apps/custom_path_exists/*custom_path`, `/workspaces/get_imports/*importer_path`,
//!    `/trigger/:trigger_kind/resume_suspended_trigger_jobs/*trigger_path`,
//!    `/jobs_u/get_log_file/*file_path`, `/drafts/get/:kind/*path`, ... — except the routes of
//!    [`ONE_SEGMENT`], whose `{path}` the router takes as `:name` (resource types).
//! 2. **The rest captures [`WILDCARDS`] lists**, whose spec parameters are named otherwise:
//!    `/concurrency_groups/prune/*concurrency_key` (keys such as `demo/script/f/folder/x`), the npm
//!    proxy (`/metadata/*package`, `/filetree/*package_version`, `/file/*package_version_filepath`,
//!    where the handler splits an `@scope/name` package, a version and a file path), and the app
//!    versions (`/apps/get/v/*id`, `/apps/get_data/v/*id`).
//! 3. Every other parameter is one segment.
//!
//! Values that may hold `/` are still checked segment by segment before they are sent (see the
//! server's `RequestBuilder`): no `.`/`..` or empty segments, no `?`, `#`, `\` or control
//! characters, nothing percent-encoded. So a value fills exactly its place in the template, and the
//! parameters a rest capture spans keep theirs: a package may hold the one `/` of `@scope/name`, a
//! version none, and only the last parameter the rest.

use crate::ir::Slashes;

/// A route whose rest capture spans parameters not named like a Windmill path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wildcard {
    /// The spec's path template, every parameter written `{}`.
    pub template: &'static str,
    /// What each parameter inside the capture may hold, in template order (those before it are
    /// one segment each).
    pub captured: &'static [Slashes],
    /// Windmill's route (under `/api`), for reference.
    pub route: &'static str,
}

/// Windmill's rest captures of parameters not named `path`/`…_path`.
pub const WILDCARDS: &[Wildcard] = &[
    Wildcard {
        template: "/concurrency_groups/prune/{}",
        captured: &[Slashes::Kept],
        route: "/concurrency_groups/prune/*concurrency_key",
    },
    Wildcard {
        template: "/w/{}/npm_proxy/metadata/{}",
        captured: &[Slashes::ScopedName],
        route: "/w/:workspace_id/npm_proxy/metadata/*package",
    },
    Wildcard {
        template: "/w/{}/npm_proxy/resolve/{}",
        captured: &[Slashes::ScopedName],
        route: "/w/:workspace_id/npm_proxy/resolve/*package",
    },
    Wildcard {
        template: "/w/{}/npm_proxy/filetree/{}/{}",
        captured: &[Slashes::ScopedName, Slashes::Refused],
        route: "/w/:workspace_id/npm_proxy/filetree/*package_version",
    },
    Wildcard {
        template: "/w/{}/npm_proxy/file/{}/{}/{}",
        captured: &[Slashes::ScopedName, Slashes::Refused, Slashes::Kept],
        route: "/w/:workspace_id/npm_proxy/file/*package_version_filepath",
    },
    Wildcard {
        template: "/w/{}/apps/get/v/{}",
        captured: &[Slashes::Kept],
        route: "/w/:workspace_id/apps/get/v/*id",
    },
    Wildcard {
        template: "/w/{}/apps/get_data/v/{}",
        captured: &[Slashes::Kept],
        route: "/w/:workspace_id/apps/get_data/v/*id",
    },
];

/// Routes whose last parameter the spec calls `path` but the router takes as one segment.
pub const ONE_SEGMENT: &[&str] = &[
    "/w/{}/resources/type/get/{}",
    "/w/{}/resources/type/exists/{}",
    "/w/{}/resources/type/update/{}",
    "/w/{}/resources/type/delete/{}",
];

/// The template with every `{name}` written `{}`.
fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// The names of a template's parameters, in order.
fn params(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Whether a parameter name is a Windmill path's (`path`, `script_path`, `custom_path`, ...).
pub fn is_path_name(name: &str) -> bool {
    name == "path" || name.ends_with("_path")
}

/// What the path parameter `name` of `template` may hold of `/` (rule above).
pub fn slashes(template: &str, name: &str) -> Slashes {
    let names = params(template);
    let Some(index) = names.iter().position(|n| *n == name) else {
        return Slashes::Refused;
    };
    let shaped = shape(template);
    if let Some(w) = WILDCARDS.iter().find(|w| w.template == shaped) {
        let first = names.len().saturating_sub(w.captured.len());
        return match index.checked_sub(first) {
            Some(i) => w.captured.get(i).copied().unwrap_or_default(),
            None => Slashes::Refused,
        };
    }
    let last = index + 1 == names.len() && template.ends_with('}');
    if last && is_path_name(name) && !ONE_SEGMENT.contains(&shaped.as_str()) {
        Slashes::Kept
    } else {
        Slashes::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windmill_paths_are_rest_captures() {
        let t = "/w/{workspace}/scripts/get/p/{path}";
        assert_eq!(slashes(t, "path"), Slashes::Kept);
        assert_eq!(slashes(t, "workspace"), Slashes::Refused);
        assert_eq!(
            slashes(
                "/w/{workspace}/trigger/{trigger_kind}/resume_suspended_trigger_jobs/{trigger_path}",
                "trigger_path"
            ),
            Slashes::Kept
        );
        // Resource types are named `path` in the spec, `:name` in the router.
        assert_eq!(
            slashes("/w/{workspace}/resources/type/get/{path}", "path"),
            Slashes::Refused
        );
        // Not last: one segment whatever its name.
        assert_eq!(slashes("/x/{path}/y", "path"), Slashes::Refused);
        assert_eq!(slashes("/x/{a_path}/{b}", "a_path"), Slashes::Refused);
    }

    #[test]
    fn the_listed_wildcards_span_their_parameters() {
        let file = "/w/{workspace}/npm_proxy/file/{package}/{version}/{filepath}";
        assert_eq!(slashes(file, "workspace"), Slashes::Refused);
        assert_eq!(slashes(file, "package"), Slashes::ScopedName);
        assert_eq!(slashes(file, "version"), Slashes::Refused);
        assert_eq!(slashes(file, "filepath"), Slashes::Kept);
        assert_eq!(
            slashes(
                "/concurrency_groups/prune/{concurrency_id}",
                "concurrency_id"
            ),
            Slashes::Kept
        );
        assert_eq!(
            slashes("/w/{workspace}/npm_proxy/metadata/{package}", "package"),
            Slashes::ScopedName
        );
        // The tarball route is not in Windmill's router: one segment.
        assert_eq!(
            slashes(
                "/w/{workspace}/npm_proxy/tarball/{package}/{version}",
                "package"
            ),
            Slashes::Refused
        );
        assert_eq!(slashes("/x/{a}", "missing"), Slashes::Refused);
    }

    #[test]
    fn every_listed_template_has_as_many_parameters_as_it_captures() {
        for w in WILDCARDS {
            assert!(params(w.template).len() >= w.captured.len(), "{w:?}");
            assert!(w.route.contains('*'), "{w:?}");
        }
    }
}
