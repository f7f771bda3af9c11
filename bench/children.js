// The benchmark's child processes (Redis, the sandbox, the baseline, the gateway, wrk) and the
// HTTP helpers that talk to them. Every child is tracked and killed on any exit path.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');

const children = [];
/** Directories to remove on any exit path. */
const scratch = [];
const state = { stopping: false };

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Tracks a child spawned elsewhere (wrk) so the exit paths below stop it too. */
function track(name, child) {
  child.benchName = name;
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (error) => log(`${name} could not be spawned: ${error.message}`));
  children.push(child);
  child.once('exit', () => {
    const at = children.indexOf(child);
    if (at >= 0 && !alive(child)) children.splice(at, 1);
  });
  return child;
}

function startChild(name, command, args, options) {
  return track(name, spawn(command, args, options));
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

async function stopAll() {
  state.stopping = true;
  for (const child of [...children].reverse()) await stopChild(child);
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
    state.stopping = true;
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

async function waitFor(name, child, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(child)) throw new Error(`${name} exited (${child.signalCode ?? child.exitCode})`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * One request: {status, headers, text}; rejects on a socket error. https: URLs trust `ca` (PEM);
 * `agent` defaults to a fresh connection per request.
 */
function request(base, method, route, { headers = {}, body, timeoutMs = 5000, agent, ca } = {}) {
  return new Promise((resolve, reject) => {
    const url = `${base}${route}`;
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(
      url,
      { method, headers, agent: agent ?? false, timeout: timeoutMs, ...(ca ? { ca } : {}) },
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

async function expectOk(name, pending) {
  const response = await pending.catch((error) => {
    throw new Error(`${name}: ${error.message}`);
  });
  if (response.status !== 200) {
    throw new Error(`${name}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
  }
  return response;
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

module.exports = {
  alive,
  children,
  expectOk,
  firstJsonLine,
  freePort,
  log,
  portOpen,
  request,
  scratch,
  startChild,
  state,
  stopAll,
  stopChild,
  track,
  waitFor,
  waitReady,
};
