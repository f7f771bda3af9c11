import { readFileSync } from 'node:fs';
import type { ConfigKey } from './config.keys';
import { SECRET_KEYS } from './config.keys';

type Env = Record<string, string | undefined>;

/**
 * Reads variables and collects every problem instead of stopping at the first, so one start-up
 * message can list them all. Secrets may come from `<KEY>_FILE` (Kubernetes secret mounts).
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(key: ConfigKey): string | undefined {
    const fileVar = `${key}_FILE`;
    const file = (SECRET_KEYS as readonly string[]).includes(key) ? this.env[fileVar] : undefined;
    if (file) {
      if (this.env[key]) this.problems.push(`${key} and ${fileVar} are both set; set only one`);
      try {
        return readFileSync(file, 'utf8').trim();
      } catch {
        this.problems.push(`${fileVar}: cannot read the file it names`);
        return undefined;
      }
    }
    const value = this.env[key]?.trim();
    return value === '' ? undefined : value;
  }

  string(key: ConfigKey, rule?: { length?: number; minLength?: number }): string | undefined {
    const value = this.raw(key);
    if (value === undefined || !rule) return value;
    if (rule.length !== undefined && value.length !== rule.length) {
      this.problems.push(`${key} must be exactly ${rule.length} characters (got ${value.length})`);
    }
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      this.problems.push(`${key} must be at least ${rule.minLength} characters`);
    }
    return value;
  }

  required(key: ConfigKey, rule?: { length?: number; minLength?: number }): string {
    const value = this.string(key, rule);
    if (value === undefined) this.problems.push(`${key} is required`);
    return value ?? '';
  }

  int(key: ConfigKey, fallback: number, min: number, max: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${key} must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  oneOf<T extends string>(key: ConfigKey, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${key} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  url(key: ConfigKey, required: boolean): string | undefined {
    const value = required ? this.required(key) : this.string(key);
    if (!value) return undefined;
    try {
      const url = new URL(value);
      if (!['http:', 'https:', 'redis:', 'rediss:'].includes(url.protocol)) throw new Error();
    } catch {
      // The value is not echoed: a URL may carry a password.
      this.problems.push(`${key} must be an absolute http(s) or redis(s) URL`);
    }
    return value;
  }

  hostPorts(key: ConfigKey): { host: string; port: number }[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const list = value.split(',').map((entry) => entry.trim());
    const parsed = list.map((entry) => /^([^\s:]+):(\d{1,5})$/.exec(entry));
    const badPort = (m: RegExpExecArray | null) => !m || Number(m[2]) < 1 || Number(m[2]) > 65535;
    if (parsed.some(badPort)) {
      this.problems.push(`${key} must be a comma-separated list of host:port (got "${value}")`);
      return undefined;
    }
    return parsed.map((m) => ({ host: m![1], port: Number(m![2]) }));
  }
}
