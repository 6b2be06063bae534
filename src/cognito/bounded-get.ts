import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface GetLimits {
  /** For the whole exchange: connecting, the headers and the body. */
  timeoutMs: number;
  /** A longer body is refused from its Content-Length, or as soon as this many bytes have come. */
  maxBytes: number;
}

/**
 * GETs `uri` and returns its body, or fails within the limits, never buffering more than
 * `maxBytes`. Only status 200 is an answer; redirects are not followed.
 *
 * Node's http client rather than fetch(): on Node 20, a fetch() with `redirect: 'error'` can lose
 * its abort signal to garbage collection (nodejs/undici#4627), and then nothing ends it: a key
 * server trickling a byte a second held the readiness probe 119 s despite a 2 s timeout.
 * Destroying the request here closes the socket whatever state the exchange is in.
 */
export function boundedGet(uri: string, limits: GetLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const url = new URL(uri);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
    });
    let settled = false;
    const settle = (error: Error | undefined, body?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve(body as Buffer);
      }
    };
    const deadline = setTimeout(
      () => settle(new Error(`no whole answer within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    request.once('error', (error) => settle(error));
    request.once('response', (response) => readBody(response, limits.maxBytes, settle));
    request.end();
  });
}

function readBody(
  response: IncomingMessage,
  maxBytes: number,
  settle: (error: Error | undefined, body?: Buffer) => void,
): void {
  if (response.statusCode !== 200) return settle(new Error(`HTTP status ${response.statusCode}`));
  const tooLarge = () => new Error(`the answer is larger than ${maxBytes} bytes`);
  if (Number(response.headers['content-length']) > maxBytes) return settle(tooLarge());
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) settle(tooLarge());
    else chunks.push(chunk);
  });
  response.once('end', () => settle(undefined, Buffer.concat(chunks)));
  response.once('error', (error) => settle(error));
  // Closed before its end: the server hung up mid-answer.
  response.once('close', () => settle(new Error('the answer was cut short')));
}
