// Stand-in for the Zendesk Chat Web SDK (zChat), served by the chatident demo.
// It is NOT the real SDK: zChat.init reads the authentication.jwt_fn the real
// SDK calls, calls it to get the visitor token from the site, asks the demo's
// stand-in of Zendesk's server whether the JWT verifies, and shows the verified
// claims in the panel #standin-zendesk. zChat.logout marks a reset.
(function () {
  'use strict';
  var vendor = 'zendesk';
  var generation = 0;
  var resets = 0;

  function whenReady(f) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', f);
    } else {
      f();
    }
  }

  function panel() {
    var el = document.getElementById('standin-' + vendor);
    if (!el) {
      el = document.createElement('section');
      el.id = 'standin-' + vendor;
      el.className = 'standin';
      var h = document.createElement('h3');
      h.textContent = 'Zendesk Chat (stand-in, not the real widget)';
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

  function verify(token) {
    return fetch('/standin/zendesk/verify', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({token: token})
    }).then(function (r) { return r.json(); });
  }

  function init(options) {
    var mine = ++generation;
    var auth = options && options.authentication;
    if (!auth || typeof auth.jwt_fn !== 'function') {
      whenReady(function () {
        if (resets > 0) {
          show('reset', 'n/a', null, 'Signed out: zChat.logout() ended the chat; now anonymous.');
        } else {
          show('anonymous', 'n/a', null, 'No authentication: an anonymous chat.');
        }
      });
      return;
    }
    whenReady(function () {
      show('waiting', 'n/a', null, 'Calling jwt_fn for the visitor token…');
    });
    auth.jwt_fn(function (token) {
      verify(token).then(function (verdict) {
        whenReady(function () {
          if (mine !== generation) { return; }
          if (verdict.verified) {
            var c = verdict.claims;
            show('identified', 'true', c, 'Identified as ' + (c.name || c.external_id) + '; the JWT verifies with the shared secret.');
          } else {
            show('identified', 'false', null, 'A token arrived but does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
          }
        });
      }, function (err) {
        whenReady(function () {
          if (mine !== generation) { return; }
          show('identified', 'false', null, 'Could not reach the Zendesk stand-in server: ' + err);
        });
      });
    });
  }

  var z = window.zChat;
  if (!z || typeof z !== 'object') {
    z = window.zChat = {};
  }
  z.init = init;
  z.logout = function () {
    generation++;
    resets++;
    whenReady(function () {
      show('reset', 'n/a', null, 'Signed out: zChat.logout() ended the chat.');
    });
  };
})();
