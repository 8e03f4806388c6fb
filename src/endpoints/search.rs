//! The search behind `search_endpoints`: a query in plain words → the best matching operations.
//!
//! Ranks over the index the build wrote into [`super::generated`] (`SEARCH_TERMS`, see
//! `windmill_mcp_codegen::search` for how it is built and encoded), with the same normalization
//! (`windmill_mcp_codegen::search::parse_query`: words, stems, stop words, synonyms). The score of
//! an operation is
//!
//! * the BM25F weights of the query's terms in it (synonyms count less, and never more than the
//!   word they stand for would),
//! * damped by how much of the query it covers (each query word weighs its idf, so missing a rare
//!   word costs more than missing `get`; `workspace` is covered by every workspace-scoped
//!   operation),
//! * plus a bonus for how much of its name the query covers (`listUsers` over
//!   `listUsersAsSuperAdmin` for "list users"), and a bigger one when the query is its name;
//! * times a small prior for the curated set.
//!
//! Ties break by name, so results are deterministic. Any input is fine: the query is cut to
//! [`MAX_QUERY_CHARS`](windmill_mcp_codegen::search::MAX_QUERY_CHARS) characters and
//! [`MAX_QUERY_WORDS`](windmill_mcp_codegen::search::MAX_QUERY_WORDS) words.

use windmill_mcp_codegen::ir::Api;
use windmill_mcp_codegen::search::{build, decode_postings, parse_query, quantize, stem, terms};

use super::generated::{SEARCH_TERMS, SEARCH_WEIGHT_SCALE};
use super::registry::{Operation, ToolEntry};

/// One operation found, with its score (higher is better; only comparable within one search).
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub entry: &'a ToolEntry,
    pub score: f32,
}

/// `(term, encoded postings)`, sorted by term: written by the build, or built at run time.
enum Terms {
    Compiled(&'static [(&'static str, &'static str)]),
    Built(Vec<(String, String)>),
}

/// A view of [`Terms`].
#[derive(Clone, Copy)]
enum TermsRef<'a> {
    Borrowed(&'a [(&'a str, &'a str)]),
    Owned(&'a [(String, String)]),
}

impl<'a> TermsRef<'a> {
    /// The postings of `term`.
    fn get(self, term: &str) -> Option<&'a str> {
        match self {
            TermsRef::Borrowed(t) => t
                .binary_search_by(|(x, _)| (*x).cmp(term))
                .ok()
                .and_then(|i| t.get(i))
                .map(|(_, p)| *p),
            TermsRef::Owned(t) => t
                .binary_search_by(|(x, _)| x.as_str().cmp(term))
                .ok()
                .and_then(|i| t.get(i))
                .map(|(_, p)| p.as_str()),
        }
    }
}

/// A ranking index over a registry's entries (document `d` is the registry's entry `d`).
pub struct SearchIndex {
    terms: Terms,
    /// What one quantum of a posting's weight is worth.
    scale: f32,
    /// The terms of each entry's name, sorted and deduplicated (for the name bonus).
    name_terms: Vec<Vec<String>>,
}

impl SearchIndex {
    /// The index the build wrote for the compiled-in endpoints (`entries` in generated order).
    pub fn compiled(entries: &[ToolEntry]) -> Self {
        SearchIndex {
            terms: Terms::Compiled(SEARCH_TERMS),
            scale: SEARCH_WEIGHT_SCALE,
            name_terms: name_terms(entries),
        }
    }

    /// The index of a spec lowered at run time, built now the way the build builds the compiled
    /// one (`entries`: the registry's operation form of `api`'s operations, in the same order).
    pub fn built(api: &Api, entries: &[ToolEntry]) -> Self {
        let index = build(api);
        let (scale, rows) = quantize(&index);
        SearchIndex {
            terms: Terms::Built(rows.into_iter().map(|(t, p)| (t.to_owned(), p)).collect()),
            scale,
            name_terms: name_terms(entries),
        }
    }

    fn terms_ref(&self) -> TermsRef<'_> {
        match &self.terms {
            Terms::Compiled(t) => TermsRef::Borrowed(t),
            Terms::Built(t) => TermsRef::Owned(t),
        }
    }

