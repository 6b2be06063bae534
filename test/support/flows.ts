import { CapturingLogger } from './capturing-logger';
import { TestServer } from './test-server';

export const PASSWORD = 'Corr3ct-Horse!';

export const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { username userSub userConfirmed codeDelivery { destination medium attributeName } }
}`;
export const CONFIRM = `mutation Confirm($input: ConfirmRegistrationInput!) { confirmRegistration(input: $input) }`;
export const AUTHENTICATE = `mutation Authenticate($input: AuthenticateInput!) {
  authenticate(input: $input) {
    __typename
    ... on AuthTokens { accessToken idToken refreshToken expiresIn tokenType }
    ... on AuthChallenge { name session parameters { name value } }
  }
}`;
export const REFRESH = `mutation Refresh($input: RefreshTokensInput!) {
  refreshTokens(input: $input) { accessToken idToken refreshToken expiresIn tokenType }
}`;
export const ME = `query { me { id username email emailVerified name groups } }`;

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
  const registered = await server.gql(REGISTER, {
    input: { username, email: `${username}@example.com`, password: PASSWORD, name },
  });
  if (!registered.data) throw new Error(`register failed: ${JSON.stringify(registered.errors)}`);
  const code = await codes.codeFor(username, logged);
  const confirmed = await server.gql(CONFIRM, { input: { username, code } });
  if (!confirmed.data) throw new Error(`confirm failed: ${JSON.stringify(confirmed.errors)}`);
  const signedIn = await server.gql(AUTHENTICATE, { input: { username, password: PASSWORD } });
  const tokens = signedIn.data?.authenticate;
  if (tokens?.__typename !== 'AuthTokens') throw new Error(`authenticate failed: ${JSON.stringify(signedIn)}`);
  return { username, userSub: registered.data.register.userSub, ...tokens };
}
