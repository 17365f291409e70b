// harness.js runs one vendor script the way a browser page would, against
// stub widget APIs, and prints what the widgets received as JSON.
//
// Input (stdin, JSON):
//   script        the JavaScript to run
//   stubs         dotted paths of recording functions to define before the
//                 script runs ("webim.api.onProvidedVisitorChanged", "zE")
//   onScriptLoad  {src: [paths]}: stubs that appear when a script element
//                 with that src "loads" (the widget's own script)
//   fetch         {url: {status, body}}: responses of the fetch stub
//   invoke        dotted paths of functions to call with a recording
//                 callback after the page has loaded ("zESettings.…jwtFn")
//   read          global names whose values to print
//   fireTimers    run each pending timer once after the load event
//   base          the page's URL (default https://site.example/page)
//   documentBase  the document's base URL, as a <base href> anywhere in the
//                 page sets it (default: base); script src and fetch
//                 resolve relative URLs against it, as browsers do
//   existingScripts  src of <script> elements the page already has
//
// Output (stdout, JSON): read (values), calls [{name, args}], fetches
// [{url (absolute), credentials}], scripts [src], timers [ms], callbacks [values],
// listeners [event types].
'use strict';
const vm = require('vm');

function main(input) {
  const out = { read: {}, calls: [], fetches: [], scripts: [], timers: [], callbacks: [], listeners: [] };
  const timers = [];
  const loadListeners = [];
  const captured = []; // functions handed to stubs, called later with a callback

  const plain = (v) => {
    if (typeof v === 'function') { captured.push(v); return '[function]'; }
    if (v && typeof v === 'object') {
      if (typeof v.length === 'number' && !Array.isArray(v)) v = Array.from(v); // arguments
      if (Array.isArray(v)) return v.map(plain);
      const o = {};
      for (const k of Object.keys(v)) o[k] = plain(v[k]);
      return o;
    }
    return v;
  };
  const recorder = (name) => function () {
    out.calls.push({ name, args: plain(Array.from(arguments)) });
  };

  const head = { appendChild(e) { out.scripts.push(e.src); pending.push(e); return e; } };
  const pending = [];
  const base = input.base || 'https://site.example/page';
  const docBase = input.documentBase || base;
  const pageOrigin = new URL(base).origin;
  const document = {
    readyState: 'loading',
    head,
    documentElement: head,
    createElement(tag) {
      const attrs = {};
      // As in a browser, src reads back resolved against the document's
      // base URL.
      let src = '';
      return {
        tagName: String(tag).toUpperCase(), setAttribute(k, v) { attrs[k] = v; }, async: false, onload: null,
        get src() { return src; },
        set src(v) { src = new URL(String(v), docBase).href; },
      };
    },
    getElementsByTagName() { return (input.existingScripts || []).map((u) => ({ src: new URL(u, docBase).href })); },
    querySelector() { return null; },
  };
  const sandbox = {
    document,
    location: { href: base, origin: pageOrigin },
    URL,
    setTimeout(fn, ms) { out.timers.push(ms); timers.push(fn); return timers.length; },
    clearTimeout() {},
    addEventListener(type, fn) { out.listeners.push(type); if (type === 'load') loadListeners.push(fn); },
    fetch(url, opts) {
      // Resolved as a browser does, against the document's base URL; the
      // responses are keyed by path on the page's own origin.
      const u = new URL(String(url), docBase);
      out.fetches.push({ url: u.href, credentials: opts && opts.credentials });
      const r = (u.origin === pageOrigin && (input.fetch || {})[u.pathname]) || { status: 404, body: { error: 'not found' } };
      return Promise.resolve({
        status: r.status, ok: r.status >= 200 && r.status < 300,
        json: () => Promise.resolve(JSON.parse(JSON.stringify(r.body))),
      });
    },
    console,
    atob, // a browser global the widgets' code may use (Intercom reads its JWT's user_id)
  };
  const ctx = vm.createContext(sandbox);
  vm.runInContext('globalThis.window = globalThis;', ctx);
  const define = (path) => {
    const parts = path.split('.');
    let o = sandbox;
    for (const p of parts.slice(0, -1)) { if (!o[p]) o[p] = {}; o = o[p]; }
    o[parts[parts.length - 1]] = recorder(path);
  };
  (input.stubs || []).forEach(define);

  vm.runInContext(input.script, ctx, { filename: 'vendor-script.js' });

  // The widget scripts the page asked for arrive, then the page has loaded.
  while (pending.length) {
    const e = pending.shift();
    ((input.onScriptLoad || {})[e.src] || []).forEach(define);
    if (typeof e.onload === 'function') e.onload();
  }
  document.readyState = 'complete';
  loadListeners.forEach((f) => f());

  return flush().then(() => {
    if (input.fireTimers) timers.splice(0).forEach((f) => f());
    return flush();
  }).then(() => {
    const cb = function (v) { out.callbacks.push(plain(v)); };
    for (const path of input.invoke || []) {
      let f = sandbox;
      for (const p of path.split('.')) f = f == null ? undefined : f[p];
      if (typeof f !== 'function') throw new Error('invoke: ' + path + ' is not a function');
      f(cb);
    }
    captured.splice(0).forEach((f) => f(cb));
    return flush();
  }).then(() => {
    for (const name of input.read || []) {
      const v = sandbox[name];
      out.read[name] = (typeof v === 'function' && v.q) ? plain(v.q) : (v === undefined ? null : plain(v));
    }
    out.listeners = out.listeners.filter((x, i, a) => a.indexOf(x) === i);
    return out;
  });
}

// flush lets every pending promise callback run.
function flush() {
  return new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));
}

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  main(JSON.parse(data)).then(
    (out) => { process.stdout.write(JSON.stringify(out)); },
    (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
});
