//! Arbitrary bytes as a spec document (YAML or JSON) through loading, `$ref` bundling, lowering and
//! emitting. Bytes after the first NUL are a second file, `other.yaml`, the root can refer to.
//! Errors are fine; a panic is a bug. Checks: `windmill_mcp_fuzz::spec_load`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (root, other) = windmill_mcp_fuzz::split_spec_input(data);
    windmill_mcp_fuzz::spec_load(root, other);
});
