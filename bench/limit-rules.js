#!/usr/bin/env node
'use strict';
// The validation cost of two builds' query-limit rules (dist/graphql/limits.js's queryLimitRules),
// side by side, on the queries that measure them: the standard introspection query (GraphiQL's and
// codegen's) and the largest query the default limits admit, then three that are refused. Apollo
// keeps a validated document by the hash of its text, so each cost is paid by the first request of a
// query text only: compare-builds.js, which repeats one query, never sees it.
// Run: node bench/limit-rules.js <dirA> <dirB>   (each a copy of dist/, e.g. dist-before and dist).
// Prints, per query, microseconds per validation with the limit rules alone, and with every rule
// Apollo runs (graphql-js's specified rules, the limits, knownOperationTypes): medians of rounds
// alternating A B, B A. LIMIT_RULES_ROUNDS (7), LIMIT_RULES_RUNS (500 validations a round).
// NODE_ENV is production unless set, as on a server: otherwise graphql-js checks each instanceof
// the slow way (14% of a validation's time), and both builds look slower than they are.

process.env.NODE_ENV ??= 'production';
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } = require('graphql');

const ROUNDS = Number(process.env.LIMIT_RULES_ROUNDS ?? 7);
const RUNS = Number(process.env.LIMIT_RULES_RUNS ?? 500);
/** The defaults of src/config/config.ts. */
const LIMITS = { maxQueryBytes: 8192, maxDepth: 8, maxFields: 100, maxAliases: 10 };
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

const USER = 'id username email emailVerified name groups';
const QUERIES = {
  'introspection (default)': getIntrospectionQuery(),
  'introspection (every option)': getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  }),
  // 100 fields, 10 aliases, 7 deep, no fragment (which would cost more than the fields it holds):
  // the most the defaults admit. The 18 __typename beside each other are graphql-js's costliest
  // case of overlapping fields.
  'largest allowed': `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: me { ${USER} }`).join(' ')}
    __type(name: "Query") { name fields { name args { name type { kind ofType { kind ofType { name } } } } } }
    ${'__typename '.repeat(18)}}`,
  'refused: 40 doubling fragments': `{ ...F0 } ${Array.from(
    { length: 40 },
    (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
  ).join(' ')} fragment F40 on Query { __typename }`,
  'refused: 95 aliased __schema': `{${Array.from({ length: 95 }, (_, i) => `s${i}:__schema{types{fields{args{name}}}}`).join(' ')}}`,
  // No limit of ours counts directives: graphql-js refuses these (100 errors, then it stops), and
  // the token limit bounds how many fit.
  'refused: 996 unknown directives': `{ __typename ${'@a '.repeat(996)}}`,
};

function rulesOf(dir) {
  const { queryLimitRules } = require(resolve(dir, 'graphql/limits.js'));
  const { knownOperationTypes } = require(resolve(dir, 'graphql/known-operation-types.js'));
  const limits = queryLimitRules(LIMITS);
  return { limits, all: [...specifiedRules, ...limits, knownOperationTypes] };
}

/** Microseconds per validation, and the messages of the last one. */
function time(schema, document, rules) {
  let errors;
  const start = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) errors = validate(schema, document, rules);
  return { us: Number(process.hrtime.bigint() - start) / 1000 / RUNS, errors: errors.map((e) => e.message) };
}

function main() {
  const dirs = process.argv.slice(2, 4);
  if (dirs.length !== 2) throw new Error('usage: node bench/limit-rules.js <dirA> <dirB>');
  const schema = buildSchema(readFileSync(join(__dirname, '..', 'schema.gql'), 'utf8'));
  const builds = dirs.map((dir) => ({ dir, rules: rulesOf(dir) }));
  for (const [name, query] of Object.entries(QUERIES)) {
    const document = parse(query, { maxTokens: 2000 });
    const rows = builds.map(() => ({ limits: [], all: [] }));
    const verdicts = [];
    // Round 0 warms up and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const order = round % 2 ? [0, 1] : [1, 0];
      for (const i of order) {
        const limits = time(schema, document, builds[i].rules.limits);
        const all = time(schema, document, builds[i].rules.all);
        if (round > 0) {
          rows[i].limits.push(limits.us);
          rows[i].all.push(all.us);
        }
        verdicts[i] = all.errors.length
          ? `refused, ${all.errors.length} errors: ${all.errors[0].slice(0, 100)}`
          : 'admitted';
      }
    }
    console.log(`${name} (${Buffer.byteLength(query)} bytes)`);
    builds.forEach(({ dir }, i) =>
      console.log(
        `  ${dir.padEnd(14)} limit rules ${median(rows[i].limits).toFixed(1).padStart(7)} µs, ` +
          `all rules ${median(rows[i].all).toFixed(1).padStart(7)} µs; ${verdicts[i]}`,
      ),
    );
  }
}

main();
