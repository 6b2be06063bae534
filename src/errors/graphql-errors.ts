import { unwrapResolverError } from '@apollo/server/errors';
import { HttpException, Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, InternalServerError } from './app-errors';

const logger = new Logger('GraphQLErrors');

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The one place where errors become what a client sees: a message meant for the user and a stable
 * `extensions.code`. Stack traces and internal messages never leave the server; unexpected errors
 * are logged here and masked.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const { locations, path } = formatted;
  const cause = unwrapResolverError(error);

  if (cause instanceof AppError && !(cause instanceof InternalServerError)) {
    return { message: cause.message, locations, path, extensions: { code: cause.code, ...cause.details } };
  }
  if (cause instanceof HttpException && HTTP_STATUS_CODES[cause.getStatus()]) {
    return { message: cause.message, locations, path, extensions: { code: HTTP_STATUS_CODES[cause.getStatus()] } };
  }
  // Parse, validation and variable errors come from graphql-js and Apollo and speak to the client.
  if (cause instanceof GraphQLError) {
    const code = formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    return { message: formatted.message, locations, path, extensions: { code } };
  }

  const unexpected = cause instanceof InternalServerError && cause.cause !== undefined ? cause.cause : cause;
  logger.error(
    `Unexpected error${path ? ` in ${path.join('.')}` : ''}: ${describe(unexpected)}`,
    unexpected instanceof Error ? unexpected.stack : undefined,
  );
  return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}
