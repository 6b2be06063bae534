import { applyDecorators } from '@nestjs/common';
import { ValidateBy } from 'class-validator';
import type { PasswordPolicy } from '../config/config';
import { IsPassword } from './input-rules';

// The characters Cognito counts as symbols (a space too, when it is neither first nor last).
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/**
 * What is wrong with a password under Cognito's rules. We check it ourselves so that every pool,
 * the emulator included (which stores the policy but does not enforce it), gives the same answer.
 */
export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  const chars = [...password];
  const problems: string[] = [];
  if (chars.length < policy.minimumLength) problems.push(`must be at least ${policy.minimumLength} characters long`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) problems.push('must contain a lowercase letter');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) problems.push('must contain an uppercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('must contain a digit');
  if (policy.requireSymbols && !chars.some((c) => SYMBOLS.has(c))) {
    problems.push('must contain a symbol such as ! @ # $ % ^ & *');
  }
  if (password !== password.trim()) problems.push('must not begin or end with a space');
  return problems;
}

/** Input classes (their prototypes) → the properties that set a password. */
const NEW_PASSWORDS = new WeakMap<object, string[]>();

/**
 * A password being set: its shape, as IsPassword, and the pool's policy. The policy is read from
 * the configuration at run time, which a class-validator decorator cannot see, so this marks the
 * property and the validation pipe (errors/validation.ts) checks it together with every other
 * rule: one answer lists every field's problems.
 */
export function IsNewPassword(): PropertyDecorator {
  return applyDecorators(IsPassword(), (target: object, property: string | symbol) => {
    NEW_PASSWORDS.set(target, [...(NEW_PASSWORDS.get(target) ?? []), String(property)]);
  });
}

/** The properties of `input` marked IsNewPassword, its parent classes' included. */
export function newPasswordProperties(input: object): string[] {
  const found: string[] = [];
  for (
    let proto = Object.getPrototypeOf(input) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    found.push(...(NEW_PASSWORDS.get(proto) ?? []));
  }
  return found;
}

/** changePassword's new password: not the current one (its `currentPassword`). */
export function DiffersFromCurrentPassword(): PropertyDecorator {
  return ValidateBy({
    name: 'differsFromCurrentPassword',
    validator: {
      validate: (value, args) => value !== (args?.object as { currentPassword?: unknown }).currentPassword,
      defaultMessage: () => 'must differ from the current password',
    },
  });
}
