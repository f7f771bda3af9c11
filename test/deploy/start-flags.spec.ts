import { spawnSync } from 'node:child_process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startNodeFlags } = require('../../scripts/node-flags') as {
  startNodeFlags: () => string[];
};

/**
 * The V8 heap flags of `npm start` (and so of the image's CMD) are V8 internals, not a stable
 * API: a Node upgrade that drops one would stop every pod at start ("bad option"). This fails
 * first, on the project's own Node.
 */
describe('the start script node flags', () => {
  it('are V8 heap flags that the project Node accepts on its command line', () => {
    const flags = startNodeFlags();
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.every((flag) => /^--[a-z-]+=\d+$/.test(flag))).toBe(true);
    const run = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('ok');
    expect(run.status).toBe(0);
  });

  it('name a flag that NODE_OPTIONS would refuse, which is why they are on the command line', () => {
    const refused = startNodeFlags().filter((flag) => {
      const run = spawnSync(process.execPath, ['-e', '0'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: flag },
      });
      return run.status !== 0 && /not allowed in NODE_OPTIONS/.test(run.stderr);
    });
    expect(refused.map((flag) => flag.split('=')[0])).toEqual(['--heap-growing-percent']);
  });

  it('still apply when NODE_OPTIONS sets more (the README: NODE_OPTIONS adds to them)', () => {
    // V8's heap limit is the old space plus the young generation (a multiple of the semi-space):
    // it shows NODE_OPTIONS' old-space size and which semi-space won. An operator's NODE_OPTIONS
    // asking for a 64 MiB semi-space must not undo the start script's 16.
    const OPERATOR_OPTIONS = '--max-old-space-size=200 --max-semi-space-size=64';
    const heapLimitMiB = (flags: string[]) => {
      const run = spawnSync(
        process.execPath,
        [
          ...flags,
          '-e',
          'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))',
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: OPERATOR_OPTIONS } },
      );
      expect(run.status).toBe(0);
      return Number(run.stdout) / (1024 * 1024);
    };
    const withStartFlags = heapLimitMiB(startNodeFlags());
    const without = heapLimitMiB([]);
    expect(withStartFlags).toBeGreaterThanOrEqual(200);
    expect(withStartFlags).toBeLessThan(400);
    expect(without).toBeGreaterThanOrEqual(200);
    // The command line's 16 MiB semi-space wins over NODE_OPTIONS' 64.
    expect(withStartFlags).toBeLessThan(without);
  });
});
