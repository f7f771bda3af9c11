#!/usr/bin/env node
// `npm run dev`: the KONA sandbox, a throwaway redis-server when one is on PATH (else the
// in-process store), and the gateway wired to both; prints a development token and curl lines.
// Message encryption is on: two throwaway RSA-2048 pairs are made at start, the partner's (the
// gateway keeps the private half, the sandbox gets the public one) and KONA's (the other way round).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { startNodeFlags } = require('./node-flags');
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const net = require('node:net');
const { SignJWT } = require('jose');

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-at-least-32-bytes';
// The sandbox's demo credentials, from the build (npm run build runs first).
const { SANDBOX_DEMO: DEMO } = require('../dist/sandbox/test/sandbox/demo-credentials');
const DEV_MEMBER = '9999999999999999999';
const PAR = 'V0010013019123456789012345A';
const children = [];

function portFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** An RSA-2048 pair as PEM: PKCS#8 private key, SPKI public key. */
function rsaPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

async function pickPort(preferred) {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(name, command, args, env, output = 'inherit') {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', output, 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready in ${ms} ms`);
}

let stopping = false;
function stop(code) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 300).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function main() {
  const gatewayPort = Number(process.env.PORT ?? 3000);
  // Otherwise the readiness probe below could be answered by whatever holds the port.
  const gatewayHost = process.env.HOST || '0.0.0.0';
  if (!(await portFree(gatewayPort)) || !(await portFree(gatewayPort, gatewayHost))) {
    console.error(
      `[dev] port ${gatewayPort} is already in use: stop what listens there or run PORT=<free port> npm run dev`,
    );
    process.exit(1);
  }
  const sandboxPort = await pickPort(8080);
  // Metrics, Swagger UI and detailed health: the management port (9464 unless taken or set).
  const managementPort = Number(process.env.MANAGEMENT_PORT || (await pickPort(9464)));
  const partner = rsaPair(); // the gateway's pair: KONA encrypts answers for its public key
  const kona = rsaPair(); // KONA's (the sandbox's) pair: the gateway encrypts requests for it
  const env = {
    NODE_ENV: 'development',
    PORT: String(gatewayPort),
    MANAGEMENT_PORT: String(managementPort),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    KONAPLATE_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
    KONAPLATE_ASP_ID: DEMO.aspId,
    KONAPLATE_ACCESS_KEY: DEMO.accessKey,
    KONAPLATE_SECRET_KEY: DEMO.secretKey,
    KONAPLATE_CLIENT_PRIVATE_KEY: partner.privatePem,
    KONAPLATE_SERVER_PUBLIC_KEY: kona.publicPem,
    KONAPLATE_CRYPTO_KEY_ID: ('dev' + randomBytes(16).toString('hex')).slice(0, 32),
    AUTH_JWT_SECRET: DEV_JWT_SECRET,
    SHUTDOWN_DELAY_MS: '0',
  };

  const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (hasRedis && !process.env.REDIS_URL) {
    const redisPort = await pickPort(6379);
    start(
      'redis',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {},
      'ignore',
    );
    env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  } else if (process.env.REDIS_URL) {
    env.REDIS_URL = process.env.REDIS_URL;
  } else {
    console.warn(
      '[dev] no redis-server on PATH: the gateway uses its in-process idempotency store',
    );
  }

  start('sandbox', process.execPath, ['dist/sandbox/test/sandbox/main.js'], {
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_HOST: '127.0.0.1',
    SANDBOX_SERVER_PRIVATE_KEY: kona.privatePem,
    SANDBOX_PARTNER_PUBLIC_KEY: partner.publicPem,
  });
  await waitFor(`http://127.0.0.1:${sandboxPort}/health`, 10_000);
  start('gateway', process.execPath, [...startNodeFlags(), 'dist/main.js'], env);
  await waitFor(`http://127.0.0.1:${gatewayPort}/health/ready`, 15_000);

  const token = await new SignJWT({ sub: DEV_MEMBER })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('24h')
    .sign(new TextEncoder().encode(DEV_JWT_SECRET));
  const base = `http://localhost:${gatewayPort}`;
  const management = `http://localhost:${managementPort}`;
  console.log(`
kona-bff is up on ${base}  (KONA sandbox on :${sandboxPort}, store: ${env.REDIS_URL ?? 'in-process'},
message encryption on with throwaway keys)
Swagger UI: ${management}/docs   metrics: ${management}/metrics   readiness: ${management}/health/ready

export TOKEN='${token}'   # member ${DEV_MEMBER}, valid 24 h

curl -i -X POST ${base}/v1/me/real-name-registration \\
  -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $(uuidgen 2>/dev/null || date +%s%N)" \\
  -H 'Content-Type: application/json' -d '{"identityVerified": true}'

curl -i -X PUT ${base}/v1/me/cards/${PAR}/limits \\
  -H "Authorization: Bearer $TOKEN" -H 'Idempotency-Key: limits-demo-1' \\
  -H 'Content-Type: application/json' -d '{"perTransaction": 500000, "daily": 1000000, "monthly": 3000000}'

curl -i ${base}/v1/me/cards -H "Authorization: Bearer $TOKEN"

curl -i -X PUT ${base}/v1/me/cards/${PAR}/status \\
  -H "Authorization: Bearer $TOKEN" -H 'Idempotency-Key: suspend-demo-1' \\
  -H 'Content-Type: application/json' -d '{"status":"suspended"}'

curl -i -X PUT ${base}/v1/me/cards/${PAR}/status \\
  -H "Authorization: Bearer $TOKEN" -H 'Idempotency-Key: resume-demo-1' \\
  -H 'Content-Type: application/json' -d '{"status":"active"}'

Repeat a PUT: same answer, with Idempotent-Replayed: true. The card list shows the suspension.
Ctrl-C stops everything.
`);
}

main().catch((error) => {
  console.error(`[dev] ${error.message}`);
  stop(1);
});
