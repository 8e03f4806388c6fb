//! `windmill-mcp tools ...`: read the compiled-in tools without a Windmill; `tools list` and
//! `tools stats` read a spec file or a Windmill's served spec too (`--spec FILE|URL`).

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::config::Exposure;
use crate::endpoints::{Registry, Selection, ToolEntry};
use crate::listing::Profile;

/// Bytes of a tool's definition as `tools/list` sends it (the compact listed form).
pub fn tool_bytes(e: &ToolEntry) -> usize {
    serde_json::to_vec(&*e.listed).map(|v| v.len()).unwrap_or(0)
}

fn hints(e: &ToolEntry) -> String {
    let h = e.endpoint.hints;
    let mut s = String::new();
    s.push(if h.read_only { 'R' } else { '-' });
    s.push(if h.destructive { 'D' } else { '-' });
    s.push(if h.idempotent { 'I' } else { '-' });
    s.push(if h.open_world { 'O' } else { '-' });
    s
}

/// How long `--spec URL` waits for a Windmill's `/api/openapi.json`.
const SPEC_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The tools `tools list` and `tools stats` read (`--spec`): the compiled ones (no value, or
/// `compiled`), a spec file (YAML or JSON, with the files it `$ref`s), or the `/api/openapi.json`
/// of the Windmill at an `http(s)://` base URL, lowered as `serve --spec` would.
pub async fn registry_of(spec: Option<&str>) -> Result<Arc<Registry>, String> {
    use crate::config::SpecSource;
    use crate::upstream::spec as upstream_spec;
    let Some(spec) = spec else {
        return Ok(Registry::compiled().clone());
    };
    match SpecSource::parse(spec)? {
        SpecSource::Compiled => Ok(Registry::compiled().clone()),
        SpecSource::File(path) => {
            let registry =
                tokio::task::spawn_blocking(move || upstream_spec::file_registry(&path))
                    .await
                    .map_err(|e| format!("reading the spec stopped: {e}"))??;
            Ok(Arc::new(registry))
        }
        SpecSource::Url(base) => {
            let windmill = upstream_spec::spec_client(&base, SPEC_FETCH_TIMEOUT)?;
            Ok(Arc::new(upstream_spec::live_registry(&windmill).await?))
        }
        SpecSource::Live | SpecSource::Auto => Err(format!(
            "`--spec {}` needs a connected Windmill; give its base URL (`--spec https://windmill.example.com`) or a spec file",
            spec.trim()
        )),
    }
}

/// `tools list`: a table or JSON, of the compiled-in tools.
pub fn list(sel: &Selection, tag: Option<&str>, as_json: bool) -> String {
    list_of(Registry::compiled(), sel, tag, as_json)
}

/// `tools list --spec`: a table or JSON, of this registry's tools.
pub fn list_of(registry: &Registry, sel: &Selection, tag: Option<&str>, as_json: bool) -> String {
    let entries: Vec<&ToolEntry> = registry
        .select(sel)
        .filter(|e| tag.is_none_or(|t| e.endpoint.tags.iter().any(|x| x == t)))
        .collect();
    if as_json {
        let tools: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "name": e.endpoint.name,
                    "method": e.endpoint.method.as_str(),
                    "path": e.endpoint.path,
                    "tags": e.endpoint.tags,
                    "curated": e.endpoint.curated,
                    "annotations": e.tool.annotations,
                    "bytes": tool_bytes(e),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&tools).unwrap_or_default();
    }
    let mut out = String::new();
    let w = entries
        .iter()
        .map(|e| e.endpoint.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<w$}  {:<7} {:<5} {:>6}  PATH",
        "NAME", "METHOD", "HINTS", "BYTES"
    );
    for e in &entries {
        let _ = writeln!(
            out,
            "{:<w$}  {:<7} {:<5} {:>6}  {}",
            e.endpoint.name,
            e.endpoint.method.as_str(),
            hints(e),
            tool_bytes(e),
            e.endpoint.path
        );
    }
    let total: usize = entries.iter().map(|e| tool_bytes(e)).sum();
    let _ = writeln!(out, "\n{} tools, {} bytes of definitions. Hints: R read-only, D destructive, I idempotent, O open-world.", entries.len(), total);
    out
}

/// `tools show NAME`: the definition exactly as `tools/list` sends it.
pub fn show(name: &str) -> Result<String, String> {
    let registry = Registry::compiled();
    match registry.get(name) {
        Some(e) => Ok(serde_json::to_string_pretty(&*e.listed).unwrap_or_default()),
        None => {
            let near = registry.similar(name, &Selection::All);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!(" Did you mean {}?", near.join(", "))
            };
            Err(format!("no tool named `{name}`.{hint}"))
        }
    }
}

