import { RespondToMfaChallengeDocument, SetupTotpDocument, VerifyTotpDocument } from '../../examples/generated/graphql';
import { REFUSED_INPUT } from '../../src/cognito/cognito-errors';
import { FakeCognito } from '../support/fake-cognito';
import { challengeOf, probes, signUpAndIn, tokensOf } from '../support/flows';
import { onFakePool } from '../support/protocol';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { totp } from '../support/totp';

// MFA: setupTotp and verifyTotp, then sign-ins that ask for the authenticator's code.

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('MFA (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const { signIn, meOf } = probes(() => server);

  describe('TOTP MFA', () => {
    it('sets up an authenticator app, then asks sign-ins for its code', async () => {
      const { accessToken } = await signUpAndIn(server, 'mfa-ivy');
      const setup = (await server.send(SetupTotpDocument, {}, accessToken)).data!.setupTotp;
      expect(setup.secretCode).toMatch(/^[A-Z2-7]+=*$/);
      expect(setup.otpauthUri).toBe(
        `otpauth://totp/Cognito%20GraphQL%20Auth:mfa-ivy?secret=${setup.secretCode}&issuer=Cognito+GraphQL+Auth&algorithm=SHA1&digits=6&period=30`,
      );

      const wrong = await server.send(VerifyTotpDocument, { input: { code: '000000' } }, accessToken);
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const verified = await server.send(
        VerifyTotpDocument,
        { input: { code: totp(setup.secretCode), deviceName: 'phone' } },
        accessToken,
      );
      expect(verified.data).toEqual({ verifyTotp: true });

      const challenge = await signIn('mfa-ivy');
      expect(challenge).toMatchObject({ __typename: 'AuthChallenge', name: 'SOFTWARE_TOKEN_MFA' });
      const answer = (code: string) =>
        server.send(RespondToMfaChallengeDocument, {
          input: { username: 'mfa-ivy', session: challengeOf(challenge).session, code },
        });
      expect(errorCodes(await answer('000000'))).toEqual(['CODE_MISMATCH']);
      const tokens = (await answer(totp(setup.secretCode))).data!.respondToMfaChallenge;
      expect(tokens.__typename).toBe('AuthTokens');
      expect((await meOf(tokensOf(tokens).accessToken)).data).toMatchObject({ me: { username: 'mfa-ivy' } });
    });

    it("answers a made-up MFA_SETUP session in words of ours, not Cognito's", async () => {
      // cognito-local answers InvalidParameterException "VerifySoftwareToken via Session (MFA_SETUP
      // flow) is not supported; call with AccessToken".
      const response = await server.send(RespondToMfaChallengeDocument, {
        input: { username: 'x', session: 'MFA_SETUP:abc', code: '123456' },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(REFUSED_INPUT);
      expect(JSON.stringify(response)).not.toMatch(/VerifySoftwareToken|AccessToken|Session/);
      // The operator still finds Cognito's words, in the debug log, under the operation that was refused.
      expect(server.logger.lines.join('\n')).toMatch(/verifySoftwareToken: Cognito answered InvalidParameterException/);
    });

    it('refuses a session that is not a challenge with BAD_USER_INPUT', async () => {
      const response = await server.send(RespondToMfaChallengeDocument, {
        input: { username: 'x', session: 'no-prefix', code: '123456' },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });
});

// cognito-local does TOTP with an access token (above); the fake checks the exact requests and
// gives Cognito's refusals of a code, so that every error path of ours runs (test/support/protocol.ts).
describe('MFA against a fake Cognito (what cognito-local cannot do)', () => {
  const pool = onFakePool();
  let fake: FakeCognito;
  let server: TestServer;
  beforeAll(() => {
    ({ fake, server } = pool);
  });

  const { answer, targets, signedIn } = pool;
  describe('protocol: setupTotp and verifyTotp (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference)', () => {
    const verify = (token: string, deviceName?: string) =>
      server.send(VerifyTotpDocument, { input: { code: '123456', deviceName } }, token);

    it('setupTotp sends AssociateSoftwareToken {AccessToken} and answers the secret and its otpauth:// URI', async () => {
      const { token } = signedIn({ username: 'alice' });
      answer('AssociateSoftwareToken', { SecretCode: 'JBSWY3DPEHPK3PXP' });

      const response = await server.send(SetupTotpDocument, {}, token);

      expect(response.errors).toBeUndefined();
      expect(targets()).toEqual(['AssociateSoftwareToken']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token });
      const { secretCode, otpauthUri } = response.data!.setupTotp;
      expect(secretCode).toBe('JBSWY3DPEHPK3PXP');
      expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/[^?]+:alice\?/);
      const query = new URL(otpauthUri).searchParams;
      expect(query.get('secret')).toBe('JBSWY3DPEHPK3PXP');
      expect(query.get('issuer')).toBeTruthy();
    });

    it('answers setupTotp with a token Cognito refuses (NotAuthorizedException) with UNAUTHENTICATED', async () => {
      const { token } = signedIn();
      fake.error('AssociateSoftwareToken', 'NotAuthorizedException', 'Access Token has been revoked');
      expect(errorCodes(await server.send(SetupTotpDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
    });

    it('verifyTotp sends VerifySoftwareToken {AccessToken, UserCode, FriendlyDeviceName}, then makes TOTP the preferred MFA', async () => {
      const { token } = signedIn();
      answer('VerifySoftwareToken', { Status: 'SUCCESS' });
      answer('SetUserMFAPreference');

      const response = await verify(token, 'My phone');

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ verifyTotp: true });
      expect(targets()).toEqual(['VerifySoftwareToken', 'SetUserMFAPreference']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token, UserCode: '123456', FriendlyDeviceName: 'My phone' });
      expect(fake.calls[1].body).toEqual({
        AccessToken: token,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      });
    });

    it('answers VerifySoftwareToken Status ERROR with CODE_MISMATCH, and does not turn TOTP on', async () => {
      const { token } = signedIn();
      answer('VerifySoftwareToken', { Status: 'ERROR' });
      answer('SetUserMFAPreference');

      expect(errorCodes(await verify(token))).toEqual(['CODE_MISMATCH']);
      expect(targets()).toEqual(['VerifySoftwareToken']);
    });

    it.each([
      ['EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA'],
      ['CodeMismatchException', 'Invalid code received for user'],
    ])(
      'answers VerifySoftwareToken throwing %s with CODE_MISMATCH, and does not turn TOTP on',
      async (type, message) => {
        const { token } = signedIn();
        fake.error('VerifySoftwareToken', type, message);
        answer('SetUserMFAPreference');

        expect(errorCodes(await verify(token))).toEqual(['CODE_MISMATCH']);
        expect(targets()).toEqual(['VerifySoftwareToken']);
      },
    );

    it('refuses setupTotp and verifyTotp without an access token, without calling Cognito', async () => {
      answer('AssociateSoftwareToken', { SecretCode: 'JBSWY3DPEHPK3PXP' });
      expect(errorCodes(await server.send(SetupTotpDocument))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.send(VerifyTotpDocument, { input: { code: '123456' } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(fake.calls).toEqual([]);
    });
  });
});
