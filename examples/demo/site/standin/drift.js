// Stand-in for Drift's widget script, served by the chatident demo. It is
// NOT the real widget: it runs the drift command queue as the real one does,
// asks the demo's stand-in of Drift's server whether identify's userJwt
// verifies for the user id, and shows the result in the panel
// #standin-drift. drift.reset() marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('drift', 'Drift (stand-in, not the real widget)');

function identify(userId, attributes, options) {
  var received = pick(attributes, ['email', 'name']);
  received.user_id = userId;
  received.userJwt = options && options.userJwt;
  panel.check(received, {user_id: userId, userJwt: received.userJwt}, received.name || userId, 'the signed identity (userJwt)');
}

var queued = Array.isArray(window.drift) ? window.drift.slice() : [];
var api = {
  init: true,
  identify: function (userId, attributes, options) {
    whenReady(function () { identify(userId, attributes, options); });
    return api;
  },
  reset: function () {
    whenReady(function () { panel.reset('Signed out: drift.reset() ended the identified session.'); });
    return api;
  },
  load: function () { return api; },
  on: function () { return api; },
  page: function () { return api; },
  track: function () { return api; },
  config: function () { return api; },
  show: function () { return api; },
  hide: function () { return api; },
  off: function () { return api; },
  ping: function () { return api; },
  debug: function () { return api; }
};
window.drift = window.driftt = api;
whenReady(function () {
  panel.anonymous('No identify call: an anonymous visitor.');
  for (var i = 0; i < queued.length; i++) {
    var c = queued[i];
    if (Array.isArray(c) && typeof api[c[0]] === 'function') {
      api[c[0]].apply(api, c.slice(1));
    }
  }
});
