//! Stage 3: the parsed spec → the intermediate form ([`crate::ir`]).
//!
//! The typed OpenAPI model (openapiv3) validates the document's structure and gives the operations;
//! schemas are taken from the untyped document (same places, by JSON pointer) so that nothing the
//! typed model does not know is lost on the way to JSON Schema. Each lowered operation's schemas are
//! then compiled as validators ([`crate::check`]); one that does not compile is an error like any
//! other, with the place in the spec it came from.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr};
use serde_json::{json, Map, Value};

use crate::check;
use crate::error::{escape_token, SpecError, SpecErrors};
use crate::ir::*;
use crate::load::Loaded;
use crate::naming;
use crate::routes;
use crate::schema::{opaque_form, Converter, Mode};

/// Output schemas describe answers this many objects deep; below, only the type is given. They orient
/// a model, and deep ones (a flow's modules) cost many bytes in every `tools/list`.
pub const OUTPUT_MAX_LEVEL: usize = 1;

/// Builds the intermediate form of every operation in the loaded document.
pub fn lower(loaded: &Loaded) -> Result<Api, SpecErrors> {
    let file = &loaded.root;
    let version = loaded
        .doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with("3.0") {
        let found = if version.is_empty() {
            loaded
                .doc
                .get("swagger")
                .and_then(Value::as_str)
                .map(|v| format!("swagger {v}"))
                .unwrap_or_else(|| "no `openapi` field".into())
        } else {
            format!("openapi {version}")
        };
        return Err(SpecError::new(
            file,
            "/openapi",
            format!("expected an OpenAPI 3.0 document, found {found}"),
        )
        .into());
    }
    let spec: OpenAPI = serde_path_to_error::deserialize(&loaded.doc).map_err(|e| {
        let ptr = path_to_pointer(e.path());
        SpecError::new(
            file,
            ptr,
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
    })?;

    let mut errors = Vec::new();
    let mut ops: Vec<Operation> = Vec::new();
    let mut degradations = BTreeSet::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut pointers: BTreeMap<String, String> = BTreeMap::new();

    for (path, item) in spec.paths.iter() {
        let item_ptr = format!("/paths/{}", escape_token(path));
        let item = match item {
            ReferenceOr::Item(i) => i,
            ReferenceOr::Reference { reference } => {
                errors.push(SpecError::new(
                    file,
                    &item_ptr,
                    format!("path items given as `$ref` ({reference}) are not supported"),
                ));
                continue;
            }
        };
        for (method, op) in item.iter() {
            let op_ptr = format!("{item_ptr}/{method}");
            let Some(op_id) = op.operation_id.clone() else {
                errors.push(SpecError::new(
                    file,
                    &op_ptr,
                    "operation has no operationId; every operation needs one to become a tool",
                ));
                continue;
            };
            let mut ctx = OpCtx {
                loaded,
                spec: &spec,
                op_id: &op_id,
                op_ptr: &op_ptr,
                errors: Vec::new(),
                notes: Vec::new(),
            };
            let lowered = ctx.operation(path, method, &item.parameters, op);
            errors.extend(ctx.errors);
            for n in ctx.notes {
                degradations.insert(Degradation {
                    operation: op_id.clone(),
                    what: n,
                });
            }
            let Some(lowered) = lowered else { continue };
            let origin = check::Place {
                doc: &loaded.doc,
                file,
                op_ptr: &op_ptr,
                op_id: &op_id,
            };
            errors.extend(check::operation(&origin, &lowered));
            let place = format!("{} {}", method.to_uppercase(), path);
            if let Some(other) = seen.insert(lowered.name.clone(), place.clone()) {
                errors.push(
                    SpecError::new(
                        file,
                        &op_ptr,
                        format!(
                            "tool name `{}` is used twice: by {other} and by {place}",
                            lowered.name
                        ),
                    )
                    .with_operation(Some(&op_id)),
                );
                continue;
            }
            pointers.insert(lowered.name.clone(), op_ptr.clone());
            ops.push(lowered);
        }
    }
    // Rust names must be unique too (`getFoo` and `get_foo` would collide).
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    for op in &ops {
        if let Some(other) = rust_names.insert(op.rust_name.clone(), op.name.clone()) {
            errors.push(
                SpecError::new(
                    file,
                    "/paths",
                    format!(
                        "operations `{other}` and `{}` map to the same Rust name `{}`",
                        op.name, op.rust_name
                    ),
                )
                .with_operation(Some(&op.name)),
            );
        }
    }
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    let has_mcp_marks = ops.iter().any(|o| o.mcp.tool);
    errors.extend(settle_curated(file, &mut ops, has_mcp_marks, &pointers));
    if !errors.is_empty() {
        return Err(SpecErrors(errors));
    }
    Ok(Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        operations: ops,
        degradations: degradations.into_iter().collect(),
        has_mcp_marks,
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&escape_token(key)),
            Segment::Enum { variant } => out.push_str(&escape_token(variant)),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

struct OpCtx<'a> {
    loaded: &'a Loaded,
    spec: &'a OpenAPI,
    op_id: &'a str,
    op_ptr: &'a str,
    errors: Vec<SpecError>,
    notes: Vec<String>,
}

/// The input schema being assembled: argument names taken, properties and required names.
struct Inputs {
    args_taken: BTreeSet<String>,
    properties: Map<String, Value>,
    required: Vec<Value>,
}

/// A parameter before names are settled.
struct RawParam {
    wire_name: String,
    location: Location,
    required: bool,
    explode: bool,
    description: Option<String>,
    schema: Value,
}

impl<'a> OpCtx<'a> {
    fn err(&mut self, pointer: String, message: impl Into<String>) {
        self.errors.push(
            SpecError::new(&self.loaded.root, pointer, message).with_operation(Some(self.op_id)),
        );
    }

    fn raw(&self, pointer: &str) -> Option<&'a Value> {
        self.loaded.doc.pointer(pointer)
    }

    /// Where a possibly-referenced object of the document really is.
    fn follow(&self, pointer: String) -> String {
        let mut p = pointer;
        for _ in 0..16 {
            match self
                .raw(&p)
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
            {
                Some(r) if r.starts_with('#') => p = percent_decode_pointer(&r[1..]),
                _ => break,
            }
        }
        p
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item_params: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
    ) -> Option<Operation> {
        let method = parse_method(method);
        let name = naming::tool_name(self.op_id);
        if name != self.op_id {
            self.notes.push(format!(
                "operationId is not a valid tool name; listed as `{name}`"
            ));
        }
        let mcp = self.extensions(op);
        let raw_params = self.raw_params(item_params, op);
        // Every `{name}` in the template needs a path parameter.
        for seg in template_names(path) {
            if !raw_params
                .iter()
                .any(|p| p.location == Location::Path && p.wire_name == seg)
            {
                self.err(
                    format!("{}/parameters", self.op_ptr),
                    format!("the path template has `{{{seg}}}` but no path parameter of that name"),
                );
            }
        }
        let has_workspace = raw_params
            .iter()
            .any(|p| p.location == Location::Path && p.wire_name == "workspace");
        let mut conv = Converter::new(&self.loaded.doc, Mode::Input);
        let (params, args_taken) = settle_params(path, &raw_params, &mut conv);

        // The input schema: parameters, then the body's properties.
        let mut inputs = Inputs {
            args_taken,
            properties: Map::new(),
            required: Vec::new(),
        };
        for p in &params {
            inputs
                .properties
                .insert(p.arg_name.clone(), p.schema.clone());
            if p.required {
                inputs.required.push(Value::String(p.arg_name.clone()));
            }
        }
        let params_by_wire: Vec<(String, String)> = params
            .iter()
            .filter(|p| p.location == Location::Path)
            .map(|p| (p.wire_name.clone(), p.arg_name.clone()))
            .collect();
        let body = self.body(op, &mut conv, &mut inputs, &params_by_wire);
        self.notes.append(&mut conv.notes);
        let input_schema = inputs.schema();
        let curated_input = mcp
            .shapes_input()
            .then(|| curated_input(&input_schema, &params, body.as_ref(), &mcp));

        let response = self.response(op);
        let (output_schema, wraps_output) =
            output_schema(response.as_ref().and_then(|r| r.schema.clone()));
        Some(Operation {
            rust_name: naming::snake_case(&name),
            name,
            title: op.summary.as_deref().map(tidy).filter(|s| !s.is_empty()),
            description: describe(
                op.summary.as_deref(),
                op.description.as_deref(),
                mcp.instructions.as_deref(),
                self.op_id,
            ),
            method,
            path: path.to_owned(),
            has_workspace,
            params,
            body,
            response,
            tags: op.tags.clone(),
            hints: hints(self.op_id, method),
            mcp,
            input_schema,
            output_schema,
            wraps_output,
            deprecated: op.deprecated,
            // Settled once the whole API is known (see `settle_curated`); the shape is kept here.
            curated: curated_input.map(|schema| CuratedTool {
                name: String::new(),
                description: String::new(),
                input_schema: Some(schema),
            }),
        })
    }

    /// The operation's parameters: path-level first, overridden by operation-level ones with the
    /// same name and place.
    fn raw_params(
        &mut self,
        item_params: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
    ) -> Vec<RawParam> {
        let item_ptr = self
            .op_ptr
            .rsplit_once('/')
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let mut raw_params: Vec<RawParam> = Vec::new();
        let op_ptr = self.op_ptr;
        let sources = item_params
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{item_ptr}/parameters/{i}"), p))
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("{op_ptr}/parameters/{i}"), p)),
            )
            .collect::<Vec<_>>();
        for (ptr, p) in sources {
            let ptr = self.follow(ptr);
            let Some(param) = self.resolve_param(&ptr, p) else {
                continue;
            };
            let data = param.parameter_data_ref();
            let (location, explode) = match &param {
                Parameter::Query { style, .. } => (
                    Location::Query,
                    data.explode
                        .unwrap_or(matches!(style, openapiv3::QueryStyle::Form)),
                ),
                Parameter::Header { .. } => (Location::Header, data.explode.unwrap_or(false)),
                Parameter::Path { .. } => (Location::Path, data.explode.unwrap_or(false)),
                Parameter::Cookie { .. } => (Location::Cookie, data.explode.unwrap_or(true)),
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(_) => self
                    .raw(&format!("{ptr}/schema"))
                    .cloned()
                    .unwrap_or(json!({"type": "string"})),
                ParameterSchemaOrContent::Content(_) => json!({"type": "string"}),
            };
            let rp = RawParam {
                wire_name: data.name.clone(),
                location,
                required: data.required || location == Location::Path,
                explode,
                description: data.description.clone(),
                schema,
            };
            raw_params.retain(|q| !(q.wire_name == rp.wire_name && q.location == rp.location));
            raw_params.push(rp);
        }
        raw_params
    }

    fn resolve_param(&mut self, ptr: &str, p: &ReferenceOr<Parameter>) -> Option<Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next().unwrap_or("");
                let found = self
                    .spec
                    .components
                    .as_ref()
                    .and_then(|c| c.parameters.get(name))
                    .and_then(|p| p.as_item())
                    .cloned();
                if found.is_none() {
                    self.err(
                        ptr.to_owned(),
                        format!("parameter `$ref: {reference}` does not resolve"),
                    );
                }
                found
            }
        }
    }

    fn extensions(&mut self, op: &openapiv3::Operation) -> McpExtensions {
        let mut m = McpExtensions::default();
        for (k, v) in &op.extensions {
            let ptr = format!("{}/{}", self.op_ptr, escape_token(k));
            match k.as_str() {
                "x-mcp-tool" => match v.as_bool() {
                    Some(b) => m.tool = b,
                    None => self.err(ptr, "`x-mcp-tool` must be true or false"),
                },
                "x-mcp-instructions" => match v.as_str() {
                    Some(s) => m.instructions = Some(s.to_owned()),
                    None => self.err(ptr, "`x-mcp-instructions` must be a string"),
                },
                "x-mcp-tool-name" => match v.as_str() {
                    Some(s) if !s.is_empty() && naming::tool_name(s) == s => {
                        m.tool_name = Some(s.to_owned())
                    }
                    Some(s) => self.err(
                        ptr,
                        format!("`x-mcp-tool-name` {s:?} is not a valid tool name (letters, digits, `_`, `-`, `.`)"),
                    ),
                    None => self.err(ptr, "`x-mcp-tool-name` must be a string"),
                },
                "x-mcp-tool-description" => match v.as_str() {
                    Some(s) => m.tool_description = Some(s.to_owned()),
                    None => self.err(ptr, "`x-mcp-tool-description` must be a string"),
                },
                "x-mcp-tool-include-fields"
                | "x-mcp-tool-opaque-fields"
                | "x-mcp-tool-include-query-params"
                | "x-mcp-required-fields" => {
                    let list: Option<Vec<String>> = v
                        .as_array()
                        .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect());
                    let Some(list) = list else {
                        self.err(ptr, format!("`{k}` must be a list of names"));
                        continue;
                    };
                    match k.as_str() {
                        "x-mcp-tool-include-fields" => m.include_fields = Some(list),
                        "x-mcp-tool-opaque-fields" => m.opaque_fields = list,
                        "x-mcp-tool-include-query-params" => m.include_query_params = Some(list),
                        _ => m.required_fields = list,
                    }
                }
                _ => {}
            }
        }
        m
    }

    fn body(
        &mut self,
        op: &openapiv3::Operation,
        conv: &mut Converter<'a>,
        inputs: &mut Inputs,
        params_by_wire: &[(String, String)],
    ) -> Option<Body> {
        let Inputs {
            args_taken,
            properties,
            required,
        } = inputs;
        let rb = op.request_body.as_ref()?;
        let body_ptr = self.follow(format!("{}/requestBody", self.op_ptr));
        let (content, body_required, description) = match rb {
            ReferenceOr::Item(b) => (b.content.clone(), b.required, b.description.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next().unwrap_or("");
                match self
                    .spec
                    .components
                    .as_ref()
                    .and_then(|c| c.request_bodies.get(name))
                    .and_then(|b| b.as_item())
                {
                    Some(b) => (b.content.clone(), b.required, b.description.clone()),
                    None => {
                        self.err(
                            body_ptr,
                            format!("request body `$ref: {reference}` does not resolve"),
                        );
                        return None;
                    }
                }
            }
        };
        let ct = pick_content_type(content.keys().map(String::as_str))?.to_owned();
        let encoding = if is_json(&ct) {
            BodyEncoding::Json
        } else if ct.starts_with("text/") {
            BodyEncoding::Text
        } else if ct == "multipart/form-data" || ct == "application/x-www-form-urlencoded" {
            BodyEncoding::Multipart
        } else {
            BodyEncoding::Binary
        };
        if content.len() > 1 {
            let others: Vec<&str> = content
                .keys()
                .map(String::as_str)
                .filter(|c| *c != ct)
                .collect();
            self.notes.push(format!(
                "request body also accepts {}; the tool sends {ct}",
                others.join(", ")
            ));
        }
        let raw_schema = self
            .raw(&format!("{body_ptr}/content/{}/schema", escape_token(&ct)))
            .cloned()
            .unwrap_or(json!({}));
        let whole = |conv: &mut Converter<'a>,
                     args_taken: &mut BTreeSet<String>,
                     properties: &mut Map<String, Value>,
                     required: &mut Vec<Value>,
                     schema: Value| {
            let arg = naming::unique("body", |c| args_taken.contains(c));
            args_taken.insert(arg.clone());
            let _ = conv;
            properties.insert(arg.clone(), schema);
            if body_required {
                required.push(Value::String(arg.clone()));
            }
            BodyShape::Whole { arg_name: arg }
        };
        let desc = description.as_deref().map(tidy).filter(|d| !d.is_empty());
        let mut defaults: Vec<(String, String)> = Vec::new();
        let shape = match encoding {
            BodyEncoding::Text => {
                let mut s = json!({"type": "string"});
                append_description(
                    &mut s,
                    desc.as_deref().unwrap_or("The request body, as text."),
                );
                whole(conv, args_taken, properties, required, s)
            }
            BodyEncoding::Binary => {
                let mut s = json!({"type": "string", "contentEncoding": "base64"});
                append_description(
                    &mut s,
                    &format!(
                        "{} The bytes, base64-encoded (sent as {ct}).",
                        desc.as_deref().unwrap_or("The request body.")
                    ),
                );
                whole(conv, args_taken, properties, required, s)
            }
            BodyEncoding::Json | BodyEncoding::Multipart => {
                let mut schema = conv.convert(&raw_schema);
                let fields_ok = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty())
                    && schema.get("anyOf").is_none()
                    && schema.get("allOf").is_none()
                    && schema.get("type").is_some_and(|t| t == "object");
                if fields_ok {
                    let props = schema
                        .get("properties")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    let req: Vec<String> = schema
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut fields = Vec::new();
                    for (wire, mut s) in props {
                        // A required body property repeating a path parameter defaults to it.
                        let clashing_param = params_by_wire
                            .iter()
                            .find(|(w, _)| *w == wire)
                            .map(|(_, a)| a.clone());
                        if encoding == BodyEncoding::Multipart
                            && s.get("format").is_some_and(|f| f == "binary")
                        {
                            s = json!({"type": "string", "contentEncoding": "base64", "description": "File content, base64-encoded."});
                        }
                        let base = naming::arg_name(&wire);
                        let arg = if args_taken.contains(&base) {
                            let renamed =
                                naming::unique(&format!("body_{base}"), |c| args_taken.contains(c));
                            append_description(
                                &mut s,
                                &format!("Sent as `{wire}` in the request body."),
                            );
                            renamed
                        } else {
                            base
                        };
                        args_taken.insert(arg.clone());
                        let mut is_required = body_required && req.contains(&wire);
                        if let (true, Some(param_arg)) = (is_required, clashing_param) {
                            append_description(&mut s, &format!("Defaults to `{param_arg}`."));
                            defaults.push((wire.clone(), param_arg));
                            is_required = false;
                        }
                        if is_required {
                            required.push(Value::String(arg.clone()));
                        }
                        properties.insert(arg.clone(), s);
                        fields.push((arg, wire));
                    }
                    if schema
                        .get("additionalProperties")
                        .is_some_and(|a| a != &json!(false))
                    {
                        self.notes.push("request body allows extra properties besides its named ones; only the named ones are exposed".into());
                    }
                    BodyShape::Fields(fields)
                } else {
                    if encoding == BodyEncoding::Multipart {
                        self.notes.push(
                            "multipart body without named fields sent as one JSON part".into(),
                        );
                    }
                    if let Some(d) = &desc {
                        if schema.get("description").is_none() {
                            append_description(&mut schema, d);
                        }
                    }
                    whole(conv, args_taken, properties, required, schema)
                }
            }
        };
        Some(Body {
            content_type: ct,
            required: body_required,
            shape,
            encoding,
            defaults,
        })
    }

    fn response(&mut self, op: &openapiv3::Operation) -> Option<Response> {
        let responses = self
            .raw(&format!("{}/responses", self.op_ptr))?
            .as_object()?;
        let mut codes: Vec<(u16, &String)> = responses
            .keys()
            .filter_map(|k| {
                let n = if k.eq_ignore_ascii_case("2XX") {
                    Some(200)
                } else {
                    k.parse::<u16>().ok()
                };
                n.filter(|n| (200..300).contains(n)).map(|n| (n, k))
            })
            .collect();
        codes.sort();
        let _ = op;
        let (status, key) = codes.first().copied()?;
        let resp_ptr = self.follow(format!("{}/responses/{}", self.op_ptr, escape_token(key)));
        let content = self
            .raw(&format!("{resp_ptr}/content"))
            .and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return Some(Response {
                status,
                content_type: None,
                schema: None,
            });
        };
        let ct = pick_content_type(content.keys().map(String::as_str))?.to_owned();
        let schema = if is_json(&ct) {
            let raw = self.raw(&format!("{resp_ptr}/content/{}/schema", escape_token(&ct)));
            raw.map(|r| {
                let mut conv = Converter::new(&self.loaded.doc, Mode::Output);
                conv.max_level = OUTPUT_MAX_LEVEL;
                let v = conv.convert(r);
                self.notes
                    .extend(conv.notes.into_iter().map(|n| format!("output: {n}")));
                v
            })
        } else {
            None
        };
        Some(Response {
            status,
            content_type: Some(ct),
            schema,
        })
    }
}

