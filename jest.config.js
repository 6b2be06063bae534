/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: 'test/.*\\.(spec|e2e-spec)\\.ts$',
  // Type checking is `npm run typecheck` (part of `npm test`); here we only transpile, as
  // `isolatedModules` in tsconfig.json tells ts-jest (its own option of that name is deprecated).
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  maxWorkers: 2,
};
