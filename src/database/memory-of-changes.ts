import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeListener } from './change-listener.js';
import { OwnCommits } from './own-commits.js';

/**
 * What a server process keeps in memory of some tables, forgotten — all of it — whenever they may have changed:
 * at once when a transaction of this process that wrote them commits (OwnCommits), when the database announces
 * a committed change from any process (ChangeListener, NOTIFY on `channel`), when the listening connection is
 * found lost and when it listens again. While it does not listen, nothing may be kept (`isListening`). A read
 * that a change overtook is not kept: take `generation` before reading, keep only if it is still the same.
 */
export abstract class MemoryOfChanges implements OnModuleInit, OnModuleDestroy {
  /** Counts the changes heard (or assumed). */
  protected generation = 0;
  private readonly listener: ChangeListener;
  private readonly ownCommits: OwnCommits;

  protected constructor(
    dataSource: DataSource,
    databaseUrl: string,
    channel: string,
    /** Names the listening connection (application_name community-work-admission:<name>). */
    name: string,
    /** Table → the entity properties whose change matters, or 'any' (see OwnCommits). */
    watched: ReadonlyMap<string, readonly string[] | 'any'>,
  ) {
    this.ownCommits = new OwnCommits(dataSource, watched, () => this.forget());
    this.listener = new ChangeListener(databaseUrl, channel, name, {
      changed: () => this.heard(),
      listening: () => this.forget(),
      lost: () => this.forget(),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
    this.forget();
    this.ownCommits.detach();
  }

  /** Whether anything may be kept (the process hears every change). */
  get isListening(): boolean {
    return this.listener.isListening;
  }

  /** Changes heard so far (announcements, own commits, a lost connection). */
  get changesHeard(): number {
    return this.generation;
  }

  /** A hand-written statement on this manager wrote the tables: forgotten at its commit. */
  changedIn(m: EntityManager): void {
    this.ownCommits.wrote(m);
  }

  /** An announcement from the database. */
  protected heard(): void {
    this.forget();
  }

  protected forget(): void {
    this.generation++;
    this.cleared();
  }

  /** Drops whatever is kept. */
  protected abstract cleared(): void;
}
