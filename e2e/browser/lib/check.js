'use strict';
// A tiny check recorder: one printed line per check, so the Go test's log
// reads as the list of what was verified, and a verdict at the end. Checks do
// not stop the run: one broken panel should not hide what the others show.

function check() {
  let passed = 0;
  const failed = [];
  return {
    ok(cond, msg) {
      if (cond) {
        passed++;
        console.log(`ok   ${msg}`);
      } else {
        failed.push(msg);
        console.log(`FAIL ${msg}`);
      }
      return Boolean(cond);
    },
    fail(msg) {
      return this.ok(false, msg);
    },
    log(msg) {
      console.log(`     ${msg}`);
    },
    // verdict prints the closing line and reports whether every check passed.
    verdict() {
      console.log(`browser checks: ${passed} passed, ${failed.length} failed`);
      return failed.length === 0 && passed > 0;
    },
  };
}

module.exports = { check };
