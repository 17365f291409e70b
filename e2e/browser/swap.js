'use strict';
// Real-browser test of identity changes without a page load.
//
//   node e2e/browser/swap.js <site URL> <front end label>
//
// examples/htmx/browser_test.go serves the example site with htmx 2, htmx 4
// or Turbo 8 and runs this once per front end. Headless Chromium:
//
//  1. loads the site with consent withheld: no vendor code runs, no marker;
//  2. signs in through the site's form, which htmx (boosted) or Turbo Drive
//     submits without loading a document: still no identity, no marker;
//  3. gives consent through the consent form, the same way: every stand-in
//     widget is identified as that person, verified;
//  4. signs out the same way: every widget resets;
//  5. signs in as someone else: every widget shows the new person;
//  6. follows a link there and back, and goes back in history: the runtime
//     asks the identity endpoint once per swap, and no widget code runs
//     again (nothing changed);
//  7. signs out behind the page's back (a fetch), fetches the inbox fragment
//     through the front end and with fetch() + innerHTML: neither gets a
//     script or a cookie, and the widgets are not told; the next document
//     (a reload) resets every widget: the fragments left the reset for it.
//
// Steps 1 to 6 must happen in one document: a value kept in window at the
// start must still be there, and the browser must have loaded one document.

const { launch } = require('./lib/browser');
const { watch } = require('./lib/watch');
const panels = require('./lib/panels');
const { check } = require('./lib/check');

const STEP_MS = 15_000;
const WATCHDOG_MS = Number(process.env.CHATIDENT_E2E_TIMEOUT_MS || 100_000);
const ANN = { user_id: 'swap-ann-1', name: 'Ann Swap', email: 'ann@example.com' };
const BOB = { user_id: 'swap-bob-2', name: 'Bob Swap', email: 'bob@example.com' };
const VERIFIED = { webim: 'true', edna: 'n/a', helpcrunch: 'true', zendesk: 'true' };
const IDENTITY = '/_chatident/identity';
// The example site carries the four seed vendors' stand-ins.
const VENDORS = ['webim', 'edna', 'helpcrunch', 'zendesk'];
const states = (p) => VENDORS.map((v) => `${v}=${p[v] ? p[v].state : '(no panel)'}`).join(' ');
const all = (state) => (p) => VENDORS.every((v) => p[v] && p[v].state === state);

function secretsFromEnv() {
  return Object.entries(process.env).filter(
    ([k, v]) => /^CHATIDENT_.*_(KEY|SECRET)$/.test(k) && v && v.length >= 8,
  );
}

async function main(url, label, stop) {
  const origin = new URL(url).origin;
  const t = check();
  const b = await launch();
  stop.close = () => b.close();
  t.log(`chromium ${b.version}, ${label}, site ${url}`);
  try {
    await flow(b, url, origin, label, t);
  } catch (err) {
    t.fail(`flow stopped: ${err.stack || err}`);
  } finally {
    await b.close().catch((err) => t.log(`closing the browser: ${err.message}`));
  }
  return t.verdict();
}

