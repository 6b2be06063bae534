import { FakeCognito } from './fake-cognito';
import { TokenMinter } from './token-minter';
import { startTestServer, TestServer } from './test-server';

export interface FakePool {
  fake: FakeCognito;
  /** Signs access tokens the server accepts (the fake serves its keys as the pool's JWKS). */
  minter: TokenMinter;
  server: TestServer;
  close(): Promise<void>;
}

/**
 * A fake Cognito serving one pool and app client, and our server started against it. The server
 * loads the pool's signing keys at start-up, so they are served before it starts.
 */
export async function startOnFakePool(options: {
  pool: string;
  clientId: string;
  clientSecret?: string;
  env?: Record<string, string>;
}): Promise<FakePool> {
  const { pool, clientId, clientSecret } = options;
  const fake = new FakeCognito({ clientId, clientSecret });
  const endpoint = await fake.start();
  const minter = new TokenMinter(`${endpoint}/${pool}`, clientId);
  fake.reply(`GET /${pool}/.well-known/jwks.json`, { status: 200, body: minter.jwks });
  const server = await startTestServer({
    COGNITO_USER_POOL_ID: pool,
    COGNITO_CLIENT_ID: clientId,
    ...(clientSecret ? { COGNITO_CLIENT_SECRET: clientSecret } : {}),
    COGNITO_ENDPOINT: endpoint,
    ...options.env,
  });
  return {
    fake,
    minter,
    server,
    close: async () => {
      await server.close();
      await fake.stop();
    },
  };
}
