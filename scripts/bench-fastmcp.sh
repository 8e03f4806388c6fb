#!/usr/bin/env bash
# windmill-mcp against FastMCP's OpenAPI integration (issue 8). Run by hand, not in CI:
#
#   scripts/bench-fastmcp.sh
#
# 1. a virtual environment in target/bench-venv with fastmcp pinned (PyPI);
# 2. the release binary, and with it the v1.743.0 spec bundled into one JSON file
#    (target/bench/windmill-v1.743.0.json), which FastMCP.from_openapi can read;
# 3. `cargo bench --bench compare` (benches/compare.rs), which starts the fake Windmill, both
#    servers, and prints the table.
#
# Environment: PYTHON (default python3, 3.10+), FASTMCP_VERSION (default 3.4.10), WINDMILL_SPEC
# (default ../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml), CARGO_FLAGS
# (extra cargo flags, e.g. "-j 1"), and the BENCH_* iteration counts documented in
# benches/compare.rs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
fastmcp_version="${FASTMCP_VERSION:-3.4.10}"
spec="${WINDMILL_SPEC:-../shared/windmill-openapi/v1.743.0/backend/windmill-api/openapi.yaml}"
venv="$root/target/bench-venv"
bundled="$root/target/bench/windmill-v1.743.0.json"
# shellcheck disable=SC2206 # word splitting of the extra flags is wanted
cargo_flags=(${CARGO_FLAGS:-})

if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating $venv" >&2
    "$python" -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import fastmcp; print(fastmcp.__version__)' 2>/dev/null || true)" != "$fastmcp_version" ]; then
    echo "==> installing fastmcp==$fastmcp_version" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "fastmcp==$fastmcp_version"
fi

echo "==> building the release binary" >&2
cargo build --release --bin windmill-mcp "${cargo_flags[@]}"

echo "==> bundling $spec" >&2
mkdir -p "$(dirname "$bundled")"
target/release/windmill-mcp spec bundle "$spec" "$bundled" >&2

echo "==> cargo bench --bench compare" >&2
BENCH_FASTMCP_PYTHON="$venv/bin/python" BENCH_FASTMCP_SPEC="$bundled" \
    cargo bench --bench compare "${cargo_flags[@]}"
