import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { createApp } from './app';
import { AppConfig, ConfigError, parseConfig } from './config/config';
import { createLogger } from './logging/logger';
import { PinoNestLogger } from './logging/nest-logger';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const app = await createApp(config, { logger: new PinoNestLogger(createLogger(config.logging)) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => shutDown(app, config, signal));
  }
  await app.listen(config.port, config.host);
  new Logger('Main').log(`GraphQL API ready at ${(await app.getUrl()).replace('[::1]', 'localhost')}/graphql`);
}

/**
 * app.close() closes the HTTP server first (Fastify stops accepting, answers the requests in flight,
 * closes idle connections), then runs the shutdown hooks that stop the embedded emulator. A request
 * stuck past the deadline does not keep the process up.
 */
function shutDown(app: INestApplication, config: AppConfig, signal: string): void {
  const logger = new Logger('Main');
  logger.log(`${signal}: finishing the requests in flight, then stopping`);
  const deadline = setTimeout(() => {
    logger.error(`Still stopping after ${config.shutdownTimeoutMs} ms: exiting anyway`);
    process.exit(1);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error(`The server did not close cleanly: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\nSee the configuration table in README.md.`);
  } else {
    console.error('The server could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
