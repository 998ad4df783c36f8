/**
 * The one way anything writes into spaces (a push, the job worker, an upload, an invite, a
 * signup). In one transaction it locks the spaces' rows in id order (so two writers never
 * deadlock, and a space's versions commit in order), gives each written entity the next version
 * of its space, and sets the moved heads before COMMIT. After the commit, and never inside the
 * transaction that holds the locks (a stalled Redis would hold every writer of the space behind
 * it; see SyncCache), it raises the cache and only then pokes, so nobody hears of a change the
 * cache could still hide.
 */
import type { EntityKind } from '@duet/shared';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { inTransaction } from '../db/pool.ts';
import type { Bus } from '../realtime/bus.ts';
import { EntitiesRepo, type EntityRow } from './entities-repo.ts';
import { PushStatements, type PushStart } from './push-statements.ts';
import { SpacesRepo } from './spaces-repo.ts';

export interface SpaceWriterDeps {
  pool: pg.Pool;
  cache: SyncCache;
  bus: Bus;
  /** The request a write runs for (http/request-timing.ts): one the timeout answered 503 must not commit. */
  requests?: { current(): { timedOut: boolean; committing: boolean } | undefined };
}

/** A write whose request was answered 503 by the timeout (http/request-timeout.ts) rolls back. */
export class WriteAbandoned extends Error {
  constructor() {
    super('the request timed out before the write committed');
  }
}

/** Hands out versions; implemented by SpaceWrite, used by the push's mutation adapter. */
export interface SpaceVersions {
  /** The next version of a space this write has locked (throws for one it has not). */
  nextVersion(spaceId: string): number;
}

/** One transaction's writes into spaces. */
export class SpaceWrite implements SpaceVersions {
  private readonly locked = new Map<string, number>();
  private readonly heads = new Map<string, number>();
  /** Spaces made by this write: no cache or device can know them yet. */
  private readonly created = new Set<string>();
  private memberships: ReadonlyMap<string, readonly string[]> | null = null;
  private pokedUsers: string[] = [];
  private lastMutationId: { userId: string; clientId: string; value: number } | null = null;
  /** Whether finish() writes lastMutationId to the client's row. */
  private persistLastMutationId = false;
  /** Entities written by finish(), in the statement that moves the heads. */
  private staged: EntityRow[] = [];
  readonly spaces: SpacesRepo;
  readonly entities: EntitiesRepo;

  constructor(readonly client: pg.PoolClient) {
    this.spaces = new SpacesRepo(client);
    this.entities = new EntitiesRepo(client);
  }

  /** Locks these spaces (in id order; ones locked before stay locked) and returns their current heads. */
  async lock(spaceIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const fresh = await this.spaces.lockHeads(spaceIds.filter((id) => !this.locked.has(id)));
    for (const [id, head] of fresh) {
      this.locked.set(id, head);
      this.heads.set(id, head);
    }
    return new Map(spaceIds.flatMap((id) => (this.heads.has(id) ? [[id, this.heads.get(id) ?? 0] as const] : [])));
  }

  /**
   * A push's start in one statement (PushStatements.begin): the client's row locked, and when the
   * batch holds anything past its lastMutationId, the spaces the user may write to locked (as
   * lock() would) and the named entities read.
   */
  async beginPush(
    userId: string,
    clientId: string,
    highestId: number,
    refs: ReadonlyArray<{ kind: EntityKind; id: string }>,
  ): Promise<PushStart> {
    const start = await new PushStatements(this.client).begin(userId, clientId, highestId, refs);
    for (const [id, head] of start.locked?.heads ?? []) {
      if (this.locked.has(id)) continue;
      this.locked.set(id, head);
      this.heads.set(id, head);
    }
    return start;
  }

  /** Entities (with their versions taken) to write at finish(), with the heads, in one statement. */
  stage(rows: readonly EntityRow[]): void {
    this.staged.push(...rows);
  }

  /** A new space (head 0), locked for this write. */
  async createSpace(id: string, kind: 'personal' | 'shared'): Promise<void> {
    await this.spaces.create(id, kind);
    this.created.add(id);
    await this.lock([id]);
  }

