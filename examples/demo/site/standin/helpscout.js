// Stand-in for Help Scout's Beacon script, served by the chatident demo. It
// is NOT the real Beacon: it runs the Beacon(...) readyQueue as the real one
// does, asks the demo's stand-in of Help Scout's server whether identify's
// Secure Mode signature verifies, and shows the result in the panel
// #standin-helpscout. Beacon('logout') marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('helpscout', 'Help Scout Beacon (stand-in, not the real widget)');

function handle(method, options) {
  switch (method) {
    case 'init':
      panel.anonymous('Beacon ' + options + ' without identity: an anonymous customer.');
      break;
    case 'identify': {
      var received = pick(options, ['name', 'email', 'company', 'avatar', 'signature']);
      panel.check(received, {email: received.email, signature: received.signature}, received.name || received.email, 'the Secure Mode signature');
      break;
    }
    case 'logout':
      panel.reset('Signed out: Beacon(\'logout\') cleared the customer.');
      break;
    default:
      // reset, open and the rest change nothing a stand-in shows.
  }
}

var queued = (window.Beacon && window.Beacon.readyQueue) || [];
window.Beacon = function (method, options) {
  whenReady(function () { handle(method, options); });
};
whenReady(function () {
  for (var i = 0; i < queued.length; i++) {
    if (queued[i]) {
      handle(queued[i].method, queued[i].options);
    }
  }
});
