#!/usr/bin/env node
'use strict';
// Our server as `npm start` runs it, plus one public query for the benchmark's baseline:
// `baselineMe` answers a User of the same shape as `me`, without authentication. It is not part of
// the product's schema: only the benchmark starts the server this way.

require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { Query, Resolver } = require('@nestjs/graphql');
const { createApp } = require('../dist/app');
const { Public } = require('../dist/access/decorators');
const { parseConfig } = require('../dist/config/config');
const { User } = require('../dist/users/models/user.model');

const SOMEONE = { id: '00000000-0000-0000-0000-000000000000', username: 'bench', groups: [] };

class BaselineResolver {
  baselineMe() {
    return SOMEONE;
  }
}
const method = Object.getOwnPropertyDescriptor(BaselineResolver.prototype, 'baselineMe');
Query(() => User, { description: 'The benchmark baseline: a User without authentication.' })(
  BaselineResolver.prototype,
  'baselineMe',
  method,
);
Public()(BaselineResolver.prototype, 'baselineMe', method);
Resolver()(BaselineResolver);
class BaselineModule {}
Module({ providers: [BaselineResolver] })(BaselineModule);

async function main() {
  const config = parseConfig(process.env);
  const app = await createApp(config, { extraModules: [BaselineModule] });
  process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
  await app.listen(config.port, config.host);
  console.log('GraphQL API ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
