import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * No Docker engine runs in CI, so the Dockerfile and .dockerignore are checked by parsing them:
 * a line parser good enough for this file (continuations, comments, global ARG defaults).
 */
const ROOT = join(__dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { stages: Stage[]; globalArgs: Record<string, string> } {
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
      stages.push({ image, name: asIndex > 0 ? words[asIndex + 1] : undefined, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = args.split('=');
      globalArgs[name] = value;
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { stages, globalArgs };
}

const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

const last = (stage: Stage, keyword: string): string | undefined => all(stage, keyword).at(-1);

/** `KEY=value KEY2="two words"` of ENV / LABEL. */
function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
  return out;
}

/** Minimal .dockerignore matcher: `*`, `**`, `?`, `!` exceptions, last matching rule wins. */
function isIgnored(patterns: string[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, '');
    const source = body.replace(/\*\*\/|\*\*|\*|\?|[.+^${}()|[\]\\]/g, (token) => {
      if (token === '**/') return '(?:.*/)?'; // zero or more directories
      if (token === '**') return '.*';
      if (token === '*') return '[^/]*';
      if (token === '?') return '[^/]';
      return `\\${token}`;
    });
    const regex = new RegExp(`^${source}$`);
    // A pattern that matches a directory excludes everything under it.
    if (candidates.some((c) => regex.test(c))) ignored = !negated;
  }
  return ignored;
}

const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(dockerfileText);
const final = stages[stages.length - 1];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
const ignorePatterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** `node dist/x.js` of an npm script, as argv. */
const scriptArgv = (name: string): string[] =>
  pkg.scripts[name].split('&&').at(-1)!.trim().split(/\s+/);

describe('Dockerfile', () => {
  it('has a named build stage and a separate runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.name).toMatch(/^[a-z][\w-]*$/);
  });

  it('builds the runtime from a slim Node image of the version in .nvmrc', () => {
    const match = /^node:(\d+(?:\.\d+)*)-(?:[a-z]+-)?slim$/.exec(final.image);
    expect(match).not.toBeNull();
    // A tag like 20.19 pins a prefix of .nvmrc's 20.19.0.
    expect(`${nvmrc}.`.startsWith(`${match![1]}.`)).toBe(true);
  });

  it('compiles in the build stage with the full dependency tree', () => {
    const build = stages[0];
    const runs = all(build, 'RUN').join('\n');
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).not.toMatch(/--omit=dev/);
  });

  it('fails the image build when an entry point the image runs is not produced', () => {
    const runs = all(stages[0], 'RUN').join('\n');
    expect(runs).toContain(`test -f ${scriptArgv('start')[1]}`);
    expect(runs).toContain(`test -f ${scriptArgv('sandbox')[1]}`);
  });

  it('installs only production dependencies in the runtime stage, from the lockfile', () => {
    const runs = all(final, 'RUN');
    expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
    expect(runs.join('\n')).not.toMatch(/\bnpm (install|i)\b/);
    expect(all(final, 'COPY').some((c) => /package\.json\s+package-lock\.json/.test(c))).toBe(true);
  });

  it('sets NODE_ENV=production in the runtime stage', () => {
    const env = Object.assign({}, ...all(final, 'ENV').map(keyValues)) as Record<string, string>;
    expect(env.NODE_ENV).toBe('production');
  });

  it('copies the compiled dist/ from the build stage', () => {
    const copies = all(final, 'COPY').map((c) => /--from=(\S+)\s+(\S+)\s+(\S+)/.exec(c));
    const fromBuild = copies.find((m) => m && /(^|\/)dist\/?$/.test(m[2]));
    expect(fromBuild).toBeDefined();
    const source = stages.find((s) => s.name === fromBuild![1]);
    expect(source).toBeDefined();
    expect(source).not.toBe(final);
    expect(all(source!, 'RUN').join('\n')).toMatch(/\bnpm run build\b/);
  });

  it('runs as a numeric non-root user', () => {
    const user = last(final, 'USER');
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid = '1'] = user!.split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    // USER must come after every RUN/COPY that needs root, and nothing switches back.
    const keywords = final.instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf('RUN')).toBeLessThan(keywords.lastIndexOf('USER'));
  });

  it('starts the gateway with exec-form `node dist/main.js`, the npm start script', () => {
    const cmd = last(final, 'CMD');
    expect(cmd?.startsWith('[')).toBe(true);
    expect(JSON.parse(cmd!)).toEqual(['node', 'dist/main.js']);
    expect(JSON.parse(cmd!)).toEqual(scriptArgv('start'));
    // Our own ENTRYPOINT would sit between the runtime and node (signals, argv).
    expect(all(final, 'ENTRYPOINT')).toEqual([]);
  });

  it('exposes port 3000 and stops with SIGTERM', () => {
    expect(all(final, 'EXPOSE').join(' ').split(/\s+/)).toContain('3000');
    expect(last(final, 'STOPSIGNAL')).toBe('SIGTERM');
  });

  it('probes /health/live with node, since the slim image has no curl', () => {
    const healthcheck = last(final, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/\bCMD\s+\[\s*"node"/);
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('carries OCI labels', () => {
    const labels = Object.assign({}, ...all(final, 'LABEL').map(keyValues)) as Record<
      string,
      string
    >;
    expect(labels['org.opencontainers.image.title']).toBe('kona-bff');
    expect(labels['org.opencontainers.image.description']).toBeTruthy();
  });
});

describe('.dockerignore', () => {
  it.each(['node_modules/ioredis/package.json', '.git/HEAD', '.env', '.env.local', 'dist/main.js'])(
    'keeps %s out of the build context',
    (path) => {
      expect(isIgnored(ignorePatterns, path)).toBe(true);
    },
  );

  it('keeps the demo env files out too', () => {
    expect(isIgnored(ignorePatterns, 'deploy/compose/gateway.env')).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'tsconfig.sandbox.json',
    'src/main.ts',
    'src/config/config.keys.ts',
    'test/sandbox/main.ts',
    'README.md',
  ])('sends %s, which the build needs', (path) => {
    expect(isIgnored(ignorePatterns, path)).toBe(false);
  });

  it('matches the way Docker does in the cases the checks above rely on', () => {
    expect(isIgnored(['node_modules'], 'node_modules/a/b.js')).toBe(true);
    expect(isIgnored(['*.md', '!README.md'], 'README.md')).toBe(false);
    expect(isIgnored(['*.md'], 'docs/x.md')).toBe(false);
    expect(isIgnored(['**/*.md'], 'docs/x.md')).toBe(true);
    expect(isIgnored(['**/*.md'], 'README.md')).toBe(true);
    expect(isIgnored(['.env.*'], '.env.local')).toBe(true);
  });
});
