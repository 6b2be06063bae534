import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How a key server misbehaves. */
export type Misbehaviour =
  /** Sends its whole answer (`what: 'head'`), or its body after the headers, one byte per `everyMs`. */
  | { kind: 'trickle'; what: 'head' | 'body'; everyMs: number }
  /** Answers `bytes` of body, as fast as it is read; with `declared`, says so in Content-Length. */
  | { kind: 'flood'; bytes: number; declared: boolean };

/** One request to the key server: how much of its answer went out before the client hung up. */
export interface Exchange {
  /** Bytes handed to the socket: of the body when flooding, one at a time when trickling. */
  sent: number;
  /** How many there were to send. */
  of: number;
  /** Resolves when the connection is closed, by either side. */
  closed: Promise<void>;
}

/**
 * A pool's JWKS endpoint that never gives a usable answer: it trickles it, or floods it. It serves
 * every path the same way and records each exchange.
 */
export class HostileKeyServer {
  readonly exchanges: Exchange[] = [];
  url = '';
  private readonly server: Server;

  constructor(public misbehaviour: Misbehaviour) {
    this.server = createServer((req, res) => this.answer(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    const misbehaviour = this.misbehaviour;
    if (misbehaviour.kind === 'trickle') {
      const body = JSON.stringify({ keys: [], padding: 'x'.repeat(1000) });
      const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
      let trickled = head + body;
      if (misbehaviour.what === 'body') {
        socket.write(head);
        trickled = body;
      }
      const exchange: Exchange = { sent: 0, of: trickled.length, closed };
      this.exchanges.push(exchange);
      const timer = setInterval(() => {
        if (exchange.sent < trickled.length) socket.write(trickled[exchange.sent++]);
      }, misbehaviour.everyMs);
      void closed.then(() => clearInterval(timer));
      return;
    }
    const exchange: Exchange = { sent: 0, of: misbehaviour.bytes, closed };
    this.exchanges.push(exchange);
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(misbehaviour.declared ? { 'content-length': misbehaviour.bytes } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    let open = true;
    void closed.then(() => (open = false));
    const pump = () => {
      while (open && exchange.sent < misbehaviour.bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, misbehaviour.bytes - exchange.sent));
        exchange.sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (open) res.end();
    };
    pump();
  }
}

/**
 * Runs a full garbage collection, as a long-running server does from time to time (on Node 20,
 * one lost fetch()'s abort signal: nodejs/undici#4627).
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
