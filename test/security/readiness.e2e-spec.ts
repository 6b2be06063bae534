import { FakeCognito } from '../support/fake-cognito';
import { startTestServer, TestServer } from '../support/test-server';
import { TokenMinter } from '../support/token-minter';

// /health/ready is public: it tells anyone whether each check is up, and tells the operator, in
// the log, why one is down. And it must not turn every load-balancer probe into a call to Cognito.
describe('readiness', () => {
  const POOL = 'local_ready';
  const JWKS = `/${POOL}/.well-known/jwks.json`;
  let fake: FakeCognito;
  let server: TestServer;

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: 'ready-client' });
    const endpoint = await fake.start();
    fake.reply(`GET ${JWKS}`, keys());
    server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: 'ready-client',
      COGNITO_ENDPOINT: endpoint,
      COGNITO_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  const ready = async () => {
    const response = await fetch(server.url.replace('/graphql', '/health/ready'));
    return { status: response.status, body: await response.text() };
  };
  const fetches = () => fake.gets.filter((path) => path === JWKS).length;
  const logged = (pattern: RegExp) => server.logger.lines.filter((line) => pattern.test(line));

  const keys = () => ({ status: 200, body: new TokenMinter(`${fake.url}/${POOL}`, 'ready-client').jwks });

  it('answers the status of each check only, and logs why Cognito is down once, not once a probe', async () => {
    // The keys loaded at start-up; now Cognito stops answering.
    fake.reply(`GET ${JWKS}`, { status: 503, body: {} });
    const before = fetches();
    for (let i = 0; i < 3; i++) {
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        status: 'error',
        info: { jwks: { status: 'up' } },
        error: { cognito: { status: 'down' } },
        details: { jwks: { status: 'up' }, cognito: { status: 'down' } },
      });
      expect(answer.body).not.toContain(fake.url.replace('http://', ''));
    }
    // A failure is not kept: each probe asked again.
    expect(fetches() - before).toBe(3);
    expect(logged(/Cognito did not answer/)).toEqual([
      expect.stringMatching(
        /^warn \[Readiness\] Cognito did not answer \(Failed to fetch http:\/\/127\.0\.0\.1:\d+\/local_ready\/\.well-known\/jwks\.json: HTTP status 503\): not ready until it does$/,
      ),
    ]);

    fake.reply(`GET ${JWKS}`, keys());
    expect((await ready()).status).toBe(200);
    expect((await ready()).status).toBe(200);
    expect(logged(/Cognito answers again/)).toEqual(['log [Readiness] Cognito answers again: ready']);
  });

  it('asks Cognito at most once every 5 s while it is up', async () => {
    fake.reply(`GET ${JWKS}`, keys());
    const before = fetches();
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect((await ready()).status).toBe(200);
    const elapsed = performance.now() - started;
    // 20 probes in (usually) well under 5 s; on a machine so busy that they take longer, one more
    // fetch for each 5 s they took.
    expect(fetches() - before).toBeLessThanOrEqual(1 + Math.floor(elapsed / 5000));
  });
});
