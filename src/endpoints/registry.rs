//! The endpoint tools as MCP definitions: per operation a [`ToolEntry`] named by its operationId
//! (what `--tools all`, tool lists and the discovery tools use), and per operation of the curated
//! set one more, named and shaped as Windmill's own server lists it (what `--tools curated` lists).
//!
//! A [`Registry`] is a value: the server holds the one compiled into this binary
//! ([`Registry::compiled`]) or one lowered at run time from the spec a running Windmill serves
//! ([`Registry::from_api`]), and may swap one for the other. Each entry carries the full definition
//! (what arguments are validated against and what `describe_endpoint` shows), the compact one
//! `tools/list` sends, and its validator; the registry caches each client profile's listing and
//! owns the search index.
//!
//! **Names.** A name in a connection's listing means what that listing shows: in the curated
//! listing, Windmill's `x-mcp-tool-name` (v1.795.0 lists createAppRawSource as `createApp`); in
//! every other listing and in the discovery tools, the operationId (`createApp` is then the
//! low-code operation of that id). Lowering refuses two curated tools of one name.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;
use windmill_mcp_codegen::diff::{ApiView, ToolView};
use windmill_mcp_codegen::ir;

use super::generated;
use super::runtime::{ArgError, Args, BuildFn, Endpoint, Hints, HttpRequest, Method};
use super::search::SearchIndex;
use super::selection::Selection;
use crate::listing::compact::compact_tool;
use crate::listing::{profiled, Profile};

/// Why an endpoint tool cannot check its arguments.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the input schema of `{tool}` does not compile ({reason}); its arguments cannot be checked, so it is not called")]
pub struct SchemaError {
    pub tool: String,
    pub reason: String,
}

/// How an operation's arguments become its request.
#[derive(Clone)]
pub enum Builder {
    /// The typed builder generated for the compiled spec.
    Generated(BuildFn),
    /// The intermediate form of an operation lowered at run time, read by
    /// [`super::interpret::build`] with the same runtime the generated builders call.
    Interpreted(Arc<ir::Operation>),
}

/// One operation of a registry, whichever spec it comes from.
pub struct Operation {
    /// The operationId.
    pub name: String,
    pub title: String,
    /// The operation's description (its curated tool may have another).
    pub description: String,
    pub method: Method,
    pub path: String,
    pub tags: Vec<String>,
    /// Whether structured content wraps the JSON answer as `{"result": ...}`.
    pub wraps_output: bool,
    pub hints: Hints,
    /// In the curated set (Windmill's `x-mcp-tool` operations).
    pub curated: bool,
    /// The name Windmill's own server lists it under, when curated (`x-mcp-tool-name`, else the
    /// operationId).
    pub curated_name: Option<String>,
    pub deprecated: bool,
    /// Whether the path holds `{workspace}`.
    pub has_workspace: bool,
    pub response_content_type: Option<String>,
    pub builder: Builder,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Operation {
    /// Validated arguments → the HTTP request (relative to Windmill's `/api`).
    pub fn build(&self, args: &Args, workspace: &str) -> Result<HttpRequest, ArgError> {
        match &self.builder {
            Builder::Generated(f) => f(args, workspace),
            Builder::Interpreted(op) => super::interpret::build(op, args, workspace),
        }
    }

    fn generated(e: &Endpoint) -> Self {
        Operation {
            name: e.name.to_owned(),
            title: e.title.to_owned(),
            description: e.description.to_owned(),
            method: e.method,
            path: e.path.to_owned(),
            tags: e.tags.iter().map(|t| (*t).to_owned()).collect(),
            wraps_output: e.wraps_output,
            hints: e.hints,
            curated: e.curated.is_some(),
            curated_name: e.curated.map(|c| c.name.to_owned()),
            deprecated: e.deprecated,
            has_workspace: e.has_workspace,
            response_content_type: e.response_content_type.map(str::to_owned),
            builder: Builder::Generated(e.build),
        }
    }

    /// An operation lowered at run time, with the intermediate form its builder (and its tool
    /// definitions, when first asked for) read.
    fn lowered(op: &ir::Operation) -> (Arc<Self>, Arc<ir::Operation>) {
        let ir = Arc::new(op.clone());
        let operation = Operation {
            name: op.name.clone(),
            title: op
                .title
                .clone()
                .unwrap_or_else(|| windmill_mcp_codegen::naming::humanize(&op.name)),
            description: op.description.clone(),
            method: op.method,
            path: op.path.clone(),
            tags: op.tags.clone(),
            wraps_output: op.wraps_output,
            hints: op.hints,
            curated: op.curated.is_some(),
            curated_name: op.curated.as_ref().map(|c| c.name.clone()),
            deprecated: op.deprecated,
            has_workspace: op.has_workspace,
            response_content_type: op.response.as_ref().and_then(|r| r.content_type.clone()),
            builder: Builder::Interpreted(ir.clone()),
        };
        (Arc::new(operation), ir)
    }
}

/// Which of an operation's two tools an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Named by its operationId, with every parameter the operation declares.
    Operation,
    /// Named and shaped as Windmill's own server lists it (its curated set).
    Curated,
}

