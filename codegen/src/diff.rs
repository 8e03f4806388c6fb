//! Comparing two versions of the API: which tools appeared, disappeared or changed, and whether each
//! change breaks a caller written against the old version.
//!
//! The comparison works on [`ApiView`]s: per tool the method, path, input and output schema, curated
//! flag and, where known, where each argument goes on the wire. [`diff`] makes them from two
//! [`Api`]s; the server makes one from its compiled-in registry too (which knows no wire names).
//!
//! What counts as a change, per tool present in both:
//!
//! | change | breaking |
//! |---|---|
//! | method or path template changed | yes |
//! | argument added | when it is required |
//! | argument removed | yes |
//! | argument renamed: same wire name and place under another argument name, or (conservatively) an argument whose non-trivial schema appears exactly once among the removed and once among the added ones | yes |
//! | type changed | yes, unless the new type accepts every old one (`integer` → `number`, `string` → nullable `string`) |
//! | became required / became optional | yes / no |
//! | enum values removed / added | yes / no |
//! | enum introduced on a free argument / enum dropped | yes / no |
//! | other schema change of an argument (descriptions ignored) | no (review it) |
//! | output schema changed (descriptions included) | no |
//! | became deprecated / no longer deprecated | no |
//!
//! Tool descriptions and hints are not compared. Changes of the curated set are listed on their own,
//! and so are changes of Windmill's curation of a tool curated in both versions (its curated name,
//! and which of the operation's arguments its curated shape lists or requires, see
//! [`CurationChange`]):
//! those change what Windmill's own server lists, not what the API accepts, so they never count as
//! API changes.
//! Everything is sorted: tools by name, and within a tool method, path, arguments by name, output,
//! deprecation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ir::{Api, BodyShape, Operation};

/// One tool as the comparison sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolView {
    pub name: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template.
    pub path: String,
    pub curated: bool,
    pub deprecated: bool,
    /// The tool's input schema (`properties` and `required` are read).
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    /// Argument name → where it goes on the wire (`query:per_page`, `path:path`, `body:path`, `body`),
    /// when known. Arguments missing here are matched by name and schema only.
    pub wire: BTreeMap<String, String>,
    /// How Windmill's own server lists it, when curated: compared apart from the API.
    pub curation: Option<CurationView>,
}

/// Windmill's curated tool of an operation, as the comparison sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CurationView {
    /// The name it is listed under.
    pub name: String,
    pub description: String,
    /// The curated shape's input schema.
    pub input_schema: Value,
}

/// A whole API as the comparison sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiView {
    /// `info.version`.
    pub version: String,
    pub tools: Vec<ToolView>,
}

impl ApiView {
    /// The view of a lowered spec (curated per [`crate::is_curated`]).
    pub fn from_api(api: &Api) -> Self {
        ApiView {
            version: api.version.clone(),
            tools: api
                .operations
                .iter()
                .map(|op| ToolView::from_operation(op, crate::is_curated(api, op)))
                .collect(),
        }
    }
}

impl ToolView {
    pub fn from_operation(op: &Operation, curated: bool) -> Self {
        let mut wire = BTreeMap::new();
        for p in &op.params {
            let loc = format!("{:?}", p.location).to_lowercase();
            wire.insert(p.arg_name.clone(), format!("{loc}:{}", p.wire_name));
        }
        if let Some(body) = &op.body {
            match &body.shape {
                BodyShape::Fields(fields) => {
                    for (arg, w) in fields {
                        wire.insert(arg.clone(), format!("body:{w}"));
                    }
                }
                BodyShape::Whole { arg_name } => {
                    wire.insert(arg_name.clone(), "body".to_owned());
                }
            }
        }
        ToolView {
            name: op.name.clone(),
            method: op.method.as_str().to_owned(),
            path: op.path.clone(),
            curated,
            deprecated: op.deprecated,
            input_schema: op.input_schema.clone(),
            output_schema: op.output_schema.clone(),
            wire,
            curation: op.curated.as_ref().map(|c| CurationView {
                name: c.name.clone(),
                description: c.description.clone(),
                input_schema: c
                    .input_schema
                    .clone()
                    .unwrap_or_else(|| op.input_schema.clone()),
            }),
        }
    }
}

/// What kind of change a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    MethodChanged,
    PathChanged,
    ArgumentRenamed,
    ArgumentRemoved,
    ArgumentAdded,
    TypeChanged,
    BecameRequired,
    BecameOptional,
    EnumValuesRemoved,
    EnumValuesAdded,
    EnumIntroduced,
    EnumDropped,
    SchemaChanged,
    OutputSchemaChanged,
    Deprecation,
}