    /// The index's terms with their encoded postings, sorted by term (for a copy of the ranking
    /// elsewhere, e.g. the catalog page's search box).
    pub fn terms(&self) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
        match &self.terms {
            Terms::Compiled(t) => Box::new(t.iter().map(|(t, p)| (*t, *p))),
            Terms::Built(t) => Box::new(t.iter().map(|(t, p)| (t.as_str(), p.as_str()))),
        }
    }

    /// What one quantum of a posting's weight is worth.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// The best matching entries for `query`, best first: at most `limit`, only those `admit`
    /// accepts (it is asked only about entries that match at all). Empty when nothing matches.
    pub fn search<'a>(
        &self,
        entries: &'a [ToolEntry],
        query: &str,
        admit: &dyn Fn(&Operation) -> bool,
        limit: usize,
    ) -> Vec<Hit<'a>> {
        rank(
            &Corpus {
                terms: self.terms_ref(),
                scale: self.scale,
                entries,
                name_terms: &self.name_terms,
            },
            query,
            admit,
            limit,
        )
    }
}

/// The terms of each entry's name, sorted and deduplicated.
fn name_terms(entries: &[ToolEntry]) -> Vec<Vec<String>> {
    entries
        .iter()
        .map(|e| {
            let mut t = terms(e.name());
            t.sort();
            t.dedup();
            t
        })
        .collect()
}

/// Weight of the share of an operation's name the query covers.
pub const NAME_BONUS: f32 = 6.0;
/// Added when the query is the operation's name (`getJobLogs`, `get_job_logs`, `get job logs`).
pub const EXACT_NAME_BONUS: f32 = 100.0;
/// The part of the BM25 score an operation keeps however little of the query it covers.
pub const COVERAGE_FLOOR: f32 = 0.25;
/// Factor for operations in the curated set (Windmill's `x-mcp-tool` ones: the common tasks).
pub const CURATED_PRIOR: f32 = 1.08;

/// [`SearchIndex::search`] over the compiled-in endpoints.
pub fn search(query: &str, admit: &dyn Fn(&Operation) -> bool, limit: usize) -> Vec<Hit<'static>> {
    let registry = super::Registry::compiled();
    registry
        .search_index()
        .search(registry.all(), query, admit, limit)
}

/// What [`rank`] ranks over: the generated index (or, in tests, a damaged one).
struct Corpus<'c, 'e> {
    terms: TermsRef<'c>,
    scale: f32,
    entries: &'e [ToolEntry],
    name_terms: &'c [Vec<String>],
}

