import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { GraphQLContext } from '../common/graphql-context';
import { AppError, InternalServerError } from './app-errors';
import { describeError, truncate } from '../common/text';

const logger = new Logger('GraphQLErrors');

/** Errors about the request itself (syntax, schema, variables): they speak to the client as they are. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one place where errors become what a client sees: a message meant for the user and a stable
 * `extensions.code`. Stack traces and internal messages never leave the server; unexpected errors
 * are masked here and logged by unexpectedErrorLog(). Without `suggestions` (production-safe
 * defaults), no error suggests names from the schema.
 */
export function graphqlErrorFormatter(suggestions: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = formatGraphQLError(formatted, error);
    return suggestions ? result : { ...result, message: withoutSuggestions(result.message) };
  };
}

function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const { locations, path } = formatted;
  const found = classify(error, formatted.extensions?.code);
  switch (found.kind) {
    case 'ours':
      return {
        message: found.error.message,
        locations,
        path,
        extensions: { code: found.error.code, ...found.error.details },
      };
    case 'request':
      return { message: withoutInputValue(found.error), locations, path, extensions: { code: found.code } };
    case 'unexpected':
      // Logged by unexpectedErrorLog(), where the request (and its id) is known.
      return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
}

type Classified =
  | { kind: 'ours'; error: AppError }
  | { kind: 'request'; error: GraphQLError; code: string }
  | { kind: 'unexpected'; cause: unknown };

/**
 * One of our errors (told to the client with its code), a fault of the request itself (syntax,
 * schema, variables: told as it is), or unexpected (masked, and its cause logged).
 */
function classify(error: unknown, code: unknown): Classified {
  const cause = unwrapResolverError(error);
  if (cause instanceof AppError && !(cause instanceof InternalServerError)) return { kind: 'ours', error: cause };
  if (cause instanceof GraphQLError && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return { kind: 'request', error: cause, code };
  }
  return {
    kind: 'unexpected',
    cause: cause instanceof InternalServerError && cause.cause !== undefined ? cause.cause : cause,
  };
}

/**
 * Logs each error that is masked as INTERNAL_SERVER_ERROR, with its cause and the request's id, so
 * that an operator finds it from the request line (formatError does not see the request).
 */
export function unexpectedErrorLog(): ApolloServerPlugin<GraphQLContext> {
  // Holds no state of a request: one listener serves them all.
  const listener: GraphQLRequestListener<GraphQLContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        const found = classify(error, error.extensions?.code);
        if (found.kind !== 'unexpected') continue;
        const { cause } = found;
        logger.error(
          {
            msg: `Unexpected error${error.path ? ` in ${error.path.join('.')}` : ''}: ${describeError(cause)}`,
            reqId: contextValue.req?.id,
          },
          cause instanceof Error ? cause.stack : undefined,
        );
      }
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * The longest request-error message a client is told. graphql-js quotes client text in some: a
 * syntax error its offending token, an unknown operation its name, each up to a whole 64 KB body.
 * Otherwise a message names a field, a type, and at most five suggested names (graphql-js's
 * didYouMean): far shorter. No rewrite below rescans the text: a regex with `.*` tried at each
 * occurrence of a phrase the client repeated cost 150-220 ms of blocked event loop per 64 KB
 * request (test/security/error-messages.e2e-spec.ts).
 */
const MAX_MESSAGE_CHARS = 1000;

/**
 * graphql-js quotes a rejected variable's whole value: `Variable "$input" got invalid value
 * { username: "a", password: "…" } at "input.x"; <why>`, and the why may quote it again ("String
 * cannot represent a non string value: …"). We keep the variable, the place and the reason, and
 * drop the value, which may hold a password (before any cut, so no part of it is ever shown).
 */
function withoutInputValue(error: GraphQLError): string {
  const { message } = error;
  const variable = /^Variable "(\$\w+)" got invalid value /.exec(message);
  const reason = error.originalError?.message;
  if (!variable || !reason || !message.endsWith(`; ${reason}`))
    return withoutQuotedValue(truncate(message, MAX_MESSAGE_CHARS));
  const prefix = message.slice(0, -(reason.length + 2));
  const at = prefix.lastIndexOf(' at "');
  const place = at === -1 ? undefined : prefix.slice(at + 5, -1);
  const known = place !== undefined && prefix.endsWith('"') && /^[\w.[\]]{1,200}$/.test(place);
  return `Variable "${variable[1]}" got an invalid value${known ? ` at "${place}"` : ''}; ${withoutQuotedValue(truncate(reason, MAX_MESSAGE_CHARS))}`;
}

/** "String cannot represent a non string value: <value>", "Expected value of type "X", found <value>." */
function withoutQuotedValue(message: string): string {
  const cannot = message.indexOf(' cannot represent ');
  const colon = cannot === -1 ? -1 : message.indexOf(':', cannot);
  if (colon !== -1 && message.slice(0, colon).endsWith('value') && message.startsWith(': ', colon)) {
    return `${message.slice(0, colon)}.`;
  }
  const expected = /^Expected value of type "[^"]+"/.exec(message);
  if (expected && message.startsWith(', found ', expected[0].length)) return `${expected[0]}.`;
  return message;
}

/**
 * "Did you mean "username"?" spells out the schema, field by field. graphql-js puts it at the end
 * of a message: everything from the last " Did you mean " goes (at worst, client text that ends
 * the same way).
 */
function withoutSuggestions(message: string): string {
  const at = message.lastIndexOf(' Did you mean ');
  return at === -1 ? message : message.slice(0, at);
}
