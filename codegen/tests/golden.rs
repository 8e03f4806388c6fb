//! Golden snapshots of the tools the generator lowers from the small fixture specs in
//! `openapi/fixtures/` (their Rust is snapshotted in `codegen/emit/tests/golden.rs`), and the errors
//! it reports for broken ones. Review changes with `cargo insta review`.

use std::path::PathBuf;

use serde_json::{json, Value};
use windmill_mcp_codegen::ir::{Api, BodyShape};
use windmill_mcp_codegen::read_api;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi/fixtures")
        .join(rel)
}

fn tools_json(api: &Api) -> Value {
    Value::Array(
        api.operations
            .iter()
            .map(|o| {
                json!({
                    "name": o.name,
                    "title": o.title,
                    "description": o.description,
                    "hints": o.hints,
                    "inputSchema": o.input_schema,
                    "outputSchema": o.output_schema,
                    "wrapsOutput": o.wraps_output,
                })
            })
            .collect(),
    )
}

#[test]
fn constructs_fixture() {
    let (api, _) = read_api(&fixture("constructs.yaml")).expect("fixture lowers");
    let (again, _) = read_api(&fixture("constructs.yaml")).expect("fixture lowers twice");
    assert_eq!(api, again, "two runs must give the same tools");
    insta::assert_json_snapshot!("constructs_tools", tools_json(&api));

    let op = |n: &str| api.operations.iter().find(|o| o.name == n).expect(n);
    // Parameter clash: the path parameter keeps `path`, the body property becomes `body_path`.
    let update = op("updateItem");
    // The body's required `path` defaults to the path parameter (a rename passes `body_path`).
    assert_eq!(update.input_schema["required"], json!(["path"]));
    assert_eq!(
        update.body.as_ref().expect("body").defaults,
        vec![("path".to_string(), "path".to_string())]
    );
    match &update.body.as_ref().expect("body").shape {
        BodyShape::Fields(f) => assert!(f.contains(&("body_path".into(), "path".into()))),
        other => panic!("{other:?}"),
    }
    // allOf merged, readOnly left out, nullable as a type array, enum kept.
    let props = &update.input_schema["properties"];
    assert!(props.get("id").is_none());
    assert_eq!(props["summary"]["type"], json!(["string", "null"]));
    assert_eq!(props["kind"]["enum"], json!(["script", "flow", "app"]));
    assert!(update.description.ends_with("Read the item first."));
    // A cycle is cut after one expansion, with a description.
    let node = &op("getItem").output_schema.as_ref().expect("output")["properties"]["children"];
    assert!(node.to_string().contains("not expanded"), "{node}");
    // Arrays are wrapped for outputSchema.
    assert!(op("listItems").wraps_output);
    // Free-form object body → one `body` argument (runScriptByPath keeps its arguments).
    assert!(
        matches!(op("runItem").body.as_ref().map(|b| &b.shape), Some(BodyShape::Whole { arg_name }) if arg_name == "body")
    );
    assert_eq!(
        op("runItem").input_schema["required"],
        json!(["path", "body"])
    );
    // Text and binary bodies.
    assert_eq!(
        op("postNote").input_schema["properties"]["body"]["type"],
        "string"
    );
    assert_eq!(
        op("uploadBlob").input_schema["properties"]["body"]["contentEncoding"],
        "base64"
    );
    // oneOf → anyOf, kept whole.
    assert!(op("setShape").input_schema["properties"]["body"]["anyOf"].is_array());
    // The description loses its stray trailing space.
    assert_eq!(
        op("getItem").description,
        "get item\n\nReads one item by its Windmill path."
    );
}

#[test]
fn cross_file_fixture() {
    let (api, loaded) =
        read_api(&fixture("crossfile/backend/api/openapi.yaml")).expect("fixture lowers");
    insta::assert_json_snapshot!("crossfile_tools", tools_json(&api));
    assert_eq!(loaded.files.len(), 2, "{:?}", loaded.files);
    assert!(loaded.files[1].ends_with("flow.yaml"));
    let create = &api.operations[0];
    let modules = &create.input_schema["properties"]["value"]["properties"]["modules"]["items"];
    assert_eq!(
        modules["properties"]["kind"]["enum"],
        json!(["script", "branchall", "forloop"])
    );
    assert!(modules["properties"]["body"]["items"]["description"]
        .as_str()
        .unwrap_or("")
        .contains("FlowModule"));
}

#[test]
fn broken_spec_reports_every_problem_with_place() {
    let err = read_api(&fixture("broken.yaml")).expect_err("broken spec must fail");
    let text = err.to_string();
    let msgs: Vec<String> = err.0.iter().map(|e| e.to_string()).collect();
    assert!(err.0.len() >= 4, "{text}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("#/paths/~1w~1{workspace}~1a/get") && m.contains("no operationId")),
        "{text}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("(operationId getB)") && m.contains("x-mcp-tool")),
        "{text}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("(operationId getB)") && m.contains("{id}")),
        "{text}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("(operationId getC)")
                && m.contains("#/components/parameters/Missing")),
        "{text}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`getB` is used twice")),
        "{text}"
    );
    assert!(msgs.iter().all(|m| m.contains("broken.yaml")), "{text}");
}

#[test]
fn dangling_file_reference_names_file_and_pointer() {
    let err = read_api(&fixture("dangling-file.yaml")).expect_err("must fail");
    let text = err.to_string();
    assert!(text.contains("nowhere.yaml"), "{text}");
    assert!(
        text.contains(
            "dangling-file.yaml#/paths/~1x/get/responses/200/content/application~1json/schema"
        ),
        "{text}"
    );
}

#[test]
fn not_openapi_3_is_refused() {
    let dir = std::env::temp_dir().join(format!("wmcp-swagger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let p = dir.join("swagger.json");
    std::fs::write(&p, r#"{"swagger": "2.0", "paths": {}}"#).expect("write");
    let err = read_api(&p).expect_err("swagger 2 is not supported");
    assert!(
        err.to_string()
            .contains("expected an OpenAPI 3.0 document, found swagger 2.0"),
        "{err}"
    );
}

#[test]
fn a_schema_that_does_not_compile_fails_with_file_pointer_and_operation() {
    let err = read_api(&fixture("bad-pattern.yaml")).expect_err("invalid regexes must fail");
    let text = err.to_string();
    assert_eq!(err.0.len(), 2, "both problems, and only those: {text}");
    // The input schema: found through the parameter's `$ref`, at the keyword itself.
    let input = err
        .0
        .iter()
        .find(|e| e.operation_id.as_deref() == Some("getThing"))
        .expect("getThing is reported");
    assert!(input.file.ends_with("bad-pattern.yaml"), "{text}");
    assert_eq!(input.pointer, "/components/schemas/Name/pattern");
    assert!(
        input.message.contains("input schema does not compile"),
        "{text}"
    );
    assert!(input.message.contains("/properties/name/pattern"), "{text}");
    // The output schema: at the response property.
    let output = err
        .0
        .iter()
        .find(|e| e.operation_id.as_deref() == Some("listThings"))
        .expect("listThings is reported");
    assert_eq!(
        output.pointer,
        "/paths/~1w~1{workspace}~1things~1list/get/responses/200/content/application~1json/schema/properties/id/pattern"
    );
    assert!(
        output.message.contains("output schema does not compile"),
        "{text}"
    );
    // As printed by the build: file#pointer (operationId ...): message.
    assert!(
        text.contains("bad-pattern.yaml#/components/schemas/Name/pattern (operationId getThing)"),
        "{text}"
    );
}