/// How a definition is made when first asked for.
type Make = Box<dyn FnOnce() -> Tool + Send>;
/// What an entry's definitions are made from.
type Define = Arc<dyn Fn() -> Definition + Send + Sync>;

/// One endpoint tool with its MCP definitions, each made on first use: a server that lists the
/// curated tools never parses the schemas of the other eight hundred operations (a parsed schema
/// takes about ten times its JSON text in memory).
pub struct ToolEntry {
    pub endpoint: Arc<Operation>,
    pub form: Form,
    name: Cow<'static, str>,
    define: Define,
    /// The full definition: what arguments are validated against, what `describe_endpoint` shows
    /// and what `get_tool` returns.
    pub tool: LazyLock<Tool, Make>,
    /// The compact definition `tools/list` sends (see [`compact_tool`]): the same input schema less
    /// most of its prose, and a loose output schema.
    pub listed: LazyLock<Tool, Make>,
    validator: OnceLock<Result<jsonschema::Validator, SchemaError>>,
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolEntry")
            .field("name", &self.name)
            .field("form", &self.form)
            .finish_non_exhaustive()
    }
}

/// The parts of a tool definition that differ between an operation's two forms.
struct Definition {
    name: String,
    description: String,
    input: JsonObject,
    output: Option<JsonObject>,
}

/// The full definition of an operation's tool.
fn full_tool(endpoint: &Operation, d: Definition) -> Tool {
    let h = endpoint.hints;
    let mut tool = Tool::new(d.name, d.description, Arc::new(d.input))
        .with_title(endpoint.title.clone())
        .with_annotations(
            ToolAnnotations::new()
                .read_only(h.read_only)
                .destructive(h.destructive)
                .idempotent(h.idempotent)
                .open_world(h.open_world),
        );
    if let Some(out) = d.output {
        tool = tool.with_raw_output_schema(Arc::new(out));
    }
    tool
}

impl ToolEntry {
    /// An entry whose definitions `define` gives when first asked for (once for the full
    /// definition, once for the compact one, and for each [`Registry::digest`]).
    fn new(
        endpoint: Arc<Operation>,
        form: Form,
        name: Cow<'static, str>,
        define: impl Fn() -> Definition + Send + Sync + 'static,
    ) -> Self {
        let define: Define = Arc::new(define);
        let (op, define_full) = (endpoint.clone(), define.clone());
        let (op_listed, define_listed) = (endpoint.clone(), define.clone());
        ToolEntry {
            endpoint,
            form,
            name,
            define,
            tool: LazyLock::new(Box::new(move || full_tool(&op, define_full()))),
            listed: LazyLock::new(Box::new(move || {
                compact_tool(&full_tool(&op_listed, define_listed()))
            })),
            validator: OnceLock::new(),
        }
    }

    /// The tool's name: the operationId, or the curated name for the curated form.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The compiled validator of the full input schema (built on first use). Fails closed: a schema
    /// that does not compile is an error, never a pass (the build refuses such schemas already).
    pub fn validator(&self) -> Result<&jsonschema::Validator, &SchemaError> {
        self.validator
            .get_or_init(|| {
                let schema = Value::Object((*self.tool.input_schema).clone());
                jsonschema::draft202012::new(&schema).map_err(|e| {
                    tracing::error!(tool = %self.tool.name, error = %e, "input schema does not compile");
                    SchemaError {
                        tool: self.tool.name.to_string(),
                        reason: e.to_string(),
                    }
                })
            })
            .as_ref()
    }

    /// The full input schema.
    pub fn input_schema(&self) -> &JsonObject {
        &self.tool.input_schema
    }

    /// The full input schema in a profile's dialect (what `describe_endpoint` shows).
    pub fn input_schema_in(&self, profile: Profile) -> Arc<JsonObject> {
        match profile {
            Profile::Full => self.tool.input_schema.clone(),
            _ => Arc::new(crate::listing::profile::transform(
                &self.tool.input_schema,
                profile,
            )),
        }
    }
}

