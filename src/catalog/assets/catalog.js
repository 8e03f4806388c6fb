// The tool catalog of windmill-mcp: reads the data embedded in this page (gzip + base64), lists
// the tools, filters them and shows one in full. Nothing is fetched: the page works offline.
//
// The search box ranks with a copy of `search_endpoints`' ranking (src/endpoints/search.rs and
// codegen/src/search.rs), over the same index and vocabulary, in f32 arithmetic like the Rust code
// (every operation rounded with Math.fround). tests/catalog_browser.rs runs the same queries through
// both and requires the same results.
"use strict";
(function () {
  const f = Math.fround;
  const state = { data: null, tools: [], byName: new Map(), q: "", mode: "all", tag: "", hint: "", ranked: null, current: null };
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------------------------
  // DOM helpers: everything from the data goes in as text, never as HTML.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const fmt = (n) => Number(n).toLocaleString("en-US");

  // ---------------------------------------------------------------------------------------------
  // Search: the ranking of search_endpoints.
  const ALNUM = /[\p{Alphabetic}\p{N}]/u, UPPER = /\p{Uppercase}/u, LOWER = /\p{Lowercase}/u, NUM = /\p{N}/u;
  let S = null; // the search tables, prepared once

  function prepareSearch(search, tools) {
    const stop = new Set(search.stop_words);
    const phrases = search.phrases.map(([p, w]) => [p, w]);
    // Postings are decoded, and names split into terms, on first use: the first render waits for
    // neither.
    const terms = new Map(search.terms);
    S = {
      stop, phrases, terms,
      scale: f(search.scale),
      maxQueryChars: search.max_query_chars, maxQueryWords: search.max_query_words, maxWordChars: search.max_word_chars,
      nameBonus: f(search.name_bonus), exactNameBonus: f(search.exact_name_bonus),
      coverageFloor: f(search.coverage_floor), curatedPrior: f(search.curated_prior),
      defaultLimit: search.default_limit,
    };
    S.synonyms = search.synonyms.map(([w, g]) => [f(w), g.map(stem)]);
    S.decoded = new Map();
    S.nameTermsOf = [];
    S.postings = (term) => {
      let p = S.decoded.get(term);
      if (p === undefined) {
        const encoded = S.terms.get(term);
        if (encoded === undefined) return undefined;
        p = decodePostings(encoded);
        S.decoded.set(term, p);
      }
      return p;
    };
    S.nameTerms = (d) => {
      let t = S.nameTermsOf[d];
      if (t === undefined) {
        t = Array.from(new Set(termsOf(tools[d].name))).sort(byteOrder);
        S.nameTermsOf[d] = t;
      }
      return t;
    };
  }

  function byteOrder(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function digit(c) {
    if (c >= 65 && c <= 90) return c - 65;
    if (c >= 97 && c <= 122) return c - 97 + 26;
    if (c >= 48 && c <= 57) return c - 48 + 52;
    if (c === 45) return 62;
    if (c === 95) return 63;
    return -1;
  }

  // codegen::search::decode_postings: [[operation, quanta], ...], stopping at the first malformed one.
  function decodePostings(text) {
    const out = [];
    let i = 0, prev = 0;
    for (;;) {
      let delta = 0, shift = 0, ok = false;
      while (i < text.length) {
        const d = digit(text.charCodeAt(i++));
        if (d < 0 || shift > 25) return out;
        delta += (d & 31) * 2 ** shift;
        shift += 5;
        if (d < 32) { ok = true; break; }
      }
      if (!ok || i + 2 > text.length) return out;
      const hi = digit(text.charCodeAt(i++)), lo = digit(text.charCodeAt(i++));
      if (hi < 0 || lo < 0) return out;
      prev += delta;
      if (prev > 0xffffffff) return out;
      out.push([prev, hi * 64 + lo]);
    }
  }

  // codegen::search::words
  function words(text) {
    const out = [];
    const chars = Array.from(text);
    let cur = "";
    const push = () => {
      if (cur !== "") {
        if (Array.from(cur).length <= S.maxWordChars) out.push(cur);
        cur = "";
      }
    };
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (!ALNUM.test(c)) { push(); continue; }
      if (UPPER.test(c) && cur !== "") {
        const prev = i > 0 ? chars[i - 1] : undefined;
        const next = chars[i + 1];
        const nextLower = next !== undefined && LOWER.test(next);
        if (prev !== undefined && (LOWER.test(prev) || NUM.test(prev) || (UPPER.test(prev) && nextLower))) push();
      }
      cur += c.toLowerCase();
    }
    push();
    return out;
  }

  const hasVowel = (s) => /[aeiouy]/.test(s);

  // codegen::search::stem
  function stem(word) {
    let w = word;
    const n = Array.from(w).length;
    if (n <= 3 || !/^[\x00-\x7f]*$/.test(w)) return w;
    if (w.endsWith("sses")) w = w.slice(0, -2);
    else if (w.endsWith("ies") && n > 4) w = w.slice(0, -3) + "y";
    else if (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("xes")) w = w.slice(0, -2);
    else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
    let stripped = false;
    for (const suffix of ["ing", "ed"]) {
      if (w.endsWith(suffix)) {
        const rest = w.slice(0, -suffix.length);
        if (rest.length >= 3 && hasVowel(rest)) { w = rest; stripped = true; }
        break;
      }
    }
    if (w.length >= 4) {
      const x = w[w.length - 2], y = w[w.length - 1];
      if (x === y && !"aeious".includes(y)) w = w.slice(0, -1);
    }
    if ((stripped || w.length > 4) && w.length > 3 && w.endsWith("e") && !w.endsWith("ee")) w = w.slice(0, -1);
    return w;
  }

  function rewritePhrases(ws) {
    const out = [];
    let i = 0;
    outer: while (i < ws.length) {
      for (const [phrase, word] of S.phrases) {
        if (ws.length - i >= phrase.length && phrase.every((p, j) => ws[i + j] === p)) {
          out.push(word);
          i += phrase.length;
          continue outer;
        }
      }
      out.push(ws[i]);
      i += 1;
    }
    return out;
  }

  // codegen::search::terms
  function termsOf(text) {
    return rewritePhrases(words(text)).filter((w) => !S.stop.has(w)).map(stem);
  }

  // codegen::search::parse_query
  function parseQuery(query) {
    const text = Array.from(query).slice(0, S.maxQueryChars).join("");
    const q = { words: [], terms: [] };
    for (const t of termsOf(text)) {
      if (!q.words.includes(t)) {
        q.words.push(t);
        if (q.words.length === S.maxQueryWords) break;
      }
    }
    const add = (term, weight, k) => {
      const bit = (1 << k) >>> 0;
      const t = q.terms.find((x) => x.term === term);
      if (t) { t.weight = Math.max(t.weight, weight); t.words = (t.words | bit) >>> 0; }
      else q.terms.push({ term, weight, words: bit });
    };
    q.words.forEach((w, k) => {
      add(w, f(1), k);
      for (const [weight, group] of S.synonyms) {
        if (group.includes(w)) for (const g of group) if (g !== w) add(g, weight, k);
      }
    });
    return q;
  }

  function idf(n, df) { return f(Math.log(f(1 + f(f(f(n - df) + f(0.5)) / f(df + f(0.5)))))); }

  function isName(compactQuery, name) {
    const n = Array.from(name).filter((c) => ALNUM.test(c));
    if (n.length !== compactQuery.length) return false;
    return n.every((c, i) => c.toLowerCase() === compactQuery[i].toLowerCase());
  }

  // src/endpoints/search.rs::rank, admitting every tool: [{name, score}], best first.
  function rank(query, limit) {
    const tools = state.tools, n = tools.length;
    if (limit === 0 || n === 0) return [];
    const q = parseQuery(query);
    const found = [];
    for (const t of q.terms) {
      const postings = S.postings(t.term);
      if (postings === undefined) continue;
      found.push({ term: t.term, weight: f(t.weight), words: t.words, postings, idf: idf(n, postings.length) });
    }
    const ownIdf = q.words.map((w) => { const x = found.find((fd) => fd.term === w); return x ? x.idf : undefined; });
    const wordIdf = q.words.map((_, k) => {
      if (ownIdf[k] !== undefined) return ownIdf[k];
      let m = 0;
      for (const fd of found) if (fd.words & (1 << k)) m = Math.max(m, fd.idf);
      return m;
    });
    let totalIdf = 0;
    for (const x of wordIdf) totalIdf = f(totalIdf + x);
    if (!(totalIdf > 0)) return [];
    const workspaceWord = q.words.indexOf(stem("workspace"));
    const score = new Float32Array(n), matched = new Uint32Array(n);
    for (const fd of found) {
      let own = Infinity;
      q.words.forEach((_, k) => { if ((fd.words & (1 << k)) && ownIdf[k] !== undefined) own = Math.min(own, ownIdf[k]); });
      const cap = fd.weight < 1 && own < fd.idf ? f(own / fd.idf) : f(1);
      const factor = f(f(fd.weight * cap) * S.scale);
      for (const [d, quanta] of fd.postings) {
        if (d >= n) break;
        score[d] = f(score[d] + f(factor * quanta));
        matched[d] = matched[d] | fd.words;
      }
    }
    const compactQuery = Array.from(query).slice(0, 200).filter((c) => ALNUM.test(c));
    const hits = [];
    for (let d = 0; d < n; d++) {
      const tool = tools[d];
      if (!(score[d] > 0)) continue;
      let ws = matched[d];
      if (workspaceWord >= 0 && tool.has_workspace) ws = (ws | (1 << workspaceWord)) >>> 0;
      let covered = 0;
      wordIdf.forEach((x, k) => { if (ws & (1 << k)) covered = f(covered + x); });
      const coverage = f(covered / totalIdf);
      const name = S.nameTerms(d);
      let nameCovered = 0;
      for (const t of name) {
        let m = 0;
        for (const x of q.terms) if (x.term === t) m = Math.max(m, x.weight);
        nameCovered = f(nameCovered + f(m));
      }
      const nameCoverage = f(nameCovered / f(Math.max(name.length, 1)));
      const floor = S.coverageFloor;
      let s = f(f(score[d] * f(floor + f(f(f(1 - floor) * coverage) * coverage))) + f(f(S.nameBonus * nameCoverage) * coverage));
      if (tool.curated) s = f(s * S.curatedPrior);
      // The operationId spelled out first; half as much for a curated name that differs from it.
      if (isName(compactQuery, tool.name)) s = f(s + S.exactNameBonus);
      else if (tool.curated_name && isName(compactQuery, tool.curated_name)) s = f(s + f(S.exactNameBonus / 2));
      hits.push({ name: tool.name, score: s });
    }
    hits.sort((a, b) => (b.score - a.score) || byteOrder(a.name, b.name));
    return limit === undefined ? hits : hits.slice(0, limit);
  }

  // ---------------------------------------------------------------------------------------------
  // Loading.
  async function unpack(id) {
    const el = $(id);
    const bin = atob(el.textContent.trim());
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const text = await new Response(stream).text();
    return JSON.parse(text);
  }

  // Each tool's details (schemas, forms, profiles, example), read after the first render.
  let detailsPromise = null;
  function details() {
    if (detailsPromise === null) {
      detailsPromise = unpack("catalog-details").then((list) => {
        state.tools.forEach((t, i) => Object.assign(t, list[i] || {}));
        state.detailsReady = true;
        return true;
      });
    }
    return detailsPromise;
  }

  // ---------------------------------------------------------------------------------------------
  // Filters and the list.
  const HINTS = [["read_only", "read-only"], ["destructive", "destructive"], ["idempotent", "idempotent"], ["open_world", "open-world"]];

  function inMode(t, mode) {
    switch (mode) {
      case "curated": return t.curated;
      case "read_only": return t.hints.read_only;
      case "curated_read_only": return t.curated && t.hints.read_only;
      default: return true;
    }
  }

  function passes(t) {
    if (!inMode(t, state.mode)) return false;
    if (state.tag && !t.tags.includes(state.tag)) return false;
    if (state.hint === "not_read_only") { if (t.hints.read_only) return false; }
    else if (state.hint && !t.hints[state.hint]) return false;
    return true;
  }

  function visibleTools() {
    if (state.q.trim() !== "") {
      const ranked = rank(state.q);
      return ranked.map((r, i) => ({ tool: state.byName.get(r.name), rank: i + 1, score: r.score })).filter((x) => x.tool && passes(x.tool));
    }
    return state.tools.filter(passes).map((tool) => ({ tool, rank: 0, score: 0 }));
  }

  function hintLetters(t) {
    return HINTS.filter(([k]) => t.hints[k]).map(([, label]) => label).join(", ");
  }

  function listItem(x) {
    const t = x.tool;
    const a = h("a", { href: "#tool/" + encodeURIComponent(t.name), "data-name": t.name, "aria-current": state.current === t.name ? "true" : null },
      x.rank ? h("span", { class: "rank", title: "score " + x.score.toFixed(3) }, "#" + x.rank) : null,
      h("span", { class: "method m-" + t.method.toLowerCase() }, t.method), " ",
      h("span", { class: "name" }, t.name),
      t.curated ? [" ", h("span", { class: "badge b-curated" }, "curated")] : null,
      h("span", { class: "path" }, t.path + (hintLetters(t) ? " · " + hintLetters(t) : "")));
    return h("li", null, a);
  }

  function renderList() {
    const shown = visibleTools();
    const ol = $("tools");
    const frag = document.createDocumentFragment();
    for (const x of shown) frag.append(listItem(x));
    ol.replaceChildren(frag);
    const total = state.tools.length;
    let text = shown.length + " of " + total + " tools";
    if (state.q.trim() !== "") text += " match; search_endpoints returns the first " + S.defaultLimit + " by default";
    $("count").textContent = text;
  }

  // ---------------------------------------------------------------------------------------------
  // The summary.
  function renderSummary() {
    const s = state.data.summary;
    const body = $("summary-body");
    const modes = h("table", null,
      h("caption", null, "tools/list per mode (profile full; without workspace scripts and flows)"),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "mode"), h("th", { scope: "col", class: "num" }, "tools"), h("th", { scope: "col", class: "num" }, "bytes"), h("th", { scope: "col", class: "num" }, "~tokens"))),
      h("tbody", null, s.modes.map((m) => h("tr", null, h("td", null, m.mode), h("td", { class: "num" }, fmt(m.tools)), h("td", { class: "num" }, fmt(m.bytes)), h("td", { class: "num" }, fmt(m.tokens))))));
    const profileNames = ["full", "openai", "gemini"];
    const profiles = h("table", null,
      h("caption", null, "tools/list bytes (~tokens) per client profile"),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "mode"), profileNames.map((p) => h("th", { scope: "col", class: "num" }, p)))),
      h("tbody", null, s.profiles.map((m) => h("tr", null, h("td", null, m.mode), profileNames.map((p) => h("td", { class: "num" }, fmt(m.profiles[p].bytes) + " (~" + fmt(m.profiles[p].tokens) + ")"))))));
    const counts = h("p", null, fmt(s.tools) + " tools: " + fmt(s.curated) + " curated, " + fmt(s.read_only) + " read-only, " + fmt(s.destructive) + " destructive, " + fmt(s.with_output_schema) + " with an output schema, " + fmt(s.deprecated) + " deprecated. Tokens are estimated as bytes / 4.");
    let degr;
    if (s.degradations === null) degr = h("p", { class: "muted" }, "What the generator simplified is not known for this spec (see windmill-mcp tools stats for the compiled one).");
    else if (s.degradations.length === 0) degr = h("p", null, "Nothing was degraded or simplified.");
    else degr = h("div", null, h("p", null, "Degraded or simplified (" + s.degradations.length + "):"),
      h("ul", null, s.degradations.map(([op, what]) => h("li", null, h("code", null, op), ": " + what))));
    body.replaceChildren(counts, h("div", { class: "tables" }, h("div", { class: "scroll" }, modes), h("div", { class: "scroll" }, profiles)), degr);
  }

  // ---------------------------------------------------------------------------------------------
  // A schema as a nested table.
  const MAX_ROWS = 800;

  function typeText(s) {
    if (!s || typeof s !== "object") return "any";
    let t = s.type;
    if (Array.isArray(t)) t = t.join(" | ");
    if (!t) {
      if (s.anyOf || s.oneOf) t = "one of";
      else if (s.allOf) t = "all of";
      else if (s.properties) t = "object";
      else if (s.const !== undefined) t = "const";
      else t = "any";
    }
    if (s.items && typeof s.items === "object" && s.items.type && !s.items.properties) {
      const it = Array.isArray(s.items.type) ? s.items.type.join(" | ") : s.items.type;
      t += " of " + it + (s.items.format ? " (" + s.items.format + ")" : "");
    }
    if (s.format) t += " (" + s.format + ")";
    if (s.contentEncoding) t += " (" + s.contentEncoding + ")";
    return t;
  }

  function detailsCell(s) {
    const parts = [];
    if (!s || typeof s !== "object") return h("td", null);
    const en = s.enum || (s.items && s.items.enum);
    if (Array.isArray(en)) parts.push(h("div", { class: "enum" }, "one of: ", en.map((v) => [h("code", null, JSON.stringify(v)), " "])));
    if (s.const !== undefined) parts.push(h("div", null, "always ", h("code", null, JSON.stringify(s.const))));
    if (s.default !== undefined) parts.push(h("div", null, "default ", h("code", null, JSON.stringify(s.default))));
    const bounds = [];
    for (const [k, label] of [["minimum", "≥"], ["exclusiveMinimum", ">"], ["maximum", "≤"], ["exclusiveMaximum", "<"]]) if (typeof s[k] === "number") bounds.push(label + " " + s[k]);
    for (const [k, label] of [["minLength", "length ≥"], ["maxLength", "length ≤"], ["minItems", "items ≥"], ["maxItems", "items ≤"], ["minProperties", "properties ≥"], ["maxProperties", "properties ≤"]]) if (typeof s[k] === "number") bounds.push(label + " " + s[k]);
    if (s.uniqueItems) bounds.push("unique items");
    if (bounds.length) parts.push(h("div", { class: "bounds" }, bounds.join(", ")));
    if (typeof s.pattern === "string") parts.push(h("div", null, "pattern ", h("code", null, s.pattern)));
    if (Array.isArray(s.examples) && s.examples.length) parts.push(h("div", null, "e.g. ", h("code", null, JSON.stringify(s.examples[0]).slice(0, 200))));
    if (s.additionalProperties === false && s.properties) parts.push(h("div", { class: "muted" }, "no other properties"));
    return h("td", null, parts);
  }

  function schemaRows(s, name, depth, required, rows) {
    if (rows.length >= MAX_ROWS) return;
    if (!s || typeof s !== "object") s = {};
    const arg = h("td", { class: "arg" }, h("span", { class: "indent", "aria-hidden": "true" }, depth > 0 ? "\u00a0\u00a0".repeat(depth - 1) + "└ " : ""), h("code", null, name));
    const row = h("tr", { class: depth > 0 ? "nested d" + Math.min(depth, 9) : null, "data-depth": depth },
      arg, h("td", null, typeText(s)), h("td", null, required ? h("span", { class: "req", title: "required" }, "required") : ""),
      detailsCell(s), h("td", { class: "desc-cell" }, typeof s.description === "string" ? s.description : ""));
    rows.push(row);
    children(s, name, depth, rows);
  }

  function children(s, name, depth, rows) {
    if (depth > 12) return;
    if (s.properties && typeof s.properties === "object") {
      const req = new Set(Array.isArray(s.required) ? s.required : []);
      for (const [k, v] of Object.entries(s.properties)) schemaRows(v, k, depth + 1, req.has(k), rows);
    }
    if (s.items && typeof s.items === "object" && (s.items.properties || s.items.anyOf || s.items.oneOf || s.items.allOf)) {
      schemaRows(s.items, name + "[]", depth + 1, false, rows);
    }
    if (s.additionalProperties && typeof s.additionalProperties === "object" && Object.keys(s.additionalProperties).length) {
      schemaRows(s.additionalProperties, name + "{…}", depth + 1, false, rows);
    }
    for (const key of ["anyOf", "oneOf", "allOf"]) {
      if (Array.isArray(s[key])) s[key].forEach((b, i) => schemaRows(b, (key === "allOf" ? "part " : "variant ") + (i + 1), depth + 1, false, rows));
    }
  }

  function schemaTable(schema, label) {
    const rows = [];
    const top = schema && typeof schema === "object" ? schema : {};
    const req = new Set(Array.isArray(top.required) ? top.required : []);
    for (const [k, v] of Object.entries(top.properties || {})) schemaRows(v, k, 0, req.has(k), rows);
    if (!top.properties) children(top, "(value)", -1, rows);
    if (rows.length === 0) return h("p", { class: "muted" }, "No arguments.");
    const more = rows.length >= MAX_ROWS ? h("p", { class: "muted" }, "Only the first " + MAX_ROWS + " rows are shown.") : null;
    return [h("div", { class: "scroll" }, h("table", { class: "schema", "aria-label": label },
      h("thead", null, h("tr", null, ["Argument", "Type", "Required", "Values and bounds", "Description"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, rows))), more];
  }

  // ---------------------------------------------------------------------------------------------
  // One tool.
  function badges(t) {
    const out = [h("span", { class: "method m-" + t.method.toLowerCase() }, t.method)];
    for (const [k, label] of HINTS) if (t.hints[k]) out.push(h("span", { class: "badge b-" + k, title: k + "Hint" }, label));
    if (t.curated) out.push(h("span", { class: "badge b-curated", title: "listed in the default (curated) mode" }, "curated"));
    if (t.hints.read_only) out.push(h("span", { class: "badge b-listed_ro", title: "listed and callable in read-only mode" }, "in read-only mode"));
    if (t.deprecated) out.push(h("span", { class: "badge b-deprecated" }, "deprecated"));
    return h("div", { class: "badges" }, out);
  }

  function copyButton(text) {
    const status = h("span", { class: "muted", role: "status" });
    const btn = h("button", {
      type: "button",
      onclick: () => {
        const done = () => { status.textContent = " Copied."; };
        const fallback = () => {
          const ta = h("textarea", { "aria-hidden": "true" });
          ta.value = text;
          ta.style.position = "fixed"; ta.style.left = "-9999px";
          document.body.append(ta);
          ta.select();
          let ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          ta.remove();
          status.textContent = ok ? " Copied." : " Select the text above and copy it.";
        };
        try {
          if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
          else fallback();
        } catch (e) { fallback(); }
      },
    }, "Copy the request");
    return h("p", null, btn, status);
  }

  function profilePart(t) {
    return Object.entries(t.profiles).map(([p, info]) => {
      const title = h("h4", null, p + ": " + fmt(info.bytes) + " bytes (~" + fmt(info.tokens) + " tokens) in tools/list");
      if (info.differences.length === 0) return h("div", null, title, h("p", { class: "muted" }, "Same input schema as the full profile."));
      return h("div", null, title, h("div", { class: "scroll" }, h("table", { "aria-label": p + " differences" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "where (JSON pointer)"), h("th", { scope: "col" }, "full (compact)"), h("th", { scope: "col" }, p))),
        h("tbody", null, info.differences.map(([ptr, a, b]) => h("tr", null, h("td", null, h("code", null, ptr || "/")), h("td", null, a === null ? h("span", { class: "muted" }, "—") : h("code", null, a)), h("td", null, b === null ? h("span", { class: "muted" }, "—") : h("code", null, b))))))),
        info.differences.length >= 40 ? h("p", { class: "muted" }, "Only the first 40 differences are shown.") : null);
    });
  }

  function renderTool(name) {
    const t = state.byName.get(name);
    const main = $("detail");
    state.current = t ? name : null;
    document.body.classList.toggle("has-tool", !!t);
    for (const a of document.querySelectorAll("#tools a[aria-current]")) a.removeAttribute("aria-current");
    if (!t) {
      main.replaceChildren(h("p", { class: "muted" }, name ? "No tool named " + name + " in this catalog." : "Choose a tool to see its description, schemas, the form a client receives and an example call."));
      return;
    }
    if (!state.detailsReady) {
      main.replaceChildren(h("h2", { id: "tool-loading" }, name), h("p", { class: "muted" }, "Loading…"));
      details().then(() => { if (state.current === name) renderTool(name); });
      return;
    }
    const link = document.querySelector('#tools a[data-name="' + CSS.escape(name) + '"]');
    if (link) {
      link.setAttribute("aria-current", "true");
      // Bring it into the list's view without scrolling the page.
      const list = link.closest(".list");
      if (list && list.scrollHeight > list.clientHeight) {
        const r = link.getBoundingClientRect(), lr = list.getBoundingClientRect();
        if (r.top < lr.top || r.bottom > lr.bottom) list.scrollTop += r.top - lr.top - lr.height / 3;
      }
    }
    const full = t.full;
    const example = JSON.stringify(t.example, null, 2);
    main.replaceChildren(...[
      h("a", { class: "back", href: "#" }, "← All tools"),
      h("h2", { id: "tool-name" }, t.name),
      t.curated_name && t.curated_name !== t.name ? h("p", null, "Windmill's curated name: ", h("code", null, t.curated_name)) : null,
      full.title ? h("p", { class: "muted" }, full.title) : null,
      badges(t),
      h("dl", { class: "facts" },
        h("dt", null, "path"), h("dd", null, h("code", null, t.method + " " + t.path)),
        h("dt", null, "tags"), h("dd", null, t.tags.length ? t.tags.map((tag, i) => [i ? ", " : "", h("a", { href: "#", "data-tag": tag, onclick: (e) => { e.preventDefault(); setTag(tag); } }, tag)]) : "—"),
        h("dt", null, "in tools/list"), h("dd", null, fmt(t.bytes) + " bytes (~" + fmt(t.tokens) + " tokens), compact form, profile full"),
        h("dt", null, "full definition"), h("dd", null, fmt(t.full_bytes) + " bytes (what describe_endpoint shows)")),
      h("h3", null, "Description"),
      h("div", { class: "desc" }, full.description || ""),
      h("h3", { id: "input-schema" }, "Input schema"),
      schemaTable(full.inputSchema, "input schema of " + t.name),
      h("h3", null, "Output schema"),
      full.outputSchema ? schemaTable(full.outputSchema, "output schema of " + t.name) : h("p", { class: "muted" }, "None: the answer is text or a file."),
      h("h3", null, "What a client receives"),
      h("div", { class: "forms" },
        h("div", null, h("h4", null, "Compact form, in tools/list (" + fmt(t.bytes) + " bytes)"), h("pre", { tabindex: "0" }, JSON.stringify(t.listed, null, 2))),
        h("div", null, h("h4", null, "Full form, from describe_endpoint (" + fmt(t.full_bytes) + " bytes)"), h("pre", { tabindex: "0" }, JSON.stringify(full, null, 2)))),
      h("h3", null, "Client profiles"),
      profilePart(t),
      h("h3", null, "Example tools/call request"),
      h("p", { class: "muted" }, "The required arguments, with values taken from the schema; edit them before sending."),
      h("pre", { tabindex: "0", id: "example" }, example),
      copyButton(example)].flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
  }

  function setTag(tag) {
    state.tag = tag;
    $("tag").value = tag;
    renderList();
    $("tag").focus();
  }

  // ---------------------------------------------------------------------------------------------
  // Routing: #tool/NAME.
  function route(focus) {
    const m = location.hash.match(/^#tool\/(.+)$/);
    let name = null;
    if (m) { try { name = decodeURIComponent(m[1]); } catch (e) { name = m[1]; } }
    renderTool(name);
    if (focus && name) $("detail").focus({ preventScroll: false });
  }

  async function start() {
    const t0 = performance.now();
    const phases = {};
    try {
      state.data = await unpack("catalog-index");
      phases.loaded = performance.now() - t0;
    } catch (e) {
      $("status").textContent = "This browser cannot read the catalog's compressed data (it needs DecompressionStream): " + e;
      return;
    }
    const data = state.data;
    state.tools = data.tools;
    for (const t of data.tools) state.byName.set(t.name, t);
    prepareSearch(data.search, data.tools);
    const title = "Tool catalog: " + data.spec.title + " " + data.spec.version;
    document.title = title;
    $("title").textContent = title;
    $("status").textContent = data.tools.length + " endpoint tools (" + data.summary.curated + " curated), as " + data.generator + " serves them. No workspace data: a workspace's scripts and flows are tools too, but only for its callers.";
    const tags = new Map();
    for (const t of data.tools) for (const tag of t.tags) tags.set(tag, (tags.get(tag) || 0) + 1);
    const tagSelect = $("tag");
    for (const tag of Array.from(tags.keys()).sort()) tagSelect.append(h("option", { value: tag }, tag + " (" + tags.get(tag) + ")"));
    renderSummary();
    renderList();
    phases.listed = performance.now() - t0;
    route(false);
    let timer = null;
    $("q").addEventListener("input", (e) => {
      state.q = e.target.value;
      clearTimeout(timer);
      timer = setTimeout(renderList, 80);
    });
    $("mode").addEventListener("change", (e) => { state.mode = e.target.value; renderList(); });
    $("tag").addEventListener("change", (e) => { state.tag = e.target.value; renderList(); });
    $("hint").addEventListener("change", (e) => { state.hint = e.target.value; renderList(); });
    $("filters").addEventListener("submit", (e) => e.preventDefault());
    window.addEventListener("hashchange", () => route(true));
    document.addEventListener("keydown", (e) => {
      if (e.key === "/" && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement)) {
        e.preventDefault();
        $("q").focus();
      }
    });
    // For tests and the curious: the ranking and the time to the first render.
    window.catalog = {
      search: (q, limit) => rank(q, limit),
      render: () => renderList(),
      firstRenderMs: performance.now() - t0,
      readyAt: performance.now(),
      phases,
      scriptStart: t0,
      tools: data.tools.length,
    };
    document.body.dataset.ready = "true";
    // The details next, once the list is on screen.
    setTimeout(() => {
      details().then(() => { document.body.dataset.details = "true"; }, (e) => {
        $("status").textContent = "The tools' details could not be read: " + e;
      });
    }, 0);
  }

  start().catch((e) => {
    $("status").textContent = "The catalog could not start: " + e;
  });
})();
