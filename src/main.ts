import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app';
import { DevelopmentFeature, requireInstalled } from './common/development-packages';
import { AppConfig, ConfigError, parseConfig } from './config/config';
import { StartupError } from './common/startup-error';
import { GRAPHIQL } from './graphiql/assets';
import { EMBEDDED_EMULATOR } from './local-cognito/emulator';
import { createLogger, PRETTY_LOGS } from './logging/logger';
import { PinoNestLogger } from './logging/nest-logger';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  // A production install (npm ci --omit=dev) has none of these: say so now, all at once.
  requireInstalled(developmentFeatures(config));
  const app = await createApp(config, { logger: new PinoNestLogger(createLogger(config.logging)) });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // One shutdown, whatever comes after the first signal: a second one must not kill the requests
    // in flight (the deadline below still bounds the wait).
    process.on(signal, () => {
      if (stopping) {
        new Logger('Main').warn(`${signal} again: already stopping`);
      } else {
        stopping = true;
        shutDown(app, config, signal);
      }
    });
  }
  await app.listen(config.port, config.host);
  new Logger('Main').log(`GraphQL API ready at ${(await app.getUrl()).replace('[::1]', 'localhost')}/graphql`);
}

/** What this configuration uses of the development-only packages. */
function developmentFeatures(config: AppConfig): DevelopmentFeature[] {
  return [
    ...(config.logging.format === 'pretty' ? [PRETTY_LOGS] : []),
    ...(config.cognito.kind === 'embedded' ? [EMBEDDED_EMULATOR] : []),
    ...(config.graphql.ide ? [GRAPHIQL] : []),
  ];
}

/**
 * HTTP first, under our own deadline: Fastify stops accepting, answers the requests in flight and
 * closes idle connections. Only then app.close(), which stops Apollo and the embedded emulator.
 * (Left to app.close(), Apollo's Fastify drain plugin would close HTTP with its own fixed 10 s.)
 */
function shutDown(app: NestFastifyApplication, config: AppConfig, signal: string): void {
  const logger = new Logger('Main');
  logger.log(`${signal}: finishing the requests in flight, then stopping`);
  const deadline = setTimeout(() => {
    logger.error(`Still stopping after ${config.shutdownTimeoutMs} ms: exiting anyway`);
    process.exit(1);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  app
    .getHttpAdapter()
    .getInstance()
    .close()
    .then(() => app.close())
    .then(
      () => {
        // The last line: an operator (or a developer at Ctrl-C) knows it ended well, and when.
        logger.log('Stopped: the requests in flight were answered and everything is closed');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`The server did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\nSee the configuration table in README.md.`);
  } else if (error instanceof StartupError) {
    // It says what failed and what to do; printed once, alone (the emulator's port in use, a package missing).
    console.error(error.message);
  } else {
    console.error('The server could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
