import { Field, ID, Int, ObjectType, createUnionType } from '@nestjs/graphql';
import { CodeDelivery } from '../../common/models/code-delivery.model';

@ObjectType({ description: 'The account that `register` created.' })
export class RegisterResult {
  @Field({ description: 'The username the account signs in with.' })
  username: string;

  @Field(() => ID, { description: "The user's permanent id (Cognito `sub`); `User.id` once signed in." })
  userSub: string;

  @Field({ description: 'False until the account is confirmed with `confirmRegistration`.' })
  userConfirmed: boolean;

  @Field(() => CodeDelivery, { nullable: true, description: 'Where the confirmation code was sent, when one was.' })
  codeDelivery: CodeDelivery | null;
}

@ObjectType({ description: 'The tokens of a signed-in session.' })
export class AuthTokens {
  @Field({ description: 'Send as `Authorization: Bearer <accessToken>` to call signed-in operations such as `me`.' })
  accessToken: string;

  @Field({ description: "The OpenID Connect ID token, with the user's profile claims." })
  idToken: string;

  @Field(() => String, {
    nullable: true,
    description: 'Gets new tokens from `refreshTokens`. Null when refreshing, unless the pool rotates refresh tokens.',
  })
  refreshToken: string | null;

  @Field(() => Int, { description: 'Seconds until the access and ID tokens expire.' })
  expiresIn: number;

  @Field({ description: 'Always "Bearer".' })
  tokenType: string;
}

@ObjectType({ description: 'One parameter of a sign-in challenge.' })
export class ChallengeParameter {
  @Field({ description: 'Parameter name, as Cognito gives it (e.g. USER_ID_FOR_SRP, requiredAttributes).' })
  name: string;

  @Field({ description: 'Parameter value.' })
  value: string;
}

@ObjectType({ description: 'Cognito needs one more step before it issues tokens.' })
export class AuthChallenge {
  @Field({ description: 'The challenge, e.g. NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, MFA_SETUP.' })
  name: string;

  @Field({ description: 'Opaque session to send back with the answer to the challenge.' })
  session: string;

  @Field(() => [ChallengeParameter], { description: 'What Cognito says about the challenge.' })
  parameters: ChallengeParameter[];
}

export const AuthResult = createUnionType({
  name: 'AuthResult',
  description: 'Either the tokens of a new session, or a challenge to answer first.',
  types: () => [AuthTokens, AuthChallenge] as const,
  resolveType: (value: AuthTokens | AuthChallenge) => ('accessToken' in value ? AuthTokens : AuthChallenge),
});
