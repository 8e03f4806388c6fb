//! The search index of `search_endpoints` as Rust items: the `quote!` half of
//! [`windmill_mcp_codegen::search`], which builds and encodes the index (and is shared with the
//! runtime, which decodes it).

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use windmill_mcp_codegen::ir::Api;
use windmill_mcp_codegen::search::{build, quantize};

/// The index as Rust items for `endpoints.rs`: `SEARCH_TERMS` (sorted `(term, encoded
/// postings)`) and `SEARCH_WEIGHT_SCALE`.
pub fn index_items(api: &Api) -> TokenStream {
    let index = build(api);
    let (scale, rows) = quantize(&index);
    let rows = rows.iter().map(|(t, p)| quote! { (#t, #p) });
    let scale = Literal::f32_suffixed(scale);
    quote! {
        /// The search index of `search_endpoints`, sorted by term: `(term, postings)`, the postings
        /// encoded by `windmill_mcp_codegen::search::encode_postings` (operation = index into
        /// [`ENDPOINTS`], weight in quanta of [`SEARCH_WEIGHT_SCALE`]).
        pub static SEARCH_TERMS: &[(&str, &str)] = &[#(#rows),*];
        /// The BM25 weight of one quantum in [`SEARCH_TERMS`].
        pub const SEARCH_WEIGHT_SCALE: f32 = #scale;
    }
}
