import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { hasControlCharacter, MAX_INPUT_LENGTH } from '../common/input-rules';
import { BadUserInputError, InvalidField } from './app-errors';

/**
 * Validates every GraphQL input with class-validator. Nest's default answer is a BAD_REQUEST
 * HttpException; ours is BAD_USER_INPUT listing each field and what is wrong with it.
 * Before that, one rule for every string of every argument, DTO or bare (signOut's
 * `refreshToken`): no control characters, at most MAX_INPUT_LENGTH characters.
 */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => BadUserInputError.forFields(flatten(errors)),
  });
}

class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // GraphQL arguments reach pipes as `body`; our own parameter decorators (@CurrentUser) as `custom`.
    if (metadata.type === 'body') {
      const fields = stringProblems(value, metadata.data ?? 'value', true);
      if (fields.length > 0) throw BadUserInputError.forFields(fields);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Every string in `value`, walked through objects and lists, checked against the shared rule.
 * Fields are named as class-validator names them: from the input object's properties down
 * (`email`, `items.0.name`); a bare argument by its own name.
 */
function stringProblems(value: unknown, field: string, top = false): InvalidField[] {
  if (typeof value === 'string') {
    const problems = [
      ...(hasControlCharacter(value) ? [`${field} must not contain control characters`] : []),
      ...(value.length > MAX_INPUT_LENGTH ? [`${field} must be at most ${MAX_INPUT_LENGTH} characters`] : []),
    ];
    return problems.length > 0 ? [{ field, problems }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const path = (key: string) => (top ? key : `${field}.${key}`);
  return Object.entries(value).flatMap(([key, child]) => stringProblems(child, path(key)));
}

function flatten(errors: ValidationError[], parent = ''): InvalidField[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