fn parse_method(method: &str) -> Method {
    match method {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        _ => Method::Trace,
    }
}

impl Inputs {
    /// The tool's input schema: a closed object of the arguments.
    fn schema(self) -> Value {
        let mut input = Map::new();
        input.insert("type".into(), json!("object"));
        input.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            input.insert("required".into(), Value::Array(self.required));
        }
        input.insert("additionalProperties".into(), json!(false));
        Value::Object(input)
    }
}

/// Settles argument and Rust field names of the parameters (in location order; `workspace` is the
/// server's), converting their schemas. Also returns the argument names taken.
fn settle_params(
    path: &str,
    raw_params: &[RawParam],
    conv: &mut Converter<'_>,
) -> (Vec<Param>, BTreeSet<String>) {
    let mut args_taken: BTreeSet<String> = BTreeSet::new();
    let mut fields_taken: BTreeSet<String> = BTreeSet::new();
    fields_taken.insert("body".into());
    let mut params = Vec::new();
    let mut order: Vec<&RawParam> = raw_params
        .iter()
        .filter(|p| !(p.location == Location::Path && p.wire_name == "workspace"))
        .collect();
    order.sort_by_key(|p| p.location);
    for rp in order {
        let base = naming::arg_name(&rp.wire_name);
        let arg = if args_taken.contains(&base) {
            let loc = format!("{:?}", rp.location).to_lowercase();
            naming::unique(&format!("{base}_{loc}"), |c| args_taken.contains(c))
        } else {
            base
        };
        args_taken.insert(arg.clone());
        let rust = naming::unique(&naming::rust_field(&arg), |c| fields_taken.contains(c));
        fields_taken.insert(rust.clone());
        let target = conv.deref(&rp.schema).clone();
        let kind = match target.get("type").and_then(Value::as_str) {
            Some("string") => ScalarKind::String,
            Some("integer") => ScalarKind::Integer,
            Some("number") => ScalarKind::Number,
            Some("boolean") => ScalarKind::Boolean,
            None if target.get("enum").is_some() => ScalarKind::String,
            _ => ScalarKind::Json,
        };
        let mut schema = conv.convert(&rp.schema);
        if let (Some(d), Value::Object(o)) = (&rp.description, &mut schema) {
            o.insert("description".into(), Value::String(tidy(d)));
        }
        let slashes = if rp.location == Location::Path {
            routes::slashes(path, &rp.wire_name)
        } else {
            Slashes::Refused
        };
        match slashes {
            Slashes::Kept if routes::is_path_name(&rp.wire_name) => {
                if schema.get("description").is_none() {
                    append_description(
                        &mut schema,
                        "A Windmill path such as `f/folder/name` or `u/user/name`.",
                    );
                }
            }
            Slashes::Kept => append_description(&mut schema, "It may hold `/` (e.g. `a/b/c`)."),
            Slashes::ScopedName => append_description(
                &mut schema,
                "A scoped name keeps its `/` (e.g. `@types/node`).",
            ),
            Slashes::Refused => {}
        }
        if arg != rp.wire_name {
            let note = format!(
                "Sent as the {} parameter `{}`.",
                format!("{:?}", rp.location).to_lowercase(),
                rp.wire_name
            );
            append_description(&mut schema, &note);
        }
        params.push(Param {
            slashes,
            wire_name: rp.wire_name.clone(),
            arg_name: arg,
            rust_name: rust,
            location: rp.location,
            required: rp.required,
            kind,
            explode: rp.explode,
            description: rp.description.as_deref().map(tidy),
            schema,
        });
    }
    (params, args_taken)
}

