//! Tool names for workspace scripts and flows.
//!
//! Rule, in order:
//! 1. **Windmill's own name** — `s-`/`f-` + the path with `_` → `__` and `/` → `_` — when that name is
//!    at most 40 characters and the path can be read back from it unambiguously: only ASCII letters,
//!    digits, `_` and `/` in the path, no empty segment, and no `_` next to a `/` (otherwise `f/a/_x`
//!    and `f/a_/x` would both be `f-f_a___x`). Client allow-lists written for Windmill's built-in
//!    server keep working for these.
//! 2. Otherwise the **escaped form**: `s-`/`f-` + the path with `/` → `_`, `_` → `-_`, `-` → `--`
//!    and any other character → `-<hex code point>-`. It always contains a `-` after the prefix or is
//!    longer than 40 characters, so it never equals a name of rule 1; it decodes back to the path.
//! 3. When the escaped form is longer than 64 characters: its first characters (cut between escapes),
//!    then `-h` and 12 hex digits of a hash of the path. `-h` never occurs in a rule-2 name (`h` is not a
//!    hex digit), so these never equal a rule-2 name either; the tool list maps them back to paths.
//!
//! Names depend only on the kind and the path: stable across restarts and replicas.

/// A script or a flow.
pub use crate::upstream::api::ItemKind as Kind;

/// Longest name Windmill's built-in server gives without hashing.
pub const WINDMILL_MAX: usize = 40;
/// Longest tool name MCP clients accept.
pub const MAX_NAME: usize = 64;

fn windmill_form_ok(path: &str) -> bool {
    let b = path.as_bytes();
    !path.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'/')
        && !path.starts_with('/')
        && !path.ends_with('/')
        && !path.contains("//")
        && !path.contains("_/")
        && !path.contains("/_")
}

/// The escaped form of a path (rule 2, without prefix).
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    let mut prev = None;
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        // A `/` that starts, ends or doubles a separator is escaped, so that a name without `-`
        // always comes from a path of plain segments.
        let lone_slash = c == '/' && prev.is_some() && prev != Some('/') && chars.peek().is_some();
        prev = Some(c);
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            '/' if lone_slash => out.push('_'),
            '_' => out.push_str("-_"),
            '-' => out.push_str("--"),
            other => {
                out.push('-');
                out.push_str(&format!("{:x}", other as u32));
                out.push('-');
            }
        }
    }
    out
}

/// The tool name of a script or flow path.
pub fn tool_name(kind: Kind, path: &str) -> String {
    let prefix = kind.prefix();
    if windmill_form_ok(path) {
        let name = format!("{prefix}{}", path.replace('_', "__").replace('/', "_"));
        if name.len() <= WINDMILL_MAX {
            return name;
        }
    }
    let escaped = escape(path);
    if prefix.len() + escaped.len() <= MAX_NAME {
        return format!("{prefix}{escaped}");
    }
    // Rule 3: readable start, cut between escapes, + `-h` + 12 hex digits.
    let h = crate::text::fnv64(format!("{}:{path}", kind.as_str()).as_bytes()) & 0xffff_ffff_ffff;
    let suffix = format!("-h{h:012x}");
    let room = MAX_NAME - prefix.len() - suffix.len();
    let mut cut = 0;
    let mut i = 0;
    let bytes = escaped.as_bytes();
    while i < bytes.len() {
        let step = if bytes[i] == b'-' {
            match bytes.get(i + 1) {
                Some(b'_') | Some(b'-') => 2,
                _ => {
                    // `-<hex>-`
                    let end = escaped[i + 1..].find('-').map(|e| i + 1 + e + 1);
                    end.unwrap_or(bytes.len()) - i
                }
            }
        } else {
            1
        };
        if i + step > room {
            break;
        }
        i += step;
        cut = i;
    }
    format!("{prefix}{}{suffix}", &escaped[..cut])
}