impl ChangeKind {
    /// Words for the table.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::MethodChanged => "method changed",
            ChangeKind::PathChanged => "path changed",
            ChangeKind::ArgumentRenamed => "argument renamed",
            ChangeKind::ArgumentRemoved => "argument removed",
            ChangeKind::ArgumentAdded => "argument added",
            ChangeKind::TypeChanged => "type changed",
            ChangeKind::BecameRequired => "became required",
            ChangeKind::BecameOptional => "became optional",
            ChangeKind::EnumValuesRemoved => "enum values removed",
            ChangeKind::EnumValuesAdded => "enum values added",
            ChangeKind::EnumIntroduced => "enum introduced",
            ChangeKind::EnumDropped => "enum dropped",
            ChangeKind::SchemaChanged => "schema changed",
            ChangeKind::OutputSchemaChanged => "output schema changed",
            ChangeKind::Deprecation => "deprecation",
        }
    }
}

/// One change of a tool present in both versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The argument concerned (its new name for a rename).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
    pub breaking: bool,
    /// One line for people.
    pub detail: String,
    /// The old value, where there is one (method, path, old argument name, type, enum values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// The new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

/// The changes of one tool present in both versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolChanges {
    pub name: String,
    /// Curated in the new version.
    pub curated: bool,
    /// Whether any change is breaking.
    pub breaking: bool,
    pub changes: Vec<Change>,
}

/// A tool added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRef {
    pub name: String,
    pub method: String,
    pub path: String,
    /// Curated in the version that has it.
    pub curated: bool,
}

/// Names entering or leaving the curated set (whether or not the tool itself is new or gone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuratedChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// How the curated tool of an operation curated in both versions changed: Windmill's curation
/// (`x-mcp-tool-name`, `x-mcp-tool-description`, `x-mcp-tool-include-*`, `-opaque-fields`,
/// `x-mcp-required-fields`), not the API. The operation's own changes are in [`ApiDiff::changed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurationChange {
    /// The operationId.
    pub name: String,
    /// One line per change, e.g. "listed as `createApp` (was `createAppRawSource`)".
    pub changes: Vec<String>,
}

/// The figures of a comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub old_tools: usize,
    pub new_tools: usize,
    pub added: usize,
    pub removed: usize,
    /// Tools in both versions with at least one change.
    pub changed: usize,
    /// Changed tools with at least one breaking change (removed tools not included).
    pub breaking_tools: usize,
    /// Breaking changes within changed tools.
    pub breaking_changes: usize,
    pub old_curated: usize,
    pub new_curated: usize,
    pub curated_added: usize,
    pub curated_removed: usize,
    /// Curated tools whose curation changed (name, description or shape).
    #[serde(default)]
    pub curation_changed: usize,
}

/// Everything that differs between two versions of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiDiff {
    pub old_version: String,
    pub new_version: String,
    pub summary: Summary,
    pub added: Vec<ToolRef>,
    pub removed: Vec<ToolRef>,
    pub changed: Vec<ToolChanges>,
    pub curated: CuratedChanges,
    /// Changes of Windmill's curation of tools curated in both versions (not API changes).
    #[serde(default)]
    pub curation: Vec<CurationChange>,
    /// Operations the server itself calls for scripts and flows (see [`crate::contract`]) that were
    /// removed or changed: `name (removed)`, `name (breaking)` or `name`.
    pub runtime: Vec<String>,
}

/// Compares two lowered specs.
pub fn diff(old: &Api, new: &Api) -> ApiDiff {
    diff_views(&ApiView::from_api(old), &ApiView::from_api(new))
}

