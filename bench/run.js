#!/usr/bin/env node
// `npm run bench`: the gateway (dist/main.js) side by side with a bare node:http passthrough
// (bench/baseline.js), both in front of the KONA sandbox reached over TLS, driven by wrk in
// alternating rounds (baseline, gateway with fresh keys, gateway replaying one key; again). Prints
// one Markdown report on stdout (progress goes to stderr) and, unless --smoke, writes it with the
// machine's description to bench/last-run.md.
//
//   node bench/run.js [--duration S] [--connections N] [--threads N] [--rounds N] [--warmup S]
//                     [--smoke] [--build] [--cpu-prof DIR] [--env KEY=VALUE ...]
//                     [--no-start-flags] [--node-arg FLAG ...]
//
// The gateway runs with the node flags of `npm start` (scripts/node-flags.js), as the image runs
// it; --no-start-flags drops them, --node-arg adds one (V8 flags NODE_OPTIONS refuses, such as
// --trace-gc or --heap-growing-percent).
// --env overrides the gateway's environment (e.g. --env LOG_LEVEL=warn, or
// --env MALLOC_ARENA_MAX=2) to measure a setting's effect; such runs are labelled.
// --build runs `npm run build` once the lock is held (npm run bench passes it).
//
// It first takes the machine-wide lock /tmp/kbff-bench.lock (bench/lock.js), waiting for any other
// benchmark to finish. It reports; it does not fail on a missed target. It exits non-zero only
// when something did not work (a process did not start, a preflight request failed, a load phase
// got no 2xx at all, a "fresh" request was answered as a replay).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');
const { startNodeFlags } = require('../scripts/node-flags');
const { acquireBenchLock } = require('./lock');
const ch = require('./children');
const { checkWrk, runWrk } = require('./load');
const { tailLog } = require('./log-tail');
const probe = require('./probes');
const { report, validity, fixed, mib } = require('./report');
const { makeCertificates } = require('./tls');

const { log } = ch;
const ROOT = path.resolve(__dirname, '..');
const GATEWAY_MAIN = path.join(ROOT, 'dist', 'main.js');
const SANDBOX_MAIN = path.join(ROOT, 'dist', 'sandbox', 'test', 'sandbox', 'main.js');
const DEMO_CREDENTIALS = path.join(ROOT, 'dist', 'sandbox', 'test', 'sandbox', 'demo-credentials');
const BASELINE_MAIN = path.join(__dirname, 'baseline.js');
const LAST_RUN = path.join(__dirname, 'last-run.md');

const JWT_SECRET = 'bench-only-jwt-secret-that-is-32-bytes-or-more';
const PAR = 'V0010013019123456789012345A';
const ROUTE = `/v1/me/cards/${PAR}/limits`;
const BODY = JSON.stringify({ perTransaction: 500000, daily: 1000000, monthly: 3000000 });
const MEMBER_POOL = 1000;
const FIRST_MEMBER = 1_234_500_000_000;
const BASELINE_MEMBER = '1234567890123';
// The gateway's upper bound for RATE_LIMIT_PER_MINUTE: the limiter counts but never blocks.
const RATE_LIMIT = '1000000';

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const options = {
    duration: 10,
    connections: 32,
    // One wrk thread drives 32 connections at well over the rates here and leaves the CPU to
    // the servers under test.
    threads: 1,
    rounds: 3,
    smoke: false,
    build: false,
    cpuProf: undefined,
    env: {},
    // The start script's flags, as the image runs the gateway; --no-start-flags drops them.
    startFlags: true,
    nodeArgs: [],
    warmup: 2,
    sample: 200,
  };
  const number = (name, value, min) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--smoke':
        options.smoke = true;
        break;
      case '--build':
        options.build = true;
        break;
      case '--duration':
        options.duration = number(flag, value(), 1);
        break;
      case '--connections':
        options.connections = number(flag, value(), 1);
        break;
      case '--threads':
        options.threads = number(flag, value(), 1);
        break;
      case '--rounds':
        options.rounds = number(flag, value(), 1);
        break;
      case '--warmup':
        options.warmup = number(flag, value(), 0);
        break;
      case '--cpu-prof':
        options.cpuProf = path.resolve(value() ?? '/tmp/prof');
        break;
      case '--env': {
        const pair = value() ?? '';
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`--env takes KEY=VALUE (got "${pair}")`);
        options.env[pair.slice(0, at)] = pair.slice(at + 1);
        break;
      }
      case '--no-start-flags':
        options.startFlags = false;
        break;
      case '--node-arg':
        // A flag for the gateway's `node` itself, before its script: V8 flags that NODE_OPTIONS
        // refuses (--trace-gc), or any other, to measure them.
        options.nodeArgs.push(value() ?? '');
        break;
      case '--help':
        process.stdout.write(
          'node bench/run.js [--duration S=10] [--connections N=32] [--threads N=1] [--rounds N=3]\n' +
            '                  [--warmup S=2] [--smoke] [--build] [--cpu-prof DIR] [--env KEY=VALUE ...]\n' +
            '                  [--no-start-flags] [--node-arg FLAG ...]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (try --help)`);
    }
  }
  if (options.smoke) {
    // About 5 s in all: one round of 1 s per path, no warm-up, a short sequential sample.
    Object.assign(options, { duration: 1, rounds: 1, warmup: 0, sample: 20 });
  }
  options.threads = Math.min(options.threads, options.connections);
  return options;
}

