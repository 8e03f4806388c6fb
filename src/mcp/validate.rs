//! Arguments against a tool's input schema: every problem in one message that names the argument,
//! what was expected and what came, with did-you-mean suggestions for unknown names.

use std::fmt::Write as _;

use rmcp::model::JsonObject;
use serde_json::Value;

use crate::endpoints::ToolEntry;
use crate::text::describe_value;

/// Checks an endpoint tool's arguments against its full input schema; `Err(message)` lists every
/// problem (or says that the schema cannot check them: validation fails closed).
pub fn validate(entry: &ToolEntry, args: &JsonObject) -> Result<(), String> {
    let validator = entry.validator().map_err(|e| e.to_string())?;
    match validate_with(entry.name(), validator, entry.input_schema(), args) {
        Some(problems) => Err(problems),
        None => Ok(()),
    }
}

/// [`validate`] for any tool: its name, compiled validator and input schema; `Some(message)` lists
/// every problem.
pub fn validate_with(
    name: &str,
    validator: &jsonschema::Validator,
    schema: &JsonObject,
    args: &JsonObject,
) -> Option<String> {
    let instance = Value::Object(args.clone());
    let props = schema.get("properties").and_then(Value::as_object);
    let mut lines: Vec<String> = Vec::new();
    for err in validator.iter_errors(&instance) {
        let path = err.instance_path().to_string();
        let arg = path.trim_start_matches('/').replace('/', ".");
        let top = arg.split('.').next().unwrap_or("");
        let prop_schema = props.and_then(|p| p.get(top));
        use jsonschema::error::ValidationErrorKind as K;
        if let K::AdditionalProperties { unexpected } = err.kind() {
            if arg.is_empty() {
                // Bounded by construction, whatever the number of unknown keys.
                let line = unknown_arguments(unexpected, props);
                if !lines.contains(&line) {
                    lines.push(line);
                }
                continue;
            }
        }
        let line = match err.kind() {
            K::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let what = if arg.is_empty() {
                    format!("argument `{name}`")
                } else {
                    format!("`{name}` in `{arg}`")
                };
                let expected = props
                    .filter(|_| arg.is_empty())
                    .and_then(|p| p.get(name))
                    .map(expected_of)
                    .unwrap_or_default();
                format!(
                    "missing required {what}{}",
                    if expected.is_empty() {
                        String::new()
                    } else {
                        format!(" ({expected})")
                    }
                )
            }
            K::Type { .. } => {
                let expected = if arg.contains('.') {
                    format!("{}", err)
                } else {
                    prop_schema
                        .map(expected_of)
                        .unwrap_or_else(|| err.to_string())
                };
                format!(
                    "argument `{arg}`: expected {expected}, got {}",
                    describe_value(err.instance())
                )
            }
            K::Enum { options } => format!(
                "argument `{arg}`: expected one of {options}, got {}",
                describe_value(err.instance())
            ),
            _ => format!("argument `{arg}`: {err}"),
        };
        // A line quotes values and names from the arguments: never more than a few hundred bytes.
        let line = crate::text::ellipsize(&line, MAX_LINE_BYTES);
        if !lines.contains(&line) {
            lines.push(line);
        }
        if lines.len() >= 10 {
            break;
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(format!(
        "Invalid arguments for `{name}`, nothing was sent to Windmill:\n- {}",
        lines.join("\n- ")
    ))
}

/// The longest line of an argument error (it may quote the caller's values).
const MAX_LINE_BYTES: usize = 600;
/// Unknown argument names named one by one; the others are counted.
const MAX_UNKNOWN_NAMED: usize = 10;
/// Bytes of the list of known argument names shown when an unknown one has no near match.
const MAX_KNOWN_LIST_BYTES: usize = 1000;

/// The lines about unknown arguments: the first [`MAX_UNKNOWN_NAMED`] with a did-you-mean (or the
/// known names), then how many more there are. Bounded whatever the number of unknown keys.
fn unknown_arguments(unexpected: &[String], props: Option<&JsonObject>) -> String {
    let known: Vec<&str> = props
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let known_list = crate::text::ellipsize(&known.join(", "), MAX_KNOWN_LIST_BYTES);
    let mut lines: Vec<String> = unexpected
        .iter()
        .take(MAX_UNKNOWN_NAMED)
        .map(|u| {
            let shown = crate::text::ellipsize(u, 80);
            let near = crate::text::closest(u, known.iter().copied(), 2);
            if near.is_empty() {
                format!("unknown argument `{shown}`; the arguments are: {known_list}")
            } else {
                format!(
                    "unknown argument `{shown}`; did you mean `{}`?",
                    near.join("` or `")
                )
            }
        })
        .collect();
    if unexpected.len() > MAX_UNKNOWN_NAMED {
        lines.push(format!(
            "… and {} more unknown arguments",
            unexpected.len() - MAX_UNKNOWN_NAMED
        ));
    }
    lines.join("\n- ")
}

/// "an integer", "a string (format date-time)", ... from a property schema.
fn expected_of(schema: &Value) -> String {
    let t = match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "a value".into(),
    };
    let mut s = t;
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(s, " (format {f})");
    }
    if let Some(e) = schema.get("enum") {
        let _ = write!(s, " one of {e}");
    }
    s
}
