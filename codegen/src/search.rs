//! The search index behind the `search_endpoints` tool: plain words → the best matching operations.
//!
//! At build time [`build`] weighs every operation's terms, field by field (BM25F: the operationId's
//! words weigh most, then the summary, tags, path segments, parameter names, the description and,
//! least, the response's property names),
//! and [`quantize`] turns the weights into what the emitter (crate `windmill-mcp-emit`) writes into
//! the generated `endpoints.rs` as `SEARCH_TERMS`: a sorted table `term → postings`, each postings
//! list a short text (see [`encode_postings`]) of `(operation index into ENDPOINTS, weight)` pairs.
//! The runtime (`windmill_mcp::search`) ranks with it, through [`decode_postings`] and
//! [`parse_query`]: this module is shared by build time and run time, and holds no Rust emission.
//!
//! Text normalization lives here only, so build time and query time agree: [`words`] splits text
//! (camelCase, snake_case, punctuation) into lowercase words, [`stem`] strips plurals and
//! `-ing`/`-ed`, [`terms`] drops stop words and [`parse_query`] adds Windmill synonyms (run/execute,
//! variable/secret, schedule/cron, …) and rewrites a few phrases (“who am I” → `whoami`).

use std::collections::BTreeMap;

use crate::ir::{Api, BodyShape, Operation};

/// BM25 saturation.
const K1: f32 = 1.2;

/// The fields of an operation, with their BM25F weight and length normalization `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Name,
    /// Words people use for the operation's common tasks ([`ALIASES`]).
    Aliases,
    Summary,
    Tags,
    Path,
    Params,
    Description,
    Output,
}

impl Field {
    const ALL: [Field; 8] = [
        Field::Name,
        Field::Aliases,
        Field::Summary,
        Field::Tags,
        Field::Path,
        Field::Params,
        Field::Description,
        Field::Output,
    ];

    fn weight(self) -> f32 {
        match self {
            Field::Name => 5.0,
            Field::Aliases => 2.0,
            Field::Summary => 2.5,
            Field::Tags => 1.5,
            Field::Path => 1.0,
            Field::Params => 0.7,
            Field::Description => 0.5,
            Field::Output => 0.3,
        }
    }

    fn b(self) -> f32 {
        match self {
            Field::Name | Field::Summary => 0.5,
            Field::Aliases => 0.3,
            Field::Tags | Field::Path => 0.3,
            Field::Params => 0.5,
            Field::Description | Field::Output => 0.75,
        }
    }
}

/// Longest word kept (longer ones are hashes, base64 and the like).
const MAX_WORD_CHARS: usize = 40;
/// Most characters of a query read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most words of a query used.
pub const MAX_QUERY_WORDS: usize = 24;
const _: () = assert!(MAX_QUERY_WORDS <= 32, "query words are bits of a u32");

/// Words that carry no meaning for search, dropped at build and query time.
const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "by", "can", "could", "did",
    "do", "does", "e", "eg", "for", "from", "g", "give", "has", "have", "how", "i", "ie", "if",
    "in", "into", "is", "it", "its", "let", "like", "me", "my", "of", "on", "or", "our", "please",
    "s", "should", "so", "some", "t", "that", "the", "their", "them", "then", "there", "these",
    "this", "those", "to", "us", "using", "via", "want", "was", "we", "what", "when", "where",
    "which", "who", "whom", "will", "with", "would", "you", "your",
];

