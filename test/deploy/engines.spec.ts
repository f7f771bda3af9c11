import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';

/**
 * npm checks `engines` against the Node that runs npm (the system's, possibly older), so .npmrc
 * hides its warnings; this is the check that matters: every installed package accepts the Node
 * the project runs on (this process: node_modules/.bin/node, see runtime.spec.ts).
 */
const ROOT = join(__dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

const withNodeEngines = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .flatMap(([path, entry]) => {
    const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    return node === undefined ? [] : [{ name: path.replace(/^.*node_modules\//, ''), node }];
  });

describe('engines of the locked dependencies', () => {
  it('has packages that declare a Node range (so the check below checks something)', () => {
    expect(withNodeEngines.length).toBeGreaterThan(100);
  });

  it('are all satisfied by the Node the project runs on', () => {
    const refusing = withNodeEngines.filter(
      ({ node }) => !satisfies(process.versions.node, node, { includePrerelease: true }),
    );

    expect(refusing).toEqual([]);
  });

  it('include the root package, which admits only this Node line', () => {
    const root = lock.packages[''] as { engines?: { node?: string } };

    expect(satisfies(process.versions.node, root.engines?.node ?? '')).toBe(true);
    expect(satisfies('22.22.0', root.engines?.node ?? '')).toBe(false);
  });
});
