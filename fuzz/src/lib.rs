//! The invariants the fuzz targets check, in one place.
//!
//! The fuzz targets (`fuzz_targets/*.rs`) turn raw bytes into structured inputs and call these
//! functions; `tests/properties.rs` includes this file (`#[path]`) so that its regression tests run
//! exactly the same checks on the inputs the fuzzer found. Keep it free of fuzz-only crates: it may
//! use only what the main crate's tests can (std, serde_json, jsonschema, percent-encoding and the
//! project's crates: windmill-mcp, windmill-mcp-codegen, windmill-mcp-emit).
//!
//! Every check panics on a broken invariant, with a message naming it.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use windmill_mcp::endpoints::runtime::{Args, HttpRequest, RequestBody};
use windmill_mcp::endpoints::{Operation, ToolEntry};
use windmill_mcp::workspace::names::{decode, tool_name, valid_tool_name, Kind, MAX_NAME};
use windmill_mcp::workspace::schema::{convert, resource_types, valid_property_name};
use windmill_mcp_codegen::ir::Slashes;
use windmill_mcp_codegen::{ir::Api, load, lower};

// ---------------------------------------------------------------------------------------------
// spec_load
// ---------------------------------------------------------------------------------------------

/// Name of the second file a fuzzed spec can refer to (`$ref: other.yaml#/...`).
pub const OTHER_FILE: &str = "other.yaml";

/// Splits a fuzz input into the root document and, after the first NUL byte, a second file.
pub fn split_spec_input(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

/// Loads and lowers a spec given as bytes, two ways, and checks what comes out:
///
/// * in memory: [`load::parse_text`] → [`load::Loaded`] → [`lower::lower`] → emit;
/// * from files: the bytes written to `root.yaml` (and `other` to `other.yaml`) in a private
///   temporary directory, then [`windmill_mcp_emit::generate`] (load with `$ref` bundling,
///   lower, emit), the entry point `build.rs` uses. Skipped when a `$ref` names a file outside that
///   directory (the bundler would read it: `/dev/zero` would never end).
///
/// Errors are fine; panics are not. A lowered API must have valid, unique tool names.
pub fn spec_load(root: &[u8], other: Option<&[u8]>) {
    let root_name = Path::new("root.yaml");
    if let Ok(text) = std::str::from_utf8(root) {
        if let Ok(doc) = load::parse_text(text, root_name) {
            let loaded = load::Loaded {
                doc,
                root: root_name.to_path_buf(),
                files: vec![root_name.to_path_buf()],
            };
            if let Ok(api) = lower::lower(&loaded) {
                check_api(&api);
                let _ = windmill_mcp_emit::emit::emit(&api);
            }
        }
    }
    if refs_stay_inside(root) && other.is_none_or(refs_stay_inside) {
        let dir = SpecDir::new();
        let path = dir.write("root.yaml", root);
        if let Some(o) = other {
            dir.write(OTHER_FILE, o);
        }
        if let Ok(generated) = windmill_mcp_emit::generate(&path) {
            check_api(&generated.api);
            let _ = windmill_mcp_emit::degradation_summary(&generated.api);
        }
    }
}

/// The invariants of a lowered API.
pub fn check_api(api: &Api) {
    let mut seen = BTreeSet::new();
    for op in &api.operations {
        assert!(
            windmill_mcp_codegen::naming::is_valid_tool_name(&op.name),
            "invalid tool name {:?} from the spec",
            op.name
        );
        assert!(
            seen.insert(op.name.as_str()),
            "tool name {:?} used twice",
            op.name
        );
    }
}

/// True when every `$ref` of the document names no file, or a file of the same directory.
/// A document that does not parse has none (the loader stops at the parse error).
fn refs_stay_inside(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return true;
    };
    let Ok(doc) = load::parse_text(text, Path::new("root.yaml")) else {
        return true;
    };
    fn walk(v: &Value) -> bool {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    let file = r.split_once('#').map_or(r, |(f, _)| f);
                    if file.contains(['/', '\\']) {
                        return false;
                    }
                }
                o.values().all(walk)
            }
            Value::Array(a) => a.iter().all(walk),
            _ => true,
        }
    }
    walk(&doc)
}

