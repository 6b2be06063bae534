import { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphQLContext } from '../auth/graphql-context';

const REQUEST_ID_HEADER = 'x-request-id';
// Longer, or with other characters, a proxy's id could bloat or forge log lines.
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,100}$/;

interface GraphQLOutcome {
  operation?: string;
  outcome?: string;
}

// What the GraphQL layer learnt about a request, for its one log line; gone with the request.
const outcomes = new WeakMap<FastifyRequest, GraphQLOutcome>();

type Headers = Record<string, string | string[] | undefined>;

/**
 * Fastify's request id generator. Behind our own proxies (TRUST_PROXY set), their X-Request-Id is
 * kept when it is a plain token, so that their logs and ours join up; from anyone else it could
 * pass for another request's id, so each request gets a new UUID.
 */
export function requestIds(trustCallerIds: boolean): (request: { headers: Headers }) => string {
  if (!trustCallerIds) return () => randomUUID();
  return ({ headers }) => {
    const given = headers[REQUEST_ID_HEADER];
    return typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
  };
}

/** Records each GraphQL operation's name and outcome code: the first error's code, or OK. */
export function graphqlOutcomePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record: GraphQLOutcome = {};
      outcomes.set(contextValue.req, record);
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operation = operationName ?? `(anonymous ${operation?.operation ?? 'operation'})`;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          record.outcome = errors?.length ? String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'OK';
        },
      };
    },
  };
}

/**
 * One line per request, when its answer has gone: id, route, status, duration and outcome (the
 * GraphQL code; HTTP_<status> for a request refused before GraphQL, such as CSRF prevention's 400).
 * A request whose client went away first gets a line too. Health probes come every few seconds:
 * theirs are debug lines.
 */
export function logEveryRequest(fastify: FastifyInstance): void {
  const logger = new Logger('Request');
  const write = (request: FastifyRequest, fields: { status?: number; durationMs?: number; outcome?: string }) => {
    const path = request.url.split('?', 1)[0]; // the path only: a GET query string can carry variables
    const graphql = outcomes.get(request);
    // Fields left undefined are not written.
    const line = {
      msg: 'request',
      reqId: request.id,
      method: request.method,
      path,
      status: fields.status,
      durationMs: fields.durationMs,
      operation: graphql?.operation,
      outcome: graphql?.outcome ?? fields.outcome,
    };
    if (path.startsWith('/health/')) logger.debug(line);
    else logger.log(line);
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    write(request, {
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      outcome: status >= 400 ? `HTTP_${status}` : undefined,
    });
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    write(request, { outcome: 'CLIENT_CLOSED' });
    done();
  });
}
