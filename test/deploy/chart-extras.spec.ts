/**
 * helm/kona-bff's extension points: extraEnv, extraEnvFrom, extraVolumes and extraVolumeMounts
 * reach the pod as given (ci/full-values.yaml: a corporate CA bundle and OpenTelemetry), are typed
 * by the values schema, and cannot silently override what the chart sets.
 */
import type { IEnvFromSource, IEnvVar, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { removeHelmHome, templateChart } from './chart-helm';
import { DEFAULT_SET, ciValues, envFromConfig, gateway, manifest } from './chart-manifest';

const SCHEMA_ERROR = "values don't meet the specifications of the schema";
const full = ciValues('full-values.yaml') as {
  extraEnv: IEnvVar[];
  extraEnvFrom: IEnvFromSource[];
  extraVolumes: IVolume[];
  extraVolumeMounts: IVolumeMount[];
};

describe('helm/kona-bff extra env and volumes', () => {
  afterAll(removeHelmHome);

  it('appends extraEnv, as given, after the variables the chart sets', () => {
    const env = gateway(manifest('full-values.yaml')).container.env ?? [];
    expect(full.extraEnv.length).toBeGreaterThan(0);
    expect(env.slice(-full.extraEnv.length)).toEqual(full.extraEnv);
    expect(env.map((e) => e.name)).toContain('KONAPLATE_ACCESS_KEY');
  });

  it('turns tracing on through OTEL_* in extraEnv (the gateway reads the standard variables)', () => {
    const env = gateway(manifest('full-values.yaml')).container.env ?? [];
    const endpoint = env.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(endpoint?.value).toMatch(/^https?:\/\/[^/]+:4318$/);
    // None of it is in the chart's ConfigMap: the chart has no OpenTelemetry value of its own.
    expect(
      Object.keys(envFromConfig(manifest('full-values.yaml'))).filter((k) => k.startsWith('OTEL_')),
    ).toEqual([]);
  });

  it("lists extraEnvFrom before the chart's ConfigMap, so the chart's settings win a clash", () => {
    const objects = manifest('full-values.yaml');
    const { container } = gateway(objects);
    const sources = container.envFrom ?? [];
    expect(sources.slice(0, full.extraEnvFrom.length)).toEqual(full.extraEnvFrom);
    expect(sources.at(-1)?.configMapRef?.name).toBe(
      objects.find((o) => o.kind === 'ConfigMap')?.metadata.name,
    );
  });

  it('mounts the CA bundle that NODE_EXTRA_CA_CERTS names, read-only, beside /tmp', () => {
    const { pod, container } = gateway(manifest('full-values.yaml'));
    const caPath = container.env?.find((e) => e.name === 'NODE_EXTRA_CA_CERTS')?.value ?? '';
    const mount = container.volumeMounts?.find((m) => caPath.startsWith(`${m.mountPath}/`));
    expect(mount).toEqual(full.extraVolumeMounts[0]);
    expect(mount?.readOnly).toBe(true);
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(volume).toEqual(full.extraVolumes[0]);
    expect(volume?.configMap?.name).toBeTruthy();
    expect(container.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('adds nothing when the extras are empty (the default)', () => {
    const { pod, container } = gateway(manifest(DEFAULT_SET));
    expect(container.envFrom).toHaveLength(1);
    expect(container.volumeMounts?.map((m) => m.name)).toEqual(['tmp']);
    expect(pod.volumes?.map((v) => v.name)).toEqual(['tmp']);
  });

  it.each([
    ['an env var without a name', { 'extraEnv[0].value': 'x' }, '/extraEnv/0'],
    [
      'an env var with both value and valueFrom',
      {
        'extraEnv[0].name': 'POD',
        'extraEnv[0].value': 'x',
        'extraEnv[0].valueFrom.fieldRef.fieldPath': 'metadata.name',
      },
      '/extraEnv/0',
    ],
    [
      'an env var with a number value',
      { 'extraEnv[0].name': 'N', 'extraEnv[0].value': 1 },
      '/extraEnv/0/value',
    ],
    ['an env source with neither ref', { 'extraEnvFrom[0].prefix': 'X_' }, '/extraEnvFrom/0'],
    [
      'a hostPath volume',
      { 'extraVolumes[0].name': 'host', 'extraVolumes[0].hostPath.path': '/' },
      '/extraVolumes/0',
    ],
    [
      'a relative mount path',
      { 'extraVolumeMounts[0].name': 'ca', 'extraVolumeMounts[0].mountPath': 'etc' },
      '/extraVolumeMounts/0/mountPath',
    ],
  ])('the schema rejects %s', (_name, set, where) => {
    const result = templateChart({ ciValues: [DEFAULT_SET], set });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain(SCHEMA_ERROR);
    expect(result.stderr).toContain(`at '${where}`);
  });

  it.each(['LOG_LEVEL', 'MANAGEMENT_PORT', 'KONAPLATE_SECRET_KEY'])(
    'refuses extraEnv %s, which the chart sets itself',
    (name) => {
      const result = templateChart({
        ciValues: [DEFAULT_SET],
        set: { 'extraEnv[0].name': name, 'extraEnv[0].value': 'x' },
      });
      expect(result.ok).toBe(false);
      expect(result.stderr).toContain(`extraEnv must not set ${name}: the chart sets it`);
    },
  );
});
