//! The data a catalog page embeds: the summary, the search index and vocabulary, and per tool its
//! definitions, sizes, profile differences and example call. Made of the [`Source`] only: no
//! workspace, no caller, no token ever reaches it.

use serde_json::{json, Map, Value};
use windmill_mcp_codegen::search::{
    MAX_QUERY_CHARS, MAX_QUERY_WORDS, MAX_WORD_CHARS, PHRASES, STOP_WORDS, SYNONYMS,
};

use super::example::example_request;
use super::source::{CatalogTool, Source};
use crate::endpoints::search::{COVERAGE_FLOOR, CURATED_PRIOR, EXACT_NAME_BONUS, NAME_BONUS};
use crate::endpoints::Selection;
use crate::listing::Profile;

/// Most differences shown per tool and profile.
const MAX_PROFILE_DIFFERENCES: usize = 40;
/// Longest value text in a profile difference.
const MAX_VALUE_CHARS: usize = 160;
/// `search_endpoints`' default `limit`.
const SEARCH_DEFAULT_LIMIT: usize = 8;

/// Bytes of a JSON value as sent.
pub fn json_bytes<T: serde::Serialize + ?Sized>(v: &T) -> usize {
    serde_json::to_vec(v).map(|v| v.len()).unwrap_or(0)
}

/// The modes `tools stats` reports: label, selection, read-only.
pub fn modes() -> [(&'static str, Selection, bool); 5] {
    [
        ("curated", Selection::Curated, false),
        ("curated --read-only", Selection::Curated, true),
        ("discover", Selection::Discover, false),
        ("all", Selection::All, false),
        ("all --read-only", Selection::All, true),
    ]
}

/// Tools and bytes of the `tools/list` result (without workspace scripts and flows) of a mode in
/// a profile: the discovery tools when the mode has them, then the endpoint tools it lists.
pub fn listing_size(
    source: &Source,
    selection: &Selection,
    read_only: bool,
    profile: Profile,
) -> (usize, usize) {
    let discovery: &[rmcp::model::Tool] = if selection.has_discovery() {
        crate::mcp::discovery::listed(profile)
    } else {
        &[]
    };
    let tools: Vec<&rmcp::model::Tool> = discovery
        .iter()
        .chain(
            source
                .tools
                .iter()
                .filter(|t| t.listed_by(selection, read_only))
                .map(|t| t.listed_for(selection, profile)),
        )
        .collect();
    let n = tools.len();
    (n, json_bytes(&json!({ "tools": tools })))
}

fn summary(source: &Source) -> Value {
    let per_mode: Vec<Value> = modes()
        .iter()
        .map(|(label, sel, ro)| {
            let (tools, bytes) = listing_size(source, sel, *ro, Profile::Full);
            json!({"mode": label, "tools": tools, "bytes": bytes, "tokens": bytes / 4})
        })
        .collect();
    let profiles: Vec<Value> = modes()
        .iter()
        .filter(|(_, _, ro)| !ro)
        .map(|(label, sel, _)| {
            let per: Map<String, Value> = Profile::ALL
                .iter()
                .map(|p| {
                    let (tools, bytes) = listing_size(source, sel, false, *p);
                    (
                        p.as_str().to_owned(),
                        json!({"tools": tools, "bytes": bytes, "tokens": bytes / 4}),
                    )
                })
                .collect();
            json!({"mode": label, "profiles": per})
        })
        .collect();
    let count = |f: &dyn Fn(&CatalogTool) -> bool| source.tools.iter().filter(|t| f(t)).count();
    json!({
        "tools": source.tools.len(),
        "curated": count(&|t| t.curated),
        "read_only": count(&|t| t.hints.read_only),
        "destructive": count(&|t| t.hints.destructive),
        "with_output_schema": count(&|t| t.full.output_schema.is_some()),
        "deprecated": count(&|t| t.deprecated),
        "modes": per_mode,
        "profiles": profiles,
        "degradations": source.degradations.as_ref().map(|d| {
            d.iter().map(|(op, what)| json!([op, what])).collect::<Vec<_>>()
        }),
    })
}

fn search(source: &Source) -> Value {
    json!({
        "terms": source.search_terms.iter().map(|(t, p)| json!([t, p])).collect::<Vec<_>>(),
        "scale": source.search_scale,
        "stop_words": STOP_WORDS,
        "synonyms": SYNONYMS.iter().map(|(w, g)| json!([w, g])).collect::<Vec<_>>(),
        "phrases": PHRASES.iter().map(|(p, w)| json!([p, w])).collect::<Vec<_>>(),
        "max_query_chars": MAX_QUERY_CHARS,
        "max_query_words": MAX_QUERY_WORDS,
        "max_word_chars": MAX_WORD_CHARS,
        "name_bonus": NAME_BONUS,
        "exact_name_bonus": EXACT_NAME_BONUS,
        "coverage_floor": COVERAGE_FLOOR,
        "curated_prior": CURATED_PRIOR,
        "default_limit": SEARCH_DEFAULT_LIMIT,
    })
}

/// A value as short text.
fn short(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    crate::text::ellipsize(&s, MAX_VALUE_CHARS)
}

/// RFC 6901 escaping of one pointer segment.
fn segment(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// Where two schemas differ: `[pointer, before, after]`, with `null` for a side that lacks it.
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<Value>) {
    if out.len() >= MAX_PROFILE_DIFFERENCES || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = format!("{at}/{}", segment(k));
                match y.get(k) {
                    Some(vb) => differences(va, vb, &p, out),
                    None => out.push(json!([p, short(va), null])),
                }
                if out.len() >= MAX_PROFILE_DIFFERENCES {
                    return;
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(json!([format!("{at}/{}", segment(k)), null, short(vb)]));
                    if out.len() >= MAX_PROFILE_DIFFERENCES {
                        return;
                    }
                }
            }
        }
        _ => out.push(json!([at, short(a), short(b)])),
    }
}

