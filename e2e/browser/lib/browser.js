'use strict';
// Launching the system's Chromium for the end-to-end test.
//
// The browser is the Debian package (/usr/bin/chromium): playwright-core never
// downloads one. The flags keep a machine without internet quiet: without them
// Chromium keeps trying to reach update, sync and field-trial servers and fills
// the log with refused connections that have nothing to do with the page.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHATIDENT_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// launch starts Chromium with a fresh profile, so no cookie or cached widget
// state from an earlier run can make the page look signed in or signed out.
// close() shuts the browser and removes the profile.
async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chatident-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
      // The test is about the page's own Content-Security-Policy: never bypass it.
      bypassCSP: false,
      timeout: 30_000,
    });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`launching ${CHROMIUM}: ${err.message}`);
  }
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    version: context.browser() ? context.browser().version() : 'unknown',
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { launch, CHROMIUM };
