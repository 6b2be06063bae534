import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser } from '../access/current-user.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { UpdateMeInput, VerifyEmailInput } from './dto/users.inputs';
import { User } from './models/user.model';
import { UsersService } from './users.service';
import { TokenUser } from '../common/token-user';

/**
 * `id`, `username` and `groups` come straight from the verified token; the profile fields cost a
 * call to Cognito, made only when the query asks for one of them, and again after a change.
 */
@Resolver(() => User)
export class UsersResolver {
  constructor(private readonly users: UsersService) {}

  @Query(() => User, { description: 'The signed-in user. Needs `Authorization: Bearer <accessToken>`.' })
  me(@CurrentUser() user: TokenUser): TokenUser {
    return user;
  }

  // A new email gets a code: counted like every call that sends one. A name alone sends none.
  @RateLimit('send', ({ input }) => (input as { email?: unknown } | undefined)?.email != null)
  @Mutation(() => User, {
    description:
      "Changes the signed-in user's email or name. A new email needs `verifyEmail` with the code sent to it.",
  })
  updateMe(
    @CurrentUser() user: TokenUser,
    @Args('input', { description: 'The fields to change.' }) input: UpdateMeInput,
  ): Promise<TokenUser> {
    return this.users.update(user, input);
  }

  @RateLimit('attempt')
  @Mutation(() => User, { description: 'Verifies a new email address with the code sent to it.' })
  verifyEmail(
    @CurrentUser() user: TokenUser,
    @Args('input', { description: 'The code.' }) input: VerifyEmailInput,
  ): Promise<TokenUser> {
    return this.users.verifyEmail(user, input.code);
  }

  @Mutation(() => Boolean, {
    description: "Deletes the signed-in user's account, ending every session. True when done.",
  })
  deleteMe(@CurrentUser() user: TokenUser): Promise<boolean> {
    return this.users.delete(user);
  }

  @ResolveField(() => String, { nullable: true })
  async email(@Parent() user: TokenUser): Promise<string | null> {
    return (await this.users.profile(user)).email;
  }

  @ResolveField(() => Boolean, { nullable: true })
  async emailVerified(@Parent() user: TokenUser): Promise<boolean | null> {
    return (await this.users.profile(user)).emailVerified;
  }

  @ResolveField(() => String, { nullable: true })
  async name(@Parent() user: TokenUser): Promise<string | null> {
    return (await this.users.profile(user)).name;
  }
}
