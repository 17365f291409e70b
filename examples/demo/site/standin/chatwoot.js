// Stand-in for Chatwoot's SDK (packs/js/sdk.js), served by the chatident
// demo. It is NOT the real widget: chatwootSDK.run defines window.$chatwoot
// and fires chatwoot:ready as the real SDK does; $chatwoot.setUser asks the
// demo's stand-in of Chatwoot's server whether identifier_hash verifies, and
// the panel #standin-chatwoot shows the result. $chatwoot.reset() marks a
// reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('chatwoot', 'Chatwoot (stand-in, not the real widget)');

function setUser(identifier, user) {
  var received = pick(user, ['email', 'name', 'avatar_url', 'phone_number', 'identifier_hash']);
  received.identifier = identifier;
  panel.check(received, {identifier: identifier, identifier_hash: received.identifier_hash},
    received.name || identifier, 'identifier_hash');
}

window.chatwootSDK = {
  run: function (options) {
    var cw = window.$chatwoot = {
      hasLoaded: false,
      setUser: function (identifier, user) {
        whenReady(function () { setUser(identifier, user); });
      },
      reset: function () {
        whenReady(function () { panel.reset('Signed out: $chatwoot.reset() cleared the contact.'); });
      }
    };
    whenReady(function () {
      panel.anonymous('No user: an anonymous contact (website token ' + (options && options.websiteToken) + ').');
      cw.hasLoaded = true;
      var e = document.createEvent('Event');
      e.initEvent('chatwoot:ready', false, false);
      window.dispatchEvent(e);
    });
  }
};
