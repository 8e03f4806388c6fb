//! The generated code of the fixture specs (`openapi/fixtures/`), compiled against the real runtime
//! and exercised.
//!
//! `build.rs` writes the code of every fixture of `windmill_mcp_emit::build::FIXTURES` to
//! `OUT_DIR/fixtures/<module>.rs`: the same text as the golden snapshots in
//! `codegen/emit/tests/snapshots/`. Each is included here in a module of its own, so a change to the
//! emitter that no longer builds against [`crate::endpoints::runtime`], or builds a different request, fails
//! here, not only as a snapshot diff. No lint is allowed: the generated code must stay clean under the
//! workspace's `clippy -D warnings`. See `docs/generator.md`.

mod constructs {
    include!(concat!(env!("OUT_DIR"), "/fixtures/constructs.rs"));
}

mod crossfile {
    include!(concat!(env!("OUT_DIR"), "/fixtures/crossfile.rs"));
}

mod contract_fixture {
    include!(concat!(env!("OUT_DIR"), "/fixtures/contract.rs"));
}

use serde_json::{json, Value};
use windmill_mcp_codegen::search::decode_postings;

use crate::endpoints::runtime::{ArgError, Args, Endpoint, HttpRequest, Method, RequestBody};

fn args(v: Value) -> Args {
    Args::new(v.as_object().cloned().unwrap_or_default())
}

fn call(endpoints: &[Endpoint], name: &str, a: Value) -> Result<HttpRequest, ArgError> {
    let endpoint = endpoints
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no endpoint {name}"));
    (endpoint.build)(&args(a), "demo")
}

fn bytes(r: &HttpRequest) -> (&str, &[u8]) {
    match &r.body {
        Some(RequestBody::Bytes {
            content_type,
            bytes,
        }) => (content_type.as_str(), bytes.as_slice()),
        other => panic!("expected a body of bytes, got {other:?}"),
    }
}

/// What holds for every generated API: sorted endpoints whose schemas compile, and a search index
/// that points only at them.
fn check_tables(endpoints: &[Endpoint], terms: &[(&str, &str)], scale: f32) {
    assert!(endpoints.windows(2).all(|w| w[0].name < w[1].name));
    for e in endpoints {
        let input: Value = serde_json::from_str(e.input_schema).expect("input schema is JSON");
        assert_eq!(input["type"], "object", "{}", e.name);
        assert!(
            jsonschema::draft202012::new(&input).is_ok(),
            "{}: input schema compiles",
            e.name
        );
        if let Some(out) = e.output_schema {
            let out: Value = serde_json::from_str(out).expect("output schema is JSON");
            assert!(
                jsonschema::draft202012::new(&out).is_ok(),
                "{}: output schema compiles",
                e.name
            );
        }
    }
    assert!(scale > 0.0);
    assert!(!terms.is_empty());
    assert!(terms.windows(2).all(|w| w[0].0 < w[1].0), "terms sorted");
    for (term, postings) in terms {
        let decoded: Vec<(u32, u32)> = decode_postings(postings).collect();
        assert!(!decoded.is_empty(), "{term}");
        assert!(
            decoded
                .iter()
                .all(|&(op, _)| (op as usize) < endpoints.len()),
            "{term}"
        );
    }
}

#[test]
fn constructs_tables() {
    assert_eq!(constructs::SPEC_TITLE, "Constructs fixture");
    assert_eq!(constructs::SPEC_VERSION, "0.0.1");
    const { assert!(constructs::SPEC_HAS_MCP_MARKS) };
    assert!(constructs::DEGRADATIONS.is_empty());
    let names: Vec<&str> = constructs::ENDPOINTS.iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "deleteItem",
            "getItem",
            "listItems",
            "postNote",
            "runItem",
            "setShape",
            "updateItem",
            "uploadBlob"
        ]
    );
    let curated: Vec<&str> = constructs::ENDPOINTS
        .iter()
        .filter(|e| e.curated.is_some())
        .map(|e| e.name)
        .collect();
    assert_eq!(curated, ["updateItem"]);
    check_tables(
        &constructs::ENDPOINTS,
        constructs::SEARCH_TERMS,
        constructs::SEARCH_WEIGHT_SCALE,
    );
}

