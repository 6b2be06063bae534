import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A signed-in user.' })
export class User {
  @Field(() => ID, { description: "The user's permanent id (Cognito `sub`), from the access token." })
  id: string;

  @Field({ description: 'The username, from the access token.' })
  username: string;

  @Field(() => String, { nullable: true, description: "The user's email address, from the user pool." })
  email?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the email address is verified, from the user pool.' })
  emailVerified?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Display name, from the user pool.' })
  name?: string | null;

  @Field(() => [String], { description: "The user's groups (`cognito:groups`), from the access token." })
  groups: string[];
}
