/**
 * The numeric claims of a JWT's payload, read without checking its signature: only for a token
 * that came from Cognito itself, or where a forged value can only refuse more (see each caller).
 * Undefined for what is not a readable JWT (AWS's refresh tokens are encrypted: five parts).
 */
export function readableTimes(token: string): { iat?: number; exp?: number } | undefined {
  const [, payload, , ...rest] = token.split('.');
  if (!payload || rest.length > 0) return undefined;
  try {
    const { iat, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    return { iat: typeof iat === 'number' ? iat : undefined, exp: typeof exp === 'number' ? exp : undefined };
  } catch {
    return undefined;
  }
}
