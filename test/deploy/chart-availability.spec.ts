/**
 * helm/kona-bff's availability and traffic objects: PDB, HPA, Service, ServiceMonitor and
 * NetworkPolicy, for every ci values set that renders them.
 */
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';
import { removeHelmHome } from './chart-helm';
import {
  DEFAULT_SET,
  CI_SETS,
  all,
  gateway,
  isServiceMonitor,
  manifest,
  only,
} from './chart-manifest';

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
    it.each(CI_SETS)('%s: Service port 80 targets the named port http of the pods', (set) => {
      const objects = manifest(set);
      const service = only(objects, Service.is);
      const { deployment } = gateway(objects);
      expect(service.spec?.type).toBe('ClusterIP');
      expect(service.spec?.ports).toEqual([
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      ]);
      expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
    });

    it('ServiceMonitor scrapes /metrics on the Service port http', () => {
      const objects = manifest('full-values.yaml');
      const monitor = only(objects, isServiceMonitor);
      const service = only(objects, Service.is);
      expect(monitor.spec.endpoints).toEqual([
        expect.objectContaining({ port: 'http', path: '/metrics' }),
      ]);
      expect(service.metadata?.labels).toEqual(
        expect.objectContaining(monitor.spec.selector.matchLabels),
      );
      expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
      expect(all(manifest(DEFAULT_SET), isServiceMonitor)).toEqual([]);
    });

    it('NetworkPolicy admits port 3000 only and lets out DNS, Redis and HTTPS', () => {
      const objects = manifest('full-values.yaml');
      const policy = only(objects, NetworkPolicy.is);
      const { deployment } = gateway(objects);
      expect(policy.spec?.podSelector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
      expect(policy.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec?.ingress?.map((rule) => rule.ports)).toEqual([
        [{ port: 3000, protocol: 'TCP' }],
      ]);
      expect(policy.spec?.ingress?.[0].from?.length).toBe(2);
      const egressPorts = (policy.spec?.egress ?? []).flatMap((rule) =>
        (rule.ports ?? []).map((p) => `${String(p.port)}/${p.protocol ?? 'TCP'}`),
      );
      expect(egressPorts.sort()).toEqual(
        ['26379/TCP', '443/TCP', '53/TCP', '53/UDP', '6379/TCP'].sort(),
      );
      expect(all(manifest(DEFAULT_SET), NetworkPolicy.is)).toEqual([]);
    });
  });
});
