// Stand-in for tawk.to's embed script, served by the chatident demo. It is
// NOT the real widget: it reads Tawk_API.visitor as the real one does before
// it connects, defines setAttributes, login and logout, calls Tawk_API.onLoad,
// asks the demo's stand-in of tawk.to's server whether the Secure Mode hash
// verifies, and shows the result in the panel #standin-tawkto.
// Tawk_API.logout marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('tawkto', 'tawk.to (stand-in, not the real widget)');
var api = window.Tawk_API = window.Tawk_API || {};

function show(attrs, byUserId) {
  var received = pick(attrs, ['name', 'email', 'userId', 'hash']);
  if (!received.hash) {
    panel.anonymous('No Secure Mode hash: an anonymous visitor.');
    return;
  }
  var body = byUserId ? {userId: received.userId, hash: received.hash} : {email: received.email, hash: received.hash};
  panel.check(received, body, received.name || received.email || received.userId, 'the Secure Mode hash');
}

function done(cb) {
  if (typeof cb === 'function') { cb(); }
}

api.setAttributes = function (attrs, cb) {
  whenReady(function () { show(attrs, false); done(cb); });
};
api.login = function (data, cb) {
  whenReady(function () { show(data, true); done(cb); });
};
api.logout = function (cb) {
  whenReady(function () { panel.reset('Signed out: Tawk_API.logout() ended the visitor\'s session.'); done(cb); });
};
whenReady(function () {
  show(api.visitor, false);
  if (typeof api.onLoad === 'function') {
    api.onLoad();
  }
});