/// Groups of words that mean the same thing (or nearly) in Windmill, with the weight a query
/// word's companions get. A query word expands to the other members of every group it is in.
const SYNONYMS: &[(f32, &[&str])] = &[
    (0.6, &["run", "execute", "execution", "launch"]),
    (0.5, &["job", "run", "execution"]),
    (0.7, &["variable", "secret", "env"]),
    (0.6, &["resource", "connection", "credential"]),
    (0.8, &["schedule", "cron", "scheduled", "periodic"]),
    (0.8, &["flow", "workflow", "pipeline"]),
    (
        0.6,
        &["fail", "failure", "error", "success", "failed", "errored"],
    ),
    (0.7, &["delete", "remove", "destroy", "erase", "drop"]),
    (
        0.7,
        &["cancel", "stop", "kill", "abort", "terminate", "halt"],
    ),
    (0.6, &["list", "show", "all", "enumerate", "browse"]),
    (
        0.4,
        &[
            "get", "fetch", "read", "retrieve", "view", "see", "detail", "info", "inspect", "show",
        ],
    ),
    (0.3, &["list", "get"]),
    (0.5, &["create", "add", "new", "make", "register"]),
    (0.5, &["update", "edit", "modify", "change", "set"]),
    (0.6, &["search", "find", "query", "lookup"]),
    (0.5, &["log", "output"]),
    (0.5, &["result", "output", "return"]),
    (0.8, &["history", "version", "revision", "previous", "past"]),
    (0.8, &["star", "favorite", "favourite", "bookmark"]),
    (0.8, &["unstar", "unfavorite", "unfavourite", "unbookmark"]),
    (0.9, &["restart", "rerun", "retry"]),
    (0.8, &["doc", "documentation", "manual"]),
    (0.6, &["token", "key", "apikey"]),
    (0.5, &["user", "member", "people", "person", "account"]),
    (0.5, &["app", "application", "dashboard"]),
    (0.8, &["folder", "directory", "dir"]),
    (0.5, &["usage", "consumption", "quota"]),
    (0.5, &["queue", "pending", "waiting", "queued"]),
    (0.6, &["audit", "activity"]),
    (0.9, &["invite", "invitation"]),
    (0.6, &["archive", "deprecate"]),
    (0.6, &["code", "content", "source", "raw"]),
    (0.7, &["s3", "bucket"]),
    (0.5, &["rename", "name"]),
    (0.9, &["argument", "arg", "parameter", "param"]),
    (0.5, &["check", "exist", "verify"]),
    (0.7, &["timing", "duration", "time"]),
    (
        0.7,
        &[
            "enable", "disable", "enabled", "disabled", "toggle", "pause", "activate",
        ],
    ),
    (0.5, &["access", "member", "belong", "join"]),
    // The vocabulary of a team's own scripts and flows (operations, billing, data, people,
    // support, notifications, security, sales): what people type for what scripts say.
    (
        0.7,
        &["password", "credential", "secret", "passphrase", "passwd"],
    ),
    (
        0.6,
        &[
            "database",
            "db",
            "postgres",
            "postgresql",
            "pg",
            "mysql",
            "sql",
        ],
    ),
    (0.6, &["rotate", "renew", "regenerate", "reset", "change"]),
    (0.7, &["restart", "reboot", "bounce", "recycle"]),
    (
        0.6,
        &["kubernetes", "k8s", "pod", "deployment", "container"],
    ),
    (0.6, &["scale", "replica", "capacity", "resize", "more"]),
    (0.7, &["certificate", "cert", "tls", "ssl", "https"]),
    (0.6, &["expire", "expiry", "expiration"]),
    (0.6, &["cache", "cdn", "cached"]),
    (
        0.6,
        &["purge", "invalidate", "clear", "flush", "cleanup", "prune"],
    ),
    (0.6, &["disk", "storage", "space", "partition", "volume"]),
    (0.7, &["deploy", "release", "ship", "rollout", "publish"]),
    (0.7, &["production", "prod", "live"]),
    (0.6, &["backup", "snapshot", "dump"]),
    (0.7, &["rollback", "revert", "undo"]),
    (0.7, &["invoice", "bill", "billing", "charge"]),
    (0.7, &["refund", "reimburse", "chargeback", "money"]),
    (
        0.7,
        &["coupon", "discount", "promo", "promotion", "voucher"],
    ),
    (0.6, &["overdue", "unpaid", "late", "outstanding"]),
    (0.6, &["remind", "reminder", "chase", "nudge"]),
    (0.6, &["customer", "client", "subscriber", "buyer"]),
    (0.6, &["plan", "tier", "pricing", "subscription"]),
    (0.6, &["upgrade", "upsell", "bigger", "higher"]),
    (0.6, &["revenue", "mrr", "arr", "income"]),
    (0.6, &["country", "region", "geography", "geo"]),
    (
        0.5,
        &["dashboard", "report", "chart", "kpi", "metric", "number"],
    ),
    (0.6, &["refresh", "recompute", "rebuild", "reload"]),
    (
        0.6,
        &[
            "etl",
            "sync",
            "synchronize",
            "import",
            "ingest",
            "load",
            "replicate",
        ],
    ),
    (0.6, &["crm", "hubspot", "salesforce"]),
    (0.6, &["snowflake", "warehouse", "bigquery", "redshift"]),
    (0.6, &["export", "download", "extract"]),
    (0.7, &["csv", "spreadsheet", "excel", "sheet", "xlsx"]),
    (0.7, &["duplicate", "dedupe", "deduplicate", "merge"]),
    (0.6, &["churn", "attrition"]),
    (
        0.6,
        &["predict", "prediction", "forecast", "model", "estimate"],
    ),
    (
        0.6,
        &[
            "anonymize",
            "pseudonymize",
            "scrub",
            "mask",
            "redact",
            "gdpr",
        ],
    ),
    (0.6, &["personal", "pii", "private", "sensitive"]),
    (0.7, &["employee", "staff", "hire", "colleague", "teammate"]),
    (0.7, &["onboard", "onboarding", "hire", "welcome"]),
    (
        0.7,
        &[
            "offboard",
            "offboarding",
            "depart",
            "departing",
            "leave",
            "quit",
        ],
    ),
    (0.7, &["vacation", "holiday", "pto", "leave"]),
    (0.7, &["payroll", "salary", "wage", "compensation"]),
    (0.6, &["accountant", "accounting", "finance"]),
    (0.6, &["org", "organization", "hierarchy", "manager"]),
    (0.7, &["ticket", "case", "incident", "helpdesk", "zendesk"]),
    (0.6, &["escalate", "priority", "urgent", "bump"]),
    (0.6, &["stale", "inactive", "idle", "abandoned"]),
    (0.7, &["mfa", "2fa", "otp", "authenticator"]),
    (0.6, &["translate", "translation", "localize"]),
    (0.7, &["slack", "chat", "channel"]),
    (0.6, &["alert", "notify", "notification", "message", "warn"]),
    (0.6, &["oncall", "pagerduty", "wake"]),
    (0.7, &["sms", "text", "twilio", "phone"]),
    (0.6, &["email", "mail", "inbox"]),
    (0.6, &["digest", "recap", "newsletter", "summary"]),
    (0.7, &["newsletter", "mailchimp", "mailing", "audience"]),
    (0.6, &["subscribe", "signup", "enroll", "optin"]),
    (0.6, &["campaign", "utm", "ad", "marketing"]),
    (0.6, &["conversion", "performance", "click", "perform"]),
    (0.6, &["revoke", "invalidate", "deactivate"]),
    (
        0.6,
        &[
            "leak",
            "leaked",
            "compromise",
            "compromised",
            "breach",
            "exposed",
        ],
    ),
    (0.6, &["login", "signin", "logon", "authentication"]),
    (0.6, &["suspicious", "unusual", "anomaly", "strange"]),
    (
        0.7,
        &["block", "ban", "deny", "blacklist", "blocklist", "firewall"],
    ),
    (0.6, &["quote", "proposal", "price"]),
    (0.6, &["prospect", "lead", "opportunity", "deal"]),
    (0.7, &["stock", "inventory", "supply"]),
    (
        0.6,
        &[
            "order", "purchase", "package", "shipment", "parcel", "delivery",
        ],
    ),
    (0.6, &["ship", "deliver", "dispatch", "carrier"]),
];

