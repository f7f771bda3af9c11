#!/usr/bin/env node
// The benchmark's baseline: the least a Node process can do for PUT /v1/me/cards/:par/limits.
// Plain node:http, no framework, no auth, no validation library, no Redis, no logging: it parses
// the JSON body, builds and signs the KONA "Modification of the Card's Limit" call exactly as
// konaplate.md says (one instant for correlation id, Tran-Time and token time, in KST; HMAC over
// the exact body string; userId as a bare JSON number) and forwards it over a keep-alive agent,
// over TLS when KONAPLATE_BASE_URL is https: (as the benchmark runs it: KONA is only reached over
// TLS, so the passthrough pays for TLS like the gateway does).
//
// Environment: BASELINE_PORT (0 = any), BASELINE_HOST, BASELINE_MEMBER_ID, KONAPLATE_BASE_URL,
// KONAPLATE_ASP_ID, KONAPLATE_ACCESS_KEY, KONAPLATE_SECRET_KEY, BASELINE_CA_FILE (PEM of the CA
// that signed KONA's certificate; Node's default trust store when unset). Prints one JSON line
// once listening.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { createHmac, randomBytes } = require('node:crypto');

const KST_OFFSET_MS = 9 * 3_600_000;
const LIMIT_UPDATE_PATH = '/api/v1/card/payment/limit/update';
const ROUTE = /^\/v1\/me\/cards\/([^/?]+)\/limits(?:\?.*)?$/;

const env = process.env;
const upstream = new URL(env.KONAPLATE_BASE_URL ?? 'http://127.0.0.1:8080');
const basePath = upstream.pathname.replace(/\/+$/, '');
const aspId = env.KONAPLATE_ASP_ID ?? '';
const accessKey = env.KONAPLATE_ACCESS_KEY ?? '';
const secretKey = Buffer.from(env.KONAPLATE_SECRET_KEY ?? '', 'utf8');
// Taken as given, without validation: the digits are written as they are.
const memberId = env.BASELINE_MEMBER_ID ?? '1234567890123';

// The same agent settings as the gateway's (src/konaplate/konaplate.module.ts).
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, timeout: 4000 };
const tls = upstream.protocol === 'https:';
const client = tls ? https : http;
const agent = tls
  ? new https.Agent({
      ...agentOptions,
      ...(env.BASELINE_CA_FILE ? { ca: fs.readFileSync(env.BASELINE_CA_FILE) } : {}),
    })
  : new http.Agent(agentOptions);

const pad2 = (n) => (n < 10 ? '0' : '') + n;
const pad3 = (n) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** yyyyMMddHHmmssSSS in KST, whatever the process time zone. */
function kstTime17(ms) {
  const t = new Date(ms + KST_OFFSET_MS);
  return (
    t.getUTCFullYear() +
    pad2(t.getUTCMonth() + 1) +
    pad2(t.getUTCDate()) +
    pad2(t.getUTCHours()) +
    pad2(t.getUTCMinutes()) +
    pad2(t.getUTCSeconds()) +
    pad3(t.getUTCMilliseconds())
  );
}

function reply(res, status, body) {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function forward(res, par, limits) {
  // The body is serialized once; that exact string is signed and sent.
  const body =
    `{"userId":${memberId},"par":${JSON.stringify(par)},` +
    `"limits":{"once":${JSON.stringify(limits.perTransaction)},` +
    `"day":${JSON.stringify(limits.daily)},"month":${JSON.stringify(limits.monthly)}}}`;
  const time17 = kstTime17(Date.now());
  const correlationId = `${time17.slice(2, 14)}-${randomBytes(4).toString('hex').slice(0, 7)}`;
  const mac = createHmac('sha256', secretKey).update(body, 'utf8').digest('base64');
  const request = client.request(
    {
      agent,
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: 'POST',
      path: basePath + LIMIT_UPDATE_PATH,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-KM-User-AspId': aspId,
        'X-KM-Correlation-Id': correlationId,
        'X-KM-Access-Key': accessKey,
        'X-KM-Tran-Token': `KMV1:${time17}:${mac}`,
        'X-KM-Tran-Time': time17.slice(0, 14),
        'X-KM-Time-Zone': 'KST',
      },
    },
    (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        let code;
        try {
          code = JSON.parse(Buffer.concat(chunks).toString('utf8')).code;
        } catch {
          code = undefined;
        }
        if (response.statusCode === 200 && (code === '000_000' || code === undefined)) {
          const { perTransaction, daily, monthly } = limits;
          reply(res, 200, JSON.stringify({ limits: { perTransaction, daily, monthly } }));
        } else {
          reply(res, 502, JSON.stringify({ upstreamStatus: response.statusCode, code }));
        }
      });
      response.on('error', () => reply(res, 502, '{"error":"upstream answer broke off"}'));
    },
  );
  request.setTimeout(5000, () => request.destroy(new Error('upstream timeout')));
  request.on('error', (error) => {
    if (!res.headersSent) reply(res, 502, JSON.stringify({ error: error.message }));
  });
  request.end(body);
}

const server = http.createServer((req, res) => {
  const match = req.method === 'PUT' ? ROUTE.exec(req.url ?? '') : null;
  if (match === null) {
    req.resume();
    reply(res, 404, '{"error":"not found"}');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let limits;
    try {
      limits = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      reply(res, 400, '{"error":"body is not JSON"}');
      return;
    }
    if (limits === null || typeof limits !== 'object') {
      reply(res, 400, '{"error":"body is not a JSON object"}');
      return;
    }
    forward(res, decodeURIComponent(match[1]), limits);
  });
});

server.listen(Number(env.BASELINE_PORT ?? 0), env.BASELINE_HOST ?? '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(
    JSON.stringify({ msg: 'listening', service: 'bench-baseline', port }) + '\n',
  );
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  agent.destroy();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
