import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AccessModule } from './access/access.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { graphqlErrorFormatter, unexpectedErrorLog } from './errors/graphql-errors';
import { GraphiQLModule } from './graphiql/graphiql.module';
import { graphiqlLandingPage } from './graphiql/landing-page';
import { HttpErrorsFilter } from './errors/http-errors.filter';
import { createValidationPipe } from './errors/validation';
import { knownOperationTypes } from './graphql/known-operation-types';
import { MAX_QUERY_TOKENS, queryLimitRules } from './graphql/limits';
import { HealthModule } from './health/health.module';
import { graphqlOutcomePlugin } from './logging/request-log';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { MfaModule } from './mfa/mfa.module';
import { PasswordModule } from './password/password.module';
import { UsersModule } from './users/users.module';
import { UserPoolModule } from './user-pool.module';

export interface AppOptions {
  /** Where to write the generated schema (the committed `schema.gql`); in memory when absent. */
  schemaFile?: string;
  /** More modules (tests add resolvers behind each decorator). */
  extraModules?: Type[];
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        UserPoolModule.forRoot(config),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: options.schemaFile ?? true,
          sortSchema: true,
          // The classic Playground (and Apollo's own page) load from a CDN: src/graphiql serves GraphiQL offline.
          playground: false,
          plugins: [
            // Cache hints serve HTTP caches of GET queries, which an auth API does not want; off,
            // Apollo no longer wraps every field resolver to collect them.
            ApolloServerPluginCacheControlDisabled(),
            graphqlOutcomePlugin(),
            unexpectedErrorLog(),
            config.graphql.ide ? graphiqlLandingPage() : ApolloServerPluginLandingPageDisabled(),
          ],
          introspection: config.graphql.introspection,
          validationRules: [...queryLimitRules(config.graphql.limits), knownOperationTypes],
          parseOptions: { maxTokens: MAX_QUERY_TOKENS },
          // Not used by our clients; off, it is one less way in.
          persistedQueries: false,
          // Off: Apollo's version removes "Did you mean …?" with a regex that rescans the message
          // at each occurrence of the phrase (150 ms for a 64 KB string argument); our formatter
          // removes it from every error, in linear time.
          hideSchemaDetailsFromClientErrors: false,
          // Apollo's defaults, stated because they are part of our security: no batched requests
          // (one request, one operation, so limits and rate limits hold), CSRF prevention on.
          allowBatchedHttpRequests: false,
          csrfPrevention: true,
          includeStacktraceInErrorResponses: false,
          autoTransformHttpErrors: false,
          // Guards run on field resolvers too, so a field can be marked @Groups() (AuthGuard
          // lets unmarked fields through at once).
          fieldResolverEnhancers: ['guards'],
          formatError: graphqlErrorFormatter(config.graphql.suggestions),
        }),
        RedisModule,
        RateLimitModule,
        AccessModule,
        AuthModule,
        PasswordModule,
        UsersModule,
        MfaModule,
        HealthModule,
        ...(config.graphql.ide ? [GraphiQLModule] : []),
        ...(options.extraModules ?? []),
      ],
      providers: [
        { provide: APP_PIPE, useValue: createValidationPipe(config.passwordPolicy) },
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
      ],
    };
  }
}
