import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { Fetcher } from 'aws-jwt-verify/https';
import { boundedGet } from './bounded-get';

/**
 * The largest JWKS we read. A Cognito pool's is about 1 KB (two RSA keys of about 450 bytes each);
 * 64 KiB holds over a hundred such keys, room for any rotation, and a key server that answers
 * more (broken, or not Cognito's) costs us at most that much memory.
 */
export const MAX_JWKS_BYTES = 64 * 1024;

/**
 * aws-jwt-verify's own fetcher only speaks https; an emulator serves its keys over http. This one
 * fetches only the pool's own JWKS URIs (a token cannot send us elsewhere), within one deadline
 * for the whole answer, with a cap on its size, and without following redirects.
 */
export class JwksFetcher implements Fetcher {
  constructor(
    private readonly jwksUris: string[],
    private readonly timeoutMs: number,
  ) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    if (!this.jwksUris.includes(uri)) throw new NonRetryableFetchError(uri, 'not a JWKS URI of the pool');
    let body: Buffer;
    try {
      body = await boundedGet(uri, { timeoutMs: this.timeoutMs, maxBytes: MAX_JWKS_BYTES });
    } catch (error) {
      throw new FetchError(uri, (error as Error).message);
    }
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
}
