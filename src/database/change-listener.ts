import { Logger } from '@nestjs/common';
import pg from 'pg';

/**
 * How often the listening connection is asked whether it still answers, and how long it may take: a connection
 * that died without a word (no error, no end) is found within about these two.
 */
const PING_MS = 10_000;
const PING_TIMEOUT_MS = 3_000;
/** Wait before listening again after the connection was lost. */
const RETRY_MS = 1_000;

export interface ChangeListenerEvents {
  /** A change was announced on the channel (a transaction that wrote what the channel is about committed). */
  changed(): void;
  /**
   * The connection listens (again): whatever was read before may have missed a change. Called before
   * `isListening` turns true.
   */
  listening(): void;
  /** The connection is lost: until `listening` is called again, changes go unheard. Called after `isListening` turns false. */
  lost(reason: string): void;
}

/**
 * One connection of its own that LISTENs on one channel, for a memory of this process that must forget what it
 * kept when another process (or this one) commits a change: NOTIFY is delivered at commit, never for a
 * rolled-back transaction. Whoever keeps something may keep it only while `isListening`; a lost connection (an
 * error, its end, or no answer to a ping) is reported and listened again after a second.
 */
export class ChangeListener {
  private readonly logger: Logger;
  private client?: pg.Client;
  private listening = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private ping?: NodeJS.Timeout;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    /** Names the connection (application_name …:<name>) and the log lines. */
    private readonly name: string,
    private readonly events: ChangeListenerEvents,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    this.logger = new Logger(`ChangeListener:${name}`);
  }

  get isListening(): boolean {
    return this.listening;
  }

  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: `community-work-admission:${this.name}`,
      keepAlive: true,
    });
    this.client = client;
    const lost = (reason: string) => {
      if (this.client !== client) return;
      clearInterval(this.ping);
      this.listening = false;
      this.client = undefined;
      this.events.lost(reason);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ reason }, `${this.name}: changes not heard until listening again`);
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    };
    client.on('notification', () => this.events.changed());
    client.on('error', (e: Error) => lost(e.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (this.client === client && !this.stopped) {
        this.events.listening();
        this.listening = true;
        // A timer of the connection, not of the domain: a connection that no longer answers is a lost one.
        this.ping = setInterval(() => {
          const late = setTimeout(() => lost('no answer to a ping'), PING_TIMEOUT_MS);
          late.unref();
          client.query('SELECT 1').then(
            () => clearTimeout(late),
            (e: Error) => {
              clearTimeout(late);
              lost(e.message);
            },
          );
        }, PING_MS);
        this.ping.unref();
      }
    } catch (e) {
      lost(e instanceof Error ? e.message : String(e));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.listening = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
