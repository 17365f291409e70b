// jsround.js reads JavaScript string literals, one per line on stdin, and
// prints, as JSON, what JavaScript itself reads from each:
//
//   [{json: [code units] | "error", js: [code units] | "error"}, ...]
//
// json is JSON.parse(line); js is the line evaluated as an expression by
// the JavaScript parser (vm), in a context of its own. Strings go out as
// arrays of UTF-16 code units so that no encoding on the way back can
// change them.
'use strict';
const vm = require('vm');

const units = (s) => {
  if (typeof s !== 'string') return 'not a string: ' + typeof s;
  const out = new Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};
const attempt = (f) => {
  try { return units(f()); } catch (e) { return 'error: ' + e.message; }
};

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  const lines = data.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out = lines.map((line) => ({
    json: attempt(() => JSON.parse(line)),
    js: attempt(() => vm.runInNewContext('(' + line + '\n)')),
  }));
  process.stdout.write(JSON.stringify(out));
});
