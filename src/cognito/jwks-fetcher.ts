import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { Fetcher } from 'aws-jwt-verify/https';

/**
 * aws-jwt-verify's own fetcher only speaks https; an emulator serves its keys over http. This one
 * fetches only the pool's own JWKS URIs (a token cannot send us elsewhere), with a timeout and
 * without following redirects.
 */
export class JwksFetcher implements Fetcher {
  constructor(
    private readonly jwksUris: string[],
    private readonly timeoutMs: number,
  ) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    if (!this.jwksUris.includes(uri)) throw new NonRetryableFetchError(uri, 'not a JWKS URI of the pool');
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    } catch (error) {
      throw new FetchError(uri, error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) throw new FetchError(uri, `HTTP status ${response.status}`);
    return response.arrayBuffer();
  }
}
