//! A Windmill script or flow argument schema → an MCP tool input schema (JSON Schema 2020-12).
//!
//! * Properties come in Windmill's `order` first, then the rest in the order Windmill sent them.
//! * Kept: `type` (`integer` stays `integer`), `required`, `enum`, non-null `default`,
//!   `description`, `title`, standard `format`s, length/range/item bounds, `pattern`, nested
//!   `properties`/`items`, `oneOf`/`anyOf`, `contentEncoding`. Windmill's `nullable` becomes
//!   `"null"` in `type`.
//! * Dropped: keys only Windmill's UI uses (`enumLabels`, `originalType`, `placeholder`,
//!   `password`, `showExpr`, `customErrorMessage`, `disableCreate`, ...), and anything else not
//!   in the list above.
//! * `format: resource-<type>` (a resource argument) → a string `$res:<path>` with up to
//!   [`MAX_RESOURCE_CHOICES`] of the workspace's resources of that type as `examples`.
//!   `resource-s3_object` stays an object `{"s3": "<key>"}`.
//! * Top-level property names a client would reject (outside `^[a-zA-Z0-9_.-]{1,64}$`) are renamed
//!   (invalid characters → `_`, plus a hash) and mapped back when the tool is called; `required`
//!   uses the new names.
//! * The top level gets `additionalProperties: false`: a misspelt argument is reported, not lost.
//!
//! Output is a pure function of the input: same schema and resources, same bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// Resources offered per resource argument.
pub const MAX_RESOURCE_CHOICES: usize = 20;

/// Keys kept on a property, in output order.
const KEPT: &[&str] = &[
    "type",
    "title",
    "description",
    "format",
    "enum",
    "const",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contentEncoding",
    "contentMediaType",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "examples",
];

/// Formats JSON Schema defines (others, e.g. Windmill's `sql-*` hints, are dropped).
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// A converted schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Converted {
    pub schema: Map<String, Value>,
    /// `(name in the tool schema, Windmill's argument name)` for renamed top-level properties.
    pub renames: Vec<(String, String)>,
}

/// Resource types used by `format: resource-<type>` anywhere in the schema (not S3 objects).
pub fn resource_types(schema: Option<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(o) => {
                if let Some(t) = o
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(|f| f.strip_prefix("resource-"))
                {
                    if t != "s3_object" && !t.is_empty() {
                        out.insert(t.to_owned());
                    }
                }
                for v in o.values() {
                    walk(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    if let Some(s) = schema {
        walk(s, &mut out);
    }
    out
}

/// Converts a Windmill schema. `resources` maps a resource type to resource paths (sorted).
pub fn convert(schema: Option<&Value>, resources: &BTreeMap<String, Vec<String>>) -> Converted {
    let empty = Map::new();
    let root = schema.and_then(Value::as_object).unwrap_or(&empty);
    let props = root
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut renames = Vec::new();
    let mut taken: BTreeSet<String> = props
        .keys()
        .filter(|k| valid_property_name(k))
        .cloned()
        .collect();
    let mut rename_of: BTreeMap<String, String> = BTreeMap::new();
    let mut out_props = Map::new();
    for key in ordered_keys(root, props) {
        let Some(p) = props.get(&key) else { continue };
        let listed = if valid_property_name(&key) {
            key.clone()
        } else {
            let n = rename(&key, &taken);
            taken.insert(n.clone());
            renames.push((n.clone(), key.clone()));
            rename_of.insert(key.clone(), n.clone());
            n
        };
        let mut converted = property(p, resources);
        if listed != key {
            if let Value::Object(o) = &mut converted {
                let note = format!("(Windmill argument `{key}`.)");
                let d = match o.get("description").and_then(Value::as_str) {
                    Some(d) if !d.is_empty() => format!("{d} {note}"),
                    _ => note,
                };
                insert_ordered(o, "description", Value::String(d));
            }
        }
        out_props.insert(listed, converted);
    }
    let required: Vec<Value> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            let mut seen = BTreeSet::new();
            r.iter()
                .filter_map(Value::as_str)
                .filter(|k| props.contains_key(*k))
                .map(|k| rename_of.get(k).cloned().unwrap_or_else(|| k.to_owned()))
                .filter(|k| seen.insert(k.clone()))
                .map(Value::String)
                .collect()
        })
        .unwrap_or_default();
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(out_props));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), Value::Bool(false));
    Converted { schema, renames }
}

/// Property names in Windmill's `order`, then the others in their given order.
fn ordered_keys(root: &Map<String, Value>, props: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(props.len());
    if let Some(order) = root.get("order").and_then(Value::as_array) {
        for k in order.iter().filter_map(Value::as_str) {
            if props.contains_key(k) && !keys.iter().any(|x| x == k) {
                keys.push(k.to_owned());
            }
        }
    }
    for k in props.keys() {
        if !keys.iter().any(|x| x == k) {
            keys.push(k.clone());
        }
    }
    keys
}