/// A private directory under the system's temporary directory, removed on drop.
struct SpecDir(PathBuf);

impl SpecDir {
    fn new() -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "windmill-mcp-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        SpecDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write a temporary spec file");
        p
    }
}

impl Drop for SpecDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// args_to_request
// ---------------------------------------------------------------------------------------------

/// What the runtime leaves unencoded in a path segment or query value (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Runs the generated builder of one endpoint on the arguments as they are, then the server's own
/// path (`call_endpoint` up to the network: undo the client profile, validate against the input
/// schema, build), and checks every request built.
pub fn args_to_request(entry: &ToolEntry, args: &Map<String, Value>, workspace: &str) {
    let build = |a: &Map<String, Value>| entry.endpoint.build(&Args::new(a.clone()), workspace);
    if let Ok(req) = build(args) {
        check_request(&entry.endpoint, &req, workspace);
    }
    let mut args = args.clone();
    if windmill_mcp::listing::profile::unprofile_args(&mut args, entry.input_schema()).is_err() {
        return;
    }
    if windmill_mcp::mcp::validate::validate(entry, &args).is_err() {
        return;
    }
    if let Ok(req) = build(&args) {
        check_request(&entry.endpoint, &req, workspace);
    }
}

/// The promises of a built request (see `check_path_text` in `src/runtime.rs`):
///
/// * method as the endpoint says; path and query printable ASCII, no `#`, `\`, space or control
///   character; every `%` starts a `%XX` escape;
/// * the path follows the endpoint's template: its literal parts in place, each parameter canonically
///   percent-encoded, one segment unless it is a Windmill path (`path`, `*_path`), no empty, `.` or
///   `..` segment (raw or decoded) anywhere;
/// * the query (after the first `?`) holds no other `?`, each item `key=value`, both encoded;
/// * the `{workspace}` segment is the workspace, encoded; JSON bodies parse.
pub fn check_request(ep: &Operation, req: &HttpRequest, workspace: &str) {
    let pq = &req.path_and_query;
    let ctx = || format!("endpoint `{}` ({}), request {pq:?}", ep.name, ep.path);
    assert_eq!(req.method, ep.method, "method differs: {}", ctx());
    assert!(pq.starts_with('/'), "does not start with `/`: {}", ctx());
    assert!(
        pq.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'\\'),
        "unencoded character: {}",
        ctx()
    );
    let b = pq.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'%' {
            assert!(
                b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit(),
                "`%` not followed by two hex digits: {}",
                ctx()
            );
        }
    }
    let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
    assert!(!query.contains('?'), "second `?`: {}", ctx());
    for seg in path.split('/').skip(1) {
        let decoded = percent_decode_str(seg).decode_utf8_lossy();
        assert!(
            !seg.is_empty() && decoded != "." && decoded != "..",
            "empty, `.` or `..` segment {seg:?}: {}",
            ctx()
        );
    }
    let captures = match_template(&ep.path, path)
        .unwrap_or_else(|| panic!("path does not follow the template: {}", ctx()));
    for (name, value) in &captures {
        let slashes = windmill_mcp_codegen::routes::slashes(&ep.path, name);
        let scoped = slashes == Slashes::ScopedName
            && value.starts_with("%40")
            && value.matches('/').count() == 1;
        assert!(
            slashes == Slashes::Kept || scoped || !value.contains('/'),
            "`{{{name}}}` spans segments: {}",
            ctx()
        );
        for piece in value.split('/') {
            let decoded = percent_decode_str(piece).decode_utf8();
            let decoded =
                decoded.unwrap_or_else(|_| panic!("`{{{name}}}` is not UTF-8: {}", ctx()));
            assert!(
                !piece.is_empty() && decoded != "." && decoded != "..",
                "`{{{name}}}` has an empty, `.` or `..` segment: {}",
                ctx()
            );
            assert!(
                !decoded.contains(['/', '?', '#', '\\']) && !decoded.chars().any(char::is_control),
                "`{{{name}}}` holds a forbidden character: {}",
                ctx()
            );
            assert_eq!(
                utf8_percent_encode(&decoded, SEGMENT).to_string(),
                *piece,
                "`{{{name}}}` is not canonically encoded: {}",
                ctx()
            );
        }
        if *name == "workspace" {
            assert_eq!(
                *value,
                utf8_percent_encode(workspace, SEGMENT).to_string(),
                "workspace segment differs: {}",
                ctx()
            );
        }
    }
    if !query.is_empty() {
        for item in query.split('&') {
            let (k, v) = item
                .split_once('=')
                .unwrap_or_else(|| panic!("query item {item:?} without `=`: {}", ctx()));
            assert!(
                !k.is_empty() && !k.contains('=') && !v.contains('='),
                "query item {item:?}: {}",
                ctx()
            );
        }
    }
    if let Some(RequestBody::Bytes { content_type, .. }) = &req.body {
        if content_type.contains("json") {
            assert!(req.json().is_some(), "JSON body does not parse: {}", ctx());
        }
    }
}

