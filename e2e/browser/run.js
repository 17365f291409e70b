'use strict';
// Real-browser end-to-end test of the chatident demo.
//
//   node e2e/browser/run.js <demo URL> <screenshot path>
//
// Headless Chromium signs in through the demo's form with a hostile display
// name, waits for every stand-in widget to be identified, checks what each
// widget received, takes a full-page screenshot, reloads the page with a
// <base href> to another origin and sees every widget identified from the
// page's own origin, signs out, sees every widget reset, reloads and sees
// them anonymous. Throughout, a dialog, a
// Content-Security-Policy violation, a console error, an uncaught exception, a
// failed or off-site request, or a server secret in any response fails the
// run. It prints one line per check and exits 0 only when all of them pass.
// examples/demo/browser_test.go builds and starts the demo and runs this.
//
// Secrets: every CHATIDENT_* variable in the environment whose name ends in
// _KEY, _SECRET or _TOKEN is taken as a server secret that must never reach
// the browser.

const { launch } = require('./lib/browser');
const { watch } = require('./lib/watch');
const panels = require('./lib/panels');
const { check } = require('./lib/check');
const recompute = require('./lib/recompute');

// The person who signs in. The name carries a script breakout, quotes of both
// kinds, Cyrillic and an emoji outside the BMP: every widget must receive it
// exactly, and the page must neither run it nor break.
const PERSON = {
  user_id: 'e2e-visitor-42',
  name: `</script><script>alert(1)</script> Евгений "O'Brien" 🎉`,
  email: `o'brien+e2e@example.com`,
  phone: '+7 812 385-53-37',
  company: 'Acme & Sons <Ltd>',
};

const STEP_MS = 20_000;
const WATCHDOG_MS = Number(process.env.CHATIDENT_E2E_TIMEOUT_MS || 100_000);

function secretsFromEnv() {
  return Object.entries(process.env).filter(
    ([k, v]) => /^CHATIDENT_.*_(KEY|SECRET|TOKEN)$/.test(k) && v && v.length >= 8,
  );
}

// main runs the flow; stop.close is set once the browser is up, so the
// watchdog can shut it down rather than leave it running.
async function main(url, shotPath, stop) {
  const origin = new URL(url).origin;
  const t = check();
  const b = await launch();
  stop.close = () => b.close();
  t.log(`chromium ${b.version}, demo ${url}`);
  try {
    await flow(b.page, url, origin, shotPath, t);
  } catch (err) {
    t.fail(`flow stopped: ${err.stack || err}`);
  } finally {
    await b.close().catch((err) => t.log(`closing the browser: ${err.message}`));
  }
  return t.verdict();
}

