//! Stage 2: OpenAPI 3.0 schemas → self-contained JSON Schema 2020-12.
//!
//! Many MCP clients mishandle `$ref` and `$defs`, so every reference is inlined. A schema that
//! contains itself (Windmill's flow modules contain flow modules) is expanded once and then cut, with a
//! description saying what was cut. OpenAPI-only keywords are translated:
//!
//! | OpenAPI 3.0                       | JSON Schema 2020-12 here                                   |
//! |-----------------------------------|------------------------------------------------------------|
//! | `nullable: true`                  | `"type": [T, "null"]` (or `anyOf` with `{"type":"null"}`)  |
//! | `allOf`                           | merged into one schema when every part is an object        |
//! | `oneOf`                           | `anyOf` (Windmill's variants overlap)                      |
//! | `discriminator`, `xml`, `x-*`     | dropped                                                    |
//! | `example`                         | `examples: [example]`                                      |
//! | boolean `exclusiveMinimum`        | numeric `exclusiveMinimum`                                 |
//! | `readOnly` property               | left out of inputs                                         |
//! | `writeOnly` property              | left out of outputs                                        |
//!
//! Output schemas are deliberately lenient (no `required`, nullable types, enums moved into the
//! description): they tell a model the shape of an answer, and a real Windmill answer that drifts from
//! its spec must not make a strict client reject the whole result.

use serde_json::{json, Map, Value};

/// How deep a schema may nest before it is cut, whatever the recursion.
pub const MAX_DEPTH: usize = 24;

/// Which side of the request a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Input,
    Output,
}

/// Converts schemas of one document; records what it had to simplify.
pub struct Converter<'a> {
    doc: &'a Value,
    mode: Mode,
    stack: Vec<String>,
    /// How many objects/arrays deep the conversion is (allOf parts and `$ref`s do not count).
    level: usize,
    /// Object nesting deeper than this is cut.
    pub max_level: usize,
    /// Human-readable notes of what was cut or simplified.
    pub notes: Vec<String>,
}

const COPIED: &[&str] = &[
    "title",
    "description",
    "format",
    "default",
    "const",
    "multipleOf",
    "maximum",
    "minimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "deprecated",
];

impl<'a> Converter<'a> {
    pub fn new(doc: &'a Value, mode: Mode) -> Self {
        Converter {
            doc,
            mode,
            stack: Vec::new(),
            level: 0,
            max_level: usize::MAX,
            notes: Vec::new(),
        }
    }

