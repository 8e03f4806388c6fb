//! The search evaluation: queries a person would type (`tests/search_eval/queries.json`), half for
//! Windmill API operations, half for a team's own scripts and flows (the realistic items of
//! `tests/fake_windmill/data/realistic.json`) mixed into 5,500 generic ones with plausible texts.
//! Each query goes through `search_endpoints` as a model calls it (endpoints and items ranked
//! together); a query counts as found in the top 1 / top 3 when an expected answer is there.
//!
//! Prints every rank and the figures; fails under 90% in the top 3. Run it with
//! `cargo test --release --test search_eval -- --nocapture`.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;
use windmill_fake::realistic_items;
use windmill_mcp::config::Exposure;
use windmill_mcp::endpoints::{Registry, Selection};
use windmill_mcp::listing::Profile;
use windmill_mcp::mcp::discovery::{self, ItemScope};
use windmill_mcp::workspace::{Catalog, ItemInfo, Kind};

#[derive(Deserialize)]
struct Queries {
    endpoints: Vec<EndpointQuery>,
    workspace: Vec<ItemQuery>,
}

#[derive(Deserialize)]
struct EndpointQuery {
    query: String,
    expect: Vec<String>,
    #[serde(default)]
    held_out: bool,
}

#[derive(Deserialize)]
struct ItemQuery {
    query: String,
    expect: String,
    #[serde(default)]
    held_out: bool,
}

fn queries() -> Queries {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/search_eval/queries.json"
    );
    let text = std::fs::read_to_string(path).expect("queries.json");
    serde_json::from_str(&text).expect("queries.json reads")
}

/// Generic items as a large workspace has thousands of: short, templated, with everyday words.
fn generic_items(scripts: usize, flows: usize) -> Vec<ItemInfo> {
    const VERBS: &[&str] = &[
        "Sync",
        "Export",
        "Import",
        "Process",
        "Check",
        "Update",
        "Clean up",
        "Compute",
        "Send",
        "Fetch",
        "Validate",
        "Archive",
        "Aggregate",
        "Notify about",
    ];
    const NOUNS: &[&str] = &[
        "orders",
        "events",
        "logs",
        "metrics",
        "files",
        "records",
        "users",
        "reports",
        "tasks",
        "payments",
        "messages",
        "tickets",
        "accounts",
        "invoices lines",
        "sessions",
    ];
    const SCOPES: &[&str] = &["tenant", "region", "batch", "shard", "partner", "team"];
    let mut out = Vec::new();
    for i in 0..scripts {
        let path = match i % 4 {
            0 => format!("f/team_{}/job_{i}", i % 37),
            1 => format!("u/ana/task{i}"),
            2 => format!("f/ops/sub_{}/step_{i}", i % 13),
            _ => format!("f/misc/s{i}"),
        };
        let summary = format!(
            "{} {} for {} {}",
            VERBS[i % VERBS.len()],
            NOUNS[(i / 3) % NOUNS.len()],
            SCOPES[(i / 7) % SCOPES.len()],
            i % 97
        );
        let description = if i % 5 == 0 {
            format!("Internal job {i}, owned by team {}.", i % 37)
        } else {
            String::new()
        };
        out.push(ItemInfo::new(Kind::Script, &path, &summary, &description));
    }
    for i in 0..flows {
        let path = format!("f/flows_{}/flow_{i}", i % 11);
        let summary = format!(
            "{} {} pipeline {}",
            VERBS[(i + 3) % VERBS.len()],
            NOUNS[(i / 2) % NOUNS.len()],
            i
        );
        out.push(ItemInfo::new(Kind::Flow, &path, &summary, ""));
    }
    out
}

/// The catalog the workspace queries search: the realistic items among the generic ones, with
/// their argument names and descriptions indexed.
fn catalog() -> Catalog {
    let realistic = realistic_items();
    let mut infos = generic_items(5_000, 500);
    let mut args = std::collections::HashMap::new();
    for r in &realistic {
        let kind = if r.is_flow() {
            Kind::Flow
        } else {
            Kind::Script
        };
        let info = ItemInfo::new(kind, &r.path, &r.summary, &r.description);
        let text: Vec<String> = r
            .args
            .iter()
            .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or_default()))
            .collect();
        args.insert(info.name.clone(), text.join(" "));
        infos.push(info);
    }
    Catalog::offline(infos, &|i| args.get(&i.name).cloned().unwrap_or_default())
}

