//! Generates the endpoint tools from the Windmill OpenAPI document named by `WINDMILL_OPENAPI`
//! (default in `.cargo/config.toml`), and the code of the fixture specs the tests compile. All logic
//! lives in the `windmill-mcp-emit` crate (`build::run`); see `docs/generator.md`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=WINDMILL_OPENAPI");
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| PathBuf::from(std::env::var_os(name).unwrap_or_default());
    let spec = std::env::var_os("WINDMILL_OPENAPI").map_or_else(
        || PathBuf::from("../shared/windmill-openapi/v1.795.0/backend/windmill-api/openapi.yaml"),
        PathBuf::from,
    );
    match windmill_mcp_emit::build::run(&spec, &var("CARGO_MANIFEST_DIR"), &var("OUT_DIR")) {
        Ok(lines) => lines.iter().for_each(|line| println!("{line}")),
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}
