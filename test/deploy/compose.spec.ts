import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS, FILE_KEYS, REQUIRED_KEYS, SECRET_KEYS } from '../../src/config/config.keys';
import { loadConfig } from '../../src/config/load-config';
import { SANDBOX_DEMO } from '../sandbox/demo-credentials';
import { problemsOf } from '../../src/redis/durability';
import { all, dockerfileStages, last } from './dockerfile';

/** No `docker compose` here: docker-compose.yml is checked by parsing it. */
const ROOT = join(__dirname, '..', '..');

type Env = Record<string, string>;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  user?: string;
  ports?: (string | number | { target: number; published?: string | number })[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: (string | { path: string })[] | string;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { target: string })[];
  stop_grace_period?: string;
  read_only?: boolean;
  privileged?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
}

const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as { version?: unknown; services: Record<string, Service> };
const { services } = compose;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Compose's env-file format: KEY=VALUE lines, `#` comments, optional surrounding quotes. */
function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${line}`);
    const value = line.slice(eq + 1);
    env[line.slice(0, eq).trim()] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return env;
}

function envFiles(service: Service): string[] {
  const list = service.env_file === undefined ? [] : [service.env_file].flat();
  return list.map((f) => (typeof f === 'string' ? f : f.path));
}

function inlineEnv(service: Service): Env {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function fileEnv(service: Service): Env {
  return Object.assign(
    {},
    ...envFiles(service).map((f) => parseEnvFile(readFileSync(join(ROOT, f), 'utf8'))),
  ) as Env;
}

/** What the container sees: `environment` wins over `env_file`, as in Compose. */
const effectiveEnv = (service: Service): Env => ({ ...fileEnv(service), ...inlineEnv(service) });

const argv = (command: string | string[] | undefined): string[] =>
  Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean);

const healthcheckText = (service: Service): string => argv(service.healthcheck?.test).join(' ');

/** The URL a node/fetch healthcheck probes. */
function probedUrl(service: Service): URL {
  const match = /https?:\/\/[^\s'"`)]+/.exec(healthcheckText(service));
  if (!match) throw new Error('healthcheck probes no URL');
  return new URL(match[0]);
}

