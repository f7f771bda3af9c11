// The Markdown report of bench/run.js: one table per path, one line per round, the measures, and
// issue #14's targets as a check list. It only formats; run.js measures.
'use strict';

/** Issue #14's targets (2 cores, 32 connections, KONA over TLS, fresh keys, alternating rounds). */
const TARGETS = {
  freshRatio: 0.4, // fresh-key throughput ≥ 0.4 × the passthrough's, same round
  cpuRatio: 2.8, // CPU per fresh request ≤ 2.8 × the passthrough's
  replayRatio: 1.0, // replay throughput ≥ 1.0 × the passthrough's fresh-key throughput
  p99Ratio: 3, // fresh-key p99 ≤ 3 × the passthrough's p99
  freshTrips: 2, // Redis round trips per fresh request
  replayTrips: 1, // ... per replay
  rssMiB: 256, // gateway peak RSS under load at LOG_LEVEL=info
};

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const sum = (values) => values.reduce((a, b) => a + b, 0);
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mib = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : 'n/a');
const check = (ok) => (ok === undefined ? '➖ n/a' : ok ? '✅' : '❌');
const counts = (record) =>
  Object.entries(record)
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ') || 'none';

/** Per-round ratios and their medians: the headline figures and what the targets are checked on. */
function ratios(run) {
  const { baseline, fresh, replay } = run;
  const per = {
    fresh: fresh.map((g, i) => g.rps / baseline[i].rps),
    replay: replay.map((r, i) => r.rps / baseline[i].rps),
    cpu: fresh.map((g, i) => g.cpuMs / baseline[i].cpuMs),
    replayCpu: replay.map((r, i) => r.cpuMs / baseline[i].cpuMs),
    p99: fresh.map((g, i) => g.p99 / baseline[i].p99),
  };
  const medians = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
  return { per, medians };
}

/** The checks that say whether the numbers mean what they claim (not targets: harness validity). */
function validity(run) {
  const { baseline, fresh, replay, tls } = run;
  const freshReplays = sum(fresh.map((r) => r.replayed));
  const replayOk = sum(replay.map((r) => r.ok));
  const replayReplays = sum(replay.map((r) => r.replayed));
  const konaCalls = (phases) => sum(phases.map((r) => r.konaTls + r.konaPlain));
  return {
    freshReplays,
    replayOk,
    replayReplays,
    tlsOnly: tls.enabled && tls.plainCalls === 0,
    baselineCallsPerRequest: konaCalls(baseline) / sum(baseline.map((r) => r.sent)),
    freshCallsPerRequest: konaCalls(fresh) / sum(fresh.map((r) => r.sent)),
    replayCallsPerRequest: konaCalls(replay) / sum(replay.map((r) => r.sent)),
  };
}

function pathRow(name, rounds) {
  return (
    `| ${name} | ${fixed(mean(rounds.map((r) => r.rps)), 0)} | ` +
    `${fixed(mean(rounds.map((r) => r.p50)), 1)} | ${fixed(mean(rounds.map((r) => r.p99)), 1)} | ` +
    `${sum(rounds.map((r) => r.non2xx))} | ${sum(rounds.map((r) => r.errors))} | ` +
    `${sum(rounds.map((r) => r.replayed))} | ` +
    `${fixed(sum(rounds.map((r) => r.konaTls)) / sum(rounds.map((r) => r.sent)))} | ` +
    `${fixed(mean(rounds.map((r) => r.cpuMs)), 3)} | ${fixed(mean(rounds.map((r) => r.loadCpuMs)), 3)} |`
  );
}