// ---------------------------------------------------------------------------------------------
// The pieces

/** `npm start`'s node flags (what the image runs), unless --no-start-flags, then any --node-arg. */
function gatewayNodeFlags(options) {
  return [...(options.startFlags ? startNodeFlags() : []), ...options.nodeArgs];
}

/** Signs `MEMBER_POOL` HS256 tokens, one member each, and writes them one a line for wrk. */
async function writeTokens(file) {
  const { SignJWT } = require('jose');
  const secret = new TextEncoder().encode(JWT_SECRET);
  const tokens = await Promise.all(
    Array.from({ length: MEMBER_POOL }, (_, i) =>
      new SignJWT({ sub: String(FIRST_MEMBER + i) })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret),
    ),
  );
  fs.writeFileSync(file, tokens.join('\n') + '\n');
  return tokens;
}

function limitsHeaders(token, key) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  return headers;
}

/** The sandbox's transport counters (GET /__sandbox/transport, over TLS with the CA). */
async function transport(sandbox) {
  // A new connection per call (two per phase): no idle keep-alive socket for the sandbox to close
  // under us. Its handshake is counted with the others; KONA calls are counted apart.
  const res = await ch.request(sandbox.url, 'GET', '/__sandbox/transport', { ca: sandbox.ca });
  if (res.status !== 200) throw new Error(`sandbox /__sandbox/transport: HTTP ${res.status}`);
  return JSON.parse(res.text);
}

/**
 * One load phase: wrk against `url`, the CPU the server process `pid` spent per answer, and the
 * KONA calls the sandbox received meanwhile (by transport). Waits `settleMs` after wrk ends so
 * requests still in flight finish their KONA call and Redis scripts before anything is read.
 */
async function phase(ctx, { url, pid, kind, keyPrefix, durationS, settleMs = 300 }) {
  const konaBefore = (await transport(ctx.sandbox)).konaCalls;
  const cpuBefore = probe.processCpuMs(pid);
  const sandboxCpuBefore = probe.processCpuMs(ctx.sandbox.pid);
  const scriptEnv = {
    KBFF_WRK_PATH: ROUTE,
    KBFF_WRK_BODY: BODY,
    ...(kind === 'fresh'
      ? { KBFF_WRK_TOKENS: ctx.tokensFile, KBFF_WRK_KEY_PREFIX: keyPrefix }
      : { KBFF_WRK_TOKEN: ctx.replay.token, KBFF_WRK_KEY: ctx.replay.key }),
  };
  const result = await runWrk({
    url,
    kind,
    scriptEnv,
    connections: ctx.options.connections,
    threads: ctx.options.threads,
    durationS,
    onChild: (child) => ch.track('wrk', child),
  });
  result.cpuMs = (probe.processCpuMs(pid) - cpuBefore) / Math.max(1, result.completed);
  await sleep(settleMs);
  const konaAfter = (await transport(ctx.sandbox)).konaCalls;
  result.konaTls = konaAfter.tls - konaBefore.tls;
  result.konaPlain = konaAfter.plain - konaBefore.plain;
  // The sandbox serves both servers' KONA calls: its CPU per call says whether it could be what
  // limits a phase (it is not the process under test, so it is reported apart).
  result.sandboxCpuMs =
    (probe.processCpuMs(ctx.sandbox.pid) - sandboxCpuBefore) /
    Math.max(1, result.konaTls + result.konaPlain);
  return result;
}

