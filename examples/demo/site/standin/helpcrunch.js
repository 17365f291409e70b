// Stand-in for HelpCrunch's widget script, served by the chatident demo.
// It is NOT the real widget: it takes over the HelpCrunch(...) command queue
// the site's snippet set up, reads the init call's user object as the real
// widget does, asks the demo's stand-in of HelpCrunch's server whether
// security_hash verifies, and shows the result in the panel #standin-helpcrunch.
// HelpCrunch('logout') marks a reset.
(function () {
  'use strict';
  var vendor = 'helpcrunch';
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
      h.textContent = 'HelpCrunch (stand-in, not the real widget)';
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

  function verify(user) {
    return fetch('/standin/helpcrunch/verify', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({user_id: user.user_id, security_hash: user.security_hash})
    }).then(function (r) { return r.json(); });
  }

  function init(organization, settings) {
    var mine = ++generation;
    var user = settings && settings.user;
    if (!user || typeof user !== 'object' || !user.user_id) {
      if (resets > 0) {
        show('reset', 'n/a', null, 'Signed out: the widget logged out and now shows the pre-chat form.');
      } else {
        show('anonymous', 'n/a', null, 'No user: an anonymous chat with the pre-chat form (organization ' + organization + ').');
      }
      return;
    }
    show('waiting', 'n/a', user, 'User received; asking the HelpCrunch stand-in server to check security_hash…');
    verify(user).then(function (verdict) {
      if (mine !== generation) { return; }
      var name = user.name || user.user_id;
      if (verdict.verified) {
        show('identified', 'true', user, 'Identified as ' + name + '; security_hash verifies with the secret.');
      } else {
        show('identified', 'false', user, 'Identified as ' + name + ', but security_hash does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
      }
    }, function (err) {
      if (mine !== generation) { return; }
      show('identified', 'false', user, 'Could not reach the HelpCrunch stand-in server: ' + err);
    });
  }

  function logout() {
    generation++;
    resets++;
    show('reset', 'n/a', null, 'Signed out: HelpCrunch(\'logout\') cleared the chat.');
  }

  function handle(args) {
    switch (args[0]) {
      case 'init':
        init(args[1], args[2]);
        break;
      case 'logout':
        logout();
        break;
      default:
        // showChatWidget and the rest change nothing a stand-in shows.
    }
  }

  var queued = (window.HelpCrunch && window.HelpCrunch.q) || [];
  window.HelpCrunch = function () {
    var args = Array.prototype.slice.call(arguments);
    whenReady(function () { handle(args); });
  };
  whenReady(function () {
    for (var i = 0; i < queued.length; i++) {
      handle(Array.prototype.slice.call(queued[i]));
    }
  });
})();
