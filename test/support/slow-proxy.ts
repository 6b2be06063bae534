import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a local server that can hold each request back, to play a slow network,
 * or cut every connection through it, to play a network split between one client and the server.
 */
export class SlowProxy {
  /** How long each chunk from the client waits before it goes on (0: at once). */
  delayMs = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private isCut = false;

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      if (this.isCut) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('data', (chunk) => {
        if (this.delayMs === 0) upstream.write(chunk);
        else setTimeout(() => upstream.writable && upstream.write(chunk), this.delayMs).unref();
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  /** The port it listens on, once started. */
  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every connection through it, and every new one at once, until `restore()`. */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.isCut = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
