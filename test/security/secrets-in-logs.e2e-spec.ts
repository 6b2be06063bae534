import {
  AuthenticateDocument,
  ChangePasswordDocument,
  ConfirmForgotPasswordDocument,
  ConfirmRegistrationDocument,
  ForgotPasswordDocument,
  MeDocument,
  RefreshTokensDocument,
  RegisterDocument,
  RespondToMfaChallengeDocument,
  SetupTotpDocument,
  SignOutDocument,
  VerifyTotpDocument,
} from '../../examples/generated/graphql';
import { challengeOf, ME, PASSWORD, tokensOf } from '../support/flows';
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
    const codeFor = async (username: string, after: number) => keep(await emulator.codes.codeFor(username, after));
    const username = 'secret-keeper';
    const newPassword = keep('An0ther-Secret!');
    keep(PASSWORD);

    let logged = emulator.codes.lines.length;
    await server.send(RegisterDocument, { input: { username, email: 'keeper@example.com', password: PASSWORD } });
    await server.send(RegisterDocument, {
      input: { username: 'weak-one', email: 'w@example.com', password: keep('weakpassword') },
    });
    await server.send(ConfirmRegistrationDocument, { input: { username, code: keep('000001') } });
    await server.send(ConfirmRegistrationDocument, { input: { username, code: await codeFor(username, logged) } });

    await server.send(AuthenticateDocument, { input: { username, password: keep('Wr0ng-Secret!') } });
    await server.send(AuthenticateDocument, { input: { username: 'nobody', password: keep('N0body-Secret!') } });
    const tokens = tokensOf(
      (await server.send(AuthenticateDocument, { input: { username, password: PASSWORD } })).data?.authenticate,
    );
    const accessToken = keep(tokens.accessToken);
    keep(tokens.idToken);
    keep(tokens.refreshToken);

    await server.send(MeDocument, {}, accessToken);
    const refreshed = await server.send(RefreshTokensDocument, { input: { refreshToken: tokens.refreshToken! } });
    keep(refreshed.data!.refreshTokens.accessToken);
    await server.send(RefreshTokensDocument, { input: { refreshToken: keep('forged.refresh.token') } });
    await postGraphQL(server.url, { query: ME }, undefined, { authorization: `Bearer ${keep(`${accessToken}x`)}` });
    await postGraphQL(server.url, { query: ME }, undefined, { authorization: `Basic ${keep('dXNlcjpzZWNyZXQ=')}` });

    const secret = keep((await server.send(SetupTotpDocument, {}, accessToken)).data!.setupTotp.secretCode);
    await server.send(VerifyTotpDocument, { input: { code: keep('000000') } }, accessToken);
    await server.send(VerifyTotpDocument, { input: { code: keep(totp(secret)) } }, accessToken);

    const challenge = challengeOf(
      (await server.send(AuthenticateDocument, { input: { username, password: PASSWORD } })).data?.authenticate,
    );
    keep(challenge.session);
    const mfa = (code: string) =>
      server.send(RespondToMfaChallengeDocument, { input: { username, session: challenge.session, code } });
    await mfa(keep('123456'));
    const mfaTokens = tokensOf((await mfa(totp(secret))).data?.respondToMfaChallenge);
    keep(mfaTokens.accessToken);
    keep(mfaTokens.idToken);
    keep(mfaTokens.refreshToken);

    logged = emulator.codes.lines.length;
    await server.send(ForgotPasswordDocument, { input: { username } });
    const resetCode = await codeFor(username, logged);
    const confirmForgot = (code: string) =>
      server.send(ConfirmForgotPasswordDocument, { input: { username, code, newPassword } });
    await confirmForgot(keep('999999'));
    await confirmForgot(resetCode);

    await server.send(
      ChangePasswordDocument,
      { input: { currentPassword: keep('Not-The-0ne!'), newPassword: keep('Th1rd-Secret!') } },
      mfaTokens.accessToken,
    );
    await server.send(SignOutDocument, { refreshToken: mfaTokens.refreshToken }, mfaTokens.accessToken);
    await server.send(MeDocument, {}, mfaTokens.accessToken);

    const log = server.logger.lines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    const leaked = [...secrets].filter((s) => log.includes(s));
    expect(leaked).toEqual([]);
    expect(secrets.size).toBeGreaterThan(20);
  });
});
