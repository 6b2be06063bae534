import { Inject, Injectable, Logger } from '@nestjs/common';
import { Setting } from '../config/config.module';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { JwksFetcher } from './jwks-fetcher';

// Readiness probes come every few seconds from each load balancer: an answer is trusted this long.
// A failure is not kept, so the server reports ready as soon as Cognito is back.
const UP_FOR_MS = 5000;

/**
 * Whether Cognito answers right now. It fetches the pool's JWKS: unauthenticated, cheap, served by
 * the same Cognito endpoint as the sign-in API, and it checks the pool exists there. Why it does
 * not answer is for the operator: it goes to the log, once each time the answer changes, and never
 * to whoever asks /health/ready.
 */
@Injectable()
export class CognitoProbe {
  private readonly logger = new Logger('Readiness');
  private readonly fetcher: JwksFetcher;
  private inFlight?: Promise<boolean>;
  private upAt = -Infinity;
  private wasUp?: boolean;

  constructor(
    @Inject(COGNITO_POOL) private readonly pool: CognitoPool,
    @Setting('cognitoTimeoutMs') timeoutMs: number,
  ) {
    this.fetcher = new JwksFetcher(pool.jwksUris, timeoutMs);
  }

  reachable(): Promise<boolean> {
    if (performance.now() - this.upAt < UP_FOR_MS) return Promise.resolve(true);
    this.inFlight ??= this.probe().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async probe(): Promise<boolean> {
    try {
      await this.fetcher.fetch(this.pool.jwksUris[0]);
      this.upAt = performance.now();
      if (this.wasUp === false) this.logger.log('Cognito answers again: ready');
      this.wasUp = true;
    } catch (error) {
      if (this.wasUp !== false) {
        this.logger.warn(`Cognito did not answer (${(error as Error).message}): not ready until it does`);
      }
      this.wasUp = false;
    }
    return this.wasUp;
  }
}
