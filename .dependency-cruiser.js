// `npm run check:layers` (part of `npm test`): the folders of src/ depend only downward. README.md,
// "Architecture", draws the same layers. A change that breaks a rule fails the test line; fix the
// import (move the shared piece down), do not add an exception here.

/** From the bottom up. A folder imports only folders of lower layers; none imports its own layer's others. */
const LAYERS = [
  ['config'],
  ['common'],
  ['errors', 'logging'],
  // Adapters to what is outside the process.
  ['cognito', 'redis', 'graphql', 'http'],
  // Shared state on Redis, and the embedded emulator (which provisions a pool for cognito/).
  ['sessions', 'rate-limit', 'local-cognito'],
  // The default-deny guard and its decorators.
  ['access'],
  // The features: one folder each, with its module, resolver, service, dto/ and models/.
  ['auth', 'users', 'password', 'mfa', 'health', 'graphiql'],
];

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.map((folder) => {
    const notBelow = [
      ...LAYERS.slice(index)
        .flat()
        .filter((other) => other !== folder),
    ];
    return {
      name: `${folder}-depends-only-downward`,
      comment: `src/${folder}/ may import only the layers below it (${LAYERS.slice(0, index).flat().join(', ') || 'none'})`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${notBelow.join('|')})/` },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module reaches itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'only-the-bootstrap-imports-the-bootstrap',
      comment: 'src/*.ts (main, app, the root modules) assemble the app; nothing inside a folder imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.(ts|js)$' },
    },
    {
      name: 'only-cognito-imports-the-aws-sdk',
      comment:
        "Cognito's API is the gateway's (src/cognito/); the emulator's provisioning (local-cognito/provision.ts) " +
        'creates its pool with it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cognito/|^src/local-cognito/provision\\.ts$' },
      to: { path: '^@aws-sdk/|node_modules/@aws-sdk/' },
    },
    {
      name: 'only-the-bootstrap-imports-the-emulator',
      comment: 'The embedded emulator is chosen at start-up (src/user-pool.module.ts, main.ts), nowhere else.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/[^/]+\\.ts$|^src/local-cognito/' },
      to: { path: '^src/local-cognito/' },
    },
    {
      name: 'no-development-packages-at-run-time',
      comment:
        'npm ci --omit=dev leaves devDependencies out: src/ loads those (cognito-local, graphiql, pino-pretty) ' +
        'only where a development feature is on, after common/development-packages.ts checked them: ' +
        'the emulator (local-cognito/), pretty logs (logging/logger.ts), GraphiQL (graphiql/assets.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/local-cognito/|^src/logging/logger\\.ts$|^src/graphiql/assets\\.ts$' },
      // Types are gone at run time (fastify's, pino-pretty's).
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only', 'pre-compilation-only'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Imports of types count (a type is part of what a folder depends on), marked pre-compilation-only.
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
