//! Property tests (proptest) of the hand-written pieces that take untrusted text, and regression
//! tests for what the fuzz targets (`fuzz/`) found. The invariants live in `fuzz/src/lib.rs`, shared
//! with the fuzz targets, so a regression test runs exactly the check that failed under the fuzzer.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};
use windmill_mcp::endpoints::runtime::{Method, RequestBuilder};
use windmill_mcp::endpoints::Registry;
use windmill_mcp::workspace::names::{tool_name, valid_tool_name, Kind};

/// Fast enough for `cargo test` in debug; failures are not written next to this file.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Script), Just(Kind::Flow)]
}

/// Windmill-like paths: segments of `[a-z_\-.ä]` joined by `/`, sometimes with stray slashes.
fn windmill_like_path() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec("[a-z_\\-.ä]{1,14}", 1..7).prop_map(|s| s.join("/")),
        "[a-z_\\-.ä/]{1,70}",
    ]
}

// ---------------------------------------------------------------------------------------------
// Tool names of workspace scripts and flows
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// Valid name; decodes back to the same kind and path unless hashed (long names).
    #[test]
    fn names_round_trip(k in kind(), p in windmill_like_path()) {
        checks::name_round_trip(k, &p);
    }

    /// Two different paths never share a name (the second is often a small edit of the first).
    #[test]
    fn names_injective(
        k in kind(),
        a in windmill_like_path(),
        b in windmill_like_path(),
        edit in 0usize..80,
        c in "[a-z_\\-.ä/]",
    ) {
        checks::names_injective(k, &a, k, &b);
        let mut edited: Vec<char> = a.chars().collect();
        let at = edit % (edited.len() + 1);
        edited.insert(at, c.chars().next().unwrap());
        let edited: String = edited.into_iter().collect();
        checks::names_injective(k, &a, k, &edited);
        if at < a.chars().count() {
            let mut removed: Vec<char> = a.chars().collect();
            removed.remove(at);
            let removed: String = removed.into_iter().collect();
            if !removed.is_empty() {
                checks::names_injective(k, &a, k, &removed);
            }
        }
    }

    /// Whatever the path (any characters, any length), the name is one MCP clients accept.
    #[test]
    fn names_always_valid(k in kind(), p in "\\PC{0,120}") {
        prop_assert!(valid_tool_name(&tool_name(k, &p)), "{:?}", p);
    }

    /// `decode` on any string (a client may call any name) does not panic.
    #[test]
    fn decode_any_string(prefix in prop_oneof![Just("s-"), Just("f-"), Just("")], s in "\\PC{0,70}") {
        checks::decode_any(&format!("{prefix}{s}"));
    }
}

