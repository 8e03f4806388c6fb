//! The tool catalog without a browser: its data, its size, its example calls, `GET /` (no token,
//! `Host`/`Origin` checks, nothing secret in it), `tools catalog` and `spec diff --html`. The browser
//! half is `tests/catalog_browser.rs`.

mod common;

use std::io::Read as _;
use std::path::PathBuf;

use base64::Engine as _;
use serde_json::Value;
use windmill_mcp::catalog::example::example_arguments;
use windmill_mcp::catalog::{self, data, Source};
use windmill_mcp::endpoints::runtime::Args;
use windmill_mcp::endpoints::Registry;
use windmill_mcp::http::HttpOptions;
use windmill_mcp::upstream::Token;

/// Largest page allowed for all tools (issue 16).
const MAX_PAGE_BYTES: usize = 1_500_000;

fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("catalog")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test directory");
    dir
}

/// One of the packed JSON parts of a page.
fn part_of(html: &str, id: &str) -> Value {
    let start = html
        .find(&format!("id=\"{id}\""))
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .expect("the data element");
    let end = start + html[start..].find("</script>").expect("its end");
    let packed = base64::engine::general_purpose::STANDARD
        .decode(html[start..end].trim())
        .expect("base64");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("JSON")
}

/// The JSON data a page embeds: the index, each tool with its details.
fn data_of(html: &str) -> Value {
    let mut index = part_of(html, "catalog-index");
    let details = part_of(html, "catalog-details");
    if let (Some(tools), Some(details)) = (index["tools"].as_array_mut(), details.as_array()) {
        assert_eq!(tools.len(), details.len());
        for (t, d) in tools.iter_mut().zip(details) {
            if let (Some(t), Some(d)) = (t.as_object_mut(), d.as_object()) {
                t.extend(d.clone());
            }
        }
    }
    index
}

