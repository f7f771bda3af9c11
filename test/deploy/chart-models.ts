/**
 * Schema checks for rendered objects: kubernetes-models' validators (the Kubernetes OpenAPI
 * schemas) for core kinds; the Prometheus Operator's ServiceMonitor has no model, so its
 * essential fields are checked by hand.
 */
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from './chart-helm';

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

const MODELS: readonly ModelClass[] = [
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  PodDisruptionBudget,
  Secret,
  Service,
  ServiceAccount,
];

const MODEL_BY_TYPE = new Map(MODELS.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

export const SERVICE_MONITOR_TYPE = 'monitoring.coreos.com/v1/ServiceMonitor';

/** The ServiceMonitor fields the chart relies on; no kubernetes-models class covers this CRD. */
export interface ServiceMonitor extends KubeObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector?: { matchNames?: string[] };
    endpoints: { port: string; path: string; interval?: string; scrapeTimeout?: string }[];
  };
}

const DURATION = /^([0-9]+(ms|s|m|h))+$/;

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function checkServiceMonitor(object: KubeObject): void {
  const { spec } = object as Partial<ServiceMonitor>;
  const problems: string[] = [];
  const matchLabels = spec?.selector?.matchLabels;
  if (!isStringMap(matchLabels) || Object.keys(matchLabels).length === 0) {
    problems.push('spec.selector.matchLabels must be a non-empty string map');
  }
  if (!Array.isArray(spec?.endpoints) || spec.endpoints.length === 0) {
    problems.push('spec.endpoints must be a non-empty list');
  }
  for (const [i, endpoint] of (spec?.endpoints ?? []).entries()) {
    if (typeof endpoint.port !== 'string' || endpoint.port === '') {
      problems.push(`spec.endpoints[${i}].port must name a Service port`);
    }
    if (typeof endpoint.path !== 'string' || !endpoint.path.startsWith('/')) {
      problems.push(`spec.endpoints[${i}].path must be an absolute path`);
    }
    for (const field of ['interval', 'scrapeTimeout'] as const) {
      const value = endpoint[field];
      if (value !== undefined && !DURATION.test(value)) {
        problems.push(`spec.endpoints[${i}].${field} must be a Prometheus duration`);
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`ServiceMonitor ${object.metadata.name}: ${problems.join('; ')}`);
}

/**
 * Validates one rendered object; throws on schema errors and on kinds the chart is not expected to
 * render (so a new template cannot slip past validation).
 */
export function validateObject(object: KubeObject): void {
  const type = `${object.apiVersion}/${object.kind}`;
  if (type === SERVICE_MONITOR_TYPE) return checkServiceMonitor(object);
  const Model = MODEL_BY_TYPE.get(type);
  if (!Model) throw new Error(`no model for ${type} (${object.metadata.name})`);
  new Model(object as never).validate();
}
