import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The committed contract passes redocly's `recommended` rules (redocly.yaml) with no error, no
 * warning and nothing ignored: the same lint as `npm run lint:openapi` in CI, here so `npm test`
 * fails too. (That openapi.json is what the app renders is test/ops/openapi.e2e-spec.ts's job.)
 */
const ROOT = join(__dirname, '..', '..');
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: unknown[] }[];
}

/** `redocly lint` with the project's config; its exit code is ignored, the JSON report is read. */
function lint(file: string): LintReport {
  const args = [REDOCLY, 'lint', '--format', 'json', '--config', join(ROOT, 'redocly.yaml'), file];
  let out: string;
  try {
    out = execFileSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // Offline: no usage report, no update check (CI reaches the npm registry only).
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
  } catch (error) {
    out = (error as { stdout?: string }).stdout ?? '';
  }
  return JSON.parse(out) as LintReport;
}

describe('openapi.json under redocly lint', () => {
  it('has no problem at all', () => {
    const report = lint(join(ROOT, 'openapi.json'));

    expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });

  it('would fail this test on a broken contract (the lint above sees what it should)', () => {
    const doc = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8')) as {
      servers?: unknown[];
      info: { license?: unknown };
    };
    doc.servers = [];
    delete doc.info.license;
    const dir = mkdtempSync(join(tmpdir(), 'kbff-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));

      const rules = lint(join(dir, 'openapi.json')).problems.map((p) => p.ruleId);

      expect(rules).toEqual(expect.arrayContaining(['no-empty-servers', 'info-license']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
