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

/// Names longer than this many characters are never anyone's name here: they are unknown at once,
/// with no suggestion (tool names, operation names and argument names are far shorter).
pub const MAX_NAME_CHARS: usize = 256;

/// The most edit-distance cells one [`closest`] call computes (about a millisecond of work):
/// candidates after that are not compared, so a suggestion never costs more than this.
pub const MAX_SUGGESTION_CELLS: usize = 2_000_000;

/// Whether `name` is too long to be a name (see [`MAX_NAME_CHARS`]); counts at most
/// `MAX_NAME_CHARS + 1` characters.
pub fn too_long_for_a_name(name: &str) -> bool {
    name.len() > MAX_NAME_CHARS && name.chars().nth(MAX_NAME_CHARS).is_some()
}

/// The Levenshtein distance of `a` and `b` if it is at most `max`, computing only the diagonal band
/// of width `2 * max + 1`; `cells` counts the cells computed.
fn bounded_levenshtein(a: &[char], b: &[char], max: usize, cells: &mut usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let big = max + 1;
    // prev[j]: distance of a[..i] and b[..j]; cells outside the band hold `big`.
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(big)).collect();
    let mut cur = vec![big; b.len() + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        // Only the band is computed: the cells either side of it must read as out of reach.
        cur[0] = i.min(big);
        if lo > 1 {
            cur[lo - 1] = big;
        }
        if let Some(c) = cur.get_mut(hi + 1) {
            *c = big;
        }
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let d = (prev[j - 1] + cost)
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(big);
            cur[j] = d;
            row_min = row_min.min(d);
        }
        *cells += hi.saturating_sub(lo) + 1;
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// The candidates closest to `wanted` by edit distance (case-insensitive), best first; at most `n`,
/// and only reasonably close ones.
///
/// The work is bounded: a `wanted` longer than [`MAX_NAME_CHARS`] gets no suggestion, longer
/// candidates are skipped, only distances up to the acceptance threshold are computed (a band of
/// the matrix, left early), and after [`MAX_SUGGESTION_CELLS`] cells no further candidate is
/// compared.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    if n == 0 || too_long_for_a_name(wanted) {
        return Vec::new();
    }
    let w = wanted.to_lowercase();
    let wc: Vec<char> = w.chars().collect();
    let mut cells = 0usize;
    let mut scored: Vec<(usize, &'a str)> = Vec::new();
    for c in candidates {
        if cells >= MAX_SUGGESTION_CELLS {
            break;
        }
        if too_long_for_a_name(c) {
            continue;
        }
        let cl = c.to_lowercase();
        let cc: Vec<char> = cl.chars().collect();
        let max = (cc.len().max(wc.len()) / 3).max(2);
        let mut d = bounded_levenshtein(&wc, &cc, max, &mut cells);
        if cl.contains(&w) {
            let near = 1 + wc.len().abs_diff(cc.len()) / 4;
            d = Some(d.map_or(near, |d| d.min(near)));
        }
        if let Some(d) = d.filter(|d| *d <= max) {
            scored.push((d, c));
        }
    }
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
        assert_eq!(
            closest("PATH_STRAT", names.iter().copied(), 1),
            vec!["path_start"]
        );
        assert_eq!(
            closest("pag", names.iter().copied(), 2),
            vec!["page", "per_page"]
        );
    }

    #[test]
    fn the_banded_distance_is_the_distance() {
        let words = [
            "",
            "a",
            "ab",
            "kitten",
            "sitting",
            "flaw",
            "lawn",
            "per_page",
            "perpage",
            "日本語",
            "日本",
        ];
        for a in words {
            for b in words {
                let ac: Vec<char> = a.chars().collect();
                let bc: Vec<char> = b.chars().collect();
                let full = strsim::levenshtein(a, b);
                for max in 0..8 {
                    let mut cells = 0;
                    let got = bounded_levenshtein(&ac, &bc, max, &mut cells);
                    assert_eq!(got, (full <= max).then_some(full), "{a:?} {b:?} max {max}");
                }
            }
        }
    }

    #[test]
    fn suggestions_have_bounded_work() {
        // A 1 MB name against 10,000 candidates: no suggestion, at once.
        let huge = "x".repeat(1 << 20);
        let many: Vec<String> = (0..10_000)
            .map(|i| format!("tool_{i}_{}", "y".repeat(200)))
            .collect();
        let started = std::time::Instant::now();
        assert!(closest(&huge, many.iter().map(String::as_str), 3).is_empty());
        // A 256-character name against 10,000 candidates of 250 characters: the cell budget stops it.
        let long = "y".repeat(MAX_NAME_CHARS);
        let _ = closest(&long, many.iter().map(String::as_str), 3);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(too_long_for_a_name(&"é".repeat(MAX_NAME_CHARS + 1)));
        assert!(!too_long_for_a_name(&"é".repeat(MAX_NAME_CHARS)));
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
