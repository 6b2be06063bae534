import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { JwtVerifier } from 'aws-jwt-verify';
import { CognitoJwtVerifier, validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { FetchError, JwtExpiredError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { Setting } from '../config/config.module';
import { AppError, ServiceUnavailableError, UnauthenticatedError } from '../errors/app-errors';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { JwksFetcher } from './jwks-fetcher';
import { TokenCache } from './token-cache';
import { TokenClaims, TokenUser } from '../common/token-user';

interface Verifier {
  verify(token: string): Promise<JwtPayload>;
  hydrate(): Promise<void>;
}

/**
 * Verifies access tokens of our pool with aws-jwt-verify: RS256 signature against the pool's
 * cached JWKS, issuer, token_use = access, client_id, and an `exp` that is present and not past.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly verifier: Verifier;
  private keysLoaded = false;
  private retryDelayMs = FIRST_RETRY_MS;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private readonly cache: TokenCache;

  constructor(
    @Inject(COGNITO_POOL) private readonly pool: CognitoPool,
    @Setting('cognitoTimeoutMs') timeoutMs: number,
    @Setting('tokenCacheSize') cacheSize: number,
  ) {
    this.cache = new TokenCache(cacheSize);
    const jwksCache = new SimpleJwksCache({ fetcher: new JwksFetcher(pool.jwksUris, timeoutMs) });
    this.verifier = pool.awsIssuer
      ? CognitoJwtVerifier.create(
          {
            userPoolId: pool.userPoolId,
            tokenUse: 'access',
            clientId: pool.clientId,
            customJwtCheck: checkOurClaims,
          },
          { jwksCache },
        )
      : // An emulator or a custom issuer: the generic verifier, with the same Cognito checks.
        JwtVerifier.create(
          {
            issuer: pool.issuer,
            audience: null,
            jwksUri: pool.jwksUris[0],
            customJwtCheck: ({ header, payload }) => {
              checkOurClaims({ header, payload });
              validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: pool.clientId });
            },
          },
          { jwksCache },
        );
  }

  /**
   * Loads the JWKS before the server takes requests, so the first ones neither fail nor wait.
   * When it cannot, the server starts all the same (not ready) and keeps trying in the background.
   */
  async onModuleInit(): Promise<void> {
    await this.loadKeys();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Whether the signing keys are loaded, so that tokens can be checked. */
  get ready(): boolean {
    return this.keysLoaded;
  }

  private async loadKeys(): Promise<void> {
    try {
      await this.verifier.hydrate();
      if (this.retryDelayMs !== FIRST_RETRY_MS) this.logger.log('Loaded the token signing keys: ready');
      this.keysLoaded = true;
    } catch (error) {
      this.logger.warn(
        `Could not load the token signing keys from ${this.pool.jwksUris[0]} (${(error as Error).message}); ` +
          `not ready, trying again in ${this.retryDelayMs / 1000} s`,
      );
      if (this.stopped) return;
      this.retry = setTimeout(() => void this.loadKeys(), this.retryDelayMs).unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_MS);
    }
  }

  async verify(token: string): Promise<TokenUser> {
    // Until the keys are loaded no token can be judged: that is our outage, not the caller's fault.
    if (!this.keysLoaded) throw new ServiceUnavailableError(KEYS_UNAVAILABLE);
    const cached = this.cache.get(token);
    // The token goes with this request's user only: the cache keeps none.
    if (cached) return { ...cached, accessToken: token };
    let payload: JwtPayload;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      throw verificationError(error);
    }
    const sessionClaim = payload.origin_jti ?? payload.jti;
    const claims: TokenClaims = {
      id: payload.sub as string,
      username: payload.username as string,
      groups: (payload['cognito:groups'] as string[] | undefined) ?? [],
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time : (payload.iat as number),
      sessionId: typeof sessionClaim === 'string' ? sessionClaim : '',
    };
    this.cache.set(token, claims, payload.exp as number);
    return { ...claims, accessToken: token };
  }
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
const KEYS_UNAVAILABLE = 'The token signing keys cannot be loaded right now: try again shortly';

/** How far in the future an `iat` may be, for clocks that disagree a little. */
const MAX_CLOCK_SKEW_SECONDS = 60;

/** What aws-jwt-verify does not check itself, and what we read from the token. */
function checkOurClaims({ header, payload }: { header: JwtHeader; payload: JwtPayload }): void {
  if (header.alg !== 'RS256') throw new Error('only RS256 is accepted');
  if (typeof payload.exp !== 'number') throw new Error('the token has no exp');
  if (typeof payload.iat !== 'number') throw new Error('the token has no iat');
  if (payload.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) throw new Error('the token is issued in the future');
  if (typeof payload.sub !== 'string' || typeof payload.username !== 'string') throw new Error('no sub or username');
  const groups = payload['cognito:groups'];
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
    throw new Error('cognito:groups is not a list of names');
  }
}

function verificationError(error: unknown): AppError {
  // A URI we refuse to fetch is one the token pointed at: not our pool's, so not our user's.
  if (error instanceof FetchError && !(error instanceof NonRetryableFetchError)) {
    return new ServiceUnavailableError(KEYS_UNAVAILABLE);
  }
  if (error instanceof JwtExpiredError) return new UnauthenticatedError('The access token has expired: refresh it');
  return new UnauthenticatedError('The access token is not valid');
}
