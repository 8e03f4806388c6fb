//! Golden test of `windmill-mcp spec diff` between two vendored Windmill releases.

use std::collections::BTreeSet;
use std::path::PathBuf;

use windmill_mcp_codegen::diff::{diff, ApiDiff, ChangeKind};
use windmill_mcp_codegen::{ir::Api, read_api};

fn api(version: &str) -> Api {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/windmill-openapi")
        .join(version)
        .join("backend/windmill-api/openapi.yaml");
    match read_api(&path) {
        Ok((api, _)) => api,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn names(api: &Api) -> BTreeSet<&str> {
    api.operations.iter().map(|o| o.name.as_str()).collect()
}

#[test]
fn diff_v1_520_1_to_v1_743_0() {
    let old = api("v1.520.1");
    let new = api("v1.743.0");
    let d = diff(&old, &new);
    assert_eq!(old.operations.len(), 500);
    assert_eq!(new.operations.len(), 745);

    // Added and removed tools are exactly the differences of the two name sets.
    let (o, n) = (names(&old), names(&new));
    let added: BTreeSet<&str> = d.added.iter().map(|t| t.name.as_str()).collect();
    let removed: BTreeSet<&str> = d.removed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(added, n.difference(&o).copied().collect());
    assert_eq!(removed, o.difference(&n).copied().collect());
    assert_eq!(d.summary.added, added.len());
    assert_eq!(d.summary.removed, removed.len());
    assert_eq!(
        d.summary.new_tools - d.summary.added,
        d.summary.old_tools - d.summary.removed,
        "tools in both versions"
    );
    assert_eq!((d.summary.old_curated, d.summary.new_curated), (22, 38));
    assert_eq!(
        d.summary.new_curated,
        d.summary.old_curated + d.summary.curated_added - d.summary.curated_removed
    );

    // Known changes between the two releases.
    let change = |tool: &str, kind: ChangeKind, arg: Option<&str>| {
        d.changed
            .iter()
            .find(|t| t.name == tool)
            .and_then(|t| {
                t.changes
                    .iter()
                    .find(|c| c.kind == kind && c.argument.as_deref() == arg)
            })
            .cloned()
            .unwrap_or_else(|| panic!("no {kind:?} of {tool} {arg:?}"))
    };
    let c = change("getFlowVersion", ChangeKind::PathChanged, None);
    assert!(c.breaking);
    assert_eq!(
        c.detail,
        "/w/{workspace}/flows/get/v/{version}/p/{path} → /w/{workspace}/flows/get/v/{version}"
    );
    assert!(change("getFlowVersion", ChangeKind::ArgumentRemoved, Some("path")).breaking);
    assert!(
        change(
            "createAccount",
            ChangeKind::BecameRequired,
            Some("refresh_token")
        )
        .breaking
    );
    assert!(
        change(
            "createKafkaTrigger",
            ChangeKind::ArgumentAdded,
            Some("filters")
        )
        .breaking
    );
    assert!(
        !change(
            "getFlowByPath",
            ChangeKind::ArgumentAdded,
            Some("get_draft")
        )
        .breaking
    );
    assert!(!change("addGranularAcls", ChangeKind::EnumValuesAdded, Some("kind")).breaking);
    assert!(
        !change(
            "createSchedule",
            ChangeKind::TypeChanged,
            Some("description")
        )
        .breaking
    );
    assert!(!change("getJob", ChangeKind::OutputSchemaChanged, None).breaking);
    assert!(removed.contains("setKafkaTriggerEnabled"));
    assert!(d.curated.added.iter().any(|n| n == "runScriptByPath"));
    assert!(d.curated.removed.is_empty());
    assert_eq!(
        d.summary.breaking_tools,
        d.changed.iter().filter(|t| t.breaking).count()
    );

    // The JSON form reads back to the same diff.
    let back: ApiDiff = serde_json::from_str(&d.to_json()).expect("the JSON diff parses");
    assert_eq!(back, d);

    insta::assert_snapshot!("diff_v1_520_1_to_v1_743_0_table", d.to_table());
    insta::assert_snapshot!("diff_v1_520_1_to_v1_743_0_json", d.to_json());
}

#[test]
fn diff_of_a_spec_with_itself_is_empty() {
    let a = api("v1.520.1");
    let d = diff(&a, &a);
    assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
    assert!(d.curated.added.is_empty() && d.curated.removed.is_empty());
}
