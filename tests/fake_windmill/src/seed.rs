//! The default data set ([`FakeState::seeded`]) and the well-known names tests refer to.

use serde_json::{json, Value};

use crate::execution::{simulate, Run};
use crate::state::{
    App, Authed, DataMetric, DocPage, FakeState, FakeToken, Flow, Resource, ResourceType, Schedule,
    Script, Variable, Worker, Workspace,
};

/// Member of workspace `demo` (admin there), no scopes.
pub const TOKEN_ALICE: &str = "tok-alice";
/// Member of workspace `other`, no scopes.
pub const TOKEN_BOB: &str = "tok-bob";
/// Superadmin: every workspace, no scopes.
pub const TOKEN_ADMIN: &str = "tok-admin";
/// Alice's token made for Windmill's own MCP server: scope `mcp:all` only, so every REST route
/// answers 403 `Access denied. Required scope: <domain>:<action>`.
pub const TOKEN_MCP_ONLY: &str = "tok-mcp-only";
/// Alice, workspace `demo`, scope `scripts:read` only.
pub const TOKEN_SCRIPTS_READ: &str = "tok-scripts-read";

pub const WS_DEMO: &str = "demo";
pub const WS_OTHER: &str = "other";

/// Seeded script hashes (workspace `demo` unless noted).
pub const HASH_MY_SCRIPT: &str = "a1b2c3d4e5f60718";
pub const HASH_HELLO: &str = "b2c3d4e5f6071829";
pub const HASH_HELLO_OLD: &str = "0f0e0d0c0b0a0908";
pub const HASH_ALWAYS_FAIL: &str = "c3d4e5f607182930";
pub const HASH_WITH_RESOURCE: &str = "d4e5f60718293041";
pub const HASH_OTHER_CLEANUP: &str = "e5f6071829304152";
pub const HASH_OTHER_REPORT: &str = "f607182930415263";

/// Seeded job ids.
pub const JOB_DEMO_SUCCESS: &str = "01900000-0000-7000-8000-000000000001";
pub const JOB_DEMO_FAILURE: &str = "01900000-0000-7000-8000-000000000002";
pub const JOB_DEMO_QUEUED: &str = "01900000-0000-7000-8000-000000000003";
pub const JOB_OTHER_SUCCESS: &str = "01900000-0000-7000-8000-000000000004";

pub(crate) const WORKER_NAME: &str = "wk-default-1a2b3-abcde";

impl Default for FakeState {
    fn default() -> Self {
        FakeState::seeded()
    }
}

impl FakeState {
    /// The default data set: see the seed functions below for every path.
    pub fn seeded() -> Self {
        let mut st = FakeState::empty();
        st.tokens.insert(
            TOKEN_ALICE.into(),
            FakeToken {
                is_admin: true,
                ..FakeToken::member("alice", &[WS_DEMO])
            },
        );
        st.tokens
            .insert(TOKEN_BOB.into(), FakeToken::member("bob", &[WS_OTHER]));
        st.tokens.insert(
            TOKEN_ADMIN.into(),
            FakeToken {
                username: "admin".into(),
                email: "admin@windmill.dev".into(),
                is_admin: true,
                workspaces: None,
                scopes: None,
            },
        );
        st.tokens.insert(
            TOKEN_MCP_ONLY.into(),
            FakeToken::member("alice", &[WS_DEMO]).with_scopes(&["mcp:all"]),
        );
        st.tokens.insert(
            TOKEN_SCRIPTS_READ.into(),
            FakeToken::member("alice", &[WS_DEMO]).with_scopes(&["scripts:read"]),
        );
        st.global_resource_types = seed_global_resource_types();
        st.workspaces.insert(WS_DEMO.into(), seed_demo());
        st.workspaces.insert(WS_OTHER.into(), seed_other());
        st.workers = seed_workers();
        st.docs = seed_docs();
        st
    }
}

pub(crate) fn ts(day: u32, hour: u32) -> String {
    format!("2026-06-{day:02}T{hour:02}:00:00.000Z")
}

/// What seed data says about a script version; [`SeedScript::script`] gives the rest their usual
/// values (kind `script`, deployed, not starred, no tag, runs echo their arguments).
pub(crate) struct SeedScript<'a> {
    pub(crate) path: &'a str,
    pub(crate) hash: &'a str,
    pub(crate) language: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) description: &'a str,
    pub(crate) content: &'a str,
    pub(crate) schema: Value,
    pub(crate) created_by: &'a str,
    pub(crate) created_at: String,
}

