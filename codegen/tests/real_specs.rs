//! The generator over every vendored Windmill spec in `../shared/windmill-openapi/`.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use windmill_mcp_codegen::{generate, is_curated, naming};

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
        let g = generate(&path).unwrap_or_else(|e| panic!("{}: {e}", case.spec));
        eprintln!(
            "{}: {} operations in {:?}",
            case.spec,
            g.api.operations.len(),
            t.elapsed()
        );
        assert_eq!(g.api.operations.len(), case.operations, "{}", case.spec);
        let curated: Vec<&str> = g
            .api
            .operations
            .iter()
            .filter(|o| is_curated(&g.api, o))
            .map(|o| o.name.as_str())
            .collect();
        if case.curated == usize::MAX {
            // No marks: the documented default, Windmill's current curated names this spec has.
            assert!(!g.api.has_mcp_marks);
            let expected: Vec<&str> = windmill_mcp_codegen::DEFAULT_CURATED
                .iter()
                .copied()
                .filter(|n| g.api.operations.iter().any(|o| o.name == *n))
                .collect();
            let mut sorted = expected.clone();
            sorted.sort();
            assert_eq!(curated, sorted);
            assert!(curated.len() >= 20, "{curated:?}");
        } else {
            assert_eq!(curated.len(), case.curated, "{}", case.spec);
            assert!(g
                .api
                .operations
                .iter()
                .filter(|o| o.mcp.tool)
                .all(|o| curated.contains(&o.name.as_str())));
        }
        for op in &g.api.operations {
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
        // Deterministic: a second run gives the same bytes.
        let again = generate(&path).expect("second run");
        assert!(again.code == g.code, "{}: two runs differ", case.spec);
        assert!(
            g.files.len() >= 2 || case.spec.ends_with(".json"),
            "{:?}",
            g.files
        );
    }
}

#[test]
fn the_served_yaml_twin_fails_with_a_pointer_to_the_json() {
    let err = generate(&shared("served-v1.740.0/openapi.yaml"))
        .expect_err("recursive aliases must not parse");
    let text = err.to_string();
    assert!(text.contains("openapi.json"), "{text}");
    assert!(text.contains("alias"), "{text}");
}
