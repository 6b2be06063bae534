import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { ValidatorOptions } from 'class-validator';
import { hasControlCharacter, MAX_INPUT_LENGTH, MAX_PASSWORD_LENGTH } from '../common/input-rules';
import { newPasswordProperties, passwordProblems } from '../common/password-policy';
import type { PasswordPolicy } from '../config/config';
import { BadUserInputError, InvalidField } from './app-errors';

/**
 * Validates every GraphQL input with class-validator. Nest's default answer is a BAD_REQUEST
 * HttpException; ours is BAD_USER_INPUT listing each field and what is wrong with it, all fields
 * in one answer: the shared string rule below, class-validator's rules and the password policy.
 */
export function createValidationPipe(policy: PasswordPolicy): ValidationPipe {
  return new InputValidationPipe(policy, {
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => BadUserInputError.forFields(flatten(errors)),
  });
}

class InputValidationPipe extends ValidationPipe {
  constructor(
    private readonly policy: PasswordPolicy,
    options: ValidationPipeOptions,
  ) {
    super(options);
  }

  /**
   * First one rule for every string of every argument, DTO or bare (signOut's `refreshToken`): no
   * control characters, at most MAX_INPUT_LENGTH characters. A control character is answered
   * together with the problems of the other fields; an overlong string at once, since that bound
   * is what keeps the work of class-validator's rules (and their normalising of strings) small
   * whatever a caller sends. (The password policy has its own, smaller bound: see validate.)
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // GraphQL arguments reach pipes as `body`; our own parameter decorators (@CurrentUser) as `custom`.
    const faults = metadata.type === 'body' ? stringFaults(value, metadata.data ?? 'value', true) : [];
    const fields = faults.map(describeFault);
    if (faults.some((f) => f.overlong)) throw BadUserInputError.forFields(fields);
    const transformed: unknown = await super.transform(value, metadata).catch((error: unknown) => {
      if (fields.length > 0 && error instanceof BadUserInputError) {
        throw BadUserInputError.forFields(merged(fields, error.fields));
      }
      throw error;
    });
    if (fields.length > 0) throw BadUserInputError.forFields(fields);
    return transformed;
  }

  /**
   * class-validator's rules, then the password policy of each property marked IsNewPassword (of a
   * password of a length Cognito takes: a longer one is told that alone).
   */
  protected override async validate(input: object, options?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(input, options);
    for (const property of newPasswordProperties(input)) {
      const value = (input as Record<string, unknown>)[property];
      if (typeof value !== 'string' || value.length > MAX_PASSWORD_LENGTH) continue;
      const problems = passwordProblems(value, this.policy);
      if (problems.length === 0) continue;
      const policy = Object.fromEntries(problems.map((problem, i) => [`passwordPolicy${i}`, problem]));
      const error = errors.find((e) => e.property === property);
      // Never the value: it is a password.
      if (error) error.constraints = { ...error.constraints, ...policy };
      else errors.push({ property, constraints: policy, children: [] });
    }
    return errors;
  }
}

interface StringFault {
  field: string;
  control: boolean;
  overlong: boolean;
}

/**
 * Every string in `value` that breaks the shared rule, walked through objects and lists. Fields
 * are named as class-validator names them: from the input object's properties down (`email`,
 * `items.0.name`); a bare argument by its own name.
 */
function stringFaults(value: unknown, field: string, top = false): StringFault[] {
  if (typeof value === 'string') {
    const fault = { field, control: hasControlCharacter(value), overlong: value.length > MAX_INPUT_LENGTH };
    return fault.control || fault.overlong ? [fault] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const path = (key: string) => (top ? key : `${field}.${key}`);
  return Object.entries(value).flatMap(([key, child]) => stringFaults(child, path(key)));
}

function describeFault({ field, control, overlong }: StringFault): InvalidField {
  return {
    field,
    problems: [
      ...(control ? [`${field} must not contain control characters`] : []),
      ...(overlong ? [`${field} must be at most ${MAX_INPUT_LENGTH} characters`] : []),
    ],
  };
}

function flatten(errors: ValidationError[], parent = ''): InvalidField[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** One entry a field, in the order first named, its problems in the order found, each once. */
function merged(...lists: InvalidField[][]): InvalidField[] {
  const byField = new Map<string, string[]>();
  for (const { field, problems } of lists.flat()) byField.set(field, [...(byField.get(field) ?? []), ...problems]);
  return [...byField].map(([field, problems]) => ({ field, problems: [...new Set(problems)] }));
}
