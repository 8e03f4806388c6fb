//! The compiled-in endpoint tools, and which of them a session sees.

use std::sync::{Arc, LazyLock, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use crate::generated;
use crate::runtime::Endpoint;

/// One endpoint tool with its MCP definitions, built once.
pub struct ToolEntry {
    pub endpoint: &'static Endpoint,
    /// The full definition, as generated: what arguments are validated against, what
    /// `describe_endpoint` shows and what `get_tool` returns.
    pub tool: Tool,
    /// The compact definition `tools/list` sends (see [`compact_tool`]): the same input schema less
    /// most of its prose, and a loose output schema.
    pub listed: Tool,
    validator: OnceLock<Option<jsonschema::Validator>>,
}

impl ToolEntry {
    /// The compiled validator of the full input schema (built on first use).
    pub fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                let schema = Value::Object((*self.tool.input_schema).clone());
                match jsonschema::draft202012::new(&schema) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        tracing::error!(tool = self.endpoint.name, error = %e, "input schema does not compile");
                        None
                    }
                }
            })
            .as_ref()
    }

    /// The full input schema.
    pub fn input_schema(&self) -> &JsonObject {
        &self.tool.input_schema
    }
}

fn parse_object(text: &str) -> JsonObject {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        _ => JsonObject::new(),
    }
}

/// Every endpoint tool, sorted by name.
pub struct Registry {
    entries: Vec<ToolEntry>,
}

pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

impl Registry {
    fn build() -> Self {
        let entries = generated::ENDPOINTS
            .iter()
            .map(|e| {
                let mut tool = Tool::new(
                    e.name,
                    e.description,
                    Arc::new(parse_object(e.input_schema)),
                )
                .with_title(e.title)
                .with_annotations(
                    ToolAnnotations::new()
                        .read_only(e.hints.read_only)
                        .destructive(e.hints.destructive)
                        .idempotent(e.hints.idempotent)
                        .open_world(e.hints.open_world),
                );
                if let Some(out) = e.output_schema {
                    tool = tool.with_raw_output_schema(Arc::new(parse_object(out)));
                }
                ToolEntry {
                    endpoint: e,
                    listed: compact_tool(&tool),
                    tool,
                    validator: OnceLock::new(),
                }
            })
            .collect();
        Registry { entries }
    }

    pub fn all(&self) -> &[ToolEntry] {
        &self.entries
    }

    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.entries
            .binary_search_by(|e| e.endpoint.name.cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The entries a selection admits, in name order.
    pub fn select<'a>(&'a self, sel: &'a Selection) -> impl Iterator<Item = &'a ToolEntry> + 'a {
        self.entries.iter().filter(move |e| sel.admits(e.endpoint))
    }

    /// Names close to `name`, for did-you-mean messages.
    pub fn similar(&self, name: &str, sel: &Selection) -> Vec<&'static str> {
        crate::suggest::closest(name, self.select(sel).map(|e| e.endpoint.name), 3)
    }
}

/// Which endpoint tools are exposed: the tool mode (`--tools`, `?tools=`).
///
/// | mode | listed as tools | reachable through the discovery tools |
/// |---|---|---|
/// | `curated` (default) | Windmill's `x-mcp-tool` operations + the discovery tools | every operation |
/// | `all` | every operation | — (no discovery tools) |
/// | `discover` | only the discovery tools | every operation |
/// | a list (`listJobs,tag:flow,get*`) | the matching operations (+ discovery tools if the list holds `discover`) | the matching operations |
///
/// Read-only mode removes every operation that is not read-only from both columns.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Windmill's curated set (`x-mcp-tool`).
    Curated,
    /// Every operation.
    All,
    /// Only the discovery tools.
    Discover,
    /// Explicit names, `tag:<tag>` and globs, comma-separated.
    List(Vec<Selector>),
}

#[derive(Debug, Clone)]
pub enum Selector {
    Name(String),
    Tag(String),
    Glob(globset::GlobMatcher),
    Curated,
    /// Adds the discovery tools to a list.
    Discover,
}

