import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { TokenUser } from '../cognito/cognito.types';
import { GraphQLContext } from './graphql-context';

/** The caller that AuthGuard verified. Use it only on resolvers behind the guard. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TokenUser | undefined =>
    GqlExecutionContext.create(context).getContext<GraphQLContext>().user,
);
