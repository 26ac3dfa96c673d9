// Browser test of cxsim's HTML reports (docs/html-report.md "The browser test").
//
// Opens each report from disk in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core over the DevTools protocol) with every request that is not file:, data: or blob:
// blocked and recorded, and fails a report on:
//   - a console error or warning, or an uncaught page error;
//   - any blocked (network) request, or a src/href/url() in the rendered page that points outside
//     the page (anything but #fragment, data: and blob:);
//   - "http://" or "https://" anywhere in the file outside the embedded renderer bundles;
//   - a chart that did not render, or whose rendered data marks differ from the page's own
//     expectation: for every chart the page embeds `expected_marks` ({mark type: count}, computed
//     by cxsim from the data), and this script counts the items of every Vega data mark
//     (`g.role-mark.mark-TYPE` groups: one path per line or area, one element per point, bar,
//     rule or text) in the chart's SVG.
// With --screenshot DIR it also writes DIR/NAME.png, a full-page screenshot of each report that passed.
// With --expect-failures every report must fail (the deliberately broken pages of
// `cxsim_html_pages --broken`): a check that this script catches what it should.
//
// Usage: node tools/vega/check-reports.mjs [--chromium PATH] [--screenshot DIR] [--dir DIR] [REPORT.html ...]
// (--dir DIR: every *.html file in DIR.)
// Prints one line per report and ends with "N passed, M failed"; exits 1 when any failed.
import { chromium } from "playwright-core";
import { readFileSync, readdirSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
let executablePath = "/usr/bin/chromium";
let screenshotDir = null;
let expectFailures = false;
const reports = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--chromium") executablePath = args[++i];
  else if (args[i] === "--screenshot") screenshotDir = args[++i];
  else if (args[i] === "--expect-failures") expectFailures = true;
  else if (args[i] === "--dir") {
    const dir = args[++i];
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".html")) reports.push(join(dir, f));
  } else reports.push(args[i]);
}
if (reports.length === 0) {
  console.error("usage: node check-reports.mjs [--chromium PATH] [--screenshot DIR] [--dir DIR] [REPORT.html ...]");
  process.exit(2);
}

// Flags for a quiet, offline, reproducible Chromium (CI runs as root, hence --no-sandbox);
// playwright adds --headless and a fresh temporary --user-data-dir itself.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--force-color-profile=srgb",
    "--font-render-hinting=none",
  ],
});

// The text of the file outside the embedded bundles (<script data-cxsim-bundle=...>...</script>).
function textOutsideBundles(html) {
  return html.replace(/<script data-cxsim-bundle="[^"]*">[\s\S]*?<\/script>/g, "");
}

async function checkReport(file) {
  const problems = [];
  const html = readFileSync(file, "utf8");
  const bundles = (html.match(/<script data-cxsim-bundle="/g) || []).length;
  if (bundles !== 3) problems.push(`expected 3 embedded bundles, found ${bundles}`);
  const outside = textOutsideBundles(html);
  for (const m of outside.matchAll(/https?:\/\/[^\s"'<>)]*/gi)) problems.push(`external URL in the file: ${m[0]}`);

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: "block" });
  const blocked = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(/.*/, (ws) => {
    blocked.push(ws.url());
    ws.close();
  });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    if (!blocked.includes(req.url())) problems.push(`request failed: ${req.url()}`);
  });

  const started = Date.now();
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  // The page sets data-cxsim-charts on <body> to "done" when every chart rendered, "failed" when one threw.
  await page
    .waitForFunction(() => ["done", "failed"].includes(document.body.dataset.cxsimCharts), null, { timeout: 60000 })
    .catch(() => problems.push("charts did not finish rendering within 60 s"));
  const state = await page.evaluate(() => document.body.dataset.cxsimCharts);
  if (state !== "done") problems.push(`chart rendering state: ${state}`);

  const found = await page.evaluate(() => {
    const charts = JSON.parse(document.getElementById("cxsim-charts").textContent);
    const out = [];
    for (const chart of charts) {
      const box = document.getElementById("chart-" + chart.id);
      const counts = {};
      let svgs = 0;
      if (box) {
        svgs = box.querySelectorAll("svg").length;
        for (const g of box.querySelectorAll("g.role-mark")) {
          const type = [...g.classList].find((c) => c.startsWith("mark-")).slice(5);
          counts[type] = (counts[type] || 0) + g.children.length;
        }
      }
      out.push({ id: chart.id, expected: chart.expected_marks, counts, svgs, present: !!box });
    }
    // References that would leave the page: src, href, xlink:href, srcset, poster, action, and
    // url(...) in style attributes and style sheets. Namespace declarations (xmlns) are names, not links.
    const external = [];
    const local = (v) => v === "" || /^(#|data:|blob:)/.test(v.trim());
    for (const el of document.querySelectorAll("*")) {
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        if (["src", "href", "xlink:href", "srcset", "poster", "action", "formaction", "background"].includes(name)) {
          if (!local(attr.value)) external.push(`<${el.tagName.toLowerCase()} ${name}="${attr.value}">`);
        } else if (name === "style") {
          for (const m of attr.value.matchAll(/url\(\s*['"]?([^'")]*)/g)) if (!local(m[1])) external.push(`style url(${m[1]})`);
        }
      }
    }
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) {
        for (const m of rule.cssText.matchAll(/url\(\s*['"]?([^'")]*)/g)) if (!local(m[1])) external.push(`css url(${m[1]})`);
      }
    }
    return { charts: out, external };
  });
  for (const ref of found.external) problems.push(`external reference: ${ref}`);
  let marks = 0;
  for (const c of found.charts) {
    if (!c.present) {
      problems.push(`chart ${c.id}: no container`);
      continue;
    }
    if (c.svgs === 0) problems.push(`chart ${c.id}: no SVG rendered`);
    const types = new Set([...Object.keys(c.expected), ...Object.keys(c.counts)]);
    for (const t of [...types].sort()) {
      const want = c.expected[t] || 0, got = c.counts[t] || 0;
      marks += got;
      if (want !== got) problems.push(`chart ${c.id}: ${got} ${t} marks rendered, ${want} expected`);
    }
  }
  for (const url of blocked) problems.push(`blocked request: ${url}`);
  const ms = Date.now() - started;
  if (screenshotDir && problems.length === 0) {
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: `${screenshotDir}/${basename(file, ".html")}.png`, fullPage: true });
  }
  await context.close();
  return { problems, charts: found.charts.length, marks, ms };
}

let passed = 0, failed = 0;
for (const file of reports) {
  let result;
  try {
    result = await checkReport(file);
  } catch (err) {
    result = { problems: [`could not check: ${err.message}`], charts: 0, marks: 0, ms: 0 };
  }
  if (expectFailures) {
    if (result.problems.length > 0) {
      ++passed;
      console.log(`ok   ${file}: failed as it should: ${result.problems.join("; ")}`);
    } else {
      ++failed;
      console.log(`FAIL ${file}: passed, but it is broken on purpose`);
    }
  } else if (result.problems.length === 0) {
    ++passed;
    console.log(`ok   ${file}: ${result.charts} charts, ${result.marks} data marks, ${result.ms} ms`);
  } else {
    ++failed;
    console.log(`FAIL ${file}:`);
    for (const p of result.problems) console.log(`       ${p}`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
