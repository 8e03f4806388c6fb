//! Stage 4: the intermediate form → Rust source, formatted with prettyplease.
//!
//! Generated code is thin: per operation a `Params` struct with typed fields, a `from_args` that reads
//! them from a tool call's arguments and an `into_request` that lays out the HTTP request. Everything
//! else (argument access, path-segment checks, percent-encoding, bodies) is hand-written runtime code in
//! the main crate (`crate::runtime`), which the generated code calls through absolute paths.
//!
//! The emitter reads only the intermediate form ([`windmill_mcp_codegen::ir`]), never the spec.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use windmill_mcp_codegen::ir::*;
use windmill_mcp_codegen::naming;

/// Renders the whole API as one formatted Rust file.
pub fn emit(api: &Api) -> Result<String, String> {
    let modules = api.operations.iter().map(emit_module);
    let entries = api.operations.iter().map(emit_entry);
    let degradations = api.degradations.iter().map(|d| {
        let (o, w) = (&d.operation, &d.what);
        quote! { (#o, #w) }
    });
    let title = &api.title;
    let version = &api.version;
    let marks = api.has_mcp_marks;
    let count = api.operations.len();
    let search_index = crate::search::index_items(api);
    let contract = crate::contract::emit(api);
    let tokens = quote! {
        /// The `info.title` of the spec these tools were generated from.
        pub const SPEC_TITLE: &str = #title;
        /// The `info.version` of the spec these tools were generated from.
        pub const SPEC_VERSION: &str = #version;
        /// Whether the spec marks operations with `x-mcp-tool` (else the curated set is the default list).
        pub const SPEC_HAS_MCP_MARKS: bool = #marks;
        /// Every operation of the spec, sorted by name.
        pub static ENDPOINTS: [crate::runtime::Endpoint; #count] = [#(#entries),*];
        /// What the generator simplified or left out: `(operationId, what)`.
        pub static DEGRADATIONS: &[(&str, &str)] = &[#(#degradations),*];
        #search_index
        #contract
        #(#modules)*
    };
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn method_tokens(m: Method) -> TokenStream {
    let id = format_ident!(
        "{}",
        match m {
            Method::Get => "Get",
            Method::Put => "Put",
            Method::Post => "Post",
            Method::Delete => "Delete",
            Method::Options => "Options",
            Method::Head => "Head",
            Method::Patch => "Patch",
            Method::Trace => "Trace",
        }
    );
    quote! { crate::runtime::Method::#id }
}

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".to_owned())
}

fn some_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(t) => quote! { ::std::option::Option::Some(#t) },
        None => quote! { ::std::option::Option::None },
    }
}

/// `Option<Curated>`: how Windmill's own server lists the operation, if it does.
fn curated_tokens(op: &Operation) -> TokenStream {
    let Some(c) = &op.curated else {
        return quote! { ::std::option::Option::None };
    };
    let name = &c.name;
    let description = &c.description;
    let input = some_str(c.input_schema.as_ref().map(compact).as_deref());
    quote! {
        ::std::option::Option::Some(crate::runtime::Curated {
            name: #name,
            description: #description,
            input_schema: #input,
        })
    }
}

fn emit_entry(op: &Operation) -> TokenStream {
    let name = &op.name;
    let title = op
        .title
        .clone()
        .unwrap_or_else(|| naming::humanize(&op.name));
    let description = &op.description;
    let method = method_tokens(op.method);
    let path = &op.path;
    let tags = &op.tags;
    let input = Literal::string(&compact(&op.input_schema));
    let output = match &op.output_schema {
        Some(s) => {
            let l = Literal::string(&compact(s));
            quote! { ::std::option::Option::Some(#l) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let wraps = op.wraps_output;
    let Hints {
        read_only,
        destructive,
        idempotent,
        open_world,
    } = op.hints;
    let has_ws = op.has_workspace;
    let response_ct = match op.response.as_ref().and_then(|r| r.content_type.as_deref()) {
        Some(ct) => quote! { ::std::option::Option::Some(#ct) },
        None => quote! { ::std::option::Option::None },
    };
    let module = format_ident!("{}", op.rust_name);
    let deprecated = op.deprecated;
    let curated = curated_tokens(op);
    quote! {
        crate::runtime::Endpoint {
            name: #name,
            title: #title,
            description: #description,
            method: #method,
            path: #path,
            tags: &[#(#tags),*],
            input_schema: #input,
            output_schema: #output,
            wraps_output: #wraps,
            hints: crate::runtime::Hints {
                read_only: #read_only,
                destructive: #destructive,
                idempotent: #idempotent,
                open_world: #open_world,
            },
            curated: #curated,
            deprecated: #deprecated,
            has_workspace: #has_ws,
            response_content_type: #response_ct,
            build: #module::build,
        }
    }
}

fn field_type(kind: ScalarKind) -> TokenStream {
    match kind {
        ScalarKind::String => quote! { ::std::string::String },
        ScalarKind::Integer => quote! { i64 },
        ScalarKind::Number => quote! { f64 },
        ScalarKind::Boolean => quote! { bool },
        ScalarKind::Json => quote! { ::serde_json::Value },
    }
}

fn doc_lines(text: &str) -> Vec<TokenStream> {
    text.lines()
        .map(|l| {
            let l = format!(" {}", l.trim_end());
            quote! { #[doc = #l] }
        })
        .collect()
}

fn emit_module(op: &Operation) -> TokenStream {
    let module = format_ident!("{}", op.rust_name);
    let mut doc = String::new();
    doc.push_str(&format!(
        "`{}`: {}\n",
        op.name,
        op.title
            .clone()
            .unwrap_or_else(|| naming::humanize(&op.name))
    ));
    if op.description != op.title.clone().unwrap_or_default() {
        doc.push('\n');
        doc.push_str(&op.description.replace("```", "'''"));
        doc.push('\n');
    }
    doc.push_str(&format!(
        "\nSends a `{}` request to `{}`.",
        op.method.as_str(),
        op.path
    ));
    let module_doc = doc_lines(&doc);

    let mut fields = Vec::new();
    let mut reads = Vec::new();
    for p in &op.params {
        let id = format_ident!("{}", p.rust_name);
        let ty = field_type(p.kind);
        let arg = &p.arg_name;
        let fdoc = doc_lines(&format!(
            "{} ({} parameter `{}`)",
            p.description
                .clone()
                .or_else(|| p
                    .schema
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned))
                .unwrap_or_else(|| "No description in the spec.".into()),
            format!("{:?}", p.location).to_lowercase(),
            p.wire_name
        ));
        if p.required {
            fields.push(quote! { #(#fdoc)* pub #id: #ty });
            reads.push(quote! { #id: args.required(#arg)? });
        } else {
            fields.push(quote! { #(#fdoc)* pub #id: ::std::option::Option<#ty> });
            reads.push(quote! { #id: args.optional(#arg)? });
        }
    }
    let mut body_stmt = quote! {};
    if let Some(b) = &op.body {
        let ct = &b.content_type;
        let required = b.required;
        match &b.shape {
            BodyShape::Fields(pairs) => {
                let list = pairs.iter().map(|(a, w)| quote! { (#a, #w) });
                let defaults = b.defaults.iter().map(|(w, a)| quote! { (#w, #a) });
                fields.push(quote! {
                    /// The request body's properties that were given, under their names on the wire.
                    pub body: ::serde_json::Map<::std::string::String, ::serde_json::Value>
                });
                reads.push(quote! { body: args.fields(&[#(#list),*], &[#(#defaults),*]) });
                body_stmt = match b.encoding {
                    BodyEncoding::Multipart => quote! { request.multipart_fields(self.body); },
                    _ => quote! { request.json_fields(#ct, self.body, #required); },
                };
            }
            BodyShape::Whole { arg_name } => {
                let (ty, call) = match b.encoding {
                    BodyEncoding::Json | BodyEncoding::Multipart => (
                        quote! { ::serde_json::Value },
                        quote! { request.json_body(#ct, body) },
                    ),
                    BodyEncoding::Text => (
                        quote! { ::std::string::String },
                        quote! { request.text_body(#ct, body) },
                    ),
                    BodyEncoding::Binary => (
                        quote! { ::std::string::String },
                        quote! { request.base64_body(#arg_name, #ct, &body)? },
                    ),
                };
                fields.push(quote! {
                    /// The request body.
                    pub body: ::std::option::Option<#ty>
                });
                reads.push(quote! { body: args.optional(#arg_name)? });
                body_stmt = quote! {
                    if let ::std::option::Option::Some(body) = self.body {
                        #call;
                    }
                };
            }
        }
    }

    // The path, segment by segment.
    let mut path_stmts = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let lit = &rest[..start];
        if !lit.is_empty() {
            path_stmts.push(quote! { request.literal(#lit); });
        }
        let after = &rest[start + 1..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        rest = after.get(end + 1..).unwrap_or("");
        if name == "workspace" && op.has_workspace {
            path_stmts.push(quote! { request.workspace(workspace)?; });
            continue;
        }
        if let Some(p) = op
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.wire_name == name)
        {
            let id = format_ident!("{}", p.rust_name);
            let arg = &p.arg_name;
            path_stmts.push(match p.slashes {
                Slashes::Kept => quote! { request.wildcard(#arg, &self.#id)?; },
                Slashes::ScopedName => quote! { request.scoped_name(#arg, &self.#id)?; },
                Slashes::Refused => quote! { request.segment(#arg, &self.#id)?; },
            });
        }
    }
    if !rest.is_empty() {
        path_stmts.push(quote! { request.literal(#rest); });
    }
    let mut other_stmts = Vec::new();
    for p in &op.params {
        let id = format_ident!("{}", p.rust_name);
        let wire = &p.wire_name;
        let explode = p.explode;
        match p.location {
            Location::Path => {}
            Location::Query => {
                other_stmts.push(quote! { request.query(#wire, &self.#id, #explode); })
            }
            Location::Header => other_stmts.push(quote! { request.header(#wire, &self.#id); }),
            Location::Cookie => other_stmts.push(quote! { request.cookie(#wire, &self.#id); }),
        }
    }
    let method = method_tokens(op.method);
    let params_doc = format!(" The arguments of `{}`.", op.name);
    let unused_ws = if op.has_workspace {
        quote! {}
    } else {
        quote! { let _ = workspace; }
    };
    let args_param = if reads.is_empty() {
        quote! { _args }
    } else {
        quote! { args }
    };
    let derive_default = if op.params.iter().all(|p| !p.required) {
        quote! { Default, }
    } else {
        quote! {}
    };
    quote! {
        #(#module_doc)*
        pub mod #module {
            #[doc = #params_doc]
            #[derive(Debug, Clone, PartialEq, #derive_default)]
            pub struct Params {
                #(#fields,)*
            }

            impl Params {
                /// Reads the arguments of a tool call (already validated against the input schema).
                pub fn from_args(#args_param: &crate::runtime::Args) -> ::std::result::Result<Self, crate::runtime::ArgError> {
                    ::std::result::Result::Ok(Self { #(#reads,)* })
                }

                /// Lays out the HTTP request, relative to Windmill's `/api`.
                pub fn into_request(self, workspace: &str) -> ::std::result::Result<crate::runtime::HttpRequest, crate::runtime::ArgError> {
                    #unused_ws
                    let mut request = crate::runtime::RequestBuilder::new(#method);
                    #(#path_stmts)*
                    #(#other_stmts)*
                    #body_stmt
                    ::std::result::Result::Ok(request.finish())
                }
            }

            /// Arguments → request, in one step (the registry's entry point).
            pub fn build(args: &crate::runtime::Args, workspace: &str) -> ::std::result::Result<crate::runtime::HttpRequest, crate::runtime::ArgError> {
                Params::from_args(args)?.into_request(workspace)
            }
        }
    }
}
