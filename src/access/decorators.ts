import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'auth:public';
export const GROUPS = 'auth:groups';

export interface PublicOptions {
  /**
   * The resolver reads the caller when a token is sent (with @CurrentUser()): the token is then
   * verified, and a bad one is refused. Otherwise any token sent is ignored, so that a client
   * whose token expired can still sign in, refresh or reset its password.
   */
  optionalUser?: boolean;
}

/** Opens a resolver to callers who are not signed in (every resolver is closed by default). */
export const Public = (options: PublicOptions = {}) => SetMetadata(PUBLIC, options);

/**
 * Only for users in at least one of these groups (`cognito:groups`); on a resolver, a class or a
 * field. It always needs a signed-in user, even beside @Public().
 */
export const Groups = (...groups: [string, ...string[]]) => SetMetadata(GROUPS, groups);
