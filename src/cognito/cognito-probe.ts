import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { JwksFetcher } from './jwks-fetcher';

export type ProbeResult = { up: true } | { up: false; message: string };

// Readiness probes come every few seconds from each load balancer: an answer is trusted this long.
// A failure is not kept, so the server reports ready as soon as Cognito is back.
const UP_FOR_MS = 5000;

/**
 * Whether Cognito answers right now. It fetches the pool's JWKS: unauthenticated, cheap, served by
 * the same Cognito endpoint as the sign-in API, and it checks the pool exists there.
 */
@Injectable()
export class CognitoProbe {
  private readonly fetcher: JwksFetcher;
  private inFlight?: Promise<ProbeResult>;
  private upAt = -Infinity;

  constructor(
    @Inject(COGNITO_POOL) private readonly pool: CognitoPool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fetcher = new JwksFetcher(pool.jwksUris, config.cognitoTimeoutMs);
  }

  reachable(): Promise<ProbeResult> {
    if (performance.now() - this.upAt < UP_FOR_MS) return Promise.resolve({ up: true });
    this.inFlight ??= this.probe().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async probe(): Promise<ProbeResult> {
    try {
      await this.fetcher.fetch(this.pool.jwksUris[0]);
      this.upAt = performance.now();
      return { up: true };
    } catch (error) {
      return { up: false, message: `Cognito did not answer: ${(error as Error).message}` };
    }
  }
}
