#!/usr/bin/env bash
# The tool catalog in a real browser: installs Debian's Chromium and playwright-core (pinned, into
# ~/.cache/windmill-mcp/browser-tools/, kept across clones; CATALOG_BROWSER_TOOLS=DIR to put it
# elsewhere), then runs the ignored test tests/catalog_browser.rs, which serves the catalog, writes
# the static site and drives headless Chromium over both.
#
# Cost on a machine without them (measured on the 2-core CI machine, see docs/catalog.md):
# chromium with --no-install-recommends is 25 packages, 124 MB (apt-get update 4 s, download 12 s,
# unpack 18 s, then dpkg's setup: ~40 s in all); playwright-core is one npm package, 14 MB (~11 s).
# Both are skipped once there; the test itself takes ~45 s.
#
#   scripts/catalog-browser.sh     # from the repository root or anywhere
#
# Idempotent: each install step is skipped when what it installs is there. Screenshots and the
# report go to target/catalog-browser/.
set -euo pipefail

PLAYWRIGHT_VERSION=1.65.1               # playwright-core (npm); drives /usr/bin/chromium, downloads nothing

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${CATALOG_BROWSER_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/windmill-mcp/browser-tools}
log() { printf '[catalog-browser] %s\n' "$*" >&2; }

# ---- Chromium, from Debian's packages -----------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium"
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
CHROMIUM=$(command -v chromium)
log "$("$CHROMIUM" --version 2>/dev/null || echo chromium)"

# ---- playwright-core, without its browser download ----------------------------------------------
command -v node >/dev/null 2>&1 || { log "error: node is needed"; exit 2; }
STAMP="playwright-core@$PLAYWRIGHT_VERSION"
if [[ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$STAMP" ]]; then
  log "installing $STAMP into $TOOLS"
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  printf '{"name":"windmill-mcp-browser-tools","private":true}\n' >"$TOOLS/package.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "playwright-core@$PLAYWRIGHT_VERSION" >&2
  echo "$STAMP" >"$TOOLS/.stamp"
fi

# ---- the test ---------------------------------------------------------------------------------------
cd "$ROOT"
CHROMIUM="$CHROMIUM" CATALOG_PLAYWRIGHT="$TOOLS/node_modules/playwright-core" \
  cargo test --test catalog_browser -- --ignored --nocapture
