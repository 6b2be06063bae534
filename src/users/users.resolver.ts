import { UseGuards } from '@nestjs/common';
import { Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import { TokenUser } from '../cognito/cognito.types';
import { User } from './models/user.model';
import { UsersService } from './users.service';

/**
 * `id`, `username` and `groups` come straight from the verified token; the profile fields cost a
 * call to Cognito, made only when the query asks for one of them.
 */
@Resolver(() => User)
export class UsersResolver {
  constructor(private readonly users: UsersService) {}

  @Query(() => User, { description: 'The signed-in user. Needs `Authorization: Bearer <accessToken>`.' })
  @UseGuards(AuthGuard)
  me(@CurrentUser() user: TokenUser): TokenUser {
    return user;
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