/// The input schema of Windmill's curated tool of an operation: the operation's own (`full`), less
/// the query parameters `x-mcp-tool-include-query-params` leaves out and the body properties
/// `x-mcp-tool-include-fields` leaves out, with the body properties of `x-mcp-tool-opaque-fields` as
/// free-form JSON and those of `x-mcp-required-fields` required. Arguments keep the operation's
/// names, so one request builder serves both shapes.
fn curated_input(
    full: &Value,
    params: &[Param],
    body: Option<&Body>,
    mcp: &McpExtensions,
) -> Value {
    let mut out = full.clone();
    let Some(o) = out.as_object_mut() else {
        return out;
    };
    let mut removed: BTreeSet<String> = BTreeSet::new();
    if let Some(include) = &mcp.include_query_params {
        for p in params {
            if p.location == Location::Query && !p.required && !include.contains(&p.wire_name) {
                removed.insert(p.arg_name.clone());
            }
        }
    }
    let mut opaque: Vec<&str> = Vec::new();
    let mut required_extra: Vec<&str> = Vec::new();
    if let Some(Body {
        shape: BodyShape::Fields(fields),
        required: body_required,
        defaults,
        ..
    }) = body
    {
        for (arg, wire) in fields {
            if mcp
                .include_fields
                .as_ref()
                .is_some_and(|inc| !inc.contains(wire))
            {
                removed.insert(arg.clone());
            } else if mcp.opaque_fields.contains(wire) {
                opaque.push(arg);
            }
            let defaulted = defaults.iter().any(|(w, _)| w == wire);
            if *body_required && !defaulted && mcp.required_fields.contains(wire) {
                required_extra.push(arg);
            }
        }
    }
    if let Some(Value::Object(props)) = o.get_mut("properties") {
        props.retain(|k, _| !removed.contains(k));
        for arg in opaque {
            if let Some(s) = props.get_mut(arg) {
                *s = opaque_form(s);
            }
        }
    }
    let present: BTreeSet<String> = o
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let mut required: Vec<Value> = o
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter(|v| v.as_str().is_some_and(|n| present.contains(n)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for arg in required_extra {
        if present.contains(arg) && !required.iter().any(|r| r == arg) {
            required.push(Value::String(arg.to_owned()));
        }
    }
    if required.is_empty() {
        o.remove("required");
    } else {
        o.insert("required".into(), Value::Array(required));
    }
    out
}

/// Settles the curated set once every operation is lowered: which operations are in it
/// (`x-mcp-tool`, or [`crate::DEFAULT_CURATED`] for a spec without marks), the name and
/// description each is listed under (`x-mcp-tool-name`, `x-mcp-tool-description`), and notes on the
/// operations whose texts name a curated tool that is listed under another operation's name.
/// Two curated tools of one name are an error naming both operations (`pointers`: operationId →
/// where it is in the spec).
fn settle_curated(
    file: &std::path::Path,
    ops: &mut [Operation],
    has_marks: bool,
    pointers: &BTreeMap<String, String>,
) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for op in ops.iter_mut() {
        let shape = op.curated.take().and_then(|c| c.input_schema);
        let curated = if has_marks {
            op.mcp.tool
        } else {
            crate::DEFAULT_CURATED.contains(&op.name.as_str())
        };
        if !curated {
            continue;
        }
        let name = op.mcp.tool_name.clone().unwrap_or_else(|| op.name.clone());
        let description = match &op.mcp.tool_description {
            Some(d) => describe(Some(d), None, op.mcp.instructions.as_deref(), &op.name),
            None => op.description.clone(),
        };
        if let Some(other) = names.insert(name.clone(), op.name.clone()) {
            let ptr = pointers.get(&op.name).cloned().unwrap_or_default();
            errors.push(
                SpecError::new(
                    file,
                    format!("{ptr}/x-mcp-tool-name"),
                    format!(
                        "operations `{other}` and `{}` are both curated as the tool `{name}`",
                        op.name
                    ),
                )
                .with_operation(Some(&op.name)),
            );
        }
        op.curated = Some(CuratedTool {
            name,
            description,
            input_schema: shape,
        });
    }
    // Curated tools listed under another operation's name: `(curated name, operationId)`.
    let aliases: Vec<(String, String)> = ops
        .iter()
        .filter_map(|o| o.curated.as_ref().map(|c| (c.name.clone(), o.name.clone())))
        .filter(|(alias, id)| alias != id)
        .collect();
    if aliases.is_empty() {
        return errors;
    }
    for op in ops.iter_mut() {
        let named: Vec<String> = aliases
            .iter()
            .filter(|(alias, id)| *id != op.name && mentions(&op.description, alias))
            .map(|(alias, id)| format!("`{alias}` means {id}"))
            .collect();
        if !named.is_empty() {
            op.description.push_str(&format!(
                "\n\n(Windmill's curated tool names in this text: {}.)",
                named.join(", ")
            ));
        }
    }
    errors
}

/// Whether `text` holds `word` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The tool's output schema for a JSON response schema: an object as it is, anything else wrapped
/// as `{"result": …}` (the `bool` says so).
fn output_schema(response: Option<Value>) -> (Option<Value>, bool) {
    let Some(s) = response else {
        return (None, false);
    };
    let is_object = s.get("type").is_some_and(|t| {
        t == "object"
            || t.as_array()
                .is_some_and(|a| a.contains(&json!("object")) && a.len() <= 2)
    }) && s.get("anyOf").is_none();
    if is_object {
        let mut o = s;
        if let Some(m) = o.as_object_mut() {
            m.insert("type".into(), json!("object"));
        }
        (Some(o), false)
    } else {
        (
            Some(json!({"type": "object", "properties": {"result": s}, "required": ["result"]})),
            true,
        )
    }
}

pub(crate) fn percent_decode_pointer(p: &str) -> String {
    if !p.contains('%') {
        return p.to_owned();
    }
    let mut out = Vec::new();
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(n) = u8::from_str_radix(&p[i + 1..i + 3], 16) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

pub(crate) fn is_json(ct: &str) -> bool {
    ct == "application/json" || ct.ends_with("+json")
}

/// The content type a tool uses when several are offered: JSON, then text, then the rest in order.
fn pick_content_type<'s>(cts: impl Iterator<Item = &'s str>) -> Option<&'s str> {
    let all: Vec<&str> = cts.collect();
    all.iter()
        .find(|c| is_json(c))
        .or_else(|| all.iter().find(|c| c.starts_with("text/plain")))
        .or_else(|| all.first())
        .copied()
}

