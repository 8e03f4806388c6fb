//! Loading and lowering every vendored Windmill spec in `../shared/windmill-openapi/` (the Rust
//! emitted from them is checked in `codegen/emit/tests/real_specs.rs`).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use windmill_mcp_codegen::{is_curated, naming, read_api};

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/windmill-openapi")
        .join(rel)
}

struct Case {
    spec: &'static str,
    operations: usize,
    curated: usize,
}

const CASES: &[Case] = &[
    Case {
        spec: "v1.743.0/backend/windmill-api/openapi.yaml",
        operations: 745,
        curated: 38,
    },
    Case {
        spec: "v1.520.1/backend/windmill-api/openapi.yaml",
        operations: 500,
        curated: 22,
    },
    Case {
        spec: "v1.107.0/backend/windmill-api/openapi.yaml",
        operations: 205,
        curated: usize::MAX,
    },
    Case {
        spec: "served-v1.740.0/openapi.json",
        operations: 741,
        curated: 38,
    },
];

fn contains_ref(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.contains_key("$ref") || o.contains_key("$defs") || o.values().any(contains_ref)
        }
        Value::Array(a) => a.iter().any(contains_ref),
        _ => false,
    }
}

#[test]
fn every_vendored_spec_generates_one_valid_tool_per_operation() {
    for case in CASES {
        let path = shared(case.spec);
        let t = Instant::now();
        let (api, loaded) = read_api(&path).unwrap_or_else(|e| panic!("{}: {e}", case.spec));
        eprintln!(
            "{}: {} operations in {:?}",
            case.spec,
            api.operations.len(),
            t.elapsed()
        );
        assert_eq!(api.operations.len(), case.operations, "{}", case.spec);
        let curated: Vec<&str> = api
            .operations
            .iter()
            .filter(|o| is_curated(&api, o))
            .map(|o| o.name.as_str())
            .collect();
        if case.curated == usize::MAX {
            // No marks: the documented default, Windmill's current curated names this spec has.
            assert!(!api.has_mcp_marks);
            let expected: Vec<&str> = windmill_mcp_codegen::DEFAULT_CURATED
                .iter()
                .copied()
                .filter(|n| api.operations.iter().any(|o| o.name == *n))
                .collect();
            let mut sorted = expected.clone();
            sorted.sort();
            assert_eq!(curated, sorted);
            assert!(curated.len() >= 20, "{curated:?}");
        } else {
            assert_eq!(curated.len(), case.curated, "{}", case.spec);
            assert!(api
                .operations
                .iter()
                .filter(|o| o.mcp.tool)
                .all(|o| curated.contains(&o.name.as_str())));
        }
        for op in &api.operations {
            assert!(naming::is_valid_tool_name(&op.name), "{}", op.name);
            assert!(
                !contains_ref(&op.input_schema),
                "{} input has $ref",
                op.name
            );
            assert_eq!(op.input_schema["type"], "object", "{}", op.name);
            assert!(
                op.input_schema["properties"].get("workspace").is_none() || !op.has_workspace,
                "{}",
                op.name
            );
            jsonschema::draft202012::new(&op.input_schema)
                .unwrap_or_else(|e| panic!("{} input schema: {e}", op.name));
            if let Some(out) = &op.output_schema {
                assert!(!contains_ref(out), "{} output has $ref", op.name);
                assert_eq!(out["type"], "object", "{}", op.name);
                jsonschema::draft202012::new(out)
                    .unwrap_or_else(|e| panic!("{} output schema: {e}", op.name));
            }
        }
        // Deterministic: a second run gives the same tools.
        let (again, _) = read_api(&path).expect("second run");
        assert!(again == api, "{}: two runs differ", case.spec);
        assert!(
            loaded.files.len() >= 2 || case.spec.ends_with(".json"),
            "{:?}",
            loaded.files
        );
    }
}

#[test]
fn the_served_yaml_twin_fails_with_a_pointer_to_the_json() {
    let err = read_api(&shared("served-v1.740.0/openapi.yaml"))
        .expect_err("recursive aliases must not parse");
    let text = err.to_string();
    assert!(text.contains("openapi.json"), "{text}");
    assert!(text.contains("alias"), "{text}");
}
