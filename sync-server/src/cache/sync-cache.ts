/**
 * What the server caches, and the rules that keep a cache from ever hiding a change:
 * - Space heads and lastMutationIds only move up. A writer raises them right AFTER it commits and
 *   before anyone hears of the change: the push is answered, and its poke sent, only after the
 *   raise. Every writer goes through SpaceWriter (store/space-writer.ts), which does exactly this. A pull answers "nothing new" from the cache only when every cached head equals its
 *   cursor version.
 * - Why after the commit and not before (as this cache once did): a raise before the commit runs
 *   inside the transaction that holds the space locks, so a stalled Redis held those locks for a
 *   command timeout and every writer of the space queued behind it. Raising after the commit loses
 *   nothing: between the commit and the raise, a pull may still be told "nothing new" at the old
 *   head, but nobody has yet been told of the change (no answer, no poke), and the poke that follows
 *   the raise makes every device pull again, this time past the raised head. Readers cannot undo
 *   the raise: they fill heads only upwards, under the epoch they saw before reading Postgres.
 * - Readers fill the cache with what they read from Postgres only under the epoch they saw before
 *   reading, so nothing read before a flush or restart of Redis survives it.
 * - A write whose cache update failed (Redis down or stalled, breaker open) marks the cache stale;
 *   the epoch is rotated as soon as Redis answers again, which drops every value written before,
 *   and then every instance pokes its devices once (server.ts), so a poke lost meanwhile is made up.
 * - A logout writes a "revoked" marker rather than deleting, so a concurrent reader cannot put the
 *   old identity back; stats are keyed by the personal space's head, so a session write changes the key.
 */
import type { StatsResponse } from '@duet/shared';
import type { Counter } from 'prom-client';
import type { DeviceIdentity } from '../store/users-repo.ts';
import type { KvStore } from './kv.ts';

// Heads live a minute. An instance that cannot reach Redis while others can tells them through
// Postgres before it answers (cache-fence.ts), so what it could not raise is never trusted.
const TTL = { head: 60, spaces: 3600, token: 300, stats: 60 } as const;
const REVOKED = 'revoked';
const WARM_SLICE = 500;

/** token: identities by token; spaces: a user's list of spaces; heads: space heads; pull: a whole empty pull; stats. */
export type CacheName = 'token' | 'spaces' | 'heads' | 'pull' | 'stats';

export class SyncCache {
  private stale = false;
  /** False while this instance could miss another's word that the cache is stale (cache-fence.ts). */
  private listening = true;
  /** True for a while after another instance's word that it missed a write (cache-fence.ts). */
  private distrusted = false;
  /** Tells the other instances that a write did not reach Redis; awaited before the write is answered. */
  onMissedWrite: () => Promise<void> = async () => {};
  /** Resolves true once every other instance's word of a missed write sent before the call was heard. */
  heardEverything: () => Promise<boolean> = async () => true;

  constructor(
    readonly kv: KvStore,
    private readonly requests: Counter<'cache' | 'result'>,
    /** The server's clock (ms): when a user was last seen online. */
    private readonly now: () => number,
  ) {}

