import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { createApp } from './app';
import { ConfigError, parseConfig } from './config/config';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  // In development the code-first schema is written where it is committed, for clients and codegen.
  const app = await createApp(config, {
    schemaFile: config.production ? undefined : join(process.cwd(), 'schema.gql'),
  });
  // app.close() runs the shutdown hooks (the embedded emulator stops); then a clean exit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void app.close().then(() => process.exit(0)));
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