fn append_description(schema: &mut Value, note: &str) {
    if let Some(o) = schema.as_object_mut() {
        let d = match o.get("description").and_then(Value::as_str) {
            Some(d) if !d.trim().is_empty() => {
                let d = tidy(d);
                let sep = if d.ends_with(['.', '!', '?', ')']) {
                    " "
                } else {
                    ". "
                };
                format!("{d}{sep}{note}")
            }
            _ => note.to_owned(),
        };
        o.insert("description".into(), Value::String(d));
    }
}

/// Trims a text and removes stray trailing punctuation and spaces, keeping a final full stop.
pub fn tidy(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let mut out = lines.join("\n").trim().to_owned();
    loop {
        let before = out.len();
        if out.ends_with(" .")
            || out.ends_with(" ,")
            || out.ends_with(',')
            || out.ends_with(';')
            || out.ends_with(':')
        {
            out.pop();
            out = out.trim_end().to_owned();
        }
        while out.ends_with("..") && !out.ends_with("...") {
            out.pop();
        }
        if out.len() == before {
            break;
        }
    }
    out
}

/// Summary, description and Windmill's MCP instructions, without repeats.
pub fn describe(
    summary: Option<&str>,
    description: Option<&str>,
    instructions: Option<&str>,
    op_id: &str,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for p in [summary, description, instructions].into_iter().flatten() {
        let t = tidy(p);
        if t.is_empty()
            || parts
                .iter()
                .any(|q| q.trim_end_matches('.') == t.trim_end_matches('.'))
        {
            continue;
        }
        parts.push(t);
    }
    if parts.is_empty() {
        parts.push(naming::humanize(op_id));
    }
    parts.join("\n\n")
}

