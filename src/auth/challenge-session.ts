import { BadUserInputError } from '../errors/app-errors';

/**
 * The `session` a client gets with a challenge carries the challenge's name beside Cognito's own
 * session, because the answer must name the challenge and respondToMfaChallenge does not say
 * which MFA it answers. A client that edits it only gets Cognito's refusal.
 */
export function wrapSession(challenge: string, session: string): string {
  return `${challenge}:${session}`;
}

export function unwrapSession(wrapped: string): { challenge: string; session: string } {
  const colon = wrapped.indexOf(':');
  if (colon <= 0)
    throw BadUserInputError.forFields([{ field: 'session', problems: ['is not a session of a challenge'] }]);
  return { challenge: wrapped.slice(0, colon), session: wrapped.slice(colon + 1) };
}