async function flow(page, url, origin, shotPath, t) {
  const secrets = secretsFromEnv();
  t.ok(secrets.length > 0, `${secrets.length} server secrets to look for in responses`);
  const w = await watch(page, origin, secrets);

  const posts = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST') {
      posts.push({ path: new URL(r.url()).pathname, status: r.status(), location: r.headers()['location'] || '' });
    }
  });

  // 1. A fresh browser: anonymous, and no reset since it was never signed in.
  w.phase = 'first visit';
  const first = await page.goto(url, { waitUntil: 'load' });
  t.ok(first && first.status() === 200, `GET / answers 200 (got ${first && first.status()})`);
  const csp = first ? (await first.allHeaders())['content-security-policy'] || '' : '';
  t.ok(/script-src[^;]*'nonce-[^']+'/.test(csp) && !/script-src[^;]*'unsafe-inline'/.test(csp),
    `GET / sends a nonce script-src CSP without 'unsafe-inline': ${csp || '(none)'}`);
  let p = await panels.waitFor(page, panels.settled, STEP_MS);
  t.ok(panels.all('anonymous')(p), `first visit: every panel anonymous (${panels.states(p)})`);

  // 2. Sign in through the form, as a person would.
  w.phase = 'signed in';
  const form = page.locator('form:has(input[name="user_id"])');
  await form.locator('input[name="user_id"]').fill(PERSON.user_id);
  await form.locator('[name="name"]').fill(PERSON.name);
  await form.locator('[name="email"]').fill(PERSON.email);
  await form.locator('[name="phone"]').fill(PERSON.phone);
  await form.locator('[name="company"]').fill(PERSON.company);
  await Promise.all([page.waitForEvent('load', { timeout: STEP_MS }), form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first().click()]);
  checkRedirect(t, posts, '/login');
  p = await panels.waitFor(page, panels.all('identified'), STEP_MS);
  t.ok(panels.all('identified')(p), `after sign-in: every panel identified (${panels.states(p)})`);
  checkReceived(t, p);
  await w.drain();
  checkToken(t, w, p);
  checkRecomputed(t, w, p);

  await page.screenshot({ path: shotPath, fullPage: true });
  t.log(`screenshot: ${shotPath}`);

  // 2b. The same page with a <base href> to another origin at its very end,
  // after every script: what chatident's scripts fetch later (the Zendesk
  // token) must still go to the page's own origin. The watch fails any
  // off-site request; every widget must be identified again.
  w.phase = 'base href';
  const evil = 'https://evil.example/';
  // The demo's policy says base-uri 'none', which would block the <base>:
  // the route drops that directive, as a page without it would be.
  const withBase = async (route) => {
    const r = await route.fetch();
    const body = (await r.text()).replace('</body>', `<base href="${evil}"></body>`);
    const headers = r.headers();
    headers['content-security-policy'] = (headers['content-security-policy'] || '').replace(/base-uri[^;]*;?\s*/, '');
    await route.fulfill({ response: r, body, headers });
  };
  await page.route(url, withBase);
  await page.reload({ waitUntil: 'load' });
  const baseURI = await page.evaluate(() => document.baseURI);
  t.ok(baseURI === evil, `base href: the page's base URL is the other origin (${baseURI})`);
  p = await panels.waitFor(page, panels.all('identified'), STEP_MS);
  t.ok(panels.all('identified')(p), `base href: every panel identified, tokens fetched from the page's origin (${panels.states(p)})`);
  t.ok(p.zendesk && p.zendesk.verified === 'true', `base href: zendesk: data-verified is "true" (got "${p.zendesk && p.zendesk.verified}")`);
  await w.drain();
  await page.unroute(url, withBase);
  await page.reload({ waitUntil: 'load' });
  await panels.waitFor(page, panels.all('identified'), STEP_MS);

  // 3. Sign out: the next page resets every widget once.
  w.phase = 'signed out';
  const signOut = page.locator('form[action$="logout"]').locator('button, input[type="submit"]').first();
  await Promise.all([page.waitForEvent('load', { timeout: STEP_MS }), signOut.click()]);
  checkRedirect(t, posts, '/logout');
  p = await panels.waitFor(page, panels.all('reset'), STEP_MS);
  t.ok(panels.all('reset')(p), `after sign-out: every panel reset (${panels.states(p)})`);

  // 4. Reload: the reset was a one-off; the browser is plainly anonymous now.
  w.phase = 'reload';
  await page.reload({ waitUntil: 'load' });
  p = await panels.waitFor(page, panels.settled, STEP_MS);
  t.ok(panels.all('anonymous')(p), `after reload: every panel anonymous, no second reset (${panels.states(p)})`);

  w.phase = 'end';
  await w.drain();
  checkQuiet(t, w);
}

function checkRedirect(t, posts, path) {
  const r = posts.filter((x) => x.path === path).pop();
  t.ok(r && r.status === 303 && new URL(r.location, 'http://x').pathname === '/',
    `POST ${path} answers 303 to / (got ${r ? `${r.status} ${r.location}` : 'no response'})`);
}

const VERIFIED = {
  webim: 'true', edna: 'n/a', helpcrunch: 'true', zendesk: 'true',
  intercom: 'true', crisp: 'true', tawkto: 'true', chatwoot: 'true', helpscout: 'true', front: 'true', drift: 'true', hubspot: 'true',
};

// NO_NAME are the widgets the demo sends no name to.
const NO_NAME = new Set(['hubspot']);

