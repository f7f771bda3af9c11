/**
 * No Docker engine runs in CI, so the Dockerfile is read by parsing it: a line parser good enough
 * for this file (continuations, comments, global ARG defaults, stages built on earlier stages).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM image with global ARGs substituted: an image, or the name of an earlier stage. */
  image: string;
  name?: string;
  /** This stage's own instructions. */
  own: Instruction[];
  /** What the stage holds: its parent stage's instructions (when built FROM one), then its own. */
  instructions: Instruction[];
  /** The image at the root of the FROM chain. */
  baseImage: string;
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    // Docker drops comment lines, even inside a continuation.
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') logical.push(full);
  }

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = words[0].replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      const parent = stages.find((s) => s.name === image);
      stages.push({
        image,
        name: asIndex > 0 ? words[asIndex + 1] : undefined,
        own: [],
        instructions: [...(parent?.instructions ?? [])],
        baseImage: parent?.baseImage ?? image,
      });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = args.split('=');
      globalArgs[name] = value;
    } else if (stages.length > 0) {
      stages[stages.length - 1].own.push(instruction);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export const dockerfileStages = (): Stage[] =>
  parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));

/** Arguments of every instruction of one kind the stage holds (inherited ones included). */
export const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

export const last = (stage: Stage, keyword: string): string | undefined =>
  all(stage, keyword).at(-1);

/** `KEY=value KEY2="two words"` of ENV / LABEL. */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
  return out;
}

/** Merged LABEL of a stage, `${ARG}` replaced where the stage gives that ARG a default. */
export function labels(stage: Stage): Record<string, string> {
  const argDefaults = Object.fromEntries(
    all(stage, 'ARG')
      .filter((a) => a.includes('='))
      .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
  const merged = Object.assign({}, ...all(stage, 'LABEL').map(keyValues)) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(merged).map(([key, value]) => [
      key,
      value.replace(/\$\{?(\w+)\}?/g, (ref, name: string) => argDefaults[name] ?? ref),
    ]),
  );
}

/** `COPY --from=<stage> <source> <dest>` of a stage, as {from, source, dest}. */
export function copiesFrom(stage: Stage): { from: string; source: string; dest: string }[] {
  return stage.own
    .filter((i) => i.keyword === 'COPY')
    .map((i) => /--from=(\S+)\s+(\S+)\s+(\S+)/.exec(i.args))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ from: m[1], source: m[2], dest: m[3] }));
}
