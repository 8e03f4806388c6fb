//! Hand-written runtime code the generated endpoint modules call (through `crate::runtime::…` paths,
//! an alias of this module).
//!
//! Generated code stays thin: it names fields and places; reading arguments, checking Windmill paths,
//! percent-encoding and building bodies happen here, once.

use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use crate::text::describe_value;

/// HTTP methods and MCP hints: the same types the generator's intermediate form uses.
pub use windmill_mcp_codegen::ir::{Hints, Method};

/// Turns validated arguments into an HTTP request; `&str` is the workspace.
pub type BuildFn = fn(&Args, &str) -> Result<HttpRequest, ArgError>;

/// One generated endpoint tool.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub tags: &'static [&'static str],
    /// The input schema, compact JSON.
    pub input_schema: &'static str,
    /// The output schema, compact JSON, for JSON responses.
    pub output_schema: Option<&'static str>,
    /// Whether structured content wraps the JSON answer as `{"result": ...}`.
    pub wraps_output: bool,
    pub hints: Hints,
    /// How Windmill's own server lists it, when it is in the curated set (`x-mcp-tool`).
    pub curated: Option<Curated>,
    pub deprecated: bool,
    /// Whether the path holds `{workspace}`.
    pub has_workspace: bool,
    pub response_content_type: Option<&'static str>,
    pub build: BuildFn,
}

/// How Windmill's own MCP server lists an operation of its curated set.
#[derive(Debug, Clone, Copy)]
pub struct Curated {
    /// The tool name (`x-mcp-tool-name`, else the operationId).
    pub name: &'static str,
    pub description: &'static str,
    /// The input schema of its curated shape, compact JSON, when it differs from the operation's.
    pub input_schema: Option<&'static str>,
}

/// A tool argument that cannot become part of a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("argument `{arg}` is required but missing")]
    Missing { arg: String },
    #[error("argument `{arg}`: expected {expected}, got {got}")]
    Type {
        arg: String,
        expected: &'static str,
        got: String,
    },
    #[error("argument `{arg}`: {reason} (got {got:?}); a Windmill path looks like `f/folder/name` or `u/user/name`")]
    UnsafePath {
        arg: String,
        reason: &'static str,
        got: String,
    },
    #[error("argument `{arg}`: {reason}")]
    Invalid { arg: String, reason: String },
    #[error("the Windmill API this server was built for cannot `{operation}`: {reason}")]
    Unsupported { operation: String, reason: String },
}

/// A tool call's arguments.
#[derive(Debug, Clone, Default)]
pub struct Args(pub Map<String, Value>);

/// A value a parameter field can be read into.
pub trait FromArg: Sized {
    const EXPECTED: &'static str;
    fn from_arg(v: &Value) -> Option<Self>;
}

impl FromArg for String {
    const EXPECTED: &'static str = "a string";
    fn from_arg(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_owned)
    }
}

impl FromArg for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_arg(v: &Value) -> Option<Self> {
        v.as_i64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
    }
}

impl FromArg for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_arg(v: &Value) -> Option<Self> {
        v.as_f64()
    }
}

impl FromArg for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_arg(v: &Value) -> Option<Self> {
        v.as_bool()
    }
}

impl FromArg for Value {
    const EXPECTED: &'static str = "any JSON value";
    fn from_arg(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

impl Args {
    pub fn new(map: Map<String, Value>) -> Self {
        Args(map)
    }

    /// A required argument.
    pub fn required<T: FromArg>(&self, name: &str) -> Result<T, ArgError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Err(ArgError::Missing { arg: name.into() }),
            Some(v) => T::from_arg(v).ok_or_else(|| ArgError::Type {
                arg: name.into(),
                expected: T::EXPECTED,
                got: describe_value(v),
            }),
        }
    }