impl Selection {
    /// Parses `curated`, `all`, `discover`, or a comma-separated list of names, `tag:T` and globs.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text {
            "" | "curated" => return Ok(Selection::Curated),
            "all" => return Ok(Selection::All),
            "discover" => return Ok(Selection::Discover),
            _ => {}
        }
        let mut out = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "curated" {
                out.push(Selector::Curated);
            } else if item == "discover" {
                out.push(Selector::Discover);
            } else if let Some(tag) = item.strip_prefix("tag:") {
                out.push(Selector::Tag(tag.to_owned()));
            } else if item.contains(['*', '?', '[']) {
                let g = globset::Glob::new(item).map_err(|e| format!("bad glob `{item}`: {e}"))?;
                out.push(Selector::Glob(g.compile_matcher()));
            } else {
                out.push(Selector::Name(item.to_owned()));
            }
        }
        Ok(Selection::List(out))
    }

    /// Whether the endpoint is listed as a tool of its own.
    pub fn admits(&self, e: &Endpoint) -> bool {
        match self {
            Selection::Curated => e.curated,
            Selection::All => true,
            Selection::Discover => false,
            Selection::List(items) => items.iter().any(|s| match s {
                Selector::Name(n) => n == e.name,
                Selector::Tag(t) => e.tags.iter().any(|et| et == t),
                Selector::Glob(g) => g.is_match(e.name),
                Selector::Curated => e.curated,
                Selector::Discover => false,
            }),
        }
    }

    /// Whether the endpoint can be found, described and called through the discovery tools.
    pub fn reaches(&self, e: &Endpoint) -> bool {
        match self {
            Selection::Curated | Selection::Discover => true,
            Selection::All => true,
            Selection::List(_) => self.admits(e),
        }
    }

    /// Whether the discovery tools are listed.
    pub fn has_discovery(&self) -> bool {
        match self {
            Selection::Curated | Selection::Discover => true,
            Selection::All => false,
            Selection::List(items) => items.iter().any(|s| matches!(s, Selector::Discover)),
        }
    }
}

/// What one caller may see: the tool mode and read-only mode together.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub selection: Selection,
    pub read_only: bool,
    /// The schema dialect of `tools/list` (`?client=`, `--client-profile`).
    pub profile: crate::profile::Profile,
    /// Longer tool names are shortened to this many characters (`?max_name_len=`, `--max-name-len`).
    pub max_name_len: Option<usize>,
}

impl Exposure {
    pub fn lists(&self, e: &Endpoint) -> bool {
        self.selection.admits(e) && (!self.read_only || e.hints.read_only)
    }

    pub fn reaches(&self, e: &Endpoint) -> bool {
        self.selection.reaches(e) && (!self.read_only || e.hints.read_only)
    }
}

// ---------------------------------------------------------------------------------------------
// The compact listing.
//
// `tools/list` sends each endpoint tool in a compact form, so that Windmill's curated tools cost less
// than Windmill's own listing of them (issue 5: at most 0.8x its 47,501 bytes):
// * the input schema keeps its whole structure: every property, type, enum, `required`, format,
//   bound, default, nested schema and closed object. Only prose goes: descriptions are cut to their
//   first sentence (at most `PARAM_DESC_CAP` characters, `…` where cut) and dropped where they only
//   restate the property's name; nested titles and `additionalProperties: true` (the default) go;
// * the output schema is `{"type": "object"}`: structured content still conforms to it;
// * the tool description keeps its first sentences (at most `TOOL_DESC_CAP` characters), the title
//   goes where the description starts with it, and hints equal to MCP's defaults (or meaningless
//   for a read-only tool) are left out.
// Arguments are still validated against the full schema, and `describe_endpoint` shows it with the
// full output schema.
// ---------------------------------------------------------------------------------------------

/// Longest property description in the listing, in characters.
pub const PARAM_DESC_CAP: usize = 50;
/// Longest tool description in the listing, in characters.
pub const TOOL_DESC_CAP: usize = 200;
/// Longest tool title in the listing, in characters.
pub const TITLE_CAP: usize = 60;