impl SeedScript<'_> {
    pub(crate) fn script(self) -> Script {
        Script {
            path: self.path.into(),
            hash: self.hash.into(),
            parent_hashes: vec![],
            summary: self.summary.into(),
            description: self.description.into(),
            content: self.content.into(),
            language: self.language.into(),
            kind: "script".into(),
            schema: self.schema,
            created_by: self.created_by.into(),
            created_at: self.created_at,
            archived: false,
            deleted: false,
            is_template: false,
            starred: false,
            tag: None,
            lock: None,
            result: None,
            visible_to: None,
        }
    }
}

pub(crate) fn obj_schema(properties: Value, required: &[&str]) -> Value {
    let order: Vec<String> = properties
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "order": order,
    })
}

fn seed_global_resource_types() -> Vec<ResourceType> {
    vec![
        ResourceType {
            name: "postgresql".into(),
            schema: json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {
                    "host": {"type": "string"},
                    "port": {"type": "integer"},
                    "user": {"type": "string"},
                    "password": {"type": "string"},
                    "dbname": {"type": "string"},
                    "sslmode": {"type": "string", "enum": ["disable", "require", "verify-full"]}
                },
                "required": ["host", "dbname"]
            }),
            description: "Postgres connection".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
        ResourceType {
            name: "s3".into(),
            schema: json!({
                "type": "object",
                "properties": {
                    "bucket": {"type": "string"},
                    "region": {"type": "string"},
                    "endPoint": {"type": "string"}
                },
                "required": ["bucket"]
            }),
            description: "S3 bucket".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
        ResourceType {
            name: "slack".into(),
            schema: json!({
                "type": "object",
                "properties": {"token": {"type": "string"}},
                "required": ["token"]
            }),
            description: "Slack bot token".into(),
            created_by: "admin".into(),
            edited_at: ts(1, 8),
        },
    ]
}