    /// An optional argument; `null` counts as absent.
    pub fn optional<T: FromArg>(&self, name: &str) -> Result<Option<T>, ArgError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_arg(v).map(Some).ok_or_else(|| ArgError::Type {
                arg: name.into(),
                expected: T::EXPECTED,
                got: describe_value(v),
            }),
        }
    }

    /// The body properties that were given, renamed from argument to wire names; `defaults` fills
    /// `(wire name, argument)` pairs from another argument when the property was not given.
    pub fn fields(&self, pairs: &[(&str, &str)], defaults: &[(&str, &str)]) -> Map<String, Value> {
        let mut out = Map::new();
        for (arg, wire) in pairs {
            if let Some(v) = self.0.get(*arg) {
                out.insert((*wire).to_owned(), v.clone());
            }
        }
        for (wire, from) in defaults {
            if !out.contains_key(*wire) {
                if let Some(v) = self.0.get(*from) {
                    out.insert((*wire).to_owned(), v.clone());
                }
            }
        }
        out
    }
}

/// A request body ready to send.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    Bytes {
        content_type: String,
        bytes: Vec<u8>,
    },
    /// `multipart/form-data` text parts (non-strings as JSON text).
    Multipart(Vec<(String, String)>),
}

/// An HTTP request relative to Windmill's `/api`.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query, percent-encoded, starting with `/` (e.g. `/w/demo/scripts/list?page=2`).
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<RequestBody>,
}

impl HttpRequest {
    /// The JSON body, when there is one.
    pub fn json(&self) -> Option<Value> {
        match &self.body {
            Some(RequestBody::Bytes {
                content_type,
                bytes,
            }) if content_type.contains("json") => serde_json::from_slice(bytes).ok(),
            _ => None,
        }
    }
}

/// Everything but RFC 3986's unreserved characters is encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value that can stand in a path segment, a query string or a header.
pub trait ParamValue {
    /// The values to send: none, one, or several (arrays).
    fn texts(&self) -> Vec<String>;
}

