import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for the example client operations, from the committed schema (no server needed). The output
// is not committed: `npm test` regenerates it and type-checks examples/ against it, so a schema change
// that breaks these operations or the code using them fails CI.
const config: CodegenConfig = {
  schema: 'schema.gql',
  documents: 'examples/operations/*.graphql',
  generates: {
    'examples/generated/graphql.ts': {
      // typescript-operations 6 writes the input types it needs itself: adding the `typescript`
      // plugin would declare them twice.
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        // Apollo Client asks for __typename in every selection, so the types can count on it.
        nonOptionalTypename: true,
        // A custom scalar added to the schema must be mapped here, not silently typed `any`.
        strictScalars: true,
      },
    },
  },
};

export default config;