function describe(label, s, pid) {
  const codes = Object.entries(s.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  log(
    `${label}: ${s.rps.toFixed(0)} req/s (2xx), p50 ${fixed(s.p50, 1)} ms, p99 ${fixed(s.p99, 1)} ms, ` +
      `CPU ${fixed(s.cpuMs, 3)} ms/req (wrk ${fixed(s.loadCpuMs, 3)}), replays ${s.replayed}, ` +
      `KONA calls ${s.konaTls} TLS / ${s.konaPlain} plain, ` +
      `non-2xx ${s.non2xx}, errors ${s.errors}${codes ? ` [${codes}]` : ''}` +
      (pid ? `, gateway RSS now ${mib(probe.procStatus(pid).rssKb)} MiB` : ''),
  );
}

/** `count` requests one at a time over one keep-alive connection; returns how many were 2xx. */
async function sequential(url, count, headersFor) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let ok = 0;
  try {
    for (let i = 0; i < count; i++) {
      const res = await ch.request(url, 'PUT', ROUTE, {
        headers: { ...limitsHeaders(), ...headersFor(i) },
        body: BODY,
        agent,
      });
      if (res.status >= 200 && res.status < 300) ok += 1;
    }
  } finally {
    agent.destroy();
  }
  return ok;
}

/** Aligns the tables (and keeps bench/last-run.md as `prettier --check` wants it). */
async function prettyMarkdown(text) {
  try {
    const prettier = require('prettier');
    const config = (await prettier.resolveConfig(LAST_RUN)) ?? {};
    return await prettier.format(text, { ...config, parser: 'markdown' });
  } catch {
    return text;
  }
}

const startLoad = os.loadavg();

