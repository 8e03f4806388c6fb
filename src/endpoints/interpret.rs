//! Request building for operations lowered at run time (a live or file spec): the intermediate form
//! ([`windmill_mcp_codegen::ir::Operation`]) read step by step with the same [`RequestBuilder`]
//! the generated code calls, so a live tool checks and lays out its request exactly as a compiled
//! one: the same argument reading, path rules (one segment, wildcard, scoped name), encoding and
//! bodies.
//!
//! The generated `Params::from_args` + `into_request` of an operation and [`build`] of the same
//! operation make the same request (tested over every operation of the compiled spec).

use serde_json::Value;
use windmill_mcp_codegen::ir::{BodyEncoding, BodyShape, Location, Operation, ScalarKind, Slashes};

use super::runtime::{ArgError, Args, FromArg, HttpRequest, ParamValue, RequestBuilder};

/// A parameter's value as its generated field would hold it.
enum Read {
    Str(Option<String>),
    Int(Option<i64>),
    Num(Option<f64>),
    Bool(Option<bool>),
    Json(Option<Value>),
}

impl Read {
    fn value(&self) -> &dyn ParamValue {
        match self {
            Read::Str(v) => v,
            Read::Int(v) => v,
            Read::Num(v) => v,
            Read::Bool(v) => v,
            Read::Json(v) => v,
        }
    }
}

fn read_as<T: FromArg>(args: &Args, name: &str, required: bool) -> Result<Option<T>, ArgError> {
    if required {
        args.required(name).map(Some)
    } else {
        args.optional(name)
    }
}

fn read(args: &Args, name: &str, kind: ScalarKind, required: bool) -> Result<Read, ArgError> {
    Ok(match kind {
        ScalarKind::String => Read::Str(read_as(args, name, required)?),
        ScalarKind::Integer => Read::Int(read_as(args, name, required)?),
        ScalarKind::Number => Read::Num(read_as(args, name, required)?),
        ScalarKind::Boolean => Read::Bool(read_as(args, name, required)?),
        ScalarKind::Json => Read::Json(read_as(args, name, required)?),
    })
}

/// The request of `op` for validated `args` in `workspace`, as the generated builder of the same
/// operation would lay it out.
pub fn build(op: &Operation, args: &Args, workspace: &str) -> Result<HttpRequest, ArgError> {
    // Read every argument first, in parameter order (as `from_args` does), so the first bad one is
    // the one reported.
    let mut values = Vec::with_capacity(op.params.len());
    for p in &op.params {
        values.push(read(args, &p.arg_name, p.kind, p.required)?);
    }
    let body = match &op.body {
        None => None,
        Some(b) => Some(match &b.shape {
            BodyShape::Fields(pairs) => {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(a, w)| (a.as_str(), w.as_str()))
                    .collect();
                let defaults: Vec<(&str, &str)> = b
                    .defaults
                    .iter()
                    .map(|(w, a)| (w.as_str(), a.as_str()))
                    .collect();
                BodyValue::Fields(args.fields(&pairs, &defaults))
            }
            BodyShape::Whole { arg_name } => match b.encoding {
                BodyEncoding::Json | BodyEncoding::Multipart => {
                    BodyValue::Json(args.optional::<Value>(arg_name)?)
                }
                BodyEncoding::Text | BodyEncoding::Binary => {
                    BodyValue::Text(args.optional::<String>(arg_name)?)
                }
            },
        }),
    };

    let mut request = RequestBuilder::new(op.method);
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let literal = &rest[..start];
        if !literal.is_empty() {
            request.literal(literal);
        }
        let after = &rest[start + 1..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        rest = after.get(end + 1..).unwrap_or("");
        if name == "workspace" && op.has_workspace {
            request.workspace(workspace)?;
            continue;
        }
        let found = op
            .params
            .iter()
            .zip(&values)
            .find(|(p, _)| p.location == Location::Path && p.wire_name == name);
        if let Some((p, v)) = found {
            match p.slashes {
                Slashes::Kept => request.wildcard(&p.arg_name, v.value())?,
                Slashes::ScopedName => request.scoped_name(&p.arg_name, v.value())?,
                Slashes::Refused => request.segment(&p.arg_name, v.value())?,
            }
        }
    }
    if !rest.is_empty() {
        request.literal(rest);
    }
    for (p, v) in op.params.iter().zip(&values) {
        match p.location {
            Location::Path => {}
            Location::Query => request.query(&p.wire_name, v.value(), p.explode),
            Location::Header => request.header(&p.wire_name, v.value()),
            Location::Cookie => request.cookie(&p.wire_name, v.value()),
        }
    }
    if let (Some(b), Some(value)) = (&op.body, body) {
        match value {
            BodyValue::Fields(fields) => match b.encoding {
                BodyEncoding::Multipart => request.multipart_fields(fields),
                _ => request.json_fields(&b.content_type, fields, b.required),
            },
            BodyValue::Json(Some(v)) => request.json_body(&b.content_type, v),
            BodyValue::Text(Some(t)) => match (b.encoding, &b.shape) {
                (BodyEncoding::Binary, BodyShape::Whole { arg_name }) => {
                    request.base64_body(arg_name, &b.content_type, &t)?
                }
                _ => request.text_body(&b.content_type, t),
            },
            BodyValue::Json(None) | BodyValue::Text(None) => {}
        }
    }
    Ok(request.finish())
}

/// The body's arguments, read.
enum BodyValue {
    Fields(serde_json::Map<String, Value>),
    Json(Option<Value>),
    Text(Option<String>),
}
