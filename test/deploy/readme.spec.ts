import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_SPECS, ErrorCode } from '../../src/common/errors/error-code';
import { CONFIG_KEYS } from '../../src/config/config.keys';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('the README', () => {
  it('opens with exactly the run and test commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.replace(/#.*$/, '').trim());

    expect(commands).toEqual(['npm ci && npm run dev', 'npm test']);
  });

  it('documents every configuration variable the app reads, and no other', () => {
    const documented = [...section('Configuration').matchAll(/^\| `([A-Z_]+)` +\|/gm)].map(
      (m) => m[1],
    );

    expect([...documented].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('lists every error code the gateway can send, with its status, and no other', () => {
    const rows = [
      ...section('Errors').matchAll(/^\| (`[A-Z_]+`(?: \/ `[A-Z_]+`)*) +\| (\d{3}) +\|/gm),
    ];
    const documented = rows.flatMap((row) =>
      [...row[1].matchAll(/`([A-Z_]+)`/g)].map((m) => [m[1], Number(row[2])] as const),
    );

    expect(documented.map(([code]) => code).sort()).toEqual(Object.values(ErrorCode).sort());
    for (const [code, status] of documented) {
      expect({ code, status }).toEqual({ code, status: ERROR_SPECS[code as ErrorCode].status });
    }
  });

  it('names every npm script it tells the reader to run', () => {
    const scripts = Object.keys(
      (
        JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
          scripts: object;
        }
      ).scripts,
    );
    const mentioned = [...readme.matchAll(/`npm run ([a-z:]+)`/g)].map((m) => m[1]);

    expect(mentioned.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});
