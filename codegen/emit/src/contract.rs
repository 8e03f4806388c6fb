//! Emits the runtime contract (`windmill_mcp_codegen::contract`) as the `contract` module of the generated code:
//! one struct per operation the runtime calls, with the same fields for every Windmill version, and
//! a `request` that fills the operation's typed `Params`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use windmill_mcp_codegen::contract::{
    plan, BodyFill, Conversion, FieldType, Fill, OpPlan, CONTRACT,
};
use windmill_mcp_codegen::ir::Api;

fn field_type(ty: FieldType, required: bool) -> TokenStream {
    let t = match ty {
        FieldType::Str => quote! { ::std::string::String },
        FieldType::Int => quote! { i64 },
        FieldType::Bool => quote! { bool },
        FieldType::Json => quote! { ::serde_json::Value },
    };
    if required {
        t
    } else {
        quote! { ::std::option::Option<#t> }
    }
}

fn convert(v: TokenStream, c: Conversion) -> TokenStream {
    match c {
        Conversion::Same => v,
        Conversion::IntToFloat => quote! { #v as f64 },
        Conversion::ToText => quote! { ::std::string::ToString::to_string(&#v) },
        Conversion::ToJson => quote! { ::serde_json::Value::from(#v) },
    }
}

fn emit_op(p: &OpPlan<'_>) -> TokenStream {
    let c = p.contract;
    let name = format_ident!("{}", c.name);
    let op_id = c.operation;
    let mut doc = vec![format!(
        " `{op_id}`, which the runtime calls: {}.",
        c.purpose
    )];
    if let Some(op) = p.operation {
        doc.push(String::new());
        doc.push(format!(
            " Sends `{} {}` through the generated `{}::Params`.",
            op.method.as_str(),
            op.path,
            op.rust_name
        ));
    }
    if let Some(why) = &p.unsupported {
        doc.push(String::new());
        doc.push(format!(
            " Not available with this spec ({why}): `request` answers an error."
        ));
    }
    if !p.ignored.is_empty() {
        let ignored: Vec<String> = p.ignored.iter().map(|f| format!("`{f}`")).collect();
        doc.push(String::new());
        doc.push(format!(
            " Not in this spec, so not sent: {}.",
            ignored.join(", ")
        ));
    }
    let doc_attrs: Vec<TokenStream> = doc.iter().map(|l| quote! { #[doc = #l] }).collect();
    let fields = c.fields.iter().map(|f| {
        let id = format_ident!("{}", f.name);
        let ty = field_type(f.ty, f.required);
        quote! { pub #id: #ty }
    });
    let body = match (p.operation, &p.unsupported) {
        (Some(op), None) => {
            let module = format_ident!("{}", op.rust_name);
            let fills = p.params.iter().map(|(rust, fill)| {
                let id = format_ident!("{}", rust);
                let value = match fill {
                    Fill::Nothing => quote! { ::std::option::Option::None },
                    Fill::From {
                        field,
                        conversion,
                        wrap,
                        map,
                    } => {
                        let f = format_ident!("{}", field);
                        if *map && *conversion == Conversion::Same {
                            quote! { self.#f }
                        } else if *map {
                            let inner = convert(quote! { v }, *conversion);
                            quote! { self.#f.map(|v| #inner) }
                        } else if *wrap {
                            let inner = convert(quote! { self.#f }, *conversion);
                            quote! { ::std::option::Option::Some(#inner) }
                        } else {
                            convert(quote! { self.#f }, *conversion)
                        }
                    }
                };
                quote! { #id: #value }
            });
            let body_fill = match &p.body {
                BodyFill::None => quote! {},
                BodyFill::Whole {
                    from_contract: true,
                } => quote! { body: self.body, },
                BodyFill::Whole {
                    from_contract: false,
                } => quote! { body: ::std::option::Option::None, },
                BodyFill::Fields(fields) => {
                    let inserts = fields.iter().map(|(wire, field, conversion)| {
                        let f = format_ident!("{}", field);
                        let spec = c.fields.iter().find(|x| x.name == *field);
                        let required = spec.is_some_and(|x| x.required);
                        let value = convert(quote! { v }, *conversion);
                        if required {
                            quote! { { let v = self.#f; body.insert(#wire.to_owned(), #value); } }
                        } else {
                            quote! { if let ::std::option::Option::Some(v) = self.#f { body.insert(#wire.to_owned(), #value); } }
                        }
                    });
                    quote! {
                        body: {
                            let mut body = ::serde_json::Map::new();
                            #(#inserts)*
                            body
                        },
                    }
                }
            };
            let ignored = p.ignored.iter().map(|f| {
                let id = format_ident!("{}", f);
                quote! { let _ = self.#id; }
            });
            quote! {
                #(#ignored)*
                super::#module::Params {
                    #(#fills,)*
                    #body_fill
                }
                .into_request(workspace)
            }
        }
        _ => {
            let why = p.unsupported.clone().unwrap_or_default();
            quote! {
                let _ = (self, workspace);
                ::std::result::Result::Err(crate::runtime::ArgError::Unsupported {
                    operation: #op_id.to_owned(),
                    reason: #why.to_owned(),
                })
            }
        }
    };
    let derive_default = if c.fields.iter().all(|f| !f.required) {
        quote! { Default, }
    } else {
        quote! {}
    };
    quote! {
        #(#doc_attrs)*
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields,)*
        }

        impl #name {
            /// Lays out the request, relative to Windmill's `/api`.
            pub fn request(self, workspace: &str) -> ::std::result::Result<crate::runtime::HttpRequest, crate::runtime::ArgError> {
                #body
            }
        }
    }
}

/// The `contract` module.
pub fn emit(api: &Api) -> TokenStream {
    let ops = CONTRACT.iter().map(|c| emit_op(&plan(api, c)));
    quote! {
        /// The operations the runtime calls on its own behalf, with the same shape for every Windmill
        /// version (see `windmill_mcp_codegen::contract`).
        pub mod contract {
            #(#ops)*
        }
    }
}
