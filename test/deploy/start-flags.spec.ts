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
});
