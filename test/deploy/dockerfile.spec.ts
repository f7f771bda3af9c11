import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { Stage } from './dockerfile';
import { ROOT, all, copiesFrom, dockerfileStages, keyValues, labels, last } from './dockerfile';

/** The Dockerfile and .dockerignore, checked by parsing them (no Docker engine in CI). */
const stages = dockerfileStages();
const final = stages[stages.length - 1];
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const sandbox = stage('sandbox');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};
const chart = parse(readFileSync(join(ROOT, 'helm/kona-bff/Chart.yaml'), 'utf8')) as {
  appVersion: string;
};
const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
const ignorePatterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

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

/** `node dist/x.js` of an npm script, as argv. */
const scriptArgv = (name: string): string[] =>
  pkg.scripts[name].split('&&').at(-1)!.trim().split(/\s+/);

/** The compiler command an npm script runs, e.g. `tsc -p tsconfig.build.json`. */
const buildScript = (name: string): string => pkg.scripts[name];

/** Every RUN a stage holds, inherited ones included, as one text. */
const runs = (s: Stage): string => all(s, 'RUN').join('\n');

describe('Dockerfile', () => {
  it('has named stages, the gateway last (the default target) and a sandbox target', () => {
    for (const s of stages) expect(s.name).toMatch(/^[a-z][\w-]*$/);
    expect(final.name).toBe('runtime');
    expect(stages.map((s) => s.name)).toContain('sandbox');
  });

  it('builds both images from a slim Node image of the version in .nvmrc', () => {
    for (const image of [final, sandbox]) {
      const match = /^node:(\d+(?:\.\d+)*)-(?:[a-z]+-)?slim$/.exec(image.baseImage);
      expect(match).not.toBeNull();
      // A tag like 20.19 pins a prefix of .nvmrc's 20.19.0.
      expect(`${nvmrc}.`.startsWith(`${match![1]}.`)).toBe(true);
    }
  });

  it('compiles in the build stage with the full dependency tree', () => {
    const build = stages[0];
    expect(runs(build)).toMatch(/\bnpm ci\b/);
    expect(runs(build)).toMatch(/\bnpm run build:gateway\b/);
    expect(runs(build)).not.toMatch(/--omit=dev/);
  });

  it('fails the image build when an entry point the image runs is not produced', () => {
    expect(runs(stages[0])).toContain(`test -f ${scriptArgv('start').at(-1)}`);
    const sandboxSource = stage(copiesFrom(sandbox)[0].from);
    expect(runs(sandboxSource)).toContain(`test -f ${scriptArgv('sandbox').at(-1)}`);
  });

  it.each(['runtime', 'sandbox'])(
    '%s installs only production dependencies, from the lockfile',
    (name) => {
      const s = stage(name);
      expect(all(s, 'RUN').some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
      expect(runs(s)).not.toMatch(/\bnpm (install|i)\b/);
      expect(all(s, 'COPY').some((c) => /package\.json\s+package-lock\.json/.test(c))).toBe(true);
    },
  );

  it('sets NODE_ENV=production in the runtime stage', () => {
    const env = Object.assign({}, ...all(final, 'ENV').map(keyValues)) as Record<string, string>;
    expect(env.NODE_ENV).toBe('production');
  });

  it('copies the compiled dist/ from the build stage', () => {
    const fromBuild = copiesFrom(final).find((c) => /(^|\/)dist\/?$/.test(c.source));
    expect(fromBuild).toBeDefined();
    const source = stage(fromBuild!.from);
    expect(source).not.toBe(final);
    expect(runs(source)).toMatch(/\bnpm run build:gateway\b/);
  });

  describe('the gateway image holds the gateway only', () => {
    it('copies nothing from a stage that compiled the sandbox, and no sandbox or test path', () => {
      const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copiesFrom(final)) {
        expect(runs(stage(copy.from))).not.toMatch(
          /build:sandbox|tsconfig\.sandbox|npm run build\b(?!:)/,
        );
      }
      for (const copy of copies) expect(copy).not.toMatch(/sandbox|test\//);
    });

    it('has a build stage that runs only the gateway compiler (tsconfig.build.json)', () => {
      expect(buildScript('build:gateway')).toBe('tsc -p tsconfig.build.json');
      expect(buildScript('build')).toContain('build:gateway');
      expect(buildScript('build')).toContain('build:sandbox');
    });

    it('compiles no file of test/ into the gateway: no sandbox, demo credentials or signing utility', () => {
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const listed = execFileSync(
        process.execPath,
        [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      )
        .split('\n')
        .filter((f) => f !== '' && !f.includes('/node_modules/'))
        .map((f) => relative(ROOT, f));
      expect(listed).toContain('src/main.ts');
      expect(listed.filter((f) => !f.startsWith('src/'))).toEqual([]);
      expect(listed.filter((f) => /sandbox|demo|test-util|\.spec\.ts$/.test(f))).toEqual([]);
    });
  });

  describe('the sandbox target', () => {
    it('copies only dist/sandbox from the stage that compiled it', () => {
      const copies = copiesFrom(sandbox);
      expect(copies).toEqual([
        { from: 'sandbox-build', source: '/app/dist/sandbox', dest: './dist/sandbox' },
      ]);
      expect(runs(stage('sandbox-build'))).toMatch(/\bnpm run build:sandbox\b/);
      expect(buildScript('build:sandbox')).toBe('tsc -p tsconfig.sandbox.json');
    });

    it('starts with exec-form CMD = the npm sandbox script, as a numeric non-root user', () => {
      expect(JSON.parse(last(sandbox, 'CMD')!)).toEqual(scriptArgv('sandbox'));
      expect(last(sandbox, 'USER')).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(last(sandbox, 'HEALTHCHECK')).toContain('/health');
    });
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

  it('starts the gateway with exec-form `node <V8 heap flags> dist/main.js`, the npm start script', () => {
    const cmd = last(final, 'CMD');
    expect(cmd?.startsWith('[')).toBe(true);
    const argv = JSON.parse(cmd!) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/main.js');
    expect(argv.slice(1, -1).every((flag) => flag.startsWith('--'))).toBe(true);
    expect(argv).toEqual(scriptArgv('start'));
    // Our own ENTRYPOINT would sit between the runtime and node (signals, argv).
    expect(all(final, 'ENTRYPOINT')).toEqual([]);
  });

  it('exposes the API port 3000 and the management port 9464, and stops with SIGTERM', () => {
    const env = Object.assign({}, ...all(final, 'ENV').map(keyValues)) as Record<string, string>;
    expect(all(final, 'EXPOSE').join(' ').split(/\s+/)).toEqual([env.PORT, env.MANAGEMENT_PORT]);
    expect(env).toMatchObject({ PORT: '3000', MANAGEMENT_PORT: '9464' });
    expect(last(final, 'STOPSIGNAL')).toBe('SIGTERM');
  });

  it('probes /health/live on the API port with node, since the slim image has no curl', () => {
    const healthcheck = last(final, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/\bCMD\s+\[\s*"node"/);
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).toContain('process.env.PORT');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it("carries OCI labels whose version is package.json's and the chart's appVersion", () => {
    const gateway = labels(final);
    expect(gateway['org.opencontainers.image.title']).toBe('kona-bff');
    expect(gateway['org.opencontainers.image.description']).toBeTruthy();
    expect(gateway['org.opencontainers.image.version']).toBe(pkg.version);
    expect(chart.appVersion).toBe(pkg.version);
    expect(labels(sandbox)['org.opencontainers.image.title']).toBe('kona-bff-sandbox');
    expect(labels(sandbox)['org.opencontainers.image.version']).toBe(pkg.version);
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