/// BM25's idf, as the build computes it.
fn idf(n: usize, df: usize) -> f32 {
    let (n, df) = (n as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A query term the index knows.
struct Found<'a> {
    term: &'a str,
    weight: f32,
    /// Bit `k`: stands for query word `k`.
    words: u32,
    postings: &'a str,
    idf: f32,
}

fn rank<'e>(
    corpus: &Corpus<'_, 'e>,
    query: &str,
    admit: &dyn Fn(&Operation) -> bool,
    limit: usize,
) -> Vec<Hit<'e>> {
    let n = corpus.entries.len();
    if limit == 0 || n == 0 {
        return Vec::new();
    }
    let q = parse_query(query);
    let found: Vec<Found> = q
        .terms
        .iter()
        .filter_map(|t| {
            let postings = corpus.terms.get(t.term.as_str())?;
            Some(Found {
                term: t.term.as_str(),
                weight: t.weight,
                words: t.words,
                postings,
                idf: idf(n, decode_postings(postings).count()),
            })
        })
        .collect();
    // What each query word weighs in coverage: its own idf, or its best synonym's when the index
    // does not know the word itself; 0 (it cannot be covered) when it knows neither.
    let own_idf: Vec<Option<f32>> = q
        .words
        .iter()
        .map(|w| found.iter().find(|f| f.term == w.as_str()).map(|f| f.idf))
        .collect();
    let word_idf: Vec<f32> = (0..q.words.len())
        .map(|k| {
            own_idf[k].unwrap_or_else(|| {
                found
                    .iter()
                    .filter(|f| f.words & (1 << k) != 0)
                    .map(|f| f.idf)
                    .fold(0.0, f32::max)
            })
        })
        .collect();
    let total_idf: f32 = word_idf.iter().sum();
    if total_idf <= 0.0 {
        return Vec::new();
    }
    let workspace = stem("workspace");
    let workspace_word = q.words.iter().position(|w| *w == workspace);

    let mut score = vec![0.0f32; n];
    let mut matched = vec![0u32; n];
    for f in &found {
        // A synonym weighs no more than the word it stands for would.
        let own = (0..q.words.len())
            .filter(|k| f.words & (1 << k) != 0)
            .filter_map(|k| own_idf[k])
            .fold(f32::INFINITY, f32::min);
        let cap = if f.weight < 1.0 && own < f.idf {
            own / f.idf
        } else {
            1.0
        };
        let factor = f.weight * cap * corpus.scale;
        for (d, quanta) in decode_postings(f.postings) {
            let Some(s) = score.get_mut(d as usize) else {
                break;
            };
            *s += factor * quanta as f32;
            matched[d as usize] |= f.words;
        }
    }

    let compact_query: Vec<char> = query
        .chars()
        .take(200)
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut hits: Vec<Hit> = Vec::new();
    for (d, entry) in corpus.entries.iter().enumerate() {
        let endpoint = &*entry.endpoint;
        if score[d] <= 0.0 || !admit(endpoint) {
            continue;
        }
        let mut words = matched[d];
        if let Some(k) = workspace_word {
            if endpoint.has_workspace {
                words |= 1 << k;
            }
        }
        let covered: f32 = word_idf
            .iter()
            .enumerate()
            .filter(|(k, _)| words & (1 << k) != 0)
            .map(|(_, f)| f)
            .sum();
        let coverage = covered / total_idf;
        let name = corpus.name_terms.get(d).map(Vec::as_slice).unwrap_or(&[]);
        let name_covered: f32 = name
            .iter()
            .map(|t| {
                q.terms
                    .iter()
                    .filter(|x| x.term == *t)
                    .map(|x| x.weight)
                    .fold(0.0, f32::max)
            })
            .sum();
        let name_coverage = name_covered / name.len().max(1) as f32;
        let mut s = score[d] * (COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * coverage * coverage)
            + NAME_BONUS * name_coverage * coverage;
        if endpoint.curated {
            s *= CURATED_PRIOR;
        }
        // Search names operations by operationId: the query spelling one comes first, before an
        // operation whose curated name it spells (v1.795.0's `createApp` is both the low-code
        // operation's operationId and createAppRawSource's curated name).
        if is_name(&compact_query, &endpoint.name) {
            s += EXACT_NAME_BONUS;
        } else if endpoint
            .curated_name
            .as_deref()
            .is_some_and(|c| is_name(&compact_query, c))
        {
            s += EXACT_NAME_BONUS / 2.0;
        }
        hits.push(Hit { entry, score: s });
    }
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.entry.endpoint.name.cmp(&b.entry.endpoint.name))
    });
    hits.truncate(limit);
    hits
}

/// Whether the query's letters and digits spell `name`'s, case aside (`get job logs`,
/// `get_job_logs` and `GetJobLogs` spell `getJobLogs`).
fn is_name(compact_query: &[char], name: &str) -> bool {
    let mut q = compact_query.iter();
    let mut n = name.chars().filter(|c| c.is_alphanumeric());
    loop {
        match (q.next(), n.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.to_lowercase().eq(b.to_lowercase()) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_index_is_survived() {
        // Postings past the end of the endpoints, malformed postings, unsorted terms.
        let table: &[(&str, &str)] = &[
            ("job", "AAB_____"),
            ("list", "\"é"),
            ("get", "zzzzzzzzzzzzzzzzzzzzzzzz"),
            ("flow", "BAB"),
        ];
        let names = vec![vec!["job".to_owned()]; 1];
        let registry = crate::endpoints::Registry::compiled();
        let corpus = Corpus {
            terms: TermsRef::Borrowed(table),
            scale: 1.0,
            entries: &registry.all()[..2],
            name_terms: &names,
        };
        for q in ["job", "list jobs", "get a flow", "", "日本語"] {
            let hits = rank(&corpus, q, &|_| true, usize::MAX);
            assert!(hits.len() <= 2);
            assert!(hits.iter().all(|h| h.score.is_finite()));
        }
    }

    #[test]
    fn names_are_spelled_case_and_separators_aside() {
        let q = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<Vec<_>>()
        };
        assert!(is_name(&q("get job logs"), "getJobLogs"));
        assert!(is_name(&q("GET_JOB_LOGS"), "getJobLogs"));
        assert!(!is_name(&q("get job"), "getJobLogs"));
        assert!(!is_name(&q("get job logs now"), "getJobLogs"));
        assert!(is_name(&q("delete invite"), "delete_invite"));
    }
}
