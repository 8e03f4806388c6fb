//! `windmill-mcp spec ...`: fetch, compare and bundle Windmill OpenAPI documents.
//!
//! * `spec pull --from <windmill> [--out DIR]`: `GET <windmill>/api/openapi.json`, check that it lowers
//!   into tools, write it as `DIR/openapi.json` and print the command that rebuilds against it;
//! * `spec diff OLD NEW [--json] [--html OUT]`: tools added, removed and changed between two specs
//!   ([`windmill_mcp_codegen::diff`]); `@compiled` stands for the tools compiled into this binary;
//!   `--html` writes the comparison as a page with the catalogs of both versions;
//! * `spec bundle SPEC OUT`: the spec with its cross-file `$ref`s brought in, as one JSON file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use windmill_mcp_codegen::diff::{self, ApiDiff, ApiView};
use windmill_mcp_codegen::{is_curated, load, lower, read_api};

use crate::catalog::{self, Source};
use crate::endpoints::Registry;
use crate::upstream::spec::{fetch_openapi_json, MAX_SPEC_BYTES};
use crate::upstream::{Limits, Windmill};

/// The name `spec diff` takes for the tools compiled into this binary.
pub const COMPILED: &str = "@compiled";

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
        /// Also write the comparison as a web page: `OUT/index.html`, with the catalogs of both
        /// versions in `OUT/old/` and `OUT/new/` (every tool linked into the one that has it).
        #[arg(long, value_name = "OUT")]
        html: Option<PathBuf>,
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
            super::stdout(&pulled.report());
            Ok(())
        }
        SpecCommand::Diff {
            old,
            new,
            json,
            html,
        } => {
            let (d, written) = tokio::task::spawn_blocking(move || {
                let d = diff_specs(&old, &new)?;
                let written = match html {
                    Some(out) => Some(write_diff_site(&old, &new, &d, &out)?),
                    None => None,
                };
                Ok::<_, String>((d, written))
            })
            .await
            .map_err(|e| format!("the comparison stopped: {e}"))??;
            if json {
                super::stdout(&format!("{}\n", d.to_json()));
            } else {
                super::stdout(&d.to_table());
            }
            if let Some(w) = written {
                eprintln!("{}", w.report());
            }
            Ok(())
        }
        SpecCommand::Bundle { spec, out } => {
            let b = tokio::task::spawn_blocking(move || bundle(&spec, &out))
                .await
                .map_err(|e| format!("bundling stopped: {e}"))??;
            super::stdout(&b.report());
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
        let compiled = Registry::compiled();
        let _ = writeln!(
            s,
            "compare with the tools in this binary ({} {}):",
            compiled.spec().title,
            compiled.spec().version
        );
        let _ = writeln!(s, "  windmill-mcp spec diff {COMPILED} {path}");
        let _ = writeln!(s, "rebuild against it:");
        let _ = writeln!(s, "  {}", self.rebuild_command());
        s
    }
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
    )
    .map_err(|e| e.to_string())?;
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

fn view_of(spec: &str) -> Result<ApiView, String> {
    if spec == COMPILED {
        return Ok(Registry::compiled().view());
    }
    let (api, _) = read_api(Path::new(spec)).map_err(|e| format!("{spec}: {e}"))?;
    Ok(ApiView::from_api(&api))
}

/// `spec diff`: compares two specs (paths, or [`COMPILED`]).
pub fn diff_specs(old: &str, new: &str) -> Result<ApiDiff, String> {
    Ok(diff::diff_views(&view_of(old)?, &view_of(new)?))
}

/// The catalog of a spec (a path, or [`COMPILED`]): one side of a comparison.
pub fn source_of(spec: &str) -> Result<Source, String> {
    if spec == COMPILED {
        return Ok(Source::of_registry(Registry::compiled()));
    }
    let (api, _) = read_api(Path::new(spec)).map_err(|e| format!("{spec}: {e}"))?;
    Ok(Source::of_api(&api))
}

/// What `spec diff --html` wrote.
#[derive(Debug, Clone)]
pub struct DiffSite {
    /// The comparison page and the two catalogs, with their sizes.
    pub files: Vec<(PathBuf, usize)>,
}

impl DiffSite {
    pub fn report(&self) -> String {
        let mut s = String::new();
        for (p, n) in &self.files {
            let _ = writeln!(s, "wrote {} ({n} bytes)", p.display());
        }
        s.trim_end().to_owned()
    }
}

/// `spec diff --html OUT`: `OUT/index.html` (the comparison), `OUT/old/index.html` and
/// `OUT/new/index.html` (the catalogs of both versions, which the comparison links into).
pub fn write_diff_site(old: &str, new: &str, d: &ApiDiff, out: &Path) -> Result<DiffSite, String> {
    let mut files = Vec::new();
    for (spec, dir) in [(old, "old"), (new, "new")] {
        let source = source_of(spec)?;
        files.push(catalog::write_site(&source, &out.join(dir)).map_err(|e| e.to_string())?);
    }
    let page = catalog::diff_page::diff_page(
        d,
        &catalog::diff_page::Catalogs {
            old: "old/index.html",
            new: "new/index.html",
        },
    );
    files.push(catalog::write_file(&out.join("index.html"), &page).map_err(|e| e.to_string())?);
    Ok(DiffSite { files })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/tmp/x/openapi.json"), "/tmp/x/openapi.json");
        assert_eq!(shell_quote("/tmp/my dir/a"), "'/tmp/my dir/a'");
        assert_eq!(shell_quote("/it's"), r"'/it'\''s'");
    }
}
