//! A team's own scripts and flows, as a team writes them (devops, billing, data, HR, support,
//! notifications, marketing, security, sales, inventory), for the search evaluation and the
//! large-workspace tests: `data/realistic.json`, one item per entry with its arguments.
//!
//! [`add_realistic_items`] puts them into a workspace (usually the large one, among thousands of
//! generic items); [`realistic_items`] gives them to code that needs no Windmill (the offline search
//! evaluation), so both read the same data.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::seed::{obj_schema, ts, SeedScript};
use crate::state::{Flow, Workspace};

const DATA: &str = include_str!("../data/realistic.json");

/// One realistic script or flow.
#[derive(Debug, Clone, Deserialize)]
pub struct RealisticItem {
    /// `script` or `flow`.
    pub kind: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    /// Argument name → its description (all strings, but for names that say otherwise: see
    /// [`RealisticItem::schema`]).
    pub args: Map<String, Value>,
}

impl RealisticItem {
    /// Its argument schema: every argument required except flags; integers for counts and amounts,
    /// booleans for flags, strings for the rest.
    pub fn schema(&self) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        for (name, desc) in &self.args {
            let desc = desc.as_str().unwrap_or_default();
            let integer = ["days", "replicas", "amount", "seats", "year", "percent"]
                .iter()
                .any(|w| name.contains(w));
            let flag = name.starts_with("dry_run")
                || name.starts_with("skip_")
                || name.starts_with("full_")
                || name.starts_with("mention_");
            let ty = if flag {
                "boolean"
            } else if integer {
                "integer"
            } else {
                "string"
            };
            props.insert(name.clone(), json!({"type": ty, "description": desc}));
            if !flag {
                required.push(name.as_str());
            }
        }
        obj_schema(Value::Object(props), &required)
    }

    pub fn is_flow(&self) -> bool {
        self.kind == "flow"
    }
}

/// Every realistic item (an empty list if the data does not read, which a test of this crate
/// rules out).
pub fn realistic_items() -> Vec<RealisticItem> {
    serde_json::from_str(DATA).unwrap_or_default()
}

/// Adds the realistic items to a workspace, edited on days 1 to 28 of June 2026 in the data's
/// order (the first is the oldest).
pub fn add_realistic_items(ws: &mut Workspace) {
    for (i, item) in realistic_items().into_iter().enumerate() {
        let edited = ts(1 + (i % 28) as u32, (i % 24) as u32);
        if item.is_flow() {
            ws.flows.insert(
                item.path.clone(),
                Flow {
                    path: item.path.clone(),
                    summary: item.summary.clone(),
                    description: item.description.clone(),
                    value: json!({"modules": []}),
                    schema: Some(item.schema()),
                    edited_by: "ana".into(),
                    edited_at: edited,
                    archived: false,
                    starred: false,
                    tag: None,
                    version_id: 5000 + i as i64,
                    visible_to: None,
                },
            );
        } else {
            let script = SeedScript {
                path: &item.path,
                hash: &format!("{:016x}", 0x7ea1_0000_0000u64 + i as u64),
                language: "python3",
                summary: &item.summary,
                description: &item.description,
                content: "def main(**kwargs):\n    return kwargs\n",
                schema: item.schema(),
                created_by: "ana",
                created_at: edited,
            }
            .script();
            ws.scripts.push(script);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_reads_and_covers_the_domains() {
        let items = realistic_items();
        assert!(items.len() >= 40, "{}", items.len());
        for domain in [
            "devops",
            "billing",
            "data",
            "hr",
            "support",
            "notifications",
        ] {
            assert!(
                items
                    .iter()
                    .any(|i| i.path.starts_with(&format!("f/{domain}/"))),
                "{domain}"
            );
        }
        assert!(items.iter().any(RealisticItem::is_flow));
        let s = items[0].schema();
        assert_eq!(s["type"], "object");
    }
}
