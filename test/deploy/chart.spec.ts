/**
 * helm/kona-bff rendered with `helm template` for every ci/*-values.yaml set: each object against
 * the Kubernetes schemas, and the pod against what the image expects (port 3000, health paths,
 * non-root with a read-only root and /tmp). Siblings: chart-config.spec.ts (env, secrets,
 * shutdown), chart-availability.spec.ts (PDB, HPA, Service, monitoring, network),
 * chart-values.spec.ts (lint, values schema).
 */
import { ServiceAccount } from 'kubernetes-models/v1';
import { removeHelmHome, renderChart } from './chart-helm';
import { validateObject } from './chart-models';
import { CI_SETS, DEFAULT_SET, all, envFromConfig, gateway, manifest } from './chart-manifest';

describe('helm/kona-bff rendered objects', () => {
  afterAll(removeHelmHome);

  it('has the ci values sets the suite relies on', () => {
    expect(CI_SETS).toEqual(
      expect.arrayContaining([
        'default-values.yaml',
        'existing-secret-values.yaml',
        'full-values.yaml',
        'hpa-values.yaml',
        'single-replica-values.yaml',
      ]),
    );
  });

  it.each(CI_SETS)('%s: every object passes its Kubernetes schema', (set) => {
    const objects = manifest(set);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      expect(() => validateObject(object)).not.toThrow();
    }
  });

  it('full-values.yaml renders the optional objects (so their validation ran)', () => {
    const kinds = manifest('full-values.yaml').map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['ServiceMonitor', 'NetworkPolicy', 'Ingress', 'PodDisruptionBudget']),
    );
    expect(kinds).not.toContain('HorizontalPodAutoscaler');
    expect(manifest('hpa-values.yaml').map((o) => o.kind)).toContain('HorizontalPodAutoscaler');
  });

  describe('container', () => {
    it.each(CI_SETS)(
      '%s: probes hit /health/live and /health/ready on the named port http = PORT',
      (set) => {
        const objects = manifest(set);
        const { container } = gateway(objects);
        const http = container.ports?.find((p) => p.name === 'http');
        expect(http?.containerPort).toBe(3000);
        expect(envFromConfig(objects).PORT).toBe('3000');
        expect(container.startupProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      },
    );

    it.each(CI_SETS)('%s: listens on the named port management = MANAGEMENT_PORT', (set) => {
      const objects = manifest(set);
      const { container } = gateway(objects);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 3000, protocol: 'TCP' },
        { name: 'management', containerPort: 9464, protocol: 'TCP' },
      ]);
      expect(envFromConfig(objects).MANAGEMENT_PORT).toBe('9464');
    });

    it('moves the port, PORT and the probes together when containerPorts.http changes', () => {
      const objects = renderChart({
        ciValues: [DEFAULT_SET],
        set: { 'containerPorts.http': 8080 },
      });
      const { container } = gateway(objects);
      expect(container.ports?.find((p) => p.name === 'http')?.containerPort).toBe(8080);
      expect(envFromConfig(objects).PORT).toBe('8080');
      expect(container.readinessProbe?.httpGet?.port).toBe('http');
    });

    it('moves the management port and MANAGEMENT_PORT together, leaving the probes alone', () => {
      const objects = renderChart({
        ciValues: [DEFAULT_SET],
        set: { 'containerPorts.management': 9100 },
      });
      const { container } = gateway(objects);
      expect(container.ports?.find((p) => p.name === 'management')?.containerPort).toBe(9100);
      expect(envFromConfig(objects).MANAGEMENT_PORT).toBe('9100');
      for (const probe of [
        container.startupProbe,
        container.livenessProbe,
        container.readinessProbe,
      ])
        expect(probe?.httpGet?.port).toBe('http');
    });

    it('passes docsEnabled as DOCS_ENABLED, off by default', () => {
      expect(envFromConfig(manifest(DEFAULT_SET)).DOCS_ENABLED).toBe('false');
      const on = renderChart({ ciValues: [DEFAULT_SET], set: { docsEnabled: true } });
      expect(envFromConfig(on).DOCS_ENABLED).toBe('true');
    });

    it('uses the image kona-bff:<appVersion> with IfNotPresent by default, and a digest when set', () => {
      expect(gateway(manifest(DEFAULT_SET)).container).toMatchObject({
        image: 'kona-bff:0.1.0',
        imagePullPolicy: 'IfNotPresent',
      });
      expect(gateway(manifest('full-values.yaml')).container.image).toMatch(
        /^registry\.example\.com\/cards\/kona-bff@sha256:[0-9a-f]{64}$/,
      );
    });

    it.each(CI_SETS)('%s: runs non-root, read-only, without privileges or capabilities', (set) => {
      const { container } = gateway(manifest(set));
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.securityContext?.capabilities?.add).toBeUndefined();
      expect(container.securityContext?.privileged).not.toBe(true);
    });

    it.each(CI_SETS)('%s: mounts an emptyDir at /tmp, the only place the image writes', (set) => {
      const { pod, container } = gateway(manifest(set));
      const mount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(mount).toBeDefined();
      expect(mount?.readOnly).not.toBe(true);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.emptyDir).toBeDefined();
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    });

    it('sleeps in preStop (exec form) for lifecycle.preStopSleepSeconds', () => {
      expect(gateway(manifest(DEFAULT_SET)).container.lifecycle?.preStop).toEqual({
        exec: { command: ['sleep', '5'] },
      });
      expect(
        gateway(manifest('full-values.yaml')).container.lifecycle?.preStop?.exec?.command,
      ).toEqual(['sleep', '10']);
    });

    it.each(CI_SETS)('%s: sets requests and limits', (set) => {
      const { resources } = gateway(manifest(set)).container;
      expect(resources?.requests?.cpu).toBeDefined();
      expect(resources?.requests?.memory).toBeDefined();
      expect(resources?.limits?.memory).toBeDefined();
    });
  });

  describe('pod', () => {
    it.each(CI_SETS)(
      '%s: pod security context is non-root 1000:1000 with seccomp RuntimeDefault',
      (set) => {
        expect(gateway(manifest(set)).pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1000,
          runAsGroup: 1000,
          fsGroup: 1000,
          seccompProfile: { type: 'RuntimeDefault' },
        });
      },
    );

    it.each(CI_SETS)('%s: mounts no service account token', (set) => {
      const objects = manifest(set);
      expect(gateway(objects).pod.automountServiceAccountToken).toBe(false);
      for (const account of all(objects, ServiceAccount.is)) {
        expect(account.automountServiceAccountToken).toBe(false);
      }
    });

    it('spreads pods across nodes without blocking scheduling', () => {
      const { deployment, pod } = gateway(manifest(DEFAULT_SET));
      expect(pod.topologySpreadConstraints).toEqual([
        expect.objectContaining({
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: deployment.spec?.selector.matchLabels },
        }),
      ]);
    });

    it('rolls out one extra pod at a time and never goes below the desired count', () => {
      expect(gateway(manifest(DEFAULT_SET)).deployment.spec?.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
    });
  });
});