/// What people call the common tasks of some operations, in their own words (operationId, words):
/// indexed as a field of its own, so that "members of the workspace" finds `listUsers` and "turn off
/// a schedule" `setScheduleEnabled`. Operations a spec lacks are skipped. Sorted by operationId.
pub const ALIASES: &[(&str, &str)] = &[
    ("addUser", "add a member to the workspace"),
    ("archiveScriptByPath", "retire old script"),
    ("backendVersion", "what version of windmill server release"),
    ("cancelQueuedJob", "stop kill abort a running job"),
    ("createFlow", "new workflow pipeline"),
    ("createFolder", "new folder directory"),
    ("createGroup", "new group team"),
    (
        "createHttpTrigger",
        "webhook http endpoint url route that runs a script or flow",
    ),
    (
        "createResource",
        "add a connection integration database credentials postgres",
    ),
    ("createSchedule", "cron periodic recurring timer run every"),
    ("createScript", "new script write code"),
    ("createToken", "new api key token personal access token"),
    ("createVariable", "store a secret api key password securely"),
    (
        "deleteUser",
        "remove kick someone out of the workspace member",
    ),
    ("getFlowByPath", "see a flow definition steps modules"),
    ("getJob", "job status details why did it fail error"),
    ("getJobLogs", "output print logs of a job"),
    ("getQueueCount", "how many jobs are queued waiting"),
    (
        "getResource",
        "connection details credentials configuration",
    ),
    ("getScriptByPath", "source code content of a script"),
    (
        "getScriptHistoryByPath",
        "past previous versions changes of a script",
    ),
    ("getVariable", "read a secret value"),
    ("inviteUser", "invite a colleague teammate to the workspace"),
    ("listApps", "apps dashboards ui in the workspace"),
    ("listAuditLogs", "audit trail who did what activity history"),
    ("listFlows", "all flows workflows pipelines we have"),
    ("listFolders", "folders directories in the workspace"),
    ("listGroups", "groups teams of users"),
    ("listHttpTriggers", "webhooks http endpoints routes"),
    ("listJobs", "recent job runs history executions"),
    ("listQueue", "jobs waiting queued pending to run"),
    (
        "listResource",
        "connections integrations databases credentials",
    ),
    ("listResourceType", "kinds types of resources integrations"),
    ("listSchedules", "all the schedules crons"),
    ("listScripts", "all the scripts we have"),
    ("listTokens", "my api keys tokens"),
    (
        "listUserWorkspaces",
        "which workspaces can i access belong to am i in",
    ),
    (
        "listUsers",
        "members people everyone who has access users of the workspace team",
    ),
    ("listVariable", "all secrets variables"),
    ("listWorkers", "workers online machines capacity"),
    ("listWorkspaces", "which workspaces exist all workspaces"),
    ("runFlowByPath", "start kick off trigger launch a flow"),
    (
        "runScriptByPath",
        "execute start launch a script with inputs arguments",
    ),
    ("searchDocs", "look up windmill documentation help how to"),
    (
        "setScheduleEnabled",
        "turn on off pause resume disable enable a schedule",
    ),
    ("updateFlow", "save changes edit modify a flow"),
    ("updateScript", "save changes edit a script"),
    (
        "updateUser",
        "make someone an admin operator change role permissions",
    ),
    ("updateVariable", "change rotate the value of a secret"),
    (
        "whoami",
        "me my user info who am i logged in as current user profile",
    ),
];

