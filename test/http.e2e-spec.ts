import { connect, Socket } from 'node:net';
import { graphiqlAssets } from '../src/graphiql/assets';
import { FakeCognito } from './support/fake-cognito';
import { startTestServer } from './support/test-server';

// The HTTP layer under GraphQL, spoken to over raw sockets: what Node's parser, Fastify's router
// and the Host rule refuse, how long a slow client may hold a connection, and how many it may
// hold. Every refusal is a GraphQL-shaped answer and exactly one request line, never a 500 or
// an error line. A fake pool: no emulator is needed for any of it.

interface RawAnswer {
  /** Everything the server wrote before closing the connection. */
  text: string;
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

function parse(text: string): RawAnswer {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  const body = rest.join('\r\n\r\n');
  return { text, status: status ? Number(status) : undefined, headers, body: body ? JSON.parse(body) : undefined };
}

/** Sends `request` on a new connection and resolves with what came back once the server closed it. */
function exchange(port: number, request: string | Buffer): Promise<RawAnswer & { error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.once('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.once('close', () => resolve({ ...parse(text), error }));
    socket.write(request);
  });
}

const BODY = JSON.stringify({ query: '{ __typename }' });
const post = (headerLines: string[], version = '1.1') =>
  [
    `POST /graphql HTTP/${version}`,
    ...headerLines,
    'content-type: application/json',
    `content-length: ${BODY.length}`,
    'connection: close',
    '',
    BODY,
  ].join('\r\n');
const badRequest = (message: string) => ({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });

