// Stand-in for Intercom's Messenger script, served by the chatident demo. It
// is NOT the real Messenger: it boots from window.intercomSettings as the
// real one does, takes over the Intercom(...) command queue, asks the demo's
// stand-in of Intercom's server whether intercom_user_jwt (or user_hash)
// verifies, and shows the result in the panel #standin-intercom.
// Intercom('shutdown') marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('intercom', 'Intercom (stand-in, not the real widget)');
var fields = ['app_id', 'api_base', 'intercom_user_jwt', 'user_id', 'email', 'name', 'user_hash'];

function boot(settings) {
  var s = pick(settings, fields);
  if (!s.intercom_user_jwt && !s.user_hash) {
    panel.anonymous('No identity: an anonymous Messenger (app ' + s.app_id + ').');
    return;
  }
  var body = pick(s, ['intercom_user_jwt', 'user_id', 'email', 'user_hash']);
  panel.check(s, body, s.name || s.user_id || 'the JWT\'s user', s.intercom_user_jwt ? 'intercom_user_jwt' : 'user_hash');
}

function handle(args) {
  switch (args[0]) {
    case 'boot':
    case 'update':
      boot(args[1]);
      break;
    case 'shutdown':
      panel.reset('Signed out: Intercom(\'shutdown\') ended the session.');
      break;
    default:
  }
}

var queued = (window.Intercom && window.Intercom.q) || [];
window.Intercom = function () {
  var args = Array.prototype.slice.call(arguments);
  whenReady(function () { handle(args); });
};
whenReady(function () {
  boot(window.intercomSettings);
  for (var i = 0; i < queued.length; i++) {
    handle(Array.prototype.slice.call(queued[i]));
  }
});
