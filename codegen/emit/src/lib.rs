//! The build-time half of the generator: stage 4, the intermediate form → formatted Rust.
//!
//! Stages 1–3 (load, schema, lower) are the crate `windmill-mcp-codegen`, which the server links too
//! (its `spec` commands lower specs at run time). This crate adds what only the build needs, `quote!`,
//! syn and prettyplease, so that the server binary does not link them:
//!
//! * [`emit`]: the intermediate form → one formatted Rust file (`endpoints.rs`);
//! * `search` (private): the search index as Rust items;
//! * `contract` (private): the runtime's contract (`windmill_mcp_codegen::contract`) as the
//!   `contract` module of typed request structs;
//! * [`generate`]: every stage on one spec, what `build.rs` and the golden tests call;
//! * [`build`]: the whole of the main crate's `build.rs` (the endpoint tools and the compiled
//!   fixtures into `OUT_DIR`, and what Cargo must watch), so that `build.rs` stays thin.

pub mod build;
mod contract;
pub mod emit;
mod search;

use std::path::{Path, PathBuf};

use windmill_mcp_codegen::{ir, read_api, SpecError, SpecErrors};

/// The result of a generator run.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The formatted Rust source.
    pub code: String,
    /// The intermediate form it was made from.
    pub api: ir::Api,
    /// Every file read.
    pub files: Vec<PathBuf>,
}

/// Runs every stage on the spec at `spec`.
pub fn generate(spec: &Path) -> Result<Generated, SpecErrors> {
    let (api, loaded) = read_api(spec)?;
    let code = emit::emit(&api).map_err(|m| SpecErrors(vec![SpecError::new(spec, "", m)]))?;
    Ok(Generated {
        code,
        api,
        files: loaded.files,
    })
}

/// One line per kind of simplification, with how many operations it touched and a few of their names:
/// what `build.rs` prints as `cargo:warning`s (one per operation would bury real warnings).
pub fn degradation_summary(api: &ir::Api) -> Vec<String> {
    let mut by_kind: std::collections::BTreeMap<String, Vec<&str>> =
        std::collections::BTreeMap::new();
    for d in &api.degradations {
        let kind = d
            .what
            .split('`')
            .enumerate()
            .map(|(i, s)| if i % 2 == 1 { "…" } else { s })
            .collect::<Vec<_>>()
            .join("`");
        let ops = by_kind.entry(kind).or_default();
        if !ops.contains(&d.operation.as_str()) {
            ops.push(&d.operation);
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, ops)| {
            let shown: Vec<&str> = ops.iter().take(4).copied().collect();
            let more = if ops.len() > shown.len() {
                format!(", … {} more", ops.len() - shown.len())
            } else {
                String::new()
            };
            format!(
                "degraded in {} operation(s) ({}{more}): {kind} — see `windmill-mcp tools stats`",
                ops.len(),
                shown.join(", ")
            )
        })
        .collect()
}
