import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { konaTime17 } from './kona-time';

/*
 * Vectors worked out by hand: KST is UTC+9 all year (Korea has had no DST since 1988), so the KST
 * wall clock is the UTC one plus nine hours, carrying into the next day, month or year.
 */
const VECTORS: { instant: string; kst: string; utc: string; why: string }[] = [
  {
    why: 'an afternoon in Seoul',
    instant: '2026-11-22T05:30:05.123Z',
    kst: '20261122143005123',
    utc: '20261122053005123',
  },
  {
    why: 'the last millisecond before the KST date changes',
    instant: '2026-03-14T14:59:59.999Z',
    kst: '20260314235959999',
    utc: '20260314145959999',
  },
  {
    why: '15:00 UTC, which is midnight of the next day in KST',
    instant: '2026-03-14T15:00:00.000Z',
    kst: '20260315000000000',
    utc: '20260314150000000',
  },
  {
    why: 'the KST year rolling over while UTC is still in the old year',
    instant: '2025-12-31T15:00:00.000Z',
    kst: '20260101000000000',
    utc: '20251231150000000',
  },
  {
    why: 'the last millisecond of a UTC year',
    instant: '2025-12-31T23:59:59.999Z',
    kst: '20260101085959999',
    utc: '20251231235959999',
  },
  {
    why: 'a leap day reached through the KST offset',
    instant: '2028-02-28T15:00:00.000Z',
    kst: '20280229000000000',
    utc: '20280228150000000',
  },
  {
    why: 'single-digit fields and 7 milliseconds, all zero-padded',
    instant: '2026-01-02T03:04:05.007Z',
    kst: '20260102120405007',
    utc: '20260102030405007',
  },
];

describe('konaTime17', () => {
  it.each(VECTORS)('formats $why in KST ($instant → $kst)', ({ instant, kst }) => {
    // Act
    const formatted = konaTime17(new Date(instant), 'KST');

    // Assert
    expect(formatted).toBe(kst);
  });

  it.each(VECTORS)('formats $why in UTC ($instant → $utc)', ({ instant, utc }) => {
    // Act
    const formatted = konaTime17(new Date(instant), 'UTC');

    // Assert
    expect(formatted).toBe(utc);
  });

  it('gives the 14-digit Tran-Time and 12-digit correlation timestamp as prefixes of one string', () => {
    // Act
    const time17 = konaTime17(new Date('2026-11-22T05:30:05.123Z'), 'KST');

    // Assert
    expect(time17).toHaveLength(17);
    expect(time17.slice(0, 14)).toBe('20261122143005');
    expect(time17.slice(2, 14)).toBe('261122143005');
  });

  it('gives the same strings whatever the process time zone', () => {
    // Arrange: jest hands each spec a copy of process.env, so setting TZ here would not reach V8.
    // The module under test is therefore run in child processes started with different TZ values.
    const instants = VECTORS.map((v) => v.instant);
    const expected = VECTORS.map((v) => [v.kst, v.utc]);

    // Act
    const runs = ['America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'].map((tz) =>
      formatInChild(tz, instants),
    );

    // Assert: the zone really took effect in each child (its local hour differs from UTC's)...
    expect(runs.map((r) => r.offsetMinutes)).toEqual([300, -330, -825, 0]);
    // ...and the formatted strings did not move.
    for (const run of runs) expect(run.formatted).toEqual(expected);
  });
});

interface ChildRun {
  offsetMinutes: number;
  formatted: string[][];
}

/** Runs kona-time.ts (transpiled to CommonJS) in a fresh node process whose TZ is `tz`. */
function formatInChild(tz: string, instants: string[]): ChildRun {
  const source = readFileSync(join(__dirname, 'kona-time.ts'), 'utf8');
  const { outputText } = transpileModule(source, {
    compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
  });
  const script = `
    const module = { exports: {} };
    (function (exports, module) { ${outputText} })(module.exports, module);
    const { konaTime17 } = module.exports;
    const instants = ${JSON.stringify(instants)};
    process.stdout.write(JSON.stringify({
      offsetMinutes: new Date('2026-01-15T12:00:00Z').getTimezoneOffset(),
      formatted: instants.map((i) => [konaTime17(new Date(i), 'KST'), konaTime17(new Date(i), 'UTC')]),
    }));
  `;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, TZ: tz },
    encoding: 'utf8',
  });
  return JSON.parse(out) as ChildRun;
}
