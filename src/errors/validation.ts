import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadUserInputError, InvalidField } from './app-errors';

/**
 * Validates every GraphQL input with class-validator. Nest's default answer is a BAD_REQUEST
 * HttpException; ours is BAD_USER_INPUT listing each field and what is wrong with it.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => BadUserInputError.forFields(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): InvalidField[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
