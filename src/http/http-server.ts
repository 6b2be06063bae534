import { Logger } from '@nestjs/common';
import { FastifyError, FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, Server } from 'node:http';
import { Socket } from 'node:net';
import { clientOf } from '../common/client-address';
import { HttpSettings } from '../config/config';
import { httpErrorBody } from '../errors/http-errors.filter';
import { pathOf, recordClientLeft, recordRefusal, writeRequestLine } from '../logging/request-log';

const GRAPHQL_PATH = '/graphql';
const logger = new Logger('Http');

// What Node's HTTP parser and timeouts refuse (the codes of Node's own answers), with our words.
const NODE_REFUSALS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'The chunk extensions are too large' },
};
const MALFORMED = { status: 400, message: 'Malformed HTTP request' };

/**
 * Fastify's options for the HTTP server. Slow clients are bounded in time: a request (headers and
 * body) must arrive within HTTP_REQUEST_TIMEOUT_MS, its headers within HTTP_HEADERS_TIMEOUT_MS
 * (which also bounds a connection that never sends anything), and an idle connection is closed
 * after HTTP_KEEP_ALIVE_TIMEOUT_MS. Fastify's defaults never time a request out. What Node's parser
 * or Fastify's router refuses is answered in GraphQL shape and logged, like everything else.
 */
export function httpServerOptions(settings: HttpSettings): FastifyHttpOptions<Server> {
  return {
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    http: {
      // Node would answer an HTTP/1.1 request without Host with a bare 400 of its own, unlogged:
      // guardHttpServer() refuses it instead.
      requireHostHeader: false,
      headersTimeout: settings.headersTimeoutMs,
      // Node checks both timeouts every 30 s by default, which would let a 10 s timeout run to 40 s.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4))),
    },
    clientErrorHandler: answerNodeRefusal,
    frameworkErrors: answerRouterRefusal,
  };
}

/** Hooks and limits of the HTTP server that Fastify's options do not cover. */
export function guardHttpServer(fastify: FastifyInstance, server: Server, settings: HttpSettings): void {
  limitConnections(server, settings);
  fastify.addHook('onRequest', (request, reply, done) => {
    // RFC 6749 §5.1: an answer carrying tokens must not be cached. Routes with assets that can be
    // cached (GraphiQL's) set their own.
    reply.header('cache-control', 'no-store');
    if (!hostAcceptable(request)) {
      reply.code(400).send(httpErrorBody(400, 'The Host header is missing or malformed'));
      return;
    }
    done();
  });
}

/**
 * HTTP/1.1 requires a Host (RFC 9112 §3.2: answer 400 without one). On the GraphQL route it must
 * also make a URL: the GraphQL integration builds one from it (from X-Forwarded-Host behind a
 * trusted proxy) and fails with a 500 on a missing (HTTP/1.0) or malformed one. The health
 * checks still answer an HTTP/1.0 probe without Host, as some load balancers send.
 */
function hostAcceptable(request: FastifyRequest): boolean {
  if (request.raw.httpVersion === '1.1' && request.raw.headers.host === undefined) return false;
  if (request.routeOptions.url !== GRAPHQL_PATH) return true;
  // As @as-integrations/fastify builds it (1.5 µs a request, measured: under 0.3% of a `me` request).
  return URL.canParse(request.url, `${request.protocol}://${request.hostname}/`);
}

/**
 * Past HTTP_MAX_CONNECTIONS Node closes each new connection at once (nothing is read, so there is
 * no request to log); past HTTP_MAX_CONNECTIONS_PER_CLIENT for one client address (an IPv6 /64),
 * so do we, so that one client holding idle connections cannot take them all from everyone else.
 * A warning says so at the first, then at most every 10 s with the number refused since: a flood
 * of refused connections must not become a flood of lines.
 */
function limitConnections(server: Server, { maxConnections, maxConnectionsPerClient }: HttpSettings): void {
  server.maxConnections = maxConnections;
  const warn = refusalWarning();
  server.on('drop', () => warn(`${maxConnections} are open (HTTP_MAX_CONNECTIONS)`));
  if (maxConnectionsPerClient === 0) return;
  // At most one entry per open connection: the map is bounded by HTTP_MAX_CONNECTIONS.
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientOf(socket.remoteAddress) ?? 'unknown';
    const count = open.get(client) ?? 0;
    if (count >= maxConnectionsPerClient) {
      socket.destroy();
      warn(`one client has ${count} open (HTTP_MAX_CONNECTIONS_PER_CLIENT)`);
      return;
    }
    open.set(client, count + 1);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}

/**
 * A warning about refused connections: the first at once, then at most one every 10 s with the
 * count since the last (a later one is scheduled, so the last of a flood is reported too).
 */
function refusalWarning(): (why: string) => void {
  let lastWarning = -Infinity;
  let unreported = 0;
  let lastWhy = '';
  let scheduled: NodeJS.Timeout | undefined;
  const report = () => {
    scheduled = undefined;
    logger.warn(`Refused ${unreported} connection(s): ${lastWhy}`);
    lastWarning = Date.now();
    unreported = 0;
  };
  return (why) => {
    unreported++;
    lastWhy = why;
    const wait = lastWarning + 10_000 - Date.now();
    if (wait <= 0) report();
    else scheduled ??= setTimeout(report, wait).unref();
  };
}

/**
 * Node's 'clientError': a malformed request, headers too large, or a request too slow to arrive.
 * Answered as Node would (only if nothing of an answer was written on that connection yet), in
 * GraphQL shape, and logged once; then the connection is closed.
 */
function answerNodeRefusal(error: NodeJS.ErrnoException, socket: Socket): void {
  // The client is gone: nothing to answer (a request under way gets its CLIENT_CLOSED line). A
  // reset also ends idle connections, so it alone is no sign that a request was begun.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (error.code === 'HPE_INVALID_EOF_STATE') {
    // The client closed its side in the middle of a request: it left, nothing was refused.
    recordClientLeft(socket);
    socket.destroy();
    return;
  }
  const { status, message } = NODE_REFUSALS[error.code ?? ''] ?? MALFORMED;
  const { reqId, answerStarted } = recordRefusal(socket, status);
  if (socket.writable && !answerStarted) {
    const body = JSON.stringify(httpErrorBody(status, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nx-request-id: ${reqId}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify's router refusing a path it cannot decode (400) or with a parameter over 100 characters
 * (414). No hook runs for these: the answer and the line are written here.
 */
function answerRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode === 414 ? 414 : 400;
  reply
    .code(status)
    .header('x-request-id', request.id)
    .header('cache-control', 'no-store')
    .send(httpErrorBody(status, status === 414 ? 'The URL is too long' : 'Malformed URL'));
  writeRequestLine({
    reqId: request.id,
    method: request.method,
    path: pathOf(request),
    status,
    outcome: `HTTP_${status}`,
  });
}
