import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One runtime, Node 24 LTS: the suites themselves must run on it (npm scripts find the project's
 * own node_modules/.bin/node first, whatever the system Node is), and every place that names the
 * version names the same one.
 */
const ROOT = join(__dirname, '..', '..');
const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

describe('the runtime', () => {
  it('runs these tests on Node 24, an LTS release', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(process.release.lts).toBeTruthy();
  });

  it('runs them on exactly the Node of .nvmrc', () => {
    expect(process.versions.node).toBe(nvmrc);
  });

  it('brings that Node as a devDependency, with its install step approved, never to production', () => {
    expect(pkg.devDependencies.node).toBe(nvmrc);
    expect(pkg.allowScripts.node).toBe(true);
    expect(pkg.dependencies.node).toBeUndefined();
  });

  it('declares engines that admit Node 24 and nothing older', () => {
    expect(pkg.engines.node).toMatch(/^>=24\.\d+(\.\d+)? <25$/);
  });
});
