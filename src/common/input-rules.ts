import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsString, Length, Matches, MaxLength } from 'class-validator';

// Cognito's own limits and patterns, checked here so bad input never costs a round trip.
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const USERNAME_RULE = 'must be 1 to 128 letters, digits or symbols, without spaces';
const CODE = /^\S{1,2048}$/;

export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, 128, { message: `username ${USERNAME_RULE}` }),
    Matches(USERNAME, { message: `username ${USERNAME_RULE}` }),
  );
}

/** A code the user received (email, SMS or authenticator app). */
export function IsCode(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(CODE, { message: ({ property }) => `${property} must be the code you received, without spaces` }),
  );
}

/** Shape only: the password policy is checked by assertPasswordPolicy where a password is set. */
export function IsPassword(): PropertyDecorator {
  return applyDecorators(IsString(), IsNotEmpty(), MaxLength(256));
}
