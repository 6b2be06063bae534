import { print } from 'graphql';
import {
  AuthenticateDocument,
  DeleteMeDocument,
  MeDocument,
  RegisterDocument,
  SetupTotpDocument,
  UpdateMeDocument,
  VerifyEmailDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { getUser as getUserOperation } from '../../src/cognito/operations/account';
import { PASSWORD, probes, signUpAndIn } from '../support/flows';
import { errorCodes, postGraphQL, startTestServer, TestServer } from '../support/test-server';

// The account: me, updateMe, verifyEmail and deleteMe.

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('the account (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const { meOf } = probes(() => server);

  describe('me', () => {
    it('answers from the token and the user pool', async () => {
      const user = await signUpAndIn(server, 'me-erin', 'Erin Example');
      const response = await server.send(MeDocument, {}, user.accessToken);
      expect(response.errors).toBeUndefined();
      expect(response.data!.me).toEqual({
        id: user.userSub,
        username: 'me-erin',
        email: 'me-erin@example.com',
        // The code went to the address (AutoVerifiedAttributes): confirming it verifies it, as on AWS.
        emailVerified: true,
        name: 'Erin Example',
        groups: [],
      });
    });

    it('calls Cognito only for profile fields, and at most once per request', async () => {
      const user = await signUpAndIn(server, 'me-frank');
      // Each call to Cognito's GetUser builds its request once.
      const getUser = jest.spyOn(getUserOperation, 'request');
      try {
        await server.send(WhoAmIDocument, {}, user.accessToken);
        expect(getUser).not.toHaveBeenCalled();
        const response = await server.gql(
          '{ me { email name emailVerified } again: me { email } }',
          {},
          user.accessToken,
        );
        expect(response.data.me.email).toBe('me-frank@example.com');
        expect(response.data.again.email).toBe('me-frank@example.com');
        expect(getUser).toHaveBeenCalledTimes(1);
      } finally {
        getUser.mockRestore();
      }
    });

    it.each([
      ['no Authorization header', {}],
      ['a malformed token', { authorization: 'Bearer not-a-jwt' }],
      ['a token with a broken signature', { authorization: 'Bearer TAMPERED' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with UNAUTHENTICATED', async (_why, headers: Record<string, string>) => {
      let auth = headers.authorization;
      if (auth === 'Bearer TAMPERED') {
        const { accessToken } = await signUpAndIn(server, 'me-tamper');
        auth = `Bearer ${accessToken.slice(0, -4)}AAAA`;
      }
      const response = await postGraphQL(
        server.url,
        { query: print(MeDocument) },
        undefined,
        auth ? { authorization: auth } : {},
      );
      expect(response.status).toBe(200);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(JSON.stringify(response)).not.toMatch(/stack|at \w+ \(/);
    });

    it('refuses an ID token where an access token is required', async () => {
      const { idToken } = await signUpAndIn(server, 'me-idtoken');
      expect(errorCodes(await server.send(MeDocument, {}, idToken))).toEqual(['UNAUTHENTICATED']);
    });

    it('takes the Bearer scheme in any case', async () => {
      const { accessToken } = await signUpAndIn(server, 'me-case');
      const response = await postGraphQL(server.url, { query: print(WhoAmIDocument) }, undefined, {
        authorization: `bEaReR ${accessToken}`,
      });
      expect(response.data).toMatchObject({ me: { username: 'me-case' } });
    });
  });

  describe('updateMe and verifyEmail', () => {
    it('changes the name at once', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-erin', 'Erin');
      const updated = await server.send(UpdateMeDocument, { input: { name: 'Erin Renamed' } }, accessToken);
      expect(updated.data!.updateMe).toMatchObject({ username: 'um-erin', name: 'Erin Renamed' });
      expect((await server.send(MeDocument, {}, accessToken)).data!.me.name).toBe('Erin Renamed');
    });

    it('changes the email, verified with the code sent to it', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-frank');
      const logged = server.logger.lines.length;
      const updated = await server.send(UpdateMeDocument, { input: { email: 'frank@new.example.com' } }, accessToken);
      expect(updated.errors).toBeUndefined();
      const code = await server.logger.codeFor('um-frank', logged);

      const wrong = await server.send(
        VerifyEmailDocument,
        { input: { code: code === '000000' ? '111111' : '000000' } },
        accessToken,
      );
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const verified = await server.send(VerifyEmailDocument, { input: { code } }, accessToken);
      expect(verified.data).toMatchObject({ verifyEmail: { email: 'frank@new.example.com' } });
    });

    it('leaves null fields as they are, and reads the profile again after each change', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-null', 'Nell');
      const response = await server.gql(
        `mutation {
          first: updateMe(input: { name: "First", email: null }) { name email }
          second: updateMe(input: { name: "Second" }) { name }
        }`,
        {},
        accessToken,
      );
      expect(response.data).toEqual({
        first: { name: 'First', email: 'um-null@example.com' },
        second: { name: 'Second' },
      });
      expect(
        errorCodes(await server.send(UpdateMeDocument, { input: { email: null, name: null } }, accessToken)),
      ).toEqual(['BAD_USER_INPUT']);
    });

    it('refuses an empty change and a bad email with BAD_USER_INPUT', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-gina');
      expect(errorCodes(await server.send(UpdateMeDocument, { input: {} }, accessToken))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await server.send(UpdateMeDocument, { input: { email: 'nope' } }, accessToken))).toEqual([
        'BAD_USER_INPUT',
      ]);
    });
  });

  it('deleteMe deletes the account and refuses its tokens at once', async () => {
    const { accessToken } = await signUpAndIn(server, 'dm-hank');
    expect((await server.send(DeleteMeDocument, {}, accessToken)).data).toEqual({ deleteMe: true });
    expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(
      errorCodes(await server.send(AuthenticateDocument, { input: { username: 'dm-hank', password: PASSWORD } })),
    ).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps register, confirm and authenticate public, and the rest closed', async () => {
    expect(
      errorCodes(
        await server.send(RegisterDocument, {
          input: { username: 'pub-x', email: 'x@example.com', password: PASSWORD },
        }),
      ),
    ).toEqual([]);
    expect(errorCodes(await server.send(MeDocument))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.send(SetupTotpDocument))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.send(DeleteMeDocument))).toEqual(['UNAUTHENTICATED']);
  });
});
