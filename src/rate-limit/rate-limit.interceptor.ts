import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Observable, catchError, from, switchMap } from 'rxjs';
import { GraphQLContext } from '../auth/graphql-context';
import { CodeExpiredError, CodeMismatchError, UnauthenticatedError } from '../errors/app-errors';
import { RATE_LIMIT, RateLimitKind } from './rate-limit.decorator';
import { RateLimiter } from './rate-limiter.service';

/**
 * Applies the rate limits to resolvers marked @RateLimit(). It runs per field, so each alias of a
 * mutation in one request counts as one more call.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const kind = this.reflector.get<RateLimitKind | undefined>(RATE_LIMIT, context.getHandler());
    if (!kind) return next.handle();
    const gql = GqlExecutionContext.create(context);
    const { req } = gql.getContext<GraphQLContext>();
    const username = gql.getArgs<{ input?: { username?: unknown } }>().input?.username;
    const name = typeof username === 'string' ? username : undefined;

    return from(this.limiter.beforeCall(kind, req.ip, name)).pipe(
      switchMap(() => next.handle()),
      catchError(async (error: unknown) => {
        if (name !== undefined && isWrongSecret(error)) await this.limiter.failed(name);
        throw error;
      }),
    );
  }
}

function isWrongSecret(error: unknown): boolean {
  return (
    error instanceof UnauthenticatedError || error instanceof CodeMismatchError || error instanceof CodeExpiredError
  );
}