/// Workspace `demo`:
/// - scripts `f/folder/my_script` (python3, args a:int required, b:int=2),
///   `u/admin/hello` (bun, arg name:string="world"; an older archived version exists),
///   `f/folder/always_fail` (bash, always fails with exit code 3),
///   `f/folder/with_resource` (python3, arg db: resource-postgresql);
/// - flows `f/folder/my_flow` (arg x:string) and `f/folder/fail_flow` (fails);
/// - app `f/folder/dashboard`;
/// - resources `f/folder/my_postgres` (postgresql), `u/alice/slack` (slack);
///   workspace resource type `c_weather_api`;
/// - variables `f/folder/api_url` (plain), `f/folder/db_password` and `u/alice/slack_token`
///   (secret);
/// - schedules `f/folder/nightly_my_script` (script, enabled), `f/folder/hourly_flow`
///   (flow, disabled);
/// - jobs `JOB_DEMO_SUCCESS` (my_script ok, result {"a":1,"b":2}), `JOB_DEMO_FAILURE`
///   (always_fail), `JOB_DEMO_QUEUED` (u/admin/hello, queued for ever).
fn seed_demo() -> Workspace {
    let mut ws = Workspace::new(WS_DEMO);
    let mut hello_old = SeedScript {
        path: "u/admin/hello",
        hash: HASH_HELLO_OLD,
        language: "bun",
        summary: "Say hello",
        description: "Greets someone",
        content: "export async function main(name: string) {\n  return `Hi ${name}`;\n}\n",
        schema: obj_schema(
            json!({"name": {"type": "string", "description": ""}}),
            &["name"],
        ),
        created_by: "admin",
        created_at: ts(2, 9),
    }
    .script();
    hello_old.archived = true;
    ws.scripts.push(hello_old);
    ws.scripts.push(
        SeedScript {
            path: "f/folder/my_script",
            hash: HASH_MY_SCRIPT,
            language: "python3",
            summary: "My script",
            description: "Adds two numbers",
            content: "def main(a: int, b: int = 2):\n    return {\"a\": a, \"b\": b}\n",
            schema: obj_schema(
                json!({
                    "a": {"type": "integer", "description": "first number"},
                    "b": {"type": "integer", "description": "second number", "default": 2}
                }),
                &["a"],
            ),
            created_by: "alice",
            created_at: ts(3, 10),
        }
        .script(),
    );
    let mut hello = SeedScript {path: "u/admin/hello", hash: HASH_HELLO, language: "bun", summary: "Say hello", description: "Greets someone by name", content: "export async function main(name: string = \"world\") {\n  return `Hello ${name}`;\n}\n", schema: obj_schema(
            json!({"name": {"type": "string", "description": "who to greet", "default": "world"}}),
            &[],
        ), created_by: "admin", created_at: ts(4, 11)}.script();
    hello.parent_hashes = vec![HASH_HELLO_OLD.into()];
    hello.starred = true;
    ws.scripts.push(hello);
    ws.scripts.push(
        SeedScript {
            path: "f/folder/always_fail",
            hash: HASH_ALWAYS_FAIL,
            language: "bash",
            summary: "Always fails",
            description: "Exits with code 3",
            content: "echo \"about to fail\"\nexit 3\n",
            schema: obj_schema(json!({}), &[]),
            created_by: "alice",
            created_at: ts(5, 12),
        }
        .script(),
    );
    let mut with_res = SeedScript {
        path: "f/folder/with_resource",
        hash: HASH_WITH_RESOURCE,
        language: "python3",
        summary: "Query the database",
        description: "Runs a query against a postgres resource",
        content: "def main(db: dict, query: str = \"select 1\"):\n    return []\n",
        schema: obj_schema(
            json!({
                "db": {"type": "object", "format": "resource-postgresql", "description": ""},
                "query": {"type": "string", "default": "select 1"}
            }),
            &["db"],
        ),
        created_by: "alice",
        created_at: ts(6, 13),
    }
    .script();
    with_res.tag = Some("python3".into());
    ws.scripts.push(with_res);

    let rawscript_module = |id: &str, content: &str| {
        json!({
            "id": id,
            "value": {
                "type": "rawscript",
                "content": content,
                "language": "bun",
                "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}
            }
        })
    };
    ws.flows.insert("f/folder/my_flow".into(), Flow {
        path: "f/folder/my_flow".into(),
        summary: "My flow".into(),
        description: "Echoes its input".into(),
        value: json!({"modules": [rawscript_module("a", "export async function main(x: string) {\n  return x;\n}\n")]}),
        schema: Some(obj_schema(json!({"x": {"type": "string", "description": ""}}), &["x"])),
        edited_by: "alice".into(),
        edited_at: ts(7, 9),
        archived: false,
        starred: false,
        tag: None,
        version_id: 101,
        visible_to: None,
    });
    ws.flows.insert("f/folder/fail_flow".into(), Flow {
        path: "f/folder/fail_flow".into(),
        summary: "Failing flow".into(),
        description: "Its only step throws".into(),
        value: json!({"modules": [rawscript_module("a", "export async function main(x: string) {\n  throw new Error(x);\n}\n")]}),
        schema: Some(obj_schema(json!({"x": {"type": "string"}}), &[])),
        edited_by: "alice".into(),
        edited_at: ts(7, 10),
        archived: false,
        starred: false,
        tag: None,
        version_id: 102,
        visible_to: None,
    });
    ws.apps.insert(
        "f/folder/dashboard".into(),
        App {
            path: "f/folder/dashboard".into(),
            summary: "Dashboard".into(),
            value: json!({"grid": [], "hiddenInlineScripts": [], "css": {}, "norefreshbar": false}),
            policy: json!({"execution_mode": "publisher", "triggerables": {}}),
            created_by: "alice".into(),
            edited_at: ts(7, 11),
            id: 1,
            raw_app: false,
            versions: vec![11],
        },
    );
    ws.apps.insert(
        "f/folder/raw_dashboard".into(),
        App {
            id: 2,
            path: "f/folder/raw_dashboard".into(),
            summary: "Raw dashboard".into(),
            value: json!({"files": {"/index.tsx": "export default function App() { return null }"}, "runnables": {}, "data": {}}),
            policy: json!({"execution_mode": "publisher"}),
            created_by: "alice".into(),
            edited_at: ts(7, 12),
            raw_app: true,
            versions: vec![12],
        },
    );
    for (kind, name, expr, filter) in [
        ("measure", "revenue", "sum(amount)", Some("not is_refund")),
        ("dimension", "country", "country", None),
    ] {
        ws.data_metrics.push(DataMetric {
            table_path: "lake/main.orders".into(),
            kind: kind.into(),
            name: name.into(),
            script_path: "f/analytics/orders".into(),
            expr: expr.into(),
            filter: filter.map(str::to_owned),
        });
    }
    ws.resource_types.push(ResourceType {
        name: "c_weather_api".into(),
        schema: json!({"type": "object", "properties": {"api_key": {"type": "string"}}, "required": ["api_key"]}),
        description: "Custom: weather API credentials".into(),
        created_by: "alice".into(),
        edited_at: ts(2, 8),
    });
    ws.resources.insert("f/folder/my_postgres".into(), Resource {
        path: "f/folder/my_postgres".into(),
        resource_type: "postgresql".into(),
        value: json!({"host": "db.internal", "port": 5432, "user": "app", "password": "$var:f/folder/db_password", "dbname": "app", "sslmode": "disable"}),
        description: "Main application database".into(),
        created_by: "alice".into(),
        edited_at: ts(2, 10),
    });
    ws.resources.insert(
        "u/alice/slack".into(),
        Resource {
            path: "u/alice/slack".into(),
            resource_type: "slack".into(),
            value: json!({"token": "$var:u/alice/slack_token"}),
            description: "Alice's Slack bot".into(),
            created_by: "alice".into(),
            edited_at: ts(2, 11),
        },
    );
    let var = |path: &str, value: &str, secret: bool, description: &str| Variable {
        path: path.into(),
        value: value.into(),
        is_secret: secret,
        description: description.into(),
        account: None,
        is_oauth: false,
        expires_at: None,
        edited_by: "alice".into(),
        edited_at: ts(2, 12),
    };
    for v in [
        var(
            "f/folder/api_url",
            "https://api.example.com",
            false,
            "Base URL of the example API",
        ),
        var(
            "f/folder/db_password",
            "s3cr3t-pa55",
            true,
            "Password of the app database",
        ),
        var(
            "u/alice/slack_token",
            "xoxb-0000-fake",
            true,
            "Slack bot token",
        ),
    ] {
        ws.variables.insert(v.path.clone(), v);
    }
    ws.schedules.insert(
        "f/folder/nightly_my_script".into(),
        Schedule {
            path: "f/folder/nightly_my_script".into(),
            schedule: "0 0 2 * * *".into(),
            timezone: "Europe/Paris".into(),
            script_path: "f/folder/my_script".into(),
            is_flow: false,
            args: json!({"a": 1, "b": 2}),
            enabled: true,
            summary: Some("Nightly run of my_script".into()),
            description: None,
            edited_by: "alice".into(),
            email: "alice@example.com".into(),
            edited_at: ts(8, 9),
        },
    );
    ws.schedules.insert(
        "f/folder/hourly_flow".into(),
        Schedule {
            path: "f/folder/hourly_flow".into(),
            schedule: "0 0 * * * *".into(),
            timezone: "UTC".into(),
            script_path: "f/folder/my_flow".into(),
            is_flow: true,
            args: json!({"x": "tick"}),
            enabled: false,
            summary: None,
            description: Some("Runs my_flow every hour (disabled)".into()),
            edited_by: "alice".into(),
            email: "alice@example.com".into(),
            edited_at: ts(8, 10),
        },
    );
    let alice = Authed {
        username: "alice".into(),
        email: "alice@example.com".into(),
    };
    let mut j1 = Run {
        id: JOB_DEMO_SUCCESS.into(),
        kind: "script",
        script_path: Some("f/folder/my_script".into()),
        script_hash: Some(HASH_MY_SCRIPT.into()),
        args: json!({"a": 1, "b": 2}),
        language: Some("python3".into()),
        raw_code: None,
        tag: "python3".into(),
    }
    .job(
        &alice,
        simulate(
            JOB_DEMO_SUCCESS,
            Some("f/folder/my_script"),
            "python3",
            None,
            &json!({"a": 1, "b": 2}),
            false,
        ),
        0,
    );
    j1.created_at = ts(9, 2);
    j1.started_at = Some(ts(9, 2));
    j1.completed_at = Some("2026-06-09T02:00:01.250Z".into());
    j1.scheduled_for = ts(9, 2);
    j1.duration_ms = 1250;
    j1.schedule_path = Some("f/folder/nightly_my_script".into());
    let mut j2 = Run {
        id: JOB_DEMO_FAILURE.into(),
        kind: "script",
        script_path: Some("f/folder/always_fail".into()),
        script_hash: Some(HASH_ALWAYS_FAIL.into()),
        args: json!({}),
        language: Some("bash".into()),
        raw_code: None,
        tag: "bash".into(),
    }
    .job(
        &alice,
        simulate(
            JOB_DEMO_FAILURE,
            Some("f/folder/always_fail"),
            "bash",
            None,
            &json!({}),
            false,
        ),
        0,
    );
    j2.created_at = ts(9, 3);
    j2.started_at = Some(ts(9, 3));
    j2.completed_at = Some("2026-06-09T03:00:00.300Z".into());
    j2.scheduled_for = ts(9, 3);
    j2.duration_ms = 300;
    let mut j3 = Run {
        id: JOB_DEMO_QUEUED.into(),
        kind: "script",
        script_path: Some("u/admin/hello".into()),
        script_hash: Some(HASH_HELLO.into()),
        args: json!({"name": "later"}),
        language: Some("bun".into()),
        raw_code: None,
        tag: "bun".into(),
    }
    .job(
        &alice,
        simulate(
            JOB_DEMO_QUEUED,
            Some("u/admin/hello"),
            "bun",
            None,
            &json!({"name": "later"}),
            false,
        ),
        u32::MAX,
    );
    j3.created_at = ts(9, 4);
    j3.scheduled_for = "2099-01-01T00:00:00.000Z".into();
    ws.jobs = vec![j1, j2, j3];
    ws
}

