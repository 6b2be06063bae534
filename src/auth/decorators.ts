import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'auth:public';
export const GROUPS = 'auth:groups';

/**
 * Opens a resolver to callers who are not signed in (every resolver is closed by default). A
 * token that is sent is still verified: the resolver may read the user, and a bad token is refused.
 */
export const Public = () => SetMetadata(PUBLIC, true);

/** Only for users in at least one of these groups (`cognito:groups`); on a resolver, a class or a field. */
export const Groups = (...groups: string[]) => SetMetadata(GROUPS, groups);
