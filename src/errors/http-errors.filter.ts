import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  413: 'BAD_USER_INPUT',
  415: 'BAD_REQUEST',
};

/**
 * Errors of the HTTP layer, before GraphQL runs (a body too large, not JSON…): answered in the
 * shape of a GraphQL response with a stable code, so a client handles them as any other. Errors
 * in resolvers are graphql-errors.ts's.
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
      .send({
        errors: [
          {
            message: known ? (exception as Error).message : 'Internal server error',
            extensions: { code: known ? CODES[status] : 'INTERNAL_SERVER_ERROR' },
          },
        ],
      });
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : 500;
}
