import { RefreshTokensDocument, SignOutDocument, WhoAmIDocument } from '../../examples/generated/graphql';
import { COGNITO_POOL } from '../../src/cognito/cognito.constants';
import { CognitoPool } from '../../src/cognito/cognito-pool';
import { FakeCognito } from '../support/fake-cognito';
import { nextSecond, PASSWORD, probes, signUpAndIn, tokensOf } from '../support/flows';
import { CLIENT, COGNITO_TOKENS, onFakePool, SECRET, secretHash } from '../support/protocol';
import { until } from '../support/redis-contract';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { TokenMinter } from '../support/token-minter';

// Sessions: signOut, and what an ended session can no longer do (a password reset, a change and
// deleteMe end sessions too: passwords.e2e-spec.ts, account.e2e-spec.ts).

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('sessions (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const { signIn, meOf } = probes(() => server);

  describe('signOut', () => {
    it('refuses every earlier token of the user at once, and revokes the refresh token it is given', async () => {
      const first = await signUpAndIn(server, 'so-dave');
      const second = tokensOf(await signIn('so-dave'));
      expect((await meOf(first.accessToken)).data).toMatchObject({ me: { username: 'so-dave' } });

      const out = await server.send(SignOutDocument, { refreshToken: second.refreshToken }, second.accessToken);
      expect(out.data).toEqual({ signOut: true });
      // cognito-local has no GlobalSignOut: the server says so and enforces the sign-out itself.
      expect(server.logger.lines.join('\n')).toContain('does not support GlobalSignOut');

      for (const token of [first.accessToken, second.accessToken]) {
        const me = await meOf(token);
        expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
        expect(me.errors![0].message).toContain('signed out');
      }
      expect(
        errorCodes(await server.send(RefreshTokensDocument, { input: { refreshToken: second.refreshToken! } })),
      ).toEqual(['UNAUTHENTICATED']);
      // The other session's refresh token was not given to signOut, and cognito-local cannot end
      // it: this server still refuses to refresh it.
      await nextSecond();
      expect(
        errorCodes(await server.send(RefreshTokensDocument, { input: { refreshToken: first.refreshToken } })),
      ).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.send(SignOutDocument, {}, first.accessToken))).toEqual(['UNAUTHENTICATED']);

      await nextSecond();
      const again = tokensOf(await signIn('so-dave'));
      expect((await meOf(again.accessToken)).data).toMatchObject({ me: { username: 'so-dave' } });
    });

    it('needs a signed-in user', async () => {
      expect(errorCodes(await server.send(SignOutDocument, {}))).toEqual(['UNAUTHENTICATED']);
    });

    it("logs the emulator's missing GlobalSignOut as our one warning, not as its error; its real errors still", async () => {
      const logged = server.logger.lines.length;
      const { accessToken } = await signUpAndIn(server, 'so-quiet');
      expect((await server.send(SignOutDocument, {}, accessToken)).data).toEqual({ signOut: true });
      expect(server.logger.lines.slice(logged).filter((line) => line.startsWith('error'))).toEqual([]);
      // Ours, once in the server's life however many sign-outs came before this one.
      expect(
        server.logger.lines.filter((line) => line.includes('This user pool does not support GlobalSignOut')),
      ).toEqual([expect.stringMatching(/^warn/)]);

      // A request the emulator fails on (attributes that are not a list): its own error, passed on.
      const { endpoint, clientId } = server.app.get<symbol, CognitoPool>(COGNITO_POOL);
      await fetch(endpoint!, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
        },
        body: JSON.stringify({ ClientId: clientId, Username: 'so-broken', Password: PASSWORD, UserAttributes: 'x' }),
      });
      await until(
        () => server.logger.lines.some((line) => line.includes('Error handling target: SignUp')),
        "the emulator's error",
      );
      expect(server.logger.lines.find((line) => line.includes('Error handling target: SignUp'))).toMatch(
        /^error \[LocalCognito\] cognito-local: /,
      );
    });

    it('signs out even when the refresh token it is given cannot be revoked', async () => {
      const { accessToken } = await signUpAndIn(server, 'so-garbage');
      expect((await server.send(SignOutDocument, { refreshToken: 'not-a-refresh-token' }, accessToken)).data).toEqual({
        signOut: true,
      });
      expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    });

    it('ends the session for the rest of the same request too', async () => {
      const { accessToken } = await signUpAndIn(server, 'so-same');
      const response = await server.gql('mutation { signOut again: signOut }', {}, accessToken);
      // signOut ran (the second field's error nulls the whole non-null result, as GraphQL does).
      expect(response.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['again'], 'UNAUTHENTICATED']]);
      expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    });
  });
});