async function startWithFakePool(env: Record<string, string> = {}) {
  const fake = new FakeCognito({ clientId: 'http-client' });
  const endpoint = await fake.start();
  const server = await startTestServer({
    COGNITO_USER_POOL_ID: 'local_http',
    COGNITO_CLIENT_ID: 'http-client',
    COGNITO_ENDPOINT: endpoint,
    // The IDE's routes too (off by default with a pool): their path parameters are refused by the router.
    GRAPHQL_IDE: 'true',
    ...env,
  });
  const port = Number(new URL(server.url).port);
  const requestLines = () =>
    server.logger.lines
      .filter((line) => / \[Request\] \{/.test(line))
      .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
  /** The request lines of `reqId`, once there is one (a refused request's may come just after its answer). */
  const lineOf = async (reqId: string | undefined) => {
    const lines = () => requestLines().filter((line) => line.reqId === reqId);
    for (let waited = 0; lines().length === 0 && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    // A second line for the same request would be a bug; give it the time to show.
    await new Promise((r) => setTimeout(r, 20));
    return lines();
  };
  const errorLines = () => server.logger.lines.filter((line) => line.startsWith('error '));
  const stop = async () => {
    await server.close();
    await fake.stop();
  };
  return { server, port, requestLines, lineOf, errorLines, stop };
}

/** A connection to the server, open (from `localAddress`, a loopback address, when given). */
function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('the HTTP layer', () => {
  let http: Awaited<ReturnType<typeof startWithFakePool>>;

  beforeAll(async () => {
    // Behind a proxy of ours: X-Forwarded-Host then names the host.
    http = await startWithFakePool({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await http?.stop();
  });

  it('answers a GraphQL request with a missing or malformed Host with 400 in GraphQL shape, logged at info', async () => {
    const hosts: [string, string | Buffer][] = [
      ['HTTP/1.0 without Host', post([], '1.0')],
      ['HTTP/1.1 without Host', post([])],
      ['empty', post(['Host: '])],
      ['a space', post(['Host: a b'])],
      ['[', post(['Host: ['])],
      ['a percent sign', post(['Host: exa%mple'])],
      ['non-ASCII', Buffer.from(post(['Host: 例え.jp']), 'utf8')],
      ['X-Forwarded-Host [ behind a trusted proxy', post(['Host: localhost', 'X-Forwarded-Host: ['])],
    ];
    for (const [name, request] of hosts) {
      const answer = await exchange(http.port, request);
      expect({ name, status: answer.status, body: answer.body }).toEqual({
        name,
        status: 400,
        body: badRequest('The Host header is missing or malformed'),
      });
      expect(await http.lineOf(answer.headers['x-request-id'])).toEqual([
        expect.objectContaining({ method: 'POST', path: '/graphql', status: 400, outcome: 'HTTP_400' }),
      ]);
    }
    expect(http.errorLines()).toEqual([]);

    // A well-formed Host is served; so is an HTTP/1.0 health probe without one, as load balancers send.
    expect((await exchange(http.port, post(['Host: localhost:3000']))).body).toEqual({
      data: { __typename: 'Query' },
    });
    expect((await exchange(http.port, 'GET /health/live HTTP/1.0\r\n\r\n')).status).toBe(200);
  });

  it("answers what Node's parser refuses in GraphQL shape, with one request line and no header value", async () => {
    const refused: [string, number, unknown][] = [
      ['NOT HTTP\r\n\r\n', 400, badRequest('Malformed HTTP request')],
      [
        'GET /graphql HTTP/1.1\r\nHost: x\r\nbad header: secret-header-value\r\n\r\n',
        400,
        badRequest('Malformed HTTP request'),
      ],
      [
        `GET /graphql?variables=secret-query-value HTTP/1.1\r\nHost: x\r\nx-big: secret-header-value${'a'.repeat(20 * 1024)}\r\n\r\n`,
        431,
        badRequest('The request headers are too large'),
      ],
    ];
    for (const [request, status, body] of refused) {
      const answer = await exchange(http.port, request);
      expect({ status: answer.status, body: answer.body }).toEqual({ status, body });
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(await http.lineOf(answer.headers['x-request-id'])).toEqual([
        { msg: 'request', reqId: answer.headers['x-request-id'], status, outcome: `HTTP_${status}` },
      ]);
    }
    // Malformed after a whole request on the same connection: the refusal is the second one's.
    // (As with Node's own handler, the first one's answer is lost with the connection.)
    const pipelined = await exchange(
      http.port,
      post(['Host: localhost']).replace('connection: close', 'x: y') + 'NOT HTTP\r\n\r\n',
    );
    expect(pipelined.status).toBe(400);
    expect(await http.lineOf(pipelined.headers['x-request-id'])).toEqual([
      { msg: 'request', reqId: pipelined.headers['x-request-id'], status: 400, outcome: 'HTTP_400' },
    ]);

    // A client that closes its side halfway through its headers has left: nothing to answer, and
    // one CLIENT_CLOSED line.
    const leftLines = () => http.requestLines().filter((line) => line.outcome === 'CLIENT_CLOSED' && !line.method);
    const before = leftLines().length;
    const left = await new Promise<string>((resolve) => {
      const socket = connect(http.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.once('close', () => resolve(text));
      socket.end('POST /graphql HTTP/1.1\r\nHost: local');
    });
    expect(left).toBe('');
    for (let waited = 0; leftLines().length === before && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(leftLines().length).toBe(before + 1);

    const log = http.server.logger.lines.join('\n');
    expect(log).not.toContain('secret-header-value');
    expect(log).not.toContain('secret-query-value');
  });

  it("answers what Fastify's router refuses in GraphQL shape, with one request line and no query string", async () => {
    const badUrl = await exchange(
      http.port,
      'GET /graphiql/%E0%A4%A/x.js?token=secret-query-value HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n',
    );
    expect({ status: badUrl.status, body: badUrl.body }).toEqual({ status: 400, body: badRequest('Malformed URL') });
    expect(await http.lineOf(badUrl.headers['x-request-id'])).toEqual([
      {
        msg: 'request',
        reqId: expect.any(String),
        method: 'GET',
        path: '/graphiql/%E0%A4%A/x.js',
        status: 400,
        outcome: 'HTTP_400',
      },
    ]);

    // A parameter over 100 characters; the path in the line is cut at 200.
    const long = await exchange(
      http.port,
      `GET /graphiql/${'p'.repeat(5000)}/x.js HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n`,
    );
    expect({ status: long.status, body: long.body }).toEqual({ status: 414, body: badRequest('The URL is too long') });
    expect(await http.lineOf(long.headers['x-request-id'])).toEqual([
      expect.objectContaining({ status: 414, outcome: 'HTTP_414', path: `/graphiql/${'p'.repeat(190)}…` }),
    ]);
    expect(http.server.logger.lines.join('\n')).not.toContain('secret-query-value');
  });

  it('cuts a long operation name to 100 characters in the request line', async () => {
    const name = `Op${'x'.repeat(5000)}`;
    const response = await fetch(http.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'long-operation' },
      body: JSON.stringify({ query: `query ${name} { __typename }`, operationName: name }),
    });
    expect(response.status).toBe(200);
    expect(await http.lineOf('long-operation')).toEqual([
      expect.objectContaining({ operation: `${name.slice(0, 100)}…`, outcome: 'OK' }),
    ]);
  });

  it('forbids caching any answer (RFC 6749 §5.1: token answers), but for GraphiQL’s versioned assets', async () => {
    const answers = [
      await fetch(http.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }),
      await fetch(http.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      // Refused by CSRF prevention, before GraphQL.
      await fetch(`${http.server.url}?query=%7B__typename%7D`),
      await fetch(http.server.url.replace('/graphql', '/nowhere')),
      await fetch(http.server.url.replace('/graphql', '/health/live')),
    ];
    expect(answers.map((answer) => answer.headers.get('cache-control'))).toEqual(Array(5).fill('no-store'));
    const asset = await fetch(http.server.url.replace('/graphql', graphiqlAssets().GRAPHIQL_CSS.path));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

describe('slow clients', () => {
  let http: Awaited<ReturnType<typeof startWithFakePool>>;

  beforeAll(async () => {
    http = await startWithFakePool({
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await http?.stop();
  });

  interface Trickled extends RawAnswer {
    /** How many bytes of the trickle had gone when the server closed the connection. */
    sent: number;
    closedAfterMs: number;
  }

  /** Sends `head` at once, then `trickle` one byte every `everyMs`, until the server closes the connection. */
  function trickle(head: string, trickle: string, everyMs: number): Promise<Trickled> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket: Socket = connect(http.port, '127.0.0.1');
      let text = '';
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]);
      }, everyMs);
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('error', () => undefined);
      socket.once('close', () => {
        clearInterval(timer);
        resolve({ ...parse(text), sent, closedAfterMs: Date.now() - started });
      });
      socket.write(head);
    });
  }

  // 1 byte every 200 ms: this body would take 6 s to arrive; the request timeout is 1 s.
  const body = JSON.stringify({ query: '{ __typename }', x: 1 });
  const head = (connection = 'close') =>
    [
      'POST /graphql HTTP/1.1',
      'Host: localhost',
      'content-type: application/json',
      `content-length: ${body.length}`,
      `connection: ${connection}`,
      '',
      '',
    ].join('\r\n');

  it('cuts off requests whose body trickles in, with 408 in GraphQL shape and one line each', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => trickle(head(), body, 200)));
    for (const answer of answers) {
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 408,
        body: badRequest('The request did not arrive in time'),
      });
      expect(answer.sent).toBeLessThan(body.length);
      expect(await http.lineOf(answer.headers['x-request-id'])).toEqual([
        expect.objectContaining({ method: 'POST', path: '/graphql', status: 408, outcome: 'HTTP_408' }),
      ]);
    }
    expect(http.errorLines()).toEqual([]);
  });

  it('cuts off a connection whose headers trickle in, or that sends nothing, sooner: at the headers timeout', async () => {
    const headers = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nx-padding: ${'p'.repeat(100)}\r\n\r\n`;
    const [bodyTrickled, headersTrickled, silent] = await Promise.all([
      trickle(head(), body, 200),
      trickle('', headers, 100),
      trickle('', '', 100),
    ]);
    expect(headersTrickled.sent).toBeLessThan(headers.length);
    for (const answer of [headersTrickled, silent]) {
      expect(answer.status).toBe(408);
      expect(await http.lineOf(answer.headers['x-request-id'])).toEqual([
        { msg: 'request', reqId: answer.headers['x-request-id'], status: 408, outcome: 'HTTP_408' },
      ]);
      // 300 ms against 1 s, measured side by side.
      expect(answer.closedAfterMs / bodyTrickled.closedAfterMs).toBeLessThan(0.7);
    }
  });

  it('closes an idle connection after the keep-alive timeout, having answered its request', async () => {
    // A connection that asks once and then keeps quiet (not a refusal: no line of its own).
    const answer = await trickle(head('keep-alive') + body, '', 100);
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('a bound on connections', () => {
  let http: Awaited<ReturnType<typeof startWithFakePool>>;

  beforeAll(async () => {
    http = await startWithFakePool({ HTTP_MAX_CONNECTIONS: '3' });
  });
  afterAll(async () => {
    await http?.stop();
  });

  const open = () => openSocket(http.port);

  it('closes connections past HTTP_MAX_CONNECTIONS at once, unanswered, and serves again when one ends', async () => {
    const held = await Promise.all([open(), open(), open()]);
    try {
      // Held open: a request that has begun.
      for (const socket of held) socket.write('POST /graphql HTTP/1.1\r\n');

      // Closed without a byte of answer (reset, when the request was already on its way).
      const refused = await exchange(http.port, post(['Host: localhost']));
      expect(refused.text).toBe('');
      expect([undefined, 'ECONNRESET', 'EPIPE']).toContain(refused.error);
      expect(http.server.logger.lines.join('\n')).toMatch(
        /Refused 1 connection\(s\): 3 are open \(HTTP_MAX_CONNECTIONS\)/,
      );

      // Room again once the server has seen one go.
      held[0].destroy();
      let again = await exchange(http.port, post(['Host: localhost']));
      for (let tries = 0; again.text === '' && tries < 50; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await exchange(http.port, post(['Host: localhost']));
      }
      expect(again.body).toEqual({ data: { __typename: 'Query' } });
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe('a bound on connections per client', () => {
  let http: Awaited<ReturnType<typeof startWithFakePool>>;

  beforeAll(async () => {
    http = await startWithFakePool({ HTTP_MAX_CONNECTIONS_PER_CLIENT: '2' });
  });
  afterAll(async () => {
    await http?.stop();
  });

  const open = (localAddress: string) => openSocket(http.port, localAddress);
  /** Whether the server closes `socket` (unanswered) within a generous bound. */
  const closedByServer = (socket: Socket) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => undefined);
    });

  it("closes a client's connection past HTTP_MAX_CONNECTIONS_PER_CLIENT, while another client is served", async () => {
    // Two clients on this machine: 127.0.0.1 and 127.0.0.2 (the whole 127/8 is loopback).
    const held = [await open('127.0.0.1'), await open('127.0.0.1')];
    try {
      const third = await open('127.0.0.1');
      expect(await closedByServer(third)).toBe(true);
      const other = await open('127.0.0.2');
      expect(await closedByServer(other)).toBe(false);
      other.destroy();
      expect(http.server.logger.lines.join('\n')).toMatch(
        /Refused 1 connection\(s\): one client has 2 open \(HTTP_MAX_CONNECTIONS_PER_CLIENT\)/,
      );
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