/// Compares two views.
pub fn diff_views(old: &ApiView, new: &ApiView) -> ApiDiff {
    let old_tools: BTreeMap<&str, &ToolView> =
        old.tools.iter().map(|t| (t.name.as_str(), t)).collect();
    let new_tools: BTreeMap<&str, &ToolView> =
        new.tools.iter().map(|t| (t.name.as_str(), t)).collect();
    let tool_ref = |t: &ToolView| ToolRef {
        name: t.name.clone(),
        method: t.method.clone(),
        path: t.path.clone(),
        curated: t.curated,
    };
    let added: Vec<ToolRef> = new_tools
        .iter()
        .filter(|(n, _)| !old_tools.contains_key(*n))
        .map(|(_, t)| tool_ref(t))
        .collect();
    let removed: Vec<ToolRef> = old_tools
        .iter()
        .filter(|(n, _)| !new_tools.contains_key(*n))
        .map(|(_, t)| tool_ref(t))
        .collect();
    let mut changed = Vec::new();
    for (name, o) in &old_tools {
        let Some(n) = new_tools.get(name) else {
            continue;
        };
        let changes = tool_changes(o, n);
        if !changes.is_empty() {
            changed.push(ToolChanges {
                name: (*name).to_owned(),
                curated: n.curated,
                breaking: changes.iter().any(|c| c.breaking),
                changes,
            });
        }
    }
    let curation: Vec<CurationChange> = old_tools
        .iter()
        .filter_map(|(name, o)| {
            let n = new_tools.get(name)?;
            let changes = curation_changes(o, n)?;
            (!changes.is_empty()).then(|| CurationChange {
                name: (*name).to_owned(),
                changes,
            })
        })
        .collect();
    let old_curated: BTreeSet<&str> = old_tools
        .values()
        .filter(|t| t.curated)
        .map(|t| t.name.as_str())
        .collect();
    let new_curated: BTreeSet<&str> = new_tools
        .values()
        .filter(|t| t.curated)
        .map(|t| t.name.as_str())
        .collect();
    let curated = CuratedChanges {
        added: new_curated
            .difference(&old_curated)
            .map(|s| (*s).to_owned())
            .collect(),
        removed: old_curated
            .difference(&new_curated)
            .map(|s| (*s).to_owned())
            .collect(),
    };
    let summary = Summary {
        old_tools: old_tools.len(),
        new_tools: new_tools.len(),
        added: added.len(),
        removed: removed.len(),
        changed: changed.len(),
        breaking_tools: changed.iter().filter(|t| t.breaking).count(),
        breaking_changes: changed
            .iter()
            .flat_map(|t| &t.changes)
            .filter(|c| c.breaking)
            .count(),
        old_curated: old_curated.len(),
        new_curated: new_curated.len(),
        curated_added: curated.added.len(),
        curated_removed: curated.removed.len(),
        curation_changed: curation.len(),
    };
    let runtime = crate::contract::CONTRACT
        .iter()
        .filter_map(|c| {
            let name = c.operation;
            if removed.iter().any(|r| r.name == name) {
                Some(format!("{name} (removed)"))
            } else {
                changed.iter().find(|t| t.name == name).map(|t| {
                    if t.breaking {
                        format!("{name} (breaking)")
                    } else {
                        name.to_owned()
                    }
                })
            }
        })
        .collect();
    ApiDiff {
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        summary,
        added,
        removed,
        changed,
        curated,
        curation,
        runtime,
    }
}

/// The argument names of an input schema, and the required ones.
fn arg_names(schema: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let names = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    (names, required)
}

fn listed(names: impl IntoIterator<Item = String>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What changed in Windmill's curation of one tool curated in both versions (`None` when it is
/// not). Arguments the API itself added or removed are API changes, reported with the operation;
/// what is left here is what the curation alone changed: an argument the operation declares in
/// both versions that the curated shape now lists, no longer lists, requires or leaves optional.
fn curation_changes(old: &ToolView, new: &ToolView) -> Option<Vec<String>> {
    let (o, n) = (old.curation.as_ref()?, new.curation.as_ref()?);
    let mut out = Vec::new();
    if o.name != n.name {
        out.push(format!("listed as `{}` (was `{}`)", n.name, o.name));
    }
    let (api_old, _) = arg_names(&old.input_schema);
    let (api_new, _) = arg_names(&new.input_schema);
    let in_both: BTreeSet<&String> = api_old.intersection(&api_new).collect();
    let (on, or) = arg_names(&o.input_schema);
    let (nn, nr) = arg_names(&n.input_schema);
    let left: Vec<String> = on
        .difference(&nn)
        .filter(|a| in_both.contains(a))
        .cloned()
        .collect();
    if !left.is_empty() {
        out.push(format!("arguments no longer listed: {}", listed(left)));
    }
    let joined: Vec<String> = nn
        .difference(&on)
        .filter(|a| in_both.contains(a))
        .cloned()
        .collect();
    if !joined.is_empty() {
        out.push(format!("arguments now listed: {}", listed(joined)));
    }
    let (_, api_req_old) = arg_names(&old.input_schema);
    let (_, api_req_new) = arg_names(&new.input_schema);
    // Required by the curation alone (not by the operation), in one version and not the other.
    let curation_required = |req: &BTreeSet<String>,
                             api_req: &BTreeSet<String>|
     -> BTreeSet<String> { req.difference(api_req).cloned().collect() };
    let (cro, crn) = (
        curation_required(&or, &api_req_old),
        curation_required(&nr, &api_req_new),
    );
    let required: Vec<String> = crn
        .difference(&cro)
        .filter(|a| on.contains(*a) && in_both.contains(a))
        .cloned()
        .collect();
    if !required.is_empty() {
        out.push(format!("arguments now required: {}", listed(required)));
    }
    let optional: Vec<String> = cro
        .difference(&crn)
        .filter(|a| nn.contains(*a) && in_both.contains(a))
        .cloned()
        .collect();
    if !optional.is_empty() {
        out.push(format!("arguments now optional: {}", listed(optional)));
    }
    Some(out)
}

/// One argument of a tool.
struct Arg<'a> {
    schema: &'a Value,
    required: bool,
    wire: Option<&'a str>,
}

