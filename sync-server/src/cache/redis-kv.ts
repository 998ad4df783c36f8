/**
 * KvStore over Redis. Writes that compare epochs run as Lua scripts so the check and the write are
 * one step. Every failure is a cache miss or a skipped write, never an error for the request.
 * A circuit breaker opens on the first failure: a stalled Redis (connected, never answering) then
 * costs the requests in flight one command timeout, and the rest answer from Postgres at once
 * until one trial call, every `halfOpenAfterMs` and waited for by no request, finds Redis
 * answering again.
 *
 * On a Redis Cluster every key of this store carries one hash tag (`slotTag`): the scripts and the
 * MGET compare values with the epoch key, so they all live in one slot, and a flushed node loses
 * the epoch together with the values it guards. A writer's value there counts only once a replica
 * has it too (WAIT): a master that acknowledged a raise and died before copying it would otherwise
 * come back, as its promoted replica, with the old head under the same epoch.
 */
import { randomBytes } from 'node:crypto';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import { hasReplicas, isCluster, slotTag, type RedisClient } from './redis-client.ts';
import type { KvStore } from './kv.ts';

// Values are "<epoch>|<value>".
const EPOCH_OF = `local function current(v, epoch)
  if not v then return nil end
  local sep = string.find(v, '|', 1, true)
  if not sep or string.sub(v, 1, sep - 1) ~= epoch then return nil end
  return string.sub(v, sep + 1)
end`;

const RAISE = `${EPOCH_OF}
local epoch = ARGV[1]
local current_epoch = redis.call('GET', KEYS[1])
if epoch == '' then
  if not current_epoch then
    current_epoch = ARGV[#ARGV]
    redis.call('SET', KEYS[1], current_epoch)
  end
  epoch = current_epoch
elseif current_epoch ~= epoch then
  return 0
end
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  local value = tonumber(ARGV[i + 1])
  local old = tonumber(current(redis.call('GET', KEYS[i]), epoch) or '-1')
  if value > old then redis.call('SET', KEYS[i], epoch .. '|' .. ARGV[i + 1], 'EX', ttl) end
end
return 1`;

const PUT = `
local epoch = ARGV[1]
if redis.call('GET', KEYS[1]) ~= epoch then return 0 end
if ARGV[4] == '1' then
  return redis.call('SET', KEYS[2], epoch .. '|' .. ARGV[2], 'EX', tonumber(ARGV[3]), 'NX') and 1 or 0
end
redis.call('SET', KEYS[2], epoch .. '|' .. ARGV[2], 'EX', tonumber(ARGV[3]))
return 1`;

type ScriptArg = string | number;

/** The connection with the scripts defined on it (ioredis defineCommand: EVALSHA, EVAL when Redis lost the script). */
interface ScriptedRedis {
  /** numKeys, the keys, then the arguments. */
  duetKvRaise(numKeys: number, ...keysAndArgs: ScriptArg[]): Promise<number>;
  duetKvPut(...keysAndArgs: ScriptArg[]): Promise<number>;
}

function defineScripts(redis: RedisClient): ScriptedRedis {
  // Without numberOfKeys, a call passes the number of keys first (RAISE takes any number).
  redis.defineCommand('duetKvRaise', { lua: RAISE });
  redis.defineCommand('duetKvPut', { lua: PUT, numberOfKeys: 2 });
  return redis as unknown as ScriptedRedis;
}

export class RedisKv implements KvStore {
  readonly mode = 'redis' as const;
  private readonly epochKey: string;
  private readonly prefix: string;
  private readonly scripts: ScriptedRedis;