function machine() {
  const cpus = os.cpus();
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout?.trim();
  const git = (...args) =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src') ? ' + uncommitted changes in src/' : '';
  return [
    `- code: commit ${commit}${dirty}`,
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- node: ${process.version}; ${redis ?? 'redis-server: unknown'}; ${openssl ?? 'openssl: unknown'}`,
    `- load average (1/5/15 min) at start ${startLoad.map((n) => n.toFixed(2)).join(' / ')}, ` +
      `at end ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' / ')} (other work on the machine skews the numbers)`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  const options = parseArgs(process.argv.slice(2));
  await acquireBenchLock(log);
  if (options.build) {
    log('npm run build');
    const built = spawnSync('npm', ['run', 'build', '--silent'], {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
    });
    if (built.status !== 0)
      throw new Error(`npm run build failed (${built.signal ?? built.status})`);
  }
  for (const file of [GATEWAY_MAIN, SANDBOX_MAIN]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  }
  const wrkVersion = checkWrk();
  // Demo credentials of the sandbox (test/sandbox/demo-credentials.ts): public on purpose.
  const { SANDBOX_DEMO: DEMO } = require(DEMO_CREDENTIALS);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kbff-bench-'));
  ch.scratch.push(work);
  const files = {
    gatewayLog: path.join(work, 'gateway.log'),
    gatewayErr: path.join(work, 'gateway.err'),
    sandbox: path.join(work, 'sandbox.err'),
    baseline: path.join(work, 'baseline.err'),
    tokens: path.join(work, 'tokens.txt'),
  };
  const fds = [];
  const open = (file) => {
    const fd = fs.openSync(file, 'a');
    fds.push(fd);
    return fd;
  };
  let failed = true;
  let ctl;
  let logTail;
  try {
    const certs = makeCertificates(work);
    const ca = fs.readFileSync(certs.ca);

    // Redis: throwaway, no persistence.
    const redisPort = await ch.freePort();
    const redis = ch.startChild(
      'redis-server',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: work, stdio: 'ignore' },
    );
    await ch.waitFor('redis-server', redis, () => ch.portOpen(redisPort), 5000);
    const { Redis } = require('ioredis');
    ctl = new Redis({ host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1 });
    ctl.on('error', (error) => {
      if (!ch.state.stopping) log(`control connection to Redis: ${error.message}`);
    });
    await ctl.ping();

    // The sandbox over TLS, with no added latency.
    const sandboxChild = ch.startChild('sandbox', process.execPath, [SANDBOX_MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        SANDBOX_PORT: '0',
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_TLS_CERT_FILE: certs.cert,
        SANDBOX_TLS_KEY_FILE: certs.key,
      },
      stdio: ['ignore', 'pipe', open(files.sandbox)],
    });
    const listening = await ch.firstJsonLine(sandboxChild, 10_000);
    if (!listening.tls || !String(listening.url).startsWith('https:')) {
      throw new Error(`the sandbox did not start with TLS: ${JSON.stringify(listening)}`);
    }
    const sandbox = { url: listening.url, ca, pid: sandboxChild.pid };

    const konaEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      KONAPLATE_BASE_URL: sandbox.url,
      KONAPLATE_ASP_ID: DEMO.aspId,
      KONAPLATE_ACCESS_KEY: DEMO.accessKey,
      KONAPLATE_SECRET_KEY: DEMO.secretKey,
    };

    // The baseline, trusting the throwaway CA for its https.Agent.
    const baselineChild = ch.startChild('baseline', process.execPath, [BASELINE_MAIN], {
      cwd: ROOT,
      env: {
        ...konaEnv,
        BASELINE_PORT: '0',
        BASELINE_HOST: '127.0.0.1',
        BASELINE_MEMBER_ID: BASELINE_MEMBER,
        BASELINE_CA_FILE: certs.ca,
      },
      stdio: ['ignore', 'pipe', open(files.baseline)],
    });
    const baselineUrl = `http://127.0.0.1:${(await ch.firstJsonLine(baselineChild, 10_000)).port}`;

    // The gateway, from dist/, as production runs it (https: to KONA, so no
    // KONAPLATE_ALLOW_PLAINTEXT), trusting the throwaway CA as an operator would add a private
    // one; its log goes to a file that is tailed while it grows.
    const gatewayPort = await ch.freePort();
    // Its own free port too: the default 9464 may be taken on the machine running the bench.
    const managementPort = await ch.freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const gatewayFlags = gatewayNodeFlags(options);
    const nodeArgs = [
      ...gatewayFlags,
      ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : []),
      GATEWAY_MAIN,
    ];
    const gatewayLogFd = open(files.gatewayLog);
    logTail = tailLog(files.gatewayLog);
    const started = performance.now();
    const gateway = ch.startChild('gateway', process.execPath, nodeArgs, {
      cwd: ROOT,
      env: {
        ...konaEnv,
        NODE_EXTRA_CA_CERTS: certs.ca,
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        MANAGEMENT_PORT: String(managementPort),
        LOG_LEVEL: 'info',
        KONAPLATE_TIME_ZONE: 'KST',
        AUTH_JWT_SECRET: JWT_SECRET,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
        SHUTDOWN_DELAY_MS: '0',
        ...options.env,
      },
      stdio: ['ignore', gatewayLogFd, open(files.gatewayErr)],
    });
    const readyMs = await ch.waitReady(gateway, gatewayUrl, 30_000, started);
    log(`gateway ready ${readyMs.toFixed(0)} ms after spawn (pid ${gateway.pid})`);

    // Tokens of a pool of members, used round-robin so rate-limit counters spread.
    const tokens = await writeTokens(files.tokens);
    // Every key prefix starts with the run id: a key of this run was never sent by an earlier
    // run either (Redis is new each run anyway).
    const runId = `${Date.now().toString(36)}-${process.pid}`;

    // Preflight: one request of each kind must succeed, or the numbers would mean nothing.
    await ch.expectOk(
      'baseline',
      ch.request(baselineUrl, 'PUT', ROUTE, { headers: limitsHeaders(), body: BODY }),
    );
    await ch.expectOk(
      'gateway (fresh key)',
      ch.request(gatewayUrl, 'PUT', ROUTE, {
        headers: limitsHeaders(tokens[1], `bench-${runId}-preflight`),
        body: BODY,
      }),
    );
    const replay = { token: tokens[0], key: `bench-${runId}-replay` };
    const replayArgs = { headers: limitsHeaders(replay.token, replay.key), body: BODY };
    await ch.expectOk('gateway (replay, first)', ch.request(gatewayUrl, 'PUT', ROUTE, replayArgs));
    const second = await ch.expectOk(
      'gateway (replay)',
      ch.request(gatewayUrl, 'PUT', ROUTE, replayArgs),
    );
    if (second.headers['idempotent-replayed'] !== 'true') {
      throw new Error('gateway (replay): the second request was not answered as a replay');
    }

    const ctx = { options, sandbox, tokensFile: files.tokens, replay };
    const memory = probe.rssSampler(gateway.pid);
    const trackedPids = () => ch.children.filter(ch.alive).map((c) => c.pid);
    if (options.warmup > 0) {
      log(`warm-up: ${options.warmup} s each`);
      const warm = { durationS: options.warmup, settleMs: 0 };
      await phase(ctx, { ...warm, url: baselineUrl, pid: baselineChild.pid, kind: 'fresh', keyPrefix: `bench-${runId}-warm-b` }); // prettier-ignore
      await phase(ctx, { ...warm, url: gatewayUrl, pid: gateway.pid, kind: 'fresh', keyPrefix: `bench-${runId}-warm-g` }); // prettier-ignore
      await phase(ctx, { ...warm, url: gatewayUrl, pid: gateway.pid, kind: 'replay' });
    }

    const baseline = [];
    const fresh = [];
    const replays = [];
    const redisFresh = [];
    const redisReplay = [];
    const ticksBefore = probe.cpuTicks(trackedPids());
    for (let round = 1; round <= options.rounds; round++) {
      const durationS = options.duration;
      const b = await phase(ctx, {
        url: baselineUrl,
        pid: baselineChild.pid,
        kind: 'fresh',
        keyPrefix: `bench-${runId}-r${round}-baseline`,
        durationS,
      });
      describe(`round ${round} baseline`, b);
      baseline.push(b);

      await probe.resetStats(ctl);
      const g = await phase(ctx, {
        url: gatewayUrl,
        pid: gateway.pid,
        kind: 'fresh',
        // A new prefix per round: no key of this round was sent in an earlier one.
        keyPrefix: `bench-${runId}-r${round}-fresh`,
        durationS,
      });
      redisFresh.push({ ...(await probe.commandStats(ctl)), requests: g.konaTls + g.konaPlain });
      describe(`round ${round} gateway fresh`, g, gateway.pid);
      fresh.push(g);

      await probe.resetStats(ctl);
      const r = await phase(ctx, { url: gatewayUrl, pid: gateway.pid, kind: 'replay', durationS });
      redisReplay.push({ ...(await probe.commandStats(ctl)), requests: r.sent });
      describe(`round ${round} gateway replay`, r, gateway.pid);
      replays.push(r);
    }
    const { maxRssKb, hwmKb } = memory.stop();
    const foreignCpu = probe.foreignShare(ticksBefore, probe.cpuTicks(trackedPids()));
    if (foreignCpu > 0.15) {
      log(`other processes took ${fixed(100 * foreignCpu, 0)} % of the CPU: numbers are skewed`);
    }

    // Round trips: Redis read events while requests go one at a time (a pipeline or a script
    // arrives in one read), minus the INFO that asks.
    await probe.resetStats(ctl);
    const overhead = await probe.readEvents(ctl, 0);
    const sample = options.sample;
    await probe.resetStats(ctl);
    const freshOk = await sequential(gatewayUrl, sample, (i) => ({
      authorization: `Bearer ${tokens[i % MEMBER_POOL]}`,
      'idempotency-key': `bench-${runId}-sample-${i}`,
    }));
    const freshTrips = (await probe.readEvents(ctl, overhead)) / sample;
    const freshSample = await probe.commandStats(ctl);
    await probe.resetStats(ctl);
    const replayOk = await sequential(gatewayUrl, sample, () => replayArgs.headers);
    const replayTrips = (await probe.readEvents(ctl, overhead)) / sample;
    const replaySample = await probe.commandStats(ctl);
    for (const [name, ok] of [
      ['fresh', freshOk],
      ['replay', replayOk],
    ]) {
      if (ok !== sample) log(`WARNING: sequential ${name} sample got ${ok} 2xx of ${sample}`);
    }
    log(
      `sequential sample (${sample} each): fresh ${fixed(freshSample.commands / sample)} commands, ` +
        `${fixed(freshTrips)} round trips; replay ${fixed(replaySample.commands / sample)} commands, ` +
        `${fixed(replayTrips)} round trips`,
    );

    const tlsStats = await transport(sandbox);
    await ch.stopChild(gateway);
    const logged = logTail.stop();
    logTail = undefined;
    for (const line of logged.firstProblems) log(`gateway logged: ${line}`);

    // Commands per request under load: a fresh request is counted by its KONA call (each makes
    // exactly one, requests still in flight when wrk stopped included), a replay as wrk sent it.
    const perRequest = (rows) => {
      const requests = rows.reduce((a, r) => a + r.requests, 0);
      return {
        commands: rows.reduce((a, r) => a + r.commands, 0) / requests,
        scripts: rows.reduce((a, r) => a + r.scripts, 0) / requests,
      };
    };
    const run = {
      options,
      wrkVersion,
      baseline,
      fresh,
      replay: replays,
      readyMs,
      foreignCpu,
      gatewayNodeFlags: gatewayFlags,
      memory: { maxRssKb, hwmKb },
      log: logged,
      tls: {
        enabled: tlsStats.tls,
        protocols: tlsStats.handshakes.protocols,
        ciphers: tlsStats.handshakes.ciphers,
        plainCalls: tlsStats.konaCalls.plain,
      },
      redis: {
        sampleSize: sample,
        fresh: { ...perRequest(redisFresh), trips: freshTrips },
        replay: { ...perRequest(redisReplay), trips: replayTrips },
      },
    };
    const table = await prettyMarkdown(report(run));
    process.stdout.write(table);

    const broken = [
      ...baseline.map((r, i) => [`baseline round ${i + 1}`, r]),
      ...fresh.map((r, i) => [`gateway fresh round ${i + 1}`, r]),
      ...replays.map((r, i) => [`gateway replay round ${i + 1}`, r]),
    ].filter(([, r]) => r.ok === 0);
    if (broken.length > 0)
      throw new Error(`no 2xx at all in: ${broken.map(([name]) => name).join(', ')}`);
    const valid = validity(run);
    if (valid.freshReplays > 0) {
      throw new Error(`${valid.freshReplays} "fresh" requests were answered as replays`);
    }
    if (valid.replayReplays === 0) {
      throw new Error('no replay seen on the replay path: replays are not being counted');
    }
    if (!valid.tlsOnly) throw new Error('KONA was not reached over TLS only');

    if (!options.smoke && !options.cpuProf) {
      const command =
        `node bench/run.js --duration ${options.duration} --connections ${options.connections} ` +
        `--threads ${options.threads} --rounds ${options.rounds}` +
        Object.entries(options.env)
          .map(([key, value]) => ` --env ${key}=${value}`)
          .join('') +
        (options.startFlags ? '' : ' --no-start-flags') +
        options.nodeArgs.map((flag) => ` --node-arg=${flag}`).join('');
      fs.writeFileSync(
        LAST_RUN,
        await prettyMarkdown(
          `# Last benchmark run\n\n${machine()}\n- command: \`${command}\` (\`npm run bench\` = defaults)\n\n${table}`,
        ),
      );
      log(`written to ${path.relative(ROOT, LAST_RUN)}`);
    }
    if (options.cpuProf) log(`CPU profile of the gateway written to ${options.cpuProf}`);
    failed = false;
  } finally {
    if (failed) {
      for (const [name, file] of Object.entries(files)) {
        if (name === 'gatewayLog' || name === 'tokens') continue;
        const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
        if (text) log(`${name} output:\n${text.split('\n').slice(-20).join('\n')}`);
      }
    }
    logTail?.stop();
    ch.state.stopping = true;
    if (ctl) ctl.disconnect();
    await ch.stopAll();
    for (const fd of fds) fs.closeSync(fd);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
