//! The layout rules of `src/` (see `docs/architecture.md`), checked on the source text:
//!
//! * dependencies between the top-level modules of `src/` run one way: no cycles;
//! * no `clippy::too_many_arguments` allowance anywhere;
//! * no Windmill route written by hand outside the generated code: every request to Windmill is laid
//!   out by a generated builder, so a route change in a new spec shows in the build and `spec diff`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use windmill_mcp::endpoints::Registry;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root().join("src")).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// The code of a file without comments (doc links are not dependencies).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

/// Module → the other top-level modules its code names through `crate::`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    // The alias generated code uses for `endpoints::runtime`.
    modules.insert("runtime".into());
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let text = std::fs::read_to_string(f).expect("read");
        let entry = deps.entry(m.clone()).or_default();
        for line in code_lines(&text) {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let name = if name == "runtime" {
                    "endpoints".to_owned()
                } else {
                    name
                };
                if name != m && modules.contains(&name) {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

/// A cycle in the graph, if there is one.
fn find_cycle(deps: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n.to_owned());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_owned());
        for d in deps.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, deps, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for n in deps.keys() {
        if let Some(c) = visit(n, deps, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_cycles() {
    let deps = dependencies();
    for expected in [
        "catalog",
        "cli",
        "config",
        "endpoints",
        "http",
        "listing",
        "mcp",
        "text",
        "upstream",
        "workspace",
    ] {
        assert!(
            deps.contains_key(expected),
            "no module {expected}: {deps:?}"
        );
    }
    if let Some(c) = find_cycle(&deps) {
        panic!(
            "module cycle: {}\nall dependencies: {deps:#?}",
            c.join(" → ")
        );
    }
    // The layering the README describes: the lower rooms never name the upper ones.
    let lower_than = |a: &str, b: &str| !deps.get(a).is_some_and(|d| d.contains(b));
    for (low, high) in [
        ("text", "listing"),
        ("listing", "endpoints"),
        ("endpoints", "upstream"),
        ("upstream", "workspace"),
        ("workspace", "mcp"),
        ("mcp", "http"),
        ("http", "cli"),
        // The catalog page reads the tools below it; only the fronts (http, cli) show it.
        ("mcp", "catalog"),
        ("catalog", "http"),
        ("catalog", "cli"),
    ] {
        assert!(
            lower_than(low, high),
            "`{low}` depends on `{high}`: {deps:#?}"
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    deps.entry("a".into()).or_default().insert("b".into());
    deps.entry("b".into()).or_default().insert("c".into());
    deps.entry("c".into()).or_default();
    assert_eq!(find_cycle(&deps), None);
    deps.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&deps),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn no_too_many_arguments_allowances() {
    let mut files = Vec::new();
    for dir in ["src", "codegen", "tests", "benches"] {
        rust_files(&root().join(dir), &mut files);
    }
    let needle = ["too_many", "_arguments)"].concat();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(
            !code_lines(&text).any(|l| l.contains(&needle)),
            "{} allows {needle}: take a context struct instead",
            f.display()
        );
    }
}

/// The string literals of a line of code.
fn literals(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find('"') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('"') else { break };
        out.push(&after[..j]);
        rest = &after[j + 1..];
    }
    out
}

#[test]
fn no_windmill_route_is_written_by_hand() {
    // The literal parts of every route of the spec, e.g. `/scripts/list`, `/jobs_u/queue/cancel/`.
    let mut parts: BTreeSet<String> = BTreeSet::new();
    for e in Registry::compiled().all() {
        for piece in e.endpoint.path.split(['{', '}']).step_by(2) {
            let trimmed = piece.trim_matches('/');
            if trimmed.contains('/') || piece.len() > 6 {
                parts.insert(piece.to_owned());
            }
        }
    }
    assert!(
        parts.iter().any(|p| p == "/scripts/list"),
        "the spec's routes are known: {parts:?}"
    );
    // Our own routes, and the one Windmill route outside its spec (see upstream::api).
    let ours = [
        "/api/mcp/w/",
        "/api/mcp/w/{workspace}/mcp",
        "/health",
        "/mcp",
        "/openapi.json",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        // Generated code, and the test-only module that checks what the fixtures' generated code
        // builds.
        if f.ends_with("endpoints/generated.rs") || f.ends_with("src/fixtures.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read");
        let mut in_tests = false;
        for (n, line) in text.lines().enumerate() {
            if line.starts_with("#[cfg(test)]") {
                in_tests = true;
            }
            if in_tests || line.trim_start().starts_with("//") {
                continue;
            }
            for lit in literals(line) {
                if !lit.starts_with('/') || lit.len() < 4 || ours.contains(&lit) {
                    continue;
                }
                let route = lit.split(['?', '{']).next().unwrap_or(lit);
                if parts
                    .iter()
                    .any(|p| p.contains(route) || route.contains(p.as_str()))
                {
                    found.push(format!("{}:{}: {lit:?}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Windmill routes written by hand (use the generated builders, `contract` in endpoints::generated):\n{}",
        found.join("\n")
    );
}