/// The compact form of a full tool definition (what `tools/list` sends).
pub fn compact_tool(full: &Tool) -> Tool {
    let mut t = full.clone();
    let description = full
        .description
        .as_deref()
        .map(|d| abridge(d, TOOL_DESC_CAP, true));
    // A title that the description starts with adds nothing for the model; clients show the name.
    let first = full
        .description
        .as_deref()
        .and_then(|d| sentences(d).into_iter().next());
    let same = |a: &str, b: &str| {
        a.trim_end_matches('.')
            .eq_ignore_ascii_case(b.trim_end_matches('.'))
    };
    t.title = full
        .title
        .as_deref()
        .filter(|ti| first.as_deref().is_none_or(|f| !same(ti, f)))
        .map(|ti| abridge(ti, TITLE_CAP, false))
        .filter(|ti| !ti.is_empty());
    t.description = description.map(Into::into);
    if let Value::Object(o) =
        compact_schema(&Value::Object((*full.input_schema).clone()), None, true)
    {
        t.input_schema = Arc::new(o);
    }
    t.output_schema = full
        .output_schema
        .as_ref()
        .map(|_| Arc::new(compact_output()));
    t.annotations = full.annotations.clone().map(|mut a| {
        // MCP's defaults: readOnlyHint false, destructiveHint true, idempotentHint false,
        // openWorldHint true.
        if a.read_only_hint == Some(false) {
            a.read_only_hint = None;
        }
        if a.read_only_hint == Some(true) {
            // Meaningful only when readOnlyHint is false.
            a.destructive_hint = None;
            a.idempotent_hint = None;
        }
        if a.destructive_hint == Some(true) {
            a.destructive_hint = None;
        }
        if a.idempotent_hint == Some(false) {
            a.idempotent_hint = None;
        }
        if a.open_world_hint == Some(true) {
            a.open_world_hint = None;
        }
        a
    });
    t
}

/// The listed output schema: an object. Every structured result (which the full schema describes)
/// passes it; `describe_endpoint` shows the full one.
fn compact_output() -> JsonObject {
    let mut out = JsonObject::new();
    out.insert("type".into(), Value::String("object".into()));
    out
}

