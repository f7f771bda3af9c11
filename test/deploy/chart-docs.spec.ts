/**
 * The values table of helm/kona-bff/README.md is generated from values.yaml's `## @param`
 * comments by scripts/helm-values-doc.js: it must be current, and every value must have a @param.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_DIR } from './chart-helm';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts/helm-values-doc.js');
const VALUES = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
const README = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');

/** Runs the generator in check mode on the given texts; exit status and stderr. */
function check(values = VALUES, readme = README): { status: number; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kona-bff-docs-'));
  try {
    writeFileSync(join(dir, 'values.yaml'), values);
    writeFileSync(join(dir, 'README.md'), readme);
    const args = [SCRIPT, '--check', '--values', join(dir, 'values.yaml')];
    execFileSync(process.execPath, [...args, '--readme', join(dir, 'README.md')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    return { status: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { status: failed.status, stderr: failed.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('helm/kona-bff values documentation', () => {
  it('is current (npm run helm:docs rewrites it)', () => {
    expect(check()).toEqual({ status: 0, stderr: '' });
  });

  it('has one row per @param, in the table between the markers', () => {
    const params = [...VALUES.matchAll(/^\s*## @param (\S+)/gm)].map((m) => m[1]);
    const table = README.slice(README.indexOf('<!-- values-table:start -->'));
    const rows = [...table.matchAll(/^\| `([\w.]+)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(params);
    expect(rows).toEqual(expect.arrayContaining(['containerPorts.management', 'extraEnv']));
  });

  it('fails when the table is stale', () => {
    const stale = README.replace('| `docsEnabled` ', '| `docsEnabledOld` ');
    expect(stale).not.toBe(README);
    const result = check(VALUES, stale);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the values table is stale');
  });

  it('fails when a value has no @param, naming it', () => {
    const values = `${VALUES}\nundocumented:\n  nested: 1\n`;
    const result = check(values);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('undocumented.nested has no @param');
  });

  it('fails when a @param names no value', () => {
    const values = VALUES.replace('docsEnabled: false', 'docsEnabledTypo: false');
    const result = check(values);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('@param docsEnabled names no value');
    expect(result.stderr).toContain('docsEnabledTypo has no @param');
  });

  it('joins the ## lines below a @param into its description', () => {
    const row = README.split('\n').find((line) => line.startsWith('| `secrets.existingSecret`'));
    expect(row).toContain(
      '(External Secrets, Sealed Secrets, ...); when set the chart creates no Secret',
    );
  });
});