#[test]
fn every_example_call_passes_its_schema_and_lays_out_a_request() {
    let mut failures = Vec::new();
    for e in Registry::compiled().all() {
        let args = example_arguments(&e.endpoint.path, e.input_schema());
        let validator = e.validator().expect("validator");
        if let Some(err) = validator.iter_errors(&args).next() {
            failures.push(format!("{}: {args}: {err}", e.endpoint.name));
            continue;
        }
        let Value::Object(map) = args else {
            failures.push(format!("{}: not an object", e.endpoint.name));
            continue;
        };
        if let Err(err) = e.endpoint.build(&Args::new(map), "demo") {
            failures.push(format!("{}: {err}", e.endpoint.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} example call(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_page_holds_every_tool_within_its_weight() {
    let registry = Registry::compiled();
    let source = Source::of_registry(registry);
    let html = catalog::page(&source).expect("page");
    assert!(
        html.len() <= MAX_PAGE_BYTES,
        "the page weighs {} bytes (at most {MAX_PAGE_BYTES})",
        html.len()
    );
    assert!(!html.contains("{{"), "every placeholder is filled");
    assert!(html.contains(catalog::CONTENT_SECURITY_POLICY));
    // No external asset: nothing is loaded from anywhere.
    for needle in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(needle), "external reference {needle}");
    }
    let d = data_of(&html);
    let tools = d["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), registry.all().len());
    for (t, e) in tools.iter().zip(registry.all()) {
        assert_eq!(t["name"], e.endpoint.name);
        assert_eq!(t["method"], e.endpoint.method.as_str());
        assert_eq!(
            t["bytes"].as_u64(),
            Some(windmill_mcp::cli::tools::tool_bytes(e) as u64)
        );
        assert!(t["example"]["params"]["arguments"].is_object());
        assert!(t["full"]["inputSchema"].is_object());
        assert!(t["listed"]["inputSchema"].is_object());
        assert!(t["profiles"]["openai"]["differences"].is_array());
        assert!(
            t.get("curated_name").is_some(),
            "the field is there to fill"
        );
    }
    assert_eq!(
        d["search"]["terms"].as_array().map(Vec::len),
        Some(registry.search_index().terms().count())
    );
    eprintln!(
        "catalog page: {} bytes for {} tools ({} bytes of data before compression)",
        html.len(),
        tools.len(),
        serde_json::to_vec(&d).map(|v| v.len()).unwrap_or(0)
    );
}

#[test]
fn the_summary_says_what_tools_stats_says() {
    let source = Source::of_registry(Registry::compiled());
    let stats = windmill_mcp::cli::tools::stats();
    for (label, sel, read_only) in data::modes() {
        let (tools, bytes) = data::listing_size(
            &source,
            &sel,
            read_only,
            windmill_mcp::listing::Profile::Full,
        );
        let line = stats
            .lines()
            .find(|l| l.starts_with(&format!("{label:<24}")))
            .unwrap_or_else(|| panic!("no line for {label} in\n{stats}"));
        let numbers: Vec<&str> = line[24..].split_whitespace().collect();
        assert_eq!(numbers.first(), Some(&tools.to_string().as_str()), "{line}");
        assert_eq!(numbers.get(1), Some(&bytes.to_string().as_str()), "{line}");
    }
    for (label, sel, read_only) in data::modes() {
        if read_only {
            continue;
        }
        let line = stats
            .lines()
            .find(|l| l.starts_with(&format!("{label:<12} ")) && l.contains('~'))
            .unwrap_or_else(|| panic!("no profile line for {label}"));
        for p in windmill_mcp::listing::Profile::ALL {
            let (_, bytes) = data::listing_size(&source, &sel, false, p);
            assert!(
                line.contains(&format!("{bytes} ~{}", bytes / 4)),
                "{p:?} of {label}: {bytes} not in {line}"
            );
        }
    }
}

#[tokio::test]
async fn the_served_page_needs_no_token_checks_host_and_origin_and_holds_no_secret() {
    let secret = "catalog-test-secret-token-7f3a";
    let mut settings = common::mcp::settings("http://127.0.0.1:9");
    settings.token = Token::new(secret);
    settings.workspace = Some("secret-workspace-name".into());
    let addr = common::mcp::serve(settings, HttpOptions::default()).await;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/");
    let r = client.get(&url).send().await.expect("send");
    assert_eq!(r.status(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html")));
    assert!(r
        .headers()
        .get("content-security-policy")
        .is_some_and(|v| v.to_str().unwrap_or("").contains("default-src 'none'")));
    let html = r.text().await.expect("body");
    let data = data_of(&html).to_string();
    for text in [&html, &data] {
        assert!(!text.contains(secret));
        assert!(!text.contains("secret-workspace-name"));
    }
    assert_eq!(
        data_of(&html)["tools"].as_array().map(Vec::len),
        Some(Registry::compiled().all().len())
    );
    let r = client
        .get(&url)
        .header("host", "evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = client
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = client
        .get(&url)
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
}

#[test]
fn tools_catalog_writes_the_same_page() {
    let dir = fresh_dir("tools_catalog");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_windmill-mcp"))
        .args(["tools", "catalog", "--out"])
        .arg(&dir)
        .output()
        .expect("run windmill-mcp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    let expected = catalog::page(&Source::of_registry(Registry::compiled())).expect("page");
    assert_eq!(data_of(&html), data_of(&expected));
    assert!(String::from_utf8_lossy(&out.stdout).contains("index.html"));
}

#[test]
fn spec_diff_html_links_into_both_catalogs() {
    let dir = fresh_dir("spec_diff_html");
    let old = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi/v1.520.1/backend/windmill-api/openapi.yaml");
    let old = old.to_string_lossy().into_owned();
    let new = windmill_mcp::cli::spec::COMPILED;
    let d = windmill_mcp::cli::spec::diff_specs(&old, new).expect("diff");
    let site = windmill_mcp::cli::spec::write_diff_site(&old, new, &d, &dir).expect("site");
    assert_eq!(site.files.len(), 3);
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    let old_page = std::fs::read_to_string(dir.join("old/index.html")).expect("old");
    let new_page = std::fs::read_to_string(dir.join("new/index.html")).expect("new");
    let old_data = data_of(&old_page);
    let new_data = data_of(&new_page);
    let names = |d: &Value| -> Vec<String> {
        d["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(old_data["spec"]["version"], d.old_version);
    assert_eq!(new_data["spec"]["version"], d.new_version);
    assert!(!d.added.is_empty() && !d.changed.is_empty());
    for t in &d.added {
        assert!(index.contains(&format!("new/index.html#tool/{}", t.name)));
        assert!(names(&new_data).contains(&t.name));
    }
    for t in &d.removed {
        assert!(index.contains(&format!("old/index.html#tool/{}", t.name)));
        assert!(names(&old_data).contains(&t.name));
    }
    let breaking = d
        .changed
        .iter()
        .find(|t| t.breaking)
        .expect("a breaking change");
    assert!(index.contains(&format!("old/index.html#tool/{}", breaking.name)));
    assert!(index.contains(&format!("new/index.html#tool/{}", breaking.name)));
    assert!(index.contains("b-breaking"));
    // A catalog of a spec file gets the search index the build would write.
    assert!(old_data["search"]["terms"]
        .as_array()
        .is_some_and(|t| t.len() > 100));
}

#[test]
fn a_catalog_of_a_spec_file_shows_windmills_curated_names() {
    // v1.795.0 names createAppRawSource `createApp` in Windmill's own server (`x-mcp-tool-name`).
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/windmill-openapi/v1.795.0/backend/windmill-api/openapi.yaml");
    let source = windmill_mcp::cli::spec::source_of(&spec.to_string_lossy()).expect("v1.795.0");
    let named: Vec<(&str, &str)> = source
        .tools
        .iter()
        .filter_map(|t| Some((t.name.as_str(), t.curated_name.as_deref()?)))
        .collect();
    assert!(
        named.contains(&("createAppRawSource", "createApp")),
        "{named:?}"
    );
    assert!(named.iter().all(|(n, c)| n != c));
    let data = data_of(&catalog::page(&source).expect("page"));
    let shown = data["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "createAppRawSource")
        .map(|t| t["curated_name"].clone());
    assert_eq!(shown, Some(Value::from("createApp")));
}