function checkReceived(t, p) {
  for (const v of panels.VENDORS) {
    if (!p[v]) {
      t.fail(`${v}: no element #standin-${v}`);
      continue;
    }
    t.ok(p[v].verified === VERIFIED[v], `${v}: data-verified is "${VERIFIED[v]}" (got "${p[v].verified}")`);
    let got;
    try {
      got = panels.received(v, p[v].received);
    } catch (err) {
      t.fail(`${v}: data-received is not the expected JSON: ${err.message}: ${p[v].received}`);
      continue;
    }
    if (!NO_NAME.has(v)) t.ok(got.name === PERSON.name, `${v}: received the name exactly (got ${JSON.stringify(got.name)})`);
    t.ok(got.email === PERSON.email, `${v}: received the email exactly (got ${JSON.stringify(got.email)})`);
    // Phone and company are sent only by the vendors that have a place for
    // them; where sent, they must be exact too.
    for (const f of ['phone', 'company']) {
      if (got[f] !== undefined) t.ok(got[f] === PERSON[f], `${v}: received the ${f} exactly (got ${JSON.stringify(got[f])})`);
    }
    t.ok(typeof got.id === 'string' && got.id !== '', `${v}: received an id (${JSON.stringify(got.id)})`);
  }
  // Webim's id and edna's clientId are opaque by default (VENDORS.md): a raw
  // id lets one visitor's signed object be stretched into another's (Webim),
  // and edna's clientId is a bearer credential that must hold no personal data.
  for (const v of ['webim', 'edna']) {
    if (!p[v]) continue;
    let id;
    try {
      id = String(panels.received(v, p[v].received).id || '');
    } catch {
      continue; // already reported above
    }
    const personal = [PERSON.user_id, PERSON.email, PERSON.phone, PERSON.name].filter((s) => id.includes(s));
    // Webim's opaque id starts with "u" (so that no shifted window of its
    // signed string has the form of an id); edna's is the bare hex.
    const form = v === 'webim' ? /^u[0-9a-f]{64}$/ : /^[0-9a-f]{64}$/;
    t.ok(form.test(id) && personal.length === 0,
      `${v}: the id is opaque (64 hex) and carries no user id or personal data (${JSON.stringify(id)})`);
  }
}

