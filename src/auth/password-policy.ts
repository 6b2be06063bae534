import { PasswordPolicy } from '../config/config';
import { BadUserInputError } from '../errors/app-errors';

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

/** Refuses, as BAD_USER_INPUT on `field`, a password that breaks the policy. */
export function assertPasswordPolicy(password: string, policy: PasswordPolicy, field: string): void {
  const problems = passwordProblems(password, policy);
  if (problems.length > 0) throw BadUserInputError.forFields([{ field, problems }]);
}
