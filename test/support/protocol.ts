import { FakeCognito, secretHash as fakeSecretHash } from './fake-cognito';
import { FakePool, startOnFakePool } from './fake-pool';
import { GraphQLResponse, TestServer } from './test-server';
import { TokenMinter } from './token-minter';

// PROTOCOL TESTS: what cognito-local 5.3.0 cannot do (each spec says what, next to its cases) is
// tested against a fake Cognito HTTP API (test/support/fake-cognito.ts). Our real server is driven
// through GraphQL over HTTP; the fake records the exact request it was sent (the X-Amz-Target
// operation and the JSON body, SECRET_HASH included) and answers with Cognito's documented response
// or error, so that the success path and every error path of our code run.

const POOL = 'local_proto';
export const CLIENT = 'proto-client';
export const SECRET = 'proto-secret';

/** Cognito's SECRET_HASH of `username` for this app client, computed independently of src/. */
export const secretHash = (username: string) => fakeSecretHash(SECRET, username, CLIENT);

export const NEW_PASSWORD = 'N3w-Horse-Battery!';
export const WEAK_PASSWORD = 'weakpass';
/** What Cognito answers once a sign-in is complete. */
export const COGNITO_TOKENS = {
  AccessToken: 'cognito-access-token',
  IdToken: 'cognito-id-token',
  RefreshToken: 'cognito-refresh-token',
  ExpiresIn: 3600,
  TokenType: 'Bearer',
};
export const OUR_TOKENS = {
  __typename: 'AuthTokens',
  accessToken: 'cognito-access-token',
  idToken: 'cognito-id-token',
  refreshToken: 'cognito-refresh-token',
  expiresIn: 3600,
  tokenType: 'Bearer',
};

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const challenge = (
  ChallengeName: string,
  Session: string,
  ChallengeParameters: Record<string, string> = {},
) => ({
  ChallengeName,
  Session,
  ChallengeParameters,
});
/** The fields named in a BAD_USER_INPUT error. */
export const badFields = (response: GraphQLResponse) =>
  (response.errors?.[0]?.extensions.fields as { field: string }[] | undefined)?.map((f) => f.field);

/** Plain functions (not methods), so that a spec may take them out of the pool. */
export interface ProtocolPool {
  readonly fake: FakeCognito;
  readonly server: TestServer;
  readonly minter: TokenMinter;
  /** Cognito answers `target` with HTTP 200 and `body`. */
  answer: (target: string, body?: object) => void;
  /** The operations Cognito was sent, in order. */
  targets: () => string[];
  /** The body of the first `target` call. */
  bodyOf: (target: string) => Record<string, any> | undefined;
  /** A username no other test uses. */
  newUsername: () => string;
  /** A signed-in user of its own (sign-outs are per user): a valid access token of our pool. */
  signedIn: (claims?: Record<string, unknown>) => { sub: string; token: string };
}

/**
 * Our server on a fake pool whose app client has a secret, for the enclosing describe block:
 * started before its tests, the fake reset before each one, both stopped after them.
 */
export function onFakePool(): ProtocolPool {
  let pool: FakePool | undefined;
  let serial = 0;
  const started = () => {
    if (!pool) throw new Error('the fake pool is not started (onFakePool starts it in beforeAll)');
    return pool;
  };
  beforeAll(async () => {
    pool = await startOnFakePool({
      pool: POOL,
      clientId: CLIENT,
      clientSecret: SECRET,
      env: { COGNITO_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(() => pool?.close());
  beforeEach(() => started().fake.reset());

  return {
    get fake() {
      return started().fake;
    },
    get server() {
      return started().server;
    },
    get minter() {
      return started().minter;
    },
    answer: (target, body = {}) => started().fake.reply(target, { status: 200, body }),
    targets: () => started().fake.calls.map((call) => call.target),
    bodyOf: (target) => started().fake.calls.find((call) => call.target === target)?.body,
    newUsername: () => `proto-user-${++serial}`,
    signedIn: (claims = {}) => {
      const sub = `proto-sub-${++serial}`;
      return { sub, token: started().minter.accessToken(sub, claims) };
    },
  };
}
