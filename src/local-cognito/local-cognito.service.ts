import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { escapeControlCharacters } from '../common/input-rules';
import { EmbeddedSettings, PasswordPolicy } from '../config/config';
import { CognitoPool, describePool } from '../cognito/cognito-pool';
import { AfterAnswers } from './after-answers';
import { CodeDelivery, Emulator } from './emulator';
import { ensureLocalPool } from './provision';

/**
 * The development line that shows a code. Each field is escaped: input rules refuse control
 * characters, and this line holds even if one got through (no forged "Code:" line).
 */
export function codeLine({ username, destination, code }: CodeDelivery): string {
  const [user, to, value] = [username, destination, code].map((field) => escapeControlCharacters(String(field)));
  return `Code for user "${user}" (would be sent to ${to}): ${value}`;
}

/** Starts the embedded emulator when no pool is configured, and stops it with the app. */
@Injectable()
export class LocalCognitoService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LocalCognito');
  private readonly afterAnswers = new AfterAnswers();
  private emulator?: Emulator;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async start(settings: EmbeddedSettings, policy: PasswordPolicy): Promise<CognitoPool> {
    this.emulator = await Emulator.start({
      port: settings.port,
      dataDir: settings.dataDir,
      // The emulator sends no mail: its "messages" land in our log, so a person can finish sign-up.
      // Written once the requests in flight are answered: see AfterAnswers.
      onCode: (delivery) => this.afterAnswers.run(() => this.logger.log(codeLine(delivery))),
      onError: (message) => this.logger.error(`cognito-local: ${message}`),
    });
    try {
      const { userPoolId, clientId, caseSensitive } = await ensureLocalPool(this.emulator.endpoint, policy);
      if (caseSensitive) {
        this.logger.warn(
          `The embedded pool ${userPoolId} was created by an earlier version, with case-sensitive usernames ` +
            `("Alice" and "alice" are two users). To have one user whatever the case, as in pools created ` +
            `today, delete ${join(settings.dataDir, '.cognito')} (its users with it).`,
        );
      }
      this.logger.warn(
        `Using the embedded Cognito emulator (cognito-local) at ${this.emulator.endpoint}, pool ${userPoolId}, ` +
          `data in ${settings.dataDir}. It is for development only: set COGNITO_USER_POOL_ID and ` +
          'COGNITO_CLIENT_ID (and COGNITO_REGION) to use a real user pool.',
      );
      return describePool({ userPoolId, clientId, region: 'local', endpoint: this.emulator.endpoint });
    } catch (error) {
      await this.emulator.stop();
      throw error;
    }
  }

  /** Counts the requests in flight, for AfterAnswers (only when the emulator runs). */
  onModuleInit(): void {
    if (!this.emulator) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // An aborted request may also be answered later: counted out once.
    const open = new WeakSet<object>();
    const answered = (request: object) => {
      if (open.delete(request)) this.afterAnswers.answered();
    };
    fastify.addHook('onRequest', (request, _reply, done) => {
      open.add(request);
      this.afterAnswers.started();
      done();
    });
    fastify.addHook('onResponse', (request, _reply, done) => {
      answered(request);
      done();
    });
    fastify.addHook('onRequestAbort', (request, done) => {
      answered(request);
      done();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.emulator?.stop();
  }
}