/// Phrases a query may spell in several words, rewritten to the word operations use.
const PHRASES: &[(&[&str], &str)] = &[
    (&["who", "am", "i"], "whoami"),
    (&["who", "i", "am"], "whoami"),
    (&["sign", "in"], "login"),
    (&["log", "in"], "login"),
    (&["sign", "out"], "logout"),
    (&["log", "out"], "logout"),
    (&["re", "run"], "rerun"),
    (&["api", "key"], "token"),
    (&["un", "star"], "unstar"),
    (&["set", "up"], "create"),
    (&["how", "many"], "count"),
    (&["number", "of"], "count"),
    (&["cron", "job"], "schedule"),
    (&["how", "long"], "duration"),
    (&["two", "factor"], "mfa"),
    (&["2", "fa"], "mfa"),
    (&["time", "off"], "pto"),
    (&["on", "call"], "oncall"),
    (&["mailing", "list"], "newsletter"),
    (&["money", "back"], "refund"),
    (&["promo", "code"], "coupon"),
    (&["sign", "up"], "signup"),
    (&["new", "hire"], "onboard"),
    (&["object", "storage"], "s3"),
];

/// Splits text into lowercase words: at anything that is not a letter or digit, and at camelCase
/// boundaries (`getHTTPTrigger` → `get`, `http`, `trigger`). Words longer than 40 characters are
/// dropped.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let push = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            if current.chars().count() <= MAX_WORD_CHARS {
                out.push(std::mem::take(current));
            } else {
                current.clear();
            }
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            push(&mut current, &mut out);
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_some_and(|p| {
                p.is_lowercase() || p.is_numeric() || (p.is_uppercase() && next_lower)
            }) {
                push(&mut current, &mut out);
            }
        }
        current.extend(c.to_lowercase());
    }
    push(&mut current, &mut out);
    out
}

