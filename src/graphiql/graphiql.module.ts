import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { GraphiQLController } from './graphiql.controller';

/** Serves the GraphiQL page's assets; imported only when the IDE is on (GRAPHQL_IDE), else they are 404s. */
@Module({ controllers: [GraphiQLController] })
export class GraphiQLModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * The page's own CSP is a <meta> tag (Apollo writes the response), and a meta tag cannot forbid
   * framing: these headers keep another site from showing the page in a frame (clickjacking).
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (String(reply.getHeader('content-type')).startsWith('text/html')) {
        reply.header('content-security-policy', "frame-ancestors 'none'").header('x-frame-options', 'DENY');
      }
      return payload;
    });
  }
}
