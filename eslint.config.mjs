// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Built, generated or downloaded; examples/generated/ is written by `npm run codegen`.
    ignores: [
      'dist/',
      'dist-*/',
      'coverage/',
      'examples/generated/',
      'bench/results/',
      'test-artifacts/',
      '.runtimes/',
      '.cognito-local/',
    ],
  },
  js.configs.recommended,
  {
    // TypeScript, with type information from the tsconfig.json nearest each file: the root one for
    // src/ and test/, examples/tsconfig.json for examples/.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Off: `async` without `await` is how this code implements a promise-returning interface
      // (Apollo Server's plugin hooks, the memory AttemptStore and SignOutStore beside their Redis
      // twins, test doubles of them): `async` turns a throw into a rejection, as callers expect.
      // The rule's fix, dropping `async` and returning Promise.resolve(), would throw instead.
      // Its 25 findings when ESLint came in (12 in src/, 13 in test/) were all of this kind.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // codegen.ts sits beside the root tsconfig.json, which does not include it: examples/tsconfig.json
    // does (`npm run typecheck:examples`), so it is linted with that program. Through the project
    // service's allowDefaultProject instead, this one file cost 11 s of CPU (8 s more for the whole
    // lint, 32 s against 24 s), as much as src/.
    files: ['codegen.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './examples/tsconfig.json' } },
  },
  {
    // Off in tests: the server's answers are parsed JSON, typed `any` on purpose
    // (test/support/test-server.ts's `GraphQLResponse<T = any>`, the fake Cognito's request
    // bodies), and each test's `expect` checks their shape at run time. Typing every answer would
    // add casts that check nothing: 313 findings of the no-unsafe-* rules and 9 of no-explicit-any
    // when ESLint came in, every one such an answer or body. In src/ and examples/ these rules stay on.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // CommonJS JavaScript run by Node as it is (scripts/, bench/, the emulator's child process in
    // src/local-cognito/, jest.config.js): ESLint's recommended rules, no type information.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  // Last: turns off the rules that would fight Prettier's formatting (`npm run format:check`).
  prettier,
);