/// Annotations from the method and the operationId's verb (Windmill uses POST for reads and writes).
pub fn hints(op_id: &str, method: Method) -> Hints {
    let verb = naming::verb(op_id);
    let v = verb.as_str();
    const READ_VERBS: &[&str] = &[
        "get", "list", "search", "query", "count", "exists", "check", "is", "load", "read",
        "whoami", "whois", "compare", "diff", "resolve", "discover", "preview",
    ];
    const SIDE_EFFECT_VERBS: &[&str] = &[
        "run", "cancel", "create", "resume", "start", "execute", "delete", "force", "move",
        "restart", "refresh", "offboard", "set", "update",
    ];
    const DESTRUCTIVE_VERBS: &[&str] = &[
        "delete",
        "remove",
        "archive",
        "cancel",
        "force",
        "overwrite",
        "update",
        "set",
        "edit",
        "clear",
        "drop",
        "purge",
        "prune",
        "reset",
        "revoke",
        "kill",
        "truncate",
        "disconnect",
        "offboard",
        "leave",
        "unassign",
        "detach",
        "move",
        "change",
        "rename",
        "replace",
        "blacklist",
        "logout",
        "exit",
        "migrate",
        "toggle",
    ];
    const IDEMPOTENT_VERBS: &[&str] = &[
        "delete",
        "remove",
        "archive",
        "unarchive",
        "set",
        "update",
        "edit",
        "cancel",
        "star",
        "unstar",
        "overwrite",
        "toggle",
    ];
    const OPEN_WORLD_VERBS: &[&str] = &[
        "run", "execute", "test", "preview", "connect", "send", "sync", "import", "install", "git",
        "native", "duckdb", "polars", "s",
    ];
    let read_only = match method {
        Method::Get | Method::Head | Method::Options => !SIDE_EFFECT_VERBS.contains(&v),
        Method::Post => READ_VERBS.contains(&v) && v != "preview",
        _ => false,
    };
    let destructive = !read_only && (method == Method::Delete || DESTRUCTIVE_VERBS.contains(&v));
    let idempotent = read_only
        || matches!(method, Method::Put | Method::Delete)
        || IDEMPOTENT_VERBS.contains(&v);
    let open_world = OPEN_WORLD_VERBS.contains(&v)
        || op_id.contains("Preview")
        || op_id.starts_with("runScript")
        || op_id.starts_with("runFlow");
    Hints {
        read_only,
        destructive,
        idempotent,
        open_world,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_removes_stray_punctuation() {
        assert_eq!(tidy("List scripts. "), "List scripts.");
        assert_eq!(tidy("get job ."), "get job");
        assert_eq!(tidy("a,\n"), "a");
        assert_eq!(tidy("wait..."), "wait...");
        assert_eq!(tidy("x.."), "x.");
    }

    #[test]
    fn hints_from_verbs() {
        let h = hints("listScripts", Method::Get);
        assert!(h.read_only && !h.destructive && h.idempotent);
        let h = hints("createScript", Method::Post);
        assert!(!h.read_only && !h.destructive && !h.idempotent);
        let h = hints("cancelQueuedJob", Method::Post);
        assert!(h.destructive && h.idempotent);
        let h = hints("archiveScriptByPath", Method::Post);
        assert!(h.destructive);
        let h = hints("listSearchResource", Method::Post);
        assert!(h.read_only);
        let h = hints("runWaitResultScriptByPathGet", Method::Get);
        assert!(!h.read_only && h.open_world);
        let h = hints("deleteVariable", Method::Delete);
        assert!(h.destructive && h.idempotent && !h.open_world);
    }

    #[test]
    fn descriptions_join_without_repeats() {
        assert_eq!(
            describe(Some("get job"), Some("get job"), None, "getJob"),
            "get job"
        );
        assert_eq!(
            describe(Some("run. "), None, Some("Use it."), "x"),
            "run.\n\nUse it."
        );
        assert_eq!(describe(None, None, None, "listScripts"), "List scripts");
    }
}

#[cfg(test)]
mod curated_names {
    use crate::load::{parse_text, Loaded};
    use std::path::Path;

    fn lowered(ops: &str) -> Result<crate::ir::Api, crate::SpecErrors> {
        let text = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{ops}");
        let root = Path::new("spec.yaml");
        let doc = parse_text(&text, root).expect("parses");
        super::lower(&Loaded {
            doc,
            root: root.to_path_buf(),
            files: vec![root.to_path_buf()],
        })
    }

    const OP: &str = "  /{p}:\n    get:\n      operationId: {id}\n      summary: {id}\n{extra}      responses: {'200': {description: ok}}\n";

    fn op(p: &str, id: &str, extra: &str) -> String {
        OP.replace("{p}", p)
            .replace("{id}", id)
            .replace("{extra}", extra)
    }

    #[test]
    fn a_curated_name_may_be_another_operations_id() {
        let spec = op("a", "createApp", "")
            + &op(
                "b",
                "createAppRawSource",
                "      x-mcp-tool: true\n      x-mcp-tool-name: createApp\n      x-mcp-tool-description: Windmill's words.\n",
            );
        let api = lowered(&spec).expect("lowers");
        let raw = api
            .operations
            .iter()
            .find(|o| o.name == "createAppRawSource")
            .expect("op");
        let c = raw.curated.as_ref().expect("curated");
        assert_eq!(c.name, "createApp");
        assert!(
            c.description.starts_with("Windmill's words."),
            "{}",
            c.description
        );
        let low = api
            .operations
            .iter()
            .find(|o| o.name == "createApp")
            .expect("op");
        assert!(low.curated.is_none());
    }

    #[test]
    fn two_curated_tools_of_one_name_are_an_error_naming_both() {
        let marks = "      x-mcp-tool: true\n      x-mcp-tool-name: deploy\n";
        let spec = op("a", "deployOne", marks) + &op("b", "deployTwo", marks);
        let err = lowered(&spec).expect_err("a clash").to_string();
        assert!(
            err.contains("deployOne") && err.contains("deployTwo") && err.contains("`deploy`"),
            "{err}"
        );
    }
}