  private failing = false;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly onError: (e: unknown) => void = () => {},
    /** Called on the first success after a failure (a stall ends without the connection dropping). */
    private readonly onRecovered: () => void = () => {},
    halfOpenAfterMs = 2000,
    /** The command timeout of the connection: a WAIT for a replica gives up after half of it. */
    private readonly commandTimeoutMs = 300,
  ) {
    // Only on a cluster: on one Redis the keys stay as they were, so instances of the version before
    // this one, running beside it during a rolling upgrade, still raise the heads this one reads.
    this.prefix = isCluster(redis) ? slotTag(prefix, 'cache') : prefix;
    this.epochKey = `${this.prefix}epoch`;
    this.scripts = defineScripts(redis);
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(1) });
  }

  private async attempt<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    if (this.redis.status !== 'ready') return fallback;
    const state = this.breaker.state;
    // A trial call is running: cockatiel would queue this one behind it, a timeout long.
    if (state === CircuitState.HalfOpen) return fallback;
    const call = this.breaker.execute(work).then(
      (result) => {
        if (this.failing) {
          this.failing = false;
          this.onRecovered();
        }
        return result;
      },
      (error: unknown) => {
        this.failing = true;
        // An open breaker is the outage already reported, not a new failure.
        if (!(error instanceof BrokenCircuitError)) this.onError(error);
        return fallback;
      },
    );
    // While open, a call is refused at once or is the trial; nobody waits for the trial, so the
    // only requests a stall slows are those in flight when it began.
    return state === CircuitState.Open ? fallback : call;
  }

  epoch(): Promise<string | null> {
    return this.attempt(async () => {
      const existing = await this.redis.get(this.epochKey);
      if (existing) return existing;
      await this.redis.set(this.epochKey, randomBytes(8).toString('hex'), 'NX');
      return this.redis.get(this.epochKey);
    }, null);
  }

  getCurrent(keys: readonly string[]): Promise<Array<string | null> | null> {
    return this.attempt(async () => {
      const values = await this.redis.mget(this.epochKey, ...keys.map((k) => this.prefix + k));
      const [epoch, ...rest] = values;
      return rest.map((v) => {
        if (!epoch || !v) return null;
        const sep = v.indexOf('|');
        return v.slice(0, sep) === epoch ? v.slice(sep + 1) : null;
      });
    }, null);
  }

  raise(epoch: string, entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean> {
    if (entries.size === 0) return Promise.resolve(true);
    const keys = [this.epochKey, ...[...entries.keys()].map((k) => this.prefix + k)];
    const args = [keys.length, ...keys, epoch, ttlSec, ...[...entries.values()].map(String), randomBytes(8).toString('hex')] as const;
    // A reader's fill (an epoch given) may be lost: that is a miss. A writer's raise may not.
    if (epoch === '') return this.attempt(() => this.replicated((p) => p.duetKvRaise(...args)), false);
    return this.attempt(async () => {
      await this.scripts.duetKvRaise(...args);
      return true;
    }, false);
  }

  /**
   * Runs one write and, on a cluster with replicas, WAITs (on the same node) until a replica has
   * it: true when it did within half a command timeout. False is a missed write for the caller.
   */
  private async replicated(write: (pipeline: ScriptedRedis) => unknown): Promise<boolean> {
    if (!hasReplicas(this.redis, this.epochKey)) {
      await write(this.scripts);
      return true;
    }
    const pipeline = this.redis.pipeline();
    write(pipeline as unknown as ScriptedRedis);
    pipeline.wait(1, Math.max(1, Math.floor(this.commandTimeoutMs / 2)));
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    return Number(results[1]?.[1] ?? 0) >= 1;
  }

  raiseCurrent(entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean> {
    return this.raise('', entries, ttlSec);
  }

  put(epoch: string, key: string, value: string, ttlSec: number, onlyIfAbsent: boolean, durable = false): Promise<boolean> {
    const args = [this.epochKey, this.prefix + key, epoch, value, ttlSec, onlyIfAbsent ? '1' : '0'] as const;
    if (durable) return this.attempt(() => this.replicated((p) => p.duetKvPut(...args)), false);
    return this.attempt(async () => {
      await this.scripts.duetKvPut(...args);
      return true;
    }, false);
  }

  del(keys: readonly string[]): Promise<boolean> {
    if (keys.length === 0) return Promise.resolve(true);
    return this.attempt(async () => {
      await this.redis.del(...keys.map((k) => this.prefix + k));
      return true;
    }, false);
  }

  rotateEpoch(): Promise<boolean> {
    const epoch = randomBytes(8).toString('hex');
    // Lost in a failover, a rotation would bring back every value it was meant to drop.
    return this.attempt(() => this.replicated((p) => (p as unknown as RedisClient).set(this.epochKey, epoch)), false);
  }

  up(): Promise<boolean> {
    return this.attempt(async () => (await this.redis.ping()) === 'PONG', false);
  }
}