fn has_vowel(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
}

/// Light English stemming, the same at build and query time: plurals (`jobs` → `job`,
/// `policies` → `policy`), `-ing` and `-ed` (`running` → `run`, `cancelled` → `cancel`), and a
/// final `e` (`schedule`, `scheduled` → `schedul`). Not linguistics, just consistent.
pub fn stem(word: &str) -> String {
    let mut w = word.to_owned();
    let n = w.chars().count();
    if n <= 3 || !w.is_ascii() {
        return w;
    }
    // Plurals.
    if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with("ies") && n > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.truncate(w.len() - 1);
    }
    // Verb endings.
    let mut stripped = false;
    for suffix in ["ing", "ed"] {
        if let Some(rest) = w.strip_suffix(suffix) {
            if rest.len() >= 3 && has_vowel(rest) {
                w.truncate(rest.len());
                stripped = true;
            }
            break;
        }
    }
    // A doubled final consonant (`runn`, `cancell`, `stopp`), but not `ss`.
    let b = w.as_bytes();
    if b.len() >= 4 {
        let (x, y) = (b[b.len() - 2], b[b.len() - 1]);
        if x == y && !matches!(y, b'a' | b'e' | b'i' | b'o' | b'u' | b's') {
            w.pop();
        }
    }
    if (stripped || w.len() > 4) && w.len() > 3 && w.ends_with('e') && !w.ends_with("ee") {
        w.pop();
    }
    w
}

fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.binary_search(&w).is_ok()
}

/// Rewrites [`PHRASES`] (before stop words go: they may contain some).
fn rewrite_phrases(mut ws: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ws.len());
    let mut i = 0;
    'outer: while i < ws.len() {
        for (phrase, word) in PHRASES {
            if ws.len() - i >= phrase.len() && ws[i..i + phrase.len()].iter().eq(phrase.iter()) {
                out.push((*word).to_owned());
                i += phrase.len();
                continue 'outer;
            }
        }
        out.push(std::mem::take(&mut ws[i]));
        i += 1;
    }
    out
}

/// The search terms of a text: its words, phrases rewritten, stemmed, without stop words, in
/// order (with repeats).
pub fn terms(text: &str) -> Vec<String> {
    rewrite_phrases(words(text))
        .into_iter()
        .filter(|w| !is_stop_word(w))
        .map(|w| stem(&w))
        .collect()
}

/// One term of a query, with its weight and the query words it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub term: String,
    /// 1 for the query's own words, less for synonyms (the highest when several words lead here).
    pub weight: f32,
    /// Bit `k` set: the term stands for the query's word `k` (itself or a synonym of it). For
    /// coverage: how many of the query's words an operation matches.
    pub words: u32,
}

