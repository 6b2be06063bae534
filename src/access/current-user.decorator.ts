import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { GraphQLContext } from '../common/graphql-context';
import { TokenUser } from '../common/token-user';

/**
 * The caller that AuthGuard verified: always set on resolvers that are not @Public(); on a public
 * one, set only when the caller sent a (valid) token.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TokenUser | undefined =>
    GqlExecutionContext.create(context).getContext<GraphQLContext>().user,
);
