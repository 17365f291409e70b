'use strict';
// Independent recomputation, with node's crypto, of the values the demo
// documents as derived from its secrets (examples/demo/doc.go). The widgets'
// "verified" flags come from the demo's own stand-in servers; these checks
// do not depend on any Go code at all.
//
// Cross-checked with openssl for the test's fake keys and user id
// "e2e-visitor-42" (examples/demo/browser_test.go):
//
//   edna clientId b672e04208f1c25cc75506b1287e9e172dcce297306255449755b86ea52fffa2
//     printf '%s' 'e2e-visitor-42' | openssl dgst -sha256 -hmac test-key-not-a-secret-edna-0123456789abcdef
//   Webim id u01c517119680f6721a80de2b75fc147f7554323006a84669fb4916c1b83a7616
//     ("u" and the hex HMAC)
//     K=$(printf '%s' 'chatident demo webim id key' | openssl dgst -sha256 -binary \
//           -hmac test-key-not-a-secret-webim-0123456789abcdef | xxd -p -c 64)
//     printf '%s' 'e2e-visitor-42' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$K

const crypto = require('crypto');

function hmacHex(key, msg) {
  return crypto.createHmac('sha256', key).update(msg, 'utf8').digest('hex');
}

function hmacRaw(key, msg) {
  return crypto.createHmac('sha256', key).update(msg, 'utf8').digest();
}

// webimID: "u" and HMAC-SHA256(IDKey, user id) hex, where IDKey is the raw
// digest HMAC-SHA256(CHATIDENT_WEBIM_KEY, "chatident demo webim id key").
function webimID(webimKey, userID) {
  return 'u' + hmacHex(hmacRaw(webimKey, 'chatident demo webim id key'), userID);
}

// ednaClientID: HMAC-SHA256(CHATIDENT_EDNA_KEY, user id) hex.
function ednaClientID(ednaKey, userID) {
  return hmacHex(ednaKey, userID);
}

// helpCrunchHash: security_hash = HMAC-SHA256(secret, user_id as sent) hex.
function helpCrunchHash(secret, userID) {
  return hmacHex(secret, userID);
}

// jwtSignatureValid checks an HS256 JWT's signature with the shared secret.
function jwtSignatureValid(secret, jwt) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) return false;
  const want = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2], 'base64url');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

// crispTokenID: CRISP_TOKEN_ID = HMAC-SHA256(key, user id) hex, where key is
// the raw digest HMAC-SHA256(CHATIDENT_CRISP_SECRET, "chatident demo crisp token id key").
function crispTokenID(crispSecret, userID) {
  return hmacHex(hmacRaw(crispSecret, 'chatident demo crisp token id key'), userID);
}

module.exports = { webimID, ednaClientID, helpCrunchHash, jwtSignatureValid, hmacHex, crispTokenID };
