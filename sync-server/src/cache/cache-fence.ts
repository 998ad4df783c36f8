/**
 * The word every instance gets when one of them committed a change it could not write to Redis.
 * An instance cut off from Redis while others reach it would otherwise leave them answering
 * "nothing new" from heads that no longer hold, hiding an acknowledged write. Postgres, which the
 * writer just committed to, carries the word: the writer sends NOTIFY before it answers or pokes,
 * and every instance LISTENs on a connection of its own; on the word it stops reading the cache at
 * once and rotates the Redis epoch, which drops every cached value for all instances. While its
 * listening connection is down an instance cannot hear the word, so it does not read the cache.
 *
 * The word travels on its own, so a pull could overtake it: before answering "nothing new" from
 * the cache, a reader waits for a round trip on the listening connection that began after the pull
 * did. Postgres delivers a notification committed before a query began no later than that query's
 * answer, on the same connection, so by then every word sent before the pull has been heard.
 * Concurrent readers share round trips (one in flight, at most one queued behind it).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ServerClock, TimerHandle } from '../clock.ts';
import { listen, notify, roundTrip } from '../store/notify-channel.ts';
import type { SyncCache } from './sync-cache.ts';

const CHANNEL = 'duet_cache_fence';
const RECONNECT_MS = 1000;
/**
 * A writer whose cache writes keep failing says so at most this often, and a hearer distrusts the
 * cache for twice as long after each word, so every write in between is covered by the last word
 * (an outage costs one NOTIFY a second per instance, not one per push).
 */
const ANNOUNCE_EVERY_MS = 1000;
const DISTRUST_MS = 2 * ANNOUNCE_EVERY_MS;
/** A reader waits this long at most for the round trip; without it, the cache is not trusted. */
const HEAR_WAIT_MS = 500;

export class CacheFence {
  private listener: pg.Client | null = null;
  private reconnect: TimerHandle | null = null;
  private closed = false;
  private roundTrip: Promise<boolean> | null = null;
  private announcing: Promise<void> | null = null;
  private announcedAt = Number.NEGATIVE_INFINITY;
  private trustTimer: TimerHandle | null = null;
  private queued: Promise<boolean> | null = null;

  constructor(
    private readonly deps: {
      databaseUrl: string;
      pool: pg.Pool;
      cache: SyncCache;
      logger: Logger;
      instanceId: string;
      connectTimeoutMs: number;
      queryTimeoutMs: number;
      clock: ServerClock;
    },
  ) {}

  /** Starts listening (the cache is not read until the listener is connected). */
  async start(): Promise<void> {
    this.deps.cache.fenceListening(false);
    await this.listen();
  }

  /** Tells every other instance that a write did not reach Redis. Resolves once Postgres took it. */
  announce(): Promise<void> {
    const now = this.deps.clock.now();
    // A word sent (or being sent) less than ANNOUNCE_EVERY_MS ago still covers this write.
    if (this.announcing && now - this.announcedAt < ANNOUNCE_EVERY_MS) return this.announcing;
    this.announcedAt = now;
    this.announcing = notify(this.deps.pool, CHANNEL, this.deps.instanceId);
    this.announcing.catch(() => {
      this.announcing = null;
    });
    return this.announcing;
  }

  private heard(): void {
    this.deps.cache.distrust();
    if (this.trustTimer) this.deps.clock.timers.clearTimeout(this.trustTimer);
    this.trustTimer = this.deps.clock.timers.setTimeout(() => {
      this.trustTimer = null;
      this.deps.cache.trustAgain();
    }, DISTRUST_MS);
  }

  /**
   * Resolves true once every word sent before this call has been heard (then the cache may be
   * read, unless the word made it stale), false when that cannot be known (listener down or slow).
   */
  async heardEverything(): Promise<boolean> {
    let timer: TimerHandle | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = this.deps.clock.timers.setTimeout(() => resolve(false), HEAR_WAIT_MS);
    });
    const heard = await Promise.race([this.nextRoundTrip(), late]);
    this.deps.clock.timers.clearTimeout(timer);
    return heard;
  }

  private nextRoundTrip(): Promise<boolean> {
    if (this.queued) return this.queued;
    if (!this.roundTrip) return this.startRoundTrip();
    // The one in flight may have begun before this call: wait for the next one.
    this.queued = this.roundTrip.then(() => {
      this.queued = null;
      return this.startRoundTrip();
    });
    return this.queued;
  }

  private startRoundTrip(): Promise<boolean> {
    const trip = this.ping().finally(() => {
      if (this.roundTrip === trip) this.roundTrip = null;
    });
    this.roundTrip = trip;
    return trip;
  }

  private async ping(): Promise<boolean> {
    const listener = this.listener;
    if (!listener) return false;
    try {
      await roundTrip(listener);
      return true;
    } catch {
      return false;
    }
  }

  private async listen(): Promise<void> {
    // A stalled Postgres must not hold readers: the round trip gives up as the pool's queries do.
    const client = new pg.Client({
      connectionString: this.deps.databaseUrl,
      connectionTimeoutMillis: this.deps.connectTimeoutMs,
      query_timeout: this.deps.queryTimeoutMs,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      // Our own word: this instance already knows its cache writes failed.
      if (message.payload !== this.deps.instanceId) this.heard();
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
    this.reconnect = this.deps.clock.timers.setTimeout(() => {
      this.reconnect = null;
      void this.listen();
    }, RECONNECT_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) this.deps.clock.timers.clearTimeout(this.reconnect);
    if (this.trustTimer) this.deps.clock.timers.clearTimeout(this.trustTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}
