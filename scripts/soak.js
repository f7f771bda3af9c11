#!/usr/bin/env node
// `npm run soak -- [--duration SECONDS] [--faults] [--redis-restart | --sentinel] [--redis-stall]
//                  [--smoke] [--workers N]`
//
// Starts a throwaway redis-server (append-only, fsync always, so a kill -9 loses nothing), the KONA
// sandbox (dist/sandbox/test/sandbox/main.js) and the gateway (dist/main.js, NODE_ENV=production),
// drives mixed traffic at both endpoints with bounded concurrency, optionally injects KONA faults
// in phases, kills/restarts Redis once and stalls it once (SIGSTOP for 3 s, longer than the
// gateway's command timeout, then SIGCONT), then prints a report and checks, from the sandbox's call
// log, that no key reached KONA twice except retries after an unknown outcome. Exits 1 if a check
// fails or the gateway ever answered 500. `--smoke` = 20 s with faults, a Redis stall and a Redis
// restart (the CI job). `--sentinel` runs Redis as a Sentinel deployment instead (a primary, two
// replicas, three sentinels, no persistence: test/support/redis-sentinel.ts, compiled beside the
// sandbox), SIGKILLs its primary halfway through and reports how long the failover took and when
// the gateway served again.
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { SignJWT } = require('jose');

const ROOT = join(__dirname, '..');
const JWT_SECRET = 'soak-only-jwt-secret-at-least-32-bytes-long';
// The sandbox's demo credentials, from the build (npm run build runs first).
const { SANDBOX_DEMO: DEMO } = require('../dist/sandbox/test/sandbox/demo-credentials');
const { KONA_OPERATIONS } = require('../dist/konaplate/operations/kona-operations');
// The call-log rule the e2e tests check too (test/support/call-repeats.ts).
const {
  describeCalls,
  repeatsAfterFinalAnswer,
} = require('../dist/sandbox/test/support/call-repeats');
const { RedisSentinelTopology } = require('../dist/sandbox/test/support/redis-sentinel');
const PAR = 'V0010013019123456789012345A';

/** The routes the soak drives: every mutating operation, from the build's descriptors. */
const MUTATING = KONA_OPERATIONS.filter((op) => op.mutates);
/** A valid body for each of them (mostly successes; KONA's verdicts come from the members). */
const BODIES = {
  namedcard: () => ({ identityVerified: Math.random() < 0.9 }),
  'card-limit-update': () => ({
    perTransaction: Math.floor(Math.random() * 1_000_000),
    daily: Math.floor(Math.random() * 10_000_000),
    monthly: Math.floor(Math.random() * 100_000_000),
  }),
  'card-status': () => ({ status: Math.random() < 0.5 ? 'suspended' : 'active' }),
};
for (const op of MUTATING) {
  if (!BODIES[op.name]) throw new Error(`soak: no request body for operation ${op.name}`);
}
const TIMEOUT_MS = 1000;
const MEMBERS = 1000;
const MEMBER_BASE = 7_100_000_000;
/** Members whose requests are invalid on purpose: KONA must never see them. */
const INVALID_MEMBER_BASE = 7_200_000_000;
/** Sandbox members with a fixed KONA business error (test/sandbox/members.ts). */
const BUSINESS_MEMBERS = ['1001006', '1011001', '1003024', '1000002', '1999999'];

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const options = {
    duration: 30,
    faults: false,
    redisRestart: false,
    redisStall: false,
    sentinel: false,
    workers: 16,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--smoke')
      Object.assign(options, { duration: 20, faults: true, redisRestart: true, redisStall: true });
    else if (arg === '--faults') options.faults = true;
    else if (arg === '--redis-restart') options.redisRestart = true;
    else if (arg === '--redis-stall') options.redisStall = true;
    else if (arg === '--sentinel') options.sentinel = true;
    else if (arg === '--duration') options.duration = positive(argv[++i], arg);
    else if (arg === '--workers') options.workers = positive(argv[++i], arg);
    else throw new Error(`unknown argument ${arg} (see the header of scripts/soak.js)`);
  }
  if (options.sentinel && options.redisRestart)
    throw new Error('--sentinel has its own Redis outage (a failover): not with --redis-restart');
  if (options.sentinel && options.redisStall)
    throw new Error('--sentinel has its own Redis outage (a failover): not with --redis-stall');
  return options;
}

