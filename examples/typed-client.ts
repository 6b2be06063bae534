// A small client of this server, typed by the code that `npm run codegen` generates from schema.gql and
// examples/operations. `npm test` type-checks it, so a schema change that breaks it fails CI.
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
// Written by `npm run codegen` (part of `npm test`); not committed.
import {
  AuthenticateDocument,
  ConfirmRegistrationDocument,
  MeDocument,
  RefreshTokensDocument,
  RegisterDocument,
  type RegisterInput,
  type TokenFieldsFragment,
} from './generated/graphql';
import type { AuthResult } from './generated/schema';

// The cache needs the members of a union to match a fragment on it (`...AuthResultFields`) with what it
// stores: without them it drops the fragment's fields. Keyed by the generated union, so a member added
// to AuthResult in the schema fails type-checking until it is listed here.
const authResultMembers: Record<NonNullable<AuthResult['__typename']>, true> = {
  AuthTokens: true,
  AuthChallenge: true,
};
export const possibleTypes = { AuthResult: Object.keys(authResultMembers) };

/** A client of the server at `uri` that sends `accessToken()`, when there is one, as the bearer token. */
export function createClient(uri: string, accessToken: () => string | undefined): ApolloClient {
  const auth = new SetContextLink((context) => {
    // Apollo's context is `Record<string, any>`: the headers set before this link are strings.
    const headers = context.headers as Record<string, string> | undefined;
    const token = accessToken();
    return { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers };
  });
  return new ApolloClient({ link: auth.concat(new HttpLink({ uri })), cache: new InMemoryCache({ possibleTypes }) });
}

// Each call spells out the default errorPolicy 'none' so that its type says what happens: a GraphQL
// error throws (a CombinedGraphQLErrors, see errorCodes), so `data` is there when the call returns.

export async function register(client: ApolloClient, input: RegisterInput) {
  const { data } = await client.mutate({ mutation: RegisterDocument, variables: { input }, errorPolicy: 'none' });
  return data.register;
}

export async function confirmRegistration(client: ApolloClient, username: string, code: string): Promise<boolean> {
  const { data } = await client.mutate({
    mutation: ConfirmRegistrationDocument,
    variables: { input: { username, code } },
    errorPolicy: 'none',
  });
  return data.confirmRegistration;
}

export type SignInResult =
  | { tokens: TokenFieldsFragment }
  | { challenge: { name: string; session: string; parameters: Record<string, string> } };

/** Tokens, or the challenge (new password, MFA) to answer before Cognito gives them. */
export async function signIn(client: ApolloClient, username: string, password: string): Promise<SignInResult> {
  const { data } = await client.mutate({
    mutation: AuthenticateDocument,
    variables: { input: { username, password } },
    errorPolicy: 'none',
  });
  const result = data.authenticate;
  switch (result.__typename) {
    case 'AuthTokens':
      return { tokens: result };
    case 'AuthChallenge':
      return {
        challenge: {
          name: result.name,
          session: result.session,
          parameters: Object.fromEntries(result.parameters.map((p) => [p.name, p.value])),
        },
      };
  }
}

export async function refresh(client: ApolloClient, refreshToken: string): Promise<TokenFieldsFragment> {
  const { data } = await client.mutate({
    mutation: RefreshTokensDocument,
    variables: { input: { refreshToken } },
    errorPolicy: 'none',
  });
  return data.refreshTokens;
}

/** The signed-in user, always from the server: who that is depends on the token, which the cache does not see. */
export async function me(client: ApolloClient) {
  const { data } = await client.query({ query: MeDocument, fetchPolicy: 'network-only', errorPolicy: 'none' });
  return data.me;
}

/** The `extensions.code` of each GraphQL error in what a call threw; none for other failures. */
export function errorCodes(error: unknown): unknown[] {
  return CombinedGraphQLErrors.is(error) ? error.errors.map((e) => e.extensions?.code) : [];
}
