// Stand-in for Webim's widget loader (button.js), served by the chatident demo.
// It is NOT the real widget: it reads what the real widget reads
// (window.webim_visitor), asks the demo's stand-in of Webim's server whether
// the hash verifies, and shows the result in the panel #standin-webim.
// It provides webim.api.onProvidedVisitorChanged, which the real widget calls
// to re-read window.webim_visitor; called when that is null, it marks a reset.
(function () {
  'use strict';
  var vendor = 'webim';
  var generation = 0;
  var resets = 0;

  function whenReady(f) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', f);
    } else {
      f();
    }
  }

  // panel finds the page's panel or, on a page without one, makes it.
  function panel() {
    var el = document.getElementById('standin-' + vendor);
    if (!el) {
      el = document.createElement('section');
      el.id = 'standin-' + vendor;
      el.className = 'standin';
      var h = document.createElement('h3');
      h.textContent = 'Webim (stand-in, not the real widget)';
      el.appendChild(h);
      document.body.appendChild(el);
    }
    return el;
  }

  // show renders with textContent only: every value is someone's input.
  function show(state, verified, received, text) {
    var el = panel();
    el.setAttribute('data-state', state);
    el.setAttribute('data-verified', verified);
    el.setAttribute('data-received', JSON.stringify(received));
    el.setAttribute('data-resets', String(resets));
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
    pre.textContent = received === null ? '' : JSON.stringify(received, null, 2);
  }

  function verify(body) {
    return fetch('/standin/webim/verify', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  function read() {
    var mine = ++generation;
    var v = window.webim_visitor;
    if (!v || typeof v !== 'object' || !v.fields) {
      if (resets > 0) {
        show('reset', 'n/a', null, 'Signed out: the site told Webim the visitor changed and gave no visitor object.');
      } else {
        show('anonymous', 'n/a', null, 'No visitor object: an anonymous chat.');
      }
      return;
    }
    var fields = v.fields;
    show('waiting', 'n/a', fields, 'Visitor object received; asking the Webim stand-in server to check its hash…');
    verify(v).then(function (verdict) {
      if (mine !== generation) { return; }
      var name = fields.display_name || fields.id;
      if (verdict.verified) {
        show('identified', 'true', fields, 'Identified as ' + name + '; the hash verifies with the private key.');
      } else {
        show('identified', 'false', fields, 'Identified as ' + name + ', but the hash does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
      }
    }, function (err) {
      if (mine !== generation) { return; }
      show('identified', 'false', fields, 'Could not reach the Webim stand-in server: ' + err);
    });
  }

  var w = window.webim;
  if (!w || typeof w !== 'object') {
    w = window.webim = {};
  }
  w.api = w.api || {};
  w.api.onProvidedVisitorChanged = function () {
    if (!window.webim_visitor) {
      resets++;
    }
    whenReady(read);
  };
  whenReady(read);
})();