function positive(value, name) {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} needs a positive integer`);
  return number;
}

// ---------------------------------------------------------------- children

const children = new Set();
let tempDir;
/** The Sentinel deployment of `--sentinel`, which owns its processes. */
let topology;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a child that is killed on every way out of this script; keeps the tail of its output. */
function start(name, command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.label = name;
  child.output = [];
  const keep = (chunk) => {
    child.output.push(chunk.toString('utf8'));
    if (child.output.length > 200) child.output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.once('error', (error) => {
    child.spawnError = error.message;
    keep(`spawn error: ${error.message}`);
  });
  children.add(child);
  child.exited.then(() => children.delete(child));
  return child;
}

async function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

async function stopAll() {
  await Promise.all([...children].map((child) => stopChild(child)));
  await topology?.stop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}

function killAllNow() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  topology?.killNow();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`[soak] ${signal}: stopping`);
    stopAll().finally(() => process.exit(130));
  });
}

async function waitForPort(port, ms, child) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.spawnError) {
      throw new Error(`${child.label} did not start: ${child.spawnError ?? child.output.join('')}`);
    }
    const open = await new Promise((resolve) => {
      const socket = net.createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port} after ${ms} ms`);
}

async function waitForHttp(url, ms, child) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.text();
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${ms} ms:\n${child.output.join('').slice(-2000)}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startRedis(port) {
  const child = start('redis', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    tempDir,
  ]);
  await waitForPort(port, 5000, child);
  return child;
}