/// A JSON object from generated JSON text (always an object; empty if the text is not one).
fn parse_object(text: &str) -> JsonObject {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        _ => JsonObject::new(),
    }
}

fn object(v: &Value) -> JsonObject {
    match v {
        Value::Object(o) => o.clone(),
        _ => JsonObject::new(),
    }
}

/// Where a registry's operations come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecInfo {
    /// The spec's `info.title`.
    pub title: String,
    /// The spec's `info.version`.
    pub version: String,
    /// Whether the spec marks operations `x-mcp-tool` (else the curated set is a default list).
    pub has_mcp_marks: bool,
    /// Where the spec was read: `compiled (<path>)`, a URL or a file.
    pub origin: String,
}

/// Every endpoint tool of one spec.
pub struct Registry {
    /// The operation form of every operation, sorted by operationId.
    entries: Vec<ToolEntry>,
    /// The curated form of every curated operation, sorted by curated name.
    curated: Vec<ToolEntry>,
    spec: SpecInfo,
    search: SearchIndex,
    degradations: Vec<(String, String)>,
    /// The listed form of every entry, per profile, built on first use.
    listed: [OnceLock<Vec<Tool>>; 3],
    curated_listed: [OnceLock<Vec<Tool>>; 3],
    /// Which registry this is, unique in the process (see [`Registry::id`]).
    id: u64,
}

/// The next [`Registry::id`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("spec", &self.spec)
            .field("operations", &self.entries.len())
            .finish_non_exhaustive()
    }
}

static COMPILED: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    let ops: Vec<(Arc<Operation>, &Endpoint)> = generated::ENDPOINTS
        .iter()
        .map(|e| (Arc::new(Operation::generated(e)), e))
        .collect();
    let entries: Vec<ToolEntry> = ops
        .iter()
        .map(|(op, e)| {
            let e: &'static Endpoint = e;
            ToolEntry::new(
                op.clone(),
                Form::Operation,
                Cow::Borrowed(e.name),
                move || Definition {
                    name: e.name.to_owned(),
                    description: e.description.to_owned(),
                    input: parse_object(e.input_schema),
                    output: e.output_schema.map(parse_object),
                },
            )
        })
        .collect();
    let curated = ops
        .iter()
        .filter_map(|(op, e)| {
            let e: &'static Endpoint = e;
            let c = e.curated?;
            Some(ToolEntry::new(
                op.clone(),
                Form::Curated,
                Cow::Borrowed(c.name),
                move || Definition {
                    name: c.name.to_owned(),
                    description: c.description.to_owned(),
                    input: parse_object(c.input_schema.unwrap_or(e.input_schema)),
                    output: e.output_schema.map(parse_object),
                },
            ))
        })
        .collect();
    Arc::new(Registry::assemble(
        entries,
        curated,
        SpecInfo {
            title: generated::SPEC_TITLE.to_owned(),
            version: generated::SPEC_VERSION.to_owned(),
            has_mcp_marks: generated::SPEC_HAS_MCP_MARKS,
            origin: format!("compiled ({})", generated::SPEC_PATH),
        },
        SearchIndex::compiled,
        generated::DEGRADATIONS
            .iter()
            .map(|(o, w)| ((*o).to_owned(), (*w).to_owned()))
            .collect(),
    ))
});

