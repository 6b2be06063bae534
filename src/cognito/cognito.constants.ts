/** Injection token of the resolved CognitoPool (see cognito-pool.ts). */
export const COGNITO_POOL = Symbol('COGNITO_POOL');
