import { readFileSync } from 'node:fs';
import type { ConfigKey } from './config.keys';
import { CONFIG_KEYS, FILE_KEYS } from './config.keys';

type Env = Record<string, string | undefined>;

/** The raw value of every variable the gateway reads: trimmed, empty as unset, files read. */
export type RawEnv = Partial<Record<ConfigKey, string>>;

export interface ReadEnvResult {
  values: RawEnv;
  /** Problems found while reading (files), reported with the schema's in one ConfigError. */
  problems: string[];
}

/**
 * Picks the variables in CONFIG_KEYS out of `env`. A variable in FILE_KEYS may instead come from
 * the file named by `<KEY>_FILE` (Kubernetes secret mounts); `<KEY>_FILE` of any other variable is
 * ignored. Every problem is collected, none stops the reading.
 */
export function readEnv(env: Env): ReadEnvResult {
  const values: RawEnv = {};
  const problems: string[] = [];
  const fileKeys: readonly string[] = FILE_KEYS;
  for (const key of CONFIG_KEYS) {
    const fileVar = `${key}_FILE`;
    const file = fileKeys.includes(key) ? env[fileVar]?.trim() : undefined;
    let value: string | undefined;
    if (file) {
      if (env[key]?.trim()) problems.push(`${key} and ${fileVar} are both set; set only one`);
      try {
        value = readFileSync(file, 'utf8').trim();
      } catch {
        problems.push(`${fileVar}: cannot read the file it names`);
      }
    } else {
      value = env[key]?.trim();
    }
    if (value !== undefined && value !== '') values[key] = value;
  }
  return { values, problems };
}