/// Parameters that may hold a Windmill path (`f/folder/name`), as the generator decides.
/// Whether the parameter `name` of `template` may span segments (see `windmill_mcp_codegen::routes`).
fn allows_slashes(template: &str, name: &str) -> bool {
    windmill_mcp_codegen::routes::slashes(template, name) != Slashes::Refused
}

/// Matches a request path against an OpenAPI path template; the encoded value of each `{param}`.
/// A value holds only encoded characters (unreserved, `%`) and, for Windmill paths, `/`.
pub fn match_template<'a>(template: &'a str, path: &'a str) -> Option<Vec<(&'a str, &'a str)>> {
    fn go<'a>(template: &str, t: &'a str, p: &'a str, out: &mut Vec<(&'a str, &'a str)>) -> bool {
        let Some(open) = t.find('{') else {
            return t == p;
        };
        if !p.starts_with(&t[..open]) {
            return false;
        }
        let Some(close) = t[open..].find('}').map(|c| open + c) else {
            return false;
        };
        let name = &t[open + 1..close];
        let rest_t = &t[close + 1..];
        let p = &p[open..];
        let ok = |c: u8| {
            c.is_ascii_alphanumeric()
                || matches!(c, b'-' | b'.' | b'_' | b'~' | b'%')
                || (c == b'/' && allows_slashes(template, name))
        };
        let len = p.bytes().take_while(|c| ok(*c)).count();
        // Longest first: a Windmill path may contain the next literal.
        for end in (1..=len).rev() {
            out.push((name, &p[..end]));
            if go(template, rest_t, &p[end..], out) {
                return true;
            }
            out.pop();
        }
        false
    }
    let mut out = Vec::new();
    go(template, template, path, &mut out).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// tool_names
// ---------------------------------------------------------------------------------------------

