import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { GraphQLResponse, TestServer } from './test-server';

// The tests send the clients' own operations: examples/operations/*.graphql, which `npm run codegen`
// (part of `npm test`, before jest) types into examples/generated/graphql.ts (not committed), one
// TypedDocumentNode each (`AuthenticateDocument`…), imported from there by the tests that send them.
// A test that sends deliberately malformed or unusual text (aliases, a syntax error, variables of
// the wrong type) keeps its string and `gql`.

/**
 * What the server answers to a document sent as it is written. The generated types are Apollo
 * Client's, which adds `__typename` to every selection, so they count on it everywhere; sent as
 * written it comes only where the document asks for it (AuthResultFields does, to tell tokens from
 * a challenge). Here it is optional, which still narrows a union.
 */
export type Answer<T> = T extends readonly (infer U)[]
  ? Answer<U>[]
  : T extends object
    ? { [K in Exclude<keyof T, '__typename'>]: Answer<T[K]> } & Partial<Pick<T, Extract<keyof T, '__typename'>>>
    : T;

/** An operation's variables, then the access token; the variables may be left out when it has none. */
export type SendArgs<V> =
  Record<string, never> extends V ? [variables?: V, token?: string] : [variables: V, token?: string];

/** Sends `document` through any server's `gql` (in this process, or a process of dist/main.js), typed. */
export function send<R, V>(
  gql: TestServer['gql'],
  document: TypedDocumentNode<R, V>,
  ...[variables, token]: SendArgs<NoInfer<V>>
): Promise<GraphQLResponse<Answer<R>>> {
  return gql(print(document), variables as Record<string, unknown> | undefined, token);
}
