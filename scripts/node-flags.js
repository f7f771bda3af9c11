// The gateway's `node` flags live in one place, package.json's `start` script
// (`node <flags> dist/main.js`): the image's CMD repeats it (test/deploy/dockerfile.spec.ts), and
// `npm run dev`, `npm run bench` and the log-stall test start dist/main.js with these flags, so
// what is measured is what production runs. Why these flags: bench/RESULTS.md, "V8 heap flags".
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_JSON = path.join(__dirname, '..', 'package.json');

/** The flags between `node` and `dist/main.js` in the start script. */
function startNodeFlags() {
  const start = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`the start script must read "node <flags> dist/main.js" (it is "${start}")`);
  }
  return words.slice(1, -1);
}

module.exports = { startNodeFlags };
