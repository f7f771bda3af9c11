// One load phase with wrk (Debian's `wrk`, a C event loop: far less CPU per request than a Node
// load generator, which matters on 2 cores shared with the servers under test). The Lua scripts in
// bench/wrk/ build the requests and count the answers; their done() prints one JSON line.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SCRIPTS = {
  fresh: path.join(__dirname, 'wrk', 'fresh.lua'),
  replay: path.join(__dirname, 'wrk', 'replay.lua'),
};
const MARK = 'KBFF_WRK_RESULT ';

/** Throws unless `wrk` is on PATH (the benchmark cannot run without it). */
function checkWrk() {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error('wrk is not installed: apt-get install -y wrk (Debian), as .ci/run does');
  }
  return `${probe.stdout}${probe.stderr}`.split('\n')[0].trim();
}

/**
 * CPU time (ms) of this process's children that have exited and been reaped (cutime + cstime of
 * /proc/self/stat): wrk's own CPU is the difference across one phase, as it is the only child that
 * exits in it. NaN off Linux.
 */
function reapedChildrenCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // USER_HZ = 100
  } catch {
    return NaN;
  }
}

/**
 * Runs wrk against `url` for `durationS` seconds with `connections` connections on `threads`
 * threads, `kind` 'fresh' or 'replay', `scriptEnv` the KBFF_WRK_* variables its script reads.
 * Resolves with the counts, latency percentiles (ms) and wrk's CPU; rejects when wrk fails or
 * prints no result.
 */
function runWrk({ url, kind, scriptEnv, connections, threads, durationS, onChild }) {
  return new Promise((resolve, reject) => {
    const cpuBefore = reapedChildrenCpuMs();
    const args = [
      '-t',
      String(Math.min(threads, connections)),
      '-c',
      String(connections),
      '-d',
      `${durationS}s`,
      // Long enough that a slow answer is measured as latency, not dropped as a timeout.
      '--timeout',
      '10s',
      '-s',
      SCRIPTS[kind],
      url,
    ];
    const child = spawn('wrk', args, {
      env: { PATH: process.env.PATH, ...scriptEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild?.(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`wrk ${kind} exited ${signal ?? code}: ${(err || out).trim().slice(-800)}`),
        );
        return;
      }
      const raw = JSON.parse(line.slice(MARK.length));
      resolve(summarize(raw, reapedChildrenCpuMs() - cpuBefore));
    });
  });
}

function summarize(raw, wrkCpuMs) {
  const seconds = raw.durationUs / 1e6 || 1;
  const ms = (us) => us / 1000;
  return {
    rps: raw.ok / seconds,
    p50: ms(raw.latencyUs.p50),
    p90: ms(raw.latencyUs.p90),
    p99: ms(raw.latencyUs.p99),
    max: ms(raw.latencyUs.max),
    ok: raw.ok,
    non2xx: raw.non2xx,
    replayed: raw.replayed,
    errors: raw.errors.connect + raw.errors.read + raw.errors.write + raw.errors.timeout,
    // Requests written, in flight at the end included: request() also runs once for wrk's own
    // check of the script (in its first thread), and that one is never sent.
    sent: Math.max(0, raw.sent - 1),
    completed: raw.requests,
    seconds,
    statusCodes: raw.codes,
    loadCpuMs: wrkCpuMs / Math.max(1, raw.requests),
  };
}

module.exports = { checkWrk, runWrk };