    /// Resolves a local reference (`#/...`) against the document.
    pub fn resolve_ref(&self, r: &str) -> Option<&'a Value> {
        let frag = r.strip_prefix('#')?;
        self.doc.pointer(frag)
    }

    /// Follows `$ref`s until a schema that is not a reference.
    pub fn deref(&self, mut s: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolve_ref(r))
            {
                Some(t) => s = t,
                None => break,
            }
        }
        s
    }

    /// Converts one schema.
    pub fn convert(&mut self, s: &Value) -> Value {
        self.convert_at(s, 0)
    }

    fn convert_at(&mut self, s: &Value, depth: usize) -> Value {
        let Some(obj) = s.as_object() else {
            // `true`/`false` schemas and junk: accept anything.
            return match s {
                Value::Bool(false) => json!({"not": {}}),
                _ => json!({}),
            };
        };
        if depth > MAX_DEPTH {
            self.notes
                .push(format!("nesting deeper than {MAX_DEPTH} levels cut"));
            return json!({"description": "Nested too deeply to describe here: any JSON value is accepted."});
        }
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            return self.convert_ref(r, obj, depth);
        }
        let mut out = Map::new();
        let nullable = obj
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);

        if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
            let converted: Vec<Value> = parts
                .iter()
                .map(|p| self.convert_at(p, depth + 1))
                .collect();
            match merge_all_of(&converted) {
                Some(merged) => {
                    for (k, v) in merged {
                        out.insert(k, v);
                    }
                }
                None => {
                    out.insert("allOf".into(), Value::Array(converted));
                }
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(parts) = obj.get(key).and_then(Value::as_array) {
                let mut converted: Vec<Value> = parts
                    .iter()
                    .map(|p| self.convert_at(p, depth + 1))
                    .collect();
                if converted.len() == 1 {
                    if let Some(Value::Object(only)) = converted.pop() {
                        for (k, v) in only {
                            out.entry(k).or_insert(v);
                        }
                    }
                } else {
                    out.insert("anyOf".into(), Value::Array(converted));
                }
            }
        }
        if let Some(t) = obj.get("type").and_then(Value::as_str) {
            let t = if t == "file" { "string" } else { t };
            out.insert("type".into(), Value::String(t.to_owned()));
        }
        for key in COPIED {
            if let Some(v) = obj.get(*key) {
                out.insert((*key).to_owned(), v.clone());
            }
        }
        for (key, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match obj.get(key) {
                Some(Value::Bool(true)) => {
                    if let Some(b) = out.remove(bound) {
                        out.insert(key.to_owned(), b);
                    }
                }
                Some(n @ Value::Number(_)) => {
                    out.insert(key.to_owned(), n.clone());
                }
                _ => {}
            }
        }
        if let Some(e) = obj.get("example") {
            out.insert("examples".into(), Value::Array(vec![e.clone()]));
        }
        if let Some(e) = obj.get("enum").and_then(Value::as_array) {
            out.insert("enum".into(), Value::Array(e.clone()));
        }
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            let mut converted = Map::new();
            let mut dropped = Vec::new();
            for (name, p) in props {
                let target = self.deref(p);
                let skip = match self.mode {
                    Mode::Input => flag(p, "readOnly") || flag(target, "readOnly"),
                    Mode::Output => flag(p, "writeOnly") || flag(target, "writeOnly"),
                };
                if skip {
                    dropped.push(name.clone());
                    continue;
                }
                let v = self.nested(p, depth);
                converted.insert(name.clone(), v);
            }
            out.insert("properties".into(), Value::Object(converted));
            if let Some(req) = obj.get("required").and_then(Value::as_array) {
                let req: Vec<Value> = req
                    .iter()
                    .filter(|r| r.as_str().is_some_and(|r| !dropped.iter().any(|d| d == r)))
                    .cloned()
                    .collect();
                if !req.is_empty() {
                    out.insert("required".into(), Value::Array(req));
                }
            }
        } else if let Some(req) = obj.get("required").and_then(Value::as_array) {
            if !req.is_empty() {
                out.insert("required".into(), Value::Array(req.clone()));
            }
        }
        if let Some(items) = obj.get("items") {
            let items = self.nested(items, depth);
            out.insert("items".into(), items);
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(b)) => {
                out.insert("additionalProperties".into(), Value::Bool(*b));
            }
            Some(ap @ Value::Object(_)) => {
                let ap = self.nested(ap, depth);
                out.insert("additionalProperties".into(), ap);
            }
            _ => {}
        }
        if let Some(n) = obj.get("not") {
            let n = self.convert_at(n, depth + 1);
            out.insert("not".into(), n);
        }
        if out.get("type").is_none()
            && (out.contains_key("properties") || out.contains_key("additionalProperties"))
        {
            out.insert("type".into(), Value::String("object".into()));
        }
        let mut v = Value::Object(out);
        if self.mode == Mode::Output {
            v = lenient(v);
        }
        if nullable {
            v = make_nullable(v);
        }
        v
    }

    /// Converts a schema one object level down, cutting at `max_level`.
    fn nested(&mut self, s: &Value, depth: usize) -> Value {
        if self.level >= self.max_level {
            let t = self.deref(s).get("type").cloned();
            let mut o = Map::new();
            if let Some(t @ Value::String(_)) = t {
                o.insert("type".into(), t);
            }
            o.insert("description".into(), json!("Details not expanded here."));
            return Value::Object(o);
        }
        self.level += 1;
        let v = self.convert_at(s, depth + 1);
        self.level -= 1;
        v
    }

    fn convert_ref(&mut self, r: &str, siblings: &Map<String, Value>, depth: usize) -> Value {
        let name = r.rsplit('/').next().unwrap_or(r).to_owned();
        let mut v = if self.stack.iter().any(|n| n == &name) {
            self.notes
                .push(format!("recursive schema `{name}` cut after one expansion"));
            json!({
                "description": format!(
                    "A nested `{name}` (recursive structure, not expanded further here: pass it as JSON in the same shape as the enclosing `{name}`)."
                )
            })
        } else {
            match self.resolve_ref(r) {
                Some(target) => {
                    self.stack.push(name.clone());
                    let v = self.convert_at(target, depth + 1);
                    self.stack.pop();
                    v
                }
                None => {
                    self.notes
                        .push(format!("unresolvable `$ref: {r}` accepted as any value"));
                    json!({ "description": format!("`{r}` could not be resolved: any JSON value is accepted.") })
                }
            }
        };
        // OpenAPI 3.0 ignores siblings of `$ref`, but Windmill writes descriptions there.
        if let Some(Value::Object(o)) = Some(&mut v) {
            if let Some(d) = siblings.get("description") {
                o.insert("description".into(), d.clone());
            }
            if let Some(d) = siblings.get("default") {
                o.insert("default".into(), d.clone());
            }
        }
        if siblings
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            v = make_nullable(v);
        }
        v
    }
}

