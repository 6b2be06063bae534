import { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLContext } from '../common/graphql-context';
import { truncate } from '../common/text';

const REQUEST_ID_HEADER = 'x-request-id';
// Longer, or with other characters, a proxy's id could bloat or forge log lines.
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,100}$/;
// The client writes these two: a path can be as long as Node's 16 KB of headers allow, an
// operation name as long as the query. The line keeps their start.
const MAX_PATH_LENGTH = 200;
const MAX_OPERATION_LENGTH = 100;

interface RequestRecord {
  operation?: string;
  outcome?: string;
  /** Set when Node refused the request while it was arriving (a timeout, a malformed body). */
  refusedWith?: number;
}

// What was learnt about a request, for its one log line; gone with the request.
const records = new WeakMap<FastifyRequest, RequestRecord>();
// The request each connection is receiving or answering, for Node's refusals, which name only the socket.
const inFlight = new WeakMap<Socket, { request: FastifyRequest; reply: FastifyReply }>();

const logger = new Logger('Request');

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
      const record = recordOf(contextValue.req);
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operation = operationName ?? `(anonymous ${operation?.operation ?? 'operation'})`;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          // graphqlErrorFormatter (errors/graphql-errors.ts) gives every error a string code.
          const code = errors?.[0].extensions?.code;
          record.outcome = errors?.length ? (typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR') : 'OK';
        },
      };
    },
  };
}

interface RequestLine {
  reqId: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  operation?: string;
  outcome?: string;
}

/**
 * Writes one request line (fields left undefined are not written). Health probes come every few
 * seconds: theirs are debug lines.
 */
export function writeRequestLine({ reqId, method, path, status, durationMs, operation, outcome }: RequestLine): void {
  const line = {
    msg: 'request',
    reqId,
    method,
    path: path === undefined ? undefined : truncate(path, MAX_PATH_LENGTH),
    status,
    durationMs,
    operation: operation === undefined ? undefined : truncate(operation, MAX_OPERATION_LENGTH),
    outcome,
  };
  if (path?.startsWith('/health/')) logger.debug(line);
  else logger.log(line);
}

/** The path of a request, without its query string: a GET query string can carry variables. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0];
}

/**
 * Node refused what was arriving on `socket` (a malformed request, headers too large, too slow).
 * When a request was already under way there, its own line says so (written when it is cut off);
 * otherwise there is no request and this writes a line of its own. Returns the id to answer
 * with, and whether an answer has already started on that connection (then nothing more may be written).
 */
export function recordRefusal(socket: Socket, status: number): { reqId: string; answerStarted: boolean } {
  const current = inFlight.get(socket);
  if (current && arriving(current.request)) {
    recordOf(current.request).refusedWith = status;
    return { reqId: current.request.id, answerStarted: current.reply.raw.headersSent };
  }
  const reqId = randomUUID();
  writeRequestLine({ reqId, status, outcome: `HTTP_${status}` });
  return { reqId, answerStarted: current?.reply.raw.headersSent ?? false };
}

/**
 * The client closed its side of `socket` in the middle of a request. A request under way gets its
 * CLIENT_CLOSED line when it is cut off; one whose headers had not all come gets one here.
 */
export function recordClientLeft(socket: Socket): void {
  const current = inFlight.get(socket);
  if (!(current && arriving(current.request))) writeRequestLine({ reqId: randomUUID(), outcome: 'CLIENT_CLOSED' });
}

/** Whether a request is still arriving. One that has all arrived is not what Node refuses: that is the next one. */
function arriving(request: FastifyRequest): boolean {
  return !request.raw.complete;
}

/**
 * One line per request, when its answer has gone: id, route, status, duration and outcome (the
 * GraphQL code; HTTP_<status> for a request refused before GraphQL, such as CSRF prevention's 400).
 * A request whose client went away first gets a line too, and so does one Node cut off (a timeout).
 */
export function logEveryRequest(fastify: FastifyInstance): void {
  const write = (request: FastifyRequest, fields: { status?: number; durationMs?: number; outcome?: string }) => {
    const record = records.get(request);
    writeRequestLine({
      reqId: request.id,
      method: request.method,
      path: pathOf(request),
      status: fields.status,
      durationMs: fields.durationMs,
      operation: record?.operation,
      outcome: record?.outcome ?? fields.outcome,
    });
  };
  const ended = (request: FastifyRequest) => {
    if (inFlight.get(request.raw.socket)?.request === request) inFlight.delete(request.raw.socket);
  };
  fastify.addHook('onRequest', (request, reply, next) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    inFlight.set(request.raw.socket, { request, reply });
    next();
  });
  fastify.addHook('onResponse', (request, reply, next) => {
    ended(request);
    const status = reply.statusCode;
    write(request, {
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      outcome: status >= 400 ? `HTTP_${status}` : undefined,
    });
    next();
  });
  fastify.addHook('onRequestAbort', (request, next) => {
    ended(request);
    const refusedWith = records.get(request)?.refusedWith;
    write(
      request,
      refusedWith ? { status: refusedWith, outcome: `HTTP_${refusedWith}` } : { outcome: 'CLIENT_CLOSED' },
    );
    next();
  });
}

function recordOf(request: FastifyRequest): RequestRecord {
  let record = records.get(request);
  if (!record) records.set(request, (record = {}));
  return record;
}
