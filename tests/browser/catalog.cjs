// Drives headless Chromium (Debian's, through playwright-core) over the tool catalog, for
// tests/catalog_browser.rs, which starts the server, writes the static site, and checks what this
// script reports. Run by scripts/catalog-browser.sh; not on its own.
//
//   node tests/browser/catalog.cjs CONFIG.json   → one JSON report on stdout
//
// CONFIG: {playwright, chromium, targets: [{label, url}], queries: [..], search: {query, expect},
//          tool: {name, enumValue, nestedArg}, diff: {url, tool}, screenshots: DIR}
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const { chromium } = require(config.playwright);
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const reports = [];
  let diff = null;
  try {
    for (const target of config.targets) reports.push(await check(browser, target, config));
    if (config.diff) diff = await checkDiff(browser, config);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ reports, diff }) + "\n");
}

// The `spec diff --html` page: no console errors, its links into both catalogs, and a link that
// opens the new catalog on the tool it names.
async function checkDiff(browser, config) {
  const report = { consoleErrors: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") report.consoleErrors.push(m.type() + ": " + m.text()); });
  page.on("pageerror", (e) => report.consoleErrors.push("pageerror: " + e.message));
  await page.goto(config.diff.url, { waitUntil: "load" });
  report.linksOld = await page.locator('a[href^="old/index.html#tool/"]').count();
  report.linksNew = await page.locator('a[href^="new/index.html#tool/"]').count();
  report.breakingRows = await page.locator("tr.breaking").count();
  report.overflow1280 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const shot = path.join(config.screenshots, "diff-1280.png");
  await page.screenshot({ path: shot });
  report.screenshots = [shot];
  const link = page.locator('a[href="new/index.html#tool/' + encodeURIComponent(config.diff.tool) + '"]').first();
  await link.click();
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  await page.waitForFunction((n) => (document.getElementById("tool-name") || {}).textContent === n, config.diff.tool, { timeout: 5000 }).catch(() => {});
  report.linkOpens = await page.evaluate(() => (document.getElementById("tool-name") || {}).textContent || null);
  await context.close();
  return report;
}

// Time to the first render of a fresh load (new context, nothing cached): what the page records
// when it has decompressed its index and listed every tool, and Chromium's first contentful paint,
// in ms since navigation start.
async function firstRender(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  const t = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { readyMs: window.catalog.readyAt, fcpMs: fcp ? fcp.startTime : null };
  });
  await context.close();
  return t;
}

async function check(browser, target, config) {
  const report = { label: target.label, url: target.url, consoleErrors: [], requests: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") report.consoleErrors.push(m.type() + ": " + m.text()); });
  page.on("pageerror", (e) => report.consoleErrors.push("pageerror: " + e.message));
  page.on("requestfailed", (r) => report.consoleErrors.push("requestfailed: " + r.url() + " " + (r.failure() || {}).errorText));
  page.on("request", (r) => { if (!r.url().startsWith("data:")) report.requests.push(r.url()); });

  // First render: from navigation start to the list of tools on screen.
  await page.goto(target.url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
  // When the page had decompressed its data, listed every tool and shown the tool in the URL, in
  // ms since navigation start (the page records it; measured here it would include this script's
  // own round trips).
  report.readyMs = await page.evaluate(() => window.catalog.readyAt);
  report.phases = await page.evaluate(() => window.catalog.phases);
  report.timings = [];
  for (let i = 0; i < 3; i++) report.timings.push(await firstRender(browser, target.url));
  report.firstContentfulPaintMs = await page.evaluate(() => {
    const e = performance.getEntriesByName("first-contentful-paint")[0];
    return e ? e.startTime : null;
  });
  report.toolsInData = await page.evaluate(() => window.catalog.tools);
  report.toolsListed = await page.locator("#tools li").count();
  report.countText = await page.locator("#count").textContent();

  // The search box, typed as a person types, and the ranking compared with Rust's (by the caller).
  await page.keyboard.press("/");
  report.slashFocusesSearch = await page.evaluate(() => document.activeElement && document.activeElement.id === "q");
  await page.keyboard.type(config.search.query);
  await page.waitForFunction((q) => document.getElementById("count").textContent.includes("match"), config.search.query);
  report.searchTop = await page.$$eval("#tools li a", (as) => as.slice(0, 10).map((a) => a.dataset.name));
  report.rankings = await page.evaluate((qs) => qs.map((q) => window.catalog.search(q)), config.queries);

  // Keyboard: from the search box, Tab through the three filters to the first tool, Enter opens it.
  for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
  report.tabReachesTool = await page.evaluate(() => document.activeElement && document.activeElement.dataset.name || null);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => (document.getElementById("tool-name") || {}).textContent === n, report.tabReachesTool, { timeout: 5000 }).catch(() => {});
  report.enterOpensTool = await page.evaluate(() => (document.getElementById("tool-name") || {}).textContent || null);
  fs.mkdirSync(config.screenshots, { recursive: true });
  const searchShot = path.join(config.screenshots, target.label + "-1280-search.png");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: searchShot });

  // A tool page: an enum and a nested object of its input schema.
  await page.locator("#q").fill("");
  await page.evaluate((n) => { location.hash = "#tool/" + encodeURIComponent(n); }, config.tool.name);
  await page.waitForFunction((n) => (document.getElementById("tool-name") || {}).textContent === n, config.tool.name);
  const table = page.locator("table.schema").first();
  report.toolEnumShown = await table.locator(".enum code", { hasText: JSON.stringify(config.tool.enumValue) }).count() > 0;
  report.toolNestedShown = await table.locator("tr.nested td.arg code", { hasText: config.tool.nestedArg }).count() > 0;
  report.toolNestedDepth = await table.locator("tr.nested").count();
  report.exampleShown = (await page.locator("#example").textContent()).includes("\"tools/call\"");
  fs.mkdirSync(config.screenshots, { recursive: true });
  const shot = path.join(config.screenshots, target.label + "-1280.png");
  await page.screenshot({ path: shot });
  report.screenshots = [searchShot, shot];
  report.overflow1280 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  // Phone width: one column, no sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => { location.hash = ""; });
  await page.waitForTimeout(100);
  report.overflowPhoneList = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const phoneList = path.join(config.screenshots, target.label + "-390-list.png");
  await page.screenshot({ path: phoneList });
  await page.evaluate((n) => { location.hash = "#tool/" + encodeURIComponent(n); }, config.tool.name);
  await page.waitForFunction((n) => (document.getElementById("tool-name") || {}).textContent === n, config.tool.name);
  report.overflowPhoneTool = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const phoneTool = path.join(config.screenshots, target.label + "-390-tool.png");
  await page.screenshot({ path: phoneTool });
  report.screenshots.push(phoneList, phoneTool);

  // The summary opens and holds the per-mode table.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("#summary > summary").click();
  report.summaryRows = await page.locator("#summary-body table tbody tr").count();
  await context.close();
  return report;
}

main().catch((e) => {
  process.stderr.write("catalog browser check failed: " + (e && e.stack || e) + "\n");
  process.exit(2);
});