async function startSandbox() {
  const child = start('sandbox', process.execPath, ['dist/sandbox/test/sandbox/main.js'], {
    SANDBOX_PORT: '0',
    SANDBOX_HOST: '127.0.0.1',
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not start')), 10_000);
    const onData = (chunk) => {
      const line = chunk
        .toString('utf8')
        .split('\n')
        .find((text) => text.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(JSON.parse(line).port);
    };
    child.stdout.on('data', onData);
    child.exited.then(() => reject(new Error(`the sandbox exited:\n${child.output.join('')}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startGateway(sandboxUrl, redisEnv) {
  const port = await freePort();
  // Metrics are read from the management port, not the API's.
  const managementPort = await freePort();
  const child = start('gateway', process.execPath, ['dist/main.js'], {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    MANAGEMENT_PORT: String(managementPort),
    LOG_LEVEL: 'error',
    KONAPLATE_BASE_URL: sandboxUrl,
    // The sandbox listens on plain HTTP on loopback; production otherwise requires https:.
    KONAPLATE_ALLOW_PLAINTEXT: 'true',
    KONAPLATE_ASP_ID: DEMO.aspId,
    KONAPLATE_ACCESS_KEY: DEMO.accessKey,
    KONAPLATE_SECRET_KEY: DEMO.secretKey,
    KONAPLATE_TIMEOUT_MS: String(TIMEOUT_MS),
    AUTH_JWT_SECRET: JWT_SECRET,
    ...redisEnv,
    RATE_LIMIT_PER_MINUTE: '1000000',
    UPSTREAM_BREAKER_COOLDOWN_MS: '2000',
    SHUTDOWN_DELAY_MS: '0',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, 20_000, child);
  return { child, url, managementUrl: `http://127.0.0.1:${managementPort}` };
}

// ---------------------------------------------------------------- sandbox admin

async function admin(sandboxUrl, method, path, body) {
  const response = await fetch(`${sandboxUrl}/__sandbox/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status >= 300)
    throw new Error(`sandbox admin ${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * The sandbox keeps its newest 10 000 calls: the log is read every second and merged by sequence
 * number, newest copy winning (an entry is completed when the answer goes out).
 */
function callCollector(sandboxUrl) {
  const calls = new Map();
  let timer;
  let pending = Promise.resolve();
  const poll = async () => {
    const { calls: list } = await admin(sandboxUrl, 'GET', 'calls');
    for (const call of list) calls.set(call.seq, call);
  };
  return {
    calls,
    start() {
      timer = setInterval(() => {
        pending = pending
          .then(poll)
          .catch((error) => console.error(`[soak] call log: ${error.message}`));
      }, 1000);
    },
    async stop() {
      clearInterval(timer);
      await pending;
      await poll();
    },
  };
}

// ---------------------------------------------------------------- fault phases

/** Faults in time order, as fractions of the run; each is set (or cleared) when its time comes. */
function faultPlan(options, memberIds) {
  if (!options.faults) return [];
  const pick = (n) => Array.from({ length: n }, (_, i) => memberIds[(i * 37) % memberIds.length]);
  const perMember = (mode, extra) => pick(15).map((userId) => ({ mode, userId, ...extra }));
  return [
    {
      at: 0.1,
      name: 'slow KONA (300 ms, within the timeout)',
      faults: [{ mode: 'latency', latencyMs: 300 }],
    },
    {
      at: 0.2,
      name: 'KONA answering 503 (breaker opens)',
      faults: [{ mode: '5xx', status: 503, times: 60 }],
    },
    {
      at: 0.3,
      name: 'some members hang or reset; KONA slower than the timeout for 20 calls',
      clear: true,
      faults: [
        ...perMember('hang', { times: 3 }),
        ...perMember('reset', { times: 2 }),
        { mode: 'latency', latencyMs: 2500, times: 20 },
      ],
    },
    {
      at: 0.4,
      name: 'malformed answers, slow drips, 502s',
      faults: [
        { mode: 'malformed', times: 15 },
        ...perMember('drip', { latencyMs: 2500, times: 2 }),
        ...perMember('5xx', { status: 502, times: 3 }),
      ],
    },
    {
      at: 0.5,
      name: 'resets on every call for a moment',
      clear: true,
      faults: [{ mode: 'reset', times: 30 }],
    },
    { at: 0.75, name: 'healthy KONA again', clear: true, faults: [] },
  ];
}

// ---------------------------------------------------------------- traffic

function traffic(gatewayUrl, options, stats) {
  const tokens = new Map();
  const history = [];
  let next = 0;
  const runId = `${process.pid}-${Date.now().toString(36)}`;

  const tokenFor = (member) => {
    if (!tokens.has(member)) {
      tokens.set(
        member,
        new SignJWT({ sub: member })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt()
          .setExpirationTime('2h')
          .sign(new TextEncoder().encode(JWT_SECRET)),
      );
    }
    return tokens.get(member);
  };

  const fresh = () => {
    next += 1;
    const roll = Math.random();
    let member;
    let invalid = false;
    if (roll < 0.05) member = BUSINESS_MEMBERS[next % BUSINESS_MEMBERS.length];
    else if (roll < 0.07) {
      member = String(INVALID_MEMBER_BASE + (next % 100));
      invalid = true;
    } else member = String(MEMBER_BASE + Math.floor(Math.random() * MEMBERS));
    const op = MUTATING[Math.floor(Math.random() * MUTATING.length)];
    let body = BODIES[op.name]();
    if (invalid) body = { ...body, unexpected: 'field' };
    return {
      member,
      key: `soak-${runId}-${next}`,
      method: op.route.method,
      path: op.route.path.replace(':par', PAR),
      body: JSON.stringify(body),
      invalid,
      answers: [],
    };
  };

  const send = async (request, retry) => {
    const started = performance.now();
    let answer;
    try {
      const response = await fetch(`${gatewayUrl}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${await tokenFor(request.member)}`,
          'idempotency-key': request.key,
          'content-type': 'application/json',
        },
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let code;
      try {
        code = JSON.parse(text).code;
      } catch {
        code = undefined;
      }
      answer = {
        status: response.status,
        code,
        text,
        retry,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        correlationId: response.headers.get('x-correlation-id'),
      };
    } catch (error) {
      answer = {
        status: 0,
        code:
          error.name === 'TimeoutError'
            ? 'CLIENT_TIMEOUT'
            : `NETWORK_${error.cause?.code ?? error.name}`,
        retry,
      };
    }
    answer.sentAt = started;
    answer.ms = performance.now() - started;
    request.answers.push(answer);
    stats.record(answer);
  };

  const worker = async (until) => {
    while (performance.now() < until) {
      if (history.length > 20 && Math.random() < 0.2) {
        await send(history[Math.floor(Math.random() * history.length)], true);
      } else {
        const request = fresh();
        history.push(request);
        await send(request, false);
      }
    }
  };

  return {
    history,
    run: (until) => Promise.all(Array.from({ length: options.workers }, () => worker(until))),
  };
}

function answerStats() {
  const byClass = new Map();
  const byPhase = new Map();
  const latencies = [];
  let total = 0;
  return {
    byClass,
    byPhase,
    latencies,
    phase: 'healthy KONA',
    get total() {
      return total;
    },
    record(answer) {
      total += 1;
      latencies.push(answer.ms);
      const klass = answer.status === 0 ? 'no answer' : `${Math.floor(answer.status / 100)}xx`;
      if (!byPhase.has(this.phase)) byPhase.set(this.phase, new Map());
      const phase = byPhase.get(this.phase);
      phase.set(klass, (phase.get(klass) ?? 0) + 1);
      const label =
        answer.status === 0 || answer.status >= 400
          ? `${answer.status} ${answer.code ?? '(no code)'}`
          : String(answer.status);
      if (!byClass.has(klass)) byClass.set(klass, new Map());
      const counts = byClass.get(klass);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    },
  };
}

// ---------------------------------------------------------------- checks

function checkCalls(calls, history, completeFailed) {
  const problems = [];
  const notes = [];
  const all = [...calls.values()];
  for (const call of all) {
    if (call.rejected) problems.push(`the sandbox refused call #${call.seq}: ${call.rejected}`);
  }
  const repeats = repeatsAfterFinalAnswer(all);
  const unexplained = repeats.afterFinal.length;
  for (const group of repeats.afterFinal.slice(0, 10)) {
    const id = `${group[0].userId}|${group[0].correlationId}`;
    notes.push(
      `(member|correlation id) ${id} reached KONA ${group.length} times after a final answer: ${describeCalls(group)}`,
    );
  }
  // A definitive answer the store could not record (Redis down at that instant) cannot be replayed:
  // the gateway logs and counts it (complete_failed), and a retry may reach KONA again.
  if (unexplained > completeFailed) {
    problems.push(
      `${unexplained} correlation id(s) reached KONA again after a final answer (only ${completeFailed} unrecorded answers explain such a repeat)`,
    );
    problems.push(...notes);
  } else if (unexplained > 0) {
    notes.unshift(
      `${unexplained} repeat(s) after a final answer, explained by answers the store could not record (complete_failed=${completeFailed})`,
    );
  }

  const byMember = new Map();
  for (const call of calls.values())
    byMember.set(call.userId, (byMember.get(call.userId) ?? 0) + 1);
  let keysWithTwoIds = 0;
  let replayMismatches = 0;
  let invalidReached = 0;
  for (const request of history) {
    if (request.invalid) {
      if (byMember.has(request.member)) invalidReached += 1;
      continue;
    }
    const ids = new Set(request.answers.map((a) => a.correlationId).filter(Boolean));
    if (ids.size > 1) keysWithTwoIds += 1;
    // Every final answer of a key (success or KONA's business verdict) is the same answer, and
    // all but one of them are replays. Answers are compared whatever order they arrived in.
    const finals = request.answers.filter(isFinal);
    const executions = finals.filter((a) => !a.replayed).length;
    const differing = finals.some(
      (a) => a.status !== finals[0].status || a.text !== finals[0].text,
    );
    if (executions > 1 || differing) {
      replayMismatches += 1;
      if (replayMismatches <= 5) {
        const seen = request.answers.map(
          (a) =>
            `${a.status} ${a.code ?? ''}${a.replayed ? ' (replay)' : ''} ${a.correlationId ?? ''}`,
        );
        notes.push(`key ${request.key} (member ${request.member}) answered: ${seen.join('; ')}`);
      }
    }
  }
  if (keysWithTwoIds > 0)
    problems.push(`${keysWithTwoIds} key(s) were sent to KONA under two correlation ids`);
  if (replayMismatches > completeFailed) {
    problems.push(
      `${replayMismatches} key(s) got two different final answers, or were executed twice`,
    );
  }
  if (invalidReached > 0) problems.push(`${invalidReached} invalid request(s) reached KONA`);
  return { problems, notes, retried: repeats.repeated, groups: repeats.transactions };
}

/** A success, or a mapped KONA verdict (a 4xx problem carrying KONA's code): final for a key. */
function isFinal(answer) {
  if (answer.status === 200) return true;
  if (answer.status < 400 || answer.status >= 500) return false;
  try {
    return typeof JSON.parse(answer.text).upstreamCode === 'string';
  } catch {
    return false;
  }
}

/** When the gateway served again: the first fresh success of a request sent after `since`. */
function firstSuccessAfter(since, history) {
  const served = history
    .flatMap((request) => request.answers)
    .filter((a) => a.status === 200 && !a.replayed && a.sentAt > since)
    .map((a) => a.sentAt + a.ms - since);
  return served.length > 0 ? Math.min(...served) : undefined;
}

/** One sample of the gateway's /metrics, served on its management port. */
async function metricValue(managementUrl, line) {
  const text = await (await fetch(`${managementUrl}/metrics`)).text();
  const found = text.split('\n').find((candidate) => candidate.startsWith(line + ' '));
  return found ? Number(found.slice(found.lastIndexOf(' ') + 1)) : 0;
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---------------------------------------------------------------- main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  tempDir = mkdtempSync(join(tmpdir(), 'kbff-soak-'));
  const redisPort = await freePort();
  let redis;
  let redisEnv;
  if (options.sentinel) {
    topology = await RedisSentinelTopology.start({ name: 'kbff-soak' });
    redisEnv = { REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_NAME: topology.name };
  } else {
    redis = await startRedis(redisPort);
    redisEnv = { REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  }
  const sandbox = await startSandbox();
  const gateway = await startGateway(sandbox.url, redisEnv);
  const outage = options.sentinel
    ? 'Redis Sentinel with a failover'
    : `Redis restart ${options.redisRestart ? 'on' : 'off'}`;
  console.log(
    `[soak] ${options.duration} s, ${options.workers} workers, faults ${options.faults ? 'on' : 'off'}, ` +
      `${outage}, stall ${options.redisStall ? 'on' : 'off'}; gateway ${gateway.url}, sandbox ${sandbox.url}`,
  );

  const stats = answerStats();
  stats.phase = options.faults ? 'warm-up, healthy KONA' : 'healthy KONA';
  const collector = callCollector(sandbox.url);
  const load = traffic(gateway.url, options, stats);
  const memberIds = Array.from({ length: MEMBERS }, (_, i) => String(MEMBER_BASE + i));
  const durationMs = options.duration * 1000;
  const startedAt = performance.now();
  const until = startedAt + durationMs;
  const events = [];
  const log = (message) => {
    const line = `[soak] t=${((performance.now() - startedAt) / 1000).toFixed(1)}s ${message}`;
    events.push(line);
    console.log(line);
  };

  /** `--sentinel`: when the primary was killed and how long the failover took. */
  let failover;
  const scenario = async () => {
    const steps = faultPlan(options, memberIds).map((step) => ({ ...step, kind: 'faults' }));
    if (options.redisRestart) steps.push({ at: 0.6, kind: 'redis' });
    if (options.redisStall) steps.push({ at: 0.35, kind: 'stall' });
    if (options.sentinel) steps.push({ at: 0.5, kind: 'sentinel' });
    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      const wait = startedAt + step.at * durationMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (step.kind === 'stall') {
        // Claims queued on the stalled socket run when Redis resumes: none may hold a key, and
        // answers that could not be stored then must still be stored (retried, lease renewed).
        stats.phase = `${stats.phase} + Redis stalled`;
        log('Redis: SIGSTOP (3 s)');
        redis.kill('SIGSTOP');
        await sleep(3000);
        redis.kill('SIGCONT');
        log('Redis: SIGCONT');
        continue;
      }
      if (step.kind === 'sentinel') {
        stats.phase = `${stats.phase} + Sentinel failover`;
        const port = await topology.killPrimary();
        failover = { killedAt: performance.now(), killedAtWall: Date.now() };
        log(`Redis Sentinel: primary :${port} SIGKILLed`);
        const { primary, announcedAt } = await topology.waitForFailover(30_000);
        failover.announcedMs = announcedAt - failover.killedAtWall;
        failover.readyMs = performance.now() - failover.killedAt;
        log(
          `Redis Sentinel: +switch-master after ${failover.announcedMs} ms, primary :${primary} ` +
            `with a replica online after ${failover.readyMs.toFixed(0)} ms`,
        );
        continue;
      }
      if (step.kind === 'redis') {
        stats.phase = `${stats.phase} + Redis killed and restarted`;
        log('Redis: kill -9');
        await stopChild(redis, 'SIGKILL');
        await sleep(1500);
        redis = await startRedis(redisPort);
        log('Redis: restarted (append-only file replayed)');
        continue;
      }
      if (step.clear) await admin(sandbox.url, 'DELETE', 'faults');
      for (const fault of step.faults) await admin(sandbox.url, 'POST', 'faults', fault);
      stats.phase = step.name;
      log(`faults: ${step.name}`);
    }
  };

  collector.start();
  await Promise.all([load.run(until), scenario()]);
  await admin(sandbox.url, 'DELETE', 'faults');
  // Let hung calls end (the gateway aborts them at its timeout) before the last read of the log.
  await sleep(TIMEOUT_MS + 500);
  await collector.stop();
  const elapsed = (performance.now() - startedAt) / 1000;

  const completeFailed = await metricValue(
    gateway.managementUrl,
    'idempotency_outcomes_total{outcome="complete_failed"}',
  );
  let circuitOpen = 0;
  for (const op of KONA_OPERATIONS) {
    circuitOpen += await metricValue(
      gateway.managementUrl,
      `konaplate_calls_total{operation="${op.name}",outcome="circuit_open"}`,
    );
  }
  const completedLate = await metricValue(
    gateway.managementUrl,
    'idempotency_outcomes_total{outcome="completed_late"}',
  );
  const check = checkCalls(collector.calls, load.history, completeFailed);
  const internal = [...stats.byClass.values()].flatMap((counts) =>
    [...counts].filter(([label]) => label.startsWith('500') || label.includes('INTERNAL')),
  );
  const noAnswer = stats.byClass.get('no answer');
  const sorted = [...stats.latencies].sort((a, b) => a - b);

  console.log('\n================ soak report ================');
  console.log(
    `requests: ${stats.total} in ${elapsed.toFixed(1)} s (${(stats.total / elapsed).toFixed(0)}/s), keys: ${load.history.length}`,
  );
  console.log(
    `latency ms: p50 ${percentile(sorted, 50).toFixed(1)}, p99 ${percentile(sorted, 99).toFixed(1)}, max ${percentile(sorted, 100).toFixed(1)}`,
  );
  for (const klass of ['2xx', '4xx', '5xx', 'no answer']) {
    const counts = stats.byClass.get(klass);
    if (!counts) continue;
    const sum = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${klass}: ${sum}`);
    for (const [label, count] of [...counts].sort((a, b) => b[1] - a[1]))
      console.log(`    ${label}: ${count}`);
  }
  console.log('answers by phase:');
  for (const [phase, counts] of stats.byPhase) {
    const cells = ['2xx', '4xx', '5xx', 'no answer'].map((k) => `${k} ${counts.get(k) ?? 0}`);
    console.log(`    ${phase}: ${cells.join(', ')}`);
  }
  console.log(
    `replayed answers: ${load.history.flatMap((r) => r.answers).filter((a) => a.replayed).length}`,
  );
  console.log(
    `KONA calls seen: ${collector.calls.size} (distinct member+correlation id: ${check.groups}, sent more than once: ${check.retried})`,
  );
  console.log(
    `calls answered by the open circuit: ${circuitOpen}; answers stored late (after a retry): ${completedLate}; answers the store could not record: ${completeFailed}`,
  );
  const servedMs = failover && firstSuccessAfter(failover.killedAt, load.history);
  if (failover) {
    console.log(
      `Sentinel failover: +switch-master ${failover.announcedMs} ms after the primary's SIGKILL, ` +
        `new primary with a replica after ${failover.readyMs.toFixed(0)} ms; first fresh ` +
        `success of a request sent after the kill: ${servedMs === undefined ? 'none' : `${servedMs.toFixed(0)} ms`}`,
    );
  }
  for (const note of check.notes) console.log(`note: ${note}`);
  const gatewayErrors = gateway.child.output
    .join('')
    .split('\n')
    .filter((line) => line.includes('"level":50'));
  console.log(`gateway error log lines: ${gatewayErrors.length}`);
  for (const line of gatewayErrors.slice(0, 5)) console.log(`    ${line.slice(0, 300)}`);

  const problems = [...check.problems];
  if (internal.length > 0) problems.push(`the gateway answered 500: ${JSON.stringify(internal)}`);
  if (noAnswer) problems.push(`requests got no answer at all: ${JSON.stringify([...noAnswer])}`);
  if (stats.total === 0) problems.push('no request was sent');
  if (options.sentinel && servedMs === undefined)
    problems.push('no request sent after the Sentinel failover succeeded');
  console.log(problems.length === 0 ? 'RESULT: PASS' : 'RESULT: FAIL');
  for (const problem of problems) console.log(`  - ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  let exitCode = 1;
  main()
    .then((code) => {
      exitCode = code;
    })
    .catch((error) => {
      console.error(`[soak] ${error.stack ?? error.message}`);
      exitCode = 1;
    })
    .finally(async () => {
      await stopAll();
      process.exit(exitCode);
    });
}

module.exports = { checkCalls, parseArgs };
