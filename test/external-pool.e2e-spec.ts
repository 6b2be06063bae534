import { ME, REFRESH, signUpAndIn } from './support/flows';
import { StandaloneEmulator } from './support/standalone-emulator';
import { errorCodes, startTestServer, TestServer } from './support/test-server';

// The server pointed at a pool by COGNITO_* settings, as for real AWS, with cognito-local as the pool.
describe('a pool named by the environment', () => {
  let emulator: StandaloneEmulator;
  const servers: TestServer[] = [];

  const serverFor = async (env: Record<string, string>) => {
    const server = await startTestServer({ COGNITO_ENDPOINT: emulator.endpoint, ...env });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    emulator = await StandaloneEmulator.start();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await emulator?.stop();
  });

  it('runs the whole flow against it and does not start an emulator of its own', async () => {
    const pool = await emulator.createPool('external');
    const server = await serverFor({ COGNITO_USER_POOL_ID: pool.userPoolId, COGNITO_CLIENT_ID: pool.clientId });
    expect(server.logger.lines.join('\n')).not.toContain('embedded Cognito emulator');

    const user = await signUpAndIn(server, 'ext-alice', 'Alice', emulator.codes);
    const me = await server.gql(ME, {}, user.accessToken);
    expect(me.data.me).toMatchObject({ id: user.userSub, username: 'ext-alice', name: 'Alice' });
  });

  it('refuses tokens of another pool and of another app client of the same pool', async () => {
    const pool = await emulator.createPool('mine');
    const other = await emulator.createPool('other');
    const otherClientId = await emulator.addClient(pool.userPoolId, 'other-client');

    const server = await serverFor({ COGNITO_USER_POOL_ID: pool.userPoolId, COGNITO_CLIENT_ID: pool.clientId });
    const otherPoolServer = await serverFor({
      COGNITO_USER_POOL_ID: other.userPoolId,
      COGNITO_CLIENT_ID: other.clientId,
    });
    const otherClientServer = await serverFor({
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: otherClientId,
    });

    const fromOtherPool = await signUpAndIn(otherPoolServer, 'ext-other-pool', undefined, emulator.codes);
    const fromOtherClient = await signUpAndIn(otherClientServer, 'ext-other-client', undefined, emulator.codes);

    expect(errorCodes(await server.gql(ME, {}, fromOtherPool.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(ME, {}, fromOtherClient.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect((await otherClientServer.gql('{ me { username } }', {}, fromOtherClient.accessToken)).data).toEqual({
      me: { username: 'ext-other-client' },
    });
  });

  it('refuses every token when the expected issuer (COGNITO_ISSUER) is not the one that signed it', async () => {
    const pool = await emulator.createPool('issuer');
    const server = await serverFor({
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_ISSUER: `https://cognito-idp.eu-west-1.amazonaws.com/${pool.userPoolId}`,
    });
    const user = await signUpAndIn(server, 'ext-issuer', undefined, emulator.codes);
    expect(errorCodes(await server.gql(ME, {}, user.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('works with an app client that has a secret, and asks for the username to refresh', async () => {
    const pool = await emulator.createPool('secret', true);
    expect(pool.clientSecret).toEqual(expect.any(String));
    const server = await serverFor({
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_CLIENT_SECRET: pool.clientSecret!,
    });
    const user = await signUpAndIn(server, 'ext-secret', undefined, emulator.codes);

    const withoutUsername = await server.gql(REFRESH, { input: { refreshToken: user.refreshToken } });
    expect(errorCodes(withoutUsername)).toEqual(['BAD_USER_INPUT']);
    expect(withoutUsername.errors![0].extensions.fields).toEqual([{ field: 'username', problems: expect.any(Array) }]);

    const refreshed = await server.gql(REFRESH, { input: { refreshToken: user.refreshToken, username: 'ext-secret' } });
    expect(refreshed.errors).toBeUndefined();
    expect((await server.gql('{ me { username } }', {}, refreshed.data.refreshTokens.accessToken)).data).toEqual({
      me: { username: 'ext-secret' },
    });
  });
});
