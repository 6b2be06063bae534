import { Module } from '@nestjs/common';
import { Field, ObjectType, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentUser } from '../../src/access/current-user.decorator';
import { Groups, Public } from '../../src/access/decorators';
import { TokenUser } from '../../src/common/token-user';

// Test-only resolvers behind each authorization decorator (added to the app by authorization.e2e-spec.ts).

@ObjectType({ description: 'An object with one field for everyone and one for admins.' })
export class Report {
  @Field({ description: 'Anyone who may read the report sees this.' })
  summary: string;

  @Field({ description: 'Only admins see this.' })
  salaries: string;
}

@Resolver(() => Report)
export class OpenResolver {
  @Public({ optionalUser: true })
  @Query(() => String, { description: 'Public; greets the caller by name when a valid token is sent.' })
  greeting(@CurrentUser() user?: TokenUser): string {
    return user ? `hello ${user.username}` : 'hello stranger';
  }

  @Query(() => String, { description: 'Any signed-in user (the default).' })
  signedInOnly(@CurrentUser() user: TokenUser): string {
    return `signed in as ${user.username}`;
  }

  @Groups('admin')
  @Query(() => String, { description: 'Admins only.' })
  adminOnly(): string {
    return 'admin area';
  }

  @Query(() => Report, { description: 'Any signed-in user; one field is for admins.' })
  report(): Pick<Report, 'summary'> {
    return { summary: 'all is well' };
  }

  @Groups('admin')
  @ResolveField(() => String)
  salaries(): string {
    return 'secret figures';
  }
}

@Public()
@Resolver()
export class MostlyOpenResolver {
  @Query(() => String, { description: 'Public, from the class.' })
  lobby(): string {
    return 'lobby';
  }

  @Groups('admin')
  @Query(() => String, { description: 'Admins only, though the class is public.' })
  vault(): string {
    return 'vault';
  }
}

@Groups('staff', 'admin')
@Resolver()
export class StaffResolver {
  @Query(() => String, { description: 'Staff or admins, from the class.' })
  staffRoom(): string {
    return 'staff room';
  }
}

@Module({ providers: [OpenResolver, MostlyOpenResolver, StaffResolver] })
export class AuthorizationTestModule {}