/// A query, normalized: its own words (stemmed, deduplicated, at most [`MAX_QUERY_WORDS`]) and
/// the terms to look up, the words themselves and their synonyms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub words: Vec<String>,
    pub terms: Vec<QueryTerm>,
}

/// [`SYNONYMS`], stemmed.
fn stemmed_synonyms() -> &'static [(f32, Vec<String>)] {
    static GROUPS: std::sync::OnceLock<Vec<(f32, Vec<String>)>> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| {
        SYNONYMS
            .iter()
            .map(|(w, g)| (*w, g.iter().map(|x| stem(x)).collect()))
            .collect()
    })
}

/// Normalizes a query the way [`build`] normalizes operations, rewrites phrases (“who am I” →
/// `whoami`, “how many” → `count`) and adds synonyms. Reads at most [`MAX_QUERY_CHARS`]
/// characters.
pub fn parse_query(query: &str) -> Query {
    let text: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut q = Query::default();
    for t in terms(&text) {
        if !q.words.contains(&t) {
            q.words.push(t);
            if q.words.len() == MAX_QUERY_WORDS {
                break;
            }
        }
    }
    let mut add = |term: &str, weight: f32, word: usize| {
        let bit = 1u32 << word;
        match q.terms.iter_mut().find(|t| t.term == term) {
            Some(t) => {
                t.weight = t.weight.max(weight);
                t.words |= bit;
            }
            None => q.terms.push(QueryTerm {
                term: term.to_owned(),
                weight,
                words: bit,
            }),
        }
    };
    for (k, w) in q.words.iter().enumerate() {
        add(w, 1.0, k);
        for (weight, group) in stemmed_synonyms() {
            if group.contains(w) {
                for g in group.iter().filter(|g| *g != w) {
                    add(g, *weight, k);
                }
            }
        }
    }
    q
}

/// The search index of an API.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Every term, sorted, with its postings sorted by operation: `(index into Api::operations,
    /// BM25 weight)`.
    pub terms: Vec<(String, Vec<(u32, f32)>)>,
}

/// The words of each field of an operation.
fn field_terms(op: &Operation, field: Field) -> Vec<String> {
    match field {
        Field::Name => terms(&op.name),
        Field::Aliases => ALIASES
            .binary_search_by(|(name, _)| (*name).cmp(op.name.as_str()))
            .ok()
            .and_then(|i| ALIASES.get(i))
            .map(|(_, words)| terms(words))
            .unwrap_or_default(),
        Field::Summary => op.title.as_deref().map(terms).unwrap_or_default(),
        Field::Tags => op.tags.iter().flat_map(|t| terms(t)).collect(),
        Field::Path => op
            .path
            .split('/')
            .filter(|s| !s.starts_with('{') && *s != "w")
            .flat_map(terms)
            .collect(),
        Field::Params => {
            let mut names: Vec<&str> = op.params.iter().map(|p| p.arg_name.as_str()).collect();
            if let Some(b) = &op.body {
                match &b.shape {
                    BodyShape::Fields(pairs) => names.extend(pairs.iter().map(|(a, _)| a.as_str())),
                    BodyShape::Whole { arg_name } => names.push(arg_name),
                }
            }
            names
                .into_iter()
                .filter(|n| *n != "workspace")
                .flat_map(terms)
                .collect()
        }
        Field::Description => terms(&op.description),
        Field::Output => {
            let mut names = Vec::new();
            if let Some(schema) = &op.output_schema {
                output_properties(schema, 0, &mut names);
            }
            names.iter().flat_map(|n| terms(n)).collect()
        }
    }
}