/// `tools search QUERY`: what `search_endpoints` finds, best first.
pub fn search(query: &str, limit: usize) -> String {
    let registry = Registry::compiled();
    let hits =
        registry
            .search_index()
            .search(registry.all(), query, &|_| true, limit.clamp(1, 100));
    let mut out = String::new();
    for (i, h) in hits.iter().enumerate() {
        let e = &h.entry.endpoint;
        let _ = writeln!(
            out,
            "{:>2}. {:<40} {:>7.2}  {} {}",
            i + 1,
            e.name,
            h.score,
            e.method.as_str(),
            e.path
        );
    }
    if hits.is_empty() {
        out.push_str("nothing matches\n");
    }
    out
}

/// `tools catalog --out DIR`: the catalog page of the compiled-in tools, as `DIR/index.html`.
pub fn catalog(out: &std::path::Path) -> Result<String, String> {
    let registry = Registry::compiled();
    let source = crate::catalog::Source::of_registry(registry);
    let (path, bytes) = crate::catalog::write_site(&source, out).map_err(|e| e.to_string())?;
    Ok(format!(
        "wrote {} ({bytes} bytes, {} tools of {} {}); open it in a browser, no server needed",
        path.display(),
        source.tools.len(),
        source.title,
        source.version
    ))
}

/// Bytes of Windmill's own `tools/list` for its 38 curated tools (v1.743.0, measured live).
pub const WINDMILL_BUILTIN_CURATED_BYTES: usize = 47_501;

/// Windmill's own `tools/list` bytes for its curated tools, per Windmill version measured:
/// `(spec version, bytes)`. `tools stats` compares only with the figure of its own spec's version.
pub const WINDMILL_BUILTIN_BYTES_MEASURED: &[(&str, usize)] =
    &[("1.743.0", WINDMILL_BUILTIN_CURATED_BYTES)];

/// Windmill's own curated `tools/list` bytes for a spec version, when measured.
pub fn builtin_bytes(version: &str) -> Option<usize> {
    let v = version.trim_start_matches('v');
    WINDMILL_BUILTIN_BYTES_MEASURED
        .iter()
        .find(|(m, _)| *m == v)
        .map(|(_, b)| *b)
}

/// `bytes` as a multiple of Windmill's figure, or `n/a` when there is none for this spec.
fn versus(bytes: usize, builtin: Option<usize>) -> String {
    match builtin {
        Some(b) if b > 0 => format!("{:.2}x", bytes as f64 / b as f64),
        _ => "n/a".to_owned(),
    }
}

/// `tools stats`: counts, bytes and estimated tokens per mode, and what was degraded, of the
/// compiled-in tools.
pub fn stats() -> String {
    stats_of(Registry::compiled())
}

