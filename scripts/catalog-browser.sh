#!/usr/bin/env bash
# The tool catalog in a real browser: installs Debian's Chromium and playwright-core (pinned, into
# target/browser-tools/), then runs the ignored test tests/catalog_browser.rs, which serves the
# catalog, writes the static site and drives headless Chromium over both.
#
#   scripts/catalog-browser.sh     # from the repository root or anywhere
#
# Idempotent: each install step is skipped when what it installs is there. Screenshots and the
# report go to target/catalog-browser/.
set -euo pipefail

PLAYWRIGHT_VERSION=1.65.1               # playwright-core (npm); drives /usr/bin/chromium, downloads nothing

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TOOLS=$TARGET/browser-tools
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