/// What the list, the filters and the search need of a tool: read before the first render.
fn tool_index(t: &CatalogTool) -> Value {
    let bytes = json_bytes(t.listed_in(Profile::Full));
    json!({
        "name": t.name,
        "curated_name": t.curated_name,
        "method": t.method.as_str(),
        "path": t.path,
        "tags": t.tags,
        "hints": {
            "read_only": t.hints.read_only,
            "destructive": t.hints.destructive,
            "idempotent": t.hints.idempotent,
            "open_world": t.hints.open_world,
        },
        "curated": t.curated,
        "deprecated": t.deprecated,
        "has_workspace": t.has_workspace,
        "bytes": bytes,
        "tokens": bytes / 4,
    })
}

/// What a tool's own page shows besides its index: read after the first render.
fn tool_details(t: &CatalogTool) -> Value {
    let listed = t.listed_in(Profile::Full);
    let base = Value::Object((*listed.input_schema).clone());
    let profiles: Map<String, Value> = Profile::ALL
        .iter()
        .filter(|p| **p != Profile::Full)
        .map(|p| {
            let other = t.listed_in(*p);
            let mut diff = Vec::new();
            differences(
                &base,
                &Value::Object((*other.input_schema).clone()),
                "",
                &mut diff,
            );
            let b = json_bytes(other);
            (
                p.as_str().to_owned(),
                json!({"bytes": b, "tokens": b / 4, "differences": diff}),
            )
        })
        .collect();
    json!({
        "full_bytes": json_bytes(&t.full),
        "full": t.full,
        "listed": listed,
        "profiles": profiles,
        "example": example_request(&t.name, &t.path, &t.full.input_schema),
    })
}

/// The data of a page, in two parts: the index (spec, summary, search, and per tool what the list
/// shows), read before the first render, and the details of each tool (in index order), read
/// after it.
pub fn page_data(source: &Source) -> (Value, Value) {
    let index = json!({
        "spec": {
            "title": source.title,
            "version": source.version,
            "has_mcp_marks": source.has_mcp_marks,
        },
        "generator": format!("windmill-mcp {}", env!("CARGO_PKG_VERSION")),
        "summary": summary(source),
        "search": search(source),
        "tools": source.tools.iter().map(tool_index).collect::<Vec<_>>(),
    });
    let details = Value::Array(source.tools.iter().map(tool_details).collect());
    (index, details)
}
