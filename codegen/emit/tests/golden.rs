//! Golden snapshots of the Rust emitted for the fixture specs in `openapi/fixtures/`: every fixture of
//! `build::FIXTURES`, which the main crate also compiles and exercises (`src/fixtures.rs`). The tools
//! lowered from the same fixtures are snapshotted in `codegen/tests/golden.rs`. Review changes with
//! `cargo insta review`.

use std::path::PathBuf;

use windmill_mcp_codegen::ir::{Api, Degradation};
use windmill_mcp_emit::{build::FIXTURES, degradation_summary, generate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_fixture_emits_its_golden_rust_identically_twice() {
    for fixture in FIXTURES {
        let spec = root().join(fixture.spec);
        let g = generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", fixture.spec));
        let again = generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", fixture.spec));
        assert!(g.code == again.code, "{}: two runs differ", fixture.spec);
        insta::assert_snapshot!(format!("{}_rs", fixture.module), g.code);
    }
}

#[test]
fn a_schema_that_does_not_compile_fails_the_build() {
    let err = generate(&root().join("openapi/fixtures/bad-pattern.yaml"))
        .expect_err("invalid regexes must fail generation");
    let text = err.to_string();
    assert!(
        text.contains("bad-pattern.yaml#/components/schemas/Name/pattern (operationId getThing)"),
        "{text}"
    );
    assert!(text.contains("(operationId listThings)"), "{text}");
}

#[test]
fn degradations_are_summarised_one_line_per_kind() {
    let d = |operation: &str, what: &str| Degradation {
        operation: operation.into(),
        what: what.into(),
    };
    let api = Api {
        title: "t".into(),
        version: "1".into(),
        operations: Vec::new(),
        degradations: vec![
            d("a", "recursive schema `X` cut after one expansion"),
            d("b", "recursive schema `Y` cut after one expansion"),
            d("b", "recursive schema `Z` cut after one expansion"),
            d(
                "c",
                "multipart body without named fields sent as one JSON part",
            ),
        ],
        has_mcp_marks: false,
    };
    assert_eq!(
        degradation_summary(&api),
        [
            "degraded in 1 operation(s) (c): multipart body without named fields sent as one JSON \
             part — see `windmill-mcp tools stats`",
            "degraded in 2 operation(s) (a, b): recursive schema `…` cut after one expansion — see \
             `windmill-mcp tools stats`",
        ]
    );
    // The cross-file fixture's recursive flow module is one.
    let g = generate(&root().join(FIXTURES[1].spec)).expect("fixture generates");
    assert_eq!(degradation_summary(&g.api).len(), 1);
}