/** Compose durations: 1m30s, 45s, 500ms. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    total += Number(amount) * units[unit];
  }
  return total;
}

const gateway = services.gateway ?? {};
const sandbox = services.sandbox ?? {};
const redis = services.redis ?? {};
const gatewayEnv = effectiveEnv(gateway);
const sandboxEnv = effectiveEnv(sandbox);

/** The host file a container path is bind-mounted from (read-only, or the test fails). */
function mountedFile(service: Service, containerPath: string): string {
  const volume = ((service as { volumes?: (string | { target: string })[] }).volumes ?? [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.split(':'))
    .find(([, target]) => target === containerPath);
  if (!volume) throw new Error(`${containerPath} is not mounted`);
  expect(volume[2]).toBe('ro');
  return join(ROOT, volume[0]);
}

/** The gateway's environment with each `*_FILE` path as the host sees it, for loadConfig. */
const gatewayHostEnv = (): Env =>
  Object.fromEntries(
    Object.entries(gatewayEnv).map(([k, v]) => [
      k,
      k.endsWith('_FILE') ? mountedFile(gateway, v) : v,
    ]),
  );

describe('docker-compose.yml', () => {
  it('follows the Compose specification (no obsolete `version` key)', () => {
    expect(compose.version).toBeUndefined();
  });

  it('runs the gateway, Redis and the KONA PLATE sandbox', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'redis', 'sandbox']);
  });

  describe.each(['gateway', 'redis', 'sandbox'])('service %s', (name) => {
    const service = services[name];

    it('has an enabled healthcheck', () => {
      expect(service.healthcheck?.disable).not.toBe(true);
      const test = argv(service.healthcheck?.test);
      expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
      expect(test.length).toBeGreaterThan(1);
    });

    it('drops every capability, adds none back and forbids privilege escalation', () => {
      expect(service.cap_drop).toContain('ALL');
      expect(service.cap_add ?? []).toEqual([]);
      expect(service.privileged).not.toBe(true);
      expect(service.security_opt).toEqual(
        expect.arrayContaining([expect.stringMatching(/^no-new-privileges(:true)?$/)]),
      );
    });

    it('runs with a read-only root filesystem', () => {
      expect(service.read_only).toBe(true);
    });
  });

  describe('gateway', () => {
    it('starts only once Redis and the sandbox are healthy', () => {
      expect(gateway.depends_on).toEqual({
        redis: expect.objectContaining({ condition: 'service_healthy' }) as unknown,
        sandbox: expect.objectContaining({ condition: 'service_healthy' }) as unknown,
      });
    });

    it('publishes port 3000 on the host, and the management port on loopback only', () => {
      const published = (gateway.ports ?? []).map((p) =>
        typeof p === 'object' ? `${p.published}:${p.target}` : String(p),
      );
      expect(published).toContain('3000:3000');
      expect(gatewayEnv.PORT).toBe('3000');
      expect(published).toContain('127.0.0.1:9464:9464');
    });

    it("builds the Dockerfile's last stage, the production image without the sandbox", () => {
      const stages = dockerfileStages();
      expect(gateway.build).toEqual({ context: '.', target: stages.at(-1)?.name });
      expect(stages.at(-1)?.name).not.toBe('sandbox');
    });

    it('is probed on /health/ready at the port it listens on', () => {
      const url = probedUrl(gateway);
      expect(url.pathname).toBe('/health/ready');
      expect(url.port).toBe(gatewayEnv.PORT);
      expect(healthcheckText(gateway)).not.toMatch(/\b(curl|wget)\b/);
    });

    it('is given only variables the gateway reads (CONFIG_KEYS, or <secret>_FILE)', () => {
      const allowed = new Set<string>([...CONFIG_KEYS, ...FILE_KEYS.map((k) => `${k}_FILE`)]);
      const unknown = Object.keys(gatewayEnv).filter((k) => !allowed.has(k));
      expect(unknown).toEqual([]);
    });

    it('is given every required variable, and exactly one way to verify JWTs', () => {
      for (const key of REQUIRED_KEYS) expect(gatewayEnv[key]).toBeTruthy();
      const authModes = ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL'].filter((k) => gatewayEnv[k]);
      expect(authModes).toHaveLength(1);
    });

    it('passes the config loader as a production gateway backed by Redis', () => {
      const config = loadConfig(gatewayHostEnv());
      expect(config.production).toBe(true);
      expect(config.redis.kind).toBe('single');
    });

    it('takes secrets only from the env file, never inline in docker-compose.yml', () => {
      const inline = inlineEnv(gateway);
      for (const key of SECRET_KEYS) {
        expect(inline).not.toHaveProperty(key);
        expect(inline).not.toHaveProperty(`${key}_FILE`);
      }
      const secrets = SECRET_KEYS.map((k) => gatewayEnv[k]).filter(Boolean);
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(composeText).not.toContain(secret);
    });

    it('has env-file values that Compose will not interpolate', () => {
      expect(envFiles(gateway).length).toBeGreaterThan(0);
      for (const value of Object.values(fileEnv(gateway))) expect(value).not.toContain('$');
    });

    it('calls KONA PLATE at the sandbox service, on the port the sandbox listens on', () => {
      const url = new URL(gatewayEnv.KONAPLATE_BASE_URL);
      expect(url.hostname).toBe('sandbox');
      expect(services[url.hostname]).toBeDefined();
      expect(url.port).toBe(sandboxEnv.SANDBOX_PORT);
    });

    it('uses the redis service', () => {
      const url = new URL(gatewayEnv.REDIS_URL);
      expect(url.hostname).toBe('redis');
      expect(url.port).toBe('6379');
    });

    it('carries the sandbox demo credentials, which the sandbox accepts by default', () => {
      const fromFile = fileEnv(gateway);
      expect(fromFile.KONAPLATE_ASP_ID).toBe(SANDBOX_DEMO.aspId);
      expect(fromFile.KONAPLATE_ACCESS_KEY).toBe(SANDBOX_DEMO.accessKey);
      expect(fromFile.KONAPLATE_SECRET_KEY).toBe(SANDBOX_DEMO.secretKey);
      // The sandbox keeps its defaults, so the two sides cannot drift apart.
      for (const key of ['SANDBOX_ASP_ID', 'SANDBOX_ACCESS_KEY', 'SANDBOX_SECRET_KEY']) {
        expect(sandboxEnv).not.toHaveProperty(key);
      }
    });

    it('is given time to drain and finish in-flight upstream calls before being killed', () => {
      const config = loadConfig(gatewayHostEnv());
      const grace = durationMs(gateway.stop_grace_period ?? '10s'); // Compose's default is 10s
      expect(grace).toBeGreaterThan(config.shutdownDelayMs + config.konaplate.timeoutMs);
    });
  });

  describe('redis', () => {
    it('runs Redis 7 with the append-only file on a volume at /data', () => {
      expect(redis.image).toMatch(/^redis:7([.-]|$)/);
      const command = argv(redis.command);
      expect(command[0]).toBe('redis-server');
      expect(command.join(' ')).toMatch(/--appendonly yes\b/);
      const targets = (redis.volumes ?? []).map((v) =>
        typeof v === 'string' ? v.split(':')[1] : v.target,
      );
      expect(targets).toContain('/data');
    });

    it('runs Redis as durable as the gateway checks for at start (src/redis/durability.ts)', () => {
      // Redis 7's defaults for what the command leaves out: appendfsync everysec, noeviction.
      const settings: Record<string, string> = {
        appendonly: 'no',
        appendfsync: 'everysec',
        'maxmemory-policy': 'noeviction',
      };
      const command = argv(redis.command);
      for (let i = 1; i + 1 < command.length; i += 2) {
        settings[command[i].replace(/^--/, '')] = command[i + 1];
      }
      expect(problemsOf(settings)).toEqual([]);
      expect(command).toEqual(expect.arrayContaining(['--appendfsync', '--maxmemory-policy']));
    });

    it("runs as the image's redis user, so its entrypoint needs no chown or setuid", () => {
      // redis:7-alpine: uid 999, gid 1000; as root the entrypoint would need CHOWN/SETUID/SETGID.
      expect(redis.user).toBe('999:1000');
    });

    it('is probed with redis-cli ping', () => {
      expect(healthcheckText(redis)).toMatch(/redis-cli( -\S+)* ping/);
    });
  });

  describe('message encryption (the card list)', () => {
    const mounted = (service: Service, path: string) =>
      readFileSync(mountedFile(service, path), 'utf8');
    const spki = (pem: string) =>
      createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');

    it("gives the gateway its private key and KONA's public key, the sandbox the other halves", () => {
      const gatewayPrivate = mounted(gateway, gatewayEnv.KONAPLATE_CLIENT_PRIVATE_KEY_FILE);
      const gatewaySeesKona = mounted(gateway, gatewayEnv.KONAPLATE_SERVER_PUBLIC_KEY_FILE);
      const sandboxPrivate = mounted(sandbox, sandboxEnv.SANDBOX_SERVER_PRIVATE_KEY_FILE);
      const sandboxSeesPartner = mounted(sandbox, sandboxEnv.SANDBOX_PARTNER_PUBLIC_KEY_FILE);

      expect(
        spki(createPrivateKey(gatewayPrivate).export({ type: 'pkcs8', format: 'pem' }) as string),
      ).toBe(spki(sandboxSeesPartner));
      expect(spki(sandboxPrivate)).toBe(spki(gatewaySeesKona));
      expect(spki(gatewayPrivate)).not.toBe(spki(sandboxPrivate));
    });

    it('is configured the way the gateway accepts: encryption on, not 503 ENCRYPTION_NOT_CONFIGURED', () => {
      expect(loadConfig(gatewayHostEnv()).konaplate.encryption).not.toBeNull();
    });
  });

  describe('sandbox', () => {
    it("builds the Dockerfile's sandbox target, which starts the npm sandbox script's entry point", () => {
      expect(sandbox.build).toEqual({ context: '.', target: 'sandbox' });
      const target = dockerfileStages().find((s) => s.name === 'sandbox');
      expect(target).toBeDefined();
      // The image's CMD starts it; a compose `command` would only hide a broken one.
      expect(sandbox.command).toBeUndefined();
      const script = pkg.scripts.sandbox.split('&&').at(-1)!.trim().split(/\s+/);
      expect(JSON.parse(last(target!, 'CMD') ?? '[]')).toEqual(script);
      expect(all(target!, 'EXPOSE')).toEqual([sandboxEnv.SANDBOX_PORT]);
    });

    it('listens on all interfaces so the gateway container can reach it', () => {
      expect(sandboxEnv.SANDBOX_HOST).toBe('0.0.0.0');
    });

    it('is probed on /health at its port', () => {
      const url = probedUrl(sandbox);
      expect(url.pathname).toBe('/health');
      expect(url.port).toBe(sandboxEnv.SANDBOX_PORT);
    });
  });
});
