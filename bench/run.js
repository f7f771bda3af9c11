#!/usr/bin/env node
// `npm run bench`: the gateway (dist/main.js) side by side with a bare node:http passthrough
// (bench/baseline.js), both in front of the KONA sandbox, driven by autocannon in alternating
// rounds; then the replay path. Prints one Markdown report on stdout (progress goes to stderr) and,
// unless --smoke, writes it with the machine's description to bench/last-run.md.
//
//   node bench/run.js [--duration S] [--connections N] [--rounds N] [--warmup S] [--smoke]
//                     [--cpu-prof DIR] [--env KEY=VALUE ...]
//
// --env overrides the gateway's environment (e.g. --env LOG_LEVEL=warn, or
// --env NODE_OPTIONS=--max-old-space-size=128) to measure a setting's effect; such runs are labelled.
//
// It reports; it does not fail on a missed target. It exits non-zero only when something did not
// work (a process did not start, a preflight request failed, a load phase got no 2xx at all).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');
const autocannon = require('autocannon');
const { Redis } = require('ioredis');
const { SignJWT } = require('jose');

const ROOT = path.resolve(__dirname, '..');
const GATEWAY_MAIN = path.join(ROOT, 'dist', 'main.js');
const SANDBOX_MAIN = path.join(ROOT, 'dist', 'sandbox', 'test', 'sandbox', 'main.js');
const BASELINE_MAIN = path.join(__dirname, 'baseline.js');
const LAST_RUN = path.join(__dirname, 'last-run.md');

// Demo credentials of the sandbox (test/sandbox/demo-credentials.ts): public on purpose.
// The sandbox's demo credentials, from the build (npm run build runs first).
const { SANDBOX_DEMO: DEMO } = require('../dist/sandbox/test/sandbox/demo-credentials');
const JWT_SECRET = 'bench-only-jwt-secret-that-is-32-bytes-or-more';
const PAR = 'V0010013019123456789012345A';
const ROUTE = `/v1/me/cards/${PAR}/limits`;
const BODY = JSON.stringify({ perTransaction: 500000, daily: 1000000, monthly: 3000000 });
const MEMBER_POOL = 1000;
const FIRST_MEMBER = 1_234_500_000_000;
const BASELINE_MEMBER = '1234567890123';
// The gateway's upper bound for RATE_LIMIT_PER_MINUTE: the limiter counts but never blocks.
const RATE_LIMIT = '1000000';

const TARGETS = {
  ratio: 0.5,
  p99SlackMs: 5,
  freshTrips: 2,
  replayTrips: 1,
  rssMiB: 256,
  readyMs: 1500,
};

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const options = {
    duration: 10,
    connections: 32,
    rounds: 3,
    smoke: false,
    cpuProf: undefined,
    env: {},
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
      case '--duration':
        options.duration = number(flag, value(), 1);
        break;
      case '--connections':
        options.connections = number(flag, value(), 1);
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
      case '--help':
        process.stdout.write(
          'node bench/run.js [--duration S=10] [--connections N=32] [--rounds N=3] [--warmup S=2]\n' +
            '                  [--smoke] [--cpu-prof DIR] [--env KEY=VALUE ...]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (try --help)`);
    }
  }
  if (options.smoke) {
    // About 5 s of load in all: one round of 1 s per path, no warm-up, a short sequential sample.
    Object.assign(options, { duration: 1, rounds: 1, warmup: 0, sample: 20 });
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed on any exit path.

const startLoad = os.loadavg();
const children = [];
let stopping = false;
/** Directories to remove on any exit path. */
const scratch = [];

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

function startChild(name, command, args, options) {
  const child = spawn(command, args, options);
  child.benchName = name;
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (error) => log(`${name} could not be spawned: ${error.message}`));
  children.push(child);
  return child;
}

