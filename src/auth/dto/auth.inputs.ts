import { applyDecorators } from '@nestjs/common';
import { Field, InputType } from '@nestjs/graphql';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

// Cognito's own limits and username pattern, checked here so bad input never costs a round trip.
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const USERNAME_RULE = 'must be 1 to 128 letters, digits or symbols, without spaces';
const CODE = /^\S{1,2048}$/;

function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, 128, { message: `username ${USERNAME_RULE}` }),
    Matches(USERNAME, { message: `username ${USERNAME_RULE}` }),
  );
}

@InputType({ description: 'A new account.' })
export class RegisterInput {
  @Field({ description: 'The name to sign in with: 1 to 128 characters, no spaces.' })
  @IsUsername()
  username: string;

  @Field({ description: 'Where the confirmation code is sent.' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @Field({
    description:
      "Must meet the pool's password policy (by default: 8+ characters with lower and upper case, a digit and a symbol).",
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
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
  @IsString()
  @Matches(CODE, { message: 'code must be the code you received, without spaces' })
  code: string;
}

@InputType({ description: 'Username and password.' })
export class AuthenticateInput {
  @Field({ description: 'The username given to `register`.' })
  @IsUsername()
  username: string;

  @Field({ description: 'The password.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password: string;
}

@InputType({ description: 'A refresh token from `authenticate`.' })
export class RefreshTokensInput {
  @Field({ description: 'The refresh token.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(16384)
  refreshToken: string;

  @Field({ nullable: true, description: 'Required only when the app client has a secret (for its SECRET_HASH).' })
  @IsOptional()
  @IsUsername()
  username?: string;
}
