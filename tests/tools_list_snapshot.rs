//! Golden snapshot of the curated `tools/list` of the default spec (Windmill v1.743.0), so that every
//! change to names, schemas, descriptions or hints shows as a diff.

use windmill_mcp::generated;
use windmill_mcp::registry::{Selection, REGISTRY};

#[test]
fn curated_tools_list_of_the_default_spec() {
    if generated::SPEC_VERSION != "1.743.0" {
        eprintln!(
            "built against {} {}: the snapshot is for 1.743.0",
            generated::SPEC_TITLE,
            generated::SPEC_VERSION
        );
        return;
    }
    let tools: Vec<&rmcp::model::Tool> = REGISTRY
        .select(&Selection::Curated)
        .map(|e| &e.tool)
        .collect();
    assert_eq!(tools.len(), 38);
    insta::assert_json_snapshot!("curated_tools_list", serde_json::json!({ "tools": tools }));
}
