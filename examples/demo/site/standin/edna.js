// Stand-in for edna Chat Center's web chat init code, served by the chatident
// demo. It is NOT the real widget: it reads what the real chat reads
// (window.clientId, window.clientData, window.extendedAuth, the default
// property names) and shows it in the panel #standin-edna. edna has no
// signature, so there is nothing to verify: data-verified is "n/a".
// It provides ThreadsWidget.reInit; called with an empty clientId, it marks a
// reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('edna', 'edna Chat Center (stand-in, not the real widget)');

function read(clientId) {
  if (typeof clientId !== 'string' || clientId === '') {
    if (panel.resets > 0) {
      panel.show('reset', 'n/a', null, 'Signed out: the chat was re-initialised without a clientId.');
    } else {
      panel.show('anonymous', 'n/a', null, 'No clientId: an anonymous chat (edna keeps it in its own cookie).');
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
  panel.show('identified', 'n/a', received, 'Identified as ' + who + ' by clientId (edna has no signature: the clientId itself is the credential).', shown);
}

window.ThreadsWidget = {
  reInit: function (options) {
    var id = options && options.clientId;
    if (!id) {
      panel.resets++;
    }
    whenReady(function () { read(id); });
  }
};
whenReady(function () { read(window.clientId); });
