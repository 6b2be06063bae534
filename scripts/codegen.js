#!/usr/bin/env node
'use strict';
// `npm run codegen`: GraphQL Code Generator's engine (@graphql-codegen/core) run on codegen.ts,
// without the CLI. The CLI (7.4) brought about 170 packages for what this project never uses (URL,
// GitHub, git and code-file loaders, a watch mode, an init wizard), some of them declaring Node >= 22,
// which npm ci warned about on Node 20. The output is the CLI's, byte for byte (checked when the
// CLI was dropped). What it reads of codegen.ts is what that file uses: `schema`, one SDL file;
// `documents`, one `folder/*.ext` pattern; `generates`, each file with its `plugins` (by package
// name, as the CLI resolves them) and `config`. Anything else is refused, not ignored.

const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join, relative, resolve } = require('node:path');
const { buildSchema, lexicographicSortSchema, parse } = require('graphql');
const { codegen } = require('@graphql-codegen/core');
const { getCachedDocumentNodeFromSchema } = require('@graphql-codegen/plugin-helpers');
const ts = require('typescript');

const ROOT = resolve(__dirname, '..');
const KNOWN_KEYS = {
  config: ['schema', 'documents', 'generates'],
  output: ['plugins', 'config'],
};

/** codegen.ts, compiled as the CLI would load it: its default export is the configuration. */
function loadConfig(file) {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(dirname(file));
  loaded._compile(outputText, file);
  return loaded.exports.default ?? loaded.exports;
}

function refuseUnknown(what, value, known) {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(`${what}: ${unknown.join(', ')} not supported by scripts/codegen.js (see its header)`);
  }
}

/** `folder/*.ext`, read in name order, as the CLI's loader gives them (it sorts them). */
function loadDocuments(pattern) {
  const match = /^([^*?[\]{}]+)\/\*(\.[\w.]+)$/.exec(pattern);
  if (!match) throw new Error(`documents: "${pattern}" is not a "folder/*.ext" pattern`);
  const folder = join(ROOT, match[1]);
  return readdirSync(folder)
    .filter((name) => name.endsWith(match[2]))
    .sort()
    .map((name) => {
      const location = join(folder, name);
      const rawSDL = readFileSync(location, 'utf8');
      return { location, rawSDL, document: parse(rawSDL) };
    });
}

async function main() {
  const config = loadConfig(join(ROOT, 'codegen.ts'));
  refuseUnknown('codegen.ts', config, KNOWN_KEYS.config);
  // Sorted as the CLI's schema loader sorts it (schema.gql is written sorted anyway).
  const schemaAst = lexicographicSortSchema(buildSchema(readFileSync(join(ROOT, config.schema), 'utf8')));
  const schema = getCachedDocumentNodeFromSchema(schemaAst);
  const documents = config.documents ? loadDocuments(config.documents) : [];
  for (const [filename, output] of Object.entries(config.generates)) {
    refuseUnknown(`codegen.ts, ${filename}`, output, KNOWN_KEYS.output);
    const plugins = output.plugins.map((name) => ({ [name]: {} }));
    const pluginMap = Object.fromEntries(
      output.plugins.map((name) => [name, require(name.startsWith('@') ? name : `@graphql-codegen/${name}`)]),
    );
    const content = await codegen({
      filename,
      schema,
      schemaAst,
      documents,
      plugins,
      pluginMap,
      // The CLI's defaults for a configuration that sets neither.
      config: { ...output.config, emitLegacyCommonJSImports: true, importExtension: '' },
      emitLegacyCommonJSImports: true,
      importExtension: '',
    });
    const target = join(ROOT, filename);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`codegen: wrote ${relative(ROOT, target)} (${basename(config.schema)}, ${documents.length} documents)`);
  }
}

main().catch((error) => {
  console.error(`codegen failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
