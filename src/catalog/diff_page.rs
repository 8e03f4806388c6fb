//! `spec diff OLD NEW --html OUT`: the comparison of two specs as a page, with every tool linked
//! into the catalog of the version that has it (`old/index.html#tool/NAME`,
//! `new/index.html#tool/NAME`). Rendered here, in Rust: the page needs no script.

use std::fmt::Write as _;

use windmill_mcp_codegen::diff::{ApiDiff, ToolRef};

use super::{escape_html as esc, fill, CONTENT_SECURITY_POLICY};

const TEMPLATE: &str = include_str!("assets/diff.html");
const CSS: &str = include_str!("assets/catalog.css");

/// Where the two catalogs are, relative to the diff page.
#[derive(Debug, Clone)]
pub struct Catalogs<'a> {
    pub old: &'a str,
    pub new: &'a str,
}

fn link(catalog: &str, name: &str) -> String {
    format!(
        "<a href=\"{}#tool/{}\"><code>{}</code></a>",
        esc(catalog),
        esc(&percent(name)),
        esc(name)
    )
}

/// Percent-encodes what a fragment should not hold raw.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn tool_table(out: &mut String, tools: &[ToolRef], catalog: &str, breaking: bool) {
    if tools.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"diff\"><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">Method</th><th scope=\"col\">Path</th><th scope=\"col\">Curated</th></tr></thead><tbody>\n");
    for t in tools {
        let _ = writeln!(
            out,
            "<tr{}><td>{}{}</td><td><span class=\"method m-{}\">{}</span></td><td><code>{}</code></td><td>{}</td></tr>",
            if breaking { " class=\"breaking\"" } else { "" },
            link(catalog, &t.name),
            if breaking {
                " <span class=\"badge b-breaking\">breaking</span>"
            } else {
                ""
            },
            esc(&t.method.to_ascii_lowercase()),
            esc(&t.method),
            esc(&t.path),
            if t.curated { "yes" } else { "" }
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// The page.
pub fn diff_page(d: &ApiDiff, catalogs: &Catalogs<'_>) -> String {
    let s = &d.summary;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header class=\"top\"><h1>Spec diff: {} → {}</h1><p>Catalogs: <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p></header>",
        esc(&d.old_version),
        esc(&d.new_version),
        esc(catalogs.old),
        esc(&d.old_version),
        esc(catalogs.new),
        esc(&d.new_version),
    );
    body.push_str("<main id=\"main\" class=\"diffmain\">\n<section aria-labelledby=\"h-summary\"><h2 id=\"h-summary\">Summary</h2><ul class=\"figures\">\n");
    for (label, value) in [
        ("tools", format!("{} → {}", s.old_tools, s.new_tools)),
        ("added", s.added.to_string()),
        ("removed (breaking)", s.removed.to_string()),
        ("changed", s.changed.to_string()),
        ("with breaking changes", s.breaking_tools.to_string()),
        ("breaking changes", s.breaking_changes.to_string()),
        ("curated", format!("{} → {}", s.old_curated, s.new_curated)),
        (
            "curated in / out",
            format!("{} / {}", s.curated_added, s.curated_removed),
        ),
    ] {
        let _ = writeln!(
            body,
            "<li><span class=\"fig\">{}</span> {}</li>",
            esc(&value),
            esc(label)
        );
    }
    body.push_str("</ul></section>\n");
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"h-added\"><h2 id=\"h-added\">Added tools ({})</h2>",
        d.added.len()
    );
    tool_table(&mut body, &d.added, catalogs.new, false);
    body.push_str("</section>\n");
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"h-removed\"><h2 id=\"h-removed\">Removed tools ({})</h2>",
        d.removed.len()
    );
    tool_table(&mut body, &d.removed, catalogs.old, true);
    body.push_str("</section>\n");
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"h-changed\"><h2 id=\"h-changed\">Changed tools ({})</h2>",
        d.changed.len()
    );
    if d.changed.is_empty() {
        body.push_str("<p class=\"muted\">None.</p>\n");
    } else {
        body.push_str("<div class=\"scroll\"><table class=\"diff\"><thead><tr><th scope=\"col\">Tool</th><th scope=\"col\">Change</th><th scope=\"col\">Argument</th><th scope=\"col\">Breaking</th><th scope=\"col\">Detail</th></tr></thead><tbody>\n");
        for t in &d.changed {
            for (i, c) in t.changes.iter().enumerate() {
                let tool_cell = if i == 0 {
                    format!(
                        "<td rowspan=\"{}\"><code>{}</code>{}<br><span class=\"muted\">{} · {}</span></td>",
                        t.changes.len(),
                        esc(&t.name),
                        if t.curated { " <span class=\"badge b-curated\">curated</span>" } else { "" },
                        link(catalogs.old, &t.name).replace(&format!("<code>{}</code>", esc(&t.name)), "old"),
                        link(catalogs.new, &t.name).replace(&format!("<code>{}</code>", esc(&t.name)), "new"),
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    body,
                    "<tr{}>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    if c.breaking {
                        " class=\"breaking\""
                    } else {
                        ""
                    },
                    tool_cell,
                    esc(c.kind.label()),
                    c.argument
                        .as_deref()
                        .map(|a| format!("<code>{}</code>", esc(a)))
                        .unwrap_or_default(),
                    if c.breaking {
                        "<span class=\"badge b-breaking\">breaking</span>"
                    } else {
                        ""
                    },
                    esc(&c.detail)
                );
            }
        }
        body.push_str("</tbody></table></div>\n");
    }
    body.push_str("</section>\n");
    body.push_str("<section aria-labelledby=\"h-curated\"><h2 id=\"h-curated\">Curated set</h2>\n");
    for (label, names, catalog) in [
        ("Entered", &d.curated.added, catalogs.new),
        ("Left", &d.curated.removed, catalogs.old),
    ] {
        let _ = write!(body, "<p>{} ({}): ", esc(label), names.len());
        if names.is_empty() {
            body.push_str("<span class=\"muted\">none</span>");
        }
        let links: Vec<String> = names.iter().map(|n| link(catalog, n)).collect();
        body.push_str(&links.join(", "));
        body.push_str("</p>\n");
    }
    body.push_str("</section>\n");
    if !d.runtime.is_empty() {
        body.push_str("<section aria-labelledby=\"h-runtime\"><h2 id=\"h-runtime\">Operations the server calls for scripts and flows</h2><ul>\n");
        for r in &d.runtime {
            let _ = writeln!(body, "<li><code>{}</code></li>", esc(r));
        }
        body.push_str("</ul></section>\n");
    }
    body.push_str("</main>\n");
    let title = esc(&format!("Spec diff {} → {}", d.old_version, d.new_version));
    fill(
        TEMPLATE,
        &[
            ("CSP", CONTENT_SECURITY_POLICY),
            ("TITLE", &title),
            ("CSS", CSS),
            ("BODY", &body),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use windmill_mcp_codegen::diff::{ApiView, ToolView};

    fn view(version: &str, tools: &[(&str, &str)]) -> ApiView {
        ApiView {
            version: version.into(),
            tools: tools
                .iter()
                .map(|(name, schema)| ToolView {
                    name: (*name).into(),
                    method: "GET".into(),
                    path: format!("/w/{{workspace}}/{name}"),
                    curated: false,
                    deprecated: false,
                    input_schema: serde_json::from_str(schema).unwrap_or_default(),
                    output_schema: None,
                    wire: Default::default(),
                    curation: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_page_links_both_catalogs_and_marks_breaking_changes() {
        let old = view(
            "1",
            &[
                ("gone<x>", r#"{"type":"object"}"#),
                (
                    "kept",
                    r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
                ),
            ],
        );
        let new = view(
            "2",
            &[
                (
                    "kept",
                    r#"{"type":"object","properties":{"b":{"type":"string"}},"required":["b"]}"#,
                ),
                ("fresh", r#"{"type":"object"}"#),
            ],
        );
        let d = windmill_mcp_codegen::diff::diff_views(&old, &new);
        let html = diff_page(
            &d,
            &Catalogs {
                old: "old/index.html",
                new: "new/index.html",
            },
        );
        assert!(
            html.contains("href=\"new/index.html#tool/fresh\""),
            "{html}"
        );
        assert!(html.contains("href=\"old/index.html#tool/gone%3Cx%3E\""));
        assert!(html.contains("<code>gone&lt;x&gt;</code>"));
        assert!(!html.contains("gone<x>"));
        assert!(html.contains("href=\"old/index.html#tool/kept\">old</a>"));
        assert!(html.contains("href=\"new/index.html#tool/kept\">new</a>"));
        assert!(html.contains("b-breaking"));
        assert!(!html.contains("{{"));
    }
}
