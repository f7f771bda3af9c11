#!/usr/bin/env node
// Client CPU per KONA call, axios' Node http adapter (keep-alive agent, as before issue #14)
// against the undici adapter (dist/konaplate/undici-axios.adapter.js), in alternating rounds in
// one process, so machine-wide contention hits both alike. The server runs in a child process.
//   npm run build && node_modules/.bin/node bench/micro-transport.js [rounds=4] [requests=20000]
'use strict';
const { fork } = require('node:child_process');
const http = require('node:http');
const axios = require('axios');
const { createUndiciAdapter } = require('../dist/konaplate/undici-axios.adapter');

if (process.argv[2] === 'server') {
  http
    .createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"code":"000_000","description":"Success"}'));
    })
    .listen(0, '127.0.0.1', function () {
      process.send(this.address().port);
    });
  return;
}

const rounds = Number(process.argv[2] ?? 4);
const requests = Number(process.argv[3] ?? 20000);
const body = JSON.stringify({
  userId: 1234500000123,
  par: 'V0010013019123456789012345A',
  limits: { once: 500000, day: 1000000, month: 3000000 },
});
const headers = {
  Accept: 'application/json',
  'Content-Type': 'application/json',
  'X-KM-Tran-Token': 'KMV1:x',
};
const call = (instance) => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  return instance
    .post('/api/v1/card/payment/limit/update', body, {
      headers,
      transformRequest: [(d) => d],
      transformResponse: [(d) => d],
      responseType: 'text',
      validateStatus: () => true,
      signal: controller.signal,
      maxRedirects: 0,
    })
    .finally(() => clearTimeout(timer));
};

async function round(instance) {
  let left = requests;
  const start = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (left-- > 0) {
        const r = await call(instance);
        if (r.status !== 200) throw new Error(`status ${r.status}`);
      }
    }),
  );
  const cpu = process.cpuUsage(start);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000 / requests,
    rps: requests / ((performance.now() - t0) / 1000),
  };
}

(async () => {
  const server = fork(__filename, ['server']);
  const port = await new Promise((resolve) => server.once('message', resolve));
  const baseURL = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: 256,
    timeout: 4000,
  });
  const adapters = {
    'axios http adapter': axios.create({ baseURL, httpAgent: agent, maxContentLength: 1 << 20 }),
    'undici adapter': axios.create({
      baseURL,
      adapter: createUndiciAdapter(),
      maxContentLength: 1 << 20,
    }),
  };
  for (const instance of Object.values(adapters)) await round(instance); // warm-up
  const results = Object.fromEntries(Object.keys(adapters).map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, instance] of Object.entries(adapters))
      results[name].push(await round(instance));
  }
  for (const [name, list] of Object.entries(results)) {
    const cpu = list.map((x) => x.cpuMs.toFixed(3)).join(' ');
    const rps = list.map((x) => Math.round(x.rps)).join(' ');
    console.log(`${name}: client CPU ms/call ${cpu}; calls/s ${rps}`);
  }
  agent.destroy();
  await adapters['undici adapter'].defaults.adapter.close();
  server.kill();
})();