#[test]
fn constructs_path_and_query() {
    let e = &constructs::ENDPOINTS;
    let r = call(
        e,
        "getItem",
        json!({"path": "f/folder/x", "with_children": true}),
    )
    .expect("builds");
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.path_and_query,
        "/w/demo/items/get/f/folder/x?with_children=true"
    );
    assert!(r.body.is_none());
    // A Windmill path keeps its slashes but no `..`; a missing required argument is named.
    assert!(matches!(
        call(e, "deleteItem", json!({"path": "f/../../etc"})),
        Err(ArgError::UnsafePath { .. })
    ));
    assert_eq!(
        call(e, "getItem", json!({})),
        Err(ArgError::Missing { arg: "path".into() })
    );
    let r = call(e, "deleteItem", json!({"path": "u/me/é x"})).expect("builds");
    assert_eq!(r.method, Method::Delete);
    assert_eq!(r.path_and_query, "/w/demo/items/delete/u/me/%C3%A9%20x");
}

#[test]
fn constructs_typed_params_query_and_header() {
    let p = constructs::list_items::Params {
        kind: Some("flow".into()),
        per_page: Some(20),
        x_trace: Some("t-1".into()),
    };
    assert_eq!(
        constructs::list_items::Params::from_args(&args(
            json!({"kind": "flow", "per_page": 20, "X-Trace": "t-1"})
        )),
        Ok(p.clone())
    );
    let r = p.into_request("demo").expect("builds");
    assert_eq!(r.method, Method::Get);
    assert_eq!(r.path_and_query, "/w/demo/items/list?kind=flow&per_page=20");
    assert_eq!(r.headers, [("X-Trace".to_owned(), "t-1".to_owned())]);
    // Every argument optional: `Default` exists and lays out the bare route.
    let r = constructs::list_items::Params::default()
        .into_request("demo")
        .expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/items/list");
    assert!(r.headers.is_empty());
}

#[test]
fn constructs_bodies() {
    let e = &constructs::ENDPOINTS;
    // Flattened fields, the clashing `path` renamed `body_path` on the way in and back on the wire.
    let r = call(
        e,
        "updateItem",
        json!({"path": "f/a/b", "summary": "s", "body_path": "f/a/c"}),
    )
    .expect("builds");
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.path_and_query, "/w/demo/items/update/f/a/b");
    assert_eq!(r.json(), Some(json!({"summary": "s", "path": "f/a/c"})));
    // The body's `path` defaults to the path parameter.
    let r = call(e, "updateItem", json!({"path": "f/a/b", "kind": "flow"})).expect("builds");
    assert_eq!(r.json(), Some(json!({"kind": "flow", "path": "f/a/b"})));
    // A whole JSON body.
    let r = call(
        e,
        "runItem",
        json!({"path": "f/x/y", "body": {"a": [1, 2]}}),
    )
    .expect("builds");
    assert_eq!(r.json(), Some(json!({"a": [1, 2]})));
    let r = constructs::set_shape::Params::default()
        .into_request("demo")
        .expect("builds");
    assert!(r.body.is_none());
    // Text.
    let r = call(e, "postNote", json!({"id": 7, "body": "hello"})).expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/items/note/7");
    assert_eq!(bytes(&r), ("text/plain", &b"hello"[..]));
    // Bytes, given as base64.
    let r = call(e, "uploadBlob", json!({"file_key": "k 1", "body": "aGk="})).expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/items/upload?file_key=k%201");
    assert_eq!(bytes(&r), ("application/octet-stream", &b"hi"[..]));
    assert!(matches!(
        call(
            e,
            "uploadBlob",
            json!({"file_key": "k", "body": "not base64!"})
        ),
        Err(ArgError::Invalid { .. })
    ));
    // A wrong type is named.
    assert!(matches!(
        call(e, "postNote", json!({"id": "seven"})),
        Err(ArgError::Type { .. })
    ));
}

