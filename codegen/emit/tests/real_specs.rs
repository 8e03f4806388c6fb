//! The Rust emitted for every vendored Windmill spec in `../shared/windmill-openapi/`: it is produced
//! (it parses, or `emit` would have failed), byte-identical on a second run, and holds one module per
//! operation. Loading and lowering the same specs is checked in `codegen/tests/real_specs.rs`.

use std::path::PathBuf;

use windmill_mcp_emit::generate;

const SPECS: &[&str] = &[
    "v1.743.0/backend/windmill-api/openapi.yaml",
    "v1.520.1/backend/windmill-api/openapi.yaml",
    "v1.107.0/backend/windmill-api/openapi.yaml",
    "served-v1.740.0/openapi.json",
];

#[test]
fn every_vendored_spec_emits_the_same_bytes_twice() {
    for spec in SPECS {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/windmill-openapi")
            .join(spec);
        let g = generate(&path).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let again = generate(&path).unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert!(again.code == g.code, "{spec}: two runs differ");
        for op in &g.api.operations {
            assert!(
                g.code.contains(&format!("pub mod {} {{", op.rust_name)),
                "{spec}: no module for {}",
                op.name
            );
        }
    }
}
