//! A large workspace: thousands of scripts and flows (workspace tools, benchmarks).

use serde_json::{json, Value};

use crate::seed::{obj_schema, ts, SeedScript};
use crate::state::{FakeState, FakeToken, Flow, Resource, Workspace};

/// The large workspace's id.
pub const WS_BIG: &str = "big";
/// User `ana`, member of `big`: sees every item.
pub const TOKEN_BIG_ANA: &str = "tok-big-ana";
/// User `ben`, member of `big`: does not see the items only `ana` may see.
pub const TOKEN_BIG_BEN: &str = "tok-big-ben";

/// Scripts of the large workspace with a fixed role (the rest are numbered).
pub const BIG_AMBIGUOUS_A: &str = "f/a/_x";
pub const BIG_AMBIGUOUS_B: &str = "f/a_/x";
pub const BIG_RICH: &str = "f/team_data/rich_args";
pub const BIG_FAILING: &str = "f/team_data/always_fail";
pub const BIG_ANA_ONLY: &str = "u/ana/private_report";
pub const BIG_FLOW: &str = "f/flows/nightly_sync";

/// A path of exactly 100 characters.
pub fn big_long_path() -> String {
    let head = "f/long_folder_name/";
    format!("{head}{}", "n".repeat(100 - head.len()))
}

/// The argument schema of [`BIG_RICH`]: order differs from key order, a resource, an S3 object,
/// nested objects, arrays, enums, a `oneOf`, a property name clients reject, UI-only keys.
pub fn big_rich_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "order": ["target", "db", "file", "options", "tags", "mode", "choice", "bad key"],
        "properties": {
            "bad key": {"type": "string", "description": "a key with a space"},
            "choice": {"type": "object", "oneOf": [
                {"type": "object", "title": "ById", "properties": {"label": {"type": "string", "enum": ["ById"]}, "id": {"type": "integer"}}},
                {"type": "object", "title": "ByName", "properties": {"label": {"type": "string", "enum": ["ByName"]}, "name": {"type": "string"}}}
            ]},
            "db": {"type": "object", "format": "resource-postgresql", "description": "Database to write to"},
            "file": {"type": "object", "format": "resource-s3_object", "description": "Input file"},
            "mode": {"type": "string", "enum": ["fast", "safe"], "enumLabels": {"fast": "Fast"}, "default": "safe", "description": ""},
            "options": {"type": "object", "description": "Nested options", "properties": {
                "retries": {"type": "integer", "default": 3},
                "window": {"type": "object", "properties": {"from": {"type": "string", "format": "date-time"}, "to": {"type": "string", "format": "date-time"}}}
            }, "required": ["retries"]},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Étiquettes — 日本語"},
            "target": {"type": "string", "description": "Zielsystem für den Export ☕", "placeholder": "erp", "customErrorMessage": "x"}
        },
        "required": ["target", "db", "bad key"]
    })
}

/// Adds workspace `big` with `n_scripts` scripts and `n_flows` flows, tokens for `ana` and `ben`,
/// and two postgresql resources. Every 7th numbered item is visible to `ana` only.
pub fn add_big_workspace(st: &mut FakeState, n_scripts: usize, n_flows: usize) {
    st.tokens
        .insert(TOKEN_BIG_ANA.into(), FakeToken::member("ana", &[WS_BIG]));
    st.tokens
        .insert(TOKEN_BIG_BEN.into(), FakeToken::member("ben", &[WS_BIG]));
    let mut ws = Workspace::new(WS_BIG);
    let simple = |i: usize| {
        obj_schema(
            json!({
                "name": {"type": "string", "description": format!("Name for run {i}")},
                "count": {"type": "integer", "default": 1},
                "dry_run": {"type": "boolean"}
            }),
            &["name"],
        )
    };
    let push =
        |ws: &mut Workspace, path: String, schema: Value, desc: &str, visible: Option<&str>| {
            let n = ws.scripts.len();
            let mut s = SeedScript {
                path: &path,
                hash: &format!("{:016x}", 0xb16_0000_0000u64 + n as u64),
                language: if n.is_multiple_of(3) {
                    "python3"
                } else {
                    "bun"
                },
                summary: &format!("Script {n}"),
                description: desc,
                content: "export async function main() {}",
                schema,
                created_by: "ana",
                created_at: ts(1 + (n % 28) as u32, (n % 24) as u32),
            }
            .script();
            s.visible_to = visible.map(|u| vec![u.to_string()]);
            ws.scripts.push(s);
        };
    push(
        &mut ws,
        BIG_AMBIGUOUS_A.into(),
        simple(0),
        "underscore after the slash",
        None,
    );
    push(
        &mut ws,
        BIG_AMBIGUOUS_B.into(),
        simple(1),
        "underscore before the slash",
        None,
    );
    push(
        &mut ws,
        big_long_path(),
        simple(2),
        "a path of 100 characters",
        None,
    );
    push(
        &mut ws,
        BIG_RICH.into(),
        big_rich_schema(),
        "Exportiert Daten — résumé, naïve, 日本語 ✓",
        None,
    );
    push(
        &mut ws,
        BIG_FAILING.into(),
        simple(4),
        "always exits with 3",
        None,
    );
    push(
        &mut ws,
        BIG_ANA_ONLY.into(),
        simple(5),
        "only ana sees this",
        Some("ana"),
    );
    let fixed = ws.scripts.len();
    for i in fixed..n_scripts.max(fixed) {
        let path = match i % 4 {
            0 => format!("f/team_{}/job_{i}", i % 37),
            1 => format!("u/ana/task{i}"),
            2 => format!("f/ops/sub_{}/step_{i}", i % 13),
            _ => format!("f/misc/s{i}"),
        };
        let visible = (i % 7 == 3).then_some("ana");
        push(&mut ws, path, simple(i), "", visible);
    }
    // A draft-only kind and an archived version are left out by the lister.
    let mut trig = SeedScript {
        path: "f/team_data/on_webhook",
        hash: "0000000000b16fff",
        language: "bun",
        summary: "A trigger script",
        description: "",
        content: "export async function main() {}",
        schema: simple(0),
        created_by: "ana",
        created_at: ts(2, 2),
    }
    .script();
    trig.kind = "trigger".into();
    ws.scripts.push(trig);
    for i in 0..n_flows {
        let path = if i == 0 {
            BIG_FLOW.to_string()
        } else {
            format!("f/flows_{}/flow_{i}", i % 11)
        };
        ws.flows.insert(
            path.clone(),
            Flow {
                path,
                summary: format!("Flow {i}"),
                description: if i == 0 { "Synchronise la nuit — ☾".into() } else { String::new() },
                value: json!({"modules": []}),
                schema: Some(obj_schema(
                    json!({"since": {"type": "string", "format": "date"}, "limit": {"type": "integer"}}),
                    &["since"],
                )),
                edited_by: "ana".into(),
                edited_at: ts(1 + (i % 28) as u32, (i % 24) as u32),
                archived: false,
                starred: i % 50 == 0,
                tag: None,
                version_id: 1000 + i as i64,
                visible_to: (i % 7 == 3).then(|| vec!["ana".to_string()]),
            },
        );
    }
    for (path, value) in [("f/db/main", "main"), ("u/ana/dev_db", "dev")] {
        ws.resources.insert(
            path.into(),
            Resource {
                path: path.into(),
                resource_type: "postgresql".into(),
                value: json!({"host": value}),
                description: String::new(),
                created_by: "ana".into(),
                edited_at: ts(1, 1),
            },
        );
    }
    st.workspaces.insert(WS_BIG.into(), ws);
}
