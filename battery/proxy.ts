/*
 * A TCP proxy between the service and PostgreSQL that can stop forwarding, as a hung network or a frozen database
 * server would: connections stay open, nothing moves, new connections are accepted and go nowhere. On resume,
 * what was held is forwarded.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class PausableProxy {
  private server?: Server;
  private paused = false;
  private readonly pairs = new Set<[Socket, Socket | null]>();
  private readonly waiting: (() => void)[] = [];
  port = 0;

  constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const pair: [Socket, Socket | null] = [client, null];
      this.pairs.add(pair);
      client.on('error', () => undefined);
      client.on('close', () => {
        pair[1]?.destroy();
        this.pairs.delete(pair);
      });
      const open = () => {
        if (client.destroyed) return;
        const upstream = connect(this.upstreamPort, this.host);
        pair[1] = upstream;
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        // Forwarded by hand (not pipe(): a drain would resume a paused socket).
        client.on('data', (d: Buffer) => upstream.write(d));
        upstream.on('data', (d: Buffer) => client.write(d));
        if (this.paused) {
          client.pause();
          upstream.pause();
        }
      };
      if (this.paused) {
        client.pause();
        this.waiting.push(open);
      } else open();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  /** Stops forwarding in both directions on every connection, and connects no new one. */
  pause(): void {
    this.paused = true;
    for (const [a, b] of this.pairs) {
      a.pause();
      b?.pause();
    }
  }

  resume(): void {
    this.paused = false;
    for (const [a, b] of this.pairs) {
      a.resume();
      b?.resume();
    }
    for (const open of this.waiting.splice(0)) open();
  }

  /** The URL of `databaseUrl`'s database through this proxy. */
  url(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b?.destroy();
    }
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
