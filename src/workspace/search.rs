//! Finding a workspace's scripts and flows by plain words, like the endpoints: an index built at
//! each refresh over what Windmill's listings carry (path, folder, summary, description) and the
//! argument names and descriptions of the items whose schemas are known.
//!
//! Ranking is the endpoints' (see [`crate::endpoints::search`]): BM25F over the fields below with
//! the same normalization and synonyms (`windmill_mcp_codegen::search::parse_query`), damped by how
//! much of the query an item covers, plus a bonus for how much of its path's last segment the query
//! covers. Ties break by tool name.

use std::collections::HashMap;

use windmill_mcp_codegen::search::{parse_query, terms};

/// BM25 saturation.
const K1: f32 = 1.2;
/// The part of the score an item keeps however little of the query it covers.
const COVERAGE_FLOOR: f32 = 0.25;
/// Weight of the share of an item's name (its path's last segment) the query covers.
const NAME_BONUS: f32 = 4.0;

/// The fields of an item, with their BM25F weight and length normalization `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The path's last segment (`rotate_db_password`).
    Name,
    /// The folder and the rest of the path (`f/billing/…`).
    Folder,
    Summary,
    Description,
    /// Argument names, titles and descriptions (known once the schema was fetched).
    Args,
}

impl Field {
    const ALL: [Field; 5] = [
        Field::Name,
        Field::Folder,
        Field::Summary,
        Field::Description,
        Field::Args,
    ];

    fn weight(self) -> f32 {
        match self {
            Field::Name => 3.0,
            Field::Folder => 1.2,
            Field::Summary => 3.0,
            Field::Description => 1.0,
            Field::Args => 0.6,
        }
    }

    fn b(self) -> f32 {
        match self {
            Field::Name | Field::Folder => 0.3,
            Field::Summary => 0.5,
            Field::Description | Field::Args => 0.75,
        }
    }
}

/// What the index reads of one item.
pub struct Document<'a> {
    pub path: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    /// Argument names, titles and descriptions, as one text (empty when unknown).
    pub args: &'a str,
}

/// One item found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemHit {
    /// Index of the item in the documents the index was built from.
    pub doc: usize,
    pub score: f32,
}

/// The index over one catalog's items.
#[derive(Debug, Default)]
pub struct ItemIndex {
    /// term → `(document, weight)`, weights already BM25F-saturated, idf not applied.
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// The terms of each document's name, for the name bonus.
    names: Vec<Vec<String>>,
    docs: usize,
}

/// The terms of a path's last segment, and those of the rest.
fn path_terms(path: &str) -> (Vec<String>, Vec<String>) {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    // `f/` and `u/` say only whether it is a folder or a user's: no search word.
    let folder = folder
        .strip_prefix("f/")
        .or_else(|| folder.strip_prefix("u/"))
        .unwrap_or(folder);
    (terms(name), terms(folder))
}