async function stopChild(child, graceMs = 5000) {
  if (!alive(child)) return;
  child.kill('SIGTERM');
  const stopped = await Promise.race([child.exited.then(() => true), sleep(graceMs, false)]);
  if (!stopped && alive(child)) {
    log(`${child.benchName} ignored SIGTERM for ${graceMs} ms: SIGKILL`);
    child.kill('SIGKILL');
    await child.exited;
  }
}

process.on('exit', () => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  for (const child of children) {
    if (alive(child)) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopping = true;
    log(`${signal}: stopping`);
    // Wait for each child (so none is left behind unreaped), then exit; a second signal or 6 s
    // ends it at once (the 'exit' handler then SIGKILLs what is left).
    setTimeout(() => process.exit(130), 6000).unref();
    process.once(signal, () => process.exit(130));
    void Promise.all(children.map((child) => stopChild(child, 3000))).finally(() =>
      process.exit(130),
    );
  });
}

/** Resolves with the first stdout line of `child` parsed as JSON (the "listening" line). */
function firstJsonLine(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => fail(new Error(`${child.benchName} printed no line in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code, signal) =>
      fail(new Error(`${child.benchName} exited (${signal ?? code}) before listening`));
    const onData = (chunk) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      cleanup();
      child.stdout.resume();
      try {
        resolve(JSON.parse(buffered.slice(0, end)));
      } catch {
        reject(new Error(`${child.benchName} printed ${buffered.slice(0, end)}`));
      }
    };
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error) {
      cleanup();
      reject(error);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

/** One request on a fresh connection: {status, headers, text}; rejects on a socket error. */
function request(base, method, route, { headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${route}`,
      { method, headers, agent: false, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${route} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function limitsHeaders(token, key) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  return headers;
}

// ---------------------------------------------------------------------------------------------
// Redis statistics

async function resetStats(redis) {
  await redis.call('CONFIG', 'RESETSTAT');
}

function parseInfo(text) {
  const fields = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/**
 * Commands since the last RESETSTAT, from INFO commandstats (commands run inside scripts are
 * counted too, as Redis counts them), leaving out this script's own INFO and CONFIG.
 */
async function commandStats(redis) {
  const info = parseInfo(await redis.info('commandstats'));
  let commands = 0;
  let scripts = 0;
  const byCommand = {};
  for (const [field, value] of Object.entries(info)) {
    if (!field.startsWith('cmdstat_')) continue;
    const name = field.slice('cmdstat_'.length);
    if (name === 'info' || name === 'config' || name.startsWith('config|')) continue;
    const calls = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
    byCommand[name] = calls;
    commands += calls;
    if (SCRIPT_COMMANDS.has(name)) scripts += calls;
  }
  return { commands, scripts, byCommand };
}

/** Read events Redis processed since the last RESETSTAT, minus the INFO that asks. */
async function readEvents(redis, overhead) {
  const info = parseInfo(await redis.info('stats'));
  return Number(info.total_reads_processed ?? NaN) - overhead;
}

// ---------------------------------------------------------------------------------------------
// Load

function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * autocannon options: PUT the same body to the same route; `headersFor(i)` gives the i-th
 * request's headers (a fresh Idempotency-Key and a pooled token, or one fixed pair for replay).
 */
function loadOptions(base, { connections, duration, amount }, headersFor) {
  let i = 0;
  const options = {
    url: `${base}${ROUTE}`,
    connections,
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    requests: [
      {
        method: 'PUT',
        path: ROUTE,
        setupRequest(req) {
          req.headers = { ...req.headers, ...headersFor(i++) };
          return req;
        },
      },
    ],
  };
  // autocannon refuses an explicit undefined: give one of the two.
  if (amount !== undefined) options.amount = amount;
  else options.duration = duration;
  return options;
}

function summarize(result) {
  const seconds = result.duration || 1;
  return {
    rps: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    sent: result.requests.sent,
    completed: result.requests.total,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
    ),
  };
}

function describeRound(label, s, pid) {
  const codes = Object.entries(s.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
  log(
    `${label}: ${s.rps.toFixed(0)} req/s (2xx), p50 ${s.p50} ms, p99 ${s.p99} ms, ` +
      `CPU ${fixed(s.cpuMs, 3)} ms/req, ` +
      `non-2xx ${s.non2xx}, errors ${s.errors}${codes ? ` [${codes}]` : ''}` +
      (pid ? `, gateway RSS now ${mib(procStatus(pid).rssKb)} MiB` : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// Memory of the gateway

function procStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

function rssSampler(pid) {
  let maxRssKb = 0;
  const timer = setInterval(() => {
    const { rssKb } = procStatus(pid);
    if (rssKb > maxRssKb) maxRssKb = rssKb;
  }, 200);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const { rssKb, hwmKb } = procStatus(pid);
      return { maxRssKb: Math.max(maxRssKb, rssKb || 0), hwmKb };
    },
  };
}

/**
 * CPU time (clock ticks) of the whole machine and of this run's processes, from /proc: the
 * difference tells how much CPU other work took while the benchmark ran (undefined off Linux).
 */
function cpuTicks() {
  try {
    const total = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = total[0] + total[1] + total[2] + total[5] + total[6] + total[7];
    let ours = 0;
    for (const pid of [process.pid, ...children.filter(alive).map((c) => c.pid)]) {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ours += Number(fields[11]) + Number(fields[12]); // utime, stime
    }
    return { busy, all: total.slice(0, 8).reduce((a, b) => a + b, 0), ours };
  } catch {
    return undefined;
  }
}

/** CPU time of one process in ms (utime + stime; /proc counts in USER_HZ = 100 ticks/s). */
function processCpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** One load phase against `url`, with the CPU the server process `pid` spent per response. */
async function phase(pid, options) {
  const before = processCpuMs(pid);
  const result = summarize(await cannon(options));
  result.cpuMs = (processCpuMs(pid) - before) / Math.max(1, result.completed);
  return result;
}

/** Share of the machine's CPU capacity that other processes used between two cpuTicks(). */
function foreignShare(before, after) {
  if (!before || !after) return NaN;
  const capacity = after.all - before.all;
  const foreign = after.busy - before.busy - (after.ours - before.ours);
  return capacity > 0 ? Math.max(0, foreign / capacity) : NaN;
}

// ---------------------------------------------------------------------------------------------
// Report

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mib = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : 'n/a');
const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');

function report(run) {
  const { options, baseline, fresh, replay } = run;
  const row = (name, rounds) =>
    `| ${name} | ${fixed(mean(rounds.map((r) => r.rps)), 0)} | ${fixed(mean(rounds.map((r) => r.p50)), 1)} | ` +
    `${fixed(mean(rounds.map((r) => r.p99)), 1)} | ${rounds.reduce((a, r) => a + r.non2xx, 0)} | ` +
    `${rounds.reduce((a, r) => a + r.errors, 0)} | ${fixed(mean(rounds.map((r) => r.cpuMs)), 3)} |`;
  const ratios = fresh.map((g, i) => g.rps / baseline[i].rps);
  const ratio = median(ratios);
  const baseP99 = mean(baseline.map((r) => r.p99));
  const freshP99 = mean(fresh.map((r) => r.p99));
  const peakKb = Math.max(run.memory.hwmKb || 0, run.memory.maxRssKb || 0);
  const lines = [
    `### kona-bff benchmark: ${options.rounds} round(s) × ${options.duration} s, ` +
      `${options.connections} connections${options.smoke ? ' (smoke)' : ''}` +
      `${options.cpuProf ? ' (gateway under --cpu-prof: not comparable)' : ''}` +
      Object.entries(options.env)
        .map(([key, value]) => `, gateway ${key}=${value}`)
        .join(''),
    '',
    '| path | req/s (2xx, mean of rounds) | p50 ms | p99 ms | non-2xx | errors | server CPU ms/request |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('baseline (node:http passthrough)', baseline),
    row('gateway, fresh key', fresh),
    row('gateway, replay (one key)', [replay]),
    '',
    '| round | baseline req/s | gateway req/s | gateway/baseline | baseline p99 ms | gateway p99 ms | baseline/gateway CPU per request |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...fresh.map(
      (g, i) =>
        `| ${i + 1} | ${fixed(baseline[i].rps, 0)} | ${fixed(g.rps, 0)} | ${fixed(ratios[i])} | ` +
        `${baseline[i].p99} | ${g.p99} | ${fixed(baseline[i].cpuMs / g.cpuMs)} |`,
    ),
    '',
    '| measure | value |',
    '|---|---:|',
    `| CPU taken by other processes on the machine during the measured rounds | ${fixed(100 * run.foreignCpu, 0)} % |`,
    `| gateway/baseline throughput ratio, median of rounds | ${fixed(ratio)} |`,
    `| gateway peak RSS (VmHWM; max sampled VmRSS under load ${mib(run.memory.maxRssKb)}) | ${mib(peakKb)} MiB |`,
    `| Redis commands per fresh request (INFO commandstats, incl. inside scripts) | ${fixed(run.redis.fresh.commands)} |`,
    `| Redis script calls (EVALSHA/EVAL) per fresh request | ${fixed(run.redis.fresh.scripts)} |`,
    `| Redis round trips per fresh request (read events, ${run.redis.sampleSize} sequential requests) | ${fixed(run.redis.fresh.trips)} |`,
    `| Redis commands per replay (incl. inside scripts) | ${fixed(run.redis.replay.commands)} |`,
    `| Redis script calls (EVALSHA/EVAL) per replay | ${fixed(run.redis.replay.scripts)} |`,
    `| Redis round trips per replay (read events, ${run.redis.sampleSize} sequential requests) | ${fixed(run.redis.replay.trips)} |`,
    `| gateway start-to-ready (spawn → first 200 on /health/ready) | ${fixed(run.readyMs, 0)} ms |`,
    `| gateway log written at LOG_LEVEL=info (to a file) | ${run.logLines} lines (${run.logProblems} warn/error), ${mib(run.logBytes / 1024)} MiB |`,
    '',
    '| target (issue #6) | measured | result |',
    '|---|---:|---|',
    `| fresh-key throughput ≥ ${TARGETS.ratio} × baseline (median ratio) | ${fixed(ratio)} | ${verdict(ratio >= TARGETS.ratio)} |`,
    `| gateway p99 ≤ baseline p99 + ${TARGETS.p99SlackMs} ms | ${fixed(freshP99, 1)} ≤ ${fixed(baseP99 + TARGETS.p99SlackMs, 1)} | ${verdict(freshP99 <= baseP99 + TARGETS.p99SlackMs)} |`,
    `| ≤ ${TARGETS.freshTrips} Redis round trips per fresh request | ${fixed(run.redis.fresh.trips)} (scripts ${fixed(run.redis.fresh.scripts)}) | ${verdict(Math.max(run.redis.fresh.trips, run.redis.fresh.scripts) <= TARGETS.freshTrips + 0.05)} |`,
    `| ≤ ${TARGETS.replayTrips} Redis round trip per replay | ${fixed(run.redis.replay.trips)} (scripts ${fixed(run.redis.replay.scripts)}) | ${verdict(Math.max(run.redis.replay.trips, run.redis.replay.scripts) <= TARGETS.replayTrips + 0.05)} |`,
    `| peak RSS < ${TARGETS.rssMiB} MiB | ${mib(peakKb)} | ${verdict(Number.isFinite(peakKb) && peakKb > 0 ? peakKb / 1024 < TARGETS.rssMiB : undefined)} |`,
    `| ready ≤ ${TARGETS.readyMs} ms after start | ${fixed(run.readyMs, 0)} | ${verdict(run.readyMs <= TARGETS.readyMs)} |`,
  ];
  return lines.join('\n') + '\n';
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

function machine() {
  const cpus = os.cpus();
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout?.trim();
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
    `- node: ${process.version}; ${redis ?? 'redis-server: unknown'}`,
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
  for (const file of [GATEWAY_MAIN, SANDBOX_MAIN]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kbff-bench-'));
  scratch.push(work);
  const logs = {
    gateway: path.join(work, 'gateway.log'),
    gatewayErr: path.join(work, 'gateway.err'),
    sandbox: path.join(work, 'sandbox.err'),
    baseline: path.join(work, 'baseline.err'),
  };
  const fds = [];
  const open = (file) => {
    const fd = fs.openSync(file, 'a');
    fds.push(fd);
    return fd;
  };
  let failed = true;
  let ctl;
  try {
    // Redis: throwaway, no persistence.
    const redisPort = await freePort();
    const redis = startChild(
      'redis-server',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: work, stdio: 'ignore' },
    );
    await waitFor('redis-server', redis, () => portOpen(redisPort), 5000);
    ctl = new Redis({ host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1 });
    ctl.on('error', (error) => {
      if (!stopping) log(`control connection to Redis: ${error.message}`);
    });
    await ctl.ping();

    // The sandbox, with no added latency.
    const sandbox = startChild('sandbox', process.execPath, [SANDBOX_MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, SANDBOX_PORT: '0', SANDBOX_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', open(logs.sandbox)],
    });
    const sandboxUrl = (await firstJsonLine(sandbox, 10_000)).url;

    // The baseline.
    const baselineChild = startChild('baseline', process.execPath, [BASELINE_MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        BASELINE_PORT: '0',
        BASELINE_HOST: '127.0.0.1',
        BASELINE_MEMBER_ID: BASELINE_MEMBER,
        KONAPLATE_BASE_URL: sandboxUrl,
        // The sandbox listens on plain HTTP on loopback; production otherwise requires https:.
        KONAPLATE_ALLOW_PLAINTEXT: 'true',
        KONAPLATE_ASP_ID: DEMO.aspId,
        KONAPLATE_ACCESS_KEY: DEMO.accessKey,
        KONAPLATE_SECRET_KEY: DEMO.secretKey,
      },
      stdio: ['ignore', 'pipe', open(logs.baseline)],
    });
    const baselineUrl = `http://127.0.0.1:${(await firstJsonLine(baselineChild, 10_000)).port}`;

    // The gateway, from dist/, as production runs it; its log goes to a file.
    const gatewayPort = await freePort();
    // Its own free port too: the default 9464 may be taken on the machine running the bench.
    const managementPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const nodeArgs = options.cpuProf
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, GATEWAY_MAIN]
      : [GATEWAY_MAIN];
    const started = performance.now();
    const gateway = startChild('gateway', process.execPath, nodeArgs, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        MANAGEMENT_PORT: String(managementPort),
        LOG_LEVEL: 'info',
        KONAPLATE_BASE_URL: sandboxUrl,
        // The sandbox listens on plain HTTP on loopback; production otherwise requires https:.
        KONAPLATE_ALLOW_PLAINTEXT: 'true',
        KONAPLATE_ASP_ID: DEMO.aspId,
        KONAPLATE_ACCESS_KEY: DEMO.accessKey,
        KONAPLATE_SECRET_KEY: DEMO.secretKey,
        KONAPLATE_TIME_ZONE: 'KST',
        AUTH_JWT_SECRET: JWT_SECRET,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
        SHUTDOWN_DELAY_MS: '0',
        ...options.env,
      },
      stdio: ['ignore', open(logs.gateway), open(logs.gatewayErr)],
    });
    const readyMs = await waitReady(gateway, gatewayUrl, 30_000, started);
    log(`gateway ready ${readyMs.toFixed(0)} ms after spawn (pid ${gateway.pid})`);

    // Tokens of a pool of members, used round-robin so rate-limit counters spread.
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
    const runId = `${Date.now().toString(36)}-${process.pid}`;
    let keySeq = 0;
    const freshHeaders = () => {
      keySeq += 1;
      return {
        authorization: `Bearer ${tokens[keySeq % MEMBER_POOL]}`,
        'idempotency-key': `bench-${runId}-${keySeq}`,
      };
    };

    // Preflight: one request of each kind must succeed, or the numbers would mean nothing.
    await expectOk(
      'baseline',
      request(baselineUrl, 'PUT', ROUTE, { headers: limitsHeaders(), body: BODY }),
    );
    const fh = freshHeaders();
    await expectOk(
      'gateway (fresh key)',
      request(gatewayUrl, 'PUT', ROUTE, { headers: { ...limitsHeaders(), ...fh }, body: BODY }),
    );
    const replayHeaders = {
      authorization: `Bearer ${tokens[0]}`,
      'idempotency-key': `bench-${runId}-replay`,
    };
    const replayArgs = { headers: { ...limitsHeaders(), ...replayHeaders }, body: BODY };
    await expectOk('gateway (replay, first)', request(gatewayUrl, 'PUT', ROUTE, replayArgs));
    const second = await expectOk(
      'gateway (replay)',
      request(gatewayUrl, 'PUT', ROUTE, replayArgs),
    );
    if (second.headers['idempotent-replayed'] !== 'true') {
      throw new Error('gateway (replay): the second request was not answered as a replay');
    }

    const memory = rssSampler(gateway.pid);
    const load = { connections: options.connections };
    if (options.warmup > 0) {
      log(`warm-up: ${options.warmup} s each`);
      await cannon(loadOptions(baselineUrl, { ...load, duration: options.warmup }, freshHeaders));
      await cannon(loadOptions(gatewayUrl, { ...load, duration: options.warmup }, freshHeaders));
      await cannon(
        loadOptions(gatewayUrl, { ...load, duration: options.warmup }, () => replayHeaders),
      );
    }

    const baseline = [];
    const fresh = [];
    const freshRedis = [];
    const ticksBefore = cpuTicks();
    for (let round = 1; round <= options.rounds; round++) {
      const b = await phase(
        baselineChild.pid,
        loadOptions(baselineUrl, { ...load, duration: options.duration }, freshHeaders),
      );
      describeRound(`round ${round} baseline`, b);
      baseline.push(b);

      await resetStats(ctl);
      const g = await phase(
        gateway.pid,
        loadOptions(gatewayUrl, { ...load, duration: options.duration }, freshHeaders),
      );
      await sleep(300); // requests still in flight when autocannon stopped finish their scripts
      freshRedis.push({
        ...(await commandStats(ctl)),
        requests: g.ok + Math.max(0, g.sent - g.completed),
      });
      describeRound(`round ${round} gateway`, g, gateway.pid);
      fresh.push(g);
    }

    await resetStats(ctl);
    const replay = await phase(
      gateway.pid,
      loadOptions(gatewayUrl, { ...load, duration: options.duration }, () => replayHeaders),
    );
    await sleep(300);
    const replayStats = await commandStats(ctl);
    const replayRequests = replay.ok + Math.max(0, replay.sent - replay.completed);
    describeRound('replay', replay, gateway.pid);
    const { maxRssKb, hwmKb } = memory.stop();
    const foreignCpu = foreignShare(ticksBefore, cpuTicks());
    if (foreignCpu > 0.1) {
      log(`other processes took ${fixed(100 * foreignCpu, 0)} % of the CPU: numbers are skewed`);
    }

    // Round trips: Redis read events while requests go one at a time (a pipeline or a script
    // arrives in one read), minus the INFO that asks.
    await resetStats(ctl);
    const overhead = await readEvents(ctl, 0);
    const sample = options.sample;
    await resetStats(ctl);
    const freshRun = await cannon(
      loadOptions(gatewayUrl, { connections: 1, amount: sample }, freshHeaders),
    );
    const freshTrips = (await readEvents(ctl, overhead)) / sample;
    const freshSample = await commandStats(ctl);
    await resetStats(ctl);
    const replayRun = await cannon(
      loadOptions(gatewayUrl, { connections: 1, amount: sample }, () => replayHeaders),
    );
    const replayTrips = (await readEvents(ctl, overhead)) / sample;
    const replaySample = await commandStats(ctl);
    for (const [name, result] of [
      ['fresh', freshRun],
      ['replay', replayRun],
    ]) {
      if (result['2xx'] !== sample) {
        log(`WARNING: sequential ${name} sample got ${result['2xx']} 2xx of ${sample} requests`);
      }
    }

    const freshCommands = freshRedis.reduce((a, r) => a + r.commands, 0);
    const freshScripts = freshRedis.reduce((a, r) => a + r.scripts, 0);
    const freshCount = freshRedis.reduce((a, r) => a + r.requests, 0);
    const byCommand = {};
    for (const r of freshRedis) {
      for (const [name, calls] of Object.entries(r.byCommand))
        byCommand[name] = (byCommand[name] ?? 0) + calls;
    }
    log(
      `Redis per fresh request: ${Object.entries(byCommand)
        .map(([name, calls]) => `${name} ${(calls / freshCount).toFixed(2)}`)
        .join(', ')}`,
    );
    log(
      `sequential sample (${sample} each): fresh ${fixed(freshSample.commands / sample)} commands, ` +
        `${fixed(freshTrips)} round trips; replay ${fixed(replaySample.commands / sample)} commands, ` +
        `${fixed(replayTrips)} round trips`,
    );

    await stopChild(gateway);
    const logText = fs.readFileSync(logs.gateway, 'utf8');
    const run = {
      options,
      baseline,
      fresh,
      replay,
      readyMs,
      foreignCpu,
      memory: { maxRssKb, hwmKb },
      logLines: logText.split('\n').filter(Boolean).length,
      logProblems: (logText.match(/"level":(40|50|60)\b/g) ?? []).length,
      logBytes: Buffer.byteLength(logText),
      redis: {
        sampleSize: sample,
        fresh: {
          commands: freshCommands / freshCount,
          scripts: freshScripts / freshCount,
          trips: freshTrips,
        },
        replay: {
          commands: replayStats.commands / replayRequests,
          scripts: replayStats.scripts / replayRequests,
          trips: replayTrips,
        },
      },
    };
    const table = await prettyMarkdown(report(run));
    process.stdout.write(table);

    const broken = [
      ...baseline.map((r, i) => [`baseline round ${i + 1}`, r]),
      ...fresh.map((r, i) => [`gateway round ${i + 1}`, r]),
      ['replay', replay],
    ].filter(([, r]) => r.ok === 0);
    if (broken.length > 0)
      throw new Error(`no 2xx at all in: ${broken.map(([name]) => name).join(', ')}`);

    if (!options.smoke && !options.cpuProf) {
      const command =
        `node bench/run.js --duration ${options.duration} --connections ${options.connections} ` +
        `--rounds ${options.rounds}` +
        Object.entries(options.env)
          .map(([key, value]) => ` --env ${key}=${value}`)
          .join('');
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
      for (const [name, file] of Object.entries(logs)) {
        const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
        if (text && name !== 'gateway')
          log(`${name} output:\n${text.split('\n').slice(-20).join('\n')}`);
      }
    }
    stopping = true;
    if (ctl) ctl.disconnect();
    for (const child of [...children].reverse()) await stopChild(child);
    for (const fd of fds) fs.closeSync(fd);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function waitFor(name, child, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(child)) throw new Error(`${name} exited (${child.signalCode ?? child.exitCode})`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Milliseconds from `started` to the first 200 on /health/ready, polled every 10 ms. */
async function waitReady(child, base, timeoutMs, started) {
  for (;;) {
    if (!alive(child))
      throw new Error(`gateway exited (${child.signalCode ?? child.exitCode}) before ready`);
    try {
      const { status } = await request(base, 'GET', '/health/ready', { timeoutMs: 1000 });
      if (status === 200) return performance.now() - started;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`gateway not ready after ${timeoutMs} ms`);
    await sleep(10);
  }
}

async function expectOk(name, pending) {
  const response = await pending.catch((error) => {
    throw new Error(`${name}: ${error.message}`);
  });
  if (response.status !== 200) {
    throw new Error(`${name}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
  }
  return response;
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