/// Every path of up to 6 characters over `a _ - / . ä`: pairwise different names, each decoding back.
#[test]
fn names_injective_on_all_short_paths() {
    let alphabet = ['a', '_', '-', '/', '.', 'ä'];
    let mut paths = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..6 {
        let mut next = Vec::new();
        for p in &frontier {
            for c in alphabet {
                next.push(format!("{p}{c}"));
            }
        }
        paths.extend(next.iter().cloned());
        frontier = next;
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for p in paths.iter().filter(|p| !p.is_empty()) {
        let n = checks::name_round_trip(Kind::Script, p);
        if let Some(other) = seen.insert(n.clone(), p) {
            panic!("{other:?} and {p:?} both named {n:?}");
        }
    }
    assert!(seen.len() > 55_000);
}

// ---------------------------------------------------------------------------------------------
// Windmill paths in request paths
// ---------------------------------------------------------------------------------------------

fn windmill_path(text: &str) -> Result<String, String> {
    let mut b = RequestBuilder::new(Method::Get);
    b.literal("/x/");
    b.wildcard("path", &text.to_owned())
        .map_err(|e| e.to_string())?;
    Ok(b.finish().path_and_query)
}

proptest! {
    #![proptest_config(config(512))]

    /// A path with an empty, `.` or `..` segment anywhere is refused.
    #[test]
    fn windmill_path_refuses_dot_and_empty_segments(
        before in prop::collection::vec("[a-zä._\\-]{1,6}", 0..4),
        bad in prop_oneof![Just(""), Just("."), Just("..")],
        after in prop::collection::vec("[a-zä._\\-]{1,6}", 0..4),
    ) {
        let mut segs = before.clone();
        segs.push(bad.to_owned());
        segs.extend(after.iter().cloned());
        let text = segs.join("/");
        prop_assert!(windmill_path(&text).is_err(), "{:?} accepted", text);
    }

    /// Any other path of plain segments is kept, segment for segment, each encoded.
    #[test]
    fn windmill_path_keeps_plain_segments(segs in prop::collection::vec("[a-zä._\\- ]{1,6}", 1..6)) {
        prop_assume!(segs.iter().all(|s| s != "." && s != ".."));
        let text = segs.join("/");
        let out = windmill_path(&text).map_err(TestCaseError::fail)?;
        let encoded = out.strip_prefix("/x/").unwrap();
        prop_assert_eq!(encoded.split('/').count(), segs.len());
        for (e, s) in encoded.split('/').zip(&segs) {
            let decoded = percent_encoding::percent_decode_str(e).decode_utf8().unwrap();
            prop_assert_eq!(decoded.as_ref(), s.as_str());
            prop_assert!(!e.contains(['/', ' ', '?', '#']));
        }
    }

    /// Any string at all: refused, or a path whose decoded segments are neither empty nor dots.
    #[test]
    fn windmill_path_any_text(text in "[a./%2eE\\\\?#ä\u{0}]{0,12}") {
        if let Ok(out) = windmill_path(&text) {
            for seg in out.strip_prefix("/x/").unwrap().split('/') {
                let d = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
                prop_assert!(!seg.is_empty() && d != "." && d != "..", "{:?} → {:?}", text, out);
            }
        }
    }
}

/// Every endpoint of the compiled-in spec with path-like arguments it must refuse or encode.
#[test]
fn every_endpoint_keeps_its_path_template() {
    for entry in Registry::compiled().all() {
        let props: Vec<String> = entry
            .input_schema()
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for bad in [
            "..", "a/../b", "%2e%2e", "a?b=c", "", "a//b", "x#y", "f/a/./b",
        ] {
            let args: Map<String, Value> = props.iter().map(|k| (k.clone(), json!(bad))).collect();
            checks::args_to_request(entry, &args, "demo");
            checks::args_to_request(entry, &args, bad);
        }
    }
}

/// The request checks themselves: they accept a good request and refuse each kind of bad one.
#[test]
fn request_checks_catch_escapes() {
    let entry = Registry::compiled()
        .get("getScriptByPath")
        .expect("getScriptByPath");
    let ep = &entry.endpoint;
    let good = ep
        .build(
            &windmill_mcp::endpoints::runtime::Args::new(
                json!({"path": "f/a b/c"}).as_object().unwrap().clone(),
            ),
            "demo",
        )
        .expect("builds");
    checks::check_request(ep, &good, "demo");
    let prefix = good
        .path_and_query
        .strip_suffix("f/a%20b/c")
        .expect("ends with the path");
    for bad in [
        "f/../c",
        "f/%2e%2e/c",
        "f//c",
        "f/a b/c",
        "f/a%2Fb",
        "f/c?x",
        "f/c#x",
        "f/%zz",
        "f/c/",
        "f/%C3",
    ] {
        let mut req = good.clone();
        req.path_and_query = format!("{prefix}{bad}");
        let caught = std::panic::catch_unwind(|| checks::check_request(ep, &req, "demo"));
        assert!(caught.is_err(), "{bad:?} passed the checks");
    }
    let mut req = good.clone();
    req.path_and_query = good.path_and_query.replace("/demo/", "/other/");
    assert!(std::panic::catch_unwind(|| checks::check_request(ep, &req, "demo")).is_err());
}

// ---------------------------------------------------------------------------------------------
// Workspace argument schemas
// ---------------------------------------------------------------------------------------------

/// Windmill-style property schemas with well-formed keyword values.
fn property_schema() -> impl Strategy<Value = Value> {
    let leaf = (
        prop::sample::select(vec![
            "string", "integer", "number", "boolean", "object", "array",
        ]),
        prop::option::of("[ a-zä]{0,8}"),
        prop::option::of(prop::sample::select(vec![
            "email",
            "date-time",
            "resource-postgresql",
            "resource-s3_object",
            "sql-postgres",
        ])),
        any::<bool>(),
        prop::option::of(prop::collection::vec("[a-c]{1,2}", 1..3)),
    )
        .prop_map(|(t, desc, format, nullable, en)| {
            let mut o = Map::new();
            o.insert("type".into(), json!(t));
            if let Some(d) = desc {
                o.insert("description".into(), json!(d));
            }
            if let Some(f) = format {
                o.insert("format".into(), json!(f));
            }
            if nullable {
                o.insert("nullable".into(), json!(true));
            }
            if let Some(e) = en {
                o.insert("enum".into(), json!(e));
            }
            o.insert("placeholder".into(), json!("x"));
            Value::Object(o)
        });
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|i| json!({"type": "array", "items": i, "minItems": 0})),
            prop::collection::btree_map("[a-c]{1,2}", inner.clone(), 0..3).prop_map(|m| {
                let keys: Vec<&String> = m.keys().collect();
                json!({"type": "object", "properties": m, "required": keys.first().map(|k| vec![k.to_string()]).unwrap_or_default()})
            }),
            prop::collection::vec(inner, 1..3).prop_map(|v| json!({"oneOf": v})),
        ]
    })
}