/// The path a rule-1 or rule-2 name stands for (rule-3 names need the tool list).
pub fn decode(name: &str) -> Option<(Kind, String)> {
    let (kind, body) = if let Some(b) = name.strip_prefix("s-") {
        (Kind::Script, b)
    } else if let Some(b) = name.strip_prefix("f-") {
        (Kind::Flow, b)
    } else {
        return None;
    };
    if !body.contains('-') {
        if name.len() > WINDMILL_MAX {
            // Rule 2 without escapes: `/` was `_`, and there is no `_` in the path.
            return Some((kind, body.replace('_', "/")));
        }
        // Rule 1: runs of `_`: even → literal underscores, a single one → `/`.
        let mut out = String::new();
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'_' {
                let start = i;
                while i < b.len() && b[i] == b'_' {
                    i += 1;
                }
                let run = i - start;
                if run == 1 {
                    out.push('/');
                } else if run % 2 == 0 {
                    out.push_str(&"_".repeat(run / 2));
                } else {
                    return None;
                }
            } else {
                out.push(b[i] as char);
                i += 1;
            }
        }
        return Some((kind, out));
    }
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' => out.push('/'),
            '-' => match chars.next()? {
                '_' => out.push('_'),
                '-' => out.push('-'),
                'h' => return None, // rule 3: hashed
                first => {
                    let mut hex = String::from(first);
                    loop {
                        match chars.next()? {
                            '-' => break,
                            d => hex.push(d),
                        }
                    }
                    let code = u32::from_str_radix(&hex, 16).ok()?;
                    out.push(char::from_u32(code)?);
                }
            },
            c => out.push(c),
        }
    }
    Some((kind, out))
}

/// Whether a name fits what MCP clients accept.
pub fn valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windmill_names_where_unambiguous() {
        assert_eq!(
            tool_name(Kind::Script, "f/folder/my_script"),
            "s-f_folder_my__script"
        );
        assert_eq!(tool_name(Kind::Flow, "u/admin/hello"), "f-u_admin_hello");
    }

    #[test]
    fn underscore_next_to_slash_is_not_ambiguous() {
        let a = tool_name(Kind::Script, "f/a/_x");
        let b = tool_name(Kind::Script, "f/a_/x");
        assert_ne!(a, b);
        assert_eq!(decode(&a), Some((Kind::Script, "f/a/_x".into())));
        assert_eq!(decode(&b), Some((Kind::Script, "f/a_/x".into())));
        // Windmill's own rule gives both `s-f_a___x`; that name is not produced for either.
        assert_ne!(a, "s-f_a___x");
        assert_ne!(b, "s-f_a___x");
        // Empty segments cannot pass for underscores.
        assert_ne!(
            tool_name(Kind::Script, "f/a//b"),
            tool_name(Kind::Script, "f/a_b")
        );
    }

    #[test]
    fn long_and_unusual_paths() {
        let long = format!("f/team/{}", "x".repeat(100));
        let n = tool_name(Kind::Script, &long);
        assert!(valid_tool_name(&n), "{n}");
        assert!(n.contains("-h"));
        assert_eq!(decode(&n), None);
        let other = format!("f/team/{}y", "x".repeat(99));
        assert_ne!(n, tool_name(Kind::Script, &other));
        for p in [
            "f/ä/ü-x",
            "u/me/a.b",
            "f/x/__",
            "f/a-b/c_d",
            "f/x/a__b",
            "f/a//b",
            "/x/",
        ] {
            let n = tool_name(Kind::Flow, p);
            assert!(valid_tool_name(&n), "{n}");
            assert_eq!(decode(&n), Some((Kind::Flow, p.to_string())), "{n}");
        }
        // Rule 2 without escapes (long, plain) decodes too.
        let plain = "f/abcdefghij/klmnopqrstuvwxyz0123456789";
        let n = tool_name(Kind::Script, plain);
        assert!(n.len() > WINDMILL_MAX);
        assert_eq!(decode(&n), Some((Kind::Script, plain.into())));
    }
}
