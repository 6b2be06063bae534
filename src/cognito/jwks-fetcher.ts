import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { Fetcher } from 'aws-jwt-verify/https';

/**
 * aws-jwt-verify's own fetcher only speaks https; an emulator serves its keys over http. This one
 * fetches exactly the configured JWKS URI and nothing else (a token cannot send us elsewhere),
 * with a timeout and without following redirects.
 */
export class JwksFetcher implements Fetcher {
  constructor(
    private readonly jwksUri: string,
    private readonly timeoutMs: number,
  ) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    if (uri !== this.jwksUri) throw new NonRetryableFetchError(uri, 'not the configured JWKS URI');
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
