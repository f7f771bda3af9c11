/** Three projects: unit specs beside the code, end-to-end specs that boot the real app, deployment-file checks. */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // ESM-only packages (Nest 12, jose 6, cockatiel 4, kubernetes-models 5) are required from the
  // CommonJS test files as Node 24 does natively: jest does that only when vm.SourceTextModule
  // exists, which `--experimental-vm-modules` (package.json "test") provides.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...base,
      displayName: 'deploy',
      testMatch: ['<rootDir>/test/deploy/**/*.spec.ts'],
      // kubernetes-models 5 exports its modules under the "import" condition only; Node's require()
      // and jest's resolver would not find them otherwise. Only this project needs it.
      testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'import'] },
    },
  ],
};
