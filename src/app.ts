import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, AppOptions } from './app.module';
import { AppConfig } from './config/config';
import { guardHttpServer, httpServerOptions } from './http/http-server';
import { logEveryRequest, requestIds } from './logging/request-log';

/** Builds the server (main.ts and the tests share this); the caller decides when to listen. */
export async function createApp(
  config: AppConfig,
  options: AppOptions & { logger?: LoggerService | false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    new FastifyAdapter({
      ...httpServerOptions(config.http),
      bodyLimit: config.graphql.bodyLimitBytes,
      trustProxy: config.trustProxy,
      // No Nest middleware here: without middie, no request walks an empty middleware chain.
      skipMiddie: true,
      genReqId: requestIds(config.trustProxy !== false),
    }),
    {
      logger: options.logger,
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  logEveryRequest(fastify);
  guardHttpServer(fastify, app.getHttpServer(), config.http);
  return app;
}
