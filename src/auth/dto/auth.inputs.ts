import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCode, IsEmailAddress, IsPassword, IsRefreshToken, IsUsername } from '../../common/input-rules';
import { IsNewPassword } from '../../common/password-policy';

@InputType({ description: 'A new account.' })
export class RegisterInput {
  @Field({ description: 'The name to sign in with: 1 to 128 characters, no spaces.' })
  @IsUsername()
  username: string;

  @Field({ description: 'Where the confirmation code is sent.' })
  @IsEmailAddress()
  email: string;

  @Field({
    description:
      "Must meet the pool's password policy (by default: 8+ characters with lower and upper case, a digit and a symbol).",
  })
  @IsNewPassword()
  password: string;

  @Field({ nullable: true, description: 'Display name (optional).' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  name?: string;
}

@InputType({ description: 'The code sent after `register`.' })
export class ConfirmRegistrationInput {
  @Field({ description: 'The username given to `register`.' })
  @IsUsername()
  username: string;

  @Field({ description: 'The code from the email.' })
  @IsCode()
  code: string;
}

@InputType({ description: 'Username and password.' })
export class AuthenticateInput {
  @Field({ description: 'The username given to `register`.' })
  @IsUsername()
  username: string;

  @Field({ description: 'The password.' })
  @IsPassword()
  password: string;
}

@InputType({ description: 'A refresh token from `authenticate`.' })
export class RefreshTokensInput {
  @Field({ description: 'The refresh token.' })
  @IsRefreshToken()
  refreshToken: string;

  @Field({ nullable: true, description: 'Required only when the app client has a secret (for its SECRET_HASH).' })
  @IsOptional()
  @IsUsername()
  username?: string;
}

/** What every challenge answer carries. */
@InputType({ isAbstract: true })
class ChallengeAnswerInput {
  @Field({ description: 'The username given to `authenticate`.' })
  @IsUsername()
  username: string;

  @Field({ description: 'The `session` of the challenge, exactly as received.' })
  @IsString()
  @Length(1, 4096)
  session: string;
}

@InputType({ description: 'The answer to a NEW_PASSWORD_REQUIRED challenge.' })
export class NewPasswordChallengeInput extends ChallengeAnswerInput {
  @Field({ description: "The new password; it must meet the pool's password policy." })
  @IsNewPassword()
  newPassword: string;
}

@InputType({ description: 'The answer to an MFA challenge (SMS_MFA, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP).' })
export class MfaChallengeInput extends ChallengeAnswerInput {
  @Field({
    description:
      'The code from the SMS or the authenticator app; for SELECT_MFA_TYPE, the chosen type (SMS_MFA or SOFTWARE_TOKEN_MFA).',
  })
  @IsCode()
  code: string;
}
