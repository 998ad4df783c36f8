/**
 * The key-value operations the caches need, over Redis or in process. Every value written by a
 * cache carries the store's current *epoch*; a value of another epoch is ignored. A flushed or
 * restarted Redis loses its epoch, so values written by anyone who read state before the flush
 * can never be taken as current afterwards.
 */
export interface KvStore {
  readonly mode: 'redis' | 'in-process';
  /** The current epoch, created when missing; null when the store is unreachable. */
  epoch(): Promise<string | null>;
  /** Values of these keys whose epoch is current (null otherwise); null when unreachable. */
  getCurrent(keys: readonly string[]): Promise<Array<string | null> | null>;
  /** Sets keys to numbers, each only upwards, if the epoch is still `epoch`; false when it failed. */
  raise(epoch: string, entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean>;
  /**
   * Like raise, under whatever epoch is current (creating one if missing), in one step: for
   * writers, whose values are never behind what they committed, whatever the epoch.
   */
  raiseCurrent(entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean>;
  /**
   * Sets a key if the epoch is still `epoch`; with `onlyIfAbsent`, only when the key is not there.
   * `durable`: a writer's value that must survive a failover (raiseCurrent and rotateEpoch always are).
   */
  put(epoch: string, key: string, value: string, ttlSec: number, onlyIfAbsent: boolean, durable?: boolean): Promise<boolean>;
  del(keys: readonly string[]): Promise<boolean>;
  /** Makes every value written so far stale at once. */
  rotateEpoch(): Promise<boolean>;
  up(): Promise<boolean>;
}