#[test]
fn crossfile_tables_and_requests() {
    assert_eq!(crossfile::SPEC_TITLE, "Cross-file fixture");
    assert!(!crossfile::SPEC_VERSION.is_empty());
    const { assert!(!crossfile::SPEC_HAS_MCP_MARKS) };
    assert_eq!(
        crossfile::DEGRADATIONS,
        [(
            "createFlow",
            "recursive schema `FlowModule` cut after one expansion"
        )]
    );
    check_tables(
        &crossfile::ENDPOINTS,
        crossfile::SEARCH_TERMS,
        crossfile::SEARCH_WEIGHT_SCALE,
    );
    let e = &crossfile::ENDPOINTS;
    let value = json!({"modules": [{"kind": "script"}]});
    let r = call(e, "createFlow", json!({"path": "f/x/flow", "value": value})).expect("builds");
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.path_and_query, "/w/demo/flows/create");
    assert_eq!(r.json(), Some(json!({"path": "f/x/flow", "value": value})));
    let r = crossfile::get_flow::Params {
        path: "f/x/flow".into(),
    }
    .into_request("demo")
    .expect("builds");
    assert_eq!(r.method, Method::Get);
    assert_eq!(r.path_and_query, "/w/demo/flows/get/f/x/flow");
}

/// Every contract struct of a spec that has none of the operations answers `Unsupported`.
macro_rules! contract_is_unsupported {
    ($m:ident) => {{
        use $m::contract as c;
        let id = || "j1".to_owned();
        let results = [
            c::BackendVersion {}.request("demo"),
            c::CancelQueuedJob {
                id: id(),
                reason: None,
            }
            .request("demo"),
            c::GetCompletedJobResultMaybe {
                id: id(),
                get_started: None,
            }
            .request("demo"),
            c::GetFlowByPath {
                path: "f/a/b".into(),
            }
            .request("demo"),
            c::GetJobLogs { id: id() }.request("demo"),
            c::GetScriptByPath {
                path: "f/a/b".into(),
            }
            .request("demo"),
            c::ListFlows::default().request("demo"),
            c::ListResource::default().request("demo"),
            c::ListScripts::default().request("demo"),
            c::RunFlowByPath {
                path: "f/a/b".into(),
                body: None,
            }
            .request("demo"),
            c::RunScriptByPath {
                path: "f/a/b".into(),
                body: None,
            }
            .request("demo"),
        ];
        for r in results {
            assert!(matches!(r, Err(ArgError::Unsupported { .. })), "{r:?}");
        }
    }};
}

#[test]
fn contracts_of_specs_without_the_operations_refuse() {
    contract_is_unsupported!(constructs);
    contract_is_unsupported!(crossfile);
}

#[test]
fn contract_tables_and_requests() {
    assert_eq!(contract_fixture::SPEC_TITLE, "contract fixture");
    assert_eq!(contract_fixture::SPEC_VERSION, "0.0.1");
    const { assert!(!contract_fixture::SPEC_HAS_MCP_MARKS) };
    assert!(contract_fixture::DEGRADATIONS.is_empty());
    assert_eq!(contract_fixture::ENDPOINTS.len(), 8);
    check_tables(
        &contract_fixture::ENDPOINTS,
        contract_fixture::SEARCH_TERMS,
        contract_fixture::SEARCH_WEIGHT_SCALE,
    );
    // The endpoint tools of the same operations build the same requests as the contract.
    let r = call(
        &contract_fixture::ENDPOINTS,
        "listScripts",
        json!({"page": 2, "kinds": "script", "created_by": "ana"}),
    )
    .expect("listScripts");
    assert_eq!(
        r.path_and_query,
        "/w/demo/scripts/list?page=2&kinds=script&created_by=ana"
    );
    let p =
        contract_fixture::get_script_by_path::Params::from_args(&args(json!({"path": "f/a/b"})))
            .expect("params");
    assert_eq!(
        p.into_request("demo").expect("request").path_and_query,
        "/w/demo/scripts/get/p/f/a/b"
    );
}

