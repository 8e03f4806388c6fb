//! Stage 3's last step: every tool's input and output schema must compile as a JSON Schema 2020-12
//! validator (the `jsonschema` crate, with the options the server uses).
//!
//! The server checks a call's arguments against the tool's input schema before it builds a request.
//! A schema that does not compile (an invalid `pattern` regex, a keyword of the wrong type) would leave
//! it nothing to check with, so such a spec is refused here, like any other spec error, instead of
//! letting arguments through unchecked at run time.
//!
//! Why in lowering and not in the emitter: lowering made these schemas and still has the spec at hand
//! to say where a bad one came from; and the server lowers specs itself (`spec pull`, `spec diff`, and
//! soon a live spec), which must get the same guarantee without linking the emitter. The server links
//! `jsonschema` anyway, so the check costs its binary nothing.
//!
//! **Locating the problem.** `jsonschema` names the place in the *generated* schema (e.g.
//! `/properties/name/pattern`), which is inlined and renamed. The place in the spec is found by
//! looking, from the operation's parameters and request body (input) or responses (output) and through
//! every local `$ref` on the way, for the first object holding the failing keyword with the same value.
//! When there is none (the keyword was translated), the error points at the operation.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{escape_token, SpecError};
use crate::ir::Operation;

/// Most nodes of the spec visited while locating one problem (a bound, not a tuning knob).
const MAX_VISITS: usize = 200_000;
/// Most characters kept of `jsonschema`'s message, which can quote a whole schema.
const MAX_MESSAGE_CHARS: usize = 300;

/// Where one lowered operation sits in the spec.
pub struct Place<'a> {
    /// The (bundled) document the operation was lowered from.
    pub doc: &'a Value,
    /// The file errors name.
    pub file: &'a Path,
    /// JSON pointer of the operation, e.g. `/paths/~1w~1{workspace}~1x/get`.
    pub op_ptr: &'a str,
    /// The operationId, as the spec spells it.
    pub op_id: &'a str,
}

/// Compiles the operation's input and output schema; one error per schema that does not compile.
pub fn operation(place: &Place<'_>, op: &Operation) -> Vec<SpecError> {
    let item_ptr = place
        .op_ptr
        .rsplit_once('/')
        .map(|(p, _)| p)
        .unwrap_or_default();
    let input_roots = [
        format!("{item_ptr}/parameters"),
        format!("{}/parameters", place.op_ptr),
        format!("{}/requestBody", place.op_ptr),
    ];
    let output_roots = [format!("{}/responses", place.op_ptr)];
    let mut errors = Vec::new();
    let schemas = [
        ("input", Some(&op.input_schema), &input_roots[..]),
        ("output", op.output_schema.as_ref(), &output_roots[..]),
    ];
    for (which, schema, roots) in schemas {
        let Some(schema) = schema else { continue };
        if let Err(problem) = compile(schema) {
            let pointer = problem
                .keyword()
                .and_then(|(key, value)| locate(place.doc, roots, key, value))
                .unwrap_or_else(|| place.op_ptr.to_owned());
            let at = if problem.at.is_empty() {
                String::new()
            } else {
                format!(" (at `{}` of the generated schema)", problem.at)
            };
            errors.push(
                SpecError::new(
                    place.file,
                    pointer,
                    format!(
                        "the tool's {which} schema does not compile as a JSON Schema 2020-12 \
                         validator: {}{at}",
                        problem.message
                    ),
                )
                .with_operation(Some(place.op_id)),
            );
        }
    }
    errors
}

/// Why a schema does not compile, and where in it.
struct Problem<'s> {
    message: String,
    /// JSON pointer into the generated schema (empty when unknown).
    at: String,
    /// The value at `at`, when it exists.
    value: Option<&'s Value>,
}

impl<'s> Problem<'s> {
    /// The failing keyword and its value, e.g. `("pattern", "(")`.
    fn keyword(&self) -> Option<(String, &'s Value)> {
        let key = self.at.rsplit_once('/')?.1;
        Some((key.replace("~1", "/").replace("~0", "~"), self.value?))
    }
}

fn compile(schema: &Value) -> Result<(), Problem<'_>> {
    let e = match jsonschema::draft202012::new(schema) {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    // A keyword that fails to compile is named by the schema path; a schema that breaks the
    // meta-schema, by the instance path (the schema being the instance). Keep whichever exists.
    let at = [e.instance_path().as_str(), e.schema_path().as_str()]
        .into_iter()
        .find(|p| !p.is_empty() && schema.pointer(p).is_some())
        .unwrap_or_default()
        .to_owned();
    let value = schema.pointer(&at).filter(|_| !at.is_empty());
    let full = e.to_string();
    let mut message: String = full.chars().take(MAX_MESSAGE_CHARS).collect();
    if message.len() < full.len() {
        message.push('…');
    }
    Err(Problem { message, at, value })
}

/// The pointer of the first object under `roots` (through local `$ref`s) whose `key` is `value`.
fn locate(doc: &Value, roots: &[String], key: String, value: &Value) -> Option<String> {
    let mut visited_refs = BTreeSet::new();
    let mut visits = 0usize;
    // Depth-first, in document order: a stack of (pointer, node), pushed in reverse.
    let mut stack: Vec<(String, &Value)> = roots
        .iter()
        .rev()
        .filter_map(|r| doc.pointer(r).map(|v| (r.clone(), v)))
        .collect();
    while let Some((ptr, node)) = stack.pop() {
        visits += 1;
        if visits > MAX_VISITS {
            return None;
        }
        match node {
            Value::Object(map) => {
                if map.get(&key) == Some(value) {
                    return Some(format!("{ptr}/{}", escape_token(&key)));
                }
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                {
                    let target = crate::lower::percent_decode_pointer(target);
                    if visited_refs.insert(target.clone()) {
                        if let Some(v) = doc.pointer(&target) {
                            stack.push((target, v));
                        }
                    }
                }
                for (k, v) in map.iter().rev() {
                    stack.push((format!("{ptr}/{}", escape_token(k)), v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((format!("{ptr}/{i}"), v));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_bad_pattern_is_found_through_a_ref() {
        let doc = json!({
            "paths": {"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/P"}]}}},
            "components": {
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"$ref": "#/components/schemas/S"}}},
                "schemas": {"S": {"type": "string", "pattern": "("}}
            }
        });
        let schema =
            json!({"type": "object", "properties": {"p": {"type": "string", "pattern": "("}}});
        let problem = compile(&schema).expect_err("does not compile");
        assert_eq!(problem.at, "/properties/p/pattern");
        let (key, value) = problem.keyword().expect("keyword");
        let found = locate(&doc, &["/paths/~1x/get/parameters".into()], key, value);
        assert_eq!(found.as_deref(), Some("/components/schemas/S/pattern"));
    }

    #[test]
    fn a_cycle_of_refs_ends() {
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}});
        assert_eq!(
            locate(&doc, &["/a".into()], "pattern".into(), &json!("(")),
            None
        );
    }

    #[test]
    fn a_long_message_is_cut_and_a_misplaced_keyword_located() {
        let long = "x".repeat(1000);
        let schema = json!({"type": "object", "properties": {"a": {"enum": long}}});
        let problem = compile(&schema).expect_err("an enum must be an array");
        assert!(problem.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(problem.message.ends_with('…'), "{}", problem.message);
        assert_eq!(problem.at, "/properties/a/enum");
    }

    #[test]
    fn a_good_schema_compiles() {
        assert!(
            compile(&json!({"type": "object", "properties": {"p": {"pattern": "^a+$"}}})).is_ok()
        );
    }
}
