#!/usr/bin/env python3
"""FastMCP's OpenAPI integration in front of a Windmill, for `benches/compare.rs`.

Run by `scripts/bench-fastmcp.sh` (through `cargo bench --bench compare`) with the venv's python:

    python scripts/fastmcp_server.py --spec target/bench/windmill-v1.743.0.json \
        --base-url http://127.0.0.1:PORT --token tok-alice --port 9000

It builds the server the way FastMCP documents it, `FastMCP.from_openapi` with an `httpx.AsyncClient`
(default route maps: every operation becomes a tool), and serves it over Streamable HTTP at
`http://127.0.0.1:<port>/mcp`. The spec must be one self-contained JSON file (`windmill-mcp spec
bundle`). Its `servers` entry (`/api`) is relative, so the client's `base_url` (`<base-url>/api`)
decides where requests go. The Windmill token is a fixed `Authorization` header of that client.
"""

import argparse
import json
import sys

import httpx
from fastmcp import FastMCP


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", required=True, help="bundled OpenAPI document (JSON)")
    p.add_argument("--base-url", required=True, help="Windmill URL, without /api")
    p.add_argument("--token", required=True, help="Windmill token sent on every request")
    p.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    p.add_argument("--host", default="127.0.0.1")
    args = p.parse_args()

    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)

    client = httpx.AsyncClient(
        base_url=args.base_url.rstrip("/") + "/api",
        headers={"Authorization": f"Bearer {args.token}"},
        # FastMCP's own default when it makes the client from the spec's `servers`.
        timeout=30.0,
    )
    mcp = FastMCP.from_openapi(openapi_spec=spec, client=client, name="windmill-fastmcp")
    mcp.run(
        transport="http",
        host=args.host,
        port=args.port,
        path="/mcp",
        log_level="warning",
        show_banner=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