/// A field passed as free-form JSON: its type and description, without the schema behind it.
/// A converted property schema as free-form JSON (`x-mcp-tool-opaque-fields`): its type and
/// description only, saying its full schema is not expanded.
pub fn opaque_form(converted: &Value) -> Value {
    let mut out = Map::new();
    if let Some(t) = converted.get("type") {
        out.insert("type".into(), t.clone());
    }
    let d = converted
        .get("description")
        .and_then(Value::as_str)
        .map(|d| d.trim().trim_end_matches('.').to_owned())
        .filter(|d| !d.is_empty());
    let note = "Free-form JSON in Windmill's format (its full schema is not expanded here).";
    out.insert(
        "description".into(),
        Value::String(match d {
            Some(d) => format!("{d}. {note}"),
            None => note.to_owned(),
        }),
    );
    Value::Object(out)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Merges converted `allOf` parts into one schema when they are all plain objects (no alternatives).
fn merge_all_of(parts: &[Value]) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    let mut props = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for p in parts {
        let o = p.as_object()?;
        if o.contains_key("anyOf") || o.contains_key("allOf") || o.contains_key("not") {
            return None;
        }
        match o.get("type") {
            None => {}
            Some(Value::String(t)) if t == "object" => {}
            Some(Value::Array(ts))
                if ts.iter().any(|t| t == "object")
                    && ts.iter().all(|t| t == "object" || t == "null") => {}
            Some(_) => return None,
        }
        for (k, v) in o {
            match k.as_str() {
                "properties" => {
                    if let Some(ps) = v.as_object() {
                        for (pk, pv) in ps {
                            props.insert(pk.clone(), pv.clone());
                        }
                    }
                }
                "required" => {
                    if let Some(rs) = v.as_array() {
                        for r in rs {
                            if !required.contains(r) {
                                required.push(r.clone());
                            }
                        }
                    }
                }
                "type" => {}
                _ => {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    out.insert("type".into(), Value::String("object".into()));
    out.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    Some(out)
}

/// Lets `null` through as well.
pub fn make_nullable(v: Value) -> Value {
    let Value::Object(mut o) = v else { return v };
    if let Some(e) = o.get_mut("enum").and_then(Value::as_array_mut) {
        if !e.contains(&Value::Null) {
            e.push(Value::Null);
        }
    }
    match o.get("type").cloned() {
        Some(Value::String(t)) => {
            if t != "null" {
                o.insert("type".into(), json!([t, "null"]));
            }
            Value::Object(o)
        }
        Some(Value::Array(mut ts)) => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
            o.insert("type".into(), Value::Array(ts));
            Value::Object(o)
        }
        _ => {
            if o.is_empty() || (o.len() == 1 && o.contains_key("description")) {
                // Already accepts anything.
                return Value::Object(o);
            }
            let description = o.remove("description");
            let mut wrapper = Map::new();
            if let Some(d) = description {
                wrapper.insert("description".into(), d);
            }
            wrapper.insert("anyOf".into(), json!([Value::Object(o), {"type": "null"}]));
            Value::Object(wrapper)
        }
    }
}

/// Output leniency: no `required`, nullable scalar types, enums moved into the description.
fn lenient(v: Value) -> Value {
    let Value::Object(mut o) = v else { return v };
    o.remove("required");
    if o.get("additionalProperties") == Some(&Value::Bool(false)) {
        o.remove("additionalProperties");
    }
    if let Some(Value::Array(values)) = o.remove("enum") {
        let listed: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let note = format!("Known values: {}.", listed.join(", "));
        let d = match o.get("description").and_then(Value::as_str) {
            Some(d) => format!("{} {note}", d.trim_end()),
            None => note,
        };
        o.insert("description".into(), Value::String(d));
    }
    if o.contains_key("type") {
        return make_nullable(Value::Object(o));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "components": {"schemas": {
                "Node": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                }},
                "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "readOnly": true}, "a": {"type": "integer"}}},
                "Kind": {"type": "string", "enum": ["x", "y"]}
            }}
        })
    }

    #[test]
    fn recursion_is_cut_after_one_expansion() {
        let d = doc();
        let mut c = Converter::new(&d, Mode::Input);
        let v = c.convert(&json!({"$ref": "#/components/schemas/Node"}));
        let inner = &v["properties"]["children"]["items"];
        assert!(inner.get("properties").is_none(), "{v}");
        assert!(inner["description"]
            .as_str()
            .unwrap_or("")
            .contains("recursive"));
        assert_eq!(c.notes.len(), 1);
    }

    #[test]
    fn nullable_becomes_a_type_array_and_enum_gains_null() {
        let d = doc();
        let mut c = Converter::new(&d, Mode::Input);
        let v = c.convert(&json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(v, json!({"type": ["string", "null"], "enum": ["a", null]}));
        let r = c.convert(&json!({"$ref": "#/components/schemas/Kind", "nullable": true}));
        assert_eq!(r["enum"], json!(["x", "y", null]));
    }

    #[test]
    fn all_of_is_merged_and_read_only_left_out_of_inputs() {
        let d = doc();
        let mut c = Converter::new(&d, Mode::Input);
        let v = c.convert(&json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]}));
        assert_eq!(v["type"], "object");
        assert!(v["properties"].get("id").is_none());
        assert_eq!(v["properties"]["a"], json!({"type": "integer"}));
        assert_eq!(v["required"], json!(["b"]));
    }

    #[test]
    fn outputs_are_lenient() {
        let d = doc();
        let mut c = Converter::new(&d, Mode::Output);
        let v = c.convert(&json!({"$ref": "#/components/schemas/Base"}));
        assert!(v.get("required").is_none());
        assert_eq!(v["properties"]["id"]["type"], json!(["string", "null"]));
        let k = c.convert(&json!({"$ref": "#/components/schemas/Kind"}));
        assert!(k.get("enum").is_none());
        assert_eq!(k["description"], "Known values: x, y.");
    }

    #[test]
    fn one_of_becomes_any_of_and_exclusive_bounds_are_numeric() {
        let d = doc();
        let mut c = Converter::new(&d, Mode::Input);
        let v = c.convert(&json!({"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 3, "exclusiveMinimum": true}]}));
        assert_eq!(
            v["anyOf"][1],
            json!({"type": "integer", "exclusiveMinimum": 3})
        );
    }
}
