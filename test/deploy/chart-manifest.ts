/**
 * Rendered ci values sets of helm/kona-bff and typed access to the gateway's Deployment,
 * container and ConfigMap, shared by the chart specs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import type { KubeObject } from './chart-helm';
import { CHART_DIR, renderChart } from './chart-helm';

/** Every ci/*-values.yaml set; a new set is picked up by every per-set test. */
export const CI_SETS = readdirSync(join(CHART_DIR, 'ci')).filter((file) =>
  file.endsWith('-values.yaml'),
);
/** The smallest installable set: chart defaults plus dummy credentials and Redis. */
export const DEFAULT_SET = 'default-values.yaml';

/** One ci values file as written (not merged with the chart's defaults). */
export function ciValues(set: string): Record<string, unknown> {
  return (parse(readFileSync(join(CHART_DIR, 'ci', set), 'utf8')) ?? {}) as Record<string, unknown>;
}

const cache = new Map<string, KubeObject[]>();

/** Renders one ci values set (cached: most tests read the same few manifests). */
export function manifest(set: string): KubeObject[] {
  let objects = cache.get(set);
  if (!objects) {
    objects = renderChart({ ciValues: [set] });
    cache.set(set, objects);
  }
  return objects;
}

/** The objects of one kind, typed by the kind's guard (e.g. `Secret.is`). */
export function all<T>(objects: readonly unknown[], guard: (value: unknown) => value is T): T[] {
  return objects.filter(guard);
}

export function only<T>(objects: readonly unknown[], guard: (value: unknown) => value is T): T {
  const found = all(objects, guard);
  if (found.length !== 1) throw new Error(`expected exactly one object, found ${found.length}`);
  return found[0];
}

function podSpec(deployment: IDeployment): IPodSpec {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error('Deployment without a pod spec');
  return spec;
}

export function gateway(objects: KubeObject[]): {
  deployment: IDeployment;
  pod: IPodSpec;
  container: IContainer;
} {
  const deployment = only(objects, Deployment.is);
  const pod = podSpec(deployment);
  if (pod.containers.length !== 1) {
    throw new Error(`expected one container, found ${pod.containers.length}`);
  }
  return { deployment, pod, container: pod.containers[0] };
}

/** The ConfigMap data the container loads through envFrom. */
export function envFromConfig(objects: KubeObject[]): Record<string, string> {
  const { container } = gateway(objects);
  const names = (container.envFrom ?? []).map((source) => source.configMapRef?.name);
  const maps = all(objects, ConfigMap.is).filter((map) => names.includes(map.metadata?.name));
  if (maps.length !== 1) throw new Error(`expected one envFrom ConfigMap, found ${maps.length}`);
  return maps[0].data ?? {};
}

/** Every variable name the container gets: env entries plus the envFrom ConfigMap's keys. */
export function envNames(objects: KubeObject[]): string[] {
  const { container } = gateway(objects);
  return [...(container.env ?? []).map((e) => e.name), ...Object.keys(envFromConfig(objects))];
}

export const ceilSeconds = (ms: string): number => Math.ceil(Number(ms) / 1000);
