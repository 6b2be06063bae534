import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsNotEmpty, IsString, Length, Matches, MaxLength, ValidateBy } from 'class-validator';

// Cognito's own limits and patterns, checked here so bad input never costs a round trip.
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const USERNAME_RULE = 'must be 1 to 128 letters, digits or symbols, without spaces';
const CODE = /^\S{1,2048}$/;
// Cognito's refresh tokens are JWEs (5 base64url segments); the emulator's are JWTs (3).
const REFRESH_TOKEN = /^[\w-]+(?:\.[\w-]+){2}(?:(?:\.[\w-]+){2})?$/;

export const MAX_USERNAME_LENGTH = 128;
/** RFC 5321's longest address; also the longest name the rate limiter counts (a username or an address). */
export const MAX_EMAIL_LENGTH = 254;
/** Every string argument, whatever its field: a bound for those without a tighter one (validation.ts). */
export const MAX_INPUT_LENGTH = 16384;

// C0 and C1 controls (CR, LF, ESC, NUL…) and the Unicode line and paragraph separators: none
// belongs in a name, an address, a code or a token, and each can break a log line or a header.
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/gu;

export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** `value` with each control character written as `\uXXXX`: one log line stays one line. */
export function escapeControlCharacters(value: string): string {
  return value.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * At most `max` characters both as given and after NFKC, the form the rate limiter counts:
 * NFKC expands some characters 18-fold (U+FDFA). The raw length is checked first, so a long
 * input is refused without the cost of normalising it.
 */
export function fitsLength(value: string, max: number): boolean {
  return value.length <= max && value.normalize('NFKC').length <= max;
}

function FitsLength(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'fitsLength',
    validator: {
      validate: (value) => typeof value === 'string' && fitsLength(value, max),
      defaultMessage: (args) => `${args?.property} must be at most ${max} characters, also once normalised (NFKC)`,
    },
  });
}

export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, MAX_USERNAME_LENGTH, { message: `username ${USERNAME_RULE}` }),
    FitsLength(MAX_USERNAME_LENGTH),
    Matches(USERNAME, { message: `username ${USERNAME_RULE}` }),
  );
}

export function IsEmailAddress(): PropertyDecorator {
  return applyDecorators(IsEmail({}, { message: 'email must be a valid email address' }), FitsLength(MAX_EMAIL_LENGTH));
}

/** A code the user received (email, SMS or authenticator app). */
export function IsCode(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(CODE, { message: ({ property }) => `${property} must be the code you received, without spaces` }),
  );
}

/** Cognito's longest password. */
export const MAX_PASSWORD_LENGTH = 256;

/** Shape only: the password policy is checked where a password is set (IsNewPassword). */
export function IsPassword(): PropertyDecorator {
  return applyDecorators(IsString(), IsNotEmpty(), MaxLength(MAX_PASSWORD_LENGTH));
}

/** Shape only (Cognito checks the rest): garbage is refused before it costs a call to Cognito. */
export function IsRefreshToken(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(MAX_INPUT_LENGTH),
    Matches(REFRESH_TOKEN, { message: ({ property }) => `${property} must be a refresh token from authenticate` }),
  );
}
