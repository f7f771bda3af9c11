/**
 * helm/kona-bff's availability and traffic objects: PDB, HPA, Service, ServiceMonitor and
 * NetworkPolicy, for every ci values set that renders them.
 */
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';
import { removeHelmHome, renderChart } from './chart-helm';
import { ServiceMonitor } from './chart-models';
import { DEFAULT_SET, CI_SETS, all, gateway, manifest, only } from './chart-manifest';

describe('helm/kona-bff availability and traffic', () => {
  afterAll(removeHelmHome);

  describe('availability', () => {
    it.each(CI_SETS)('%s: has a PDB that always allows one eviction', (set) => {
      const objects = manifest(set);
      const { deployment } = gateway(objects);
      const pdb = only(objects, PodDisruptionBudget.is);
      expect(pdb.spec?.selector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
      const { maxUnavailable, minAvailable } = pdb.spec ?? {};
      if (maxUnavailable !== undefined) {
        if (typeof maxUnavailable === 'number') expect(maxUnavailable).toBeGreaterThanOrEqual(1);
        else expect(parseInt(maxUnavailable, 10)).toBeGreaterThan(0);
      } else {
        const replicas = deployment.spec?.replicas ?? 1;
        expect(typeof minAvailable).toBe('number');
        expect(minAvailable).toBeLessThan(replicas);
      }
    });

    it('runs 2 replicas without autoscaling, and 1 in the single-replica set', () => {
      expect(all(manifest(DEFAULT_SET), HorizontalPodAutoscaler.is)).toEqual([]);
      expect(gateway(manifest(DEFAULT_SET)).deployment.spec?.replicas).toBe(2);
      expect(gateway(manifest('single-replica-values.yaml')).deployment.spec?.replicas).toBe(1);
    });

    it('with autoscaling, leaves replicas to an HPA that targets the Deployment', () => {
      const objects = manifest('hpa-values.yaml');
      const { deployment } = gateway(objects);
      expect(deployment.spec).not.toHaveProperty('replicas');
      const hpa = only(objects, HorizontalPodAutoscaler.is);
      expect(hpa.spec?.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata?.name,
      });
      expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
      expect(hpa.spec?.metrics?.map((m) => m.resource?.name)).toEqual(['cpu', 'memory']);
    });
  });

  describe('networking and monitoring', () => {
    it.each(CI_SETS)(
      "%s: Service port 80 targets the pods' http port, 9464 their management port",
      (set) => {
        const objects = manifest(set);
        const service = only(objects, Service.is);
        const { deployment } = gateway(objects);
        expect(service.spec?.type).toBe('ClusterIP');
        expect(service.spec?.ports).toEqual([
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
          { name: 'management', port: 9464, targetPort: 'management', protocol: 'TCP' },
        ]);
        expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
      },
    );

    it('ServiceMonitor scrapes /metrics on the Service port management', () => {
      const objects = manifest('full-values.yaml');
      const monitor = only(objects, ServiceMonitor.is);
      const service = only(objects, Service.is);
      expect(monitor.spec.endpoints).toEqual([
        expect.objectContaining({ port: 'management', path: '/metrics' }),
      ]);
      expect(service.spec?.ports?.map((p) => p.name)).toContain('management');
      expect(service.metadata?.labels).toEqual(
        expect.objectContaining(monitor.spec.selector.matchLabels),
      );
      expect(monitor.metadata?.labels).toMatchObject({ release: 'prometheus' });
      expect(all(manifest(DEFAULT_SET), ServiceMonitor.is)).toEqual([]);
    });

    it('Ingress routes every path to the API port, never the management port', () => {
      const objects = manifest('full-values.yaml');
      const ingress = only(objects, Ingress.is);
      const service = only(objects, Service.is);
      const backends = (ingress.spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).map((path) => path.backend.service),
      );
      expect(backends.length).toBeGreaterThan(0);
      for (const backend of backends) {
        expect(backend?.name).toBe(service.metadata?.name);
        expect(backend?.port).toEqual({ name: 'http' });
      }
      // The port split replaces the old snippet that hid /metrics (ingress-nginx ignores snippets).
      expect(JSON.stringify(ingress.metadata?.annotations ?? {})).not.toContain('snippet');
    });

    it('NetworkPolicy admits the API port from its peers, the management port from monitoring only', () => {
      const objects = manifest('full-values.yaml');
      const policy = only(objects, NetworkPolicy.is);
      const { deployment } = gateway(objects);
      expect(policy.spec?.podSelector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
      expect(policy.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
      const [api, management, ...others] = policy.spec?.ingress ?? [];
      expect(others).toEqual([]);
      expect(api.ports).toEqual([{ port: 3000, protocol: 'TCP' }]);
      expect(api.from).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      ]);
      expect(management.ports).toEqual([{ port: 9464, protocol: 'TCP' }]);
      expect(management.from).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ]);
      const egressPorts = (policy.spec?.egress ?? []).flatMap((rule) =>
        (rule.ports ?? []).map((p) => `${String(p.port)}/${p.protocol ?? 'TCP'}`),
      );
      expect(egressPorts.sort()).toEqual(
        ['26379/TCP', '443/TCP', '53/TCP', '53/UDP', '6379/TCP', '4318/TCP'].sort(),
      );
      expect(all(manifest(DEFAULT_SET), NetworkPolicy.is)).toEqual([]);
    });

    it('NetworkPolicy without monitoring peers admits nobody to the management port', () => {
      const objects = renderChart({
        ciValues: [DEFAULT_SET],
        set: { 'networkPolicy.enabled': true },
      });
      const rules = only(objects, NetworkPolicy.is).spec?.ingress ?? [];
      expect(rules.flatMap((rule) => rule.ports?.map((p) => p.port))).toEqual([3000]);
    });
  });
});
