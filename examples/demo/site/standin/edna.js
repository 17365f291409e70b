// Stand-in for edna Chat Center's web chat init code, served by the chatident
// demo. It is NOT the real widget: it reads what the real chat reads
// (window.clientId, window.clientData, window.extendedAuth, the default
// property names) and shows it in the panel #standin-edna. edna has no
// signature, so there is nothing to verify: data-verified is "n/a".
// It provides ThreadsWidget.reInit; called with an empty clientId, it marks a
// reset.
(function () {
  'use strict';
  var vendor = 'edna';
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
      h.textContent = 'edna Chat Center (stand-in, not the real widget)';
      el.appendChild(h);
      document.body.appendChild(el);
    }
    return el;
  }

  // show renders with textContent only: every value is someone's input.
  // shown is what the panel prints: received with clientData parsed, for
  // reading; data-received keeps the string edna got.
  function show(state, received, text, shown) {
    var el = panel();
    el.setAttribute('data-state', state);
    el.setAttribute('data-verified', 'n/a');
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
    var printed = shown === undefined ? received : shown;
    pre.textContent = printed === null ? '' : JSON.stringify(printed, null, 2);
  }

  function read(clientId) {
    if (typeof clientId !== 'string' || clientId === '') {
      if (resets > 0) {
        show('reset', null, 'Signed out: the chat was re-initialised without a clientId.');
      } else {
        show('anonymous', null, 'No clientId: an anonymous chat (edna keeps it in its own cookie).');
      }
      return;
    }
    var received = {clientId: clientId, clientData: window.clientData === undefined ? null : window.clientData};
    if (window.extendedAuth !== undefined) {
      received.extendedAuth = window.extendedAuth;
    }
    var who = clientId;
    var shown = received;
    try {
      var data = JSON.parse(window.clientData);
      shown = {clientId: clientId, clientData: data};
      if (received.extendedAuth !== undefined) {
        shown.extendedAuth = received.extendedAuth;
      }
      if (data && typeof data.name === 'string' && data.name !== '') {
        who = data.name;
      }
    } catch (e) {
      // clientData is optional; without it the clientId is all there is.
    }
    show('identified', received, 'Identified as ' + who + ' by clientId (edna has no signature: the clientId itself is the credential).', shown);
  }

  window.ThreadsWidget = {
    reInit: function (options) {
      var id = options && options.clientId;
      if (!id) {
        resets++;
      }
      whenReady(function () { read(id); });
    }
  };
  whenReady(function () { read(window.clientId); });
})();