/// The property names of a response: of the object, of an array's items, of each `oneOf`/`anyOf`
/// branch, and of the `result` wrapper's content; not deeper.
fn output_properties(schema: &serde_json::Value, depth: usize, out: &mut Vec<String>) {
    if depth > 3 {
        return;
    }
    if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
        if depth == 0 && props.len() == 1 && props.contains_key("result") {
            if let Some(inner) = props.get("result") {
                output_properties(inner, depth + 1, out);
            }
            return;
        }
        for k in props.keys() {
            if !out.contains(k) {
                out.push(k.clone());
            }
        }
    }
    if let Some(items) = schema.get("items") {
        output_properties(items, depth + 1, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(branches) = schema.get(key).and_then(|b| b.as_array()) {
            for b in branches {
                output_properties(b, depth + 1, out);
            }
        }
    }
}

/// Weighs every term of every operation (BM25F).
pub fn build(api: &Api) -> Index {
    let n = api.operations.len();
    // Per operation, per field: term → count, and the field's length.
    let mut docs: Vec<Vec<(BTreeMap<String, u32>, usize)>> = Vec::with_capacity(n);
    let mut total_len = [0usize; Field::ALL.len()];
    for op in &api.operations {
        let mut fields = Vec::with_capacity(Field::ALL.len());
        for (f, field) in Field::ALL.iter().enumerate() {
            let ts = field_terms(op, *field);
            total_len[f] += ts.len();
            let mut counts: BTreeMap<String, u32> = BTreeMap::new();
            for t in &ts {
                *counts.entry(t.clone()).or_default() += 1;
            }
            fields.push((counts, ts.len()));
        }
        docs.push(fields);
    }
    let avg: Vec<f32> = total_len
        .iter()
        .map(|&l| (l as f32 / n.max(1) as f32).max(1.0))
        .collect();
    // Weighted, length-normalized term frequencies.
    let mut postings: BTreeMap<String, Vec<(u32, f32)>> = BTreeMap::new();
    for (d, fields) in docs.iter().enumerate() {
        let mut tf: BTreeMap<&str, f32> = BTreeMap::new();
        for (f, (counts, len)) in fields.iter().enumerate() {
            let field = Field::ALL[f];
            let norm = 1.0 - field.b() + field.b() * (*len as f32 / avg[f]);
            for (t, c) in counts {
                *tf.entry(t.as_str()).or_default() += field.weight() * *c as f32 / norm;
            }
        }
        for (t, w) in tf {
            postings
                .entry(t.to_owned())
                .or_default()
                .push((d as u32, w * (K1 + 1.0) / (w + K1)));
        }
    }
    let terms = postings
        .into_iter()
        .map(|(t, mut list)| {
            let df = list.len() as f32;
            let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
            for p in &mut list {
                p.1 *= idf;
            }
            (t, list)
        })
        .collect();
    Index { terms }
}

/// The 64 characters of encoded postings (URL-safe base64's, nothing to escape in Rust strings).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Largest encoded weight (two characters, 12 bits).
pub const MAX_QUANTUM: u32 = 4095;