/// Keywords whose value is one subschema.
pub const SUBSCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
];
/// Keywords whose value is an array of subschemas.
pub const SUBSCHEMA_LIST: &[&str] = &["anyOf", "oneOf", "allOf", "prefixItems", "items"];
/// Keywords whose value maps names to subschemas.
pub const SUBSCHEMA_MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// The compact form of a schema: the same keywords (so the same instances validate) except
/// `description`s abridged or dropped, nested `title`s dropped and `additionalProperties: true` (the
/// default) left out. `name` is the property the schema describes.
pub fn compact_schema(schema: &Value, name: Option<&str>, root: bool) -> Value {
    let Value::Object(o) = schema else {
        return schema.clone();
    };
    let mut out = JsonObject::new();
    for (k, v) in o {
        let k = k.as_str();
        match v {
            Value::String(d) if k == "description" => {
                let d = abridge(d, PARAM_DESC_CAP, false);
                if !d.is_empty() && !name.is_some_and(|n| restates(n, &d)) {
                    out.insert(k.into(), Value::String(d));
                }
            }
            Value::String(_) if k == "title" && !root => {}
            Value::Bool(true) if k == "additionalProperties" => {}
            Value::Object(m) if SUBSCHEMA_MAP.contains(&k) => {
                let props = k == "properties";
                let m = m
                    .iter()
                    .map(|(pk, pv)| {
                        let n = if props { Some(pk.as_str()) } else { None };
                        (pk.clone(), compact_schema(pv, n, false))
                    })
                    .collect();
                out.insert(k.into(), Value::Object(m));
            }
            Value::Object(_) | Value::Bool(_) if SUBSCHEMA.contains(&k) => {
                out.insert(k.into(), compact_schema(v, name, false));
            }
            Value::Array(a) if SUBSCHEMA_LIST.contains(&k) => {
                let a = a.iter().map(|b| compact_schema(b, name, false)).collect();
                out.insert(k.into(), Value::Array(a));
            }
            _ => {
                out.insert(k.into(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// Words that say nothing a property's name does not.
const FILLER: &[&str] = &[
    "a", "an", "the", "of", "to", "for", "by", "on", "in", "is", "be", "it", "its", "and", "or",
    "as", "at", "with", "this", "that", "filter",
];

/// Whether a description only restates the property's name (`keep_captures`: "keep captures",
/// `label`: "Filter by label").
fn restates(name: &str, description: &str) -> bool {
    let name_words = windmill_mcp_codegen::search::words(name);
    let has = |w: &str| {
        name_words.iter().any(|n| {
            n == w || n.strip_suffix('s') == Some(w) || w.strip_suffix('s') == Some(n.as_str())
        })
    };
    let desc_words = windmill_mcp_codegen::search::words(description);
    !desc_words.is_empty()
        && desc_words
            .iter()
            .all(|w| FILLER.contains(&w.as_str()) || has(w))
}

/// Ends of sentences in `p`: the index just after each `.`, `!` or `?` that is followed by
/// whitespace or the end, outside parentheses and code, and not an abbreviation like `e.g.`.
fn sentence_ends(p: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut code = false;
    let bytes = p.as_bytes();
    for (i, c) in p.char_indices() {
        match c {
            '`' => code = !code,
            '(' | '[' if !code => depth += 1,
            ')' | ']' if !code => depth = (depth - 1).max(0),
            '.' | '!' | '?' if !code && depth == 0 => {
                let next = bytes.get(i + 1);
                if next.is_some_and(|b| !b.is_ascii_whitespace()) {
                    continue;
                }
                let before = &p[..i];
                let last = before
                    .rsplit(|c: char| c.is_whitespace() || c == '(')
                    .next()
                    .unwrap_or("");
                let abbrev = ["e.g", "i.e", "etc", "vs", "eg", "ie", "cf"]
                    .iter()
                    .any(|a| last.eq_ignore_ascii_case(a));
                if !abbrev {
                    out.push(i + 1);
                }
            }
            _ => {}
        }
    }
    if out.last() != Some(&p.len()) {
        out.push(p.len());
    }
    out
}

/// A first sentence shorter than this takes the next one too, if they fit.
const SHORT: usize = 24;

/// The sentences of `text`, paragraph by paragraph, whitespace collapsed.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut Vec<String>| {
        let flat = para.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut start = 0;
        for e in sentence_ends(&flat) {
            let s = flat[start..e].trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            start = e;
        }
        para.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push_str(line);
            para.push(' ');
        }
    }
    flush(&mut para, &mut out);
    out
}

/// The first sentence of `text`, followed by the next ones while they fit in `cap` characters and
/// `fill` is set, or while the text so far is shorter than [`SHORT`] ("Optional."). Text longer than
/// `cap` is cut at a word boundary and ends with `…`.
pub fn abridge(text: &str, cap: usize, fill: bool) -> String {
    let mut out = String::new();
    for s in sentences(text) {
        if out.is_empty() {
            out = s;
            continue;
        }
        let n = out.chars().count();
        if !fill && n >= SHORT {
            break;
        }
        let sep = if out.ends_with(['.', '!', '?', ':', ';']) {
            " "
        } else {
            ". "
        };
        let fits = n + sep.len() + s.chars().count() <= cap;
        if !fits && n >= SHORT {
            break;
        }
        out.push_str(sep);
        out.push_str(&s);
        if !fits {
            break;
        }
    }
    if out.chars().count() <= cap {
        out
    } else {
        cut(&out, cap)
    }
}

/// `s` cut to at most `cap` characters at a word boundary, before an unclosed `(` or `` ` ``
/// where that leaves most of it, with `…`.
fn cut<'a>(s: &'a str, cap: usize) -> String {
    let limit = s
        .char_indices()
        .nth(cap.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    let mut t = &s[..limit];
    let min = limit / 2;
    if let Some(sp) = t.rfind(' ').filter(|&i| i > min) {
        t = &t[..sp];
    }
    // An opened parenthesis or code span that the cut leaves open.
    let mut open: Option<usize> = None;
    let mut depth = 0;
    let mut code: Option<usize> = None;
    for (i, c) in t.char_indices() {
        match c {
            '`' => code = if code.is_some() { None } else { Some(i) },
            '(' if code.is_none() => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            ')' if code.is_none() && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    open = None;
                }
            }
            _ => {}
        }
    }
    let unclosed = [open, code].into_iter().flatten().min();
    if let Some(i) = unclosed.filter(|&i| i > min) {
        t = &t[..i];
    }
    let trim = |t: &'a str| t.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–(".contains(c));
    let mut t = trim(t);
    // Nor on a word that leads into what was cut ("… or…").
    while let Some((head, last)) = t.rsplit_once(' ') {
        if head.len() <= min || !DANGLING.contains(&last.to_ascii_lowercase().as_str()) {
            break;
        }
        t = trim(head);
    }
    format!("{t}…")
}

/// Words a cut text does not end on.
const DANGLING: &[&str] = &[
    "a", "an", "the", "of", "to", "for", "by", "on", "in", "at", "with", "and", "or", "as", "is",
    "are", "be", "that", "which", "when", "if", "from", "into", "than", "whose", "whom", "will",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn abridge_keeps_the_first_sentence_and_cuts_at_words() {
        assert_eq!(
            abridge("Cron parser version. Use v2 for new schedules.", 60, false),
            "Cron parser version. Use v2 for new schedules."
        );
        assert_eq!(
            abridge(
                "The unique Windmill path for this schedule. It is the key of the schedule.",
                60,
                false
            ),
            "The unique Windmill path for this schedule."
        );
        // Abbreviations, parentheses and code do not end a sentence.
        assert_eq!(
            abridge("IANA timezone (e.g. 'UTC'. Or not). Next one.", 80, false),
            "IANA timezone (e.g. 'UTC'. Or not)."
        );
        assert_eq!(
            abridge("Keywords to look for, e.g. `a. b`. More.", 80, false),
            "Keywords to look for, e.g. `a. b`."
        );
        // Too long: cut at a word, before an unclosed parenthesis, with an ellipsis.
        assert_eq!(
            abridge(
                "number of items to return for a given page (default 30, max 100)",
                55,
                false
            ),
            "number of items to return for a given page…"
        );
        let long = abridge(&"word ".repeat(40), 60, false);
        assert!(long.ends_with('…') && long.chars().count() <= 60, "{long}");
        // A tool description fills up to the cap across paragraphs.
        assert_eq!(
            abridge(
                "run script by path\n\nYou should first use getScriptByPath.\n\nMore text that does not fit here at all, no, not at all.",
                70,
                true
            ),
            "run script by path. You should first use getScriptByPath."
        );
        assert_eq!(abridge("", 60, true), "");
        // A very short first sentence takes (the start of) the next one.
        assert_eq!(
            abridge(
                "Optional. A heading title from the page outline to read just that section.",
                55,
                false
            ),
            "Optional. A heading title from the page outline…"
        );
        assert_eq!(
            abridge(
                "A Windmill path such as `f/folder/name` or `u/user/name`.",
                50,
                false
            ),
            "A Windmill path such as `f/folder/name`…"
        );
    }

    #[test]
    fn descriptions_that_restate_the_name_go() {
        assert!(restates("keep_captures", "keep captures"));
        assert!(restates("label", "Filter by label"));
        assert!(restates("scriptHash", "The hash of the script"));
        assert!(!restates("path", "The path to the resource"));
        assert!(!restates(
            "order_desc",
            "order by desc order (default true)"
        ));
    }

    #[test]
    fn compact_schemas_keep_structure_and_drop_prose() {
        let full = json!({
            "type": "object",
            "properties": {
                "description": {"type": "string", "description": "The description of the thing. It is long."},
                "title": {"type": "string", "title": "Title", "enum": ["a", "b"], "default": "a"},
                "label": {"type": "string", "description": "Filter by label"},
                "args": {"type": ["object", "null"], "additionalProperties": true,
                         "properties": {"x": {"anyOf": [{"type": "integer", "description": "An integer. Yes."}, {"type": "null"}]}}},
                "list": {"type": "array", "items": {"type": "object", "title": "Item", "properties": {"description": {"const": "x"}}, "additionalProperties": false}}
            },
            "required": ["description"],
            "additionalProperties": false
        });
        let c = compact_schema(&full, None, true);
        assert_eq!(
            c,
            json!({
                "type": "object",
                "properties": {
                    "description": {"type": "string", "description": "The description of the thing."},
                    "title": {"type": "string", "enum": ["a", "b"], "default": "a"},
                    "label": {"type": "string"},
                    "args": {"type": ["object", "null"],
                             "properties": {"x": {"anyOf": [{"type": "integer", "description": "An integer. Yes."}, {"type": "null"}]}}},
                    "list": {"type": "array", "items": {"type": "object", "properties": {"description": {"const": "x"}}, "additionalProperties": false}}
                },
                "required": ["description"],
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn listed_tools_are_compact_and_validation_uses_the_full_schema() {
        let e = REGISTRY.get("createSchedule").expect("createSchedule");
        let full: Value = serde_json::from_str(e.endpoint.input_schema).expect("json");
        assert_eq!(Value::Object(e.input_schema().clone()), full);
        let bytes = |t: &Tool| serde_json::to_vec(t).map(|v| v.len()).unwrap_or(0);
        assert!(bytes(&e.listed) < bytes(&e.tool));
        let g = REGISTRY.get("getJob").expect("getJob");
        assert!(bytes(&g.listed) * 10 < bytes(&g.tool));
        // A hint equal to MCP's default is left out; the others stay.
        let a = e.listed.annotations.as_ref().expect("annotations");
        assert_eq!(a.read_only_hint, None);
        assert_eq!(a.destructive_hint, Some(false));
        assert_eq!(
            g.listed
                .output_schema
                .as_deref()
                .cloned()
                .map(Value::Object),
            Some(json!({"type": "object"}))
        );
        let ga = g.listed.annotations.as_ref().expect("annotations");
        assert_eq!(ga.read_only_hint, Some(true));
        assert_eq!(ga.destructive_hint, None);
    }
}
