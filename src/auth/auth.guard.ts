import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { TokenVerifier } from '../cognito/token-verifier';
import { UnauthenticatedError } from '../errors/app-errors';
import { GraphQLContext } from './graphql-context';

const BEARER = /^Bearer +([^\s]+) *$/i;

/** Lets a resolver run only for a caller with a valid access token of our pool. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = GqlExecutionContext.create(context).getContext<GraphQLContext>();
    // Several guarded fields in one request share one verification and one user object.
    ctx.verifying ??= this.verifier.verify(bearerToken(ctx.req.headers.authorization));
    ctx.user = await ctx.verifying;
    return true;
  }
}

function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthenticatedError('Sign in first: send the header "Authorization: Bearer <access token>"');
  const match = BEARER.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <access token>"');
  return match[1];
}