async function flow(b, url, origin, label, t) {
  const page = b.page;
  const w = await watch(page, origin, secretsFromEnv());

  // Every document the main frame loads, and every identity request, by phase.
  const documents = [];
  const identity = [];
  const fragments = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents.push({ phase: w.phase, url: r.url() });
  });
  page.on('response', async (r) => {
    const u = new URL(r.url());
    if (u.origin !== origin) return;
    if (u.pathname === IDENTITY) {
      identity.push({ phase: w.phase, status: r.status(), headers: await r.allHeaders().catch(() => ({})) });
    }
    if (u.pathname === '/fragments/inbox') {
      const headers = await r.allHeaders().catch(() => ({}));
      const body = await r.text().catch(() => '');
      fragments.push({ phase: w.phase, status: r.status(), headers, body, type: r.request().resourceType() });
    }
  });
  const inPhase = (list, phase) => list.filter((x) => x.phase === phase);
  const marker = async () => (await b.context.cookies(origin)).find((c) => c.name === 'chatident_seen');

  // 1. Consent withheld.
  w.phase = 'first visit';
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.chatident && typeof window.chatident.refresh === 'function', null, { timeout: STEP_MS });
  await page.evaluate(() => { window.__kept = 'kept-' + Math.random(); });
  const kept = await page.evaluate(() => window.__kept);
  let p = await panels.waitFor(page, (x) => x.edna && x.edna.state === 'anonymous', STEP_MS);
  t.ok(['webim', 'helpcrunch', 'zendesk'].every((v) => p[v] && p[v].state === 'waiting') && p.edna.state === 'anonymous',
    `consent withheld: no vendor code ran (edna's own loader is the page's) (${states(p)})`);

  // 2. Sign in through the front end, consent still withheld.
  w.phase = 'signed in, no consent';
  await signIn(page, ANN);
  await page.evaluate(() => window.chatident.refresh());
  p = await panels.read(page);
  t.ok(!VENDORS.some((v) => p[v] && p[v].state === 'identified'),
    `signed in without consent: no widget identified (${states(p)})`);
  t.ok(!(await marker()), 'signed in without consent: no sign-out marker cookie');
  t.ok(inPhase(identity, w.phase).length >= 1, `the runtime asked ${IDENTITY} after the swap (${inPhase(identity, w.phase).length} requests)`);

  // 3. Consent given through the front end.
  w.phase = 'consent given';
  await page.locator('#consent').click();
  p = await panels.waitFor(page, identifiedAs(ANN), STEP_MS);
  checkIdentified(t, p, ANN, 'after consent');
  t.ok(Boolean(await marker()), 'after consent: the sign-out marker cookie is set');

  // 4. Sign out through the front end.
  w.phase = 'signed out';
  await page.locator('#signout').click();
  p = await panels.waitFor(page, all('reset'), STEP_MS);
  t.ok(all('reset')(p), `after sign-out: every widget reset (${states(p)})`);

  // 5. Someone else signs in.
  w.phase = 'signed in as another';
  await signIn(page, BOB);
  p = await panels.waitFor(page, identifiedAs(BOB), STEP_MS);
  checkIdentified(t, p, BOB, 'after the second sign-in');

  // 6. Swaps that change nothing: one identity request each, no widget code.
  w.phase = 'unchanged';
  const before = await resetCounts(page);
  const asked = identity.length;
  await page.locator('#nav-inbox').click();
  await page.waitForFunction(() => document.title.startsWith('Inbox'), null, { timeout: STEP_MS });
  await settle(page, identity, asked + 1);
  await page.locator('#nav-home').click();
  await page.waitForFunction(() => document.title.startsWith('Home'), null, { timeout: STEP_MS });
  await settle(page, identity, asked + 2);
  await page.goBack();
  await page.waitForFunction(() => document.title.startsWith('Inbox'), null, { timeout: STEP_MS });
  await settle(page, identity, asked + 3);
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await settle(page, identity, asked + 4);
  const n = identity.length - asked;
  t.ok(n === 4, `two link swaps, a history restore and a back/forward-cache pageshow: ${n} identity requests, want 4`);
  p = await panels.read(page);
  checkIdentified(t, p, BOB, 'after swaps that change nothing');
  const after = await resetCounts(page);
  t.ok(JSON.stringify(after) === JSON.stringify(before), `no widget was reset by the unchanged swaps (${JSON.stringify(after)})`);
  t.ok(inPhase(identity, 'unchanged').every((r) => r.status === 200 && /no-store/.test(r.headers['cache-control'] || '')),
    'identity answers: 200, Cache-Control no-store');
  // What an unchanged swap costs the page, for the README's figures.
  const timing = await page.evaluate((path) => performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname === path)
    .map((e) => ({ ms: e.duration, body: e.encodedBodySize, transfer: e.transferSize })), IDENTITY);
  if (timing.length) {
    const ms = timing.map((x) => x.ms).sort((a, b) => a - b);
    t.log(`identity requests seen by the page: ${timing.length}, median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, ` +
      `body ${timing[timing.length - 1].body} bytes, ${timing[timing.length - 1].transfer} bytes on the wire`);
  }

  // The whole run so far was one document.
  t.ok((await page.evaluate(() => window.__kept)) === kept, 'the value kept in window survived every swap: no page load');
  t.ok(documents.length === 1, `the browser loaded one document so far (${documents.map((d) => `${d.phase}: ${d.url}`).join(', ')})`);

  // 7. Sign-out behind the page's back, then fragments.
  w.phase = 'fragments';
  await page.locator('#nav-home').click();
  await page.waitForFunction(() => document.title.startsWith('Home'), null, { timeout: STEP_MS });
  await settle(page, identity, identity.length);
  const askedBefore = identity.length;
  const status = await page.evaluate(() =>
    fetch('/logout', { method: 'POST', credentials: 'same-origin', redirect: 'manual' }).then((r) => r.type + ' ' + r.status));
  t.log(`signed out with fetch(): ${status}`);
  await loadFragment(page, label);
  await page.waitForFunction(() => /Sign in to see/.test(document.getElementById('inbox').textContent), null, { timeout: STEP_MS });
  await page.evaluate(() =>
    fetch('/fragments/inbox').then((r) => r.text()).then((h) => { document.getElementById('inbox').innerHTML = h; }));
  await page.waitForTimeout(300);
  const fr = inPhase(fragments, 'fragments');
  t.ok(fr.length >= 2, `fragments fetched after sign-out: ${fr.map((f) => `${f.type} ${f.status}`).join(', ')}`);
  for (const f of fr) {
    t.ok(!/<script/i.test(f.body) && !f.headers['set-cookie'],
      `fragment (${f.type}) after sign-out: no script, no Set-Cookie`);
  }
  t.ok(identity.length === askedBefore, `no identity request for a GET partial (${identity.length - askedBefore})`);
  t.ok(Boolean(await marker()), 'the fragments left the sign-out marker in place');
  w.phase = 'next document';
  await page.reload({ waitUntil: 'load' });
  p = await panels.waitFor(page, all('reset'), STEP_MS);
  t.ok(all('reset')(p), `the next document resets every widget: the fragments left the reset for it (${states(p)})`);
  t.ok(!(await marker()), 'the next document expired the marker');

  w.phase = 'end';
  await w.drain();
  checkQuiet(t, w);
}

