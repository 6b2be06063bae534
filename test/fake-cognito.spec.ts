import { FakeCognito, secretHash } from './support/fake-cognito';

// The fake Cognito (test/support/fake-cognito.ts) stands in for a user pool in the protocol tests:
// it must refuse what a real one refuses, or those tests would pass for requests AWS turns away.
describe('the fake Cognito refuses what a user pool refuses', () => {
  const CLIENT = 'fake-client';
  const SECRET = 'fake-secret';
  let fake: FakeCognito;

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT, clientSecret: SECRET });
    await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const call = async (target: string, body: object) => {
    const response = await fetch(fake.url, {
      method: 'POST',
      headers: { 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as { __type?: string; message?: string }) };
  };
  const hash = (username: string) => secretHash(SECRET, username, CLIENT);
  const signIn = (username: string, overrides: object = {}) =>
    call('InitiateAuth', {
      ClientId: CLIENT,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: 'p', SECRET_HASH: hash(username) },
      ...overrides,
    });

  it('answers a right request as told', async () => {
    fake.reply('ForgotPassword', { status: 200, body: {} });
    expect(await call('ForgotPassword', { ClientId: CLIENT, SecretHash: hash('u'), Username: 'u' })).toEqual({
      status: 200,
    });
  });

  it('refuses another ClientId, a missing or wrong SECRET_HASH, and a wrong ClientSecret', async () => {
    fake.reply('InitiateAuth', { status: 200, body: {} });
    fake.reply('RevokeToken', { status: 200, body: {} });
    expect(await signIn('u', { ClientId: 'other' })).toMatchObject({ __type: 'ResourceNotFoundException' });
    expect(await signIn('u', { AuthParameters: { USERNAME: 'u', PASSWORD: 'p' } })).toMatchObject({
      __type: 'NotAuthorizedException',
      message: expect.stringContaining('secret was not received'),
    });
    expect(
      await signIn('u', { AuthParameters: { USERNAME: 'u', PASSWORD: 'p', SECRET_HASH: hash('v') } }),
    ).toMatchObject({ __type: 'NotAuthorizedException', message: expect.stringContaining('secret hash') });
    expect(await call('ForgotPassword', { ClientId: CLIENT, SecretHash: hash('v'), Username: 'u' })).toMatchObject({
      __type: 'NotAuthorizedException',
    });
    expect(await call('RevokeToken', { ClientId: CLIENT, ClientSecret: 'wrong', Token: 't' })).toMatchObject({
      __type: 'NotAuthorizedException',
    });
  });

  it('takes only challenge sessions it issued, to the user they were issued to', async () => {
    fake.reply('InitiateAuth', { status: 200, body: { ChallengeName: 'SMS_MFA', Session: 'issued-to-u' } });
    fake.reply('RespondToAuthChallenge', { status: 200, body: { AuthenticationResult: {} } });
    await signIn('u');
    const answer = (username: string, session: string) =>
      call('RespondToAuthChallenge', {
        ClientId: CLIENT,
        ChallengeName: 'SMS_MFA',
        Session: session,
        ChallengeResponses: { USERNAME: username, SMS_MFA_CODE: '1', SECRET_HASH: hash(username) },
      });
    expect(await answer('u', 'made-up')).toMatchObject({ status: 400, __type: 'NotAuthorizedException' });
    expect(await answer('v', 'issued-to-u')).toMatchObject({ status: 400, __type: 'NotAuthorizedException' });
    expect(await answer('u', 'issued-to-u')).toEqual({ status: 200, AuthenticationResult: {} });
    expect(await call('VerifySoftwareToken', { Session: 'made-up', UserCode: '123456' })).toMatchObject({
      __type: 'NotAuthorizedException',
    });
  });

  it('takes only refresh tokens it issued, with the SECRET_HASH of their owner', async () => {
    fake.reply('InitiateAuth', { status: 200, body: { AuthenticationResult: {} } });
    const token = fake.refreshToken('u');
    const refresh = (refreshToken: string, username: string) =>
      call('InitiateAuth', {
        ClientId: CLIENT,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: hash(username) },
      });
    expect(await refresh('made-up', 'u')).toMatchObject({ __type: 'NotAuthorizedException' });
    expect(await refresh(token, 'v')).toMatchObject({ __type: 'NotAuthorizedException' });
    expect(await refresh(token, 'u')).toEqual({ status: 200, AuthenticationResult: {} });
  });

  it('forgets, on reset, the replies, calls, sessions and refresh tokens of the test before', async () => {
    fake.reply('ForgotPassword', { status: 200, body: {} });
    fake.reply('GET /pool/.well-known/jwks.json', { status: 200, body: { keys: [] } });
    const session = fake.session('u');
    const token = fake.refreshToken('u');
    await call('ForgotPassword', { ClientId: CLIENT, SecretHash: hash('u'), Username: 'u' });
    fake.reset();
    expect(fake.calls).toEqual([]);
    expect(await call('ForgotPassword', { ClientId: CLIENT, SecretHash: hash('u'), Username: 'u' })).toMatchObject({
      status: 404,
    });
    expect(await call('VerifySoftwareToken', { Session: session, UserCode: '1' })).toMatchObject({
      __type: 'NotAuthorizedException',
    });
    expect(
      await call('InitiateAuth', {
        ClientId: CLIENT,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: token, SECRET_HASH: hash('u') },
      }),
    ).toMatchObject({ __type: 'NotAuthorizedException' });
    // The pool's signing keys stay.
    expect((await fetch(`${fake.url}/pool/.well-known/jwks.json`)).status).toBe(200);
  });
});