/// `tools stats --spec`: the same figures for this registry's tools.
pub fn stats_of(registry: &Registry) -> String {
    let spec = registry.spec();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Spec: {} {} ({})",
        spec.title, spec.version, spec.origin
    );
    if !spec.has_mcp_marks {
        let _ = writeln!(out, "The spec has no `x-mcp-tool` marks: the curated set is Windmill v1.743.0's curated operations that this spec has.");
    }
    let builtin = builtin_bytes(&spec.version);
    let measured: Vec<String> = WINDMILL_BUILTIN_BYTES_MEASURED
        .iter()
        .map(|(v, b)| format!("{b} B on v{v}"))
        .collect();
    if builtin.is_none() {
        let _ = writeln!(
            out,
            "Windmill's built-in server was measured on other versions ({}), not on {}: no VS BUILTIN figure.",
            measured.join(", "),
            spec.version
        );
    }
    let _ = writeln!(
        out,
        "\n{:<24} {:>6} {:>10} {:>9} {:>10}",
        "MODE", "TOOLS", "BYTES", "~TOKENS", "VS BUILTIN"
    );
    for (label, sel, read_only) in [
        ("curated", Selection::Curated, false),
        ("curated --read-only", Selection::Curated, true),
        ("discover", Selection::Discover, false),
        ("all", Selection::All, false),
        ("all --read-only", Selection::All, true),
    ] {
        let exposure = Exposure {
            selection: sel,
            read_only,
            profile: Profile::Full,
            max_name_len: None,
        };
        let tools = crate::mcp::listed_endpoint_tools(registry, &exposure);
        let bytes = serde_json::to_vec(&json!({ "tools": tools }))
            .map(|v| v.len())
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>10} {:>9} {:>10}",
            label,
            tools.len(),
            bytes,
            bytes / 4,
            versus(bytes, builtin)
        );
    }
    let _ = writeln!(
        out,
        "\nClient profiles (tools/list bytes, ~tokens):\n{:<12} {:>18} {:>18} {:>18}",
        "MODE", "full", "openai", "gemini"
    );
    for (label, sel) in [
        ("curated", Selection::Curated),
        ("discover", Selection::Discover),
        ("all", Selection::All),
    ] {
        let mut row = format!("{label:<12}");
        for profile in Profile::ALL {
            let exposure = Exposure {
                selection: sel.clone(),
                read_only: false,
                profile,
                max_name_len: None,
            };
            let tools = crate::mcp::listed_endpoint_tools(registry, &exposure);
            let bytes = serde_json::to_vec(&json!({ "tools": tools }))
                .map(|v| v.len())
                .unwrap_or(0);
            let _ = write!(row, " {:>18}", format!("{bytes} ~{}", bytes / 4));
        }
        let _ = writeln!(out, "{row}");
    }
    let curated: Vec<&ToolEntry> = registry.select(&Selection::Curated).collect();
    let endpoint_bytes = tools_list_bytes(&curated);
    let full_bytes = full_tools_list_bytes(&curated);
    let discovery_bytes: usize = crate::mcp::discovery::TOOLS
        .iter()
        .map(|t| serde_json::to_vec(t).map(|v| v.len()).unwrap_or(0))
        .sum();
    let builtin_note = match builtin {
        Some(b) => format!(
            "{} Windmill's built-in server ({b} bytes for its curated tools of v{}; goal: at most 0.80x)",
            versus(endpoint_bytes, builtin),
            spec.version.trim_start_matches('v')
        ),
        None => format!(
            "Windmill's built-in server not measured on this version (measured: {})",
            measured.join(", ")
        ),
    };
    let _ = writeln!(
        out,
        "\nCurated endpoint tools ({} tools, profile full): {endpoint_bytes} bytes, {builtin_note}. The same tools with \
         full descriptions and output schemas (as describe_endpoint shows them): {full_bytes} bytes. \
         The 3 discovery tools: {discovery_bytes} bytes. Tokens are estimated as bytes / 4.",
        curated.len(),
    );
    let read_only = registry
        .all()
        .iter()
        .filter(|e| e.endpoint.hints.read_only)
        .count();
    let destructive = registry
        .all()
        .iter()
        .filter(|e| e.endpoint.hints.destructive)
        .count();
    let with_output = registry
        .all()
        .iter()
        .filter(|e| e.tool.output_schema.is_some())
        .count();
    let _ = writeln!(
        out,
        "\n{read_only} read-only, {destructive} destructive, {with_output} with an output schema."
    );
    let degradations = registry.degradations();
    let _ = writeln!(out, "\nDegraded or simplified ({}):", degradations.len());
    for (op, what) in degradations {
        let _ = writeln!(out, "  {op}: {what}");
    }
    out
}

/// Bytes of a `tools/list` result holding these tools (in the default profile).
pub fn tools_list_bytes(entries: &[&ToolEntry]) -> usize {
    let tools: Vec<&rmcp::model::Tool> = entries.iter().map(|e| &*e.listed).collect();
    serde_json::to_vec(&json!({ "tools": tools }))
        .map(|v| v.len())
        .unwrap_or(0)
}

/// Bytes of a `tools/list` result holding these tools with their full definitions.
pub fn full_tools_list_bytes(entries: &[&ToolEntry]) -> usize {
    let tools: Vec<&rmcp::model::Tool> = entries.iter().map(|e| &*e.tool).collect();
    serde_json::to_vec(&json!({ "tools": tools }))
        .map(|v| v.len())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::generated;

    #[test]
    fn the_builtin_figure_is_only_used_for_its_own_version() {
        assert_eq!(builtin_bytes("1.743.0"), Some(47_501));
        assert_eq!(builtin_bytes("v1.743.0"), Some(47_501));
        assert_eq!(builtin_bytes("1.795.0"), None);
        assert_eq!(versus(47_501, Some(47_501)), "1.00x");
        assert_eq!(versus(10, None), "n/a");
        let report = stats();
        if builtin_bytes(generated::SPEC_VERSION).is_some() {
            assert!(report.contains(
                "Windmill's built-in server (47501 bytes for its curated tools of v1.743.0"
            ));
        } else {
            assert!(report.contains("no VS BUILTIN figure"), "{report}");
            assert!(!report.contains("x Windmill's built-in server"), "{report}");
        }
    }
}
