// Stand-in for the Zendesk Chat Web SDK (zChat), served by the chatident demo.
// It is NOT the real SDK: zChat.init reads the authentication.jwt_fn the real
// SDK calls, calls it to get the visitor token from the site, asks the demo's
// stand-in of Zendesk's server whether the JWT verifies, and shows the verified
// claims in the panel #standin-zendesk. zChat.logout marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('zendesk', 'Zendesk Chat (stand-in, not the real widget)');
var generation = 0;

function init(options) {
  var mine = ++generation;
  var auth = options && options.authentication;
  if (!auth || typeof auth.jwt_fn !== 'function') {
    whenReady(function () {
      if (panel.resets > 0) {
        panel.show('reset', 'n/a', null, 'Signed out: zChat.logout() ended the chat; now anonymous.');
      } else {
        panel.show('anonymous', 'n/a', null, 'No authentication: an anonymous chat.');
      }
    });
    return;
  }
  whenReady(function () {
    panel.show('waiting', 'n/a', null, 'Calling jwt_fn for the visitor token…');
  });
  auth.jwt_fn(function (token) {
    askVendor('zendesk', {token: token}).then(function (verdict) {
      whenReady(function () {
        if (mine !== generation) { return; }
        if (verdict.verified) {
          var c = verdict.claims;
          panel.show('identified', 'true', c, 'Identified as ' + (c.name || c.external_id) + '; the JWT verifies with the shared secret.');
        } else {
          panel.show('identified', 'false', null, 'A token arrived but does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
        }
      });
    }, function (err) {
      whenReady(function () {
        if (mine !== generation) { return; }
        panel.show('identified', 'false', null, 'Could not reach the Zendesk stand-in server: ' + err);
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
  panel.resets++;
  whenReady(function () {
    panel.show('reset', 'n/a', null, 'Signed out: zChat.logout() ended the chat.');
  });
};
