'use strict';
// check.js loads one page of the chatident demo into jsdom (a real HTML parser
// and JS engine), runs the page's scripts as a browser would, and checks what
// each chat widget would receive. examples/demo/site/e2e_jsdom_test.go drives it.
//
// Input, one JSON object on stdin (secrets never go on the command line):
//   phase    "identified" (signed in), "reset" (first page after sign-out) or
//            "anonymous" (any later page)
//   url      the page's URL; html the body the server sent; csp its
//            Content-Security-Policy header
//   cookie   the Cookie header the browser would send, for the fetch shim
//   secrets  {webimKey, ednaKey, helpcrunchSecret, zendeskSecret,
//            intercomSecret, crispSecret, tawkSecret, chatwootSecret,
//            helpscoutSecret, frontSecret, driftSecret, hubspotToken} as strings
//   visitor  {id, name, email, phone, company} as signed in
//   config   {webimIDKeyLabel, helpcrunchOrganization, helpcrunchAppId,
//            zendeskAccountKey, intercomAppId, crispWebsiteId, crispTokenLabel,
//            chatwootBase, chatwootToken, helpscoutBeaconId, frontChatId}
//   base     optional: a <base href> to add at the end of the body, after
//            every script, as a page could; what chatident's scripts fetch
//            must still go to the page's own origin
// Output: one JSON object on stdout, {phase, failures, observed}; the exit
// status is 0 when failures is empty, 1 when not, 2 when the check crashed.
//
// Nothing external loads: every script the page asks for is answered by a
// stub that stands for the vendor's widget and records what the widget would
// read. Every expected value is recomputed here with node's own crypto from
// the secrets, independently of the Go code under test.

const crypto = require('node:crypto');
const { isDeepStrictEqual } = require('node:util');
const { JSDOM, VirtualConsole, requestInterceptor } = require('jsdom');

// How long to wait for the page's asynchronous work (stub loads, the token
// fetch) before declaring it missing. It bounds a hang; it is not a timing
// assertion.
const SETTLE_LIMIT_MS = 15000;

// The tags the demo's template writes; anything else in the document came
// from somewhere it should not have.
const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'link', 'script', 'body', 'main', 'h1', 'h2', 'h3',
  'p', 'code', 'section', 'dl', 'dt', 'dd', 'strong', 'form', 'label', 'input', 'button',
  'div', 'pre',
]);

// The stand-in widget scripts the demo points the vendors at, by path.
const STUBS = {
  '/standin/webim.js': 'webim',
  '/standin/edna.js': 'edna',
  '/standin/helpcrunch.js': 'helpcrunch',
  '/standin/zendesk.js': 'zendesk',
  '/standin/intercom.js': 'intercom',
  '/standin/crisp.js': 'crisp',
  '/standin/tawkto.js': 'tawkto',
  '/standin/chatwoot.js': 'chatwoot',
  '/standin/helpscout.js': 'helpscout',
  '/standin/front.js': 'front',
  '/standin/drift.js': 'drift',
  '/standin/hubspot.js': 'hubspot',
};

// The widgets added after the first four, by vendor name.
const WIDGETS = ['intercom', 'crisp', 'tawkto', 'chatwoot', 'helpscout', 'front', 'drift', 'hubspot'];

function hmac(key, msg) {
  return crypto.createHmac('sha256', key).update(msg, 'utf8');
}
function hmacHex(key, msg) {
  return hmac(key, msg).digest('hex');
}

// copy takes a value out of the page's realm as plain data.
function copy(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function withLimit(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${SETTLE_LIMIT_MS} ms`)), SETTLE_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// nonEmpty drops empty values, as every vendor leaves them out.
function nonEmpty(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== '' && v !== undefined && v !== null) {
      out[k] = v;
    }
  }
  return out;
}

// verifyHS256 checks a compact JWT with node's crypto alone and returns its
// header and claims.
function verifyHS256(token, secret, who = 'the Zendesk secret') {
  if (typeof token !== 'string') {
    throw new Error(`token is ${typeof token}, not a string`);
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new Error(`token has ${parts.length} parts, not 3`);
  }
  const [h, p, sig] = parts;
  const want = hmac(secret, `${h}.${p}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) {
    throw new Error(`signature does not verify with ${who}`);
  }
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}

