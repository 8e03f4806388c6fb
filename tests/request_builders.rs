//! The generated request builders of the compiled-in spec: arguments in, HTTP request out.

use serde_json::{json, Value};
use windmill_mcp::endpoints::generated;
use windmill_mcp::endpoints::runtime::{ArgError, Args, HttpRequest, Method};

fn args(v: Value) -> Args {
    Args::new(v.as_object().cloned().expect("object"))
}

fn build(name: &str, a: Value) -> Result<HttpRequest, ArgError> {
    let ep = generated::ENDPOINTS
        .iter()
        .find(|e| e.name == name)
        .expect(name);
    (ep.build)(&args(a), "demo")
}

#[test]
fn list_scripts_with_query_parameters() {
    let r = build(
        "listScripts",
        json!({"per_page": 20, "page": 2, "path_start": "f/my folder/", "show_archived": false}),
    )
    .expect("builds");
    assert_eq!(r.method, Method::Get);
    let (path, query) = r.path_and_query.split_once('?').expect("has a query");
    assert_eq!(path, "/w/demo/scripts/list");
    let mut q: Vec<&str> = query.split('&').collect();
    q.sort();
    assert_eq!(
        q,
        vec![
            "page=2",
            "path_start=f%2Fmy%20folder%2F",
            "per_page=20",
            "show_archived=false"
        ]
    );
    assert!(r.body.is_none());
    // The typed struct itself.
    let p =
        generated::list_scripts::Params::from_args(&args(json!({"per_page": 5}))).expect("params");
    assert_eq!(p.per_page, Some(5));
    assert_eq!(p.page, None);
}

#[test]
fn get_script_by_path_keeps_slashes() {
    let r = build("getScriptByPath", json!({"path": "f/folder/my_script"})).expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/scripts/get/p/f/folder/my_script");
    let r = build("getScriptByPath", json!({"path": "u/admin/é x"})).expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/scripts/get/p/u/admin/%C3%A9%20x");
}

#[test]
fn hostile_paths_are_refused_before_any_request_exists() {
    for bad in [
        "../../x",
        "f/../../etc",
        "f/x/..",
        "/abs",
        "f//x",
        "f/x?token=1",
        "f/x#frag",
        "f\\x",
        "f/\nx",
        "",
    ] {
        let e = build("getScriptByPath", json!({"path": bad})).expect_err(bad);
        assert!(matches!(e, ArgError::UnsafePath { .. }), "{bad:?}: {e}");
        assert!(e.to_string().contains("argument `path`"), "{e}");
    }
    let e = build("getJob", json!({"id": "a/../b"})).expect_err("a slash in a plain segment");
    assert!(matches!(e, ArgError::UnsafePath { .. }));
}

#[test]
fn create_schedule_sends_its_body() {
    let r = build(
        "createSchedule",
        json!({"path": "f/ops/nightly", "schedule": "0 0 2 * * *", "timezone": "Europe/Paris", "script_path": "f/ops/backup", "is_flow": false, "args": {"dry_run": true}}),
    )
    .expect("builds");
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.path_and_query, "/w/demo/schedules/create");
    let body = r.json().expect("JSON body");
    assert_eq!(body["path"], "f/ops/nightly");
    assert_eq!(body["schedule"], "0 0 2 * * *");
    assert_eq!(body["args"], json!({"dry_run": true}));
}

#[test]
fn run_script_by_path_passes_script_arguments() {
    let r = build("runScriptByPath", json!({"path": "f/folder/my_script", "body": {"name": "Ada", "n": 3, "nested": {"k": [1, 2]}}})).expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/jobs/run/p/f/folder/my_script");
    assert_eq!(
        r.json().expect("JSON body"),
        json!({"name": "Ada", "n": 3, "nested": {"k": [1, 2]}})
    );
}

#[test]
fn update_variable_keeps_its_clashing_path_apart() {
    let r = build(
        "updateVariable",
        json!({"path": "u/admin/old", "body_path": "u/admin/new", "value": "v"}),
    )
    .expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/variables/update/u/admin/old");
    assert_eq!(
        r.json().expect("JSON body"),
        json!({"path": "u/admin/new", "value": "v"})
    );
}

#[test]
fn a_wrong_type_names_the_argument() {
    let e = build("listScripts", json!({"per_page": "many"})).expect_err("not an integer");
    assert_eq!(
        e.to_string(),
        "argument `per_page`: expected an integer, got string \"many\""
    );
    let e = build("getScriptByPath", json!({})).expect_err("missing");
    assert_eq!(e.to_string(), "argument `path` is required but missing");
}

/// Up to v1.743.0 updateFlow's body (`OpenFlowWPath`) requires `path`, so the builder defaults it
/// to the path parameter; v1.795.0's `EditFlow` makes it optional (left out, the flow stays where
/// it is), so nothing is added.
#[test]
fn update_flow_body_path_defaults_to_the_path_parameter_when_required() {
    let r = build(
        "updateFlow",
        json!({"path": "f/a/flow", "summary": "s", "value": {"modules": []}}),
    )
    .expect("builds");
    assert_eq!(r.path_and_query, "/w/demo/flows/update/f/a/flow");
    #[cfg(windmill_spec = "1.795.0")]
    assert!(
        r.json().expect("JSON body").get("path").is_none(),
        "v1.795.0's EditFlow: an optional body path is not made up"
    );
    #[cfg(not(windmill_spec = "1.795.0"))]
    assert_eq!(r.json().expect("JSON body")["path"], "f/a/flow");
    let r = build("updateFlow", json!({"path": "f/a/flow", "body_path": "f/b/flow", "summary": "s", "value": {"modules": []}})).expect("builds");
    assert_eq!(r.json().expect("JSON body")["path"], "f/b/flow");
}
