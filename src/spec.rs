//! `windmill-mcp spec ...`: fetch, compare and bundle Windmill OpenAPI documents; and the start-up
//! check of the running Windmill's version against the spec the tools were generated from.
//!
//! * `spec pull --from <windmill> [--out DIR]`: `GET <windmill>/api/openapi.json`, check that it lowers
//!   into tools, write it as `DIR/openapi.json` and print the command that rebuilds against it;
//! * `spec diff OLD NEW [--json]`: tools added, removed and changed between two specs
//!   ([`windmill_mcp_codegen::diff`]); `@compiled` stands for the tools compiled into this binary;
//! * `spec bundle SPEC OUT`: the spec with its cross-file `$ref`s brought in, as one JSON file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use windmill_mcp_codegen::diff::{self, ApiDiff, ApiView, ToolView};
use windmill_mcp_codegen::{is_curated, load, lower, read_api};

use crate::generated;
use crate::runtime::{HttpRequest, Method};
use crate::windmill::{Limits, Windmill};

/// The name `spec diff` takes for the tools compiled into this binary.
pub const COMPILED: &str = "@compiled";

/// The largest spec `spec pull` and the start-up check read (Windmill's is about 1.4 MB).
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

#[derive(clap::Subcommand)]
pub enum SpecCommand {
    /// Fetch a Windmill's `/api/openapi.json`, check that it builds, and print the rebuild command.
    Pull {
        /// The Windmill's base URL (with or without `/api`), e.g. `https://windmill.example.com`.
        #[arg(long)]
        from: String,
        /// The directory to write `openapi.json` to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Compare two specs: tools added, removed and changed, each change marked breaking or not.
    Diff {
        /// The old spec (YAML or JSON, multi-file or not), or `@compiled` for this binary's tools.
        old: String,
        /// The new spec, or `@compiled`.
        new: String,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write a spec with its cross-file references brought in, as one self-contained JSON file.
    Bundle {
        /// The spec, e.g. Windmill's `backend/windmill-api/openapi.yaml`.
        spec: PathBuf,
        /// The file to write (in an existing directory: `openapi.json` there).
        out: PathBuf,
    },
}

/// Runs a `spec` subcommand, printing its report on stdout.
pub async fn run(cmd: SpecCommand) -> Result<(), String> {
    match cmd {
        SpecCommand::Pull { from, out, timeout } => {
            let pulled = pull(&from, &out, Duration::from_secs(timeout.max(1))).await?;
            print!("{}", pulled.report());
            Ok(())
        }
        SpecCommand::Diff { old, new, json } => {
            let d = tokio::task::spawn_blocking(move || diff_specs(&old, &new))
                .await
                .map_err(|e| format!("the comparison stopped: {e}"))??;
            if json {
                println!("{}", d.to_json());
            } else {
                print!("{}", d.to_table());
            }
            Ok(())
        }
        SpecCommand::Bundle { spec, out } => {
            let b = tokio::task::spawn_blocking(move || bundle(&spec, &out))
                .await
                .map_err(|e| format!("bundling stopped: {e}"))??;
            print!("{}", b.report());
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pull
// ---------------------------------------------------------------------------------------------

/// What `spec pull` fetched and wrote.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// Where the document came from.
    pub url: String,
    /// The file written, absolute.
    pub path: PathBuf,
    pub bytes: usize,
    /// `info.title` and `info.version`.
    pub title: String,
    pub version: String,
    pub operations: usize,
    pub curated: usize,
}

impl Pulled {
    /// The rebuild command, with the path quoted for a POSIX shell.
    pub fn rebuild_command(&self) -> String {
        format!(
            "WINDMILL_OPENAPI={} cargo build --release",
            shell_quote(&self.path.display().to_string())
        )
    }

    /// What `spec pull` prints.
    pub fn report(&self) -> String {
        let path = shell_quote(&self.path.display().to_string());
        let mut s = String::new();
        let _ = writeln!(
            s,
            "pulled {} {} from {}",
            self.title, self.version, self.url
        );
        let _ = writeln!(s, "  wrote {} ({} bytes)", self.path.display(), self.bytes);
        let _ = writeln!(
            s,
            "  {} operations, {} curated: every one lowers into a tool",
            self.operations, self.curated
        );
        let _ = writeln!(
            s,
            "compare with the tools in this binary ({} {}):",
            generated::SPEC_TITLE,
            generated::SPEC_VERSION
        );
        let _ = writeln!(s, "  windmill-mcp spec diff {COMPILED} {path}");
        let _ = writeln!(s, "rebuild against it:");
        let _ = writeln!(s, "  {}", self.rebuild_command());
        s
    }
}

/// Fetches `<from>/api/openapi.json` as bytes, refusing non-2xx answers and anything but JSON.
async fn fetch_openapi_json(windmill: &Windmill) -> Result<(String, Vec<u8>), String> {
    let url = format!("{}/api/openapi.json", windmill.base());
    let req = HttpRequest {
        method: Method::Get,
        path_and_query: "/openapi.json".into(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
    };
    let answer = windmill
        .send(&req, None)
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !(200..300).contains(&answer.status) {
        let text = String::from_utf8_lossy(&answer.body);
        let snippet: String = text.trim().chars().take(200).collect();
        return Err(format!(
            "{url} answered HTTP {}{}{}; is this the base URL of a Windmill (e.g. https://windmill.example.com)?",
            answer.status,
            if snippet.is_empty() { "" } else { ": " },
            snippet
        ));
    }
    let ct = answer
        .content_type
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    let text = String::from_utf8_lossy(&answer.body);
    let start = text.trim_start();
    if ct.contains("yaml") || start.starts_with("openapi:") || start.starts_with("---") {
        return Err(format!(
            "{url} answered YAML{}, not JSON; `spec pull` takes the JSON document only \
             (Windmill's served YAML uses recursive aliases the generator cannot read)",
            if ct.is_empty() {
                String::new()
            } else {
                format!(" ({ct})")
            }
        ));
    }
    if !start.starts_with('{') {
        let what = if start.starts_with('<') {
            "HTML"
        } else {
            "something else"
        };
        return Err(format!(
            "{url} answered {what}, not the OpenAPI JSON document{}; is this the base URL of a Windmill?",
            if ct.is_empty() {
                String::new()
            } else {
                format!(" (content type {ct})")
            }
        ));
    }
    if let Err(e) = serde_json::from_slice::<Value>(&answer.body) {
        return Err(format!(
            "{url} answered malformed JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ));
    }
    Ok((url, answer.body))
}

/// `spec pull`: fetches `<from>/api/openapi.json`, checks that it lowers into tools and writes it as
/// `<out>/openapi.json`. Nothing is written when the document is refused.
pub async fn pull(from: &str, out: &Path, timeout: Duration) -> Result<Pulled, String> {
    let windmill = Windmill::new(
        from,
        Limits {
            timeout,
            max_response_bytes: MAX_SPEC_BYTES,
            max_upstream: 4,
        },
    )?;
    let (url, body) = fetch_openapi_json(&windmill).await?;
    std::fs::create_dir_all(out)
        .map_err(|e| format!("cannot create the directory {}: {e}", out.display()))?;
    let target = out.join("openapi.json");
    let tmp = out.join(format!(".openapi.json.{}.partial.json", std::process::id()));
    std::fs::write(&tmp, &body).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let tmp_for_check = tmp.clone();
    let checked = tokio::task::spawn_blocking(move || read_api(&tmp_for_check))
        .await
        .map_err(|e| format!("the check stopped: {e}"));
    let api = match checked {
        Ok(Ok((api, _))) => api,
        Ok(Err(errors)) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!(
                "{url} does not build into tools, so nothing was written:\n{errors}"
            ));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", target.display()));
    }
    let path = std::fs::canonicalize(&target).unwrap_or(target);
    Ok(Pulled {
        url,
        path,
        bytes: body.len(),
        title: api.title.clone(),
        version: api.version.clone(),
        operations: api.operations.len(),
        curated: api
            .operations
            .iter()
            .filter(|o| is_curated(&api, o))
            .count(),
    })
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@,%=".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

// ---------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------

/// The tools compiled into this binary, as the comparison sees them. The registry knows no wire
/// names, so renamed arguments are matched by name and schema only.
pub fn compiled_view() -> ApiView {
    ApiView {
        version: generated::SPEC_VERSION.to_owned(),
        tools: generated::ENDPOINTS
            .iter()
            .map(|e| ToolView {
                name: e.name.to_owned(),
                method: e.method.as_str().to_owned(),
                path: e.path.to_owned(),
                curated: e.curated,
                deprecated: e.deprecated,
                input_schema: serde_json::from_str(e.input_schema).unwrap_or(Value::Null),
                output_schema: e.output_schema.and_then(|s| serde_json::from_str(s).ok()),
                wire: Default::default(),
            })
            .collect(),
    }
}

fn view_of(spec: &str) -> Result<ApiView, String> {
    if spec == COMPILED {
        return Ok(compiled_view());
    }
    let (api, _) = read_api(Path::new(spec)).map_err(|e| format!("{spec}: {e}"))?;
    Ok(ApiView::from_api(&api))
}

/// `spec diff`: compares two specs (paths, or [`COMPILED`]).
pub fn diff_specs(old: &str, new: &str) -> Result<ApiDiff, String> {
    Ok(diff::diff_views(&view_of(old)?, &view_of(new)?))
}

// ---------------------------------------------------------------------------------------------
// bundle
// ---------------------------------------------------------------------------------------------

/// What `spec bundle` wrote.
#[derive(Debug, Clone)]
pub struct Bundled {
    pub path: PathBuf,
    pub bytes: usize,
    /// The files brought together.
    pub files: usize,
    /// Operations, or why the bundle does not lower into tools.
    pub operations: Result<usize, String>,
}

impl Bundled {
    pub fn report(&self) -> String {
        let mut s = format!(
            "wrote {} ({} bytes, {} file(s) brought together)\n",
            self.path.display(),
            self.bytes,
            self.files
        );
        match &self.operations {
            Ok(n) => {
                let _ = writeln!(s, "  {n} operations, every one lowers into a tool");
            }
            Err(e) => {
                let _ = writeln!(s, "  note: it does not lower into tools:\n{e}");
            }
        }
        s
    }
}

/// `spec bundle`: writes `spec` with its external references brought in as one JSON file.
pub fn bundle(spec: &Path, out: &Path) -> Result<Bundled, String> {
    let loaded = load::load(spec).map_err(|e| e.to_string())?;
    let operations = lower::lower(&loaded)
        .map(|api| api.operations.len())
        .map_err(|e| e.to_string());
    let path = if out.is_dir() {
        out.join("openapi.json")
    } else {
        out.to_path_buf()
    };
    let mut text = serde_json::to_string_pretty(&loaded.doc)
        .map_err(|e| format!("cannot serialize the bundle: {e}"))?;
    text.push('\n');
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Bundled {
        path,
        bytes: text.len(),
        files: loaded.files.len(),
        operations,
    })
}

// ---------------------------------------------------------------------------------------------
// start-up check
// ---------------------------------------------------------------------------------------------

/// What the start-up check found.
#[derive(Debug, Clone, Default)]
pub struct VersionCheck {
    /// `GET /api/version`'s answer, e.g. `CE v1.743.0`.
    pub running: Option<String>,
    /// The `x.y.z` in it.
    pub running_version: Option<String>,
    /// Whether it is the version the tools were generated from.
    pub matches: Option<bool>,
    /// The comparison with the running Windmill's `/api/openapi.json`, when the versions differ and
    /// the document could be fetched and lowered.
    pub diff: Option<ApiDiff>,
    /// The curated tools (of this binary) whose operations differ in the running Windmill:
    /// `name`, `name (breaking)` or `name (removed)`.
    pub curated_changed: Vec<String>,
    /// What could not be checked, and why.
    pub problems: Vec<String>,
}

/// The `x.y.z` of a version text such as `CE v1.743.0` or `v1.520.1-12-gabcdef`.
pub fn parse_version(text: &str) -> Option<String> {
    text.split_whitespace().find_map(|word| {
        let w = word.trim_start_matches(['v', 'V']);
        let core: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let core = core.trim_end_matches('.');
        (core.contains('.') && core.starts_with(|c: char| c.is_ascii_digit()))
            .then(|| core.to_owned())
    })
}

/// Compares the running Windmill's version with the one the tools were generated from, and logs a
/// warning when they differ, naming the curated tools whose operations changed. Never fails: what
/// cannot be checked is logged and reported in [`VersionCheck::problems`]. Meant to be spawned.
pub async fn check_version(base_url: String) -> VersionCheck {
    let compiled = generated::SPEC_VERSION;
    let mut check = VersionCheck::default();
    let windmill = match Windmill::new(
        &base_url,
        Limits {
            timeout: Duration::from_secs(30),
            max_response_bytes: MAX_SPEC_BYTES,
            max_upstream: 4,
        },
    ) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("cannot check Windmill's version: {e}");
            check.problems.push(e);
            return check;
        }
    };
    let base = windmill.base().to_owned();
    let req = HttpRequest {
        method: Method::Get,
        path_and_query: "/version".into(),
        headers: Vec::new(),
        body: None,
    };
    let running = match windmill.send(&req, None).await {
        Ok(a) if (200..300).contains(&a.status) => {
            String::from_utf8_lossy(&a.body).trim().to_owned()
        }
        Ok(a) => {
            let p = format!("{base}/api/version answered HTTP {}", a.status);
            tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
            check.problems.push(p);
            return check;
        }
        Err(e) => {
            let p = format!("cannot read {base}/api/version: {e}");
            tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
            check.problems.push(p);
            return check;
        }
    };
    check.running = Some(running.clone());
    let Some(version) = parse_version(&running) else {
        let p = format!("{base}/api/version answered `{running}`, which names no version");
        tracing::warn!("cannot check Windmill's version against the tools' ({compiled}): {p}");
        check.problems.push(p);
        return check;
    };
    check.running_version = Some(version.clone());
    let compiled_core = parse_version(compiled).unwrap_or_else(|| compiled.to_owned());
    if version == compiled_core {
        check.matches = Some(true);
        tracing::info!(
            "Windmill at {base} is {running}, the version the tools were generated from"
        );
        return check;
    }
    check.matches = Some(false);
    tracing::warn!(
        "Windmill at {base} is {running}, but the tools were generated from Windmill API {compiled}; \
         calls of operations that changed may fail. To rebuild for it: \
         `windmill-mcp spec pull --from {base}` (README: Rebuilding for your Windmill)"
    );

    let fetched = match fetch_openapi_json(&windmill).await {
        Ok((_, body)) => body,
        Err(e) => {
            let p = format!("cannot compare the operations: {e}");
            tracing::warn!("{p}");
            check.problems.push(p);
            return check;
        }
    };
    let root = PathBuf::from(format!("{base}/api/openapi.json"));
    let lowered = tokio::task::spawn_blocking(move || {
        let doc: Value = serde_json::from_slice(&fetched).map_err(|e| e.to_string())?;
        let loaded = load::Loaded {
            doc,
            root,
            files: Vec::new(),
        };
        let api = lower::lower(&loaded).map_err(|e| e.to_string())?;
        Ok::<ApiDiff, String>(diff::diff_views(&compiled_view(), &ApiView::from_api(&api)))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let d = match lowered {
        Ok(d) => d,
        Err(e) => {
            let p = format!("cannot compare the operations with the running Windmill's: {e}");
            tracing::warn!("{p}");
            check.problems.push(p);
            return check;
        }
    };
    for t in generated::ENDPOINTS.iter().filter(|e| e.curated) {
        if d.removed.iter().any(|r| r.name == t.name) {
            check.curated_changed.push(format!("{} (removed)", t.name));
        } else if let Some(c) = d.changed.iter().find(|c| c.name == t.name) {
            check.curated_changed.push(if c.breaking {
                format!("{} (breaking)", t.name)
            } else {
                t.name.to_owned()
            });
        }
    }
    let s = d.summary;
    let totals = format!(
        "{} tools added, {} removed, {} changed ({} with breaking changes) in all",
        s.added, s.removed, s.changed, s.breaking_tools
    );
    if check.curated_changed.is_empty() {
        tracing::info!(
            "no curated tool's operation differs in Windmill {version}; {totals} \
             (`windmill-mcp spec diff {COMPILED} <pulled openapi.json>` for details)"
        );
    } else {
        tracing::warn!(
            "curated tools whose operations differ in Windmill {version}: {}; {totals} \
             (`windmill-mcp spec diff {COMPILED} <pulled openapi.json>` for details)",
            check.curated_changed.join(", ")
        );
    }
    check.diff = Some(d);
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_windmill_texts() {
        assert_eq!(parse_version("CE v1.743.0").as_deref(), Some("1.743.0"));
        assert_eq!(parse_version("EE v1.520.1").as_deref(), Some("1.520.1"));
        assert_eq!(
            parse_version("v1.520.1-12-gabcdef").as_deref(),
            Some("1.520.1")
        );
        assert_eq!(parse_version("1.743.0").as_deref(), Some("1.743.0"));
        assert_eq!(parse_version("CE dev"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/tmp/x/openapi.json"), "/tmp/x/openapi.json");
        assert_eq!(shell_quote("/tmp/my dir/a"), "'/tmp/my dir/a'");
        assert_eq!(shell_quote("/it's"), r"'/it'\''s'");
    }

    #[test]
    fn the_compiled_view_has_every_tool() {
        let v = compiled_view();
        assert_eq!(v.tools.len(), generated::ENDPOINTS.len());
        assert!(v.tools.iter().all(|t| t.input_schema.is_object()));
    }
}
