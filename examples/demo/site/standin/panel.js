// Shared by every stand-in widget of the chatident demo. The demo serves each
// stand-in (/standin/<vendor>.js) as one script: this file, then the vendor's
// own file, inside one function scope (see standin.go), so the stand-ins load
// in any order, asynchronously, without a global of their own.

// whenReady runs f once the document has been parsed.
function whenReady(f) {
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', f);
  } else {
    f();
  }
}

// Panel is one vendor's panel on the page, #standin-<vendor>. resets counts
// the reset calls the stand-in has seen; the vendor's code increments it.
function Panel(vendor, title) {
  this.vendor = vendor;
  this.title = title;
  this.resets = 0;
}

// element finds the page's panel or, on a page without one, makes it.
Panel.prototype.element = function () {
  var el = document.getElementById('standin-' + this.vendor);
  if (!el) {
    el = document.createElement('section');
    el.id = 'standin-' + this.vendor;
    el.className = 'standin';
    var h = document.createElement('h3');
    h.textContent = this.title;
    el.appendChild(h);
    document.body.appendChild(el);
  }
  return el;
};

// show renders with textContent only: every value is someone's input.
// received goes into data-received as it arrived; printed, when given, is
// what the panel prints instead (edna's clientData parsed, for reading).
Panel.prototype.show = function (state, verified, received, text, printed) {
  var el = this.element();
  el.setAttribute('data-state', state);
  el.setAttribute('data-verified', verified);
  el.setAttribute('data-received', JSON.stringify(received));
  el.setAttribute('data-resets', String(this.resets));
  var status = el.querySelector('.standin-status');
  if (!status) {
    status = document.createElement('p');
    status.className = 'standin-status';
    el.appendChild(status);
  }
  status.textContent = text;
  var pre = el.querySelector('.standin-received');
  if (!pre) {
    pre = document.createElement('pre');
    pre.className = 'standin-received';
    el.appendChild(pre);
  }
  var shown = printed === undefined ? received : printed;
  pre.textContent = shown === null ? '' : JSON.stringify(shown, null, 2);
};

// askVendor posts body to the demo's stand-in of the vendor's server, which
// holds the key, and resolves to its verdict.
// The URL is built from location.href, not left relative: a <base href>
// in the page would otherwise send it elsewhere.
function askVendor(vendor, body) {
  return fetch(new URL('/standin/' + vendor + '/verify', location.href).href, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)
  }).then(function (r) { return r.json(); });
}

// The helpers below serve the stand-ins of the eight widgets added after the
// first four; each keeps the latest call only (gen), as the stand-ins above
// do with their own generation counters.

// check shows received as waiting, asks the vendor's stand-in server to
// check body, and shows its verdict; what names the signature.
Panel.prototype.check = function (received, body, who, what) {
  var self = this;
  var mine = this.gen = (this.gen || 0) + 1;
  this.show('waiting', 'n/a', received, 'Identity received; asking the stand-in server to check ' + what + '…');
  askVendor(this.vendor, body).then(function (verdict) {
    if (mine !== self.gen) { return; }
    if (verdict.verified) {
      self.show('identified', 'true', received, 'Identified as ' + who + '; ' + what + ' verifies.');
    } else {
      self.show('identified', 'false', received, 'Identified as ' + who + ', but ' + what + ' does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
    }
  }, function (err) {
    if (mine !== self.gen) { return; }
    self.show('identified', 'false', received, 'Could not reach the stand-in server: ' + err);
  });
};

// anonymous shows a widget without identity: after a reset it says so.
Panel.prototype.anonymous = function (text) {
  this.gen = (this.gen || 0) + 1;
  if (this.resets > 0) {
    this.show('reset', 'n/a', null, 'Signed out: the widget was reset and is now anonymous.');
  } else {
    this.show('anonymous', 'n/a', null, text);
  }
};

// reset counts a reset call and shows it.
Panel.prototype.reset = function (text) {
  this.gen = (this.gen || 0) + 1;
  this.resets++;
  this.show('reset', 'n/a', null, text);
};

// pick returns the named own properties of o that are set, for the panel.
function pick(o, names) {
  var out = {};
  if (!o || typeof o !== 'object') { return out; }
  for (var i = 0; i < names.length; i++) {
    if (Object.prototype.hasOwnProperty.call(o, names[i]) && o[names[i]] !== undefined && o[names[i]] !== null) {
      out[names[i]] = o[names[i]];
    }
  }
  return out;
}
