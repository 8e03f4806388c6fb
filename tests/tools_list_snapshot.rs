//! Golden snapshot of the curated `tools/list` of the default spec (Windmill v1.795.0), so that every
//! change to names, schemas, descriptions or hints shows as a diff; and the compact listing's budget
//! and fidelity.
//!
//! The snapshot is about v1.795.0's operations: built against another spec (`WINDMILL_OPENAPI`), it
//! is ignored, through the `windmill_spec` cfg that `build.rs` sets to the spec's `info.version`.
//! The budget is about v1.743.0, the version Windmill's own listing was measured on: that test
//! lowers v1.743.0 at run time, so it runs whatever spec the binary is compiled from. The compact schemas are checked with the library's own tables
//! of subschema keywords, so the test cannot drift from what it checks.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use windmill_mcp::endpoints::generated;
use windmill_mcp::endpoints::{Registry, Selection};
use windmill_mcp::listing::compact::{SUBSCHEMA, SUBSCHEMA_LIST, SUBSCHEMA_MAP};

#[test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "the snapshot is Windmill v1.795.0's curated listing"
)]
fn curated_tools_list_of_the_default_spec() {
    let tools: Vec<&rmcp::model::Tool> = Registry::compiled()
        .select(&Selection::Curated)
        .map(|e| &*e.listed)
        .collect();
    assert_eq!(tools.len(), 42);
    insta::assert_json_snapshot!("curated_tools_list", serde_json::json!({ "tools": tools }));
}

/// The `windmill_spec` cfg that gates the tests above is the version of the spec the tools were
/// generated from (were it missing, the default build would fail here rather than ignore them).
#[test]
fn the_windmill_spec_cfg_is_the_compiled_spec_version() {
    #[cfg(windmill_spec = "1.795.0")]
    assert_eq!(generated::SPEC_VERSION, "1.795.0");
    #[cfg(not(windmill_spec = "1.795.0"))]
    assert_ne!(generated::SPEC_VERSION, "1.795.0");
}

/// A schema without its prose: `description`s, nested `title`s and `additionalProperties: true`
/// (the default) removed at every schema position, nothing else touched.
fn without_prose(schema: &Value, root: bool) -> Value {
    let Value::Object(o) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in o {
        let k = k.as_str();
        match v {
            Value::String(_) if k == "description" || (k == "title" && !root) => {}
            Value::Bool(true) if k == "additionalProperties" => {}
            Value::Object(m) if SUBSCHEMA_MAP.contains(&k) => {
                let m = m
                    .iter()
                    .map(|(pk, pv)| (pk.clone(), without_prose(pv, false)))
                    .collect();
                out.insert(k.into(), Value::Object(m));
            }
            Value::Object(_) | Value::Bool(_) if SUBSCHEMA.contains(&k) => {
                out.insert(k.into(), without_prose(v, false));
            }
            Value::Array(a) if SUBSCHEMA_LIST.contains(&k) => {
                out.insert(
                    k.into(),
                    Value::Array(a.iter().map(|b| without_prose(b, false)).collect()),
                );
            }
            _ => {
                out.insert(k.into(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// Every parameter (as a path of property names) and every enum value (`path=value`) of a schema.
fn parameters_and_enums(schema: &Value, at: &str, out: &mut BTreeSet<String>) {
    let Value::Object(o) = schema else { return };
    if let Some(Value::Array(vals)) = o.get("enum") {
        for v in vals {
            out.insert(format!("{at}={v}"));
        }
    }
    for (k, v) in o {
        let k = k.as_str();
        match v {
            Value::Object(m) if k == "properties" => {
                for (pk, pv) in m {
                    let p = format!("{at}/{pk}");
                    out.insert(p.clone());
                    parameters_and_enums(pv, &p, out);
                }
            }
            Value::Object(m) if SUBSCHEMA_MAP.contains(&k) => {
                for (pk, pv) in m {
                    parameters_and_enums(pv, &format!("{at}/{k}:{pk}"), out);
                }
            }
            Value::Object(_) if SUBSCHEMA.contains(&k) => {
                parameters_and_enums(v, &format!("{at}/{k}"), out)
            }
            Value::Array(a) if SUBSCHEMA_LIST.contains(&k) => {
                for (i, b) in a.iter().enumerate() {
                    parameters_and_enums(b, &format!("{at}/{k}{i}"), out);
                }
            }
            _ => {}
        }
    }
}

/// Issue 5's goal, first half: every tool's listed input schema keeps every parameter and enum value
/// of the full one; in fact all of its structure: only prose is shortened.
#[test]
fn the_listing_keeps_every_parameter_and_enum() {
    let mut changed = 0;
    for e in Registry::compiled().all() {
        let full = Value::Object((*e.tool.input_schema).clone());
        let listed = Value::Object((*e.listed.input_schema).clone());
        let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
        parameters_and_enums(&full, "", &mut a);
        parameters_and_enums(&listed, "", &mut b);
        assert_eq!(
            a, b,
            "{}: parameters or enum values differ",
            e.endpoint.name
        );
        assert_eq!(
            without_prose(&full, true),
            without_prose(&listed, true),
            "{}: the listed input schema differs from the full one in more than prose",
            e.endpoint.name
        );
        // Validation stays on the full schema.
        assert_eq!(
            *e.input_schema(),
            *e.tool.input_schema,
            "{}",
            e.endpoint.name
        );
        if full != listed {
            changed += 1;
        }
        // The listed output schema is looser: an object.
        match (&e.tool.output_schema, &e.listed.output_schema) {
            (None, None) => {}
            (Some(_), Some(o)) => {
                assert_eq!(Value::Object((**o).clone()), json!({"type": "object"}))
            }
            _ => panic!("{}: output schema listed or not", e.endpoint.name),
        }
        assert_eq!(e.listed.name, e.tool.name);
    }
    assert!(changed > 100, "only {changed} schemas were shortened");
}

/// Issue 5's goal, second half: the curated endpoint tools of `tools/list` (default profile) cost at
/// most 0.8× the 47,501 bytes of Windmill's own listing of them. That figure was measured on
/// Windmill v1.743.0, so the test lowers v1.743.0 at run time (whatever spec is compiled in) and
/// lists its 38 curated tools exactly as a compiled registry does.
#[test]
fn the_curated_listing_is_compact() {
    let spec = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml");
    let (api, _) = windmill_mcp_codegen::read_api(&spec).expect("v1.743.0 lowers");
    assert_eq!(api.version, "1.743.0");
    let registry = Registry::from_api(&api, "v1.743.0 (test)");
    let curated: Vec<_> = registry.select(&Selection::Curated).collect();
    let bytes = windmill_mcp::cli::tools::tools_list_bytes(&curated);
    let measured =
        windmill_mcp::cli::tools::builtin_bytes("1.743.0").expect("measured on v1.743.0");
    let budget = measured * 8 / 10;
    eprintln!(
        "curated endpoint tools of v1.743.0: {} tools, {bytes} bytes (budget {budget})",
        curated.len()
    );
    assert_eq!(curated.len(), 38);
    assert!(
        bytes <= budget,
        "curated endpoint tools: {bytes} bytes > {budget}"
    );
}
