import { Module } from '@nestjs/common';
import { GraphiQLController } from './graphiql.controller';

/** Serves the GraphiQL page's assets; imported only when the IDE is on (GRAPHQL_IDE), else they are 404s. */
@Module({ controllers: [GraphiQLController] })
export class GraphiQLModule {}
