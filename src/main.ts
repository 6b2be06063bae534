import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, parseConfig } from './config/config';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const app = await createApp(config);
  // app.close() runs the shutdown hooks (the embedded emulator stops); then a clean exit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('The server did not close cleanly:', error instanceof Error ? error.message : error);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.port, config.host);
  new Logger('Main').log(`GraphQL API ready at ${(await app.getUrl()).replace('[::1]', 'localhost')}/graphql`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\nSee the configuration table in README.md.`);
  } else {
    console.error('The server could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
