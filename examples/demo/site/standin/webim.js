// Stand-in for Webim's widget loader (button.js), served by the chatident demo.
// It is NOT the real widget: it reads what the real widget reads
// (window.webim_visitor), asks the demo's stand-in of Webim's server whether
// the hash verifies, and shows the result in the panel #standin-webim.
// It provides webim.api.onProvidedVisitorChanged, which the real widget calls
// to re-read window.webim_visitor; called when that is null, it marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('webim', 'Webim (stand-in, not the real widget)');
var generation = 0;

function read() {
  var mine = ++generation;
  var v = window.webim_visitor;
  if (!v || typeof v !== 'object' || !v.fields) {
    if (panel.resets > 0) {
      panel.show('reset', 'n/a', null, 'Signed out: the site told Webim the visitor changed and gave no visitor object.');
    } else {
      panel.show('anonymous', 'n/a', null, 'No visitor object: an anonymous chat.');
    }
    return;
  }
  var fields = v.fields;
  panel.show('waiting', 'n/a', fields, 'Visitor object received; asking the Webim stand-in server to check its hash…');
  askVendor('webim', v).then(function (verdict) {
    if (mine !== generation) { return; }
    var name = fields.display_name || fields.id;
    if (verdict.verified) {
      panel.show('identified', 'true', fields, 'Identified as ' + name + '; the hash verifies with the private key.');
    } else {
      panel.show('identified', 'false', fields, 'Identified as ' + name + ', but the hash does NOT verify: ' + (verdict.problem || verdict.error || 'unknown problem'));
    }
  }, function (err) {
    if (mine !== generation) { return; }
    panel.show('identified', 'false', fields, 'Could not reach the Webim stand-in server: ' + err);
  });
}

var w = window.webim;
if (!w || typeof w !== 'object') {
  w = window.webim = {};
}
w.api = w.api || {};
w.api.onProvidedVisitorChanged = function () {
  if (!window.webim_visitor) {
    panel.resets++;
  }
  whenReady(read);
};
whenReady(read);
