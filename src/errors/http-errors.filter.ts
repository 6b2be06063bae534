import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  408: 'BAD_REQUEST',
  413: 'BAD_USER_INPUT',
  414: 'BAD_REQUEST',
  415: 'BAD_REQUEST',
  431: 'BAD_REQUEST',
};

/** The body of an HTTP-layer refusal: a GraphQL response with one error and a stable code. */
export function httpErrorBody(status: number, message: string) {
  return { errors: [{ message, extensions: { code: CODES[status] ?? 'INTERNAL_SERVER_ERROR' } }] };
}

/**
 * Errors of the HTTP layer, before GraphQL runs (a body too large, not JSON…): answered in the
 * shape of a GraphQL response with a stable code, so a client handles them as any other. Errors
 * in resolvers are graphql-errors.ts's; what Node and Fastify's router refuse is src/http/http-server.ts's.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return exception;
    const status = statusOf(exception);
    const known = status < 500 && CODES[status] !== undefined;
    if (!known)
      this.logger.error(`Unexpected HTTP error: ${(exception as Error)?.message}`, (exception as Error)?.stack);
    host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(known ? status : 500)
      .send(known ? httpErrorBody(status, messageOf(status, exception)) : httpErrorBody(500, 'Internal server error'));
  }
}

/** Nest's 404 repeats the whole URL, query string included, back to the client: ours says where the API is. */
function messageOf(status: number, exception: unknown): string {
  return status === 404 ? 'Not found: the GraphQL API is at /graphql' : (exception as Error).message;
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : 500;
}