/// Workspace `other` (bob): scripts `f/ops/cleanup` (bash), `u/bob/report` (python3);
/// flow `f/ops/deploy_flow`; resource `f/ops/s3_bucket` (s3); variable `f/ops/region`;
/// schedule `f/ops/daily_cleanup`; job `JOB_OTHER_SUCCESS`.
fn seed_other() -> Workspace {
    let mut ws = Workspace::new(WS_OTHER);
    ws.scripts.push(
        SeedScript {
            path: "f/ops/cleanup",
            hash: HASH_OTHER_CLEANUP,
            language: "bash",
            summary: "Cleanup",
            description: "Removes temporary files",
            content: "dir=\"$1\"\necho \"cleaning $dir\"\n",
            schema: obj_schema(json!({"dir": {"type": "string", "default": "/tmp"}}), &[]),
            created_by: "bob",
            created_at: ts(3, 9),
        }
        .script(),
    );
    ws.scripts.push(
        SeedScript {
            path: "u/bob/report",
            hash: HASH_OTHER_REPORT,
            language: "python3",
            summary: "Weekly report",
            description: "Builds the weekly report",
            content: "def main(week: int):\n    return {\"week\": week}\n",
            schema: obj_schema(json!({"week": {"type": "integer"}}), &["week"]),
            created_by: "bob",
            created_at: ts(4, 9),
        }
        .script(),
    );
    ws.flows.insert(
        "f/ops/deploy_flow".into(),
        Flow {
            path: "f/ops/deploy_flow".into(),
            summary: "Deploy".into(),
            description: "Deploys the app".into(),
            value: json!({"modules": [{
                "id": "a",
                "value": {
                    "type": "script",
                    "path": "f/ops/cleanup",
                    "input_transforms": {"dir": {"type": "static", "value": "/srv/tmp"}}
                }
            }]}),
            schema: Some(obj_schema(
                json!({"env": {"type": "string", "enum": ["staging", "prod"]}}),
                &["env"],
            )),
            edited_by: "bob".into(),
            edited_at: ts(5, 9),
            archived: false,
            starred: false,
            tag: None,
            version_id: 201,
            visible_to: None,
        },
    );
    ws.resources.insert(
        "f/ops/s3_bucket".into(),
        Resource {
            path: "f/ops/s3_bucket".into(),
            resource_type: "s3".into(),
            value: json!({"bucket": "ops-artifacts", "region": "eu-west-1"}),
            description: "Artifacts bucket".into(),
            created_by: "bob".into(),
            edited_at: ts(5, 10),
        },
    );
    ws.variables.insert(
        "f/ops/region".into(),
        Variable {
            path: "f/ops/region".into(),
            value: "eu-west-1".into(),
            is_secret: false,
            description: "Default region".into(),
            account: None,
            is_oauth: false,
            expires_at: None,
            edited_by: "bob".into(),
            edited_at: ts(5, 11),
        },
    );
    ws.schedules.insert(
        "f/ops/daily_cleanup".into(),
        Schedule {
            path: "f/ops/daily_cleanup".into(),
            schedule: "0 30 3 * * *".into(),
            timezone: "UTC".into(),
            script_path: "f/ops/cleanup".into(),
            is_flow: false,
            args: json!({"dir": "/tmp"}),
            enabled: true,
            summary: Some("Daily cleanup".into()),
            description: None,
            edited_by: "bob".into(),
            email: "bob@example.com".into(),
            edited_at: ts(5, 12),
        },
    );
    let bob = Authed {
        username: "bob".into(),
        email: "bob@example.com".into(),
    };
    let mut j = Run {
        id: JOB_OTHER_SUCCESS.into(),
        kind: "script",
        script_path: Some("f/ops/cleanup".into()),
        script_hash: Some(HASH_OTHER_CLEANUP.into()),
        args: json!({"dir": "/tmp"}),
        language: Some("bash".into()),
        raw_code: None,
        tag: "bash".into(),
    }
    .job(
        &bob,
        simulate(
            JOB_OTHER_SUCCESS,
            Some("f/ops/cleanup"),
            "bash",
            None,
            &json!({"dir": "/tmp"}),
            false,
        ),
        0,
    );
    j.created_at = ts(9, 3);
    j.started_at = Some(ts(9, 3));
    j.completed_at = Some("2026-06-09T03:30:00.100Z".into());
    j.scheduled_for = ts(9, 3);
    j.schedule_path = Some("f/ops/daily_cleanup".into());
    ws.jobs.push(j);
    ws
}

