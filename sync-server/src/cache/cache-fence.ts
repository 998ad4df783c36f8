/**
 * The word every instance gets when one of them committed a change it could not write to Redis.
 * An instance cut off from Redis while others reach it would otherwise leave them answering
 * "nothing new" from heads that no longer hold, hiding an acknowledged write. Postgres, which the
 * writer just committed to, carries the word: the writer sends NOTIFY before it answers or pokes,
 * and every instance LISTENs on a connection of its own; on the word it stops reading the cache at
 * once and rotates the Redis epoch, which drops every cached value for all instances. While its
 * listening connection is down an instance cannot hear the word, so it does not read the cache.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { Timers } from '../clock.ts';
import { listen, notify } from '../store/notify-channel.ts';
import type { SyncCache } from './sync-cache.ts';

const CHANNEL = 'duet_cache_fence';
const RECONNECT_MS = 1000;

export class CacheFence {
  private listener: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly deps: {
      databaseUrl: string;
      pool: pg.Pool;
      cache: SyncCache;
      logger: Logger;
      instanceId: string;
      connectTimeoutMs: number;
      timers: Timers;
    },
  ) {}

  /** Starts listening (the cache is not read until the listener is connected). */
  async start(): Promise<void> {
    this.deps.cache.fenceListening(false);
    await this.listen();
  }

  /** Tells every other instance that a write did not reach Redis. Resolves once Postgres took it. */
  async announce(): Promise<void> {
    await notify(this.deps.pool, CHANNEL, this.deps.instanceId);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.deps.databaseUrl, connectionTimeoutMillis: this.deps.connectTimeoutMs });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      // Our own word: this instance already knows its cache writes failed.
      if (message.payload !== this.deps.instanceId) this.deps.cache.distrust();
    });
    try {
      await client.connect();
      await listen(client, CHANNEL);
      if (this.closed) return void client.end().catch(() => {});
      this.listener = client;
      this.deps.cache.fenceListening(true);
    } catch {
      this.lost(client);
    }
  }

  private lost(client: pg.Client): void {
    if (this.listener === client) this.listener = null;
    if (this.listener === null) this.deps.cache.fenceListening(false);
    client.end().catch(() => {});
    if (this.closed || this.reconnect) return;
    this.deps.logger.warn('cache fence listener lost; the cache is not read until it is back');
    this.reconnect = this.deps.timers.setTimeout(() => {
      this.reconnect = null;
      void this.listen();
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) this.deps.timers.clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}
