/**
 * Schema checks for rendered objects: kubernetes-models' validators, the Kubernetes OpenAPI
 * schemas for core kinds and the Prometheus Operator's CRD schemas for ServiceMonitor and
 * PrometheusRule (@kubernetes-models/prometheus-operator).
 */
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeObject } from './chart-helm';

export { PrometheusRule, ServiceMonitor };

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
  PrometheusRule,
  Secret,
  Service,
  ServiceAccount,
  ServiceMonitor,
];

const MODEL_BY_TYPE = new Map(MODELS.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

/**
 * Validates one rendered object; throws on schema errors and on kinds the chart is not expected to
 * render (so a new template cannot slip past validation).
 */
export function validateObject(object: KubeObject): void {
  const type = `${object.apiVersion}/${object.kind}`;
  const Model = MODEL_BY_TYPE.get(type);
  if (!Model) throw new Error(`no model for ${type} (${object.metadata.name})`);
  new Model(object as never).validate();
}
