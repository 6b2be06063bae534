import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Observable, catchError, from, mergeMap, switchMap } from 'rxjs';
import { GraphQLContext } from '../auth/graphql-context';
import { CodeExpiredError, CodeMismatchError, UnauthenticatedError } from '../errors/app-errors';
import type { RateLimitKind } from './rate-limit.decorator';
import { RateLimiter } from './rate-limiter.service';

export const RATE_LIMIT = 'rate-limit:kind';

/**
 * Applies the rate limits to resolvers marked @RateLimit(). It runs per field, so each alias of a
 * mutation in one request counts as one more call. It runs after the guard (the signed-in user
 * is known) and before input validation (so refused input is counted, then taken back).
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
    const { req, user } = gql.getContext<GraphQLContext>();
    const input = gql.getArgs<{ input?: { username?: unknown; email?: unknown } }>().input;
    const subjects = [input?.username, input?.email, user?.username].filter((s): s is string => typeof s === 'string');

    return from(this.limiter.begin(kind, req.ip, subjects)).pipe(
      switchMap((ticket) =>
        next.handle().pipe(
          mergeMap(async (result: unknown) => {
            await this.limiter.settle(ticket, kind === 'send');
            return result;
          }),
          catchError(async (error: unknown) => {
            await this.limiter.settle(ticket, kind === 'attempt' && isWrongSecret(error));
            throw error;
          }),
        ),
      ),
    );
  }
}

function isWrongSecret(error: unknown): boolean {
  return (
    error instanceof UnauthenticatedError || error instanceof CodeMismatchError || error instanceof CodeExpiredError
  );
}
