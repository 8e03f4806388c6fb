//! Client profiles end to end: the listed schemas obey each profile's rules, profiled arguments are
//! mapped back before they reach Windmill, and shortened tool names are callable.

mod common;

use common::mcp::{call, text_of};
use serde_json::{json, Value};
use windmill_fake as fw;
use windmill_mcp::listing::profile::{check, Profile};

async fn setup(query: &str) -> (fw::FakeWindmill, common::mcp::Client) {
    common::mcp::fake_and_client(query, false).await
}

#[tokio::test]
async fn every_mode_and_profile_lists_schemas_the_profile_accepts() {
    for mode in ["curated", "discover", "all"] {
        for profile in Profile::ALL {
            let (_fake, client) =
                setup(&format!("?tools={mode}&client={}", profile.as_str())).await;
            let tools = client.list_all_tools().await.expect("list");
            assert!(!tools.is_empty(), "{mode}/{profile:?}");
            let mut problems = Vec::new();
            for t in &tools {
                let schema = Value::Object((*t.input_schema).clone());
                for p in check(&schema, profile) {
                    problems.push(format!("{}: {p}", t.name));
                }
                // Every listed schema still compiles as JSON Schema.
                if let Err(e) = jsonschema::draft202012::new(&schema) {
                    problems.push(format!("{}: does not compile: {e}", t.name));
                }
            }
            assert!(
                problems.is_empty(),
                "{mode}/{profile:?}: {} problems, e.g. {:#?}",
                problems.len(),
                &problems[..problems.len().min(10)]
            );
            if profile == Profile::Full && mode == "all" {
                // The full profile lists the compact form of the generated definitions unchanged
                // (what tests/tools_list_snapshot.rs checks against the full schemas).
                for t in &tools {
                    let e = windmill_mcp::endpoints::Registry::compiled()
                        .get(&t.name)
                        .expect("endpoint");
                    assert_eq!(*t, *e.listed, "{}", t.name);
                }
            }
            let _ = client.cancel().await;
        }
    }
}

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's operations"
)]
async fn openai_nulls_and_json_text_reach_windmill_as_the_full_schema_wants() {
    let (fake, client) = setup("?tools=curated&client=openai").await;
    let tools = client.list_all_tools().await.expect("list");
    let run = tools
        .iter()
        .find(|t| t.name == "runScriptByPath")
        .expect("runScriptByPath");
    // The free-form `body` (required here) is JSON text.
    assert_eq!(
        run.input_schema["properties"]["body"]["type"],
        json!("string")
    );
    assert!(run.input_schema["properties"]["body"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("JSON text")));
    // A strict client sends every property: null for those it leaves out.
    let mut args = serde_json::Map::new();
    for k in run.input_schema["properties"]
        .as_object()
        .expect("props")
        .keys()
    {
        args.insert(k.clone(), Value::Null);
    }
    args.insert("path".into(), json!("u/admin/hello"));
    args.insert("body".into(), json!("{\"name\":\"x\"}"));
    fake.clear_requests();
    let r = call(&client, "runScriptByPath", Value::Object(args.clone())).await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    let req = fake.last_request().expect("request");
    assert_eq!(req.path, "/api/w/demo/jobs/run/p/u/admin/hello");
    assert_eq!(req.json, Some(json!({"name": "x"})));

    // JSON text that does not parse: a tool error, nothing sent.
    fake.clear_requests();
    args.insert("body".into(), json!("{name: x"));
    let r = call(&client, "runScriptByPath", Value::Object(args)).await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("`body`"), "{}", text_of(&r));
    assert!(fake.requests().is_empty());

    // Through call_endpoint, whose `arguments` is JSON text in this profile.
    let r = call(
        &client,
        "call_endpoint",
        json!({"name": "runScriptByPath", "arguments": "{\"path\":\"u/admin/hello\",\"body\":\"{\\\"name\\\":\\\"y\\\"}\"}"}),
    )
    .await;
    assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
    assert_eq!(
        fake.last_request().expect("request").json,
        Some(json!({"name": "y"}))
    );

    // describe_endpoint shows the profiled schema.
    let r = call(
        &client,
        "describe_endpoint",
        json!({"name": "runScriptByPath"}),
    )
    .await;
    let d = r.structured_content.expect("described");
    assert_eq!(d["inputSchema"]["additionalProperties"], json!(false));
    let _ = client.cancel().await;
}

#[tokio::test]
#[cfg_attr(
    not(windmill_spec = "1.795.0"),
    ignore = "expectations are about Windmill v1.795.0's operations"
)]
async fn describe_endpoint_shows_the_full_definitions_the_listing_abridges() {
    use windmill_mcp::endpoints::Registry;
    for profile in Profile::ALL {
        let (_fake, client) = setup(&format!("?tools=curated&client={}", profile.as_str())).await;
        let tools = client.list_all_tools().await.expect("list");
        for name in ["createSchedule", "getJob", "listJobs"] {
            let e = Registry::compiled().get(name).expect("endpoint");
            let listed = tools.iter().find(|t| t.name == name).expect("listed");
            let r = call(&client, "describe_endpoint", json!({ "name": name })).await;
            assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
            let d = r.structured_content.expect("described");
            let want = windmill_mcp::listing::profile::transform(&e.tool.input_schema, profile);
            assert_eq!(d["inputSchema"], Value::Object(want), "{name} {profile:?}");
            let want_out = e
                .tool
                .output_schema
                .as_ref()
                .map(|o| Value::Object((**o).clone()));
            assert_eq!(d.get("outputSchema").cloned(), want_out, "{name}");
            assert_eq!(d["description"], json!(e.endpoint.description));
            // The listing is smaller than what describe_endpoint shows.
            let listed_bytes = serde_json::to_vec(listed).expect("json").len();
            assert!(listed_bytes < d.to_string().len(), "{name} {profile:?}");
        }
        let _ = client.cancel().await;
    }
}

#[tokio::test]
async fn long_names_are_shortened_and_called_back() {
    let (fake, client) = setup("?tools=all&max_name_len=20").await;
    let tools = client.list_all_tools().await.expect("list");
    let re = regex_like_valid;
    let mut shortened = 0;
    let mut names = std::collections::HashSet::new();
    for t in &tools {
        assert!(t.name.len() <= 20 && re(&t.name), "{}", t.name);
        assert!(names.insert(t.name.to_string()), "duplicate {}", t.name);
        if windmill_mcp::endpoints::Registry::compiled()
            .get(&t.name)
            .is_none()
        {
            shortened += 1;
        }
    }
    assert!(shortened > 10, "{shortened}");
    let long = windmill_mcp::endpoints::Registry::compiled()
        .all()
        .iter()
        .find(|e| e.endpoint.name == "getScriptLatestVersion")
        .map(|e| e.endpoint.name.as_str())
        .expect("a long name");
    let short = windmill_mcp::listing::short_name(long, Some(20)).into_owned();
    assert_ne!(short, long);
    assert!(tools.iter().any(|t| t.name == short.as_str()));
    fake.clear_requests();
    let r = call(&client, &short, json!({"path": "f/folder/my_script"})).await;
    let req = fake.last_request().expect("request");
    assert!(
        req.path.contains("/scripts/") && req.path.ends_with("f/folder/my_script"),
        "{} {}",
        req.path,
        text_of(&r)
    );
    let _ = client.cancel().await;
}

fn regex_like_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