#[test]
fn the_contract_adapts_to_the_spec_it_is_built_from() {
    use contract_fixture::contract as c;
    // Same types; a parameter the spec lacks (`created_by` is the spec's, not the contract's).
    let r = c::ListScripts {
        page: Some(2),
        per_page: Some(100),
        order_desc: Some(false),
        kinds: Some("script".into()),
    }
    .request("demo")
    .expect("listScripts");
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.path_and_query,
        "/w/demo/scripts/list?page=2&per_page=100&order_desc=false&kinds=script"
    );
    // An integer sent where the spec wants a number, a boolean where it wants a string.
    let r = c::ListFlows {
        page: Some(3),
        per_page: None,
        order_desc: Some(true),
    }
    .request("demo")
    .expect("listFlows");
    assert_eq!(
        r.path_and_query,
        "/w/demo/flows/list?page=3&order_desc=true"
    );
    // A Windmill path keeps its slashes and is still checked.
    let r = c::GetScriptByPath {
        path: "f/a/b c".into(),
    }
    .request("demo")
    .expect("getScriptByPath");
    assert_eq!(r.path_and_query, "/w/demo/scripts/get/p/f/a/b%20c");
    assert!(c::GetScriptByPath {
        path: "f/../x".into()
    }
    .request("demo")
    .is_err());
    // The whole body; the spec's own optional query parameter stays unset.
    let r = c::RunScriptByPath {
        path: "f/a/b".into(),
        body: Some(json!({"x": 1})),
    }
    .request("demo")
    .expect("runScriptByPath");
    assert_eq!(
        (r.method, r.path_and_query.as_str()),
        (Method::Post, "/w/demo/jobs/run/p/f/a/b")
    );
    assert_eq!(bytes(&r), ("application/json", br#"{"x":1}"#.as_slice()));
    // A required parameter the runtime does not set: the operation cannot be used.
    let e = c::RunFlowByPath {
        path: "f/a/b".into(),
        body: None,
    }
    .request("demo")
    .expect_err("runFlowByPath needs `queue`");
    assert!(
        matches!(&e, ArgError::Unsupported { reason, .. } if reason.contains("`queue`")),
        "{e}"
    );
    // A field of a body with properties; the spec's other properties stay unset.
    let r = c::CancelQueuedJob {
        id: "j1".into(),
        reason: Some("stop".into()),
    }
    .request("demo")
    .expect("cancelQueuedJob");
    assert_eq!(r.path_and_query, "/w/demo/jobs_u/queue/cancel/j1");
    assert_eq!(
        bytes(&r),
        ("application/json", br#"{"reason":"stop"}"#.as_slice())
    );
    // A parameter the spec lacks is not sent; an id cannot escape its segment.
    let r = c::GetCompletedJobResultMaybe {
        id: "j1".into(),
        get_started: Some(true),
    }
    .request("demo")
    .expect("getCompletedJobResultMaybe");
    assert_eq!(
        r.path_and_query,
        "/w/demo/jobs_u/completed/get_result_maybe/j1"
    );
    assert!(c::GetCompletedJobResultMaybe {
        id: "a/b".into(),
        get_started: None,
    }
    .request("demo")
    .is_err());
    let r = c::BackendVersion {}.request("").expect("backendVersion");
    assert_eq!(r.path_and_query, "/version");
    // Operations the spec lacks.
    assert!(matches!(
        c::GetFlowByPath { path: "f/a".into() }.request("demo"),
        Err(ArgError::Unsupported { .. })
    ));
    assert!(matches!(
        c::GetJobLogs { id: "j".into() }.request("demo"),
        Err(ArgError::Unsupported { .. })
    ));
    assert!(matches!(
        c::ListResource::default().request("demo"),
        Err(ArgError::Unsupported { .. })
    ));
}
