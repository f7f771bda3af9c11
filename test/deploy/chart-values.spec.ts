/**
 * helm/kona-bff's values: `helm lint --strict`, values.schema.json rejecting bad values, and the
 * template checks that stop an install missing what the gateway needs to start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHART_DIR,
  RELEASE,
  helm,
  lintChart,
  removeHelmHome,
  renderChart,
  templateChart,
} from './chart-helm';
import { gateway } from './chart-manifest';

const CI_SETS = readdirSync(join(CHART_DIR, 'ci')).filter((file) => file.endsWith('-values.yaml'));
const DEFAULT_SET = 'default-values.yaml';
const SCHEMA_ERROR = "values don't meet the specifications of the schema";

describe('helm/kona-bff values', () => {
  afterAll(removeHelmHome);

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

  it('renders the bare defaults: a hardened Deployment, secrets from a Secret, and a PDB', () => {
    const objects = renderChart();
    const { container, pod } = gateway(objects);

    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Secret', 'PodDisruptionBudget', 'Service']),
    );
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    const secretEnv = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
    expect(secretEnv.map((e) => e.name)).toEqual(
      expect.arrayContaining(['KONAPLATE_ACCESS_KEY', 'KONAPLATE_SECRET_KEY', 'AUTH_JWT_SECRET']),
    );
  });

  it('names every missing value at once in the install notes', () => {
    const result = helm(['install', RELEASE.name, CHART_DIR, '--dry-run=client']);
    expect(result.ok).toBe(true);
    for (const value of [
      'konaplate.baseUrl',
      'konaplate.aspId',
      'redis.url, redis.sentinels or redis.clusterNodes',
      'secrets.konaplateAccessKey (or secrets.existingSecret)',
      'secrets.konaplateSecretKey (or secrets.existingSecret)',
      'auth.jwksUrl or secrets.authJwtSecret',
    ]) {
      expect(result.stdout).toContain(value);
    }
  });

  it('warns about nothing once the values are complete', () => {
    const result = helm([
      'install',
      RELEASE.name,
      CHART_DIR,
      '--dry-run=client',
      '-f',
      `${CHART_DIR}/ci/default-values.yaml`,
    ]);
    expect(result.ok).toBe(true);
    expect(result.stdout).not.toContain('WARNING');
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
  ])('the templates reject %s', (_name, set, message) => {
    const result = templateChart({ ciValues: [DEFAULT_SET], set });
    expect(result.ok).toBe(false);
    expect(result.stderr).not.toContain(SCHEMA_ERROR);
    expect(result.stderr).toContain(message);
  });
});
