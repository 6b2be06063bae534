import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { AUTHENTICATE, CONFIRM, ME, PASSWORD, REFRESH, REGISTER } from './support/flows';
import { FakeCognito } from './support/fake-cognito';
import { freePort } from './support/free-port';
import { errorCodes, startTestServer, TestServer } from './support/test-server';

// Faults cognito-local cannot produce, injected with a fake Cognito HTTP API (test/support/fake-cognito.ts),
// and a Cognito that is not there at all. Each must end in a clear error code, never a hang or a 500.
describe('faults of the user pool', () => {
  const POOL = 'local_fault';
  const CLIENT = 'fault-client';
  const SECRET = 'fault-secret';
  let fake: FakeCognito;
  let server: TestServer;

  const register = () =>
    server.gql(REGISTER, { input: { username: 'fault-user', email: 'f@example.com', password: PASSWORD } });

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT, clientSecret: SECRET });
    const endpoint = await fake.start();
    server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      COGNITO_CLIENT_SECRET: SECRET,
      COGNITO_ENDPOINT: endpoint,
      COGNITO_TIMEOUT_MS: '300',
    });
    // The SDK loads code of its own at a process's first call, which on a busy machine took longer
    // than the 300 ms above: one call first, so that the tests time Cognito, not that.
    fake.reply('SignUp', { status: 200, body: { UserSub: 'sub-0', UserConfirmed: false } });
    await server.gql(REGISTER, { input: { username: 'warm-up', email: 'w@example.com', password: PASSWORD } });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });
  beforeEach(() => fake.reset());

  it('sends SECRET_HASH = HMAC-SHA256(secret, username + clientId) on every user call', async () => {
    const expected = createHmac('sha256', SECRET).update(`fault-user${CLIENT}`).digest('base64');
    fake.reply('SignUp', { status: 200, body: { UserSub: 'sub-1', UserConfirmed: false } });
    fake.reply('ConfirmSignUp', { status: 200, body: {} });
    fake.reply('InitiateAuth', {
      status: 200,
      body: { AuthenticationResult: { AccessToken: 'a', IdToken: 'i', ExpiresIn: 3600, TokenType: 'Bearer' } },
    });

    expect(errorCodes(await register())).toEqual([]);
    await server.gql(CONFIRM, { input: { username: 'fault-user', code: '123456' } });
    await server.gql(AUTHENTICATE, { input: { username: 'fault-user', password: PASSWORD } });
    await server.gql(REFRESH, { input: { refreshToken: 'refresh.token.r', username: 'fault-user' } });

    expect(fake.calls.map((c) => c.target)).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth', 'InitiateAuth']);
    expect(fake.calls[0].body).toMatchObject({ ClientId: CLIENT, Username: 'fault-user', SecretHash: expected });
    expect(fake.calls[1].body).toMatchObject({ ClientId: CLIENT, SecretHash: expected, ConfirmationCode: '123456' });
    expect(fake.calls[2].body).toMatchObject({
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'fault-user', PASSWORD, SECRET_HASH: expected },
    });
    expect(fake.calls[3].body).toMatchObject({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'refresh.token.r', SECRET_HASH: expected },
    });
  });

  it('answers Cognito throttling with TOO_MANY_REQUESTS', async () => {
    fake.error('SignUp', 'TooManyRequestsException');
    expect(errorCodes(await register())).toEqual(['TOO_MANY_REQUESTS']);
    fake.error('InitiateAuth', 'TooManyFailedAttemptsException');
    const signIn = await server.gql(AUTHENTICATE, { input: { username: 'fault-user', password: PASSWORD } });
    expect(errorCodes(signIn)).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('answers an expired code on confirmRegistration as a wrong one (CODE_MISMATCH): it cannot tell who has an account', async () => {
    fake.error('ConfirmSignUp', 'ExpiredCodeException');
    const expired = await server.gql(CONFIRM, { input: { username: 'fault-user', code: '1' } });
    expect(errorCodes(expired)).toEqual(['CODE_MISMATCH']);
    expect(expired.errors![0].message).toMatch(/expired/);
  });

  it('answers a Cognito server error with SERVICE_UNAVAILABLE', async () => {
    fake.error('SignUp', 'InternalErrorException', undefined, 500);
    expect(errorCodes(await register())).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('answers a Cognito that does not reply within COGNITO_TIMEOUT_MS with SERVICE_UNAVAILABLE', async () => {
    fake.reply('SignUp', 'hang');
    expect(errorCodes(await register())).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('masks an error it does not know as INTERNAL_SERVER_ERROR and logs the cause', async () => {
    fake.error('SignUp', 'BrandNewException');
    const response = await register();
    expect(response.errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    // With the request's id, to find it from the request line.
    expect(server.logger.lines.join('\n')).toMatch(
      /Unexpected error in register: BrandNewException.*"reqId":"[0-9a-f-]{36}"/,
    );
  });

  it("logs the unexpected error with its request's id: the id of that request's line", async () => {
    fake.error('SignUp', 'AnotherNewException');
    const after = server.logger.lines.length;
    expect(errorCodes(await register())).toEqual(['INTERNAL_SERVER_ERROR']);
    const sinceThen = () => server.logger.lines.slice(after);
    // The request line comes when the answer has gone: wait for it.
    for (let waited = 0; !sinceThen().some((line) => line.includes('[Request]')) && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const lines = sinceThen();
    const errorLine = lines.find((line) => line.includes('Unexpected error in register: AnotherNewException'));
    const errorId = /"reqId":"([^"]+)"/.exec(errorLine ?? '')?.[1];
    const requestLine = lines.find((line) => line.includes('"outcome":"INTERNAL_SERVER_ERROR"'));
    expect(errorId).toBeDefined();
    expect(JSON.parse(requestLine!.slice(requestLine!.indexOf('{')))).toMatchObject({
      msg: 'request',
      reqId: errorId,
      operation: 'Register',
    });
  });

  it('answers a token it cannot check, because the signing keys cannot be fetched, with SERVICE_UNAVAILABLE', async () => {
    fake.reply(`GET /${POOL}/.well-known/jwks.json`, { status: 503, body: {} });
    const response = await server.gql(ME, {}, wellFormedToken());
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });
});

describe('a user pool that is not there', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      COGNITO_USER_POOL_ID: 'local_gone',
      COGNITO_CLIENT_ID: 'client',
      COGNITO_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('still starts, warning that the signing keys could not be loaded', () => {
    expect(server.logger.lines.join('\n')).toMatch(/warn .*Could not load the token signing keys/);
  });

  it('answers every mutation with SERVICE_UNAVAILABLE', async () => {
    const responses = await Promise.all([
      server.gql(REGISTER, { input: { username: 'gone', email: 'g@example.com', password: PASSWORD } }),
      server.gql(CONFIRM, { input: { username: 'gone', code: '123456' } }),
      server.gql(AUTHENTICATE, { input: { username: 'gone', password: PASSWORD } }),
      server.gql(REFRESH, { input: { refreshToken: 'refresh.token.r' } }),
    ]);
    expect(responses.map((r) => r.errors?.[0].extensions.code)).toEqual(Array(4).fill('SERVICE_UNAVAILABLE'));
    // Said in the log, once for the burst rather than once a request.
    expect(server.logger.lines.filter((line) => line.includes('Cognito is unavailable'))).toHaveLength(1);
  });
});

/** A syntactically valid RS256 JWT with a kid, so that checking it needs the JWKS. */
function wellFormedToken(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${encode({ sub: 's', iat: now, exp: now + 60 })}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}
