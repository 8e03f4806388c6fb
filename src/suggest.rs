//! Did-you-mean suggestions.

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
    #[test]
    fn finds_near_names() {
        let names = ["per_page", "page", "path_start", "order_desc"];
        assert_eq!(
            super::closest("perpage", names.iter().copied(), 1),
            vec!["per_page"]
        );
        assert!(super::closest("zzzzzzzz", names.iter().copied(), 3).is_empty());
    }
}