fn root_schema() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(
            (
                prop_oneof!["[a-z_]{1,8}", "[a-z ä!]{1,8}", "[a-z]{65,70}"],
                property_schema(),
            ),
            0..6,
        ),
        any::<bool>(),
    )
        .prop_map(|(props, reverse_order)| {
            let mut order: Vec<Value> = props.iter().map(|(k, _)| json!(k)).collect();
            if reverse_order {
                order.reverse();
            }
            let required: Vec<Value> = props.iter().step_by(2).map(|(k, _)| json!(k)).collect();
            let props: Map<String, Value> = props.into_iter().collect();
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "properties": props, "order": order, "required": required})
        })
}

proptest! {
    #![proptest_config(config(192))]

    /// Same schema and resources, same bytes; names valid; output compiles as JSON Schema 2020-12.
    #[test]
    fn schema_conversion_is_deterministic_and_valid(s in root_schema(), n in 0usize..25) {
        let mut resources = BTreeMap::new();
        resources.insert("postgresql".to_owned(), (0..n).map(|i| format!("f/db/r{i}")).collect());
        checks::schema_convert(&s, &resources);
    }
}

// ---------------------------------------------------------------------------------------------
// Spec loading
// ---------------------------------------------------------------------------------------------

#[test]
fn spec_load_on_fixtures_and_small_breakages() {
    for fixture in ["constructs.yaml", "broken.yaml", "dangling-file.yaml"] {
        let path = format!("{}/openapi/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).expect("fixture");
        checks::spec_load(&bytes, None);
        // Cut anywhere: still no panic.
        for cut in (0..bytes.len()).step_by(397) {
            checks::spec_load(&bytes[..cut], None);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: inputs the fuzz targets found (see fuzz/README.md)
// ---------------------------------------------------------------------------------------------

/// Found by `tool_names`: the name of the empty path is `s-`/`f-`, which `decode` refuses
/// (`src/workspace/names.rs`, `decode`: `if body.is_empty() { return None; }`), though the name is
/// not a hashed one. Windmill never lists an empty path, so nothing reaches it today.
#[test]
fn regression_empty_path_name_decodes() {
    checks::name_round_trip(Kind::Script, "");
    checks::name_round_trip(Kind::Flow, "");
}

/// Found by `tool_names` (with `FUZZ_STRICT=1`; the smallest crash, 10 bytes, decodes to the first
/// schema below): `src/workspace/schema.rs`, `property`, copies the values of the `KEPT` keywords
/// it does not look into (`minimum`, `maxLength`, `multipleOf`, `examples`, ...) as they are, and
/// `type`, `enum` and `required` after checking only their JSON type. A Windmill argument schema
/// with `"minLength": null`, a duplicated enum value, a regex the validator cannot compile or a
/// misspelt type becomes a tool input schema that is not valid JSON Schema: the tool then goes
/// unvalidated (`ItemTool::validator` logs a warning) and strict clients may reject `tools/list`.
#[test]
fn regression_schema_convert_output_compiles() {
    for p in [
        json!({"multipleOf": null}),
        json!({"type": "integer", "minimum": null}),
        json!({"type": "string", "minLength": null}),
        json!({"type": "number", "multipleOf": 0.0}),
        json!({"type": "bogus"}),
        json!({"type": ["string", "string"]}),
        json!({"type": "string", "enum": ["a", "a"]}),
        json!({"type": "object", "required": ["a", "a"]}),
        json!({"type": "string", "pattern": "("}),
        json!({"examples": null}),
    ] {
        checks::schema_convert(&json!({"properties": {"b": p}}), &BTreeMap::new());
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP front's gate
// ---------------------------------------------------------------------------------------------

fn front(target: &str, headers: &[(&str, &[u8])], with_server_token: bool) -> checks::FrontRequest {
    checks::FrontRequest {
        target: target.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_vec()))
            .collect(),
        with_server_token,
    }
}

/// The attacks of issue 14 and their neighbours, through the fuzz target's check.
#[test]
fn http_front_on_the_attacks() {
    let globs = (0..6000)
        .map(|i| format!("get*{i}*"))
        .collect::<Vec<_>>()
        .join(",");
    let many = format!("/api/mcp/w/demo/mcp?tools={globs}");
    let targets = [
        "/api/mcp/w/demo/mcp",
        "/mcp",
        "/api/mcp/w/../mcp",
        "/api/mcp/w/de%2Fmo/mcp",
        "/api/mcp/w/demo/mcp?token=",
        "/api/mcp/w/demo/mcp?token=abc&token=",
        "/api/mcp/w/demo/mcp?scripts=f/**,u/**&client=claude",
        "http://evil.com/api/mcp/w/demo/mcp",
        "http://localhost/api/mcp/w/demo/mcp",
        "http://user@localhost/api/mcp/w/demo/mcp",
        many.as_str(),
    ];
    let headers: &[&[(&str, &[u8])]] = &[
        &[("host", b"localhost")],
        &[("host", b"[::1]evil.com")],
        &[("host", b"[::1]:80evil")],
        &[("host", b"localhost"), ("host", b"localhost")],
        &[("host", b"localhost:")],
        &[
            ("host", b"localhost"),
            ("authorization", b"Basic dXNlcjpwYXNz"),
        ],
        &[("host", b"localhost"), ("authorization", b"Bearer")],
        &[("host", b"localhost"), ("authorization", b"Bearer   ")],
        &[
            ("host", b"localhost"),
            ("authorization", b"Bearer a"),
            ("authorization", b"Bearer b"),
        ],
        &[("host", b"localhost"), ("authorization", b"Bearer \xff")],
        &[("host", b"localhost"), ("cookie", b"token=")],
        &[("host", b"localhost"), ("cookie", b"x=1; token=%61%62")],
        &[("host", b"localhost"), ("cookie", b"x=\xff; token=abc")],
        &[("host", b"localhost"), ("cookie", b"x=\xff; token=")],
        &[("host", b"localhost"), ("origin", b"http://evil.com")],
        &[],
    ];
    for target in targets {
        for h in headers {
            for with_server_token in [false, true] {
                checks::http_front(&front(target, h, with_server_token));
            }
        }
    }
}

/// Found while writing `http_front` (its invariant catches it): a `Cookie` header with a byte that is not visible ASCII
/// (`x=\xff; token=abc`) was skipped whole, so its token was ignored and the request acted with the
/// server token (`src/http/mod.rs`, `credentials`: `let Ok(cookie) = cookie.to_str() else
/// { continue };`).
#[test]
fn regression_cookie_with_a_stray_byte_never_borrows_the_server_token() {
    checks::http_front(&front(
        "/api/mcp/w/demo/mcp",
        &[("host", b"localhost"), ("cookie", b"x=\xff; token=abc")],
        true,
    ));
}
