//! An example `tools/call` request for a tool: its required arguments with plausible values taken
//! from the schema (examples, defaults, enums, formats, bounds), so a person can copy it and edit.
//!
//! Optional arguments are left out. A test checks that every tool's example passes its own input
//! schema and lays out a request.

use serde_json::{json, Map, Value};

/// Deepest nesting filled; deeper required values are the simplest of their type.
const MAX_DEPTH: usize = 6;

/// The arguments of a tool's example call, for the operation at `template` (its path
/// parameters that Windmill routes as one segment get a value without `/`).
pub fn example_arguments(template: &str, input_schema: &Map<String, Value>) -> Value {
    let mut args = value_for(&Value::Object(input_schema.clone()), None, 0);
    if let Value::Object(map) = &mut args {
        for (name, v) in map.iter_mut() {
            let one_segment = template.contains(&format!("{{{name}}}"))
                && windmill_mcp_codegen::routes::slashes(template, name)
                    == windmill_mcp_codegen::ir::Slashes::Refused;
            if let (true, Value::String(text)) = (one_segment, &mut *v) {
                if let Some((_, last)) = text.rsplit_once('/') {
                    *text = last.to_owned();
                }
            }
        }
    }
    args
}

/// The whole JSON-RPC request.
pub fn example_request(name: &str, template: &str, input_schema: &Map<String, Value>) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": example_arguments(template, input_schema)},
    })
}

/// The type a schema names: its `type`, the first non-null one of a list, or what its keywords say.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(Some("null")),
        _ if schema.get("properties").is_some() => Some("object"),
        _ if schema.get("items").is_some() => Some("array"),
        _ => None,
    }
}

fn value_for(schema: &Value, name: Option<&str>, depth: usize) -> Value {
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    if let Some(v) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .filter(|v| !v.is_null())
    {
        return v.clone();
    }
    if let Some(v) = schema.get("default").filter(|v| !v.is_null()) {
        return v.clone();
    }
    if let Some(v) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return v.clone();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|b| b.iter().find(|b| type_of(b) != Some("null")))
        {
            return value_for(first, name, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut out = Map::new();
        for p in parts {
            if let Value::Object(o) = value_for(p, name, depth + 1) {
                out.extend(o);
            }
        }
        return Value::Object(out);
    }
    match type_of(schema) {
        Some("object") => object_for(schema, depth),
        Some("array") => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            match schema.get("items") {
                Some(items) if min > 0 && depth < MAX_DEPTH => {
                    Value::Array(vec![value_for(items, name, depth + 1); min.min(3) as usize])
                }
                _ => json!([]),
            }
        }
        Some("integer") => json!(number_for(schema, 1.0) as i64),
        Some("number") => json!(number_for(schema, 1.0)),
        Some("boolean") => json!(false),
        Some("null") => Value::Null,
        Some(_) => string_for(schema, name),
        None => json!({}),
    }
}

fn object_for(schema: &Value, depth: usize) -> Value {
    let mut out = Map::new();
    if depth >= MAX_DEPTH {
        return Value::Object(out);
    }
    let props = schema.get("properties").and_then(Value::as_object);
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    for key in required {
        let sub = props.and_then(|p| p.get(key)).unwrap_or(&Value::Null);
        out.insert(key.to_owned(), value_for(sub, Some(key), depth + 1));
    }
    Value::Object(out)
}

/// A number within the schema's bounds, `fallback` when it has none.
fn number_for(schema: &Value, fallback: f64) -> f64 {
    let get = |k: &str| schema.get(k).and_then(Value::as_f64);
    let mut v = fallback;
    if let Some(min) = get("minimum") {
        v = v.max(min);
    }
    if let Some(min) = get("exclusiveMinimum") {
        if v <= min {
            v = min + 1.0;
        }
    }
    if let Some(max) = get("maximum") {
        v = v.min(max);
    }
    if let Some(max) = get("exclusiveMaximum") {
        if v >= max {
            v = max - 1.0;
        }
    }
    v
}

