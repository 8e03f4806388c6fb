//! An endpoint of the compiled-in registry (picked by the first bytes), arguments as a JSON object
//! (keys mostly the endpoint's own argument names, values biased towards path tricks: `..`, `%2e`,
//! `/`, `?`, `#`, control characters) and a workspace string, through the server's validation and the
//! generated request builder. Checks: `windmill_mcp_fuzz::args_to_request`.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};
use windmill_mcp::endpoints::Registry;

/// Pieces that path checks care about.
const PIECES: &[&str] = &[
    "..", ".", "/", "%2e", "%2E", "%2f", "%", "%zz", "?", "#", "\\", "&", "=", ",", "f", "u", "a",
    "ä", "~", " ", "\0", "\n", "\u{7f}", "\u{85}", "-", "_", "é", "+",
];

fn text(u: &mut Unstructured) -> Result<String> {
    let n = u.int_in_range(0..=12)?;
    let mut s = String::new();
    for _ in 0..n {
        if u.ratio(3, 4)? {
            s.push_str(u.choose(PIECES)?);
        } else {
            s.push(u.arbitrary::<char>()?);
        }
    }
    Ok(s)
}

fn value(u: &mut Unstructured, depth: u32, names: &[&str]) -> Result<Value> {
    let top = if depth >= 3 { 4 } else { 6 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => {
            if u.arbitrary()? {
                Value::from(u.int_in_range(-3i64..=3)?)
            } else {
                Value::from(u.arbitrary::<i64>()?)
            }
        }
        3 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 => Value::String(text(u)?),
        5 => {
            let n = u.int_in_range(0..=3)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(value(u, depth + 1, names)?);
            }
            Value::Array(items)
        }
        _ => Value::Object(object(u, depth + 1, names)?),
    })
}

fn object(u: &mut Unstructured, depth: u32, names: &[&str]) -> Result<Map<String, Value>> {
    let n = u.int_in_range(0..=6)?;
    let mut m = Map::new();
    for _ in 0..n {
        let key = if !names.is_empty() && u.ratio(7, 8)? {
            (*u.choose(names)?).to_owned()
        } else {
            text(u)?
        };
        m.insert(key, value(u, depth, names)?);
    }
    Ok(m)
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let all = Registry::compiled().all();
    let entry = &all[u.choose_index(all.len())?];
    let names: Vec<&str> = entry
        .input_schema()
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let workspace = if u.ratio(1, 2)? {
        "demo".to_owned()
    } else {
        text(&mut u)?
    };
    let args = object(&mut u, 0, &names)?;
    windmill_mcp_fuzz::args_to_request(entry, &args, &workspace);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
