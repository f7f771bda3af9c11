/**
 * helm/kona-bff's environment: only variables the gateway reads, secrets only through
 * secretKeyRef, checksum-driven restarts, and a grace period long enough for a clean shutdown.
 */
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { CONFIG_KEYS, SECRET_KEYS } from '../../src/config/config.keys';
import type { RenderOptions } from './chart-helm';
import { removeHelmHome, renderChart } from './chart-helm';
import {
  CI_SETS,
  DEFAULT_SET,
  all,
  ceilSeconds,
  ciValues,
  envFromConfig,
  envNames,
  gateway,
  manifest,
  only,
} from './chart-manifest';

const SECRET_NAMES: readonly string[] = SECRET_KEYS;
const CONFIG_NAMES: readonly string[] = CONFIG_KEYS;

describe('helm/kona-bff configuration', () => {
  afterAll(removeHelmHome);

  describe('configuration and secrets', () => {
    it.each(CI_SETS)('%s: every variable name is one the gateway reads (CONFIG_KEYS)', (set) => {
      // extraEnv is the operator's (Node, OpenTelemetry); everything else the chart made.
      const extra = ((ciValues(set).extraEnv ?? []) as { name: string }[]).map((e) => e.name);
      const names = envNames(manifest(set));
      const chartMade = names.filter((name) => !extra.includes(name));
      expect(chartMade.filter((name) => !CONFIG_NAMES.includes(name))).toEqual([]);
      expect(chartMade.length).toBe(names.length - extra.length);
      expect(new Set(names).size).toBe(names.length);
    });

    it.each(CI_SETS)('%s: secrets come from secretKeyRef and never from a ConfigMap', (set) => {
      const objects = manifest(set);
      const { container } = gateway(objects);
      const secretEnv = (container.env ?? []).filter((e) => SECRET_NAMES.includes(e.name));
      expect(secretEnv.map((e) => e.name)).toEqual(
        expect.arrayContaining(['KONAPLATE_ACCESS_KEY', 'KONAPLATE_SECRET_KEY']),
      );
      for (const entry of secretEnv) {
        expect(entry.value).toBeUndefined();
        expect(entry.valueFrom?.secretKeyRef?.name).toBeTruthy();
      }
      const secretValues = all(objects, Secret.is).flatMap((s) =>
        Object.values(s.data ?? {}).map((b64) => Buffer.from(b64, 'base64').toString()),
      );
      for (const map of all(objects, ConfigMap.is)) {
        const data = map.data ?? {};
        expect(Object.keys(data).filter((key) => SECRET_NAMES.includes(key))).toEqual([]);
        for (const value of Object.values(data)) {
          for (const secret of secretValues) expect(value).not.toContain(secret);
        }
      }
    });

    it('points every secret env var at a key of the chart-made Secret', () => {
      const objects = manifest(DEFAULT_SET);
      const secret = only(objects, Secret.is);
      const refs = (gateway(objects).container.env ?? []).map((e) => e.valueFrom?.secretKeyRef);
      expect(refs.map((ref) => ref?.key).sort()).toEqual(
        ['AUTH_JWT_SECRET', 'KONAPLATE_ACCESS_KEY', 'KONAPLATE_SECRET_KEY'].sort(),
      );
      for (const ref of refs) {
        expect(ref?.name).toBe(secret.metadata?.name);
        expect(Object.keys(secret.data ?? {})).toContain(ref?.key);
      }
    });

    it('with existingSecret creates no Secret and reads the custom keys from it', () => {
      const objects = manifest('existing-secret-values.yaml');
      expect(all(objects, Secret.is)).toEqual([]);
      const refs = Object.fromEntries(
        (gateway(objects).container.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef]),
      );
      expect(refs).toEqual({
        KONAPLATE_ACCESS_KEY: { name: 'kona-bff-credentials', key: 'access-key' },
        KONAPLATE_SECRET_KEY: { name: 'kona-bff-credentials', key: 'secret-key' },
        AUTH_JWT_SECRET: { name: 'kona-bff-credentials', key: 'jwt-hs256-key' },
        REDIS_PASSWORD: { name: 'kona-bff-credentials', key: 'redis-password', optional: true },
      });
    });

    it('with a JWKS URL passes no AUTH_JWT_SECRET (the gateway wants exactly one of them)', () => {
      const objects = manifest('full-values.yaml');
      expect(envNames(objects)).not.toContain('AUTH_JWT_SECRET');
      expect(envFromConfig(objects).AUTH_JWKS_URL).toMatch(/^https:\/\//);
    });

    it('passes exactly one Redis mode', () => {
      const modes = (set: string): string[] =>
        envNames(manifest(set)).filter((n) =>
          ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].includes(n),
        );
      expect(modes(DEFAULT_SET)).toEqual(['REDIS_URL']);
      expect(modes('full-values.yaml')).toEqual(['REDIS_SENTINELS']);
      expect(envFromConfig(manifest('full-values.yaml')).REDIS_SENTINEL_NAME).toBe('mymaster');
      expect(modes('single-replica-values.yaml')).toEqual(['REDIS_CLUSTER_NODES']);
    });

    it('changes checksum/config when a config value or a secret changes, and only then', () => {
      const checksum = (options: RenderOptions): string | undefined =>
        gateway(renderChart(options)).deployment.spec?.template.metadata?.annotations?.[
          'checksum/config'
        ];
      const base = checksum({ ciValues: [DEFAULT_SET] });
      expect(base).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum({ ciValues: [DEFAULT_SET] })).toBe(base);
      expect(checksum({ ciValues: [DEFAULT_SET], set: { logLevel: 'debug' } })).not.toBe(base);
      expect(
        checksum({
          ciValues: [DEFAULT_SET],
          set: { 'secrets.konaplateSecretKey': 'rotated-secret-key-0000' },
        }),
      ).not.toBe(base);
    });
  });

  describe('shutdown', () => {
    it.each(CI_SETS)(
      '%s: grace period covers preStop + SHUTDOWN_DELAY_MS + KONAPLATE_TIMEOUT_MS',
      (set) => {
        const objects = manifest(set);
        const { pod, container } = gateway(objects);
        const config = envFromConfig(objects);
        const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1]);
        const needed =
          preStop +
          ceilSeconds(config.SHUTDOWN_DELAY_MS) +
          ceilSeconds(config.KONAPLATE_TIMEOUT_MS);
        expect(Number.isInteger(preStop)).toBe(true);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed);
      },
    );

    it('computes the grace period with the margin, and follows the settings', () => {
      expect(gateway(manifest(DEFAULT_SET)).pod.terminationGracePeriodSeconds).toBe(5 + 5 + 5 + 10);
      const slower = renderChart({
        ciValues: [DEFAULT_SET],
        set: {
          'shutdown.delayMs': 20_001,
          'konaplate.timeoutMs': 30_000,
          'shutdown.marginSeconds': 3,
        },
      });
      expect(gateway(slower).pod.terminationGracePeriodSeconds).toBe(5 + 21 + 30 + 3);
    });

    it('honours an explicit terminationGracePeriodSeconds', () => {
      const objects = renderChart({
        ciValues: [DEFAULT_SET],
        set: { terminationGracePeriodSeconds: 90 },
      });
      expect(gateway(objects).pod.terminationGracePeriodSeconds).toBe(90);
    });
  });
});
