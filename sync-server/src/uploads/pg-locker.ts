/**
 * tus's `locker` across instances: an upload is written (or its offset read) by one request at a
 * time in the whole deployment. The lock is a session advisory lock in Postgres, taken on one
 * connection this instance keeps for it, so an instance that dies (even with -9) loses its locks
 * with its session. tus's semantics hold across instances: a request that finds the upload locked
 * asks the holder to let go (LISTEN/NOTIFY; tus then ends the holder's request after its drain
 * time, keeping the bytes it stored) and waits, at most `acquireTimeoutMs`.
 *
 * If the lock connection drops, every lock taken on it is gone: the requests holding them are
 * asked to stop at once. Bytes stay right even then, since a chunk is only stored at the upload's
 * current end (pg-store.ts).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { ErrorCode } from '@duet/shared';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type { ServerClock, TimerHandle } from '../clock.ts';
import { UploadLocks, requestUploadRelease } from '../store/upload-locks.ts';
import { tusError, tusRefusal } from './tus-errors.ts';

const RECONNECT_MS = 1000;
export const UPLOAD_LOCKS_APPLICATION_NAME = 'duet-upload-locks';
/** How often a waiting request looks again. */
const RETRY_MS = 50;
/** A holder elsewhere is asked again this often, in case it missed the word. */
const ASK_AGAIN_MS = 1000;

export interface PgUploadLockerDeps {
  databaseUrl: string;
  pool: pg.Pool;
  clock: ServerClock;
  logger: Logger;
  instanceId: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  acquireTimeoutMs: number;
}

interface Holder {
  requestRelease: RequestRelease;
  /** The connection whose session took the lock (the lock ends with it). */
  connection: pg.Client | null;
}

const lockUnavailable = () => tusRefusal(503, ErrorCode.unavailable, 'the server cannot reach its database right now; try again shortly');

export class PgUploadLocker implements Locker {
  private connection: pg.Client | null = null;
  private locks: UploadLocks | null = null;
  /** Uploads this instance holds, or is taking, the lock of. */
  private readonly held = new Map<string, Holder>();
  private reconnect: TimerHandle | null = null;
  private closed = false;

  constructor(private readonly deps: PgUploadLockerDeps) {}

  async start(): Promise<void> {
    await this.connect();
  }

  newLock(id: string): Lock {
    return {
      lock: (signal, requestRelease) => this.acquire(id, signal, requestRelease),
      unlock: () => this.release(id),
    };
  }

  private async acquire(id: string, signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { clock } = this.deps;
    const deadline = clock.now() + this.deps.acquireTimeoutMs;
    let askedElsewhereAt = Number.NEGATIVE_INFINITY;
    let askedLocal: Holder | null = null;
    for (;;) {
      if (signal.aborted) throw tusError(ERRORS.ERR_LOCK_TIMEOUT);
      const local = this.held.get(id);
      if (local) {
        // Another request of this instance has it: ask it (once) to let go.
        if (askedLocal !== local) {
          askedLocal = local;
          await local.requestRelease();
        }
      } else {
        const locks = this.locks;
        if (!locks) throw lockUnavailable();
        // Claimed here before the round trip: two requests of one instance share a session, whose
        // advisory locks would let both in.
        const mine: Holder = { requestRelease, connection: this.connection };
        this.held.set(id, mine);
        let locked = false;
        try {
          locked = await locks.tryLock(id);
        } catch {
          if (this.held.get(id) === mine) this.held.delete(id);
          throw lockUnavailable();
        }
        if (locked && mine.connection === this.connection) return;
        if (this.held.get(id) === mine) this.held.delete(id);
        if (clock.now() - askedElsewhereAt >= ASK_AGAIN_MS) {
          askedElsewhereAt = clock.now();
          await requestUploadRelease(this.deps.pool, `${this.deps.instanceId} ${id}`).catch(() => {});
        }
      }
      if (clock.now() >= deadline) throw tusError(ERRORS.ERR_LOCK_TIMEOUT);
      await this.pause(signal);
    }
  }

  private async release(id: string): Promise<void> {
    const holder = this.held.get(id);
    if (!holder) return;
    this.held.delete(id);
    // A lock taken on a connection since lost went with its session.
    if (holder.connection !== this.connection || !this.locks) return;
    await this.locks.unlock(id).catch(() => {});
  }

  private pause(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.timers.setTimeout(done, RETRY_MS);
      function done() {
        signal.removeEventListener('abort', stop);
        resolve();
      }
      const stop = () => {
        this.deps.clock.timers.clearTimeout(timer);
        done();
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.deps.databaseUrl,
      // Named, so an operator (or a test) can tell it from the pool's connections.
      application_name: UPLOAD_LOCKS_APPLICATION_NAME,
      connectionTimeoutMillis: this.deps.connectTimeoutMs,
      query_timeout: this.deps.queryTimeoutMs,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      const [from, uploadId] = (message.payload ?? '').split(' ');
      if (from === this.deps.instanceId || !uploadId) return;
      const holder = this.held.get(uploadId);
      if (holder) void holder.requestRelease();
    });
    try {
      await client.connect();
      const locks = new UploadLocks(client);
      await locks.listenForReleaseRequests();
      if (this.closed) return void client.end().catch(() => {});
      this.connection = client;
      this.locks = locks;
    } catch {
      this.lost(client);
    }
  }

  private lost(client: pg.Client): void {
    if (this.connection === client) {
      this.connection = null;
      this.locks = null;
      // Their locks ended with the session: their requests stop, and the clients resume.
      for (const holder of this.held.values()) if (holder.connection === client) void holder.requestRelease();
      if (!this.closed) this.deps.logger.warn('upload lock connection lost; uploads wait until it is back');
    }
    client.end().catch(() => {});
    if (this.closed || this.reconnect) return;
    this.reconnect = this.deps.clock.timers.setTimeout(() => {
      this.reconnect = null;
      void this.connect();
    }, RECONNECT_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) this.deps.clock.timers.clearTimeout(this.reconnect);
    const connection = this.connection;
    this.connection = null;
    this.locks = null;
    await connection?.end().catch(() => {});
  }
}
