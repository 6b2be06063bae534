import { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../errors/app-errors';

const BEARER = /^Bearer +([A-Za-z0-9_.=-]+) *$/i;
// Real access tokens are 1-2 KB (more with many groups): anything far larger is refused unread.
// (Node itself refuses a request whose headers pass 16 KB, with 431.)
const MAX_TOKEN_LENGTH = 8 * 1024;

/** Whether the request carries credentials at all (an Authorization header, however many). */
export function hasAuthorization(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined;
}

/**
 * The access token of `Authorization: Bearer <token>` (scheme in any case). Node keeps only the
 * first of several Authorization headers; we refuse such a request rather than guess.
 */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new UnauthenticatedError('Sign in first: send the header "Authorization: Bearer <access token>"');
  if (countAuthorizationHeaders(request.raw.rawHeaders) > 1) {
    throw new UnauthenticatedError('Send one Authorization header, not several');
  }
  const match = BEARER.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <access token>"');
  if (match[1].length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('The access token is not valid');
  return match[1];
}

function countAuthorizationHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 13 && rawHeaders[i].toLowerCase() === 'authorization') count++;
  }
  return count;
}
