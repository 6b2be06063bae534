import { KeyObject, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs RS256 access tokens as a Cognito user pool does, with a key pair of its own; `jwks` is
 * the pool's `/.well-known/jwks.json` to serve (from FakeCognito) so that the server accepts them.
 */
export class TokenMinter {
  readonly jwks: { keys: object[] };
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(
    /** `${endpoint}/${poolId}`, what the server expects as `iss`. */
    private readonly issuer: string,
    private readonly clientId: string,
    readonly kid = 'protocol-key-1',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** The claims of an access token of user `sub`, signed in now, valid for ten minutes. */
  claims(sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const payload = {
      sub,
      username: sub,
      iss: this.issuer,
      token_use: 'access',
      client_id: this.clientId,
      scope: 'aws.cognito.signin.user.admin',
      iat: now,
      auth_time: now,
      exp: now + 600,
      jti,
      origin_jti: jti,
      ...overrides,
    };
    return payload;
  }

  /** An access token of user `sub`; `claims` override any claim. */
  accessToken(sub: string, claims: Record<string, unknown> = {}): string {
    return this.sign({ alg: 'RS256', kid: this.kid, typ: 'JWT' }, this.claims(sub, claims));
  }

  /** Any header and payload, RS256-signed with the pool's key (or `key`). */
  sign(header: object, payload: object, key: KeyObject = this.privateKey): string {
    const unsigned = `${b64url(header)}.${b64url(payload)}`;
    return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
  }
}