function report(run) {
  const { options, baseline, fresh, replay } = run;
  const { per, medians } = ratios(run);
  const valid = validity(run);
  const peakKb = Math.max(run.memory.hwmKb || 0, run.memory.maxRssKb || 0);
  const tlsName = Object.keys(run.tls.protocols).join('/') || 'none';
  const freshTrips = Math.max(run.redis.fresh.trips, run.redis.fresh.scripts);
  const replayTrips = Math.max(run.redis.replay.trips, run.redis.replay.scripts);
  const lines = [
    `### kona-bff benchmark: ${options.rounds} round(s) × ${options.duration} s per path, ` +
      `${options.connections} connections, wrk ${options.threads} thread(s), ` +
      `KONA over ${run.tls.enabled ? tlsName : 'plain HTTP'}` +
      `${options.smoke ? ' (smoke)' : ''}` +
      `${options.cpuProf ? ' (gateway under --cpu-prof: not comparable)' : ''}` +
      Object.entries(options.env)
        .map(([key, value]) => `, gateway ${key}=${value}`)
        .join('') +
      `, gateway \`node ${[...run.gatewayNodeFlags, 'dist/main.js'].join(' ')}\``,
    '',
    '| path | req/s (2xx, mean of rounds) | p50 ms | p99 ms | non-2xx | errors | answered as replays | KONA calls over TLS per request sent | server CPU ms/request | wrk CPU ms/request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    pathRow('baseline (node:http passthrough)', baseline),
    pathRow('gateway, fresh key (new key prefix per round)', fresh),
    pathRow('gateway, replay (one key)', replay),
    '',
    '| round | baseline req/s | fresh req/s | fresh / baseline | replay req/s | replay / baseline | baseline p99 ms | fresh p99 ms | fresh CPU / baseline CPU per request |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...fresh.map(
      (g, i) =>
        `| ${i + 1} | ${fixed(baseline[i].rps, 0)} | ${fixed(g.rps, 0)} | ${fixed(per.fresh[i])} | ` +
        `${fixed(replay[i].rps, 0)} | ${fixed(per.replay[i])} | ${fixed(baseline[i].p99, 1)} | ` +
        `${fixed(g.p99, 1)} | ${fixed(per.cpu[i])} |`,
    ),
    '',
    '| measure | value |',
    '|---|---:|',
    `| CPU taken by other processes on the machine during the measured rounds | ${fixed(100 * run.foreignCpu, 0)} % |`,
    `| fresh / baseline throughput, median of rounds | ${fixed(medians.fresh)} |`,
    `| replay / baseline fresh throughput, median of rounds | ${fixed(medians.replay)} |`,
    `| fresh / baseline CPU per request, median of rounds (replay: ${fixed(medians.replayCpu)}) | ${fixed(medians.cpu)} |`,
    `| fresh / baseline p99, median of rounds | ${fixed(medians.p99)} |`,
    `| gateway peak RSS (VmHWM; max sampled VmRSS under load ${mib(run.memory.maxRssKb)}) | ${mib(peakKb)} MiB |`,
    `| Redis commands per fresh request (INFO commandstats, incl. inside scripts) | ${fixed(run.redis.fresh.commands)} |`,
    `| Redis script calls (EVALSHA/EVAL) per fresh request | ${fixed(run.redis.fresh.scripts)} |`,
    `| Redis round trips per fresh request (read events, ${run.redis.sampleSize} sequential requests) | ${fixed(run.redis.fresh.trips)} |`,
    `| Redis commands per replay (incl. inside scripts) | ${fixed(run.redis.replay.commands)} |`,
    `| Redis script calls (EVALSHA/EVAL) per replay | ${fixed(run.redis.replay.scripts)} |`,
    `| Redis round trips per replay (read events, ${run.redis.sampleSize} sequential requests) | ${fixed(run.redis.replay.trips)} |`,
    `| gateway start-to-ready (spawn → first 200 on /health/ready) | ${fixed(run.readyMs, 0)} ms |`,
    `| gateway log at LOG_LEVEL=info (to a file, tailed as it grew; reader at most ${mib(run.log.maxBacklogBytes / 1024)} MiB behind) | ${run.log.lines} lines (${run.log.problems} warn/error), ${mib(run.log.bytes / 1024)} MiB |`,
    `| KONA (sandbox) TLS: handshakes by protocol; cipher | ${counts(run.tls.protocols)}; ${counts(run.tls.ciphers)} |`,
    `| KONA (sandbox) calls over plain TCP | ${run.tls.plainCalls} |`,
    `| KONA (sandbox) CPU ms per KONA call, baseline / fresh phases (not in the servers' CPU above) | ${fixed(mean(baseline.map((r) => r.sandboxCpuMs)), 3)} / ${fixed(mean(fresh.map((r) => r.sandboxCpuMs)), 3)} |`,
    `| load generator | ${run.wrkVersion.replace(/\s*Copyright.*$/, '')} |`,
    '',
    '| is the measurement what it claims? | measured | |',
    '|---|---:|---|',
    `| fresh path: answers that were replays (Idempotent-Replayed: true) = 0 | ${valid.freshReplays} | ${check(valid.freshReplays === 0)} |`,
    `| replay path: every 2xx a replay | ${valid.replayReplays} of ${valid.replayOk} | ${check(valid.replayOk > 0 && valid.replayReplays === valid.replayOk)} |`,
    `| KONA over TLS only (no plain call; KONA calls per request sent: baseline / fresh / replay, 1 / 1 / 0 expected) | ${fixed(valid.baselineCallsPerRequest)} / ${fixed(valid.freshCallsPerRequest)} / ${fixed(valid.replayCallsPerRequest)} | ${check(valid.tlsOnly)} |`,
    '',
    '| target (issue #14) | measured | |',
    '|---|---:|---|',
    `| fresh-key throughput ≥ ${TARGETS.freshRatio} × baseline (median of rounds) | ${fixed(medians.fresh)} | ${check(medians.fresh >= TARGETS.freshRatio)} |`,
    `| CPU per fresh request ≤ ${TARGETS.cpuRatio} × baseline's (median of rounds) | ${fixed(medians.cpu)} | ${check(medians.cpu <= TARGETS.cpuRatio)} |`,
    `| replay throughput ≥ ${TARGETS.replayRatio} × baseline fresh (median of rounds) | ${fixed(medians.replay)} | ${check(medians.replay >= TARGETS.replayRatio)} |`,
    `| fresh p99 ≤ ${TARGETS.p99Ratio} × baseline p99 (median of rounds) | ${fixed(medians.p99)} | ${check(medians.p99 <= TARGETS.p99Ratio)} |`,
    `| ≤ ${TARGETS.freshTrips} Redis round trips per fresh request | ${fixed(run.redis.fresh.trips)} (scripts ${fixed(run.redis.fresh.scripts)}) | ${check(freshTrips <= TARGETS.freshTrips + 0.05)} |`,
    `| ≤ ${TARGETS.replayTrips} Redis round trip per replay | ${fixed(run.redis.replay.trips)} (scripts ${fixed(run.redis.replay.scripts)}) | ${check(replayTrips <= TARGETS.replayTrips + 0.05)} |`,
    `| gateway peak RSS < ${TARGETS.rssMiB} MiB | ${mib(peakKb)} | ${check(peakKb > 0 ? peakKb / 1024 < TARGETS.rssMiB : undefined)} |`,
  ];
  return lines.join('\n') + '\n';
}

module.exports = { report, validity, median, fixed, mib, TARGETS };