fn seed_workers() -> Vec<Worker> {
    vec![
        Worker {
            worker: WORKER_NAME.into(),
            worker_instance: "wk-default-1a2b3".into(),
            worker_group: "default".into(),
            ip: "10.0.0.11".into(),
            jobs_executed: 1234,
            custom_tags: vec![],
            started_at: ts(1, 0),
            wm_version: "v1.743.0".into(),
        },
        Worker {
            worker: "wk-native-9z8y7-fghij".into(),
            worker_instance: "wk-native-9z8y7".into(),
            worker_group: "native".into(),
            ip: "10.0.0.12".into(),
            jobs_executed: 56,
            custom_tags: vec!["nativets".into(), "postgresql".into()],
            started_at: ts(1, 0),
            wm_version: "v1.743.0".into(),
        },
    ]
}

/// Docs pages (searchDocs / readDocsPage).
fn seed_docs() -> Vec<DocPage> {
    vec![
        DocPage {
            url: "https://www.windmill.dev/docs/core_concepts/variables_and_secrets".into(),
            title: "Variables and secrets".into(),
            text: "# Variables and secrets\n\nVariables are dynamic values with a key, stored in the workspace.\n\n## Secrets\n\nSecrets are encrypted variables. Their value is only shown to those who can read them, and every read is audited.\n\n## Contextual variables\n\nContextual variables such as WM_WORKSPACE are set by the worker for every job.\n".into(),
        },
        DocPage {
            url: "https://www.windmill.dev/docs/core_concepts/scheduling".into(),
            title: "Schedules".into(),
            text: "# Schedules\n\nSchedules run a script or a flow periodically.\n\n## Cron syntax\n\nWindmill uses 6-field cron expressions: seconds come first, e.g. `0 0 2 * * *` runs every day at 2am.\n\n## Error handlers\n\nA schedule can call an error handler after a number of failed runs.\n".into(),
        },
        DocPage {
            url: "https://www.windmill.dev/docs/getting_started/scripts_quickstart/python".into(),
            title: "Python quickstart".into(),
            text: "# Python quickstart\n\nA Python script exports a `main` function; its parameters become the script's arguments.\n\n## Resources\n\nType a parameter with a resource type to receive a resource such as a postgresql database.\n\n## Retries\n\nFlows can retry a failing step with a constant or exponential backoff.\n".into(),
        },
    ]
}
