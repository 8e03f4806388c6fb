//! Workspace script/flow tool names and argument schemas.
//!
//! * names: two paths (the second often a one-character edit of the first), each with a kind:
//!   valid names, decode gives the path back (or the name is hashed), different paths never share a
//!   name; and `decode` on an arbitrary string never panics;
//! * schemas: a Windmill-style argument schema (keys from the vocabulary `convert` knows, values
//!   right or wrong) and resources, through `workspace::schema::convert`: deterministic, valid names,
//!   output compiles as JSON Schema 2020-12 whatever the input.
//!
//! Checks: `windmill_mcp_fuzz::{names_injective, decode_any, schema_convert}`.

#![no_main]

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Number, Value};
use windmill_mcp::workspace::names::Kind;

const PATH_CHARS: &[char] = &[
    'a',
    'b',
    'z',
    'A',
    'Z',
    '0',
    '9',
    'f',
    'h',
    'u',
    's',
    'x',
    '_',
    '_',
    '/',
    '/',
    '-',
    '-',
    '.',
    'ä',
    ' ',
    '%',
    '\u{0}',
    '\u{10ffff}',
];

fn path(u: &mut Unstructured) -> Result<String> {
    let n = u.int_in_range(0..=80)?;
    let mut s = String::new();
    for _ in 0..n {
        if u.ratio(7, 8)? {
            s.push(*u.choose(PATH_CHARS)?);
        } else {
            s.push(u.arbitrary()?);
        }
    }
    Ok(s)
}

fn edit(u: &mut Unstructured, s: &str) -> Result<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let at = u.int_in_range(0..=chars.len())?;
    let c = *u.choose(PATH_CHARS)?;
    match u.int_in_range(0..=2)? {
        0 => chars.insert(at, c),
        1 if at < chars.len() => chars[at] = c,
        _ if at < chars.len() => {
            chars.remove(at);
        }
        _ => chars.push(c),
    }
    Ok(chars.into_iter().collect())
}

fn kind(u: &mut Unstructured) -> Result<Kind> {
    Ok(if u.arbitrary()? {
        Kind::Script
    } else {
        Kind::Flow
    })
}

const KEYS: &[&str] = &[
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
    "nullable",
    "order",
    "enumLabels",
    "$ref",
    "$schema",
    "x",
    "bad key!",
    "",
];
const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null", "bogus",
];
const FORMATS: &[&str] = &[
    "date-time",
    "email",
    "uri",
    "regex",
    "resource-postgresql",
    "resource-s3_object",
    "resource-",
    "sql-postgres",
    "resource-x",
];
const STRINGS: &[&str] = &["", " ", "^a+$", "(", "[", "a", "ä", "base64", "#/x", "x"];

fn string(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        (*u.choose(STRINGS)?).to_owned()
    } else {
        u.arbitrary()?
    })
}

fn scalar(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.int_in_range(-2i64..=5)?),
        3 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 => Value::String(string(u)?),
        _ => Value::String((*u.choose(TYPES)?).to_owned()),
    })
}

/// A value for `key`: usually of the right shape, sometimes not.
fn keyword(u: &mut Unstructured, key: &str, depth: u32) -> Result<Value> {
    if depth > 4 || u.ratio(1, 6)? {
        return scalar(u);
    }
    Ok(match key {
        "type" => {
            if u.ratio(3, 4)? {
                json!(u.choose(TYPES)?)
            } else {
                let n = u.int_in_range(0..=3)?;
                let mut a = Vec::new();
                for _ in 0..n {
                    a.push(json!(u.choose(TYPES)?));
                }
                Value::Array(a)
            }
        }
        "format" => json!(u.choose(FORMATS)?),
        "items" | "additionalProperties" => schema(u, depth + 1)?,
        "properties" => {
            let n = u.int_in_range(0..=4)?;
            let mut m = Map::new();
            for _ in 0..n {
                m.insert(prop_name(u)?, schema(u, depth + 1)?);
            }
            Value::Object(m)
        }
        "oneOf" | "anyOf" => {
            let n = u.int_in_range(0..=3)?;
            let mut a = Vec::new();
            for _ in 0..n {
                a.push(schema(u, depth + 1)?);
            }
            Value::Array(a)
        }
        "required" | "order" | "enum" | "examples" => {
            let n = u.int_in_range(0..=3)?;
            let mut a = Vec::new();
            for _ in 0..n {
                a.push(if u.ratio(3, 4)? {
                    Value::String(prop_name(u)?)
                } else {
                    scalar(u)?
                });
            }
            Value::Array(a)
        }
        _ => scalar(u)?,
    })
}

fn prop_name(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => "a".into(),
        1 => "b".into(),
        2 => (*u.choose(&["bad key!", "", "a_2c3a5b6d", "ä", "x.y-z"])?).into(),
        _ => u.arbitrary()?,
    })
}

fn schema(u: &mut Unstructured, depth: u32) -> Result<Value> {
    if u.ratio(1, 12)? {
        return scalar(u);
    }
    let n = u.int_in_range(0..=5)?;
    let mut m = Map::new();
    for _ in 0..n {
        let k = *u.choose(KEYS)?;
        let v = keyword(u, k, depth)?;
        m.insert(k.to_owned(), v);
    }
    Ok(Value::Object(m))
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    match u.int_in_range(0..=2u8)? {
        0 => {
            let (ka, a) = (kind(&mut u)?, path(&mut u)?);
            let b = if u.ratio(2, 3)? {
                edit(&mut u, &a)?
            } else {
                path(&mut u)?
            };
            let kb = if u.ratio(7, 8)? { ka } else { kind(&mut u)? };
            windmill_mcp_fuzz::names_injective(ka, &a, kb, &b);
        }
        1 => {
            let s: String = if u.arbitrary()? {
                let prefix = *u.choose(&["s-", "f-", ""])?;
                format!("{prefix}{}", path(&mut u)?)
            } else {
                u.arbitrary()?
            };
            windmill_mcp_fuzz::decode_any(&s);
        }
        _ => {
            let mut root = schema(&mut u, 0)?;
            if let Value::Object(o) = &mut root {
                if u.ratio(3, 4)? {
                    o.insert("properties".into(), keyword(&mut u, "properties", 0)?);
                }
            }
            let mut resources: BTreeMap<String, Vec<String>> = BTreeMap::new();
            if u.arbitrary()? {
                let n = u.int_in_range(0..=25)?;
                let paths = (0..n).map(|i| format!("f/db/r{i}")).collect();
                resources.insert("postgresql".into(), paths);
            }
            windmill_mcp_fuzz::schema_convert(&root, &resources);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
