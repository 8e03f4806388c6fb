//! The HTTP front's gate: a request target (path and query, origin-form or absolute-form) and header
//! lines (`Host`, `Authorization`, `Cookie`, `Origin`, others), with and without `serve --token`,
//! through `windmill_mcp::http::admit`, which decides the caller, its workspace and its selection.
//!
//! Checks: `windmill_mcp_fuzz::http_front`.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use windmill_mcp_fuzz::{http_front, FrontRequest};

/// Pieces the gate looks for, so that the fuzzer reaches past the first check quickly.
const PIECES: &[&str] = &[
    "/api/mcp/w/",
    "/mcp",
    "demo",
    "/",
    "?",
    "&",
    "=",
    ",",
    "%",
    "%2F",
    "%00",
    "token",
    "tools",
    "scripts",
    "flows",
    "client",
    "read_only",
    "*",
    "**",
    "f/",
    "http://",
    "localhost",
    "127.0.0.1",
    "[::1]",
    ":",
    "8080",
    "evil.com",
    "@",
    "..",
    "x",
];

const HEADER_VALUES: &[&str] = &[
    "Bearer ",
    "bearer ",
    "Basic dXNlcjpwYXNz",
    "abc",
    "token=",
    "; ",
    "%41",
    "\"",
    "localhost",
    "127.0.0.1:3000",
    "[::1]",
    "[::1]evil.com",
    "http://localhost:3000",
    "null",
    " ",
];

const HEADER_NAMES: &[&str] = &["host", "authorization", "cookie", "origin", "x-other"];

fn text(u: &mut Unstructured<'_>, pieces: &[&str]) -> Result<String> {
    let mut s = String::new();
    let n = u.int_in_range(0..=12)?;
    for _ in 0..n {
        if u.ratio(3, 4)? {
            s.push_str(u.choose(pieces)?);
        } else {
            s.push_str(u.arbitrary::<&str>()?);
        }
    }
    Ok(s)
}

fn request(u: &mut Unstructured<'_>) -> Result<FrontRequest> {
    let mut target = text(u, PIECES)?;
    if !target.starts_with('/') && !target.starts_with("http://") {
        target.insert(0, '/');
    }
    let mut headers = Vec::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let name = u.choose(HEADER_NAMES)?.to_string();
        let value = if u.ratio(1, 5)? {
            u.arbitrary::<Vec<u8>>()?
        } else {
            text(u, HEADER_VALUES)?.into_bytes()
        };
        headers.push((name, value));
    }
    Ok(FrontRequest {
        target,
        headers,
        with_server_token: u.arbitrary()?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(req) = request(&mut u) {
        http_front(&req);
    }
});
