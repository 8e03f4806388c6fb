//! Which scripts and flows a caller sees (`--scripts`, `--flows`, `?scripts=`, `?flows=`), and the
//! tunables of discovery and execution.

use std::time::Duration;

/// A script or flow selection that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad path glob `{glob}`: {reason}")]
pub struct FilterError {
    pub glob: String,
    pub reason: String,
}

/// Which scripts or flows are exposed, and whether all of them are listed as tools.
///
/// * `auto` (the default): every item is searchable and callable through the discovery tools;
///   the caller's favorites, then the most recently edited, are listed as tools while the whole
///   `tools/list` stays within the listing budget (`--listing-budget`);
/// * `all`: every item is listed;
/// * `none`: no item;
/// * `favorites` and path globs (`f/team/*` one folder level, `f/team/**` any depth),
///   comma-separated: the items they match, all listed.
#[derive(Debug, Clone)]
pub struct ItemFilter {
    text: String,
    all: bool,
    /// List within the budget only (the others stay one search away).
    auto: bool,
    favorites: bool,
    globs: Option<globset::GlobSet>,
}

impl PartialEq for ItemFilter {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl ItemFilter {
    /// `auto`, `all`, `none` (or empty), or a comma-separated list of `favorites` and path globs
    /// (`f/team/*` one folder level, `f/team/**` any depth).
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let text = text.trim();
        let mut f = ItemFilter {
            text: text.to_owned(),
            all: false,
            auto: false,
            favorites: false,
            globs: None,
        };
        match text {
            "auto" => return Ok(ItemFilter::auto()),
            "all" | "*" => {
                f.all = true;
                return Ok(f);
            }
            "" | "none" => return Ok(f),
            _ => {}
        }
        let mut set = globset::GlobSetBuilder::new();
        let mut any = false;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "favorites" || item == "starred" {
                f.favorites = true;
                continue;
            }
            let g = globset::GlobBuilder::new(item)
                .literal_separator(true)
                .build()
                .map_err(|e| FilterError {
                    glob: item.to_owned(),
                    reason: e.to_string(),
                })?;
            set.add(g);
            any = true;
        }
        if any {
            f.globs = Some(set.build().map_err(|e| FilterError {
                glob: text.to_owned(),
                reason: e.to_string(),
            })?);
        }
        Ok(f)
    }

    pub fn auto() -> Self {
        ItemFilter {
            text: "auto".into(),
            all: true,
            auto: true,
            favorites: false,
            globs: None,
        }
    }

    pub fn all() -> Self {
        ItemFilter {
            text: "all".into(),
            all: true,
            auto: false,
            favorites: false,
            globs: None,
        }
    }

    pub fn none() -> Self {
        ItemFilter {
            text: "none".into(),
            all: false,
            auto: false,
            favorites: false,
            globs: None,
        }
    }

    pub fn is_none(&self) -> bool {
        !self.all && !self.favorites && self.globs.is_none()
    }

    /// Whether only a budgeted part of the items is listed as tools.
    pub fn is_auto(&self) -> bool {
        self.auto
    }

    pub fn admits(&self, path: &str, starred: bool) -> bool {
        self.all
            || (self.favorites && starred)
            || self.globs.as_ref().is_some_and(|g| g.is_match(path))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The scripts and flows a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSelection {
    pub scripts: ItemFilter,
    pub flows: ItemFilter,
}

impl Default for ItemSelection {
    fn default() -> Self {
        ItemSelection {
            scripts: ItemFilter::auto(),
            flows: ItemFilter::auto(),
        }
    }
}

impl ItemSelection {
    pub fn is_none(&self) -> bool {
        self.scripts.is_none() && self.flows.is_none()
    }

    /// Whether some items may be left unlisted (an `auto` filter).
    pub fn is_auto(&self) -> bool {
        self.scripts.is_auto() || self.flows.is_auto()
    }

    /// The filter of a kind.
    pub fn of(&self, kind: super::Kind) -> &ItemFilter {
        match kind {
            super::Kind::Script => &self.scripts,
            super::Kind::Flow => &self.flows,
        }
    }

    pub(crate) fn key(&self) -> String {
        format!("{}\u{0}{}", self.scripts.as_str(), self.flows.as_str())
    }
}

/// The default `--listing-budget`: a `tools/list` a model can take in (about 16,000 tokens).
pub const DEFAULT_LISTING_BUDGET: usize = 64_000;

/// Tunables of discovery and execution.
#[derive(Debug, Clone, Copy)]
pub struct ItemOptions {
    /// Bytes the whole default `tools/list` may take when scripts or flows are `auto`
    /// (`--listing-budget`).
    pub listing_budget: usize,
    /// A catalog older than this is refreshed (in the background) on the next use, and sessions
    /// check for changes this often.
    pub refresh_interval: Duration,
    /// How long a call waits for its job before returning the job id.
    pub job_timeout: Duration,
    /// Schema fetches in flight at once, per refresh.
    pub concurrency: usize,
    /// `per_page` of listings (Windmill documents at most 100).
    pub per_page: usize,
    /// Scripts (and flows) read from one listing at most (`--max-items`); a listing is also
    /// stopped at a page that brings nothing new.
    pub max_items: usize,
    /// Catalogs kept at most, least recently used dropped first (`--max-catalogs`).
    pub max_catalogs: usize,
    /// Distinct selections (`?scripts=`, `?flows=`) one token keeps catalogs for at most, least
    /// recently used dropped first (`--max-selections-per-token`).
    pub max_selections_per_token: usize,
}

/// The default `--max-items`.
pub const DEFAULT_MAX_ITEMS: usize = 20_000;
/// The default `--max-catalogs`.
pub const DEFAULT_MAX_CATALOGS: usize = 64;
/// The default `--max-selections-per-token`.
pub const DEFAULT_MAX_SELECTIONS_PER_TOKEN: usize = 8;

impl Default for ItemOptions {
    fn default() -> Self {
        ItemOptions {
            listing_budget: DEFAULT_LISTING_BUDGET,
            refresh_interval: Duration::from_secs(60),
            job_timeout: Duration::from_secs(120),
            concurrency: 8,
            per_page: 100,
            max_items: DEFAULT_MAX_ITEMS,
            max_catalogs: DEFAULT_MAX_CATALOGS,
            max_selections_per_token: DEFAULT_MAX_SELECTIONS_PER_TOKEN,
        }
    }
}
