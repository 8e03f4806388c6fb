//! Client profiles: the same tools in the JSON-Schema subset a strict client accepts.
//!
//! * `full` (default): the schemas as generated (in `tools/list`, their compact form: see
//!   [`crate::listing::compact::compact_tool`]);
//! * `openai`: OpenAI's strict function calling (every object closed and fully `required`, optional
//!   properties nullable, only the documented keywords);
//! * `gemini`: the OpenAPI-3.0 subset of Gemini function declarations (one `type` + `nullable`, no
//!   `additionalProperties`/`default`/`const`...).
//!
//! A profiled `tools/list` derives from the compact listed form; `describe_endpoint` profiles the full
//! schema. Free-form objects (no properties) cannot be strict: they become strings holding JSON text.
//! At call time [`unprofile_args`] maps arguments back (optional `null`s removed, JSON text parsed
//! where the full schema wants an object or array) before the usual validation against the full
//! schema. That mapping runs for every profile: it never touches an argument the full schema accepts
//! as sent.

use rmcp::model::JsonObject;
use serde_json::{json, Map, Value};

/// A client profile name that is none of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown client profile `{0}`: use full, openai or gemini")]
pub struct UnknownProfile(pub String);

/// Which schema dialect a client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    #[default]
    Full,
    OpenAi,
    Gemini,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Full, Profile::OpenAi, Profile::Gemini];

    pub fn parse(text: &str) -> Result<Self, UnknownProfile> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "full" => Ok(Profile::Full),
            "openai" => Ok(Profile::OpenAi),
            "gemini" => Ok(Profile::Gemini),
            other => Err(UnknownProfile(crate::text::ellipsize(other, 40))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Full => "full",
            Profile::OpenAi => "openai",
            Profile::Gemini => "gemini",
        }
    }
}

/// Nested objects deeper than this become JSON text in the openai profile (OpenAI allows 10 levels).
const OPENAI_MAX_DEPTH: usize = 8;

const JSON_TEXT_NOTE: &str = "Give it as JSON text (a string holding the JSON value).";

/// The input schema of a tool in a profile.
pub fn transform(schema: &JsonObject, profile: Profile) -> JsonObject {
    match profile {
        Profile::Full => schema.clone(),
        Profile::OpenAi | Profile::Gemini => {
            let root = Value::Object(schema.clone());
            let root = flatten_all_of(&root);
            let props = root.get("properties").and_then(Value::as_object);
            let required = required_of(&root);
            let mut out = Map::new();
            out.insert("type".into(), json!("object"));
            if let Some(d) = root.get("description") {
                out.insert("description".into(), d.clone());
            }
            let mut new_props = Map::new();
            for (k, v) in props.into_iter().flatten() {
                let optional = !required.contains(&k.as_str());
                new_props.insert(k.clone(), sub(v, profile, optional, 1));
            }
            match profile {
                Profile::OpenAi => {
                    let keys: Vec<Value> = new_props.keys().map(|k| json!(k)).collect();
                    out.insert("properties".into(), Value::Object(new_props));
                    out.insert("required".into(), Value::Array(keys));
                    out.insert("additionalProperties".into(), json!(false));
                }
                _ => {
                    let req: Vec<Value> = required
                        .iter()
                        .filter(|r| new_props.contains_key(**r))
                        .map(|r| json!(r))
                        .collect();
                    if !new_props.is_empty() {
                        out.insert("properties".into(), Value::Object(new_props));
                    }
                    if !req.is_empty() {
                        out.insert("required".into(), Value::Array(req));
                    }
                }
            }
            out
        }
    }
}

