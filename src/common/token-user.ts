/**
 * Who a verified access token says the caller is. This is what the token cache keeps: no token,
 * so that the cache (a heap dump, a debugger) gives none away.
 */
export interface TokenClaims {
  id: string;
  username: string;
  groups: string[];
  /** When the user signed in (`auth_time`, kept across refreshes), in Unix seconds. */
  authTime: number;
  /**
   * One sign-in and the tokens refreshed from it: `origin_jti`, which AWS sets when the app
   * client has token revocation on; else `jti`, which changes with every refresh.
   */
  sessionId: string;
}

/** The caller of one request: the claims, and the token that request came with. */
export interface TokenUser extends TokenClaims {
  /** To call Cognito on the user's behalf (GetUser, ChangePassword, …); never logged, never cached. */
  accessToken: string;
}
