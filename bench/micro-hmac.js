#!/usr/bin/env node
// The tran token's HMAC: a Buffer key imported per call (before) against a KeyObject built once.
//   node_modules/.bin/node bench/micro-hmac.js
// Micro-benchmark: createHmac with a Buffer key vs a prebuilt KeyObject (issue #14).
const { createHmac, createSecretKey } = require('node:crypto');
const secret = 'sandbox-secret-key-0123456789abcdef';
const body =
  '{"userId":1234500000123,"par":"V0010013019123456789012345A","limits":{"once":500000,"day":1000000,"month":3000000}}';
const key = createSecretKey(Buffer.from(secret, 'utf8'));
function run(name, fn, n = 200000) {
  for (let i = 0; i < 20000; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  console.log(name, (Number(process.hrtime.bigint() - t) / n / 1000).toFixed(2), 'µs/op');
}
for (let r = 0; r < 2; r++) {
  run('buffer key   ', () =>
    createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(Buffer.from(body, 'utf8'))
      .digest('base64'),
  );
  run('KeyObject key', () => createHmac('sha256', key).update(body, 'utf8').digest('base64'));
}