fn args(t: &ToolView) -> BTreeMap<&str, Arg<'_>> {
    let required: BTreeSet<&str> = t
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    t.input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(k, schema)| {
                    (
                        k.as_str(),
                        Arg {
                            schema,
                            required: required.contains(k.as_str()),
                            wire: t.wire.get(k).map(String::as_str),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn change(
    kind: ChangeKind,
    argument: Option<&str>,
    breaking: bool,
    detail: String,
    from: Option<Value>,
    to: Option<Value>,
) -> Change {
    Change {
        kind,
        argument: argument.map(str::to_owned),
        breaking,
        detail,
        from,
        to,
    }
}

fn tool_changes(o: &ToolView, n: &ToolView) -> Vec<Change> {
    let mut head = Vec::new();
    if o.method != n.method {
        head.push(change(
            ChangeKind::MethodChanged,
            None,
            true,
            format!("{} → {}", o.method, n.method),
            Some(Value::String(o.method.clone())),
            Some(Value::String(n.method.clone())),
        ));
    }
    if o.path != n.path {
        head.push(change(
            ChangeKind::PathChanged,
            None,
            true,
            format!("{} → {}", o.path, n.path),
            Some(Value::String(o.path.clone())),
            Some(Value::String(n.path.clone())),
        ));
    }

    let oa = args(o);
    let na = args(n);
    let mut left: BTreeSet<&str> = oa.keys().copied().collect();
    let mut right: BTreeSet<&str> = na.keys().copied().collect();
    // (old name, new name, renamed)
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    // 1. Same name, same (or unknown) place on the wire.
    for name in oa.keys() {
        if let (Some(a), Some(b)) = (oa.get(name), na.get(name)) {
            let same_place = match (a.wire, b.wire) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            };
            if same_place {
                pairs.push((name, name));
                left.remove(name);
                right.remove(name);
            }
        }
    }
    // 2. Same place on the wire under another name: a rename.
    for old_name in left.clone() {
        let Some(w) = oa.get(old_name).and_then(|a| a.wire) else {
            continue;
        };
        let candidates: Vec<&str> = right
            .iter()
            .copied()
            .filter(|r| na.get(r).and_then(|b| b.wire) == Some(w))
            .collect();
        if let [new_name] = candidates[..] {
            pairs.push((old_name, new_name));
            left.remove(old_name);
            right.remove(new_name);
        }
    }
    // 3. Same name, another place on the wire: still the same argument for a caller.
    for name in left.clone() {
        if right.contains(name) {
            pairs.push((name, name));
            left.remove(name);
            right.remove(name);
        }
    }
    // 4. An identical, non-trivial schema found exactly once on each side: a rename.
    for old_name in left.clone() {
        let Some(a) = oa.get(old_name) else { continue };
        if is_trivial(a.schema) {
            continue;
        }
        let same_old = left
            .iter()
            .filter(|l| oa.get(*l).is_some_and(|x| x.schema == a.schema))
            .count();
        let same_new: Vec<&str> = right
            .iter()
            .copied()
            .filter(|r| na.get(r).is_some_and(|x| x.schema == a.schema))
            .collect();
        if let ([new_name], 1) = (&same_new[..], same_old) {
            pairs.push((old_name, new_name));
            left.remove(old_name);
            right.remove(new_name);
        }
    }

    let mut arg_changes: Vec<Change> = Vec::new();
    for name in &left {
        let Some(a) = oa.get(name) else { continue };
        arg_changes.push(change(
            ChangeKind::ArgumentRemoved,
            Some(name),
            true,
            format!("was {}", describe_arg(a)),
            None,
            None,
        ));
    }
    for name in &right {
        let Some(b) = na.get(name) else { continue };
        arg_changes.push(change(
            ChangeKind::ArgumentAdded,
            Some(name),
            b.required,
            describe_arg(b),
            None,
            None,
        ));
    }
    for (old_name, new_name) in pairs {
        let (Some(a), Some(b)) = (oa.get(old_name), na.get(new_name)) else {
            continue;
        };
        if old_name != new_name {
            arg_changes.push(change(
                ChangeKind::ArgumentRenamed,
                Some(new_name),
                true,
                format!("`{old_name}` → `{new_name}`"),
                Some(Value::String(old_name.to_owned())),
                Some(Value::String(new_name.to_owned())),
            ));
        }
        arg_changes.extend(arg_diff(new_name, a, b));
    }
    arg_changes.sort_by(|x, y| (&x.argument, x.kind).cmp(&(&y.argument, y.kind)));

    let mut out = head;
    out.extend(arg_changes);
    if let Some(c) = output_change(o.output_schema.as_ref(), n.output_schema.as_ref()) {
        out.push(c);
    }
    if o.deprecated != n.deprecated {
        let detail = if n.deprecated {
            "now deprecated"
        } else {
            "no longer deprecated"
        };
        out.push(change(
            ChangeKind::Deprecation,
            None,
            false,
            detail.to_owned(),
            Some(Value::Bool(o.deprecated)),
            Some(Value::Bool(n.deprecated)),
        ));
    }
    out
}

/// A schema that says nothing but a type (or nothing): too common to identify a renamed argument.
fn is_trivial(schema: &Value) -> bool {
    schema
        .as_object()
        .is_none_or(|o| o.keys().all(|k| k == "type"))
}

fn describe_arg(a: &Arg<'_>) -> String {
    let mut s = format!(
        "{}, {}",
        if a.required { "required" } else { "optional" },
        type_label(type_set(a.schema, 0).as_ref())
    );
    if let Some(w) = a.wire {
        match w.split_once(':') {
            Some((place, name)) => {
                let _ = write!(s, ", {place} `{name}`");
            }
            None => {
                let _ = write!(s, ", {w}");
            }
        }
    }
    s
}

fn arg_diff(name: &str, a: &Arg<'_>, b: &Arg<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let ot = type_set(a.schema, 0);
    let nt = type_set(b.schema, 0);
    let type_changed = ot != nt;
    if type_changed {
        let breaking = match (&ot, &nt) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(o), Some(n)) => !o.iter().all(|t| accepts(n, t)),
        };
        let mut detail = format!("{} → {}", type_label(ot.as_ref()), type_label(nt.as_ref()));
        if !breaking {
            detail.push_str(" (widened)");
        }
        out.push(change(
            ChangeKind::TypeChanged,
            Some(name),
            breaking,
            detail,
            Some(Value::String(type_label(ot.as_ref()))),
            Some(Value::String(type_label(nt.as_ref()))),
        ));
    }
    if !a.required && b.required {
        out.push(change(
            ChangeKind::BecameRequired,
            Some(name),
            true,
            "optional → required".into(),
            None,
            None,
        ));
    }
    if a.required && !b.required {
        out.push(change(
            ChangeKind::BecameOptional,
            Some(name),
            false,
            "required → optional".into(),
            None,
            None,
        ));
    }
    let oe = enum_values(a.schema);
    let ne = enum_values(b.schema);
    let enum_changed = oe != ne;
    match (oe, ne) {
        (Some(o), Some(n)) => {
            let gone: Vec<Value> = o.iter().filter(|v| !n.contains(v)).cloned().collect();
            let new: Vec<Value> = n.iter().filter(|v| !o.contains(v)).cloned().collect();
            if !gone.is_empty() {
                out.push(change(
                    ChangeKind::EnumValuesRemoved,
                    Some(name),
                    true,
                    list_values(&gone),
                    Some(Value::Array(gone)),
                    None,
                ));
            }
            if !new.is_empty() {
                out.push(change(
                    ChangeKind::EnumValuesAdded,
                    Some(name),
                    false,
                    list_values(&new),
                    None,
                    Some(Value::Array(new)),
                ));
            }
        }
        (None, Some(n)) => out.push(change(
            ChangeKind::EnumIntroduced,
            Some(name),
            true,
            format!("now one of {}", list_values(&n)),
            None,
            Some(Value::Array(n)),
        )),
        (Some(o), None) => out.push(change(
            ChangeKind::EnumDropped,
            Some(name),
            false,
            format!("was one of {}", list_values(&o)),
            Some(Value::Array(o)),
            None,
        )),
        (None, None) => {}
    }
    if !type_changed && !enum_changed {
        let (x, y) = (strip_docs(a.schema), strip_docs(b.schema));
        if x != y {
            out.push(change(
                ChangeKind::SchemaChanged,
                Some(name),
                false,
                schema_change_detail(&x, &y),
                None,
                None,
            ));
        }
    }
    out
}