/// The names `search_endpoints` answers, best first.
fn search(registry: &Registry, catalog: &Catalog, query: &str) -> Vec<String> {
    let exposure = Exposure {
        selection: Selection::Curated,
        read_only: false,
        profile: Profile::Full,
        max_name_len: None,
    };
    let listed = HashSet::new();
    let args = json!({"query": query, "limit": 10});
    let r = discovery::search(
        registry,
        Some(ItemScope {
            catalog,
            listed: &listed,
        }),
        args.as_object().expect("object"),
        &exposure,
    );
    r.structured_content
        .as_ref()
        .and_then(|v| v["results"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v["name"].as_str().map(str::to_owned))
        .collect()
}

/// Where the first expected answer is (1-based), if in the top 10.
fn rank(found: &[String], expected: &[String]) -> Option<usize> {
    found
        .iter()
        .position(|n| expected.contains(n))
        .map(|p| p + 1)
}

#[test]
fn paraphrases_find_operations_scripts_and_flows() {
    let registry = Registry::compiled();
    let catalog = catalog();
    let q = queries();
    let mut report = Vec::new();
    let mut tally =
        |corpus: &str, held_out: bool, query: &str, found: Vec<String>, expected: Vec<String>| {
            let r = rank(&found, &expected);
            report.push((corpus.to_owned(), held_out, r));
            println!(
                "{:>4}  {corpus:<9}  {query:<50}  want {:?}  top 3 {:?}",
                r.map_or("-".into(), |r| r.to_string()),
                expected,
                &found[..found.len().min(3)]
            );
        };
    for e in &q.endpoints {
        let found = search(registry, &catalog, &e.query);
        tally("endpoint", e.held_out, &e.query, found, e.expect.clone());
    }
    for i in &q.workspace {
        let found = search(registry, &catalog, &i.query);
        let want = windmill_mcp::workspace::names::tool_name(
            if is_flow(&i.expect) {
                Kind::Flow
            } else {
                Kind::Script
            },
            &i.expect,
        );
        tally("workspace", i.held_out, &i.query, found, vec![want]);
    }
    let figures = |corpus: Option<&str>, held_out: Option<bool>| {
        let rows: Vec<&Option<usize>> = report
            .iter()
            .filter(|(c, h, _)| corpus.is_none_or(|x| x == c) && held_out.is_none_or(|x| x == *h))
            .map(|(_, _, r)| r)
            .collect();
        let n = rows.len();
        let top1 = rows.iter().filter(|r| **r == &Some(1)).count();
        let top3 = rows.iter().filter(|r| r.is_some_and(|r| r <= 3)).count();
        (n, top1, top3)
    };
    for held_out in [Some(false), Some(true), None] {
        for corpus in [Some("endpoint"), Some("workspace"), None] {
            let (n, top1, top3) = figures(corpus, held_out);
            println!(
                "{:<10} {:<9} {n:>3} queries: top-1 {top1} ({:.1}%), top-3 {top3} ({:.1}%)",
                corpus.unwrap_or("all"),
                match held_out {
                    Some(false) => "tuned",
                    Some(true) => "held-out",
                    None => "all",
                },
                100.0 * top1 as f64 / n.max(1) as f64,
                100.0 * top3 as f64 / n.max(1) as f64
            );
        }
    }
    let (n, _, top3) = figures(None, None);
    assert!(n >= 80, "at least 80 queries, got {n}");
    assert!(top3 * 10 >= n * 9, "top-3 {top3}/{n} is under 90%");
}

fn is_flow(path: &str) -> bool {
    realistic_items()
        .iter()
        .any(|r| r.path == path && r.is_flow())
}

#[test]
fn the_evaluation_data_is_consistent() {
    let q = queries();
    let registry = Registry::compiled();
    for e in &q.endpoints {
        assert!(
            e.expect.iter().any(|n| registry.get(n).is_some()),
            "{}: none of {:?} is an operation of this spec",
            e.query,
            e.expect
        );
    }
    let paths: HashSet<String> = realistic_items().into_iter().map(|r| r.path).collect();
    for i in &q.workspace {
        assert!(
            paths.contains(&i.expect),
            "{}: no item {}",
            i.query,
            i.expect
        );
    }
}
