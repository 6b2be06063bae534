import { AUTHENTICATE, PASSWORD, signUpAndIn, SignedIn } from './support/flows';
import { AuthorizationTestModule } from './support/authorization-test.module';
import { PoolAdmin } from './support/pool-admin';
import { errorCodes, postGraphQL, startTestServer, TestServer } from './support/test-server';

// Default-deny, @Public() and @Groups() with real tokens of users the emulator put in groups.
describe('authorization', () => {
  let server: TestServer;
  let plain: SignedIn;
  let staff: SignedIn;
  let adminUser: SignedIn;

  beforeAll(async () => {
    server = await startTestServer({}, { extraModules: [AuthorizationTestModule] });
    const admin = new PoolAdmin(server);
    plain = await signUpAndIn(server, 'az-plain');
    await signUpAndIn(server, 'az-staff');
    await signUpAndIn(server, 'az-admin');
    await admin.addToGroup('az-staff', 'staff');
    await admin.addToGroup('az-admin', 'admin');
    admin.close();
    // Groups are in tokens issued after the user joined them.
    staff = await signInAgain('az-staff');
    adminUser = await signInAgain('az-admin');
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signInAgain(username: string): Promise<SignedIn> {
    const response = await server.gql(AUTHENTICATE, { input: { username, password: PASSWORD } });
    return { username, userSub: '', ...response.data.authenticate };
  }

  it('reads the groups of a token into me', async () => {
    const me = await server.gql('{ me { groups } }', {}, adminUser.accessToken);
    expect(me.data).toEqual({ me: { groups: ['admin'] } });
  });

  describe('default-deny', () => {
    it('refuses a resolver without a decorator to a caller who is not signed in', async () => {
      expect(errorCodes(await server.gql('{ signedInOnly }'))).toEqual(['UNAUTHENTICATED']);
    });

    it('opens it to any signed-in user', async () => {
      expect((await server.gql('{ signedInOnly }', {}, plain.accessToken)).data).toEqual({
        signedInOnly: 'signed in as az-plain',
      });
    });
  });

  describe('@Public()', () => {
    it('answers a caller without a token', async () => {
      expect((await server.gql('{ greeting }')).data).toEqual({ greeting: 'hello stranger' });
    });

    it('reads the user when a valid token is sent', async () => {
      expect((await server.gql('{ greeting }', {}, plain.accessToken)).data).toEqual({ greeting: 'hello az-plain' });
    });

    it('still refuses a token that is sent but invalid', async () => {
      const response = await postGraphQL(server.url, { query: '{ greeting }' }, undefined, {
        authorization: 'Bearer not.a.token',
      });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('@Public() without optionalUser', () => {
    it('ignores a token that is sent, so a client with an expired one can still sign in', async () => {
      const headers = { authorization: 'Bearer expired.or.garbage' };
      expect((await postGraphQL(server.url, { query: '{ lobby }' }, undefined, headers)).data).toEqual({
        lobby: 'lobby',
      });
      const signIn = await postGraphQL(
        server.url,
        { query: AUTHENTICATE, variables: { input: { username: 'az-plain', password: PASSWORD } } },
        undefined,
        headers,
      );
      expect(signIn.data.authenticate.accessToken).toEqual(expect.any(String));
    });

    it('does not open a @Groups() resolver of a public class', async () => {
      expect(errorCodes(await server.gql('{ vault }'))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.gql('{ vault }', {}, plain.accessToken))).toEqual(['FORBIDDEN']);
      expect((await server.gql('{ vault }', {}, adminUser.accessToken)).data).toEqual({ vault: 'vault' });
    });
  });

  describe('@Groups()', () => {
    it('refuses a signed-in user outside the groups with FORBIDDEN', async () => {
      expect(errorCodes(await server.gql('{ adminOnly }', {}, plain.accessToken))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await server.gql('{ adminOnly }', {}, staff.accessToken))).toEqual(['FORBIDDEN']);
    });

    it('refuses a caller who is not signed in with UNAUTHENTICATED', async () => {
      expect(errorCodes(await server.gql('{ adminOnly }'))).toEqual(['UNAUTHENTICATED']);
    });

    it('lets a member in', async () => {
      expect((await server.gql('{ adminOnly }', {}, adminUser.accessToken)).data).toEqual({ adminOnly: 'admin area' });
    });

    it('applies to every resolver of a class marked with it (any of the groups)', async () => {
      expect(errorCodes(await server.gql('{ staffRoom }', {}, plain.accessToken))).toEqual(['FORBIDDEN']);
      expect((await server.gql('{ staffRoom }', {}, staff.accessToken)).data).toEqual({ staffRoom: 'staff room' });
      expect((await server.gql('{ staffRoom }', {}, adminUser.accessToken)).data).toEqual({ staffRoom: 'staff room' });
    });

    it('guards a marked field, leaving the rest of the object readable', async () => {
      const forPlain = await server.gql('{ report { summary salaries } }', {}, plain.accessToken);
      expect(errorCodes(forPlain)).toEqual(['FORBIDDEN']);
      expect(forPlain.errors![0].path).toEqual(['report', 'salaries']);
      expect((await server.gql('{ report { summary } }', {}, plain.accessToken)).data).toEqual({
        report: { summary: 'all is well' },
      });
      expect((await server.gql('{ report { summary salaries } }', {}, adminUser.accessToken)).data).toEqual({
        report: { summary: 'all is well', salaries: 'secret figures' },
      });
    });
  });
});