fn output_change(o: Option<&Value>, n: Option<&Value>) -> Option<Change> {
    let detail = match (o, n) {
        (None, None) => return None,
        (Some(x), Some(y)) if x == y => return None,
        (None, Some(_)) => "now has an output schema".to_owned(),
        (Some(_), None) => "no longer has an output schema".to_owned(),
        (Some(x), Some(y)) => schema_change_detail(x, y),
    };
    Some(change(
        ChangeKind::OutputSchemaChanged,
        None,
        false,
        detail,
        None,
        None,
    ))
}

/// Top-level properties added and removed, or what else changed.
fn schema_change_detail(x: &Value, y: &Value) -> String {
    let keys = |v: &Value| -> Option<BTreeSet<String>> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
    };
    let mut parts = Vec::new();
    if let (Some(a), Some(b)) = (keys(x), keys(y)) {
        let added: Vec<&str> = b.difference(&a).map(String::as_str).collect();
        let removed: Vec<&str> = a.difference(&b).map(String::as_str).collect();
        if !added.is_empty() {
            parts.push(format!("properties added: {}", short_list(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("properties removed: {}", short_list(&removed)));
        }
        if parts.is_empty() {
            let changed: Vec<&str> = a
                .iter()
                .filter(|k| {
                    x.pointer(&format!("/properties/{}", crate::error::escape_token(k)))
                        != y.pointer(&format!("/properties/{}", crate::error::escape_token(k)))
                })
                .map(String::as_str)
                .collect();
            if !changed.is_empty() {
                parts.push(format!("properties changed: {}", short_list(&changed)));
            }
        }
    }
    if parts.is_empty() {
        let ka: BTreeSet<&String> = x
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let kb: BTreeSet<&String> = y
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let differing: Vec<&str> = ka
            .union(&kb)
            .filter(|k| x.get(k.as_str()) != y.get(k.as_str()))
            .map(|k| k.as_str())
            .collect();
        if differing.is_empty() {
            parts.push("changed".to_owned());
        } else {
            parts.push(format!("`{}` changed", differing.join("`, `")));
        }
    }
    parts.join("; ")
}

fn short_list(items: &[&str]) -> String {
    const SHOWN: usize = 8;
    let mut s = items
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        let _ = write!(s, ", … {} more", items.len() - SHOWN);
    }
    s
}

