// Stand-in for Crisp's chatbox loader (l.js), served by the chatident demo.
// It is NOT the real chatbox: it reads CRISP_WEBSITE_ID and CRISP_TOKEN_ID
// and runs the $crisp command queue as the real one does, asks the demo's
// stand-in of Crisp's server whether the user:email signature verifies, and
// shows the result in the panel #standin-crisp. ["do", "session:reset"]
// marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('crisp', 'Crisp (stand-in, not the real widget)');
var user = {};

function handle(cmd) {
  if (!Array.isArray(cmd)) { return; }
  var args = Array.isArray(cmd[2]) ? cmd[2] : [];
  if (cmd[0] === 'set' && cmd[1] === 'user:email') {
    user.email = args[0];
    user.signature = args[1];
  } else if (cmd[0] === 'set' && cmd[1] === 'user:nickname') {
    user.nickname = args[0];
  } else if (cmd[0] === 'set' && cmd[1] === 'user:phone') {
    user.phone = args[0];
  } else if (cmd[0] === 'do' && cmd[1] === 'session:reset') {
    user = {};
    panel.resets++;
  }
}

function render() {
  var received = pick(user, ['email', 'signature', 'nickname', 'phone']);
  if (typeof window.CRISP_TOKEN_ID === 'string') {
    received.token_id = window.CRISP_TOKEN_ID;
  }
  if (!received.email) {
    panel.anonymous('No verified e-mail: an anonymous chatbox (website ' + window.CRISP_WEBSITE_ID + ').');
    return;
  }
  panel.check(received, {email: received.email, signature: received.signature}, received.nickname || received.email, 'the user:email signature');
}

var queued = Array.isArray(window.$crisp) ? window.$crisp : [];
window.$crisp = {
  push: function (cmd) {
    whenReady(function () { handle(cmd); render(); });
  },
  is: function () { return false; }
};
whenReady(function () {
  for (var i = 0; i < queued.length; i++) {
    handle(queued[i]);
  }
  render();
});