// cognito-local 5.3.0 has no GlobalSignOut: what the server sends Cognito, and its answers to
// Cognito's, are tested against the fake (test/support/protocol.ts).
describe('sessions against a fake Cognito (what cognito-local cannot do)', () => {
  const pool = onFakePool();
  let fake: FakeCognito;
  let server: TestServer;
  let minter: TokenMinter;
  beforeAll(() => {
    ({ fake, server, minter } = pool);
  });

  const { answer, targets, bodyOf, signedIn } = pool;
  describe('protocol: signOut (GlobalSignOut, RevokeToken)', () => {
    it('sends GlobalSignOut {AccessToken}; from then on the same token is refused', async () => {
      const { sub, token } = signedIn();
      answer('GlobalSignOut');

      const before = await server.send(WhoAmIDocument, {}, token);
      expect(before.data).toEqual({ me: { id: sub, username: sub, groups: [] } });
      expect(fake.calls).toEqual([]); // `me` from the token alone makes no Cognito call

      const signOut = await server.send(SignOutDocument, {}, token);
      expect(signOut.errors).toBeUndefined();
      expect(signOut.data).toEqual({ signOut: true });
      expect(targets()).toEqual(['GlobalSignOut']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token });

      expect(errorCodes(await server.send(WhoAmIDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.send(SignOutDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(targets()).toEqual(['GlobalSignOut']);
    });

    it('with refreshToken also sends RevokeToken {Token, ClientId, ClientSecret}', async () => {
      const { token } = signedIn();
      answer('GlobalSignOut');
      answer('RevokeToken');

      const response = await server.send(SignOutDocument, { refreshToken: 'the-refresh-token' }, token);

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ signOut: true });
      expect(targets()).toEqual(['GlobalSignOut', 'RevokeToken']);
      expect(bodyOf('GlobalSignOut')).toEqual({ AccessToken: token });
      expect(bodyOf('RevokeToken')).toEqual({ Token: 'the-refresh-token', ClientId: CLIENT, ClientSecret: SECRET });
    });

    it('refuses to refresh a signed-out session: refreshed AWS tokens keep the sign-in time (auth_time)', async () => {
      const signedInAt = Math.floor(Date.now() / 1000) - 60;
      const { sub, token } = signedIn({ auth_time: signedInAt });
      const refreshToken = fake.refreshToken(sub);
      // Cognito refreshes the session (AWS keeps auth_time), before the sign-out and after it, as
      // it would if the sign-out had not reached it: only our record can refuse.
      const refresh = async () => {
        const refreshed = minter.accessToken(sub, { auth_time: signedInAt });
        answer('InitiateAuth', { AuthenticationResult: { ...COGNITO_TOKENS, AccessToken: refreshed } });
        return {
          refreshed,
          response: await server.send(RefreshTokensDocument, { input: { refreshToken, username: sub } }),
        };
      };

      const before = await refresh();
      expect(before.response.errors).toBeUndefined();
      expect(before.response.data!.refreshTokens.accessToken).toBe(before.refreshed);

      answer('GlobalSignOut');
      expect((await server.send(SignOutDocument, {}, token)).data).toEqual({ signOut: true });

      const after = await refresh();
      expect(errorCodes(after.response)).toEqual(['UNAUTHENTICATED']);
      expect(after.response.errors![0].message).toMatch(/signed out/);
      expect(targets()).toEqual(['InitiateAuth', 'GlobalSignOut', 'InitiateAuth']);
      expect(bodyOf('InitiateAuth')).toEqual({
        ClientId: CLIENT,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: secretHash(sub) },
      });
    });

    it("does not end another user's sessions", async () => {
      const leaving = signedIn();
      const staying = signedIn();
      answer('GlobalSignOut');

      expect((await server.send(SignOutDocument, {}, leaving.token)).data).toEqual({ signOut: true });

      const other = await server.send(WhoAmIDocument, {}, staying.token);
      expect(other.errors).toBeUndefined();
      expect(other.data!.me.id).toBe(staying.sub);
    });

    it('answers GlobalSignOut refusing the token (NotAuthorizedException) with UNAUTHENTICATED', async () => {
      const { token } = signedIn();
      fake.error('GlobalSignOut', 'NotAuthorizedException', 'Access Token has been revoked');

      expect(errorCodes(await server.send(SignOutDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(targets()).toEqual(['GlobalSignOut']);
    });

    it('answers a Cognito server fault with SERVICE_UNAVAILABLE, but the sign-out recorded here still holds', async () => {
      const { token } = signedIn();
      fake.error('GlobalSignOut', 'InternalErrorException', 'Internal error', 500);

      expect(errorCodes(await server.send(SignOutDocument, { refreshToken: 'r' }, token))).toEqual([
        'SERVICE_UNAVAILABLE',
      ]);
      expect(targets()).toEqual(['GlobalSignOut']);
      expect(errorCodes(await server.send(WhoAmIDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
    });

    it('with refreshToken still answers true when the app client cannot revoke tokens (UnsupportedOperationException)', async () => {
      const { token } = signedIn();
      answer('GlobalSignOut');
      fake.error('RevokeToken', 'UnsupportedOperationException', 'Token revocation is not enabled for this client.');

      const response = await server.send(SignOutDocument, { refreshToken: 'the-refresh-token' }, token);

      expect(targets()).toEqual(['GlobalSignOut', 'RevokeToken']);
      expect(errorCodes(response)).toEqual([]);
      expect(response.data).toEqual({ signOut: true });
    });

    it('refuses a caller without an access token with UNAUTHENTICATED, without calling Cognito', async () => {
      answer('GlobalSignOut');
      expect(errorCodes(await server.send(SignOutDocument))).toEqual(['UNAUTHENTICATED']);
      expect(fake.calls).toEqual([]);
    });
  });
});
