import { passwordProblems } from '../src/common/password-policy';
import { PasswordPolicy } from '../src/config/config';

const COGNITO_DEFAULT: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

describe('passwordProblems', () => {
  it('accepts a password that meets Cognito default policy', () => {
    expect(passwordProblems('Corr3ct-Horse!', COGNITO_DEFAULT)).toEqual([]);
  });

  it('names each rule a password breaks', () => {
    expect(passwordProblems('abc', COGNITO_DEFAULT)).toEqual([
      'must be at least 8 characters long',
      'must contain an uppercase letter',
      'must contain a digit',
      'must contain a symbol such as ! @ # $ % ^ & *',
    ]);
  });

  it('counts only Cognito symbols, and a space only inside the password', () => {
    expect(passwordProblems('Abcdefg1§', COGNITO_DEFAULT)).toContain('must contain a symbol such as ! @ # $ % ^ & *');
    expect(passwordProblems('Abcdefg1 x', COGNITO_DEFAULT)).toEqual([]);
    expect(passwordProblems(' Abcdef1!', COGNITO_DEFAULT)).toEqual(['must not begin or end with a space']);
  });

  it('follows a relaxed policy', () => {
    const relaxed = { ...COGNITO_DEFAULT, minimumLength: 6, requireSymbols: false, requireUppercase: false };
    expect(passwordProblems('abcde1', relaxed)).toEqual([]);
  });
});
