import { print } from 'graphql';
import {
  AuthenticateDocument,
  type AuthResultFieldsFragment,
  ChangePasswordDocument,
  ConfirmRegistrationDocument,
  DeleteMeDocument,
  ForgotPasswordDocument,
  MeDocument,
  RefreshTokensDocument,
  RegisterDocument,
  SignOutDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { CapturingLogger } from './capturing-logger';
import { Answer, send } from './operations';
import { TestServer } from './test-server';

export const PASSWORD = 'Corr3ct-Horse!';

// The text of the shared documents (test/support/operations.ts), for the specs that send through a
// bare `gql` or `fetch` (processes of dist/main.js, requests with headers of their own); with a
// TestServer, `server.send` sends the documents themselves, typed.
export const REGISTER = print(RegisterDocument);
export const CONFIRM = print(ConfirmRegistrationDocument);
export const AUTHENTICATE = print(AuthenticateDocument);
export const REFRESH = print(RefreshTokensDocument);
export const SIGN_OUT = print(SignOutDocument);
export const FORGOT_PASSWORD = print(ForgotPasswordDocument);
export const CHANGE_PASSWORD = print(ChangePasswordDocument);
export const DELETE_ME = print(DeleteMeDocument);
/** Me: the whole profile, so one call to Cognito (GetUser) after the token. */
export const ME = print(MeDocument);
/** WhoAmI: `me` from the token alone, no call to Cognito. */
export const WHO_AM_I = print(WhoAmIDocument);

export interface SignedIn {
  username: string;
  userSub: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

/**
 * register → confirm with the code from the server log → authenticate, as a person would. Any
 * server that answers GraphQL will do (an in-process one, or a process of dist/main.js).
 */
export async function signUpAndIn(
  server: Pick<TestServer, 'gql' | 'logger'>,
  username: string,
  name?: string,
  codes: CapturingLogger = server.logger,
): Promise<SignedIn> {
  const logged = codes.lines.length;
  const registered = await send(server.gql, RegisterDocument, {
    input: { username, email: `${username}@example.com`, password: PASSWORD, name },
  });
  if (!registered.data) throw new Error(`register failed: ${JSON.stringify(registered.errors)}`);
  const code = await codes.codeFor(username, logged);
  const confirmed = await send(server.gql, ConfirmRegistrationDocument, { input: { username, code } });
  if (!confirmed.data) throw new Error(`confirm failed: ${JSON.stringify(confirmed.errors)}`);
  const signedIn = await send(server.gql, AuthenticateDocument, { input: { username, password: PASSWORD } });
  const tokens = signedIn.data?.authenticate;
  if (tokens?.__typename !== 'AuthTokens' || !tokens.refreshToken) {
    throw new Error(`authenticate failed: ${JSON.stringify(signedIn)}`);
  }
  return { username, userSub: registered.data.register.userSub, ...tokens, refreshToken: tokens.refreshToken };
}

/** Sessions are compared by whole seconds: a sign-in in the second of a sign-out counts as before it. */
export const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));

/** What authenticate and the challenge mutations answer: tokens or the next challenge. */
export type AuthResult = Answer<AuthResultFieldsFragment>;

/** The tokens of `result`; throws, saying what came instead, when it is a challenge. */
export function tokensOf(result: AuthResult | undefined) {
  if (result?.__typename !== 'AuthTokens') throw new Error(`tokens expected: ${JSON.stringify(result)}`);
  return result;
}

/** The challenge of `result`; throws, saying what came instead, when it is tokens. */
export function challengeOf(result: AuthResult | undefined) {
  if (result?.__typename !== 'AuthChallenge') throw new Error(`a challenge expected: ${JSON.stringify(result)}`);
  return result;
}

/**
 * A sign-in and a `me` on the server `current()` gives (a spec starts it in beforeAll), for the
 * cases that sign in again and check who a token is.
 */
export function probes(current: () => Pick<TestServer, 'send'>) {
  return {
    /** authenticate's answer (tokens or a challenge); throws on an error. */
    signIn: async (username: string, password = PASSWORD): Promise<AuthResult> => {
      const response = await current().send(AuthenticateDocument, { input: { username, password } });
      if (!response.data) throw new Error(`authenticate failed: ${JSON.stringify(response.errors)}`);
      return response.data.authenticate;
    },
    /** Who `token` is, from the token alone (WhoAmI makes no call to Cognito). */
    meOf: (token: string) => current().send(WhoAmIDocument, {}, token),
  };
}