impl ItemIndex {
    pub fn build<'a>(docs: impl IntoIterator<Item = Document<'a>>) -> Self {
        let mut per_doc: Vec<[Vec<String>; 5]> = Vec::new();
        let mut names = Vec::new();
        for d in docs {
            let (name, folder) = path_terms(d.path);
            let mut unique = name.clone();
            unique.sort();
            unique.dedup();
            names.push(unique);
            per_doc.push([
                name,
                folder,
                terms(d.summary),
                terms(d.description),
                terms(d.args),
            ]);
        }
        let n = per_doc.len();
        let mut avg = [0f32; 5];
        for fields in &per_doc {
            for (i, f) in fields.iter().enumerate() {
                avg[i] += f.len() as f32;
            }
        }
        for a in &mut avg {
            *a = (*a / n.max(1) as f32).max(1.0);
        }
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        for (d, fields) in per_doc.iter().enumerate() {
            // BM25F: per field, term frequency normalized by length, weighted; summed; saturated.
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for (i, field) in Field::ALL.iter().enumerate() {
                let len = fields[i].len() as f32;
                let norm = 1.0 - field.b() + field.b() * len / avg[i];
                for t in &fields[i] {
                    *tf.entry(t.as_str()).or_default() += field.weight() / norm;
                }
            }
            for (t, f) in tf {
                let w = f * (K1 + 1.0) / (f + K1);
                postings
                    .entry(t.to_owned())
                    .or_default()
                    .push((d as u32, w));
            }
        }
        ItemIndex {
            postings,
            names,
            docs: n,
        }
    }

    pub fn len(&self) -> usize {
        self.docs
    }

    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// The best matching items, best first: at most `limit`, only those `admit` accepts. `tie`
    /// gives each document's tie-break key (its tool name).
    pub fn search(
        &self,
        query: &str,
        admit: &dyn Fn(usize) -> bool,
        tie: &dyn Fn(usize) -> String,
        limit: usize,
    ) -> Vec<ItemHit> {
        if limit == 0 || self.docs == 0 {
            return Vec::new();
        }
        let q = parse_query(query);
        let n = self.docs as f32;
        let idf = |df: usize| (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        // Each query word weighs its idf (or its best synonym's) in coverage.
        let word_idf: Vec<f32> = (0..q.words.len())
            .map(|k| {
                q.terms
                    .iter()
                    .filter(|t| t.words & (1 << k) != 0)
                    .filter_map(|t| self.postings.get(&t.term).map(|p| idf(p.len())))
                    .fold(0.0, f32::max)
            })
            .collect();
        let total: f32 = word_idf.iter().sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut score: HashMap<u32, (f32, u32)> = HashMap::new();
        for t in &q.terms {
            let Some(p) = self.postings.get(&t.term) else {
                continue;
            };
            let factor = t.weight * idf(p.len());
            for (d, w) in p {
                let e = score.entry(*d).or_default();
                e.0 += factor * w;
                e.1 |= t.words;
            }
        }
        let mut hits: Vec<(ItemHit, String)> = Vec::new();
        for (d, (s, words)) in score {
            let d = d as usize;
            if !admit(d) {
                continue;
            }
            let covered: f32 = word_idf
                .iter()
                .enumerate()
                .filter(|(k, _)| words & (1 << k) != 0)
                .map(|(_, f)| f)
                .sum();
            let coverage = covered / total;
            let name = self.names.get(d).map(Vec::as_slice).unwrap_or(&[]);
            let name_covered = name
                .iter()
                .filter(|t| q.terms.iter().any(|x| &x.term == *t))
                .count() as f32;
            let name_coverage = name_covered / name.len().max(1) as f32;
            let s = s * (COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * coverage * coverage)
                + NAME_BONUS * name_coverage * coverage;
            hits.push((ItemHit { doc: d, score: s }, tie(d)));
        }
        hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then_with(|| a.1.cmp(&b.1)));
        hits.truncate(limit);
        hits.into_iter().map(|(h, _)| h).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(path: &'a str, summary: &'a str, description: &'a str) -> Document<'a> {
        Document {
            path,
            summary,
            description,
            args: "",
        }
    }

    #[test]
    fn finds_items_by_words_of_every_field() {
        let docs = [
            doc(
                "f/devops/rotate_pg_creds",
                "Rotate Postgres credentials",
                "Generates a new password for the database user and stores it in a variable.",
            ),
            doc(
                "f/billing/send_invoice",
                "Send an invoice",
                "Emails the monthly invoice to a customer.",
            ),
            doc("f/misc/s1", "Generic script 1", "Does generic things."),
        ];
        let index = ItemIndex::build(docs);
        let tie = |d: usize| d.to_string();
        let all = |_: usize| true;
        let top = |q: &str| index.search(q, &all, &tie, 3).first().map(|h| h.doc);
        assert_eq!(top("rotate postgres credentials"), Some(0));
        assert_eq!(top("change the database password"), Some(0));
        assert_eq!(top("billing invoice"), Some(1));
        assert_eq!(top("send_invoice"), Some(1));
        assert_eq!(top("zzzz"), None);
        assert!(index
            .search("invoice", &|d| d != 1, &tie, 3)
            .iter()
            .all(|h| h.doc != 1));
    }

    #[test]
    fn any_input_is_survived() {
        let index = ItemIndex::build([doc("", "", "")]);
        for q in ["", "日本語", &"a ".repeat(10_000)] {
            let hits = index.search(q, &|_| true, &|d| d.to_string(), 10);
            assert!(hits.iter().all(|h| h.score.is_finite()));
        }
        assert!(ItemIndex::default()
            .search("x", &|_| true, &|d| d.to_string(), 10)
            .is_empty());
    }
}