fn digit(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Encodes postings `(operation, weight in quanta 1..=4095)`, sorted by operation: per posting the
/// distance to the previous operation (the first: to 0) as a little-endian base-32 number whose
/// digits 32..63 mean "more follows", then the weight in two digits.
pub fn encode_postings(postings: &[(u32, u32)]) -> String {
    let mut out = String::new();
    let mut prev = 0u32;
    for &(doc, q) in postings {
        let mut delta = doc.saturating_sub(prev);
        prev = doc;
        while delta >= 32 {
            out.push(ALPHABET[(32 | (delta & 31)) as usize] as char);
            delta >>= 5;
        }
        out.push(ALPHABET[delta as usize] as char);
        let q = q.clamp(1, MAX_QUANTUM);
        out.push(ALPHABET[(q >> 6) as usize] as char);
        out.push(ALPHABET[(q & 63) as usize] as char);
    }
    out
}

/// Decodes what [`encode_postings`] wrote: `(operation, weight in quanta)`. Stops at the first
/// malformed posting; never panics.
pub fn decode_postings(text: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut bytes = text.bytes();
    let mut prev = 0u32;
    std::iter::from_fn(move || {
        let mut delta = 0u32;
        let mut shift = 0u32;
        loop {
            let d = digit(bytes.next()?)?;
            if shift > 25 {
                return None;
            }
            delta |= (d & 31) << shift;
            shift += 5;
            if d < 32 {
                break;
            }
        }
        let hi = digit(bytes.next()?)?;
        let lo = digit(bytes.next()?)?;
        prev = prev.checked_add(delta)?;
        Some((prev, (hi << 6) | lo))
    })
}

/// The index as quantized postings: the scale (weight of one quantum) and, per term, the
/// encoded postings.
pub fn quantize(index: &Index) -> (f32, Vec<(&str, String)>) {
    let max = index
        .terms
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, w)| w))
        .fold(0.0f32, f32::max);
    let scale = if max > 0.0 {
        max / MAX_QUANTUM as f32
    } else {
        1.0
    };
    let rows = index
        .terms
        .iter()
        .map(|(t, p)| {
            let q: Vec<(u32, u32)> = p
                .iter()
                .map(|&(d, w)| (d, (w / scale).round() as u32))
                .collect();
            (t.as_str(), encode_postings(&q))
        })
        .collect();
    (scale, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_sorted_and_unique() {
        assert!(ALIASES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn splits_camel_and_snake_case() {
        assert_eq!(words("getHTTPTrigger"), ["get", "http", "trigger"]);
        assert_eq!(words("list_jobs-now"), ["list", "jobs", "now"]);
        assert_eq!(words("getJobUpdatesSSE"), ["get", "job", "updates", "sse"]);
        assert_eq!(words("s3ResourceInfo"), ["s3", "resource", "info"]);
        assert_eq!(words("Ünïcode ÉTÉ"), ["ünïcode", "été"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn stems_consistently() {
        for (a, b) in [
            ("jobs", "job"),
            ("running", "run"),
            ("cancelled", "cancel"),
            ("canceling", "cancel"),
            ("schedules", "schedule"),
            ("scheduled", "schedule"),
            ("policies", "policy"),
            ("processes", "process"),
            ("caches", "cache"),
            ("settings", "setting"),
            ("created", "create"),
            ("starred", "star"),
            ("installed", "install"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("string"), "string");
        assert_eq!(stem("run"), "run");
    }

    #[test]
    fn queries_rewrite_phrases_and_expand_synonyms() {
        let q = parse_query("Who am I?");
        assert_eq!(q.words, ["whoami"]);
        assert_eq!(q.terms.len(), 1);
        let q = parse_query("execute a workflow");
        assert_eq!(q.words, ["execut", "workflow"]);
        assert!(q
            .terms
            .iter()
            .any(|t| t.term == "run" && t.weight < 1.0 && t.words == 1));
        assert!(q
            .terms
            .iter()
            .any(|t| t.term == "flow" && t.weight < 1.0 && t.words == 2));
        assert!(q
            .terms
            .iter()
            .any(|t| t.term == "workflow" && t.weight == 1.0));
        // `exist` is a word of its own and a synonym of `check`: it stands for both.
        let q = parse_query("check if a script exists");
        assert!(q
            .terms
            .iter()
            .any(|t| t.term == "exist" && t.weight == 1.0 && t.words == 0b101));
        assert_eq!(parse_query(""), Query::default());
        assert_eq!(parse_query("the of a"), Query::default());
        let huge = "job ".repeat(100_000);
        assert_eq!(parse_query(&huge), parse_query("job"));
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        assert_eq!(parse_query(&many).words.len(), MAX_QUERY_WORDS);
    }

    #[test]
    fn postings_round_trip() {
        let p = vec![(0, 1), (3, 4095), (40, 17), (1000, 2), (70_000, 300)];
        let enc = encode_postings(&p);
        assert!(enc.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(decode_postings(&enc).collect::<Vec<_>>(), p);
        assert_eq!(decode_postings("").count(), 0);
        assert_eq!(decode_postings("A\"é").count(), 0);
        assert_eq!(decode_postings("_____________________").count(), 0);
    }
}
