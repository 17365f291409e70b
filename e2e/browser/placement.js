'use strict';
// placement.js: the placement differential in a real browser, driven by
// inject/placement_browser_test.go.
//
//   node e2e/browser/placement.js <cases.json>
//
// cases.json is an array of {id, body, script}: pages as chatident's
// rewriter sent them, each with the text of the script it inserted. Each page
// is served from a loopback server and loaded in headless Chromium; the
// inserted script records, when it runs, how many times it ran, the
// namespace of document.currentScript and the length of its text. A page
// passes when the script ran exactly once, as an HTML <script> element
// (currentScript is null for an SVG one) whose text is exactly the inserted
// script, and the sentinel token occurs nowhere else in the serialized
// document (not in a <textarea>, an attribute, a comment or <template>
// content). Prints {"checked": n, "bad": [{id, got}]} as JSON.

const fs = require('fs');
const http = require('http');
const { launch } = require('./lib/browser');

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const byId = new Map(cases.map((c) => [String(c.id), c]));
  const server = http.createServer((req, res) => {
    const c = byId.get(req.url.slice(1));
    if (!c) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(c.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  const bad = [];
  try {
    const { page, context } = browser;
    await context.route((url) => !url.href.startsWith(origin), (route) => route.abort());
    page.on('dialog', (d) => d.dismiss());
    for (const c of cases) {
      let got;
      try {
        await page.goto(`${origin}/${c.id}`, { waitUntil: 'load', timeout: 10000 });
        got = await page.evaluate(() => {
          const html = document.documentElement ? document.documentElement.outerHTML : '';
          return {
            runs: window.__chatidentRuns,
            ns: window.__chatidentNS,
            len: window.__chatidentLen,
            tokens: html.split('chatident-sentinel').length - 1,
          };
        });
      } catch (err) {
        got = { error: String(err.message).split('\n')[0] };
      }
      const ok = got.runs === 1 && got.ns === 'http://www.w3.org/1999/xhtml' &&
        got.len === c.script.length && got.tokens <= 1;
      if (!ok) bad.push({ id: c.id, got });
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(JSON.stringify({ checked: cases.length, bad }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