/// True when a name is a rule-3 (hashed) name: `…-h` + 12 hex digits.
pub fn is_hashed(name: &str) -> bool {
    name.len() > 14
        && name.is_char_boundary(name.len() - 14)
        && name[name.len() - 14..].starts_with("-h")
        && name[name.len() - 12..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One path: its name is valid and decodes back to it, unless hashed.
pub fn name_round_trip(kind: Kind, path: &str) -> String {
    let name = tool_name(kind, path);
    assert!(
        valid_tool_name(&name),
        "invalid name {name:?} for {kind:?} {path:?}"
    );
    assert!(name.len() <= MAX_NAME, "name {name:?} too long");
    match decode(&name) {
        Some((k, p)) => assert!(
            k == kind && p == path,
            "{kind:?} {path:?} → {name:?} decodes to {k:?} {p:?}"
        ),
        None => assert!(
            is_hashed(&name),
            "{kind:?} {path:?} → {name:?} is not hashed yet does not decode"
        ),
    }
    name
}

/// Two paths: different paths (or kinds) never share a name.
pub fn names_injective(ka: Kind, a: &str, kb: Kind, b: &str) {
    let na = name_round_trip(ka, a);
    let nb = name_round_trip(kb, b);
    if (ka, a) != (kb, b) {
        assert_ne!(na, nb, "{ka:?} {a:?} and {kb:?} {b:?} share a name");
    } else {
        assert_eq!(na, nb, "names are not deterministic");
    }
}

/// Any string handed to `decode` (a client can call any name): no panic, and a decoded name of a
/// valid path maps back to a name that decodes to the same path.
pub fn decode_any(name: &str) {
    if let Some((k, p)) = decode(name) {
        let again = tool_name(k, &p);
        if let Some(d) = decode(&again) {
            assert_eq!(d, (k, p), "{name:?} → {again:?} decodes differently");
        }
    }
}

/// Schema conversion: deterministic, never panics, names valid, output a valid JSON Schema
/// whatever the input.
pub fn schema_convert(schema: &Value, resources: &BTreeMap<String, Vec<String>>) {
    let _ = resource_types(Some(schema));
    let a = convert(Some(schema), resources);
    let b = convert(Some(schema), resources);
    let (ta, tb) = (
        serde_json::to_string(&a.schema).expect("serializes"),
        serde_json::to_string(&b.schema).expect("serializes"),
    );
    assert_eq!(ta, tb, "conversion is not deterministic");
    assert_eq!(a.renames, b.renames, "renames are not deterministic");
    let props = a.schema["properties"].as_object().expect("properties");
    for k in props.keys() {
        assert!(valid_property_name(k), "property name {k:?} not valid");
    }
    let mut originals = BTreeSet::new();
    for (new, old) in &a.renames {
        assert!(props.contains_key(new), "rename {new:?} not a property");
        assert!(originals.insert(old), "{old:?} renamed twice");
    }
    if let Some(req) = a.schema.get("required").and_then(Value::as_array) {
        for r in req {
            let r = r.as_str().expect("required names are strings");
            assert!(props.contains_key(r), "required {r:?} is not a property");
        }
    }
    let out = Value::Object(a.schema);
    if let Err(e) = jsonschema::draft202012::new(&out) {
        panic!(
            "converted schema does not compile ({e}); input {}; output {ta}",
            serde_json::to_string(schema).unwrap_or_default()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// http_front
// ---------------------------------------------------------------------------------------------

/// The server token [`http_front`] configures (never to be echoed in a refusal).
pub const FRONT_SERVER_TOKEN: &str = "server-token-5e11a7";

/// One request as the HTTP front sees it before any I/O: the request target (origin-form or
/// absolute-form) and the header lines, values as raw bytes.
#[derive(Debug, Clone)]
pub struct FrontRequest {
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    /// `serve --token` is set.
    pub with_server_token: bool,
}

/// Whether `v` is one of the default allowed hosts, with at most a valid port.
fn default_host(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    ["localhost", "127.0.0.1", "[::1]"].iter().any(|h| {
        v.strip_prefix(h).is_some_and(|rest| {
            rest.is_empty()
                || rest.strip_prefix(':').is_some_and(|p| {
                    !p.is_empty()
                        && p.len() <= 5
                        && p.bytes().all(|b| b.is_ascii_digit())
                        && p.parse::<u16>().is_ok()
                })
        })
    })
}

/// The gate (`windmill_mcp::http::admit`) on one request, with the default `serve` options:
///
/// * it never panics, and a refusal is short (≤ 1,000 bytes), a 400/401/403/404, and never names
///   the server token (unless the request itself carried that text: refusals quote it briefly);
/// * a request is admitted only with exactly one `Host` header (or none and an absolute-form target),
///   each host it names one of the allowed ones (strict: no trailing text after `]`, no empty port);
/// * the server token is used only when the request carries no credentials at all: no
///   `Authorization` header, no `token` query pair, no `token` cookie (malformed or empty ones are
///   a 401, never a fallback);
/// * the caller has a token; the workspace is the URL's (letters, digits, `-`, `_`, at most 64) or
///   none; no `?tools=`/`?scripts=`/`?flows=` list is longer than `--max-selection-entries`.
pub fn http_front(req: &FrontRequest) {
    use windmill_mcp::http::{admit, HttpOptions};
    let Ok(uri) = req.target.parse::<http::Uri>() else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in &req.headers {
        let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(value),
        ) else {
            return;
        };
        headers.append(n, v);
    }
    let mut settings = windmill_mcp::config::Settings::default();
    if req.with_server_token {
        settings.token = windmill_mcp::upstream::Token::new(FRONT_SERVER_TOKEN);
    }
    let options = HttpOptions::default();
    let refusal = match admit(&uri, &headers, &settings, &options) {
        Ok(a) => a,
        Err(r) => {
            assert!(r.text.len() <= 1_000, "refusal of {} bytes", r.text.len());
            assert!(
                [400, 401, 403, 404].contains(&r.status.as_u16()),
                "refusal status {}",
                r.status
            );
            // A refusal may quote the request back (briefly); the server token only if the request
            // itself carried that text.
            let echoed = percent_decode_str(&req.target.replace('+', " "))
                .decode_utf8_lossy()
                .contains(FRONT_SERVER_TOKEN)
                || req.target.contains(FRONT_SERVER_TOKEN)
                || req
                    .headers
                    .iter()
                    .any(|(_, v)| String::from_utf8_lossy(v).contains(FRONT_SERVER_TOKEN));
            assert!(
                echoed || !r.text.contains(FRONT_SERVER_TOKEN),
                "a refusal names the server token"
            );
            return;
        }
    };
    let a = refusal;
    // Host: exactly one, allowed; or none with an absolute-form target. The target's authority too.
    let hosts: Vec<_> = headers.get_all(http::header::HOST).iter().collect();
    assert!(
        hosts.len() <= 1,
        "admitted with {} Host headers",
        hosts.len()
    );
    match hosts.first() {
        Some(h) => {
            let h = h.to_str().expect("an admitted Host is text");
            assert!(default_host(h), "admitted Host {h:?}");
        }
        None => assert!(uri.authority().is_some(), "admitted with no Host"),
    }
    if let Some(auth) = uri.authority() {
        assert!(
            default_host(auth.as_str()),
            "admitted target authority {auth}"
        );
    }
    // The server token only for requests with no credentials at all.
    let query = uri.query().unwrap_or("");
    let has_auth = headers.contains_key(http::header::AUTHORIZATION);
    let has_query_token = windmill_mcp::text::form_pairs(query)
        .into_iter()
        .any(|(k, _)| k == "token");
    let has_cookie_token = headers.get_all(http::header::COOKIE).iter().any(|c| {
        String::from_utf8_lossy(c.as_bytes())
            .split(';')
            .any(|p| p.trim().starts_with("token="))
    });
    let token = a
        .caller
        .token
        .as_ref()
        .expect("an admitted caller has a token");
    assert!(!token.expose().trim().is_empty(), "an empty token");
    if a.server_token {
        assert!(req.with_server_token, "a server token out of nowhere");
        assert!(
            !has_auth && !has_query_token && !has_cookie_token,
            "the server token for a request with credentials: {req:?}"
        );
        assert_eq!(token.expose(), FRONT_SERVER_TOKEN);
    } else {
        assert!(
            has_auth || has_query_token || has_cookie_token,
            "a token of its own from no credentials: {req:?}"
        );
    }
    // The workspace.
    if let Some(w) = &a.caller.workspace {
        assert!(
            !w.is_empty()
                && w.len() <= 64
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "workspace {w:?}"
        );
        assert!(
            uri.path().contains(w.as_str()),
            "workspace {w:?} not from the path"
        );
    }
    // Selection lists are capped.
    for (k, v) in windmill_mcp::text::form_pairs(query) {
        if matches!(k.as_str(), "tools" | "scripts" | "flows") {
            let n = v.split(',').filter(|e| !e.trim().is_empty()).count();
            assert!(
                n <= options.max_selection_entries,
                "?{k}= with {n} entries admitted"
            );
        }
    }
}