fn list_values(values: &[Value]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    let refs: Vec<&str> = shown.iter().map(String::as_str).collect();
    short_list(&refs)
}

/// The schema without the parts that only document it.
fn strip_docs(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "description" | "title" | "examples"))
                .map(|(k, v)| {
                    // `properties` maps names to schemas: keep every name.
                    let v = if k == "properties" {
                        match v {
                            Value::Object(p) => Value::Object(
                                p.iter().map(|(n, s)| (n.clone(), strip_docs(s))).collect(),
                            ),
                            other => other.clone(),
                        }
                    } else {
                        strip_docs(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_docs).collect()),
        other => other.clone(),
    }
}

/// The JSON types a schema accepts, with `array<items>` for arrays whose items are typed. `None`: any.
fn type_set(schema: &Value, depth: usize) -> Option<BTreeSet<String>> {
    if depth > 8 {
        return None;
    }
    let obj = schema.as_object()?;
    let mut out = BTreeSet::new();
    match obj.get("type") {
        Some(Value::String(t)) => {
            out.insert(t.clone());
        }
        Some(Value::Array(ts)) => {
            out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        _ => {
            if let Some(branches) = obj
                .get("anyOf")
                .or_else(|| obj.get("oneOf"))
                .and_then(Value::as_array)
            {
                for b in branches {
                    out.extend(type_set(b, depth + 1)?);
                }
            } else if let Some(values) = obj.get("enum").and_then(Value::as_array) {
                out.extend(values.iter().map(json_type));
            } else if let Some(c) = obj.get("const") {
                out.insert(json_type(c));
            } else {
                return None;
            }
        }
    }
    if out.contains("array") {
        if let Some(items) = obj.get("items").and_then(|i| type_set(i, depth + 1)) {
            out.remove("array");
            out.insert(format!("array<{}>", type_label(Some(&items))));
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

fn json_type(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_owned()
}

fn type_label(types: Option<&BTreeSet<String>>) -> String {
    match types {
        None => "any".to_owned(),
        Some(t) => t.iter().map(String::as_str).collect::<Vec<_>>().join("|"),
    }
}

/// Whether a value of type `t` is still accepted by the types `new`.
fn accepts(new: &BTreeSet<String>, t: &str) -> bool {
    new.contains(t)
        || (t == "integer" && new.contains("number"))
        || (t.starts_with("array<") && new.contains("array"))
}

/// The allowed values of an argument (or of its items), without `null`.
fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    let values = schema
        .get("enum")
        .or_else(|| schema.get("items").and_then(|i| i.get("enum")))
        .and_then(Value::as_array)?;
    Some(values.iter().filter(|v| !v.is_null()).cloned().collect())
}

impl ApiDiff {
    /// The `--json` form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialize the diff: {e}\"}}"))
    }

    /// The readable table.
    pub fn to_table(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        let _ = writeln!(out, "{} → {}", self.old_version, self.new_version);
        let _ = writeln!(
            out,
            "  tools:   {} → {} ({} added, {} removed, {} changed, {} with breaking changes: {} breaking changes)",
            s.old_tools, s.new_tools, s.added, s.removed, s.changed, s.breaking_tools, s.breaking_changes
        );
        let _ = writeln!(
            out,
            "  curated: {} → {} ({} in, {} out)",
            s.old_curated, s.new_curated, s.curated_added, s.curated_removed
        );
        for (title, list) in [
            ("ADDED TOOLS", &self.added),
            ("REMOVED TOOLS (breaking)", &self.removed),
        ] {
            let _ = writeln!(out, "\n{title}: {}", list.len());
            if list.is_empty() {
                continue;
            }
            let w = list.iter().map(|t| t.name.len()).max().unwrap_or(4).max(4);
            let _ = writeln!(
                out,
                "  {:<w$}  {:<7} {:<7}  PATH",
                "NAME", "METHOD", "CURATED"
            );
            for t in list {
                let _ = writeln!(
                    out,
                    "  {:<w$}  {:<7} {:<7}  {}",
                    t.name,
                    t.method,
                    if t.curated { "yes" } else { "" },
                    t.path
                );
            }
        }
        let _ = writeln!(out, "\nCHANGED TOOLS: {}", self.changed.len());
        if !self.changed.is_empty() {
            let wt = self
                .changed
                .iter()
                .map(|t| t.name.len() + usize::from(t.curated) * 2)
                .max()
                .unwrap_or(4)
                .max(4);
            let wk = self
                .changed
                .iter()
                .flat_map(|t| &t.changes)
                .map(|c| c.kind.label().len())
                .max()
                .unwrap_or(6)
                .max(6);
            let wa = self
                .changed
                .iter()
                .flat_map(|t| &t.changes)
                .map(|c| c.argument.as_deref().map_or(1, str::len))
                .max()
                .unwrap_or(8)
                .max(8);
            let _ = writeln!(
                out,
                "  {:<wt$}  {:<wk$}  {:<wa$}  {:<8}  DETAIL",
                "TOOL", "CHANGE", "ARGUMENT", "BREAKING"
            );
            for t in &self.changed {
                let name = if t.curated {
                    format!("{} *", t.name)
                } else {
                    t.name.clone()
                };
                for c in &t.changes {
                    let line = format!(
                        "  {:<wt$}  {:<wk$}  {:<wa$}  {:<8}  {}",
                        name,
                        c.kind.label(),
                        c.argument.as_deref().unwrap_or("-"),
                        if c.breaking { "yes" } else { "no" },
                        c.detail
                    );
                    let _ = writeln!(out, "{}", line.trim_end());
                }
            }
            if self.changed.iter().any(|t| t.curated) {
                let _ = writeln!(out, "  (* curated in {})", self.new_version);
            }
        }
        let _ = writeln!(
            out,
            "\nCURATED SET: {} in, {} out",
            self.curated.added.len(),
            self.curated.removed.len()
        );
        for n in &self.curated.added {
            let _ = writeln!(out, "  + {n}");
        }
        for n in &self.curated.removed {
            let _ = writeln!(out, "  - {n}");
        }
        let _ = writeln!(
            out,
            "\nCURATION CHANGED (how Windmill's own server lists a tool; not API changes): {}",
            self.curation.len()
        );
        for c in &self.curation {
            for line in &c.changes {
                let _ = writeln!(out, "  {}: {line}", c.name);
            }
        }
        let _ = writeln!(
            out,
            "\nOPERATIONS THE SERVER CALLS FOR SCRIPTS AND FLOWS, CHANGED: {}",
            self.runtime.len()
        );
        for n in &self.runtime {
            let _ = writeln!(out, "  ! {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lower(doc: Value) -> Api {
        let loaded = crate::load::Loaded {
            doc,
            root: "test.json".into(),
            files: Vec::new(),
        };
        match crate::lower::lower(&loaded) {
            Ok(api) => api,
            Err(e) => panic!("{e}"),
        }
    }

    fn spec(version: &str, ops: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": version},
            "paths": ops,
        })
    }

    fn get_op(id: &str, params: Value) -> Value {
        json!({"get": {"operationId": id, "parameters": params, "responses": {"200": {"description": "ok"}}}})
    }

    fn q(name: &str, schema: Value, required: bool) -> Value {
        json!({"name": name, "in": "query", "required": required, "schema": schema})
    }

    fn kinds(d: &ApiDiff, tool: &str) -> Vec<(ChangeKind, Option<String>, bool)> {
        d.changed
            .iter()
            .find(|t| t.name == tool)
            .map(|t| {
                t.changes
                    .iter()
                    .map(|c| (c.kind, c.argument.clone(), c.breaking))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn added_removed_and_argument_changes() {
        let old = lower(spec(
            "1",
            json!({
                "/a": get_op("listA", json!([
                    q("page", json!({"type": "integer"}), false),
                    q("kind", json!({"type": "string", "enum": ["x", "y"]}), false),
                    q("gone", json!({"type": "string"}), false),
                    q("tag", json!({"type": "string"}), true),
                ])),
                "/old": get_op("oldOne", json!([])),
            }),
        ));
        let new = lower(spec(
            "2",
            json!({
                "/a": get_op("listA", json!([
                    q("page", json!({"type": "number"}), false),
                    q("kind", json!({"type": "string", "enum": ["x", "z"]}), true),
                    q("extra", json!({"type": "boolean"}), false),
                    q("must", json!({"type": "boolean"}), true),
                    q("tag", json!({"type": "string"}), false),
                ])),
                "/new": get_op("newOne", json!([])),
            }),
        ));
        let d = diff(&old, &new);
        assert_eq!(
            d.added.iter().map(|t| &t.name).collect::<Vec<_>>(),
            ["newOne"]
        );
        assert_eq!(
            d.removed.iter().map(|t| &t.name).collect::<Vec<_>>(),
            ["oldOne"]
        );
        let k = kinds(&d, "listA");
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            k,
            vec![
                (ChangeKind::ArgumentAdded, s("extra"), false),
                (ChangeKind::ArgumentRemoved, s("gone"), true),
                (ChangeKind::BecameRequired, s("kind"), true),
                (ChangeKind::EnumValuesRemoved, s("kind"), true),
                (ChangeKind::EnumValuesAdded, s("kind"), false),
                (ChangeKind::ArgumentAdded, s("must"), true),
                (ChangeKind::TypeChanged, s("page"), false),
                (ChangeKind::BecameOptional, s("tag"), false),
            ]
        );
        assert_eq!(d.summary.breaking_changes, 4);
        assert_eq!(d.summary.breaking_tools, 1);
        let table = d.to_table();
        assert!(table.contains("integer → number (widened)"), "{table}");
        let back: ApiDiff = match serde_json::from_str(&d.to_json()) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back, d);
    }

    #[test]
    fn renames_are_found_conservatively() {
        let described = json!({"type": "string", "description": "The script's hash."});
        let old = lower(spec(
            "1",
            json!({
                "/a": get_op("op", json!([
                    q("hash", described.clone(), false),
                    q("a", json!({"type": "string"}), false),
                ])),
            }),
        ));
        let new = lower(spec(
            "2",
            json!({
                "/a": get_op("op", json!([
                    q("script_hash", described, false),
                    q("b", json!({"type": "string"}), false),
                ])),
            }),
        ));
        let d = diff(&old, &new);
        let k = kinds(&d, "op");
        let s = |x: &str| Some(x.to_owned());
        // `hash` → `script_hash` (same documented schema); `a`/`b` are bare strings: no guess.
        assert_eq!(
            k,
            vec![
                (ChangeKind::ArgumentRemoved, s("a"), true),
                (ChangeKind::ArgumentAdded, s("b"), false),
                (ChangeKind::ArgumentRenamed, s("script_hash"), true),
            ]
        );
    }

    #[test]
    fn wire_renames_method_path_and_output() {
        let op_old = json!({"post": {"operationId": "upd",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["path"], "properties": {"path": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"a": {"type": "string"}}}}}}}}});
        let op_new = json!({"put": {"operationId": "upd",
            "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["path"], "properties": {"path": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}}}}}}});
        let old = lower(spec("1", json!({"/u": op_old})));
        let new = lower(spec("2", json!({"/u/{path}": op_new})));
        let d = diff(&old, &new);
        let k = kinds(&d, "upd");
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            k,
            vec![
                (ChangeKind::MethodChanged, None, true),
                (ChangeKind::PathChanged, None, true),
                (ChangeKind::ArgumentRenamed, s("body_path"), true),
                (ChangeKind::BecameOptional, s("body_path"), false),
                (ChangeKind::ArgumentAdded, s("path"), true),
                (ChangeKind::OutputSchemaChanged, None, false),
            ]
        );
        let out = d.changed[0].changes.last().map(|c| c.detail.clone());
        assert_eq!(out.as_deref(), Some("properties added: b"));
    }

    #[test]
    fn identical_apis_have_no_changes() {
        let api = lower(spec("1", json!({"/a": get_op("a", json!([]))})));
        let d = diff(&api, &api);
        assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
        assert_eq!(d.summary.old_tools, 1);
    }
}

