// Stand-in for HelpCrunch's widget script, served by the chatident demo.
// It is NOT the real widget: it takes over the HelpCrunch(...) command queue
// the site's snippet set up, reads the init call's user object as the real
// widget does, asks the demo's stand-in of HelpCrunch's server whether
// security_hash verifies, and shows the result in the panel #standin-helpcrunch.
// HelpCrunch('logout') marks a reset; HelpCrunch('updateUser', user), the
// call for a visitor who changed without a page load, shows the new user as
// init does.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('helpcrunch', 'HelpCrunch (stand-in, not the real widget)');
var generation = 0;
var organization = '';

function init(org, settings) {
  organization = org;
  var mine = ++generation;
  var user = settings && settings.user;
  if (!user || typeof user !== 'object' || !user.user_id) {
    if (panel.resets > 0) {
      panel.show('reset', 'n/a', null, 'Signed out: the widget logged out and now shows the pre-chat form.');
    } else {
      panel.show('anonymous', 'n/a', null, 'No user: an anonymous chat with the pre-chat form (organization ' + organization + ').');
    }
    return;
  }
  panel.show('waiting', 'n/a', user, 'User received; asking the HelpCrunch stand-in server to check security_hash…');
  askVendor('helpcrunch', {user_id: user.user_id, security_hash: user.security_hash}).then(function (verdict) {
    if (mine !== generation) { return; }
    var name = user.name || user.user_id;
    if (verdict.verified) {
      panel.show('identified', 'true', user, 'Identified as ' + name + '; security_hash verifies with the secret.');
    } else {
      panel.show('identified', 'false', user, 'Identified as ' + name + ', but security_hash does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
    }
  }, function (err) {
    if (mine !== generation) { return; }
    panel.show('identified', 'false', user, 'Could not reach the HelpCrunch stand-in server: ' + err);
  });
}

function logout() {
  generation++;
  panel.resets++;
  panel.show('reset', 'n/a', null, 'Signed out: HelpCrunch(\'logout\') cleared the chat.');
}

function handle(args) {
  switch (args[0]) {
    case 'init':
      init(args[1], args[2]);
      break;
    case 'logout':
      logout();
      break;
    case 'updateUser':
      init(organization, {user: args[1]});
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
