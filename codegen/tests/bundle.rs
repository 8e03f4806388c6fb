//! A spec bundled into one self-contained JSON file (what `windmill-mcp spec bundle` writes, and the
//! shape of what `spec pull` fetches) builds the same tools as the multi-file original.

use std::path::PathBuf;

use windmill_mcp_codegen::{diff, is_curated, load, read_api};

#[test]
fn bundled_v1_743_0_lists_the_same_tools_as_the_multi_file_original() {
    let original = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml");
    let loaded = load::load(&original).expect("the original loads");
    assert!(loaded.files.len() > 1, "the original spans several files");

    let bundled = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bundled-v1.743.0.json");
    let text = serde_json::to_string_pretty(&loaded.doc).expect("the bundle serializes");
    assert!(
        !text.contains("openapi.yaml#"),
        "no reference to another file is left"
    );
    std::fs::write(&bundled, &text).expect("the bundle is written");

    let (a, _) = read_api(&original).expect("the original lowers");
    let (b, b_loaded) = read_api(&bundled).expect("the bundle lowers");
    assert_eq!(
        b_loaded.files,
        vec![std::fs::canonicalize(&bundled).unwrap()]
    );

    assert_eq!(a.version, b.version);
    assert_eq!(a.operations.len(), 745);
    let names = |api: &windmill_mcp_codegen::ir::Api| {
        api.operations
            .iter()
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
    for (x, y) in a.operations.iter().zip(&b.operations) {
        assert_eq!(x.input_schema, y.input_schema, "input schema of {}", x.name);
        assert_eq!(
            x.output_schema, y.output_schema,
            "output schema of {}",
            x.name
        );
        assert_eq!((x.method, &x.path), (y.method, &y.path), "{}", x.name);
        assert_eq!(is_curated(&a, x), is_curated(&b, y), "{}", x.name);
        // Everything else the generator derives is the same too.
        assert_eq!(x, y, "{}", x.name);
    }
    assert_eq!(a.degradations, b.degradations);

    // And the diff between the two is empty.
    let d = diff::diff(&a, &b);
    assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
}