#[cfg(test)]
mod curation_tests {
    use super::*;
    use serde_json::json;

    fn view(version: &str, full: Value, curated_name: &str, curated: Value) -> ApiView {
        ApiView {
            version: version.into(),
            tools: vec![ToolView {
                name: "createAppRawSource".into(),
                method: "POST".into(),
                path: "/w/{workspace}/apps/create_raw_source".into(),
                curated: true,
                deprecated: false,
                input_schema: full,
                output_schema: None,
                wire: BTreeMap::new(),
                curation: Some(CurationView {
                    name: curated_name.into(),
                    description: String::new(),
                    input_schema: curated,
                }),
            }],
        }
    }

    #[test]
    fn curation_edits_are_not_api_changes() {
        let full = json!({"type": "object", "properties": {"path": {"type": "string"}, "tag": {"type": "string"}}, "required": ["path"]});
        let old = view(
            "1",
            full.clone(),
            "createAppRawSource",
            json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}),
        );
        let new = view("2", full.clone(), "createApp", full);
        let d = diff_views(&old, &new);
        assert!(d.changed.is_empty(), "{:?}", d.changed);
        assert_eq!(d.summary.curation_changed, 1);
        assert_eq!(
            d.curation[0].changes,
            [
                "listed as `createApp` (was `createAppRawSource`)",
                "arguments now listed: `tag`"
            ]
        );
        // An argument the API itself adds is an API change, not a curation change.
        let grown = json!({"type": "object", "properties": {"path": {"type": "string"}, "tag": {"type": "string"}, "labels": {"type": "array"}}, "required": ["path"]});
        let newer = view("3", grown.clone(), "createApp", grown);
        let d = diff_views(&new, &newer);
        assert!(d.curation.is_empty(), "{:?}", d.curation);
        assert_eq!(d.changed.len(), 1);
    }
}
