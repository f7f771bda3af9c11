// What the benchmark reads besides the load generator's counts: /proc (CPU time, memory) and
// Redis (INFO commandstats, total_reads_processed).
'use strict';
const fs = require('node:fs');

// ---------------------------------------------------------------------------------------------
// /proc

/** CPU time of one process in ms (utime + stime; /proc counts in USER_HZ = 100 ticks/s). */
function processCpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function procStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

/** Samples VmRSS every 200 ms; stop() also reads VmHWM, the kernel's own peak. */
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
 * "Ours" is this process, its live children (`pids`) and its reaped children (cutime + cstime:
 * each wrk run, once it has exited), so the load generator does not count as other work.
 */
function cpuTicks(pids) {
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
    const stat = (pid) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const self = stat('self');
    let ours = Number(self[11]) + Number(self[12]) + Number(self[13]) + Number(self[14]);
    for (const pid of pids) {
      try {
        const fields = stat(pid);
        ours += Number(fields[11]) + Number(fields[12]); // utime, stime
      } catch {
        /* exited between the listing and the read: its time is in cutime once reaped */
      }
    }
    return { busy, all: total.slice(0, 8).reduce((a, b) => a + b, 0), ours };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU capacity that other processes used between two cpuTicks(). */
function foreignShare(before, after) {
  if (!before || !after) return NaN;
  const capacity = after.all - before.all;
  const foreign = after.busy - before.busy - (after.ours - before.ours);
  return capacity > 0 ? Math.max(0, foreign / capacity) : NaN;
}

// ---------------------------------------------------------------------------------------------
// Redis

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

module.exports = {
  commandStats,
  cpuTicks,
  foreignShare,
  processCpuMs,
  procStatus,
  readEvents,
  resetStats,
  rssSampler,
};
