// Stand-in for Front Chat's script (chat.bundle.js), served by the chatident
// demo. It is NOT the real chat: it defines FrontChat as the real one does,
// asks the demo's stand-in of Front's server whether init's userHash
// verifies, and shows the result in the panel #standin-front.
// FrontChat('shutdown', {clearSession: true}) marks a reset.
//
// The demo serves it after panel.js, inside one function scope (standin.go).
var panel = new Panel('front', 'Front Chat (stand-in, not the real widget)');

window.FrontChat = function (command, options) {
  whenReady(function () {
    if (command === 'init' || command === 'identity') {
      var received = pick(options, ['userId', 'email', 'name', 'userHash', 'customFields']);
      if (!received.userHash) {
        panel.anonymous('No userHash: an anonymous chat (chat ' + (options && options.chatId) + ').');
        return;
      }
      panel.check(received, {userId: received.userId || '', email: received.email || '', userHash: received.userHash},
        received.name || received.userId || received.email, 'userHash');
    } else if (command === 'shutdown' && options && options.clearSession) {
      panel.reset('Signed out: FrontChat(\'shutdown\', {clearSession: true}) ended the session.');
    }
  });
};
