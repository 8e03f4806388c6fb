//! What a server instance is configured with ([`Settings`]), and what one caller may see
//! ([`Exposure`]). Plain data: `cli` fills it from flags, `http` narrows it per URL, `mcp` reads it.

use crate::endpoints::{Operation, Selection};
use crate::listing::Profile;
use crate::upstream::{Limits, Token};
use crate::workspace::{ItemOptions, ItemSelection};

/// What a server instance is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Windmill's URL (without `/api`).
    pub base_url: String,
    /// A server-level token: used only when the caller brings none (stdio, local use).
    pub token: Option<Token>,
    /// The workspace for `/mcp` and stdio.
    pub workspace: Option<String>,
    /// Which endpoint tools are listed.
    pub selection: Selection,
    /// Only read-only operations are listed, searchable and callable.
    pub read_only: bool,
    /// The client profile: the schema dialect of `tools/list`.
    pub profile: Profile,
    /// Longer tool names are shortened to this many characters.
    pub max_name_len: Option<usize>,
    /// Tools per `tools/list` page.
    pub page_size: usize,
    /// Timeouts and response size towards Windmill.
    pub limits: Limits,
    /// Largest tool result sent to the client; longer ones are cut with a marker.
    pub max_result_bytes: usize,
    /// Tool calls in flight at once in one session; more get a tool error at once.
    pub max_concurrent_calls: usize,
    /// Which workspace scripts and flows are tools (a URL may override).
    pub items: ItemSelection,
    /// Refresh interval, job timeout and fetch concurrency of workspace scripts and flows.
    pub item_options: ItemOptions,
    /// Which spec the endpoint tools come from (`--spec`).
    pub spec: SpecSource,
    /// How often the connected Windmill's `/api/version` is read to follow an upgrade (`live` and
    /// `auto`; `--spec-poll-interval`); zero: never, the spec read at start is kept.
    pub spec_poll_interval: std::time::Duration,
}

/// Which spec the endpoint tools come from (`--spec`, `WINDMILL_MCP_SPEC`).
///
/// | value | tools |
/// |---|---|
/// | `auto` (default) | compiled while the connected Windmill's `/api/version` is the compiled spec's version; its served `/api/openapi.json` when it is another |
/// | `live` | the connected Windmill's `/api/openapi.json`, whatever its version |
/// | `compiled` | the spec compiled into this binary, never fetched |
/// | a file | that document (YAML or JSON, with the files it `$ref`s) |
/// | an `http(s)://` URL | the `/api/openapi.json` of the Windmill at that base URL |
///
/// A live spec is fetched at start and again when `/api/version` changes; a document that cannot be
/// fetched or lowered leaves the tools in place, with a warning saying why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SpecSource {
    #[default]
    Auto,
    Live,
    Compiled,
    File(std::path::PathBuf),
    /// The base URL of a Windmill whose served document is read.
    Url(String),
}

impl SpecSource {
    /// Parses `auto`, `live`, `compiled`, an `http(s)://` URL or a file path.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        Ok(match t {
            "" | "auto" => SpecSource::Auto,
            "live" => SpecSource::Live,
            "compiled" => SpecSource::Compiled,
            url if url.starts_with("http://") || url.starts_with("https://") => {
                SpecSource::Url(url.to_owned())
            }
            path => {
                let p = std::path::PathBuf::from(path);
                if !p.exists() {
                    return Err(format!(
                        "`{path}` is neither `auto`, `live`, `compiled`, an http(s) URL nor an existing file"
                    ));
                }
                SpecSource::File(p)
            }
        })
    }

    /// Whether the connected Windmill is watched for version changes.
    pub fn follows_windmill(&self) -> bool {
        matches!(self, SpecSource::Auto | SpecSource::Live)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: "http://127.0.0.1:8000".into(),
            token: None,
            workspace: None,
            selection: Selection::Curated,
            read_only: false,
            profile: Profile::Full,
            max_name_len: None,
            page_size: 200,
            limits: Limits::default(),
            max_concurrent_calls: 16,
            max_result_bytes: 100_000,
            items: ItemSelection::default(),
            item_options: ItemOptions::default(),
            spec: SpecSource::Compiled,
            spec_poll_interval: std::time::Duration::from_secs(60),
        }
    }
}

impl Settings {
    /// The server-wide exposure (a URL may narrow it).
    pub fn exposure(&self) -> Exposure {
        Exposure {
            selection: self.selection.clone(),
            read_only: self.read_only,
            profile: self.profile,
            max_name_len: self.max_name_len,
        }
    }
}

/// What one caller may see: the tool mode, read-only mode, and how tools are written for its client.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub selection: Selection,
    pub read_only: bool,
    /// The schema dialect of `tools/list` (`?client=`, `--client-profile`).
    pub profile: Profile,
    /// Longer tool names are shortened to this many characters (`?max_name_len=`, `--max-name-len`).
    pub max_name_len: Option<usize>,
}

impl Exposure {
    /// Whether the endpoint is listed as a tool of its own.
    pub fn lists(&self, e: &Operation) -> bool {
        self.selection.admits(e) && (!self.read_only || e.hints.read_only)
    }

    /// Whether the endpoint can be found, described and called through the discovery tools.
    pub fn reaches(&self, e: &Operation) -> bool {
        self.selection.reaches(e) && (!self.read_only || e.hints.read_only)
    }
}
