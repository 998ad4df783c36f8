/**
 * PresenceStore in Redis, shared by every instance. Per person, three keys with one hash tag
 * (`{u:<id>}`, one Redis Cluster slot, so one script may touch them all): a sorted set of socket
 * ids scored by their last heartbeat, a hash of what each socket says the person is doing, and
 * the last-seen time. Every call runs one script that first drops the entries older than the
 * expiry bound (a dead instance's sockets), so expiry needs no sweeper of its own.
 *
 * While Redis cannot be reached, answers come from this instance's own sockets (kept in a
 * MemoryPresenceStore beside Redis): partners on other instances look offline until it is back.
 */
import type { Activity } from '@duet/shared';
import type { RedisClient } from '../cache/redis-client.ts';
import { MemoryPresenceStore, strongestActivity, type PresenceState, type PresenceStore } from './presence-store.ts';

/** How long a last-seen time is kept after the person's last device went (30 days). */
const LAST_SEEN_TTL_MS = 30 * 24 * 3600 * 1000;

// KEYS: sockets (zset), activities (hash), last seen (string).
// ARGV: op (join | leave | activity | beat | read), now, expiry ms, socket id, activity ('' = not shared), last-seen ttl.
// Returns { online socket count, last seen or '', activity values... }.
const PRESENCE_SCRIPT = `
local now = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local cutoff = now - expiry
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff, 'WITHSCORES')
local ended = nil
for i = 1, #expired, 2 do
  redis.call('HDEL', KEYS[2], expired[i])
  local at = tonumber(expired[i + 1])
  if not ended or at > ended then ended = at end
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff) end
local op = ARGV[1]
local socket = ARGV[4]
if op == 'join' or op == 'beat' then
  redis.call('ZADD', KEYS[1], now, socket)
elseif op == 'leave' then
  if redis.call('ZREM', KEYS[1], socket) == 1 then ended = now end
  redis.call('HDEL', KEYS[2], socket)
elseif op == 'activity' then
  if redis.call('ZSCORE', KEYS[1], socket) then
    if ARGV[5] == '' then redis.call('HDEL', KEYS[2], socket) else redis.call('HSET', KEYS[2], socket, ARGV[5]) end
  end
end
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then
  if ended then redis.call('SET', KEYS[3], tostring(ended), 'PX', tonumber(ARGV[6])) end
  redis.call('DEL', KEYS[2])
else
  -- Keys of people nobody beats for any more go away on their own.
  redis.call('PEXPIRE', KEYS[1], expiry * 2)
  redis.call('PEXPIRE', KEYS[2], expiry * 2)
end
local result = { count, redis.call('GET', KEYS[3]) or '' }
if count > 0 then
  for _, value in ipairs(redis.call('HVALS', KEYS[2])) do table.insert(result, value) end
end
return result`;

type Op = 'join' | 'leave' | 'activity' | 'beat' | 'read';
type ScriptReply = [number, string, ...string[]];

interface ScriptedRedis {
  duetPresence(...keysAndArgs: Array<string | number>): Promise<ScriptReply>;
}

function stateOf(reply: ScriptReply): PresenceState {
  const [count, lastSeen, ...activities] = reply;
  const online = Number(count) > 0;
  return {
    online,
    activity: online ? strongestActivity(activities) : null,
    lastSeen: online || lastSeen === '' ? null : Number(lastSeen),
  };
}

export class RedisPresenceStore implements PresenceStore {
  private readonly redis: ScriptedRedis & RedisClient;
  /** This instance's own sockets: the answer while Redis is unreachable. */
  private readonly local: MemoryPresenceStore;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly expiryMs: number,
  ) {
    redis.defineCommand('duetPresence', { lua: PRESENCE_SCRIPT, numberOfKeys: 3 });
    this.redis = redis as ScriptedRedis & RedisClient;
    this.local = new MemoryPresenceStore(expiryMs);
  }

  /** The keys of one person; the hash tag puts them in one cluster slot. */
  keysOf(userId: string): [string, string, string] {
    const tag = `${this.prefix}{u:${userId}}`;
    return [`${tag}:sockets`, `${tag}:activity`, `${tag}:seen`];
  }

  private run(op: Op, userId: string, now: number, socketId = '', activity: Activity | null = null): Promise<ScriptReply> {
    return this.redis.duetPresence(...this.keysOf(userId), op, now, this.expiryMs, socketId, activity ?? '', LAST_SEEN_TTL_MS);
  }

  async join(userId: string, socketId: string, now: number): Promise<PresenceState> {
    const local = this.local.joinNow(userId, socketId, now);
    return this.run('join', userId, now, socketId).then(stateOf, () => local);
  }

  async leave(userId: string, socketId: string, now: number): Promise<PresenceState> {
    const local = this.local.leaveNow(userId, socketId, now);
    return this.run('leave', userId, now, socketId).then(stateOf, () => local);
  }

  async setActivity(userId: string, socketId: string, activity: Activity | null, now: number): Promise<PresenceState> {
    const local = this.local.setActivityNow(userId, socketId, activity, now);
    return this.run('activity', userId, now, socketId, activity).then(stateOf, () => local);
  }

  async beat(sockets: ReadonlyArray<{ userId: string; socketId: string }>, now: number): Promise<void> {
    this.local.beatNow(sockets, now);
    // Each socket's own script call (a cluster routes each to its person's slot), in parallel.
    await Promise.all(sockets.map(({ userId, socketId }) => this.run('beat', userId, now, socketId).catch(() => null)));
  }

  async read(userIds: readonly string[], now: number): Promise<Map<string, PresenceState>> {
    const local = this.local.readNow(userIds, now);
    const replies = await Promise.all(userIds.map((id) => this.run('read', id, now).then(stateOf, () => null)));
    return new Map(userIds.map((id, i) => [id, replies[i] ?? (local.get(id) as PresenceState)]));
  }
}