pub fn valid_property_name(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn rename(key: &str, taken: &BTreeSet<String>) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let base: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    let mut n = format!("{base}_{h:08x}");
    let mut i = 2;
    while taken.contains(&n) {
        n = format!("{base}_{h:08x}_{i}");
        i += 1;
    }
    n
}

fn insert_ordered(o: &mut Map<String, Value>, key: &str, value: Value) {
    o.insert(key.to_owned(), value);
    let mut sorted = Map::new();
    for k in KEPT {
        if let Some(v) = o.remove(*k) {
            sorted.insert((*k).to_owned(), v);
        }
    }
    *o = sorted;
}

/// One property (or nested schema).
fn property(p: &Value, resources: &BTreeMap<String, Vec<String>>) -> Value {
    let Some(o) = p.as_object() else {
        return json!({});
    };
    let format = o.get("format").and_then(Value::as_str).unwrap_or("");
    if let Some(rt) = format.strip_prefix("resource-") {
        return resource_property(o, rt, resources);
    }
    let mut out = Map::new();
    for key in KEPT {
        let Some(v) = o.get(*key) else { continue };
        let v = match *key {
            "type" => match clean_type(v) {
                Some(t) => t,
                None => continue,
            },
            "description" | "title" => match v.as_str() {
                Some(s) if !s.trim().is_empty() => Value::String(s.trim().to_owned()),
                _ => continue,
            },
            "format" => match v.as_str() {
                Some(f) if STANDARD_FORMATS.contains(&f) => v.clone(),
                _ => continue,
            },
            "enum" => match v.as_array() {
                Some(a) if !a.is_empty() => Value::Array(unique(a)),
                _ => continue,
            },
            "default" if v.is_null() => continue,
            "pattern" => match v.as_str() {
                Some(p) if !p.is_empty() && pattern_compiles(p) => v.clone(),
                _ => continue,
            },
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => match v {
                Value::Number(_) => v.clone(),
                _ => continue,
            },
            "multipleOf" => match v.as_f64() {
                Some(n) if n > 0.0 => v.clone(),
                _ => continue,
            },
            "minLength" | "maxLength" | "minItems" | "maxItems" => match v.as_u64() {
                Some(_) => v.clone(),
                _ => continue,
            },
            "uniqueItems" => match v {
                Value::Bool(_) => v.clone(),
                _ => continue,
            },
            "contentEncoding" | "contentMediaType" => match v {
                Value::String(_) => v.clone(),
                _ => continue,
            },
            "examples" => match v {
                Value::Array(_) => v.clone(),
                _ => continue,
            },
            "items" => match v {
                Value::Object(_) => property(v, resources),
                _ => continue,
            },
            "properties" => {
                let Some(props) = v.as_object() else { continue };
                let mut np = Map::new();
                for k in ordered_keys(o, props) {
                    if let Some(pv) = props.get(&k) {
                        np.insert(k, property(pv, resources));
                    }
                }
                Value::Object(np)
            }
            "required" => {
                let names: Vec<Value> = v
                    .as_array()
                    .map(|a| unique(a).into_iter().filter(Value::is_string).collect())
                    .unwrap_or_default();
                if names.is_empty() {
                    continue;
                }
                Value::Array(names)
            }
            "additionalProperties" => match v {
                Value::Bool(_) => v.clone(),
                Value::Object(_) => property(v, resources),
                _ => continue,
            },
            "oneOf" | "anyOf" => match v.as_array() {
                Some(a) if !a.is_empty() => {
                    Value::Array(a.iter().map(|x| property(x, resources)).collect())
                }
                _ => continue,
            },
            _ => v.clone(),
        };
        out.insert((*key).to_owned(), v);
    }
    if o.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get_mut("type") {
            Some(Value::String(t)) if t != "null" => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(a)) if !a.contains(&json!("null")) => a.push(json!("null")),
            _ => {}
        }
    }
    // Windmill writes `"type": "object"` with no properties for free-form objects: fine as is.
    Value::Object(out)
}

/// JSON Schema's type names.
const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// A `type` value with only known type names, each once; `None` when nothing is left.
fn clean_type(v: &Value) -> Option<Value> {
    match v {
        Value::String(t) if TYPES.contains(&t.as_str()) => Some(v.clone()),
        Value::Array(a) => {
            let mut names: Vec<Value> = Vec::new();
            for t in a
                .iter()
                .filter(|t| t.as_str().is_some_and(|t| TYPES.contains(&t)))
            {
                if !names.contains(t) {
                    names.push(t.clone());
                }
            }
            match names.len() {
                0 => None,
                1 => names.pop(),
                _ => Some(Value::Array(names)),
            }
        }
        _ => None,
    }
}

