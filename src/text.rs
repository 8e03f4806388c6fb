//! Small text helpers every layer uses: cutting at a character boundary, capping a tool result with
//! a marker, a stable hash for names, query-string decoding, short renderings of values, and
//! did-you-mean suggestions. Nothing here knows about Windmill or MCP.

use serde_json::Value;

/// The longest prefix of `s` that is at most `max` bytes and ends on a character boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// The longest suffix of `s` that is at most `max` bytes and starts on a character boundary.
pub fn suffix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = s.len() - max;
    while !s.is_char_boundary(cut) {
        cut += 1;
    }
    &s[cut..]
}

/// `s` cut to at most `max` bytes, with `…` where it was cut.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_owned()
    } else {
        format!("{}…", prefix(s, max))
    }
}

/// Cuts a tool result to `max` bytes with a marker saying how much was left out.
pub fn cap_text(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let kept = prefix(&text, max);
    let left = text.len() - kept.len();
    format!(
        "{kept}\n[… cut: {left} of {} bytes left out (result limit {max} bytes); narrow the request, e.g. with per_page or filters]",
        text.len()
    )
}

/// FNV-1a, 64 bits: a hash that is stable across builds, platforms and restarts (for names that
/// must not change), not a secret.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Percent-decodes a query-string component (`+` is a space), lossily.
pub fn decode_component(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Decoded `key=value` pairs of a query string.
pub fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

/// A short rendering of a value for error messages: its kind and up to 60 bytes of its JSON.
pub fn describe_value(v: &Value) -> String {
    let kind = match v {
        Value::Null => return "null".into(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let text = v.to_string();
    let shown = if text.len() > 60 {
        ellipsize(&text, 57)
    } else {
        text
    };
    format!("{kind} {shown}")
}

/// The candidates closest to `wanted` by edit distance (case-insensitive), best first; at most `n`,
/// and only reasonably close ones.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(usize, &'a str)> = candidates
        .map(|c| {
            let cl = c.to_lowercase();
            let mut d = strsim::levenshtein(&w, &cl);
            if cl.contains(&w) {
                d = d.min(1 + w.len().abs_diff(cl.len()) / 4);
            }
            (d, c)
        })
        .filter(|(d, c)| *d <= (c.len().max(wanted.len()) / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_character_boundaries() {
        assert_eq!(prefix("héllo", 2), "h");
        assert_eq!(prefix("héllo", 3), "hé");
        assert_eq!(suffix("héllo", 4), "llo");
        assert_eq!(suffix("abc", 10), "abc");
        assert_eq!(ellipsize("abcdef", 3), "abc…");
        assert_eq!(ellipsize("abc", 3), "abc");
    }

    #[test]
    fn capped_texts_say_how_much_was_cut() {
        let t = cap_text("x".repeat(50), 10);
        assert!(t.starts_with("xxxxxxxxxx\n[… cut: 40 of 50 bytes"), "{t}");
        assert_eq!(cap_text("short".into(), 10), "short");
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            form_pairs("a=1&token=q%2Bt&b=x+y&&c"),
            vec![
                ("a".into(), "1".into()),
                ("token".into(), "q+t".into()),
                ("b".into(), "x y".into()),
                ("c".into(), String::new()),
            ]
        );
    }

    #[test]
    fn finds_near_names() {
        let names = ["per_page", "page", "path_start", "order_desc"];
        assert_eq!(
            closest("perpage", names.iter().copied(), 1),
            vec!["per_page"]
        );
        assert!(closest("zzzzzzzz", names.iter().copied(), 3).is_empty());
    }

    #[test]
    fn values_are_described_briefly() {
        assert_eq!(describe_value(&Value::Null), "null");
        assert_eq!(
            describe_value(&serde_json::json!("many")),
            "string \"many\""
        );
        let long = describe_value(&serde_json::json!("é".repeat(100)));
        assert!(long.len() < 80 && long.ends_with('…'), "{long}");
    }

    #[test]
    fn the_name_hash_is_stable() {
        // Names derived from it are promised stable across releases: pin a value.
        assert_eq!(fnv64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