impl Registry {
    fn assemble(
        entries: Vec<ToolEntry>,
        mut curated: Vec<ToolEntry>,
        spec: SpecInfo,
        search: impl FnOnce(&[ToolEntry]) -> SearchIndex,
        degradations: Vec<(String, String)>,
    ) -> Self {
        curated.sort_by(|a, b| a.name().cmp(b.name()));
        Registry {
            search: search(&entries),
            entries,
            curated,
            spec,
            degradations,
            listed: Default::default(),
            curated_listed: Default::default(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// A number no other registry of this process has: what caches of things derived from a
    /// registry are keyed by, since the served registry may be replaced (a live spec that changed).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The endpoints compiled into this binary.
    pub fn compiled() -> &'static Arc<Registry> {
        &COMPILED
    }

    /// The endpoints of a spec lowered at run time (`origin`: where it was read), with request
    /// building by [`super::interpret`] and the search index built now.
    pub fn from_api(api: &ir::Api, origin: impl Into<String>) -> Self {
        let mut entries = Vec::with_capacity(api.operations.len());
        let mut curated = Vec::new();
        for op in &api.operations {
            let (shared, lowered) = Operation::lowered(op);
            let full = lowered.clone();
            entries.push(ToolEntry::new(
                shared.clone(),
                Form::Operation,
                Cow::Owned(op.name.clone()),
                move || Definition {
                    name: full.name.clone(),
                    description: full.description.clone(),
                    input: object(&full.input_schema),
                    output: full.output_schema.as_ref().map(object),
                },
            ));
            if let Some(c) = &op.curated {
                curated.push(ToolEntry::new(
                    shared,
                    Form::Curated,
                    Cow::Owned(c.name.clone()),
                    move || {
                        let c = lowered.curated.as_ref();
                        Definition {
                            name: c.map_or_else(|| lowered.name.clone(), |c| c.name.clone()),
                            description: c.map_or_else(
                                || lowered.description.clone(),
                                |c| c.description.clone(),
                            ),
                            input: object(
                                c.and_then(|c| c.input_schema.as_ref())
                                    .unwrap_or(&lowered.input_schema),
                            ),
                            output: lowered.output_schema.as_ref().map(object),
                        }
                    },
                ));
            }
        }
        Registry::assemble(
            entries,
            curated,
            SpecInfo {
                title: api.title.clone(),
                version: api.version.clone(),
                has_mcp_marks: api.has_mcp_marks,
                origin: origin.into(),
            },
            |entries| SearchIndex::built(api, entries),
            api.degradations
                .iter()
                .map(|d| (d.operation.clone(), d.what.clone()))
                .collect(),
        )
    }

    pub fn spec(&self) -> &SpecInfo {
        &self.spec
    }

    /// What the generator simplified or left out: `(operationId, what)`.
    pub fn degradations(&self) -> &[(String, String)] {
        &self.degradations
    }

    /// Every operation, in its operation form, sorted by operationId.
    pub fn all(&self) -> &[ToolEntry] {
        &self.entries
    }

    /// The operation of this operationId.
    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.entries
            .binary_search_by(|e| e.name().cmp(name))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// The curated tools, as Windmill's own server names and shapes them, sorted by name.
    pub fn curated(&self) -> &[ToolEntry] {
        &self.curated
    }

    /// The curated tool of this name.
    pub fn get_curated(&self, name: &str) -> Option<&ToolEntry> {
        self.curated
            .binary_search_by(|e| e.name().cmp(name))
            .ok()
            .and_then(|i| self.curated.get(i))
    }

    /// The curated tool listed under `name` when that is not its operationId (Windmill's
    /// `createApp` is createAppRawSource in v1.795.0).
    pub fn curated_alias(&self, name: &str) -> Option<&ToolEntry> {
        self.get_curated(name).filter(|e| e.endpoint.name != name)
    }

    /// The entries a selection lists, in listing order: the curated form for `curated`, the
    /// operation form for every other selection.
    pub fn select<'a>(&'a self, sel: &'a Selection) -> impl Iterator<Item = &'a ToolEntry> + 'a {
        let entries = if sel.curated_names() {
            &self.curated
        } else {
            &self.entries
        };
        entries.iter().filter(move |e| sel.admits(&e.endpoint))
    }

    /// The entry a listed name stands for in a selection's listing (not checked against it).
    pub fn named(&self, sel: &Selection, name: &str) -> Option<&ToolEntry> {
        if sel.curated_names() {
            self.get_curated(name)
        } else {
            self.get(name)
        }
    }

    /// The entries of a selection's listing with their listed form in a profile's dialect.
    pub fn listing<'a>(
        &'a self,
        sel: &'a Selection,
        profile: Profile,
    ) -> impl Iterator<Item = (&'a ToolEntry, &'a Tool)> + 'a {
        let (entries, listed) = if sel.curated_names() {
            (&self.curated, self.curated_listed(profile))
        } else {
            (&self.entries, self.listed(profile))
        };
        entries
            .iter()
            .zip(listed)
            .filter(move |(e, _)| sel.admits(&e.endpoint))
    }

    /// Names close to `name` in a selection's listing, for did-you-mean messages.
    pub fn similar(&self, name: &str, sel: &Selection) -> Vec<String> {
        crate::text::closest(name, self.select(sel).map(ToolEntry::name), 3)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn slot(slots: &[OnceLock<Vec<Tool>>; 3], profile: Profile) -> &OnceLock<Vec<Tool>> {
        match profile {
            Profile::Full => &slots[0],
            Profile::OpenAi => &slots[1],
            Profile::Gemini => &slots[2],
        }
    }

    /// The listed (compact) form of every operation-form entry in a profile's dialect, in
    /// registry order.
    pub fn listed(&self, profile: Profile) -> &[Tool] {
        Self::slot(&self.listed, profile).get_or_init(|| {
            self.entries
                .iter()
                .map(|e| profiled(&e.listed, profile))
                .collect()
        })
    }

    /// The listed form of every curated entry in a profile's dialect, in [`Registry::curated`]
    /// order.
    pub fn curated_listed(&self, profile: Profile) -> &[Tool] {
        Self::slot(&self.curated_listed, profile).get_or_init(|| {
            self.curated
                .iter()
                .map(|e| profiled(&e.listed, profile))
                .collect()
        })
    }

    /// The search index over these entries.
    pub fn search_index(&self) -> &SearchIndex {
        &self.search
    }

    /// A digest of every tool definition (both forms): two registries with the same digest list
    /// the same tools.
    pub fn digest(&self) -> u64 {
        let mut bytes = Vec::new();
        for e in self.entries.iter().chain(&self.curated) {
            // Made afresh, so a digest does not keep every definition parsed.
            if let Ok(v) = serde_json::to_vec(&full_tool(&e.endpoint, (e.define)())) {
                bytes.extend_from_slice(&v);
            }
            bytes.push(0);
        }
        crate::text::fnv64(&bytes)
    }

    /// These tools as `spec diff` compares them. The registry knows no wire names, so renamed
    /// arguments are matched by name and schema only. Definitions are made afresh, so a diff (e.g.
    /// `serve`'s check of a Windmill of another version) does not keep them all parsed.
    pub fn view(&self) -> ApiView {
        ApiView {
            version: self.spec.version.clone(),
            tools: self
                .entries
                .iter()
                .map(|e| {
                    let c = e
                        .endpoint
                        .curated_name
                        .as_deref()
                        .and_then(|n| self.get_curated(n));
                    let full = full_tool(&e.endpoint, (e.define)());
                    ToolView {
                        name: e.endpoint.name.clone(),
                        method: e.endpoint.method.as_str().to_owned(),
                        path: e.endpoint.path.clone(),
                        curated: e.endpoint.curated,
                        deprecated: e.endpoint.deprecated,
                        input_schema: Value::Object((*full.input_schema).clone()),
                        output_schema: full.output_schema.map(|o| Value::Object((*o).clone())),
                        wire: Default::default(),
                        curation: c.map(|c| {
                            let d = (c.define)();
                            windmill_mcp_codegen::diff::CurationView {
                                name: c.name().to_owned(),
                                description: d.description,
                                input_schema: Value::Object(d.input),
                            }
                        }),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listed_tools_are_compact_and_validation_uses_the_full_schema() {
        let e = Registry::compiled()
            .get("createSchedule")
            .expect("createSchedule");
        let g = crate::endpoints::generated::ENDPOINTS
            .iter()
            .find(|g| g.name == "createSchedule")
            .expect("generated createSchedule");
        let full: Value = serde_json::from_str(g.input_schema).expect("json");
        assert_eq!(Value::Object(e.input_schema().clone()), full);
        let bytes = |t: &Tool| serde_json::to_vec(t).map(|v| v.len()).unwrap_or(0);
        assert!(bytes(&e.listed) < bytes(&e.tool));
        let g = Registry::compiled().get("getJob").expect("getJob");
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

    #[test]
    fn every_endpoint_validates_and_short_names_stay_distinct() {
        let r = Registry::compiled();
        for e in r.all() {
            assert!(e.validator().is_ok(), "{}", e.endpoint.name);
        }
        let names: std::collections::HashSet<String> = r
            .all()
            .iter()
            .map(|e| {
                crate::listing::short_name(&e.endpoint.name, Some(crate::listing::MIN_NAME_LEN))
                    .into_owned()
            })
            .collect();
        assert_eq!(names.len(), r.all().len());
    }

    #[test]
    fn the_view_has_every_tool() {
        let r = Registry::compiled();
        let v = r.view();
        assert_eq!(v.tools.len(), r.all().len());
        assert!(v.tools.iter().all(|t| t.input_schema.is_object()));
    }

    #[test]
    fn profiled_listings_are_cached_and_follow_the_registry_order() {
        let r = Registry::compiled();
        for p in Profile::ALL {
            let listed = r.listed(p);
            assert_eq!(listed.len(), r.all().len());
            assert!(std::ptr::eq(listed, r.listed(p)));
            for (t, e) in listed.iter().zip(r.all()) {
                assert_eq!(t.name, e.endpoint.name);
            }
        }
    }
}