impl ParamValue for String {
    fn texts(&self) -> Vec<String> {
        vec![self.clone()]
    }
}
impl ParamValue for i64 {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamValue for f64 {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamValue for bool {
    fn texts(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}
impl ParamValue for Value {
    fn texts(&self) -> Vec<String> {
        match self {
            Value::Null => vec![],
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items.iter().flat_map(|i| i.texts()).collect(),
            other => vec![other.to_string()],
        }
    }
}
impl<T: ParamValue> ParamValue for Option<T> {
    fn texts(&self) -> Vec<String> {
        self.as_ref().map(ParamValue::texts).unwrap_or_default()
    }
}

/// Lays out an [`HttpRequest`] piece by piece.
#[derive(Debug)]
pub struct RequestBuilder {
    method: Method,
    path: String,
    query: Vec<String>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<RequestBody>,
}

/// Checks a value that goes into the URL as one segment, or as segments (`allow_slashes`).
fn check_path_text(arg: &str, text: &str, allow_slashes: bool) -> Result<(), ArgError> {
    let unsafe_path = |reason| ArgError::UnsafePath {
        arg: arg.into(),
        reason,
        got: text.into(),
    };
    if text.is_empty() {
        return Err(unsafe_path("must not be empty"));
    }
    if text.chars().any(|c| c.is_control()) {
        return Err(unsafe_path("must not contain control characters"));
    }
    if text.contains(['?', '#', '\\']) {
        return Err(unsafe_path("must not contain `?`, `#` or `\\`"));
    }
    if text.contains('%') && percent_encoding::percent_decode_str(text).decode_utf8_lossy() != text
    {
        return Err(unsafe_path("must not be percent-encoded"));
    }
    if !allow_slashes && text.contains('/') {
        return Err(unsafe_path("must not contain `/`"));
    }
    for seg in text.split('/') {
        if seg.is_empty() {
            return Err(unsafe_path(
                "must not have empty segments (leading, trailing or doubled `/`)",
            ));
        }
        if seg == "." || seg == ".." {
            return Err(unsafe_path("must not contain `.` or `..` segments"));
        }
    }
    Ok(())
}

impl RequestBuilder {
    pub fn new(method: Method) -> Self {
        RequestBuilder {
            method,
            path: String::new(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
        }
    }

    /// A request under `/w/{workspace}`, continuing with the fixed `route` (`/scripts/list`, ...).
    pub fn in_workspace(method: Method, workspace: &str, route: &str) -> Result<Self, ArgError> {
        let mut rb = RequestBuilder::new(method);
        rb.literal("/w/");
        rb.workspace(workspace)?;
        rb.literal(route);
        Ok(rb)
    }

    /// A fixed part of the path template.
    pub fn literal(&mut self, s: &str) {
        self.path.push_str(s);
    }

    /// The `{workspace}` segment.
    pub fn workspace(&mut self, workspace: &str) -> Result<(), ArgError> {
        self.segment("workspace", &workspace.to_owned())
    }

    /// One path segment: no `/`, no `.`/`..`, percent-encoded.
    pub fn segment(&mut self, arg: &str, value: &dyn ParamValue) -> Result<(), ArgError> {
        let text = value.texts().join(",");
        check_path_text(arg, &text, false)?;
        self.path.extend(utf8_percent_encode(&text, SEGMENT));
        Ok(())
    }

    /// A value Windmill's router takes as the rest of the path (`f/folder/my_script`, a concurrency
    /// key, a file path): slashes kept as they are, each segment checked and encoded, so the route
    /// receives the value intact and it cannot leave its place.
    pub fn wildcard(&mut self, arg: &str, value: &dyn ParamValue) -> Result<(), ArgError> {
        let text = value.texts().join(",");
        check_path_text(arg, &text, true)?;
        self.push_segments(&text);
        Ok(())
    }

    /// One segment, or an npm scoped name `@scope/name` whose one `/` is kept (Windmill's npm
    /// proxy reads it as part of the package name).
    pub fn scoped_name(&mut self, arg: &str, value: &dyn ParamValue) -> Result<(), ArgError> {
        let text = value.texts().join(",");
        let scoped =
            text.starts_with('@') && !text.starts_with("@/") && text.matches('/').count() == 1;
        if text.contains('/') && !scoped {
            return Err(ArgError::UnsafePath {
                arg: arg.into(),
                reason: "may hold `/` only as a scoped name `@scope/name`",
                got: text,
            });
        }
        check_path_text(arg, &text, scoped)?;
        self.push_segments(&text);
        Ok(())
    }

    fn push_segments(&mut self, text: &str) {
        let encoded: Vec<String> = text
            .split('/')
            .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
            .collect();
        self.path.push_str(&encoded.join("/"));
    }

    /// A query parameter; arrays repeat the key (`explode`) or are joined with commas.
    pub fn query(&mut self, name: &str, value: &dyn ParamValue, explode: bool) {
        let texts = value.texts();
        if texts.is_empty() {
            return;
        }
        let key = utf8_percent_encode(name, SEGMENT).to_string();
        if explode {
            for t in texts {
                self.query
                    .push(format!("{key}={}", utf8_percent_encode(&t, SEGMENT)));
            }
        } else {
            self.query.push(format!(
                "{key}={}",
                utf8_percent_encode(&texts.join(","), SEGMENT)
            ));
        }
    }

    pub fn header(&mut self, name: &str, value: &dyn ParamValue) {
        let texts = value.texts();
        if !texts.is_empty() {
            self.headers.push((name.to_owned(), texts.join(",")));
        }
    }

    pub fn cookie(&mut self, name: &str, value: &dyn ParamValue) {
        let texts = value.texts();
        if !texts.is_empty() {
            self.cookies.push(format!(
                "{name}={}",
                utf8_percent_encode(&texts.join(","), SEGMENT)
            ));
        }
    }

    /// A JSON object body from flattened fields; sent when required or when any field was given.
    pub fn json_fields(&mut self, content_type: &str, fields: Map<String, Value>, required: bool) {
        if required || !fields.is_empty() {
            self.json_body(content_type, Value::Object(fields));
        }
    }

    pub fn json_body(&mut self, content_type: &str, body: Value) {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        self.body = Some(RequestBody::Bytes {
            content_type: content_type.to_owned(),
            bytes,
        });
    }

    pub fn text_body(&mut self, content_type: &str, body: String) {
        self.body = Some(RequestBody::Bytes {
            content_type: content_type.to_owned(),
            bytes: body.into_bytes(),
        });
    }

    /// Bytes given as base64.
    pub fn base64_body(
        &mut self,
        arg: &str,
        content_type: &str,
        b64: &str,
    ) -> Result<(), ArgError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| ArgError::Invalid {
                arg: arg.into(),
                reason: format!("expected base64-encoded bytes: {e}"),
            })?;
        self.body = Some(RequestBody::Bytes {
            content_type: content_type.to_owned(),
            bytes,
        });
        Ok(())
    }

