'use strict';
// The demo's stand-in widget panels, read through the demo's contract only:
// an element id="standin-<vendor>" with data-state, data-verified and
// data-received (JSON of what that widget was given).

const VENDORS = ['webim', 'edna', 'helpcrunch', 'zendesk',
  'intercom', 'crisp', 'tawkto', 'chatwoot', 'helpscout', 'front', 'drift', 'hubspot'];

// jwtClaims decodes a JWT's claims (the signature is checked elsewhere).
function jwtClaims(jwt) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) throw new Error(`not a JWT: ${jwt}`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

// read returns every panel's attributes; a missing panel reads as null.
async function read(page) {
  return page.evaluate((vendors) => {
    const out = {};
    for (const v of vendors) {
      const el = document.getElementById(`standin-${v}`);
      out[v] = el
        ? {
            state: el.getAttribute('data-state'),
            verified: el.getAttribute('data-verified'),
            received: el.getAttribute('data-received'),
          }
        : null;
    }
    return out;
  }, VENDORS);
}

function states(panels) {
  return VENDORS.map((v) => `${v}=${panels[v] ? panels[v].state : '(no panel)'}`).join(' ');
}

// waitFor polls until ok(panels) holds or timeoutMs passes, then returns the
// last panels read; the caller asserts on them, so a timeout fails with the
// states the page actually reached rather than a bare "timed out".
async function waitFor(page, ok, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    try {
      last = await read(page);
      if (ok(last)) return last;
    } catch (err) {
      // A navigation in flight destroys the context between polls; read again.
      if (!/context|navigat|detached/i.test(String(err.message))) throw err;
    }
    if (Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function all(state) {
  return (p) => VENDORS.every((v) => p[v] && p[v].state === state);
}

function settled(p) {
  return VENDORS.every((v) => p[v] && p[v].state && p[v].state !== 'waiting');
}

function parse(raw) {
  if (raw === null || raw === undefined || raw === '') throw new Error('data-received is empty');
  const r = JSON.parse(raw);
  if (r === null || typeof r !== 'object') throw new Error(`data-received is ${raw}, not an object`);
  return r;
}

// received extracts, for each vendor, the person as that widget got it: the
// fields it carries for name, email, phone and company, plus the id it was
// given. Each vendor's payload has its own shape (see VENDORS.md).
function received(vendor, raw) {
  const r = parse(raw);
  switch (vendor) {
    case 'webim': {
      // The fields object, or the whole webim_visitor object around it.
      const f = r && typeof r.fields === 'object' ? r.fields : r;
      return { id: f.id, name: f.display_name, email: f.email, phone: f.phone, company: undefined, raw: r };
    }
    case 'edna': {
      // clientData is a JSON string in edna's scheme; a panel may show it parsed.
      const d = typeof r.clientData === 'string' ? JSON.parse(r.clientData) : r.clientData || {};
      return { id: r.clientId, name: d.name, email: d.email, phone: d.phone, company: d.company, raw: r };
    }
    case 'helpcrunch': {
      const u = r && typeof r.user === 'object' ? r.user : r;
      return { id: u.user_id, name: u.name, email: u.email, phone: u.phone, company: u.company, raw: r };
    }
    case 'zendesk':
      return { id: r.external_id, name: r.name, email: r.email, phone: undefined, company: undefined, raw: r };
    case 'intercom': {
      // JWT mode: the identity is in intercom_user_jwt, not the plain settings.
      const c = r.intercom_user_jwt ? jwtClaims(r.intercom_user_jwt) : r;
      return { id: c.user_id, name: c.name, email: c.email, phone: undefined, company: undefined, raw: r };
    }
    case 'crisp':
      return { id: r.token_id, name: r.nickname, email: r.email, phone: r.phone, company: undefined, raw: r };
    case 'tawkto':
      return { id: r.userId || r.email, name: r.name, email: r.email, phone: undefined, company: undefined, raw: r };
    case 'chatwoot':
      return { id: r.identifier, name: r.name, email: r.email, phone: r.phone_number, company: undefined, raw: r };
    case 'helpscout':
      return { id: r.email, name: r.name, email: r.email, phone: undefined, company: r.company, raw: r };
    case 'front':
      return { id: r.userId, name: r.name, email: r.email, phone: undefined, company: undefined, raw: r };
    case 'drift':
      return { id: r.user_id, name: r.name, email: r.email, phone: undefined, company: undefined, raw: r };
    case 'hubspot':
      // HubSpot identifies by e-mail and an opaque token; no name is sent.
      return { id: r.identificationToken, name: undefined, email: r.identificationEmail, phone: undefined, company: undefined, raw: r };
    default:
      throw new Error(`unknown vendor ${vendor}`);
  }
}

module.exports = { VENDORS, read, states, waitFor, all, settled, received, jwtClaims };