  private count(cache: CacheName, hit: boolean): void {
    this.requests.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  /** The epoch to fill the cache under; read it before reading Postgres. None while stale. */
  async epoch(): Promise<string | null> {
    return this.stale || this.distrusted ? null : this.kv.epoch();
  }

  /** Called when Redis is reachable again: drops everything if a write was missed meanwhile. */
  async recover(): Promise<void> {
    if (this.stale && (await this.kv.rotateEpoch())) this.stale = false;
  }

  /**
   * Whether cached values may be used. After a missed write (Redis stalled or down), nothing is
   * read until the epoch has been rotated, whether or not the connection itself dropped; nor while
   * the word of another instance's missed write could not be heard.
   */
  private async usable(): Promise<boolean> {
    if (!this.listening || this.distrusted) return false;
    if (this.stale) await this.recover();
    return !this.stale;
  }

  /** A write of this instance did not reach Redis: stop reading it, and tell the others. */
  private async missedWrite(): Promise<void> {
    this.stale = true;
    await this.onMissedWrite();
  }

  /** Another instance missed a write: stop reading and filling the cache until trustAgain(). */
  distrust(): void {
    this.distrusted = true;
    this.stale = true;
  }

  /** No word for a while: the epoch rotation drops everything cached before, then the cache is used again. */
  trustAgain(): void {
    this.distrusted = false;
    void this.recover().catch(() => {});
  }

  fenceListening(up: boolean): void {
    this.listening = up;
  }

  async identity(tokenHash: string): Promise<DeviceIdentity | 'revoked' | null> {
    const [value] = (await this.usable()) ? ((await this.kv.getCurrent([`tok:${tokenHash}`])) ?? [null]) : [null];
    this.count('token', Boolean(value));
    if (!value) return null;
    if (value === REVOKED) return 'revoked';
    return JSON.parse(value) as DeviceIdentity;
  }

  async rememberIdentity(epoch: string | null, tokenHash: string, identity: DeviceIdentity): Promise<void> {
    if (epoch) await this.kv.put(epoch, `tok:${tokenHash}`, JSON.stringify(identity), TTL.token, true);
  }

  async revokeToken(tokenHash: string): Promise<void> {
    const epoch = await this.kv.epoch();
    const ok = epoch !== null && (await this.kv.put(epoch, `tok:${tokenHash}`, REVOKED, TTL.token, false, true));
    if (!ok) await this.missedWrite();
  }

  /** Whether "nothing new" may be answered from the cache: usable, with every missed write heard of. */
  private async trustworthy(): Promise<boolean> {
    return (await this.usable()) && (await this.heardEverything()) && !this.stale;
  }

  /** lastMutationId when nothing changed in any space since the cursor, from the cache alone; else null. */
  async emptyPull(userId: string, clientId: string, cursor: ReadonlyMap<string, number>): Promise<number | null> {
    const spaces = [...cursor.keys()];
    const values = (await this.trustworthy())
      ? await this.kv.getCurrent([`spaces:${userId}`, `lmid:${userId}:${clientId}`, ...spaces.map((s) => `head:${s}`)])
      : null;
    const [members, lmid, ...heads] = values ?? [];
    const sameSpaces = members != null && members === JSON.stringify([...spaces].sort());
    const nothingNew = sameSpaces && lmid != null && spaces.every((s, i) => heads[i] != null && Number(heads[i]) === cursor.get(s));
    this.count('spaces', members != null);
    for (const head of heads.length ? heads : spaces.map(() => null)) this.count('heads', head != null);
    this.count('pull', nothingNew);
    return nothingNew ? Number(lmid) : null;
  }

  async rememberPull(
    epoch: string | null,
    userId: string,
    clientId: string,
    memberSpaces: readonly string[],
    heads: ReadonlyMap<string, number>,
    lastMutationId: number,
  ): Promise<void> {
    if (!epoch) return;
    const raised = new Map<string, number>([[`lmid:${userId}:${clientId}`, lastMutationId]]);
    for (const [space, head] of heads) raised.set(`head:${space}`, head);
    await Promise.all([
      this.kv.put(epoch, `spaces:${userId}`, JSON.stringify([...memberSpaces].sort()), TTL.spaces, true),
      this.kv.raise(epoch, raised, TTL.head),
    ]);
  }

  /**
   * After a write commits, before it is answered or poked: the committed heads, under whatever
   * epoch is current (a committed head is never behind, whatever a flush did meanwhile).
   */
  async raiseAfterCommit(heads: ReadonlyMap<string, number>): Promise<void> {
    if (heads.size === 0) return;
    const raised = new Map([...heads].map(([space, head]) => [`head:${space}`, head] as const));
    if (!(await this.kv.raiseCurrent(raised, TTL.head))) await this.missedWrite();
  }

  /**
   * After a push commits: its heads (see raiseAfterCommit) and the client's lastMutationId, in one
   * step. The lastMutationId only after the commit, as a client drops what it covers from its
   * outbox; one that lags behind only makes the client resend duplicates.
   */
  async afterPushCommit(heads: ReadonlyMap<string, number>, lmid: { userId: string; clientId: string; value: number }): Promise<void> {
    const raised = new Map<string, number>([...heads].map(([space, head]) => [`head:${space}`, head] as const));
    raised.set(`lmid:${lmid.userId}:${lmid.clientId}`, lmid.value);
    if (!(await this.kv.raiseCurrent(raised, TTL.head)) && heads.size > 0) await this.missedWrite();
  }

  /**
   * After a membership change commits, before it is answered or poked: the users' new lists of
   * spaces, overwriting what was cached (a reader only adds a list where there is none).
   */
  async membershipAfterCommit(lists: ReadonlyMap<string, readonly string[]>, heads: ReadonlyMap<string, number>): Promise<void> {
    const epoch = await this.kv.epoch();
    let ok = epoch !== null;
    if (epoch) {
      for (const [userId, spaces] of lists) {
        ok = (await this.kv.put(epoch, `spaces:${userId}`, JSON.stringify([...spaces].sort()), TTL.spaces, false, true)) && ok;
      }
      // A writer's heads: under whatever epoch is current, and copied to a replica (see raiseAfterCommit).
      ok = (await this.kv.raiseCurrent(new Map([...heads].map(([s, v]) => [`head:${s}`, v])), TTL.head)) && ok;
    }
    if (!ok) await this.missedWrite();
  }

  async stats(userId: string, personalSpaceId: string): Promise<StatsResponse | null> {
    const [head] = (await this.trustworthy()) ? ((await this.kv.getCurrent([`head:${personalSpaceId}`])) ?? [null]) : [null];
    this.count('heads', head != null);
    const [value] = head ? ((await this.kv.getCurrent([`stats:${userId}:${head}`])) ?? [null]) : [null];
    this.count('stats', Boolean(value));
    return value ? (JSON.parse(value) as StatsResponse) : null;
  }

  async rememberStats(epoch: string | null, userId: string, personalSpaceId: string, head: number, stats: StatsResponse): Promise<void> {
    if (!epoch) return;
    await Promise.all([
      this.kv.raise(epoch, new Map([[`head:${personalSpaceId}`, head]]), TTL.head),
      this.kv.put(epoch, `stats:${userId}:${head}`, JSON.stringify(stats), TTL.stats, false),
    ]);
  }

  /**
   * Warming: what empty pulls and token checks will ask for, read from Postgres under `epoch` (read
   * before). By the readers' rules: heads and lastMutationIds only upwards, lists of spaces and
   * identities only where there is none (a membership change or a logout overwrites them).
   */
  async warm(
    epoch: string,
    positions: ReadonlyArray<{ userId: string; clientId: string; lastMutationId: number; heads: ReadonlyMap<string, number> }>,
    identities: ReadonlyMap<string, DeviceIdentity>,
  ): Promise<number> {
    const raised = new Map<string, number>();
    const lists = new Map<string, string>();
    for (const p of positions) {
      raised.set(`lmid:${p.userId}:${p.clientId}`, p.lastMutationId);
      for (const [space, head] of p.heads) raised.set(`head:${space}`, head);
      lists.set(`spaces:${p.userId}`, JSON.stringify([...p.heads.keys()].sort()));
    }
    const puts = [
      ...[...lists].map(([key, value]) => this.kv.put(epoch, key, value, TTL.spaces, true)),
      ...[...identities].map(([hash, identity]) => this.kv.put(epoch, `tok:${hash}`, JSON.stringify(identity), TTL.token, true)),
    ];
    // In slices, so no one script holds Redis for long.
    const entries = [...raised];
    const raises = [];
    for (let i = 0; i < entries.length; i += WARM_SLICE)
      raises.push(this.kv.raise(epoch, new Map(entries.slice(i, i + WARM_SLICE)), TTL.head));
    const done = await Promise.all([...raises, ...puts]);
    return done.every(Boolean) ? raised.size + puts.length : 0;
  }

  /** What the cache holds for a user's sync (the debug endpoint): raw values, null where absent. */
  async entriesOf(userId: string, clientId: string, spaceIds: readonly string[]): Promise<Record<string, string | null> | null> {
    const keys = [`spaces:${userId}`, `lmid:${userId}:${clientId}`, ...spaceIds.map((s) => `head:${s}`)];
    const values = await this.kv.getCurrent(keys);
    return values ? Object.fromEntries(keys.map((k, i) => [k, values[i] ?? null])) : null;
  }

  /** The cache's state for the debug page: whether it is used, and how long each family of keys lives. */
  describe(): { mode: string; usable: boolean; stale: boolean; ttlSec: typeof TTL } {
    return { mode: this.kv.mode, usable: this.listening && !this.distrusted && !this.stale, stale: this.stale, ttlSec: TTL };
  }
}
