//! The main crate's `build.rs`, as a function that can be tested without Cargo.
//!
//! [`run`] writes into `OUT_DIR`:
//!
//! * `endpoints.rs`: the endpoint tools of the spec `WINDMILL_OPENAPI` names (`src/generated.rs`
//!   includes it);
//! * `fixtures/<module>.rs`: the code of every fixture spec in [`FIXTURES`], which the main crate's
//!   tests include and exercise (`src/fixtures.rs`). Their golden snapshots
//!   (`codegen/emit/tests/snapshots/`) show a change to the generator as a diff; compiling them
//!   proves the diff still builds against the hand-written runtime.
//!
//! and answers the lines Cargo reads on the build script's stdout: `rerun-if-changed` for every file
//! read, one `cargo:warning` per kind of simplification, and `WINDMILL_OPENAPI_USED`. Any spec that
//! does not generate fails the build with every problem listed.

use std::path::{Path, PathBuf};

use crate::{degradation_summary, generate};

/// A fixture spec whose generated code the main crate compiles in its tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture {
    /// The module it is included as, and its file name in `OUT_DIR/fixtures/`.
    pub module: &'static str,
    /// The spec, relative to the workspace root.
    pub spec: &'static str,
}

/// The fixture specs with golden snapshots, all compiled by the main crate's tests.
pub const FIXTURES: &[Fixture] = &[
    Fixture {
        module: "constructs",
        spec: "openapi/fixtures/constructs.yaml",
    },
    Fixture {
        module: "crossfile",
        spec: "openapi/fixtures/crossfile/backend/api/openapi.yaml",
    },
    Fixture {
        module: "contract",
        spec: "openapi/fixtures/contract.yaml",
    },
];

/// Where [`run`] writes the code of one fixture.
pub fn fixture_file(out_dir: &Path, fixture: &Fixture) -> PathBuf {
    out_dir
        .join("fixtures")
        .join(format!("{}.rs", fixture.module))
}

/// Generates the endpoint tools of `spec` and the code of every fixture (found under `root`, the
/// workspace root) into `out_dir`. Answers the lines to print for Cargo, or what to fail the build
/// with.
pub fn run(spec: &Path, root: &Path, out_dir: &Path) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let generated = generate(spec)
        .map_err(|e| format!("cannot generate tools from {}\n{e}", spec.display()))?;
    write(&out_dir.join("endpoints.rs"), &generated.code)?;
    watch(&mut lines, &generated.files);
    lines.extend(
        degradation_summary(&generated.api)
            .into_iter()
            .map(|l| format!("cargo:warning={l}")),
    );
    // What this spec lacks of what the server calls for scripts and flows.
    lines.extend(
        windmill_mcp_codegen::contract::problems(&generated.api)
            .into_iter()
            .map(|p| {
                format!(
                    "cargo:warning=scripts and flows: `{}`: {} (see windmill_mcp_codegen::contract)",
                    p.operation, p.what
                )
            }),
    );
    for fixture in FIXTURES {
        let path = root.join(fixture.spec);
        let g = generate(&path)
            .map_err(|e| format!("cannot generate the fixture {}\n{e}", path.display()))?;
        write(&fixture_file(out_dir, fixture), &g.code)?;
        watch(&mut lines, &g.files);
    }
    // `#[cfg(windmill_spec = "1.795.0")]`: tests whose expectations hold for one Windmill version.
    lines.push("cargo:rustc-check-cfg=cfg(windmill_spec, values(any()))".to_owned());
    lines.push(format!(
        "cargo:rustc-cfg=windmill_spec={:?}",
        generated.api.version
    ));
    lines.push(format!(
        "cargo:rustc-env=WINDMILL_OPENAPI_USED={}",
        spec.display()
    ));
    Ok(lines)
}

fn watch(lines: &mut Vec<String>, files: &[PathBuf]) {
    lines.extend(
        files
            .iter()
            .map(|f| format!("cargo:rerun-if-changed={}", f.display())),
    );
}

fn write(path: &Path, code: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, code).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn writes_the_endpoints_and_every_fixture() {
        let out = std::env::temp_dir().join(format!("wmcp-emit-build-{}", std::process::id()));
        let spec = root().join("openapi/fixtures/constructs.yaml");
        let lines = run(&spec, &root(), &out).expect("the fixtures generate");
        let endpoints = std::fs::read_to_string(out.join("endpoints.rs")).expect("endpoints.rs");
        assert!(endpoints.contains("pub static ENDPOINTS"));
        for f in FIXTURES {
            let code = std::fs::read_to_string(fixture_file(&out, f)).expect("fixture file");
            assert!(code.contains("pub static ENDPOINTS"), "{}", f.module);
        }
        // Every file read is watched, the cross-file fixture's second file too.
        assert!(lines
            .iter()
            .any(|l| l.starts_with("cargo:rerun-if-changed=") && l.ends_with("flow.yaml")));
        assert!(lines
            .last()
            .is_some_and(|l| l.starts_with("cargo:rustc-env=WINDMILL_OPENAPI_USED=")));
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn a_broken_spec_fails_with_its_problems() {
        let out = std::env::temp_dir().join(format!("wmcp-emit-broken-{}", std::process::id()));
        let spec = root().join("openapi/fixtures/broken.yaml");
        let err = run(&spec, &root(), &out).expect_err("broken spec");
        assert!(err.contains("cannot generate tools from"), "{err}");
        assert!(err.contains("(operationId getB)"), "{err}");
        assert!(!out.join("endpoints.rs").exists());
    }
}
