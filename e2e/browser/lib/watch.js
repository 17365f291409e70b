'use strict';
// Everything the page does that the test must see even when no step asks for
// it: console errors, uncaught exceptions, dialogs, Content-Security-Policy
// violations, failed requests, the Zendesk token requests and any secret that
// shows up in a response. Each record carries the phase of the flow it
// happened in, so a failure says "after sign-out" rather than just "somewhere".

// The token endpoint is mounted under the middleware's endpoint prefix; the
// Zendesk vendor serves it as "<prefix>zendesk/token".
const TOKEN_PATH = /^\/_chatident\/(?:.+\/)?token$/;

// watch attaches the listeners to page. secrets are the server-side secrets
// given to the demo: none of them may appear in anything the browser receives.
async function watch(page, origin, secrets) {
  const w = {
    phase: 'start',
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    cspViolations: [],
    failedRequests: [],
    tokenResponses: [],
    leaks: [],
    offOrigin: [],
    unreadable: [],
    pending: [],
  };

  // A binding, not a variable on window: the flow navigates (sign-in, sign-out,
  // reload) and a page-side array would be lost with each document.
  await page.exposeBinding('__chatidentE2ECSP', (source, v) => {
    w.cspViolations.push({ phase: w.phase, ...v });
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      // The binding is installed by the test before any page loads.
      window.__chatidentE2ECSP({
        directive: e.violatedDirective,
        blocked: e.blockedURI,
        sample: e.sample,
        source: `${e.sourceFile}:${e.lineNumber}`,
      });
    });
  });

  page.on('console', (m) => {
    if (m.type() === 'error') {
      const loc = m.location();
      w.consoleErrors.push({ phase: w.phase, text: m.text(), at: loc && loc.url ? `${loc.url}:${loc.lineNumber}` : '' });
    }
  });
  page.on('pageerror', (err) => w.pageErrors.push({ phase: w.phase, text: String(err && err.stack ? err.stack : err) }));
  page.on('dialog', (d) => {
    w.dialogs.push({ phase: w.phase, type: d.type(), message: d.message() });
    d.dismiss().catch(() => {});
  });
  page.on('requestfailed', (r) => {
    w.failedRequests.push({ phase: w.phase, url: r.url(), error: r.failure() ? r.failure().errorText : '' });
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== origin && u.protocol !== 'data:' && u.protocol !== 'blob:') {
      w.offOrigin.push({ phase: w.phase, url: r.url() });
    }
  });
  page.on('response', (resp) => {
    const phase = w.phase;
    const req = resp.request();
    const u = new URL(resp.url());
    if (u.origin !== origin) return;
    // Bodies are read asynchronously; drain() waits for them before the
    // verdict so a late leak is not missed.
    w.pending.push(
      (async () => {
        const headers = await resp.allHeaders().catch(() => ({}));
        let body = '';
        if (resp.status() < 300 || resp.status() >= 400) {
          body = await resp.text().catch(() => {
            w.unreadable.push({ phase, url: resp.url() });
            return '';
          });
        }
        const seen = JSON.stringify(headers) + '\n' + body;
        for (const [name, value] of secrets) {
          if (seen.includes(value)) w.leaks.push({ phase, url: resp.url(), secret: name });
        }
        if (TOKEN_PATH.test(u.pathname)) {
          w.tokenResponses.push({
            phase,
            url: resp.url(),
            method: req.method(),
            status: resp.status(),
            resourceType: req.resourceType(),
            byPage: isMainFrame(page, req),
            contentType: headers['content-type'] || '',
            cacheControl: headers['cache-control'] || '',
            body,
          });
        }
      })(),
    );
  });

  w.drain = async () => {
    while (w.pending.length) {
      const p = w.pending.splice(0);
      await Promise.all(p);
    }
  };
  return w;
}

// isMainFrame reports whether the page's own document made req (not a worker,
// not the test through page.request).
function isMainFrame(page, req) {
  try {
    return req.frame() === page.mainFrame();
  } catch {
    return false;
  }
}

module.exports = { watch, TOKEN_PATH };