  nextVersion(spaceId: string): number {
    const head = this.heads.get(spaceId);
    if (head === undefined) throw new Error(`space ${spaceId} was not locked by this write`);
    this.heads.set(spaceId, head + 1);
    return head + 1;
  }

  /** Writes entities now, each at the next version of its space. */
  async put(rows: ReadonlyArray<Omit<EntityRow, 'version'>>): Promise<void> {
    await this.entities.upsertMany(rows.map((row) => ({ ...row, version: this.nextVersion(row.spaceId) })));
  }

  /**
   * Runs `work` under a savepoint. When it throws an error the caller will retry after
   * (`retried`), its statements are rolled back and so are the versions it took, so the retry
   * numbers its writes as if the failed run had never been. Any other error fails the whole
   * transaction as it is (a connection busy with an abandoned query could not roll back anyway).
   */
  async savepoint<T>(work: () => Promise<T>, retried: (error: unknown) => boolean): Promise<T> {
    const heads = new Map(this.heads);
    await this.client.query('SAVEPOINT space_write');
    try {
      const result = await work();
      await this.client.query('RELEASE SAVEPOINT space_write');
      return result;
    } catch (error) {
      if (!retried(error)) throw error;
      await this.client.query('ROLLBACK TO SAVEPOINT space_write');
      for (const [id, head] of heads) this.heads.set(id, head);
      throw error;
    }
  }

  /** After the commit, the client's lastMutationId goes up with the heads (SyncCache.afterPushCommit). */
  setLastMutationId(userId: string, clientId: string, value: number): void {
    this.lastMutationId = { userId, clientId, value };
  }

  /** Like setLastMutationId, and finish() also writes it to the client's row (which beginPush locked). */
  saveLastMutationId(userId: string, clientId: string, value: number): void {
    this.setLastMutationId(userId, clientId, value);
    this.persistLastMutationId = true;
  }

  /** These users' lists of spaces changed: the cache's lists are replaced and the users are poked. */
  setMemberships(lists: ReadonlyMap<string, readonly string[]>): void {
    this.memberships = lists;
    this.pokedUsers = [...lists.keys()];
  }

  /** The heads this write moved. */
  moved(): Map<string, number> {
    return new Map([...this.heads].filter(([id, head]) => this.locked.get(id) !== head));
  }

  /** Before COMMIT. */
  async finish(): Promise<void> {
    const client = this.persistLastMutationId && this.lastMutationId;
    if (this.staged.length === 0 && !client) return this.spaces.setHeads(this.moved());
    await new PushStatements(this.client).end({
      rows: this.staged,
      heads: this.moved(),
      client: client ? { userId: client.userId, clientId: client.clientId, lastMutationId: client.value } : null,
    });
    this.staged = [];
  }

  /** After COMMIT: the cache first, then the poke. */
  async announce(cache: SyncCache, bus: Bus): Promise<void> {
    const moved = this.moved();
    // A space made here is in no cache and on no device, unless a membership change names it.
    const known = new Map([...moved].filter(([id]) => this.memberships !== null || !this.created.has(id)));
    if (this.memberships) await cache.membershipAfterCommit(this.memberships, known);
    else if (this.lastMutationId) await cache.afterPushCommit(known, this.lastMutationId);
    else await cache.raiseAfterCommit(known);
    if (known.size === 0 && this.pokedUsers.length === 0) return;
    bus.publish({ type: 'poke', spaceIds: [...known.keys()], ...(this.pokedUsers.length > 0 ? { userIds: this.pokedUsers } : {}) });
  }
}

export class SpaceWriter {
  constructor(private readonly deps: SpaceWriterDeps) {}

  /** Runs `work` in one transaction of space writes; once it committed, raises the cache and pokes. */
  async write<T>(work: (write: SpaceWrite) => Promise<T>): Promise<T> {
    const { result, write } = await inTransaction(this.deps.pool, async (client) => {
      const write = new SpaceWrite(client);
      const result = await work(write);
      await write.finish();
      const request = this.deps.requests?.current();
      if (request?.timedOut) throw new WriteAbandoned();
      // From here the timeout leaves the answer to this write.
      if (request) request.committing = true;
      return { result, write };
    });
    await write.announce(this.deps.cache, this.deps.bus);
    return result;
  }
}
