import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  buildSchema,
  GraphQLSchema,
  isInputObjectType,
  isObjectType,
  isSpecifiedScalarType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { startTestServer } from './support/test-server';

const COMMITTED = join(__dirname, '..', 'schema.gql');

const sorted = (schema: GraphQLSchema) => printSchema(lexicographicSortSchema(schema));

// Clients and codegen read the committed schema.gql: it must be exactly what the code generates.
describe('schema.gql', () => {
  // `npm run schema` (UPDATE_SCHEMA=1) rewrites the committed file instead of comparing it with the
  // generated one; either way, the file must then describe the schema the server serves.
  it('is what the code generates (`npm run schema` regenerates it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const generated = join(dir, 'schema.gql');
    const server = await startTestServer({}, { schemaFile: generated });
    try {
      if (process.env.UPDATE_SCHEMA) copyFileSync(generated, COMMITTED);
      else expect(readFileSync(COMMITTED, 'utf8')).toBe(readFileSync(generated, 'utf8'));
      // Read from the running server, not from the generated file: this holds in both modes.
      const served = server.app.get(GraphQLSchemaHost).schema;
      expect(sorted(buildSchema(readFileSync(COMMITTED, 'utf8')))).toBe(sorted(served));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes every type, field, argument and input field', () => {
    const schema = buildSchema(readFileSync(COMMITTED, 'utf8'));
    const undescribed: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      const isRoot = type.name === 'Query' || type.name === 'Mutation';
      if (!type.description && !isRoot) undescribed.push(type.name);
      if (!isObjectType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.description) undescribed.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (!arg.description) undescribed.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});
