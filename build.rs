//! Generates the endpoint tools from the Windmill OpenAPI document named by `WINDMILL_OPENAPI`
//! (default in `.cargo/config.toml`). All logic lives in the `windmill-mcp-codegen` crate.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=WINDMILL_OPENAPI");
    println!("cargo:rerun-if-changed=build.rs");
    let spec = PathBuf::from(std::env::var_os("WINDMILL_OPENAPI").unwrap_or_else(|| {
        "../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml".into()
    }));
    let generated = match windmill_mcp_codegen::generate(&spec) {
        Ok(g) => g,
        Err(errors) => {
            eprintln!(
                "error: cannot generate tools from {}\n{errors}",
                spec.display()
            );
            std::process::exit(1);
        }
    };
    for file in &generated.files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    // `#[cfg(windmill_spec = "1.743.0")]`: tests whose expectations hold for one Windmill version.
    println!("cargo:rustc-check-cfg=cfg(windmill_spec, values(any()))");
    println!("cargo:rustc-cfg=windmill_spec={:?}", generated.api.version);
    for line in windmill_mcp_codegen::degradation_summary(&generated.api) {
        println!("cargo:warning={line}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("endpoints.rs");
    if let Err(e) = std::fs::write(&out, generated.code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("cargo:rustc-env=WINDMILL_OPENAPI_USED={}", spec.display());
}
