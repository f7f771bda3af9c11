/**
 * The gateway's module import rules (README, "Layout"), checked by `npm run lint`. Each feature
 * folder of src/ has one job; these rules keep the arrows pointing one way:
 *   routes (cards, wallet) → operations (the engine) → konaplate (KONA's wire format) / idempotency
 * and nothing below reaches back up. Test and spec files are not checked.
 */
const FEATURES = [
  'auth',
  'cards',
  'common',
  'config',
  'health',
  'idempotency',
  'konaplate',
  'management',
  'members',
  'observability',
  'openapi',
  'operations',
  'redis',
  'testing',
  'wallet',
];
const folder = (names) => `^src/(${names.join('|')})/`;
const except = (...keep) => folder(FEATURES.filter((name) => !keep.includes(name)));

/** `from` may import nothing in src/ but `allowed` (and itself). */
const only = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: '\\.spec\\.ts$' },
  to: { path: except(...allowed), pathNot: '\\.spec\\.ts$' },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules share one job.',
      from: {},
      to: { circular: true },
    },
    only(
      'common-is-a-leaf',
      '^src/common/',
      ['common'],
      'Problem details, errors, HTTP helpers: used by all, using none.',
    ),
    only(
      'config-stands-alone',
      '^src/config/',
      ['config', 'common'],
      'Configuration is validated once and depends on nothing it configures.',
    ),
    only('members-stands-alone', '^src/members/', ['members', 'common'], 'The member id type.'),
    only(
      'konaplate-knows-only-kona',
      '^src/konaplate/',
      ['konaplate', 'common', 'config', 'members'],
      "KONA's wire format, signing, encryption and answer interpretation; it knows nothing of idempotency or routes.",
    ),
    only(
      'idempotency-only-stores-and-replays',
      '^src/idempotency/',
      ['idempotency', 'common', 'config', 'members', 'observability', 'redis'],
      'Idempotency stores and replays answers; what is final is decided where KONA is read.',
    ),
    only(
      'operations-run-descriptors',
      '^src/operations/',
      ['operations', 'common', 'config', 'members', 'idempotency', 'konaplate'],
      'The engine runs descriptors; it serves routes and never imports them.',
    ),
    {
      name: 'routes-use-the-engine',
      severity: 'error',
      comment:
        'A route reaches KONA only through the engine: it may read the descriptors, not the client.',
      from: { path: '^src/(cards|wallet)/' },
      to: { path: '^src/konaplate/', pathNot: '^src/konaplate/operations/' },
    },
    {
      name: 'routes-are-independent',
      severity: 'error',
      from: { path: '^src/(cards|wallet)/' },
      to: { path: '^src/(cards|wallet|health)/', pathNot: '$1' },
    },
    {
      name: 'redis-client-in-two-places',
      severity: 'error',
      comment:
        'ioredis is used by the Redis module and the adapters that keep state in it (idempotency records, correlation-id slots) only.',
      from: { path: '^src/', pathNot: '^src/(redis|idempotency|correlation|health)/' },
      to: { path: '^node_modules/ioredis/' },
    },
    {
      name: 'http-client-in-konaplate',
      severity: 'error',
      comment:
        'axios (on undici) is KONA transport: only src/konaplate speaks HTTP upstream (and the test helpers that build it).',
      from: { path: '^src/', pathNot: '^src/(konaplate|testing)/' },
      to: { path: '^node_modules/(axios|@nestjs/axios|undici)/' },
    },
    {
      name: 'testing-helpers-stay-in-tests',
      severity: 'error',
      from: { path: '^src/', pathNot: '(^src/testing/|\\.spec\\.ts$)' },
      to: { path: '^src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
