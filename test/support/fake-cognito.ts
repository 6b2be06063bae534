import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';

export interface RecordedCall {
  target: string;
  body: Record<string, any>;
}

type Reply = { status: number; body: unknown } | 'hang';

/**
 * A stand-in for Cognito's HTTP API, for faults the emulator cannot produce (throttling, server
 * errors, hangs). It answers each operation (X-Amz-Target) as told and records what it was sent.
 */
export class FakeCognito {
  readonly calls: RecordedCall[] = [];
  /** Paths of the GET requests (JWKS fetches), in order. */
  readonly gets: string[] = [];
  url = '';
  private readonly replies = new Map<string, Reply>();
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  reply(target: string, reply: Reply): void {
    this.replies.set(target, reply);
  }

  /** Cognito's error shape: `{ __type, message }`, HTTP 400 (500 for a server fault). */
  error(target: string, type: string, message = `${type} (from the fake)`, status = 400): void {
    this.reply(target, { status, body: { __type: type, message } });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const target =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    if (req.method === 'POST') this.calls.push({ target, body: raw ? JSON.parse(raw) : {} });
    else this.gets.push(req.url ?? '');
    const reply = this.replies.get(req.method === 'GET' ? `GET ${req.url}` : target) ?? {
      status: 404,
      body: { __type: 'ResourceNotFoundException', message: 'not set up in the fake' },
    };
    if (reply === 'hang') {
      this.hanging.add(res);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(reply.body));
  }
}
