/**
 * helm/kona-bff's values: `helm lint --strict`, values.schema.json rejecting bad values, and the
 * one template check (kona-bff.problems) that stops an install missing what the gateway needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, RELEASE, helm, lintChart, removeHelmHome, templateChart } from './chart-helm';

const CI_SETS = readdirSync(join(CHART_DIR, 'ci')).filter((file) => file.endsWith('-values.yaml'));
const DEFAULT_SET = 'default-values.yaml';
const SCHEMA_ERROR = "values don't meet the specifications of the schema";
/** What the bare defaults lack, as kona-bff.problems names it. */
const MISSING_FROM_DEFAULTS = [
  'konaplate.baseUrl (KONAPLATE_BASE_URL) is required',
  'konaplate.aspId (KONAPLATE_ASP_ID) is required',
  'redis.url, redis.sentinels or redis.clusterNodes is required',
  'secrets.konaplateAccessKey (or secrets.existingSecret) is required',
  'secrets.konaplateSecretKey (or secrets.existingSecret) is required',
  'auth.jwksUrl or secrets.authJwtSecret (or secrets.existingSecret) is required',
];

/** The listed problems of a failed render: the `  - ...` lines of its one error. */
function problems(stderr: string): string[] {
  const errors = stderr.split('\n').filter((line) => line.startsWith('Error:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('kona-bff: fix these values');
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
}

describe('helm/kona-bff values', () => {
  afterAll(removeHelmHome);

  // Helm's lint mode reports a template `fail` as a note, not an error: the defaults lint clean
  // although they do not render (next tests).
  it('lints clean (--strict) with the chart defaults alone', () => {
    const result = lintChart();
    expect(result).toMatchObject({ ok: true });
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it.each(CI_SETS)('lints clean (--strict) with ci/%s', (set) => {
    const result = lintChart(set);
    expect(result).toMatchObject({ ok: true });
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it('has a self-contained draft-07 schema that closes the top level', () => {
    const text = readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8');
    const schema = JSON.parse(text) as { $schema: string; additionalProperties: unknown };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const refs = [...text.matchAll(/"\$ref":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !ref.startsWith('#/'))).toEqual([]);
  });

  it('refuses to render the bare defaults, naming every missing value in one error', () => {
    const result = templateChart();
    expect(result.ok).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(SCHEMA_ERROR);
    const listed = problems(result.stderr);
    expect(listed).toHaveLength(MISSING_FROM_DEFAULTS.length);
    MISSING_FROM_DEFAULTS.forEach((missing, i) => expect(listed[i]).toContain(missing));
  });

  it('refuses to install the bare defaults, so no release or empty Secret is created', () => {
    const result = helm(['install', RELEASE.name, CHART_DIR, '--dry-run=client']);
    expect(result.ok).toBe(false);
    expect(result.stdout).not.toContain('kind: Secret');
    expect(problems(result.stderr)).toHaveLength(MISSING_FROM_DEFAULTS.length);
  });

  it('names only what is missing', () => {
    const result = templateChart({ ciValues: [DEFAULT_SET], set: { 'redis.url': '' } });
    expect(result.ok).toBe(false);
    expect(problems(result.stderr)).toEqual([
      'redis.url, redis.sentinels or redis.clusterNodes is required (the gateway needs Redis in production)',
    ]);
  });

  it('lists missing values and contradictions together', () => {
    const result = templateChart({
      ciValues: [DEFAULT_SET],
      set: { 'konaplate.aspId': '', 'containerPorts.management': 3000 },
    });
    expect(problems(result.stderr)).toEqual([
      'konaplate.aspId (KONAPLATE_ASP_ID) is required',
      'containerPorts.http and containerPorts.management must differ (two listeners)',
    ]);
  });

  it('installs (dry run) with ci/default-values.yaml', () => {
    const result = helm([
      'install',
      RELEASE.name,
      CHART_DIR,
      '--dry-run=client',
      '-f',
      `${CHART_DIR}/ci/default-values.yaml`,
    ]);
    expect(result.ok).toBe(true);
    expect(result.stdout).toContain('kind: Deployment');
  });

  it('needs no key values when an existingSecret is named', () => {
    const result = templateChart({
      set: {
        'konaplate.baseUrl': 'https://sandbox.konaplate.com/open-api',
        'konaplate.aspId': 'abcdefghijklmno',
        'redis.url': 'redis://redis:6379',
        'secrets.existingSecret': 'kona-keys',
      },
    });
    expect(result).toMatchObject({ ok: true });
  });

  it('renders the ci default set (the control for the rejections below)', () => {
    expect(templateChart({ ciValues: [DEFAULT_SET] })).toMatchObject({ ok: true });
  });

  it.each([
    ['replicaCount', 0, "at '/replicaCount'"],
    ['logLevel', 'loud', "at '/logLevel'"],
    ['konaplate.timeZone', 'JST', "at '/konaplate/timeZone'"],
    ['konaplate.timeoutMs', 50, "at '/konaplate/timeoutMs'"],
    ['konaplate.aspId', 'too-short', "at '/konaplate/aspId'"],
    ['redis.url', 'redis://:hunter2@redis:6379', "at '/redis/url'"],
    ['pdb.maxUnavailable', 0, "at '/pdb/maxUnavailable'"],
    ['image.pullPolicy', 'Sometimes', "at '/image/pullPolicy'"],
    ['bogus', 1, "additional properties 'bogus'"],
  ])('the schema rejects %s=%s', (key, value, where) => {
    const result = templateChart({ ciValues: [DEFAULT_SET], set: { [key]: value } });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain(SCHEMA_ERROR);
    expect(result.stderr).toContain(where);
  });

  it.each([
    ['two Redis modes', { 'redis.clusterNodes': '{redis-0:6379}' }, 'set only one of redis.url'],
    [
      'Sentinels without a master name',
      { 'redis.url': '', 'redis.sentinels': '{s-0:26379}' },
      'redis.sentinelName',
    ],
    [
      'both JWT modes',
      { 'auth.jwksUrl': 'https://idp.example.com/jwks' },
      'set only one of auth.jwksUrl',
    ],
    [
      'a lease no longer than one call',
      { 'idempotency.leaseMs': 5000 },
      'idempotency.leaseMs must be greater',
    ],
    [
      'maxReplicas under minReplicas',
      { 'autoscaling.enabled': true, 'autoscaling.maxReplicas': 1 },
      'maxReplicas',
    ],
    [
      'one Service port for the API and management',
      { 'service.managementPort': 80 },
      'service.port and service.managementPort must differ',
    ],
    [
      'a NetworkPolicy that would drop the ServiceMonitor scrapes',
      { 'networkPolicy.enabled': true, 'metrics.serviceMonitor.enabled': true },
      'networkPolicy.ingress.managementFrom must name the Prometheus peers',
    ],
  ])('the templates reject %s', (_name, set, message) => {
    const result = templateChart({ ciValues: [DEFAULT_SET], set });
    expect(result.ok).toBe(false);
    expect(result.stderr).not.toContain(SCHEMA_ERROR);
    expect(result.stderr).toContain(message);
  });
});
