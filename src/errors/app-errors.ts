import { IntrinsicException } from '@nestjs/common';

/**
 * Our own errors. Each carries the stable `extensions.code` that clients switch on and a message
 * meant for the user; graphql-errors.ts is the one place that turns them into GraphQL errors.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'USERNAME_EXISTS'
  | 'USER_NOT_CONFIRMED'
  | 'CODE_MISMATCH'
  | 'CODE_EXPIRED'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

// Intrinsic: Nest's exception handler does not log these; they are answers, not failures.
export abstract class AppError extends IntrinsicException {
  abstract readonly code: ErrorCode;

  /** Extra, safe-to-show fields for `extensions` (never a secret, never an internal message). */
  get details(): Record<string, unknown> {
    return {};
  }
}

export interface InvalidField {
  field: string;
  problems: string[];
}

export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT';

  constructor(
    message: string,
    readonly fields: InvalidField[] = [],
  ) {
    super(message);
  }

  static forFields(fields: InvalidField[]): BadUserInputError {
    const list = fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join('. ');
    return new BadUserInputError(`Invalid input. ${list}`, fields);
  }

  get details() {
    return this.fields.length > 0 ? { fields: this.fields } : {};
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED';
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
}

export class UsernameExistsError extends AppError {
  readonly code = 'USERNAME_EXISTS';
}

export class UserNotConfirmedError extends AppError {
  readonly code = 'USER_NOT_CONFIRMED';
}

export class CodeMismatchError extends AppError {
  readonly code = 'CODE_MISMATCH';
}

export class CodeExpiredError extends AppError {
  readonly code = 'CODE_EXPIRED';
}

export class TooManyRequestsError extends AppError {
  readonly code = 'TOO_MANY_REQUESTS';

  constructor(
    message: string,
    /** When known: how long to wait before trying again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get details() {
    return this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds };
  }
}

export class ServiceUnavailableError extends AppError {
  readonly code = 'SERVICE_UNAVAILABLE';
}

/** Anything we did not expect. The cause is logged on the server and never shown to the client. */
export class InternalServerError extends AppError {
  readonly code = 'INTERNAL_SERVER_ERROR';

  constructor(cause?: unknown) {
    super('Internal server error', { cause });
  }
}
