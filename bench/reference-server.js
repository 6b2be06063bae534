#!/usr/bin/env node
'use strict';
// The reference: bare Fastify + Apollo Server, no Nest, no enhancers, no authentication, with a
// `me { id username groups }` of the same shape as ours. What our server is measured against.

const { ApolloServer } = require('@apollo/server');
const { fastifyApolloHandler } = require('@as-integrations/fastify');
const Fastify = require('fastify');

const typeDefs = `type User { id: ID!, username: String!, groups: [String!]! } type Query { me: User! }`;
const me = { id: '00000000-0000-0000-0000-000000000000', username: 'bench', groups: [] };

async function main() {
  const apollo = new ApolloServer({ typeDefs, resolvers: { Query: { me: () => me } } });
  await apollo.start();
  const app = Fastify();
  app.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: fastifyApolloHandler(apollo) });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  console.log('GraphQL API ready');
  process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
