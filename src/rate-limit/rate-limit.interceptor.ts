import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { Observable, catchError, from, mergeMap, switchMap } from 'rxjs';
import { GraphQLContext } from '../common/graphql-context';
import { CodeExpiredError, CodeMismatchError, UnauthenticatedError } from '../errors/app-errors';
import type { RateLimitKind, RateLimitRule } from './rate-limit-rule';
import { RateLimiter } from './rate-limiter.service';

export const RATE_LIMIT = 'rate-limit:rule';

/**
 * Applies the rate limits to resolvers marked @RateLimit(). It runs per field, so each alias of a
 * mutation in one request counts as one more call. It runs after the guard (the signed-in user
 * is known) and before input validation (so refused input is counted, then taken back; the
 * limiter counts a name only in a fixed-size hash, and only one short enough to be valid).
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rule = this.reflector.get<RateLimitRule | undefined>(RATE_LIMIT, context.getHandler());
    const gql = GqlExecutionContext.create(context);
    const args = gql.getArgs<{ input?: { username?: unknown; email?: unknown } }>();
    if (!rule || (rule.appliesTo && !rule.appliesTo(args))) return next.handle();
    const { kind } = rule;
    const { req, user } = gql.getContext<GraphQLContext>();
    const subjects = [args.input?.username, args.input?.email, user?.username].filter(
      (s): s is string => typeof s === 'string',
    );

    return from(this.limiter.begin(kind, clientAddress(req), subjects)).pipe(
      switchMap((ticket) =>
        next.handle().pipe(
          mergeMap(async (result: unknown) => {
            await this.limiter.settle(ticket, kind === 'send');
            return result;
          }),
          catchError(async (error: unknown) => {
            await this.limiter.settle(ticket, failureCounts(kind, error));
            throw error;
          }),
        ),
      ),
    );
  }
}

/**
 * The client's IP: Fastify's `request.ip` (from X-Forwarded-For when TRUST_PROXY says so), or
 * the socket's peer when that is not an IP address at all (junk in the header), so that what
 * a client writes never becomes a key.
 */
export function clientAddress(req: FastifyRequest): string {
  return isIP(req.ip) ? req.ip : (req.socket.remoteAddress ?? '');
}

/** Whether a call that failed keeps its counts: a wrong secret does, as does any failed refresh. */
function failureCounts(kind: RateLimitKind, error: unknown): boolean {
  if (kind === 'refresh') return true;
  return (
    kind === 'attempt' &&
    (error instanceof UnauthenticatedError || error instanceof CodeMismatchError || error instanceof CodeExpiredError)
  );
}
