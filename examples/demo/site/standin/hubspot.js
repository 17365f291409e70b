// Stand-in for HubSpot's chat loader (js.hs-scripts.com/<portal>.js), served
// by the chatident demo. It is NOT the real widget: it reads
// hsConversationsSettings as the real one does, defines
// HubSpotConversations, runs hsConversationsOnReady, and when the widget
// loads with identificationEmail and identificationToken asks the demo's
// stand-in of HubSpot (which issued the token) whether the token belongs to
// that e-mail; the panel #standin-hubspot shows the result.
// HubSpotConversations.clear({resetWidget: true}) marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('hubspot', 'HubSpot (stand-in, not the real widget)');
var loaded = false;

function load() {
  loaded = true;
  var s = window.hsConversationsSettings || {};
  var received = pick(s, ['identificationEmail', 'identificationToken']);
  if (!received.identificationEmail || !received.identificationToken) {
    panel.anonymous('No identification token: an anonymous visitor.');
    return;
  }
  panel.check(received, {email: received.identificationEmail, token: received.identificationToken},
    received.identificationEmail, 'the visitor identification token');
}

window.HubSpotConversations = {
  widget: {
    load: function () { whenReady(load); },
    remove: function () { loaded = false; },
    refresh: function () { whenReady(load); },
    status: function () { return {loaded: loaded}; }
  },
  clear: function (options) {
    whenReady(function () {
      if (options && options.resetWidget) {
        panel.reset('Signed out: HubSpotConversations.clear({resetWidget: true}) cleared the visitor.');
      }
    });
  }
};
whenReady(function () {
  var s = window.hsConversationsSettings || {};
  if (s.loadImmediately !== false) {
    load();
  }
  var ready = window.hsConversationsOnReady;
  if (Array.isArray(ready)) {
    for (var i = 0; i < ready.length; i++) {
      if (typeof ready[i] === 'function') { ready[i](); }
    }
  }
});
