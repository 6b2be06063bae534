import { CanActivate, ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { TokenVerifier } from '../cognito/token-verifier';
import { ForbiddenError } from '../errors/app-errors';
import { SessionsService } from '../sessions/sessions.service';
import { bearerToken, hasAuthorization } from './bearer-token';
import { GROUPS, PUBLIC, PublicOptions } from './decorators';
import { GraphQLContext } from '../common/graphql-context';
import { TokenUser } from '../common/token-user';

interface AccessRules {
  publicOptions?: PublicOptions;
  groups?: string[];
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The global guard: every resolver needs a caller with a valid access token of our pool, whose
 * session has not ended, unless it is @Public(); @Groups() narrows it further. A field of an
 * object type is checked only when it is marked: its parent was checked already.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly rules = new WeakMap<object, Map<object, AccessRules>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<GqlContextType>() !== 'graphql') {
      // HTTP routes carry no user: a route is open only when it says so (health checks).
      if (this.reflector.getAllAndOverride(PUBLIC, [context.getHandler(), context.getClass()])) return true;
      throw new NotFoundException();
    }
    const { publicOptions, groups } = this.accessRules(context);
    const gql = GqlExecutionContext.create(context);
    if (!groups && !publicOptions && !ROOT_TYPES.has(gql.getInfo<{ parentType: { name: string } }>().parentType.name)) {
      return true;
    }

    const ctx = gql.getContext<GraphQLContext>();
    if (!groups && publicOptions && !(publicOptions.optionalUser && hasAuthorization(ctx.req))) return true;
    const user = await this.authenticate(ctx);
    if (groups && !groups.some((group) => user.groups.includes(group))) {
      throw new ForbiddenError('You are not allowed to do this');
    }
    return true;
  }

  /**
   * Decorators are fixed once the app is built: read them once per resolver rather than per call.
   * Keyed by class, then handler, as a subclass may inherit a handler under different class rules.
   */
  private accessRules(context: ExecutionContext): AccessRules {
    const [handler, type] = [context.getHandler(), context.getClass()];
    const rulesOfType = this.rules.get(type) ?? this.rules.set(type, new Map()).get(type)!;
    let rules = rulesOfType.get(handler);
    if (!rules) {
      rules = {
        publicOptions: this.reflector.getAllAndOverride<PublicOptions | undefined>(PUBLIC, [handler, type]),
        groups: this.reflector.getAllAndOverride<string[] | undefined>(GROUPS, [handler, type]),
      };
      rulesOfType.set(handler, rules);
    }
    return rules;
  }

  /**
   * Several guarded fields of one request share one token verification; whether the session is
   * still on is asked for each, since a mutation earlier in the same request may have ended it.
   */
  private async authenticate(ctx: GraphQLContext): Promise<TokenUser> {
    ctx.verifying ??= this.verifier.verify(bearerToken(ctx.req));
    const user = await ctx.verifying;
    this.sessions.assertActive(user);
    ctx.user = user;
    return user;
  }
}