function base64urlJSON(s) {
  return JSON.parse(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
}

// checkToken: the Zendesk widget's JWT was fetched by the page itself from the
// token endpoint, and it is the token whose claims the widget shows.
function checkToken(t, w, p) {
  const issued = w.tokenResponses.filter((r) => r.phase === 'signed in' && r.status === 200);
  t.ok(issued.length > 0,
    `zendesk: the page fetched a token from /_chatident/…/token with 200 (saw ${w.tokenResponses.map((r) => `${r.method} ${r.url} ${r.status}`).join(', ') || 'no token request'})`);
  if (!issued.length) return;
  const r = issued[issued.length - 1];
  t.ok(r.byPage && (r.resourceType === 'fetch' || r.resourceType === 'xhr'),
    `zendesk: the token request came from the page's own script (${r.resourceType}, main frame: ${r.byPage})`);
  t.ok(/^application\/json\b/.test(r.contentType), `zendesk: token response is JSON (${r.contentType})`);
  t.ok(/\bno-store\b/.test(r.cacheControl), `zendesk: token response is not cached (Cache-Control: ${r.cacheControl})`);
  let claims;
  try {
    const jwt = JSON.parse(r.body).token;
    const parts = String(jwt).split('.');
    if (parts.length !== 3) throw new Error(`not a JWT: ${jwt}`);
    t.ok(base64urlJSON(parts[0]).alg === 'HS256', 'zendesk: token is HS256');
    claims = base64urlJSON(parts[1]);
  } catch (err) {
    t.fail(`zendesk: token response body: ${err.message}: ${r.body}`);
    return;
  }
  t.ok(claims.name === PERSON.name && claims.email === PERSON.email, 'zendesk: fetched token carries the exact name and email');
  try {
    const shown = JSON.parse(p.zendesk.received);
    const jtis = issued.map((x) => {
      try {
        return base64urlJSON(JSON.parse(x.body).token.split('.')[1]).jti;
      } catch {
        return undefined;
      }
    });
    if (shown.jti !== undefined) {
      t.ok(jtis.includes(shown.jti), `zendesk: the widget verified a token the page fetched (jti ${shown.jti})`);
    }
  } catch {
    // data-received problems are reported by checkReceived
  }
}

// checkRecomputed recomputes, from the secrets given to the demo, every
// derived value a widget received, so a run with both the library and the
// demo's verifiers wrong in the same way still fails. Skipped per value when
// its secret is not in the environment.
function checkRecomputed(t, w, p) {
  const env = process.env;
  const got = {};
  for (const v of panels.VENDORS) {
    try {
      got[v] = panels.received(v, p[v] && p[v].received);
    } catch {
      // reported by checkReceived
    }
  }
  if (env.CHATIDENT_WEBIM_KEY && got.webim) {
    const want = recompute.webimID(env.CHATIDENT_WEBIM_KEY, PERSON.user_id);
    t.ok(got.webim.id === want, `webim: id is "u" + HMAC-SHA256(IDKey, user id), recomputed with node's crypto (want ${want})`);
  }
  if (env.CHATIDENT_EDNA_KEY && got.edna) {
    const want = recompute.ednaClientID(env.CHATIDENT_EDNA_KEY, PERSON.user_id);
    t.ok(got.edna.id === want, `edna: clientId is HMAC-SHA256(key, user id), recomputed with node's crypto (want ${want})`);
  }
  if (env.CHATIDENT_HELPCRUNCH_SECRET && got.helpcrunch) {
    const u = got.helpcrunch.raw.user || got.helpcrunch.raw;
    const want = recompute.helpCrunchHash(env.CHATIDENT_HELPCRUNCH_SECRET, String(u.user_id));
    t.ok(u.security_hash === want, `helpcrunch: security_hash is HMAC-SHA256(secret, user_id), recomputed with node's crypto (want ${want})`);
  }
  if (env.CHATIDENT_ZENDESK_SECRET) {
    const issued = w.tokenResponses.filter((r) => r.phase === 'signed in' && r.status === 200);
    const valid = issued.filter((r) => {
      try {
        return recompute.jwtSignatureValid(env.CHATIDENT_ZENDESK_SECRET, JSON.parse(r.body).token);
      } catch {
        return false;
      }
    });
    t.ok(issued.length > 0 && valid.length === issued.length,
      `zendesk: every fetched token's HS256 signature verifies with node's crypto (${valid.length}/${issued.length})`);
  }
  checkWidgetsRecomputed(t, got, env);
}

// checkWidgetsRecomputed: the same for the eight widgets added after the
// first four, each signature recomputed over the value the widget received.
function checkWidgetsRecomputed(t, got, env) {
  const hmac = recompute.hmacHex;
  const jwt = (secret, token, what) => {
    t.ok(recompute.jwtSignatureValid(secret, token), `${what}: HS256 signature verifies with node's crypto`);
    return panels.jwtClaims(token);
  };
  if (env.CHATIDENT_INTERCOM_SECRET && got.intercom) {
    const c = jwt(env.CHATIDENT_INTERCOM_SECRET, got.intercom.raw.intercom_user_jwt, 'intercom: intercom_user_jwt');
    t.ok(c.user_id === PERSON.user_id, `intercom: user_id claim is the user id (${JSON.stringify(c.user_id)})`);
  }
  if (env.CHATIDENT_CRISP_SECRET && got.crisp) {
    const r = got.crisp.raw;
    t.ok(r.signature === hmac(env.CHATIDENT_CRISP_SECRET, r.email), 'crisp: user:email signature is HMAC-SHA256(secret, email), recomputed');
    t.ok(r.token_id === recompute.crispTokenID(env.CHATIDENT_CRISP_SECRET, PERSON.user_id), 'crisp: CRISP_TOKEN_ID is HMAC-SHA256(derived key, user id), recomputed');
  }
  if (env.CHATIDENT_TAWK_SECRET && got.tawkto) {
    const r = got.tawkto.raw;
    t.ok(r.hash === hmac(env.CHATIDENT_TAWK_SECRET, r.email), 'tawkto: hash is HMAC-SHA256(API key, email), recomputed');
  }
  if (env.CHATIDENT_CHATWOOT_SECRET && got.chatwoot) {
    const r = got.chatwoot.raw;
    t.ok(r.identifier === PERSON.user_id && r.identifier_hash === hmac(env.CHATIDENT_CHATWOOT_SECRET, r.identifier),
      'chatwoot: identifier_hash is HMAC-SHA256(hmac_token, identifier), recomputed');
  }
  if (env.CHATIDENT_HELPSCOUT_SECRET && got.helpscout) {
    const r = got.helpscout.raw;
    t.ok(r.signature === hmac(env.CHATIDENT_HELPSCOUT_SECRET, r.email), 'helpscout: signature is HMAC-SHA256(secure key, email), recomputed');
  }
  if (env.CHATIDENT_FRONT_SECRET && got.front) {
    const r = got.front.raw;
    t.ok(r.userId === PERSON.user_id && r.userHash === hmac(env.CHATIDENT_FRONT_SECRET, r.userId), 'front: userHash is HMAC-SHA256(secret, userId), recomputed');
  }
  if (env.CHATIDENT_DRIFT_SECRET && got.drift) {
    const c = jwt(env.CHATIDENT_DRIFT_SECRET, got.drift.raw.userJwt, 'drift: userJwt');
    t.ok(c.sub === PERSON.user_id && c.sub === got.drift.raw.user_id, `drift: sub is the user id identify got (${JSON.stringify(c.sub)})`);
  }
}

function list(xs, f) {
  return xs.map((x) => `\n    [${x.phase}] ${f(x)}`).join('');
}

function checkQuiet(t, w) {
  t.ok(w.dialogs.length === 0, `no dialog opened${list(w.dialogs, (d) => `${d.type}: ${d.message}`)}`);
  t.ok(w.cspViolations.length === 0,
    `no securitypolicyviolation event${list(w.cspViolations, (v) => `${v.directive} blocked ${v.blocked} at ${v.source} ${v.sample}`)}`);
  t.ok(w.consoleErrors.length === 0, `no console error${list(w.consoleErrors, (e) => `${e.text} ${e.at}`)}`);
  t.ok(w.pageErrors.length === 0, `no uncaught exception${list(w.pageErrors, (e) => e.text)}`);
  t.ok(w.failedRequests.length === 0, `no failed request${list(w.failedRequests, (r) => `${r.url}: ${r.error}`)}`);
  t.ok(w.offOrigin.length === 0, `no request outside the demo's origin${list(w.offOrigin, (r) => r.url)}`);
  t.ok(w.leaks.length === 0, `no server secret in any response${list(w.leaks, (l) => `${l.secret} in ${l.url}`)}`);
  const late = w.tokenResponses.filter((r) => r.phase !== 'signed in' && r.phase !== 'base href' && r.status === 200);
  t.ok(late.length === 0, `no token issued to the signed-out browser${list(late, (r) => r.url)}`);
  if (w.unreadable.length) t.log(`bodies not readable (not checked for secrets):${list(w.unreadable, (u) => u.url)}`);
}

if (require.main === module) {
  const [url, shotPath] = process.argv.slice(2);
  if (!url || !shotPath) {
    console.error('usage: node run.js <demo URL> <screenshot path>');
    process.exit(2);
  }
  const stop = { close: async () => {} };
  const watchdog = setTimeout(() => {
    console.error(`FAIL: the run took longer than ${WATCHDOG_MS} ms`);
    const bounded = new Promise((r) => setTimeout(r, 5_000));
    Promise.race([stop.close().catch(() => {}), bounded]).finally(() => process.exit(3));
  }, WATCHDOG_MS);
  main(url, shotPath, stop).then(
    (ok) => {
      clearTimeout(watchdog);
      process.exitCode = ok ? 0 : 1;
    },
    (err) => {
      clearTimeout(watchdog);
      console.error(`FAIL: ${err.stack || err}`);
      process.exitCode = 1;
    },
  );
}
