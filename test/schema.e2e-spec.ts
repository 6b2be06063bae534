import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, isInputObjectType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { startTestServer } from './support/test-server';

const COMMITTED = join(__dirname, '..', 'schema.gql');

// Clients and codegen read the committed schema.gql: it must be exactly what the code generates.
describe('schema.gql', () => {
  // `npm run schema` (UPDATE_SCHEMA=1) rewrites the committed file instead of comparing.
  it('is what the code generates (`npm run schema` regenerates it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const generated = join(dir, 'schema.gql');
    const server = await startTestServer({}, { schemaFile: generated });
    try {
      if (process.env.UPDATE_SCHEMA) copyFileSync(generated, COMMITTED);
      expect(readFileSync(COMMITTED, 'utf8')).toBe(readFileSync(generated, 'utf8'));
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
