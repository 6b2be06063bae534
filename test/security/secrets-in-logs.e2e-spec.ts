import { AUTHENTICATE, CONFIRM, ME, PASSWORD, REFRESH, REGISTER } from '../support/flows';
import { StandaloneEmulator } from '../support/standalone-emulator';
import { postGraphQL, startTestServer, TestServer } from '../support/test-server';
import { totp } from '../support/totp';

// No password, token, refresh token, code or TOTP secret that a client sent or received may reach
// the server's log, on the happy paths or the error paths. (With the embedded emulator, the codes
// it "sends" are logged on purpose: that log is its mailbox, in development only. Here the pool is
// external, as in production, and the test reads the codes from the emulator itself.)
describe('secrets never reach the log', () => {
  let emulator: StandaloneEmulator;
  let server: TestServer;
  const secrets = new Set<string>();
  const keep = <T extends string | undefined | null>(value: T): T => {
    if (value) secrets.add(value);
    return value;
  };

  beforeAll(async () => {
    emulator = await StandaloneEmulator.start();
    const { userPoolId, clientId } = await emulator.createPool('secrets');
    server = await startTestServer({
      COGNITO_USER_POOL_ID: userPoolId,
      COGNITO_CLIENT_ID: clientId,
      COGNITO_ENDPOINT: emulator.endpoint,
    });
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
  });

  it('runs every flow, right and wrong, and finds none of them in the log', async () => {
    const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
      server.gql(query, variables, token);
    const codeFor = async (username: string, after: number) => keep(await emulator.codes.codeFor(username, after));
    const username = 'secret-keeper';
    const newPassword = keep('An0ther-Secret!');
    keep(PASSWORD);

    let logged = emulator.codes.lines.length;
    await gql(REGISTER, { input: { username, email: 'keeper@example.com', password: PASSWORD } });
    await gql(REGISTER, { input: { username: 'weak-one', email: 'w@example.com', password: keep('weakpassword') } });
    await gql(CONFIRM, { input: { username, code: keep('000001') } });
    await gql(CONFIRM, { input: { username, code: await codeFor(username, logged) } });

    await gql(AUTHENTICATE, { input: { username, password: keep('Wr0ng-Secret!') } });
    await gql(AUTHENTICATE, { input: { username: 'nobody', password: keep('N0body-Secret!') } });
    const tokens = (await gql(AUTHENTICATE, { input: { username, password: PASSWORD } })).data.authenticate;
    const accessToken = keep(tokens.accessToken);
    keep(tokens.idToken);
    keep(tokens.refreshToken);

    await gql(ME, {}, accessToken);
    keep((await gql(REFRESH, { input: { refreshToken: tokens.refreshToken } })).data.refreshTokens.accessToken);
    await gql(REFRESH, { input: { refreshToken: keep('forged.refresh.token') } });
    await postGraphQL(server.url, { query: ME }, undefined, { authorization: `Bearer ${keep(`${accessToken}x`)}` });
    await postGraphQL(server.url, { query: ME }, undefined, { authorization: `Basic ${keep('dXNlcjpzZWNyZXQ=')}` });

    const secret = keep(
      (await gql('mutation { setupTotp { secretCode otpauthUri } }', {}, accessToken)).data.setupTotp.secretCode,
    );
    await gql(
      'mutation ($input: VerifyTotpInput!) { verifyTotp(input: $input) }',
      { input: { code: keep('000000') } },
      accessToken,
    );
    await gql(
      'mutation ($input: VerifyTotpInput!) { verifyTotp(input: $input) }',
      { input: { code: keep(totp(secret)) } },
      accessToken,
    );

    const challenge = (await gql(AUTHENTICATE, { input: { username, password: PASSWORD } })).data.authenticate;
    keep(challenge.session);
    const mfa = `mutation ($input: MfaChallengeInput!) { respondToMfaChallenge(input: $input) { ... on AuthTokens { accessToken refreshToken } } }`;
    await gql(mfa, { input: { username, session: challenge.session, code: keep('123456') } });
    const mfaTokens = (await gql(mfa, { input: { username, session: challenge.session, code: totp(secret) } })).data
      .respondToMfaChallenge;
    keep(mfaTokens.accessToken);

    logged = emulator.codes.lines.length;
    await gql('mutation ($input: UsernameInput!) { forgotPassword(input: $input) { medium } }', {
      input: { username },
    });
    const resetCode = await codeFor(username, logged);
    const confirmForgot = 'mutation ($input: ConfirmForgotPasswordInput!) { confirmForgotPassword(input: $input) }';
    await gql(confirmForgot, { input: { username, code: keep('999999'), newPassword } });
    await gql(confirmForgot, { input: { username, code: resetCode, newPassword } });

    const change = 'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }';
    await gql(
      change,
      { input: { currentPassword: keep('Not-The-0ne!'), newPassword: keep('Th1rd-Secret!') } },
      mfaTokens.accessToken,
    );
    await gql(
      'mutation ($r: String) { signOut(refreshToken: $r) }',
      { r: mfaTokens.refreshToken },
      mfaTokens.accessToken,
    );
    await gql(ME, {}, mfaTokens.accessToken);

    const log = server.logger.lines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    const leaked = [...secrets].filter((s) => log.includes(s));
    expect(leaked).toEqual([]);
    expect(secrets.size).toBeGreaterThan(20);
  });
});