fn required_of(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Merges `allOf` members into their parent (properties and `required` united, else first wins).
fn flatten_all_of(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let Some(members) = obj.get("allOf").and_then(Value::as_array) else {
        return schema.clone();
    };
    let mut out = obj.clone();
    out.remove("allOf");
    for m in members {
        let m = flatten_all_of(m);
        let Some(mo) = m.as_object() else { continue };
        for (k, v) in mo {
            match (k.as_str(), out.get_mut(k)) {
                ("properties", Some(Value::Object(p))) => {
                    if let Value::Object(vp) = v {
                        for (pk, pv) in vp {
                            p.entry(pk.clone()).or_insert_with(|| pv.clone());
                        }
                    }
                }
                ("required", Some(Value::Array(r))) => {
                    for x in v.as_array().into_iter().flatten() {
                        if !r.contains(x) {
                            r.push(x.clone());
                        }
                    }
                }
                (_, Some(_)) => {}
                (_, None) => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// The types a schema names (`type` string or array), or inferred from `properties`/`items`.
fn types_of(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ if schema.get("properties").is_some() => vec!["object".into()],
        _ if schema.get("items").is_some() => vec!["array".into()],
        _ => Vec::new(),
    }
}

fn with_note(desc: Option<&Value>, note: &str) -> Value {
    match desc.and_then(Value::as_str) {
        Some(d) if !d.is_empty() => json!(format!("{d} {note}")),
        _ => json!(note),
    }
}

/// What every part of [`sub`] needs to know about the schema at hand.
struct At<'a> {
    profile: Profile,
    /// Its description, carried over.
    desc: Option<&'a Value>,
    /// Whether it may be `null` in the profiled schema (optional in openai, or nullable).
    nullable: bool,
    depth: usize,
}

/// A property schema in a profile; `optional` properties become nullable (openai).
fn sub(schema: &Value, profile: Profile, optional: bool, depth: usize) -> Value {
    let schema = flatten_all_of(schema);
    let desc = schema.get("description");
    // oneOf → anyOf; a single branch is inlined.
    let branches = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    if let Some(branches) = branches {
        return sub_branches(branches, desc, profile, optional, depth);
    }
    let mut types = types_of(&schema);
    let had_null = types.iter().any(|t| t == "null");
    types.retain(|t| t != "null");
    let enum_vals = schema
        .get("enum")
        .cloned()
        .or_else(|| schema.get("const").map(|c| json!([c])));
    if types.is_empty() {
        if let Some(Value::Array(vals)) = &enum_vals {
            // An untyped enum: type it after its values when they agree.
            if vals.iter().all(Value::is_string) {
                types.push("string".into());
            }
        }
    }
    let at = At {
        profile,
        desc,
        nullable: (optional && profile == Profile::OpenAi) || had_null,
        depth,
    };
    let out = match types.as_slice() {
        [t] if t == "object" => sub_object(&schema, &at),
        [t] if t == "array" => Some(sub_array(&schema, &at)),
        [t] if matches!(t.as_str(), "string" | "integer" | "number" | "boolean") => {
            Some(sub_scalar(&schema, t, enum_vals.as_ref(), &at))
        }
        // Untyped, several types, or an object that cannot be strict: JSON text.
        _ => None,
    };
    let mut v = out.unwrap_or_else(|| json_text(desc, profile, false));
    make_nullable(&mut v, profile, at.nullable);
    v
}

/// `anyOf`/`oneOf` branches: a `null` branch becomes nullability, equal branches merge, a single
/// one is inlined.
fn sub_branches(
    branches: &[Value],
    desc: Option<&Value>,
    profile: Profile,
    optional: bool,
    depth: usize,
) -> Value {
    let mut has_null = false;
    let mut out_branches: Vec<Value> = Vec::new();
    for b in branches {
        if types_of(b) == ["null"] {
            has_null = true;
            continue;
        }
        let t = sub(b, profile, false, depth);
        if !out_branches.contains(&t) {
            out_branches.push(t);
        }
    }
    let mut out = match out_branches.len() {
        0 => json_text(desc, profile, true),
        1 => out_branches.pop().unwrap_or_default(),
        _ => json!({ "anyOf": out_branches }),
    };
    if let (Some(d), Some(o)) = (desc, out.as_object_mut()) {
        o.insert("description".into(), d.clone());
    }
    if has_null || optional {
        let nullable = has_null || (optional && profile == Profile::OpenAi);
        make_nullable(&mut out, profile, nullable);
    }
    out
}

/// An object with properties (closed and fully required in openai); `None` for a free-form object
/// or one nested too deep, which become JSON text.
fn sub_object(schema: &Value, at: &At<'_>) -> Option<Value> {
    let p = schema.get("properties").and_then(Value::as_object)?;
    let too_deep = at.profile == Profile::OpenAi && at.depth >= OPENAI_MAX_DEPTH;
    if p.is_empty() || too_deep {
        return None;
    }
    let required = required_of(schema);
    let mut np = Map::new();
    for (k, v) in p {
        np.insert(
            k.clone(),
            sub(v, at.profile, !required.contains(&k.as_str()), at.depth + 1),
        );
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    if let Some(d) = at.desc {
        out.insert("description".into(), d.clone());
    }
    if at.profile == Profile::OpenAi {
        let keys: Vec<Value> = np.keys().map(|k| json!(k)).collect();
        out.insert("properties".into(), Value::Object(np));
        out.insert("required".into(), Value::Array(keys));
        out.insert("additionalProperties".into(), json!(false));
    } else {
        let req: Vec<Value> = required
            .iter()
            .filter(|r| np.contains_key(**r))
            .map(|r| json!(r))
            .collect();
        out.insert("properties".into(), Value::Object(np));
        if !req.is_empty() {
            out.insert("required".into(), Value::Array(req));
        }
    }
    Some(Value::Object(out))
}

fn sub_array(schema: &Value, at: &At<'_>) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("array"));
    if let Some(d) = at.desc {
        out.insert("description".into(), d.clone());
    }
    let items = schema.get("items").cloned().unwrap_or(json!({}));
    out.insert("items".into(), sub(&items, at.profile, false, at.depth + 1));
    for k in ["minItems", "maxItems"] {
        if let Some(v) = schema.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// The formats a profile keeps on a scalar of type `t`.
fn keeps_format(profile: Profile, t: &str, f: &str) -> bool {
    match (profile, t) {
        (Profile::OpenAi, "string") => matches!(
            f,
            "date-time"
                | "time"
                | "date"
                | "duration"
                | "email"
                | "hostname"
                | "ipv4"
                | "ipv6"
                | "uuid"
        ),
        (Profile::Gemini, "string") => f == "date-time",
        (Profile::Gemini, "integer") => matches!(f, "int32" | "int64"),
        (Profile::Gemini, "number") => matches!(f, "float" | "double"),
        _ => false,
    }
}

fn sub_scalar(schema: &Value, t: &str, enum_vals: Option<&Value>, at: &At<'_>) -> Value {
    let profile = at.profile;
    let mut out = Map::new();
    out.insert("type".into(), json!(t));
    if let Some(d) = at.desc {
        out.insert("description".into(), d.clone());
    }
    let keep: &[&str] = match (profile, t) {
        (Profile::OpenAi, "string") => &["pattern"],
        (Profile::OpenAi, "integer" | "number") => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
        (Profile::Gemini, "integer" | "number") => &["minimum", "maximum"],
        _ => &[],
    };
    for k in keep {
        if let Some(v) = schema.get(*k) {
            out.insert((*k).into(), v.clone());
        }
    }
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        if keeps_format(profile, t, f) {
            out.insert("format".into(), json!(f));
        }
    }
    if let Some(Value::Array(vals)) = enum_vals {
        let fits = match t {
            "string" => vals.iter().all(Value::is_string),
            "integer" => vals.iter().all(|v| v.is_i64() || v.is_u64()),
            "number" => vals.iter().all(Value::is_number),
            _ => vals.iter().all(Value::is_boolean),
        };
        if fits && (profile == Profile::OpenAi || t == "string") {
            out.insert("enum".into(), Value::Array(vals.clone()));
        }
    }
    Value::Object(out)
}

fn json_text(desc: Option<&Value>, _profile: Profile, _any: bool) -> Value {
    json!({ "type": "string", "description": with_note(desc, JSON_TEXT_NOTE) })
}

/// Lets a profiled schema accept `null`.
fn make_nullable(schema: &mut Value, profile: Profile, yes: bool) {
    if !yes {
        return;
    }
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    match profile {
        Profile::Full => {}
        Profile::Gemini => {
            o.insert("nullable".into(), json!(true));
        }
        Profile::OpenAi => {
            if let Some(Value::Array(branches)) = o.get_mut("anyOf") {
                if !branches
                    .iter()
                    .any(|b| b.get("type") == Some(&json!("null")))
                {
                    branches.push(json!({"type": "null"}));
                }
                return;
            }
            if let Some(t) = o.get("type").cloned() {
                let mut ts = match t {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                if !ts.contains(&json!("null")) {
                    ts.push(json!("null"));
                }
                o.insert("type".into(), Value::Array(ts));
            }
            if let Some(Value::Array(vals)) = o.get_mut("enum") {
                if !vals.contains(&Value::Null) {
                    vals.push(Value::Null);
                }
            }
        }
    }
}

/// An argument sent as JSON text that is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("argument `{arg}`: expected {expected}, got a string that is not JSON text ({reason})")]
pub struct NotJsonText {
    /// The argument, dotted for nested ones (`body.items.0`).
    pub arg: String,
    /// `an object` or `an array`.
    pub expected: &'static str,
    pub reason: String,
}

/// Maps a profiled client's arguments back towards the full schema: an optional property sent as
/// `null` (which the full schema does not accept) is removed, and JSON text where the full schema wants
/// an object or array (and no string) is parsed. Err: the argument whose text does not parse.
pub fn unprofile_args(args: &mut JsonObject, schema: &JsonObject) -> Result<(), NotJsonText> {
    let root = flatten_all_of(&Value::Object(schema.clone()));
    fix_object(args, &root, "")
}

fn fix_object(obj: &mut JsonObject, schema: &Value, path: &str) -> Result<(), NotJsonText> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    let required = required_of(schema);
    let keys: Vec<String> = obj.keys().cloned().collect();
    for k in keys {
        let Some(ps) = props.get(&k) else { continue };
        let ps = flatten_all_of(ps);
        let p = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if obj.get(&k) == Some(&Value::Null) {
            if !required.contains(&k.as_str()) && !accepts(&ps, "null") {
                obj.remove(&k);
            }
            continue;
        }
        if let Some(v) = obj.get_mut(&k) {
            fix_value(v, &ps, &p)?;
        }
    }
    Ok(())
}

fn fix_value(v: &mut Value, schema: &Value, path: &str) -> Result<(), NotJsonText> {
    if let Value::String(s) = v {
        if !accepts(schema, "string") && (accepts(schema, "object") || accepts(schema, "array")) {
            let parsed: Value = serde_json::from_str(s).map_err(|e| NotJsonText {
                arg: path.to_owned(),
                expected: if accepts(schema, "object") {
                    "an object"
                } else {
                    "an array"
                },
                reason: e.to_string(),
            })?;
            *v = parsed;
        } else {
            return Ok(());
        }
    }
    match v {
        Value::Object(o) => fix_object(o, schema, path),
        Value::Array(items) => {
            if let Some(is) = schema.get("items") {
                let is = flatten_all_of(is);
                for (i, it) in items.iter_mut().enumerate() {
                    fix_value(it, &is, &format!("{path}.{i}"))?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether a value of JSON type `kind` may satisfy the schema (a loose check on `type`).
fn accepts(schema: &Value, kind: &str) -> bool {
    if let Some(Value::Array(bs)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        return bs.iter().any(|b| accepts(&flatten_all_of(b), kind));
    }
    if let Some(Value::Array(vals)) = schema.get("enum") {
        return vals.iter().any(|v| json_kind(v) == kind);
    }
    if let Some(c) = schema.get("const") {
        return json_kind(c) == kind;
    }
    let types = types_of(schema);
    if types.is_empty() {
        return true;
    }
    types
        .iter()
        .any(|t| t == kind || (t == "number" && kind == "integer"))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Problems of a profiled schema against the profile's rules (empty: fine). Used by tests.
pub fn check(schema: &Value, profile: Profile) -> Vec<String> {
    let mut out = Vec::new();
    check_at(schema, profile, "#", true, &mut out);
    out
}

fn check_at(s: &Value, profile: Profile, at: &str, root: bool, out: &mut Vec<String>) {
    let Some(o) = s.as_object() else {
        out.push(format!("{at}: not an object"));
        return;
    };
    if root && o.get("type") != Some(&json!("object")) {
        out.push(format!("{at}: root is not type object"));
    }
    let allowed: &[&str] = match profile {
        Profile::Full => return,
        Profile::OpenAi => &[
            "type",
            "description",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "enum",
            "anyOf",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minItems",
            "maxItems",
        ],
        Profile::Gemini => &[
            "type",
            "description",
            "properties",
            "required",
            "items",
            "enum",
            "anyOf",
            "format",
            "minimum",
            "maximum",
            "minItems",
            "maxItems",
            "nullable",
        ],
    };
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            out.push(format!("{at}: keyword `{k}` not allowed"));
        }
    }
    let types: Vec<&str> = match o.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) if profile == Profile::OpenAi => {
            a.iter().filter_map(Value::as_str).collect()
        }
        Some(other) => {
            out.push(format!("{at}: type {other} not allowed"));
            Vec::new()
        }
        None => {
            if o.get("anyOf").is_none() {
                out.push(format!("{at}: neither type nor anyOf"));
            }
            Vec::new()
        }
    };
    if let Some(Value::Array(bs)) = o.get("anyOf") {
        for (i, b) in bs.iter().enumerate() {
            check_at(b, profile, &format!("{at}/anyOf/{i}"), false, out);
        }
    }
    if types.contains(&"object") {
        let props = o.get("properties").and_then(Value::as_object);
        match profile {
            Profile::OpenAi => {
                if o.get("additionalProperties") != Some(&json!(false)) {
                    out.push(format!("{at}: object without additionalProperties: false"));
                }
                let req = o.get("required").and_then(Value::as_array);
                let keys: Vec<&String> = props.map(|p| p.keys().collect()).unwrap_or_default();
                let all = req.is_some_and(|r| {
                    r.len() == keys.len() && keys.iter().all(|k| r.contains(&json!(k)))
                });
                if !all {
                    out.push(format!("{at}: required does not list every property"));
                }
                if props.is_none() && !root {
                    out.push(format!("{at}: object without properties"));
                }
            }
            _ => {
                if props.is_none_or(Map::is_empty) && !root {
                    out.push(format!("{at}: object without properties"));
                }
            }
        }
        for (k, v) in props.into_iter().flatten() {
            check_at(v, profile, &format!("{at}/properties/{k}"), false, out);
        }
    }
    if types.contains(&"array") {
        match o.get("items") {
            Some(i) => check_at(i, profile, &format!("{at}/items"), false, out),
            None => out.push(format!("{at}: array without items")),
        }
    }
    if let Some(Value::Array(vals)) = o.get("enum") {
        if profile == Profile::Gemini && !types.contains(&"string") {
            out.push(format!("{at}: enum on a non-string"));
        }
        if profile == Profile::OpenAi && types.contains(&"null") && !vals.contains(&Value::Null) {
            out.push(format!("{at}: nullable enum without null"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> JsonObject {
        v.as_object().cloned().expect("object")
    }

    fn sample() -> JsonObject {
        obj(json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "minLength": 1, "title": "Path"},
                "body": {"type": "object", "description": "The arguments", "additionalProperties": true},
                "per_page": {"type": "integer", "default": 10, "minimum": 1},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "level": {"type": "integer", "enum": [1, 2]},
                "tags": {"type": "array", "items": {"type": "string", "format": "byte"}},
                "when": {"type": ["string", "null"], "format": "date-time"},
                "inner": {"allOf": [{"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}]}
            },
            "required": ["path"],
            "additionalProperties": false
        }))
    }

    #[test]
    fn openai_closes_objects_and_makes_optional_nullable() {
        let s = Value::Object(transform(&sample(), Profile::OpenAi));
        assert!(
            check(&s, Profile::OpenAi).is_empty(),
            "{:?}",
            check(&s, Profile::OpenAi)
        );
        assert_eq!(s["properties"]["path"], json!({"type": "string"}));
        assert_eq!(
            s["properties"]["per_page"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(s["properties"]["body"]["type"], json!(["string", "null"]));
        assert!(s["properties"]["body"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("JSON text")));
        assert_eq!(s["properties"]["kind"]["enum"], json!(["a", "b", null]));
        assert_eq!(s["properties"]["inner"]["required"], json!(["x"]));
        assert_eq!(s["required"].as_array().map(Vec::len), Some(8));
    }

    #[test]
    fn gemini_uses_nullable_and_string_enums_only() {
        let s = Value::Object(transform(&sample(), Profile::Gemini));
        assert!(
            check(&s, Profile::Gemini).is_empty(),
            "{:?}",
            check(&s, Profile::Gemini)
        );
        assert_eq!(
            s["properties"]["when"],
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
        assert!(s["properties"]["level"].get("enum").is_none());
        assert_eq!(s["required"], json!(["path"]));
        assert!(s.get("additionalProperties").is_none());
    }

    #[test]
    fn full_is_unchanged() {
        assert_eq!(transform(&sample(), Profile::Full), sample());
    }

    #[test]
    fn arguments_are_mapped_back() {
        let mut a = obj(
            json!({"path": "f/x", "per_page": null, "body": "{\"name\":\"x\"}", "when": null, "inner": "{\"x\":\"y\"}"}),
        );
        unprofile_args(&mut a, &sample()).expect("maps");
        assert_eq!(
            Value::Object(a),
            json!({"path": "f/x", "body": {"name": "x"}, "when": null, "inner": {"x": "y"}})
        );
        let mut bad = obj(json!({"path": "f/x", "body": "{not json"}));
        let e = unprofile_args(&mut bad, &sample())
            .expect_err("bad JSON")
            .to_string();
        assert!(e.contains("`body`") && e.contains("an object"), "{e}");
        // What the full schema accepts stays as sent (a required null, strings for strings).
        let mut same = obj(json!({"path": null, "kind": "{\"a\":1}"}));
        unprofile_args(&mut same, &sample()).expect("maps");
        assert_eq!(
            Value::Object(same),
            json!({"path": null, "kind": "{\"a\":1}"})
        );
    }
}