async function main() {
  const input = JSON.parse(await readStdin());
  const { phase, url, csp, cookie, secrets, visitor, config, base } = input;
  let { html } = input;
  const origin = new URL(url).origin;
  if (base) {
    // At the very end, so that the page's own resources load first; a
    // <base> anywhere still sets the document's base URL, which later
    // relative fetches resolve against.
    const at = html.lastIndexOf('</body>');
    html = html.slice(0, at) + `<base href="${base}">` + html.slice(at);
    ALLOWED_TAGS.add('base');
  }
  const failures = [];
  const fail = (msg) => failures.push(msg);
  const expectEqual = (got, want, what) => {
    if (!isDeepStrictEqual(got, want)) {
      fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  };

  const rec = {
    dialogs: [],
    errors: [],
    resources: [],
    fetches: [],
    webim: { loads: 0, atLoad: undefined, changed: [] },
    edna: { loads: 0, atLoad: undefined, reInit: [] },
    helpcrunch: { loads: 0, calls: [] },
    zendesk: { loads: 0, inits: [], logouts: 0 },
    intercom: { loads: 0, atLoad: undefined, queued: [], calls: [] },
    crisp: { loads: 0, atLoad: undefined, pushed: [] },
    tawkto: { loads: 0, atLoad: undefined, calls: [] },
    chatwoot: { loads: 0, runs: [], calls: [] },
    helpscout: { loads: 0, queued: [], calls: [] },
    front: { loads: 0, calls: [] },
    drift: { loads: 0, queued: [], calls: [] },
    hubspot: { loads: 0, atLoad: undefined, calls: [], settingsAtLoad: [] },
  };
  const zendeskInits = []; // the live options objects, to call jwt_fn

  // loaded runs when the page loads a stand-in: it plays the real widget,
  // reading what that widget reads and defining the API it defines.
  function loaded(window, vendor) {
    switch (vendor) {
      case 'webim': {
        rec.webim.loads++;
        rec.webim.atLoad = copy(window.webim_visitor);
        rec.webim.settings = copy(window.webim);
        if (!window.webim || typeof window.webim !== 'object') {
          window.webim = {};
        }
        window.webim.api = {
          onProvidedVisitorChanged() {
            rec.webim.changed.push(copy(window.webim_visitor) ?? null);
          },
        };
        break;
      }
      case 'edna': {
        rec.edna.loads++;
        rec.edna.atLoad = {
          clientId: copy(window.clientId),
          clientData: copy(window.clientData),
          extendedAuth: copy(window.extendedAuth),
        };
        window.ThreadsWidget = {
          reInit(options) {
            rec.edna.reInit.push(copy(options) ?? null);
          },
        };
        break;
      }
      case 'helpcrunch': {
        rec.helpcrunch.loads++;
        const queued = (window.HelpCrunch && window.HelpCrunch.q) || [];
        for (const args of queued) {
          rec.helpcrunch.calls.push(copy(Array.from(args)));
        }
        window.HelpCrunch = function (...args) {
          rec.helpcrunch.calls.push(copy(args));
        };
        break;
      }
      case 'intercom': {
        // The Messenger boots from intercomSettings, then runs its queue.
        const r = rec.intercom;
        r.loads++;
        r.atLoad = copy(window.intercomSettings);
        r.queued = copy(Array.from((window.Intercom && window.Intercom.q) || [], (a) => Array.from(a)));
        window.Intercom = function (...args) { r.calls.push(copy(args)); };
        break;
      }
      case 'crisp': {
        // l.js reads the ids and runs the $crisp queue.
        const r = rec.crisp;
        r.loads++;
        r.atLoad = {
          websiteId: copy(window.CRISP_WEBSITE_ID),
          tokenId: copy(window.CRISP_TOKEN_ID),
          queue: copy(Array.from(window.$crisp || [])),
        };
        window.$crisp = { push(c) { r.pushed.push(copy(c)); } };
        break;
      }
      case 'tawkto': {
        // The embed reads Tawk_API.visitor, defines the API, calls onLoad.
        const r = rec.tawkto;
        r.loads++;
        const api = window.Tawk_API = window.Tawk_API || {};
        r.atLoad = copy(api.visitor);
        for (const m of ['setAttributes', 'login', 'logout']) {
          api[m] = function (...args) { r.calls.push([m, ...copy(args.filter((a) => typeof a !== 'function'))]); };
        }
        if (typeof api.onLoad === 'function') {
          api.onLoad();
        }
        break;
      }
      case 'chatwoot': {
        // sdk.js defines chatwootSDK; run() makes $chatwoot and fires
        // chatwoot:ready.
        const r = rec.chatwoot;
        r.loads++;
        window.chatwootSDK = {
          run(options) {
            r.runs.push(copy(options));
            window.$chatwoot = {
              hasLoaded: true,
              setUser(...args) { r.calls.push(['setUser', ...copy(args)]); },
              reset() { r.calls.push(['reset']); },
            };
            window.dispatchEvent(new window.Event('chatwoot:ready'));
          },
        };
        break;
      }
      case 'helpscout': {
        const r = rec.helpscout;
        r.loads++;
        r.queued = copy((window.Beacon && window.Beacon.readyQueue) || []);
        window.Beacon = function (...args) { r.calls.push(copy(args)); };
        break;
      }
      case 'front': {
        const r = rec.front;
        r.loads++;
        window.FrontChat = function (...args) { r.calls.push(copy(args)); };
        break;
      }
      case 'drift': {
        const r = rec.drift;
        r.loads++;
        r.queued = copy(Array.from(window.drift || []));
        const api = { init: true };
        for (const m of ['identify', 'reset', 'config', 'track', 'show', 'hide', 'on', 'off', 'page', 'ping', 'debug']) {
          api[m] = function (...args) { r.calls.push([m, ...copy(args)]); return api; };
        }
        window.drift = window.driftt = api;
        break;
      }
      case 'hubspot': {
        // The loader reads hsConversationsSettings, defines the API and runs
        // hsConversationsOnReady; loadImmediately (default true) loads.
        const r = rec.hubspot;
        r.loads++;
        r.atLoad = copy(window.hsConversationsSettings);
        let loadedWidget = false;
        window.HubSpotConversations = {
          widget: {
            load() { loadedWidget = true; r.calls.push(['load']); r.settingsAtLoad.push(copy(window.hsConversationsSettings) ?? null); },
            remove() { loadedWidget = false; r.calls.push(['remove']); },
            status() { return { loaded: loadedWidget }; },
          },
          clear(options) { r.calls.push(['clear', copy(options)]); },
        };
        const s = window.hsConversationsSettings || {};
        if (s.loadImmediately !== false) {
          window.HubSpotConversations.widget.load();
        }
        for (const f of window.hsConversationsOnReady || []) {
          f();
        }
        break;
      }
      case 'zendesk': {
        rec.zendesk.loads++;
        window.zChat = {
          init(options) {
            zendeskInits.push(options);
            rec.zendesk.inits.push(copy(options));
          },
          logout() {
            rec.zendesk.logouts++;
          },
        };
        break;
      }
    }
  }

  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e) => rec.errors.push(String(e && (e.stack || e.message) || e)));

  const dom = new JSDOM(html, {
    url,
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    virtualConsole,
    resources: {
      interceptors: [
        requestInterceptor((request) => {
          const u = new URL(request.url);
          rec.resources.push(request.url);
          if (u.origin === origin && STUBS[u.pathname]) {
            const body = `window.__e2eLoaded(${JSON.stringify(STUBS[u.pathname])});`;
            return new Response(body, { headers: { 'Content-Type': 'text/javascript' } });
          }
          if (u.origin === origin && u.pathname === '/standin/demo.css') {
            return new Response('', { headers: { 'Content-Type': 'text/css' } });
          }
          fail(`the page asked for an unexpected resource: ${request.url}`);
          return new Response('', { status: 404 });
        }),
      ],
    },
    beforeParse(window) {
      window.__e2eLoaded = (vendor) => loaded(window, vendor);
      for (const name of ['alert', 'confirm', 'prompt', 'print']) {
        window[name] = (...args) => {
          rec.dialogs.push({ name, args: args.map(String) });
        };
      }
      // jsdom has no fetch; this one sends what a browser would for a
      // same-origin request with credentials: the page's cookies.
      // A relative URL resolves against the document's base URL, as in a
      // browser.
      window.fetch = (resource, init = {}) => {
        const target = new URL(String(resource), window.document.baseURI);
        const entry = { url: target.href, method: init.method || 'GET', credentials: init.credentials };
        rec.fetches.push(entry);
        if (target.origin !== origin) {
          fail(`a fetch went to another origin: ${target.href}`);
          return Promise.reject(new window.TypeError(`cross-origin fetch of ${target.href}`));
        }
        const headers = Object.assign({}, init.headers || {}, { 'Sec-Fetch-Site': 'same-origin' });
        if (init.credentials !== 'omit' && cookie) {
          headers.Cookie = cookie;
        }
        return fetch(target, { method: entry.method, headers, body: init.body, redirect: 'manual' }).then((r) => {
          entry.status = r.status;
          return r;
        });
      };
    },
  });
  const { window } = dom;
  const { document } = window;

  await withLimit(new Promise((resolve) => {
    if (document.readyState === 'complete') {
      resolve();
    } else {
      window.addEventListener('load', () => resolve());
    }
  }), 'the load event');
  // Let the load listeners the page's scripts added (the resets wait for
  // the widgets' APIs) run before looking.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));

  // ---- What no page may contain ----------------------------------------
  if (rec.dialogs.length) {
    fail(`a dialog was opened (script injection): ${JSON.stringify(rec.dialogs)}`);
  }
  if (rec.errors.length) {
    fail(`page scripts threw: ${rec.errors.join(' | ')}`);
  }
  const nonceMatch = /'nonce-([^']+)'/.exec(csp || '');
  if (!nonceMatch) {
    fail(`the Content-Security-Policy has no nonce: ${csp}`);
  }
  const nonce = nonceMatch ? nonceMatch[1] : null;
  const inline = [];
  for (const s of document.querySelectorAll('script')) {
    if (s.hasAttribute('src')) {
      const src = new URL(s.getAttribute('src'), url);
      if (src.origin !== origin || !STUBS[src.pathname]) {
        fail(`a script loads from ${src.href}, which is not a stand-in`);
      }
    } else {
      inline.push(s);
      if (s.getAttribute('nonce') !== nonce) {
        fail(`an inline script without the page's nonce ran: ${JSON.stringify(s.textContent.slice(0, 120))}`);
      }
    }
  }
  if (inline.length !== 1) {
    fail(`want exactly one inline script (chatident's), got ${inline.length}`);
  } else {
    const s = inline[0];
    if (document.head.firstElementChild !== s) {
      fail('chatident\'s script is not the first element in <head> (the default placement)');
    }
    if (!/^[\x00-\x7f]*$/.test(s.textContent)) {
      fail('chatident\'s script is not ASCII-only');
    }
  }
  const edna = document.querySelector('script[src="/standin/edna.js"]');
  if (!edna || edna.getAttribute('nonce') !== nonce) {
    fail('the page\'s edna init script is missing or lacks the nonce');
  }
  for (const el of document.querySelectorAll('*')) {
    if (!ALLOWED_TAGS.has(el.localName)) {
      fail(`unexpected <${el.localName}> element in the page`);
    }
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) {
        fail(`unexpected ${a.name} attribute on <${el.localName}>`);
      }
    }
  }
  for (const v of ['webim', 'edna', 'helpcrunch', 'zendesk', ...WIDGETS]) {
    const panel = document.getElementById(`standin-${v}`);
    if (!panel || panel.parentElement.className !== 'standins') {
      fail(`the ${v} stand-in panel is missing or misplaced (has the page been cut short?)`);
    }
  }
  for (const [k, v] of Object.entries(secrets)) {
    if (html.includes(v)) {
      fail(`the page contains the secret ${k}`);
    }
  }

  if (base && document.baseURI !== base) {
    fail(`the added <base> did not take effect: document.baseURI is ${document.baseURI}`);
  }

  const observed = { rec };
  if (phase === 'identified') {
    await checkIdentified();
  } else {
    checkSignedOut(phase === 'reset');
  }

  // ---- Signed in ---------------------------------------------------------
  async function checkIdentified() {
    const strong = document.querySelector('.session strong');
    expectEqual(strong && strong.textContent, visitor.name || visitor.id, 'the page\'s "signed in as" name');
    if (document.querySelector('form[action="/logout"]') === null) {
      fail('the sign-out form is missing');
    }
    const now = Math.floor(Date.now() / 1000);

    // Webim: window.webim_visitor before button.js runs.
    const idKey = hmac(secrets.webimKey, config.webimIDKeyLabel).digest();
    // The opaque id is "u" and the hex HMAC; the login is the user id
    // between "[[" and "]]" (its own brackets turned round); and when the
    // last value would put a digit right before expires, profile_url
    // "about:blank" follows (vendors/webim_recut.go).
    const wantFields = nonEmpty({
      display_name: visitor.name,
      email: visitor.email,
      id: 'u' + hmacHex(idKey, visitor.id),
      login: '[[' + visitor.id.replace(/\[/g, '(').replace(/\]/g, ')') + ']]',
      phone: visitor.phone,
    });
    const lastValue = Object.keys(wantFields).sort().map((k) => wantFields[k]).pop();
    if (/[0-9]$/.test(lastValue)) {
      wantFields.profile_url = 'about:blank';
    }
    expectEqual(rec.webim.loads, 1, 'webim: loader loads');
    const wv = rec.webim.atLoad;
    if (!wv || typeof wv !== 'object') {
      fail(`webim: window.webim_visitor is ${JSON.stringify(wv)} when the loader runs`);
    } else {
      expectEqual(wv.fields, wantFields, 'webim: fields');
      if (!Number.isInteger(wv.expires) || wv.expires <= now || wv.expires > now + 24 * 3600) {
        fail(`webim: expires ${wv.expires} is not a unix time in the next day`);
      }
      const names = Object.keys(wv.fields || {}).sort();
      const signed = names.map((n) => wv.fields[n]).join('') + String(wv.expires);
      expectEqual(wv.hash, hmacHex(secrets.webimKey, signed), 'webim: hash (HMAC-SHA256 with the private key)');
    }
    expectEqual(rec.webim.changed, [], 'webim: onProvidedVisitorChanged calls');

    // edna: window.clientId and window.clientData before the init code.
    expectEqual(rec.edna.loads, 1, 'edna: init code loads');
    const ea = rec.edna.atLoad || {};
    expectEqual(ea.clientId, hmacHex(secrets.ednaKey, visitor.id), 'edna: clientId (HMAC-SHA256 of the user id)');
    if (typeof ea.clientData !== 'string') {
      fail(`edna: clientData is ${JSON.stringify(ea.clientData)}, not a JSON string`);
    } else {
      expectEqual(JSON.parse(ea.clientData), nonEmpty({ name: visitor.name, phone: visitor.phone, email: visitor.email }), 'edna: clientData');
    }
    expectEqual(ea.extendedAuth, undefined, 'edna: extendedAuth');
    expectEqual(rec.edna.reInit, [], 'edna: reInit calls');

    // HelpCrunch: the init call's user object.
    expectEqual(rec.helpcrunch.loads, 1, 'helpcrunch: widget loads');
    const inits = rec.helpcrunch.calls.filter((c) => c[0] === 'init');
    expectEqual(inits.length, 1, 'helpcrunch: init calls');
    if (inits.length === 1) {
      const [, organization, settings] = inits[0];
      expectEqual(organization, config.helpcrunchOrganization, 'helpcrunch: organization');
      expectEqual(settings && settings.appId, config.helpcrunchAppId, 'helpcrunch: appId');
      // The opaque user_id (the default): HMAC-SHA256(secret, id), and the
      // security_hash over that user_id.
      const userID = hmacHex(secrets.helpcrunchSecret, visitor.id);
      expectEqual(settings && settings.user, nonEmpty({
        user_id: userID,
        name: visitor.name,
        email: visitor.email,
        phone: visitor.phone,
        company: visitor.company,
        security_hash: hmacHex(secrets.helpcrunchSecret, userID),
      }), 'helpcrunch: user');
    }
    expectEqual(rec.helpcrunch.calls.filter((c) => c[0] === 'logout').length, 0, 'helpcrunch: logout calls');

    // Zendesk: zChat.init's jwt_fn fetches the token from the site.
    expectEqual(rec.zendesk.loads, 1, 'zendesk: SDK loads');
    expectEqual(rec.zendesk.inits.length, 1, 'zendesk: zChat.init calls');
    expectEqual(rec.zendesk.logouts, 0, 'zendesk: zChat.logout calls');
    if (zendeskInits.length === 1) {
      const opts = zendeskInits[0];
      expectEqual(opts.account_key, config.zendeskAccountKey, 'zendesk: account_key');
      const jwtFn = opts.authentication && opts.authentication.jwt_fn;
      if (typeof jwtFn !== 'function') {
        fail('zendesk: authentication.jwt_fn is not a function');
      } else {
        const tokens = [];
        for (let i = 0; i < 2; i++) {
          try {
            tokens.push(await withLimit(new Promise((resolve) => jwtFn(resolve)), 'zendesk: jwt_fn callback'));
          } catch (e) {
            fail(String(e.message || e));
          }
        }
        observed.tokenFetches = copy(rec.fetches);
        const tokenFetches = rec.fetches.filter((f) => f.url.startsWith(origin + '/'));
        expectEqual(tokenFetches.length, 2, 'zendesk: token fetches (one per jwt_fn call)');
        for (const f of tokenFetches) {
          if (f.credentials !== 'include' && f.credentials !== 'same-origin') {
            fail(`zendesk: token fetch credentials ${f.credentials}: the session cookie would not be sent`);
          }
          expectEqual(f.status, 200, `zendesk: token endpoint status (${f.url})`);
        }
        const jtis = [];
        for (const token of tokens) {
          try {
            const { header, claims } = verifyHS256(token, secrets.zendeskSecret);
            expectEqual(header.alg, 'HS256', 'zendesk: JWT alg');
            expectEqual(Object.keys(claims).sort(), ['email', 'exp', 'external_id', 'iat', 'jti', 'name'], 'zendesk: JWT claim names');
            expectEqual(claims.name, visitor.name || visitor.email, 'zendesk: name');
            expectEqual(claims.email, visitor.email, 'zendesk: email');
            expectEqual(claims.external_id, visitor.id, 'zendesk: external_id');
            if (!Number.isInteger(claims.iat) || Math.abs(claims.iat - now) > 120) {
              fail(`zendesk: iat ${claims.iat} is not now (${now}) within Zendesk's 2 minutes`);
            }
            if (!Number.isInteger(claims.exp) || claims.exp <= claims.iat || claims.exp - claims.iat > 420) {
              fail(`zendesk: exp ${claims.exp} is not within 7 minutes after iat ${claims.iat}`);
            }
            if (typeof claims.jti !== 'string' || claims.jti.length < 16) {
              fail(`zendesk: jti ${JSON.stringify(claims.jti)} is not a random id`);
            }
            jtis.push(claims.jti);
            observed.zendeskClaims = claims;
          } catch (e) {
            fail(`zendesk: ${e.message}`);
          }
        }
        if (jtis.length === 2 && jtis[0] === jtis[1]) {
          fail('zendesk: two tokens share one jti');
        }
      }
    }
    await checkWidgetsIdentified(now);
  }

  // The eight widgets added after the first four, signed in: each read
  // exactly what its vendor reads, signed over the values as received.
  async function checkWidgetsIdentified(now) {
    for (const v of WIDGETS) {
      expectEqual(rec[v].loads, 1, `${v}: widget script loads`);
    }
    // Intercom, JWT mode: only app_id, api_base and intercom_user_jwt.
    const is = rec.intercom.atLoad || {};
    expectEqual(Object.keys(is).sort(), ['api_base', 'app_id', 'intercom_user_jwt'], 'intercom: intercomSettings keys');
    expectEqual(is.app_id, config.intercomAppId, 'intercom: app_id');
    expectEqual(is.api_base, 'https://api-iam.intercom.io', 'intercom: api_base');
    try {
      const { header, claims } = verifyHS256(is.intercom_user_jwt, secrets.intercomSecret, 'the Intercom secret');
      expectEqual(header, { alg: 'HS256', typ: 'JWT' }, 'intercom: JWT header');
      expectEqual(claims.user_id, visitor.id, 'intercom: user_id');
      expectEqual(claims.email, visitor.email, 'intercom: email');
      expectEqual(claims.name, visitor.name, 'intercom: name');
      if (!Number.isInteger(claims.exp) || claims.exp <= now || claims.exp > now + 3600 + 120) {
        fail(`intercom: exp ${claims.exp} is not within the next hour`);
      }
    } catch (e) {
      fail(`intercom: ${e.message}`);
    }
    expectEqual(rec.intercom.queued, [], 'intercom: queued calls');

    // Crisp: ids before l.js, the signed e-mail in the queue.
    const cr = rec.crisp.atLoad || {};
    const crispTokenKey = hmac(secrets.crispSecret, config.crispTokenLabel).digest();
    expectEqual(cr.websiteId, config.crispWebsiteId, 'crisp: CRISP_WEBSITE_ID');
    expectEqual(cr.tokenId, hmacHex(crispTokenKey, visitor.id), 'crisp: CRISP_TOKEN_ID (HMAC of the user id)');
    expectEqual(cr.queue, [
      ['set', 'user:email', [visitor.email, hmacHex(secrets.crispSecret, visitor.email)]],
      ['set', 'user:nickname', [visitor.name]],
      ['set', 'user:phone', [visitor.phone]],
    ], 'crisp: $crisp queue');

    // tawk.to: Tawk_API.visitor before the embed.
    expectEqual(rec.tawkto.atLoad, { name: visitor.name, email: visitor.email, hash: hmacHex(secrets.tawkSecret, visitor.email) }, 'tawkto: Tawk_API.visitor');
    expectEqual(rec.tawkto.calls, [], 'tawkto: API calls');

    // Chatwoot: run, then setUser after chatwoot:ready.
    expectEqual(rec.chatwoot.runs, [{ websiteToken: config.chatwootToken, baseUrl: config.chatwootBase }], 'chatwoot: chatwootSDK.run');
    expectEqual(rec.chatwoot.calls, [['setUser', visitor.id, nonEmpty({
      email: visitor.email, name: visitor.name, phone_number: visitor.phone,
      identifier_hash: hmacHex(secrets.chatwootSecret, visitor.id),
    })]], 'chatwoot: calls');

    // Help Scout: init, then identify with the signature of the e-mail.
    expectEqual(rec.helpscout.queued, [
      { method: 'init', options: config.helpscoutBeaconId },
      { method: 'identify', options: nonEmpty({ name: visitor.name, email: visitor.email, company: visitor.company, signature: hmacHex(secrets.helpscoutSecret, visitor.email) }) },
    ], 'helpscout: Beacon queue');

    // Front: init with the userHash of the user id.
    expectEqual(rec.front.calls, [['init', nonEmpty({
      chatId: config.frontChatId, useDefaultLauncher: true, userId: visitor.id,
      userHash: hmacHex(secrets.frontSecret, visitor.id), email: visitor.email, name: visitor.name,
    })]], 'front: FrontChat calls');

    // Drift: identify(user id, attributes, {userJwt}) with sub = user id.
    const dq = rec.drift.queued;
    expectEqual(dq.length, 1, 'drift: queued calls');
    if (dq.length === 1) {
      const [method, userId, attrs, opts] = dq[0];
      expectEqual([method, userId, attrs], ['identify', visitor.id, nonEmpty({ email: visitor.email, name: visitor.name })], 'drift: identify');
      try {
        const { claims } = verifyHS256(opts && opts.userJwt, secrets.driftSecret, 'the Drift signing key');
        expectEqual(claims.sub, visitor.id, 'drift: sub');
        if (!Number.isInteger(claims.exp) || claims.exp <= now || claims.exp > now + 300 + 120) {
          fail(`drift: exp ${claims.exp} is not within the next five minutes`);
        }
      } catch (e) {
        fail(`drift: ${e.message}`);
      }
    }

    // HubSpot: the settings before the loader, then widget.load(); the
    // token is HubSpot's (here the demo's stand-in of its API), so ask it.
    const hs = rec.hubspot.atLoad || {};
    expectEqual(Object.keys(hs).sort(), ['identificationEmail', 'identificationToken', 'loadImmediately'], 'hubspot: settings keys');
    expectEqual(hs.loadImmediately, false, 'hubspot: loadImmediately');
    expectEqual(hs.identificationEmail, visitor.email, 'hubspot: identificationEmail');
    expectEqual(rec.hubspot.calls, [['load']], 'hubspot: API calls');
    const res = await fetch(`${origin}/standin/hubspot/verify`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: hs.identificationEmail, token: hs.identificationToken }),
    });
    const verdict = await res.json();
    expectEqual(verdict.verified, true, `hubspot: the token belongs to the e-mail (${verdict.problem || ''})`);
  }


  // ---- Signed out --------------------------------------------------------
  function checkSignedOut(wantReset) {
    if (document.querySelector('.session') !== null) {
      fail('the page still shows a signed-in session');
    }
    if (document.querySelector('form[action="/login"]') === null) {
      fail('the sign-in form is missing');
    }
    const resets = wantReset ? 1 : 0;
    const what = wantReset ? 'the first page after sign-out' : 'a later anonymous page';

    const wv = copy(window.webim_visitor);
    if (wv !== undefined && wv !== null) {
      fail(`webim: window.webim_visitor is ${JSON.stringify(wv)} on ${what}`);
    }
    expectEqual(rec.webim.changed.length, resets, `webim: onProvidedVisitorChanged calls on ${what}`);
    for (const v of rec.webim.changed) {
      expectEqual(v, null, 'webim: window.webim_visitor when onProvidedVisitorChanged runs');
    }

    const ea = rec.edna.atLoad || {};
    if (ea.clientId !== undefined && ea.clientId !== '') {
      fail(`edna: clientId is ${JSON.stringify(ea.clientId)} on ${what}`);
    }
    if (ea.clientData !== undefined) {
      fail(`edna: clientData is ${JSON.stringify(ea.clientData)} on ${what}`);
    }
    expectEqual(rec.edna.reInit, wantReset ? [{ clientId: '' }] : [], `edna: reInit calls on ${what}`);

    const calls = rec.helpcrunch.calls;
    expectEqual(calls.filter((c) => c[0] === 'logout').length, resets, `helpcrunch: logout calls on ${what}`);
    for (const c of calls.filter((c) => c[0] === 'init')) {
      if (c[2] && c[2].user !== undefined) {
        fail(`helpcrunch: init carries a user on ${what}: ${JSON.stringify(c[2].user)}`);
      }
    }

    expectEqual(rec.zendesk.logouts, resets, `zendesk: zChat.logout calls on ${what}`);
    for (const o of rec.zendesk.inits) {
      if (o && o.authentication !== undefined) {
        fail(`zendesk: zChat.init has authentication on ${what}`);
      }
    }
    const tokenFetches = rec.fetches.filter((f) => f.url.startsWith(origin + '/'));
    expectEqual(tokenFetches.length, 0, `token fetches on ${what}`);

    // The eight further widgets: no identity anywhere, each reset once on
    // the first page after sign-out.
    const anonIntercom = { app_id: config.intercomAppId, api_base: 'https://api-iam.intercom.io' };
    expectEqual(rec.intercom.atLoad, anonIntercom, `intercom: intercomSettings on ${what}`);
    expectEqual(rec.intercom.queued, wantReset ? [['shutdown'], ['boot', anonIntercom]] : [], `intercom: queued calls on ${what}`);
    const cr = rec.crisp.atLoad || {};
    expectEqual(cr.tokenId, undefined, `crisp: CRISP_TOKEN_ID on ${what}`);
    expectEqual(cr.queue, wantReset ? [['do', 'session:reset']] : [], `crisp: $crisp queue on ${what}`);
    expectEqual(rec.tawkto.atLoad, undefined, `tawkto: Tawk_API.visitor on ${what}`);
    expectEqual(rec.tawkto.calls, wantReset ? [['logout']] : [], `tawkto: API calls on ${what}`);
    expectEqual(rec.chatwoot.calls, wantReset ? [['reset']] : [], `chatwoot: calls on ${what}`);
    expectEqual(rec.helpscout.queued.map((c) => c.method), wantReset ? ['init', 'logout', 'reset'] : ['init'], `helpscout: Beacon queue on ${what}`);
    const frontInit = ['init', { chatId: config.frontChatId, useDefaultLauncher: true }];
    expectEqual(rec.front.calls, wantReset ? [['shutdown', { clearSession: true }], frontInit] : [frontInit], `front: FrontChat calls on ${what}`);
    expectEqual(rec.drift.queued, wantReset ? [['reset']] : [], `drift: queued calls on ${what}`);
    const hs = rec.hubspot.atLoad || {};
    if (hs.identificationEmail !== undefined || hs.identificationToken !== undefined) {
      fail(`hubspot: identification fields on ${what}: ${JSON.stringify(hs)}`);
    }
    expectEqual(rec.hubspot.calls.filter((c) => c[0] === 'clear'), wantReset ? [['clear', { resetWidget: true }]] : [], `hubspot: clear calls on ${what}`);
  }

  window.close(); // stops the page's timers (the Webim refresh) so node exits
  process.stdout.write(JSON.stringify({ phase, failures, observed }, null, 2) + '\n');
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ crashed: String(e && (e.stack || e)) }) + '\n');
  process.exitCode = 2;
});
