// The machine-wide benchmark lock: no two benchmarks may run at once on this shared 2-core machine
// (each would measure the other). bench/run.js takes an exclusive flock(2) on LOCK_FILE through a
// child `flock` (util-linux) that holds it until this process ends, however it ends: the child
// waits on a pipe from us, and the pipe closes when we die, even by SIGKILL.
//
// A caller that already holds the lock (`flock /tmp/kbff-bench.lock npm run bench`, as other
// scripts here do) is recognised from /proc/locks: the holder is one of our ancestors, so taking
// the lock again would wait for ourselves forever.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');

const LOCK_FILE = '/tmp/kbff-bench.lock';

/** Our parent, its parent, ... up to init (Linux /proc). */
function ancestors() {
  const pids = new Set();
  let pid = process.ppid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    try {
      pid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    } catch {
      break;
    }
  }
  return pids;
}

/** Pids holding a flock on LOCK_FILE (waiters, the "->" lines, left out), from /proc/locks. */
function holders() {
  let inode;
  let table;
  try {
    inode = fs.statSync(LOCK_FILE).ino;
    table = fs.readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const pids = [];
  for (const line of table.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 4242 00:2d:123456 0 EOF"
    const m = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (m && Number(m[2]) === inode) pids.push(Number(m[1]));
  }
  return pids;
}

/** Longer than any benchmark run here takes; a lock held longer is a leftover, worth a failure. */
const MAX_WAIT_MS = 20 * 60_000;

/**
 * Resolves once this process holds the benchmark lock (or an ancestor does); rejects after
 * MAX_WAIT_MS. `log` reports the wait. Without util-linux's flock (not Linux) it warns and goes
 * on unlocked.
 */
async function acquireBenchLock(log) {
  fs.closeSync(fs.openSync(LOCK_FILE, 'a'));
  const mine = ancestors();
  const inherited = holders().find((pid) => mine.has(pid));
  if (inherited !== undefined) {
    log(`benchmark lock ${LOCK_FILE} is held by our caller (pid ${inherited})`);
    return;
  }
  if (spawnSync('flock', ['--version'], { stdio: 'ignore' }).error) {
    log(`WARNING: no flock(1) here: running without the machine-wide lock ${LOCK_FILE}`);
    return;
  }
  const holder = spawn('flock', [LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const started = Date.now();
  const report = setInterval(() => {
    if (Date.now() - started > MAX_WAIT_MS) {
      holder.kill();
      return;
    }
    const others = holders().filter((pid) => pid !== holder.pid);
    log(
      `waiting ${Math.round((Date.now() - started) / 1000)} s for ${LOCK_FILE}: another benchmark ` +
        `is running${others.length ? ` (pid ${others.join(', ')})` : ''}`,
    );
  }, 15_000);
  try {
    await new Promise((resolve, reject) => {
      holder.once('error', reject);
      holder.once('exit', (code, signal) =>
        reject(
          new Error(
            Date.now() - started > MAX_WAIT_MS
              ? `${LOCK_FILE} still held after ${MAX_WAIT_MS / 60_000} min (pid ${holders().join(', ')})`
              : `flock ${LOCK_FILE} exited (${signal ?? code})`,
          ),
        ),
      );
      holder.stdout.setEncoding('utf8').once('data', resolve);
    });
  } finally {
    clearInterval(report);
  }
  // From here the holder must not keep this process alive: it lives until we exit.
  holder.removeAllListeners('exit');
  holder.unref();
  holder.stdin.unref?.();
  holder.stdout.unref?.();
  const waited = Date.now() - started;
  log(
    `benchmark lock ${LOCK_FILE} taken${waited > 1000 ? ` after ${Math.round(waited / 1000)} s` : ''}`,
  );
}

module.exports = { acquireBenchLock, LOCK_FILE };
