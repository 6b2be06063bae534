import type { Types } from '@graphql-codegen/plugin-helpers';

// Types for the example client operations, from the committed schema (no server needed). The output
// is not committed: `npm test` regenerates it and type-checks examples/ against it, so a schema change
// that breaks these operations or the code using them fails CI. `npm run codegen` runs it with
// scripts/codegen.js; the graphql-codegen CLI reads it as it is (its CodegenConfig is this Types.Config).
const config: Types.Config = {
  schema: 'schema.gql',
  documents: 'examples/operations/*.graphql',
  generates: {
    // Every type of the schema (objects, unions, inputs), for code that handles them outside an operation.
    'examples/generated/schema.ts': {
      plugins: ['typescript'],
      config: { useTypeImports: true, strictScalars: true },
    },
    // Per operation: its result and variables, and a TypedDocumentNode to hand to Apollo Client.
    // typescript-operations 6 writes the input types it needs itself, so this file stands alone.
    'examples/generated/graphql.ts': {
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