async function signIn(page, who) {
  await page.locator('#user_id').fill(who.user_id);
  await page.locator('#name').fill(who.name);
  await page.locator('#email').fill(who.email);
  await page.locator('#signin').click();
  await page.waitForFunction((name) => document.getElementById('who').textContent.includes(name), who.name, { timeout: STEP_MS });
}

// loadFragment fetches the inbox through the front end: htmx's ajax API, or
// a Turbo frame reload.
async function loadFragment(page, label) {
  if (/turbo/i.test(label)) {
    await page.evaluate(() => document.getElementById('inbox').reload());
  } else {
    await page.evaluate(() => window.htmx.ajax('GET', '/fragments/inbox', '#inbox'));
  }
}

// settle waits until at least n identity requests were answered and the
// runtime is idle.
async function settle(page, identity, n) {
  const deadline = Date.now() + STEP_MS;
  while (identity.length < n && Date.now() < deadline) await page.waitForTimeout(50);
  await page.waitForTimeout(200);
}

async function resetCounts(page) {
  return page.evaluate((vendors) => vendors.map((v) => {
    const el = document.getElementById(`standin-${v}`);
    return el ? el.getAttribute('data-resets') : null;
  }), VENDORS);
}

function identifiedAs(who) {
  return (p) => VENDORS.every((v) => {
    if (!p[v] || p[v].state !== 'identified' || p[v].verified !== VERIFIED[v]) return false;
    try {
      return panels.received(v, p[v].received).name === who.name;
    } catch {
      return false;
    }
  });
}

function checkIdentified(t, p, who, when) {
  for (const v of VENDORS) {
    let got = {};
    try {
      got = panels.received(v, p[v].received);
    } catch {
      // reported below
    }
    t.ok(p[v] && p[v].state === 'identified' && p[v].verified === VERIFIED[v] && got.name === who.name && got.email === who.email,
      `${when}: ${v} identified as ${who.name}, verified ${VERIFIED[v]} (state ${p[v] && p[v].state}, verified ${p[v] && p[v].verified}, name ${JSON.stringify(got.name)})`);
  }
}

function checkQuiet(t, w) {
  const list = (xs) => xs.map((x) => JSON.stringify(x)).join('; ');
  t.ok(w.dialogs.length === 0, `no dialog opened ${list(w.dialogs)}`);
  t.ok(w.cspViolations.length === 0, `no securitypolicyviolation event ${list(w.cspViolations)}`);
  t.ok(w.consoleErrors.length === 0, `no console error ${list(w.consoleErrors)}`);
  t.ok(w.pageErrors.length === 0, `no uncaught exception ${list(w.pageErrors)}`);
  const failed = w.failedRequests.filter((r) => !/ERR_ABORTED/.test(r.error));
  t.ok(failed.length === 0, `no failed request ${list(failed)}`);
  t.ok(w.offOrigin.length === 0, `no request outside the site's origin ${list(w.offOrigin)}`);
  t.ok(w.leaks.length === 0, `no server secret in any response ${list(w.leaks)}`);
}

if (require.main === module) {
  const [url, label] = process.argv.slice(2);
  if (!url || !label) {
    console.error('usage: node swap.js <site URL> <front end label>');
    process.exit(2);
  }
  const stop = {};
  const watchdog = setTimeout(() => {
    console.log(`FAIL the run took longer than ${WATCHDOG_MS} ms`);
    Promise.resolve(stop.close && stop.close()).finally(() => process.exit(1));
  }, WATCHDOG_MS);
  main(url, label, stop).then(
    (ok) => { clearTimeout(watchdog); process.exit(ok ? 0 : 1); },
    (err) => { clearTimeout(watchdog); console.log(`FAIL ${err.stack || err}`); process.exit(1); },
  );
}
