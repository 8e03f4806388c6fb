//! All name handling in one place: tool names, argument names and Rust identifiers.

/// True when `name` is a valid MCP tool name for every client we know: `^[a-zA-Z0-9_-]{1,64}$`.
pub fn is_valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Turns an operationId into a valid tool name (invalid characters become `_`, cut at 64).
pub fn tool_name(operation_id: &str) -> String {
    let mut s: String = operation_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(64);
    if s.is_empty() {
        s.push('_');
    }
    s
}

/// Argument (property) names clients accept: `^[a-zA-Z0-9_.-]{1,64}$`.
pub fn arg_name(wire: &str) -> String {
    let mut s: String = wire
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(64);
    if s.is_empty() {
        s.push('_');
    }
    s
}

/// `listScripts` → `list_scripts`, `getHTTPTrigger` → `get_http_trigger`, `X-Foo` → `x_foo`.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() {
                let prev = i.checked_sub(1).map(|j| chars[j]);
                let next = chars.get(i + 1).copied();
                let boundary = match prev {
                    Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                    Some(p) if p.is_ascii_uppercase() => {
                        next.is_some_and(|n| n.is_ascii_lowercase())
                    }
                    _ => false,
                };
                if boundary && !out.ends_with('_') {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `list_scripts` → `ListScripts`.
pub fn pascal_case(s: &str) -> String {
    snake_case(s)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A snake_case Rust identifier that is not a keyword (`type` → `type_`).
pub fn rust_field(s: &str) -> String {
    let s = snake_case(s);
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Gives `candidate` a `_2`, `_3`, ... suffix until `taken` accepts it.
pub fn unique(candidate: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(candidate) {
        return candidate.to_owned();
    }
    let mut i = 2;
    loop {
        let c = format!("{candidate}_{i}");
        if !taken(&c) {
            return c;
        }
        i += 1;
    }
}

/// A human title from an operationId: `listScripts` → `List scripts`.
pub fn humanize(operation_id: &str) -> String {
    let s = snake_case(operation_id).replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => s,
    }
}

/// The first lowercase word of an operationId: `runScriptByPath` → `run`.
pub fn verb(operation_id: &str) -> String {
    snake_case(operation_id)
        .split('_')
        .find(|p| !p.is_empty())
        .unwrap_or("")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake_case("listScripts"), "list_scripts");
        assert_eq!(snake_case("getHTTPTrigger"), "get_http_trigger");
        assert_eq!(snake_case("ListAvailableScopes"), "list_available_scopes");
        assert_eq!(snake_case("X-Windmill-Token"), "x_windmill_token");
        assert_eq!(snake_case("9lives"), "_9lives");
        assert_eq!(pascal_case("runScriptByPath"), "RunScriptByPath");
        assert_eq!(rust_field("type"), "type_");
        assert_eq!(rust_field("self"), "self_");
        assert_eq!(verb("runScriptByPath"), "run");
        assert_eq!(humanize("listScripts"), "List scripts");
    }

    #[test]
    fn names() {
        assert!(is_valid_tool_name("list-Scripts_2"));
        assert!(!is_valid_tool_name("a.b"));
        assert!(!is_valid_tool_name(&"x".repeat(65)));
        assert_eq!(tool_name("a.b c"), "a_b_c");
        assert_eq!(arg_name("args[]"), "args__");
        assert_eq!(unique("x", |c| c == "x" || c == "x_2"), "x_3");
    }
}
