#!/usr/bin/env node
// Summarizes V8 .cpuprofile files (node --cpu-prof; `node bench/run.js --cpu-prof DIR` profiles
// the gateway under the benchmark's load): top functions by self time, by inclusive time, and self
// time per package / area.
//
//   node bench/profile-summary.js <file.cpuprofile | dir> [--top N] [--match TEXT]
//
// --match keeps only the inclusive-time functions whose name or file contains TEXT (e.g. "dist/").
// --callers TEXT attributes the self time of the functions whose name contains TEXT to the nearest
// caller outside node internals and V8 (e.g. --callers writeUtf8String: who writes to sockets).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function parseArgs(argv) {
  const options = { inputs: [], top: 25, match: undefined, callers: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') options.top = Number(argv[++i]);
    else if (argv[i] === '--match') options.match = argv[++i];
    else if (argv[i] === '--callers') options.callers.push(argv[++i]);
    else options.inputs.push(argv[i]);
  }
  if (options.inputs.length === 0) {
    process.stderr.write(
      'usage: node bench/profile-summary.js <file.cpuprofile | dir> [--top N]\n',
    );
    process.exit(2);
  }
  return options;
}

function profileFiles(inputs) {
  return inputs.flatMap((input) =>
    fs.statSync(input).isDirectory()
      ? fs
          .readdirSync(input)
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => path.join(input, name))
      : [input],
  );
}

const ROOT = path.resolve(__dirname, '..');

function shortUrl(url) {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return file.slice(modules + '/node_modules/'.length);
  return file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file;
}

/** Where a frame belongs: a package, the gateway's own dist/, node internals, or V8 itself. */
function areaOf(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = file.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (file.startsWith('node:')) return 'node internals';
  if (file.startsWith(ROOT)) return 'gateway dist/';
  return file;
}

function keyOf(frame) {
  const name = frame.functionName || '(anonymous)';
  const where = shortUrl(frame.url);
  return where ? `${name} ${where}:${frame.lineNumber + 1}` : name;
}

function add(map, key, value) {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** A frame of the gateway or of a package (not node internals, not V8's pseudo-frames). */
function isUserFrame(frame) {
  return Boolean(frame.url) && !frame.url.startsWith('node:');
}

function summarize(files, callerPatterns) {
  const callers = new Map(callerPatterns.map((pattern) => [pattern, new Map()]));
  const self = new Map();
  const inclusive = new Map();
  const areas = new Map();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map();
    for (const node of profile.nodes)
      for (const child of node.children ?? []) parent.set(child, node.id);
    // Time of each sample = the delta to the next one (the last sample gets the mean).
    const deltas = profile.timeDeltas ?? [];
    const meanDelta = deltas.length ? (profile.endTime - profile.startTime) / deltas.length : 1;
    profile.samples.forEach((id, i) => {
      const us = deltas[i + 1] ?? meanDelta;
      const node = byId.get(id);
      const frame = node.callFrame;
      total += us;
      if (frame.functionName === '(idle)') {
        idle += us;
        return;
      }
      add(self, keyOf(frame), us);
      add(areas, areaOf(frame), us);
      for (const [pattern, map] of callers) {
        if (!frame.functionName.includes(pattern)) continue;
        let at = parent.get(id);
        while (at !== undefined && !isUserFrame(byId.get(at).callFrame)) at = parent.get(at);
        add(map, at === undefined ? '(no JS caller)' : keyOf(byId.get(at).callFrame), us);
      }
      const seen = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const key = keyOf(byId.get(at).callFrame);
        if (!seen.has(key)) {
          seen.add(key);
          add(inclusive, key, us);
        }
      }
    });
  }
  return { self, inclusive, areas, callers, total, idle };
}

function table(title, map, busy, top, filter = () => true) {
  const rows = [...map.entries()]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  const lines = [
    `\n## ${title}\n`,
    '| % of busy samples | ms | function / area |',
    '|---:|---:|---|',
  ];
  for (const [key, us] of rows) {
    lines.push(
      `| ${((100 * us) / busy).toFixed(1)} | ${(us / 1000).toFixed(0)} | ${key.replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n');
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const files = profileFiles(options.inputs);
  if (files.length === 0) throw new Error('no .cpuprofile file found');
  const { self, inclusive, areas, callers, total, idle } = summarize(files, options.callers);
  const busy = total - idle;
  const out = [
    `# CPU profile: ${files.map((f) => path.basename(f)).join(', ')}`,
    '',
    `${(total / 1e6).toFixed(1)} s profiled, ${((100 * idle) / total).toFixed(1)} % idle; ` +
      'percentages below are of the busy (non-idle) time.',
    table('Self time by area', areas, busy, options.top),
    table('Top functions by self time', self, busy, options.top),
    table(
      `Top functions by inclusive time${options.match ? ` (matching "${options.match}")` : ''}`,
      inclusive,
      busy,
      options.top,
      (key) => !options.match || key.includes(options.match),
    ),
    ...[...callers].map(([pattern, map]) =>
      table(`Nearest JS callers of "${pattern}" (its self time)`, map, busy, options.top),
    ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

main();
