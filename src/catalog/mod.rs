//! The tool catalog: one self-contained web page a person browses to see the endpoint tools of a
//! spec as a client would get them (see `docs/catalog.md`).
//!
//! * [`source`]: the tools of a spec, from a registry (what a server serves) or a lowered spec;
//! * [`data`]: what the page embeds (summary, search index, per-tool definitions and sizes);
//! * [`example`]: an example `tools/call` request per tool;
//! * [`diff_page`]: `spec diff --html`, the comparison of two specs with links into both catalogs.
//!
//! The page is HTML with its CSS and JavaScript inline and its data gzip-compressed and base64-encoded
//! in two `<script>` elements (the browser inflates them with `DecompressionStream`): the index the
//! list and the search need, read before the first render, and each tool's details (schemas, forms,
//! profiles, example), read just after it. No external asset,
//! works offline from a file, and a content security policy that allows no request at all. The
//! JavaScript ranks the search box with a copy of `search_endpoints`' ranking over the embedded
//! index (`tests/catalog_browser.rs` runs the same queries through both). The page shows the
//! spec's tools only: it is made from a [`Source`], which holds no workspace data and no token.

pub mod data;
pub mod diff_page;
pub mod example;
pub mod source;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use base64::Engine as _;

use crate::endpoints::Registry;
pub use source::{CatalogTool, Source};

const TEMPLATE: &str = include_str!("assets/page.html");
const CSS: &str = include_str!("assets/catalog.css");
const JS: &str = include_str!("assets/catalog.js");

/// The content security policy of the page: inline code and styles, nothing fetched.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Why a catalog could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot compress the catalog data: {0}")]
    Compress(String),
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// Text safe inside HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// gzip, then base64.
fn pack(bytes: &[u8]) -> Result<String, CatalogError> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)
        .map_err(|e| CatalogError::Compress(e.to_string()))?;
    let packed = gz
        .finish()
        .map_err(|e| CatalogError::Compress(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(packed))
}

/// The page of a source.
pub fn page(source: &Source) -> Result<String, CatalogError> {
    let (index, details) = data::page_data(source);
    let encode = |v: &serde_json::Value| {
        serde_json::to_vec(v).map_err(|e| CatalogError::Compress(e.to_string()))
    };
    let (index, details) = (encode(&index)?, encode(&details)?);
    let raw = (index.len() + details.len()).to_string();
    let title = escape_html(&format!(
        "Tool catalog: {} {}",
        source.title, source.version
    ));
    Ok(fill(
        TEMPLATE,
        &[
            ("CSP", CONTENT_SECURITY_POLICY),
            ("TITLE", &title),
            ("CSS", CSS),
            ("JS", JS),
            ("RAW_BYTES", &raw),
            ("INDEX", &pack(&index)?),
            ("DETAILS", &pack(&details)?),
        ],
    ))
}

/// The template with each `{{KEY}}` replaced, in one pass (what is put in is never read again).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}").and_then(|j| {
            let key = &after[..j];
            values.iter().find(|(k, _)| *k == key).map(|(_, v)| (j, *v))
        }) {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The last page made for a registry, while that registry lives.
static SERVED: Mutex<Option<(Weak<Registry>, Arc<str>)>> = Mutex::new(None);

/// The page of the tools a server serves, made once per registry (a new registry, e.g. a live
/// spec that changed, gets a new page).
pub fn served_page(registry: &Arc<Registry>) -> Result<Arc<str>, CatalogError> {
    if let Ok(cache) = SERVED.lock() {
        if let Some((r, page)) = cache.as_ref() {
            if r.upgrade().is_some_and(|r| Arc::ptr_eq(&r, registry)) {
                return Ok(page.clone());
            }
        }
    }
    let made: Arc<str> = page(&Source::of_registry(registry))?.into();
    if let Ok(mut cache) = SERVED.lock() {
        *cache = Some((Arc::downgrade(registry), made.clone()));
    }
    Ok(made)
}

/// Writes a page as a static site: `dir/index.html`. Answers the file written.
pub fn write_site(source: &Source, dir: &Path) -> Result<(PathBuf, usize), CatalogError> {
    let html = page(source)?;
    write_file(&dir.join("index.html"), &html)
}

/// Writes a file, creating its directory.
pub fn write_file(path: &Path, text: &str) -> Result<(PathBuf, usize), CatalogError> {
    let fail = |e: std::io::Error| CatalogError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)?;
    Ok((path.to_path_buf(), text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_once() {
        assert_eq!(
            fill("a{{X}}b{{Y}}c{{Z}}", &[("X", "{{Y}}"), ("Y", "y")]),
            "a{{Y}}byc{{Z}}"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