/// A string of the schema's format, or one its name suggests, within its length bounds.
fn string_for(schema: &Value, name: Option<&str>) -> Value {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let name = name.unwrap_or("").to_ascii_lowercase();
    let mut s = match format {
        "date-time" => "2024-01-01T00:00:00Z".to_owned(),
        "date" => "2024-01-01".to_owned(),
        "time" => "00:00:00Z".to_owned(),
        "uuid" => "00000000-0000-0000-0000-000000000000".to_owned(),
        "email" => "someone@example.com".to_owned(),
        "uri" | "url" => "https://example.com".to_owned(),
        "byte" => "aGVsbG8=".to_owned(),
        _ if schema.get("contentEncoding").and_then(Value::as_str) == Some("base64") => {
            "aGVsbG8=".to_owned()
        }
        _ if name == "path" || name.ends_with("_path") => "f/folder/name".to_owned(),
        _ if name == "hash" || name.ends_with("_hash") => "0123456789abcdef".to_owned(),
        _ if name == "id" || name.ends_with("_id") || name == "job_id" => {
            "00000000-0000-0000-0000-000000000000".to_owned()
        }
        _ if name.contains("email") => "someone@example.com".to_owned(),
        _ if name.contains("url") => "https://example.com".to_owned(),
        _ if !name.is_empty() => format!("example_{name}"),
        _ => "example".to_owned(),
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = max {
        s = s.chars().take(max).collect();
    }
    match schema.get("pattern").and_then(Value::as_str) {
        Some(pattern) => Value::String(matching(pattern, min, max, s)),
        None => Value::String(s),
    }
}

/// The first of `preferred` and a few plain candidates (`example_slug` as `example-slug`, ...)
/// that matches `pattern` within the length bounds; `preferred` when none does.
fn matching(pattern: &str, min: usize, max: Option<usize>, preferred: String) -> String {
    let mut bounds = json!({"type": "string", "pattern": pattern, "minLength": min});
    if let Some(max) = max {
        bounds["maxLength"] = json!(max);
    }
    let Ok(check) = jsonschema::validator_for(&bounds) else {
        return preferred;
    };
    let kebab = preferred.to_ascii_lowercase().replace(['_', ' ', '/'], "-");
    let compact: String = preferred
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    [
        preferred.clone(),
        kebab,
        compact.to_ascii_lowercase(),
        compact.to_ascii_uppercase(),
        "example".to_owned(),
        "a1".to_owned(),
        "1".to_owned(),
    ]
    .into_iter()
    .find(|c| check.is_valid(&Value::String(c.clone())))
    .unwrap_or(preferred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_with_a_pattern_gets_a_value_that_matches_it() {
        let schema = json!({
            "type": "object",
            "properties": {
                "project_slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*[a-z0-9]$"},
                "code": {"type": "string", "pattern": "^[A-Z]+$"},
                "odd": {"type": "string", "pattern": "^never(?!)$"}
            },
            "required": ["project_slug", "code", "odd"]
        });
        let Value::Object(o) = schema else {
            unreachable!()
        };
        assert_eq!(
            example_arguments("/w/{workspace}/hub/publish", &o),
            json!({"project_slug": "example-project-slug", "code": "EXAMPLECODE", "odd": "example_odd"})
        );
    }

    #[test]
    fn required_arguments_get_values_of_their_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "kind": {"type": "string", "enum": ["script", "flow"]},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "when": {"type": ["string", "null"], "format": "date-time"},
                "args": {"type": "object", "properties": {"x": {"type": "number", "exclusiveMinimum": 3}}, "required": ["x"]},
                "optional": {"type": "string"}
            },
            "required": ["path", "kind", "per_page", "when", "args"]
        });
        let Value::Object(o) = schema else {
            unreachable!()
        };
        assert_eq!(
            example_arguments("/w/{workspace}/things/get/{path}", &o),
            json!({"path": "f/folder/name", "kind": "script", "per_page": 1, "when": "2024-01-01T00:00:00Z", "args": {"x": 4.0}})
        );
        // A `path` Windmill routes as one segment gets a value without `/`.
        let one = example_arguments("/w/{workspace}/things/{path}/get", &o);
        assert_eq!(one["path"], "name");
        let r = example_request("getThing", "/w/{workspace}/things/get/{path}", &o);
        assert_eq!(r["method"], "tools/call");
        assert_eq!(r["params"]["name"], "getThing");
    }
}
