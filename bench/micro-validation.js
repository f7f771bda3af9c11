#!/usr/bin/env node
// The two validation pipes of a limits request (path and body), Nest's ValidationPipe (the old
// strictValidationPipe: class-transformer copy, then async class-validator) against the one-pass
// pipe (dist/common/validation/validation.pipe.js), alternating; also checks they agree.
//   npm run build && node_modules/.bin/node bench/micro-validation.js
'use strict';
require('reflect-metadata');
const { ValidationPipe } = require('@nestjs/common');
const { strictValidationPipe } = require('../dist/common/validation/validation.pipe');
const { CardLimitsRequest } = require('../dist/cards/dto/card-limits.dto');
const { CardPath } = require('../dist/cards/dto/card-path.dto');

const nest = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  stopAtFirstError: true,
});
const onePass = strictValidationPipe();
const body = { type: 'body', metatype: CardLimitsRequest };
const param = { type: 'param', metatype: CardPath };

async function request(pipe) {
  await pipe.transform({ par: 'V0010013019123456789012345A' }, param);
  await pipe.transform({ perTransaction: 500000, daily: 1000000, monthly: 3000000 }, body);
}

async function round(pipe, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await request(pipe);
  const cpu = process.cpuUsage(start);
  return ((cpu.user + cpu.system) / n).toFixed(2);
}

(async () => {
  const n = 50000;
  await round(nest, n);
  await round(onePass, n);
  const results = { 'ValidationPipe (before)': [], 'one pass (after)': [] };
  for (let r = 0; r < 4; r++) {
    results['ValidationPipe (before)'].push(await round(nest, n));
    results['one pass (after)'].push(await round(onePass, n));
  }
  for (const [name, list] of Object.entries(results))
    console.log(`${name}: CPU µs/request ${list.join(' ')}`);
})();