    pub fn multipart_fields(&mut self, fields: Map<String, Value>) {
        let parts = fields
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        self.body = Some(RequestBody::Multipart(parts));
    }

    pub fn finish(mut self) -> HttpRequest {
        let mut path_and_query = self.path;
        if !self.query.is_empty() {
            path_and_query.push('?');
            path_and_query.push_str(&self.query.join("&"));
        }
        if !self.cookies.is_empty() {
            self.headers
                .push(("cookie".into(), self.cookies.join("; ")));
        }
        HttpRequest {
            method: self.method,
            path_and_query,
            headers: self.headers,
            body: self.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windmill_paths_keep_slashes_and_refuse_escapes() {
        let mut b = RequestBuilder::new(Method::Get);
        b.literal("/w/");
        b.segment("workspace", &"demo".to_string()).unwrap();
        b.literal("/scripts/get/p/");
        b.wildcard("path", &"f/folder/my script+é".to_string())
            .unwrap();
        assert_eq!(
            b.finish().path_and_query,
            "/w/demo/scripts/get/p/f/folder/my%20script%2B%C3%A9"
        );
        for bad in [
            "../../x",
            "f/../x",
            "f//x",
            "/f/x",
            "f/x/",
            "f/x?y",
            "f/x#y",
            "f\\x",
            "f/\u{0}x",
            "",
            "f/./x",
            "f/%2e%2e/x",
        ] {
            let mut b = RequestBuilder::new(Method::Get);
            assert!(
                b.wildcard("path", &bad.to_string()).is_err(),
                "{bad:?} accepted"
            );
        }
        let mut b = RequestBuilder::new(Method::Get);
        assert!(b.segment("id", &"a/b".to_string()).is_err());
    }

    #[test]
    fn scoped_names_keep_their_one_slash() {
        let mut b = RequestBuilder::new(Method::Get);
        b.literal("/npm_proxy/filetree/");
        b.scoped_name("package", &"@types/node".to_string())
            .unwrap();
        b.literal("/");
        b.segment("version", &"20.1.0".to_string()).unwrap();
        assert_eq!(
            b.finish().path_and_query,
            "/npm_proxy/filetree/%40types/node/20.1.0"
        );
        let mut b = RequestBuilder::new(Method::Get);
        b.scoped_name("package", &"lodash".to_string()).unwrap();
        assert_eq!(b.finish().path_and_query, "lodash");
        for bad in [
            "a/b", "@a/b/c", "@a/", "@/b", "@a/..", "..", ".", "", "@a//b", "x?y", "x#y", "a\\b",
            "@a/\u{1}",
        ] {
            let mut b = RequestBuilder::new(Method::Get);
            assert!(
                b.scoped_name("package", &bad.to_string()).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn query_encoding() {
        let mut b = RequestBuilder::new(Method::Get);
        b.literal("/x");
        b.query("a", &Some("x y&z".to_string()), true);
        b.query("skip", &None::<i64>, true);
        b.query("n", &Some(3i64), true);
        b.query("tags", &serde_json::json!(["a", "b"]), false);
        b.query("rep", &serde_json::json!(["a", "b"]), true);
        assert_eq!(
            b.finish().path_and_query,
            "/x?a=x%20y%26z&n=3&tags=a%2Cb&rep=a&rep=b"
        );
    }

    #[test]
    fn args_errors_name_the_argument() {
        let a = Args::new(
            serde_json::json!({"per_page": "many", "n": null})
                .as_object()
                .cloned()
                .unwrap(),
        );
        let e = a.optional::<i64>("per_page").unwrap_err();
        assert_eq!(
            e.to_string(),
            "argument `per_page`: expected an integer, got string \"many\""
        );
        assert_eq!(a.optional::<i64>("n").unwrap(), None);
        assert!(matches!(
            a.required::<String>("path"),
            Err(ArgError::Missing { .. })
        ));
    }
}