/// The values of `a`, each once, in their first order.
fn unique(a: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(a.len());
    for v in a {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Whether the validator accepts `p` as a `pattern` (an invalid regex would make the whole tool
/// schema invalid; such a pattern is dropped instead).
fn pattern_compiles(p: &str) -> bool {
    jsonschema::draft202012::new(&json!({"type": "string", "pattern": p})).is_ok()
}

fn resource_property(
    o: &Map<String, Value>,
    rt: &str,
    resources: &BTreeMap<String, Vec<String>>,
) -> Value {
    let given = o
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let mut out = Map::new();
    if rt == "s3_object" {
        out.insert("type".into(), json!("object"));
        let d = "An S3 object of the workspace storage: {\"s3\": \"<object key>\"}.";
        out.insert(
            "description".into(),
            json!(given.map_or(d.to_owned(), |g| format!("{g} {d}"))),
        );
        out.insert(
            "properties".into(),
            json!({
                "s3": {"type": "string", "description": "The object key."},
                "storage": {"type": "string", "description": "A secondary storage name (optional)."}
            }),
        );
        out.insert("required".into(), json!(["s3"]));
        return Value::Object(out);
    }
    let choices: Vec<String> = resources
        .get(rt)
        .map(|v| {
            v.iter()
                .take(MAX_RESOURCE_CHOICES)
                .map(|p| format!("$res:{p}"))
                .collect()
        })
        .unwrap_or_default();
    out.insert("type".into(), json!("string"));
    let mut d = format!("A `{rt}` resource, given as `$res:<resource path>`.");
    if let Some(g) = given {
        d = format!("{g} {d}");
    }
    if choices.is_empty() {
        d.push_str(" No resource of this type is visible to this token.");
    }
    out.insert("description".into(), Value::String(d));
    out.insert("pattern".into(), json!("^\\$res:.+"));
    if !choices.is_empty() {
        out.insert("examples".into(), json!(choices));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windmill_schema() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "order": ["zeta", "alpha", "db", "file"],
            "properties": {
                "alpha": {"type": "integer", "description": "", "default": null, "originalType": "integer", "placeholder": "x"},
                "zeta": {"type": "string", "enum": ["a", "b"], "enumLabels": {"a": "A"}, "default": "a", "description": "Zeta — ünïcode"},
                "db": {"type": "object", "format": "resource-postgresql", "description": "main db"},
                "file": {"type": "object", "format": "resource-s3_object"},
                "opt": {"type": "string", "nullable": true, "format": "email", "password": true},
                "nested": {"type": "object", "properties": {"b": {"type": "number"}, "a": {"type": "array", "items": {"type": "string", "enum": ["x"]}}}, "required": ["a"]},
                "choice": {"type": "object", "oneOf": [{"type": "object", "title": "One", "properties": {"label": {"type": "string", "enum": ["One"]}}}]},
                "bad key!": {"type": "boolean"}
            },
            "required": ["zeta", "db", "bad key!", "ghost"]
        })
    }

    #[test]
    fn order_required_enums_resources() {
        let mut res = BTreeMap::new();
        res.insert(
            "postgresql".to_string(),
            vec!["f/db/main".to_string(), "u/me/dev".to_string()],
        );
        let s = windmill_schema();
        assert_eq!(
            resource_types(Some(&s)).into_iter().collect::<Vec<_>>(),
            vec!["postgresql"]
        );
        let c = convert(Some(&s), &res);
        let props = c.schema["properties"].as_object().unwrap();
        let keys: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(&keys[..4], &["zeta", "alpha", "db", "file"]);
        assert_eq!(keys[4..7], ["opt", "nested", "choice"]);
        let renamed = keys[7];
        assert!(valid_property_name(renamed) && renamed.starts_with("bad_key_"));
        assert_eq!(
            c.renames,
            vec![(renamed.to_string(), "bad key!".to_string())]
        );
        assert_eq!(c.schema["required"], json!(["zeta", "db", renamed]));
        assert_eq!(props["alpha"], json!({"type": "integer"}));
        assert_eq!(
            props["zeta"],
            json!({"type": "string", "description": "Zeta — ünïcode", "enum": ["a", "b"], "default": "a"})
        );
        assert_eq!(props["db"]["type"], "string");
        assert_eq!(
            props["db"]["examples"],
            json!(["$res:f/db/main", "$res:u/me/dev"])
        );
        assert_eq!(props["file"]["required"], json!(["s3"]));
        assert_eq!(
            props["opt"],
            json!({"type": ["string", "null"], "format": "email"})
        );
        assert_eq!(
            props["nested"]["properties"]["a"]["items"]["enum"],
            json!(["x"])
        );
        assert_eq!(props["nested"]["required"], json!(["a"]));
        assert_eq!(props["choice"]["oneOf"][0]["title"], "One");
        assert_eq!(c.schema["additionalProperties"], false);
        // Byte-stable, and a valid JSON Schema.
        let again = convert(Some(&s), &res);
        assert_eq!(
            serde_json::to_string(&c.schema).unwrap(),
            serde_json::to_string(&again.schema).unwrap()
        );
        assert!(jsonschema::draft202012::new(&Value::Object(c.schema)).is_ok());
    }

    #[test]
    fn missing_or_odd_schemas() {
        let c = convert(None, &BTreeMap::new());
        assert_eq!(
            Value::Object(c.schema),
            json!({"type": "object", "properties": {}, "additionalProperties": false})
        );
        let c = convert(Some(&json!({"properties": {"x": 3}})), &BTreeMap::new());
        assert_eq!(c.schema["properties"]["x"], json!({}));
    }
}
