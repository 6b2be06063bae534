import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { AppOptions } from '../../src/app.module';
import { parseConfig } from '../../src/config/config';
import { CapturingLogger } from './capturing-logger';
import { freePort } from './free-port';
import { Answer, send, SendArgs } from './operations';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions: { code: string; [key: string]: unknown } }[];
}

export interface TestServer {
  app: NestFastifyApplication;
  url: string;
  logger: CapturingLogger;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** One of the clients' operations (test/support/operations.ts), its variables and answer typed. */
  send<R, V>(document: TypedDocumentNode<R, V>, ...args: SendArgs<NoInfer<V>>): Promise<GraphQLResponse<Answer<R>>>;
  close(): Promise<void>;
}

/**
 * Starts the real server on a free port. With no COGNITO_USER_POOL_ID in `env` it starts its own
 * embedded emulator (on another free port, with a data folder of its own), exactly as `npm start` does.
 */
export async function startTestServer(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-local-'));
  const config = parseConfig({
    COGNITO_LOCAL_PORT: String(await freePort()),
    COGNITO_LOCAL_DATA_DIR: dataDir,
    // Tests sign in far more often, from one address, than people do; the rate-limit tests set
    // the limits they test.
    RATE_LIMIT_IP_MAX: '100000',
    RATE_LIMIT_ACCOUNT_FAILURES_MAX: '1000',
    RATE_LIMIT_ACCOUNT_SENDS_MAX: '1000',
    ...env,
  });
  const logger = new CapturingLogger();
  const app = await createApp(config, { ...options, logger });
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/graphql`;

  const gql: TestServer['gql'] = (query, variables, token) => postGraphQL(url, { query, variables }, token);
  return {
    app,
    url,
    logger,
    gql,
    send: (document, ...args) => send(gql, document, ...args),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postGraphQL(
  url: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
}

/** The `extensions.code` of each error in a response, in order. */
export function errorCodes(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((e) => e.extensions.code);
}
