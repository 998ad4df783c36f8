// The Redis presence store on the machine's Redis (a key prefix of its own): one hash tag per
// person, expiry of sockets whose instance stopped beating (last seen = their last beat), the
// strongest shared activity; and, with Redis unreachable, answers from this instance's own sockets.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPresenceStore } from '../src/realtime/redis-presence-store.ts';
import { TEST_REDIS_URL, assertRedisReachable, deleteRedisKeys } from './harness.ts';

const EXPIRY = 1000;

describe('RedisPresenceStore', () => {
  const prefix = `duet_test_presence_store_${randomBytes(6).toString('hex')}:`;
  let redis: Redis;
  let other: Redis;

  beforeAll(async () => {
    await assertRedisReachable();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    other = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    other?.disconnect();
    await deleteRedisKeys(prefix);
  });

  it("keeps each person's keys under one hash tag", async () => {
    const store = new RedisPresenceStore(redis, prefix, EXPIRY);
    await store.join('u1', 'i1:s1', 1000);
    await store.setActivity('u1', 'i1:s1', 'idle', 1000);
    await store.leave('u1', 'i1:s1', 1100);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([`${prefix}{u:u1}:seen`]);
    expect(store.keysOf('u1')).toEqual([`${prefix}{u:u1}:sockets`, `${prefix}{u:u1}:activity`, `${prefix}{u:u1}:seen`]);
  });

  it("counts sockets of every instance, and expires a stopped instance's sockets at their last beat", async () => {
    // Two instances, two stores over one Redis prefix.
    const a = new RedisPresenceStore(redis, prefix, EXPIRY);
    const b = new RedisPresenceStore(other, prefix, EXPIRY);
    await a.join('ben', 'A:phone', 10_000);
    await b.join('ben', 'B:laptop', 10_000);
    expect(await a.leave('ben', 'A:phone', 10_100)).toEqual({ online: true, activity: null, lastSeen: null });
    // B stops beating after 10 500.
    await b.beat([{ userId: 'ben', socketId: 'B:laptop' }], 10_500);
    expect((await a.read(['ben'], 11_400)).get('ben')?.online).toBe(true);
    expect((await a.read(['ben'], 11_501)).get('ben')).toEqual({ online: false, activity: null, lastSeen: 10_500 });
  });

  it('gives the strongest activity of the sockets that share one, and none from a socket that left', async () => {
    const a = new RedisPresenceStore(redis, prefix, EXPIRY);
    const b = new RedisPresenceStore(other, prefix, EXPIRY);
    await a.join('ana', 'A:1', 20_000);
    await b.join('ana', 'B:1', 20_000);
    expect((await a.setActivity('ana', 'A:1', 'reviewing', 20_010)).activity).toBe('reviewing');
    expect((await b.setActivity('ana', 'B:1', 'recording', 20_020)).activity).toBe('recording');
    expect((await b.leave('ana', 'B:1', 20_030)).activity).toBe('reviewing');
    expect((await a.setActivity('ana', 'A:1', null, 20_040)).activity).toBeNull();
    // An activity for a socket that is not there is ignored.
    expect((await a.setActivity('ana', 'gone', 'recording', 20_050)).activity).toBeNull();
  });

  it("answers from this instance's own sockets while Redis cannot be reached", async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    try {
      const store = new RedisPresenceStore(unreachable, prefix, EXPIRY);
      expect(await store.join('cy', 'here:1', 30_000)).toEqual({ online: true, activity: null, lastSeen: null });
      expect((await store.setActivity('cy', 'here:1', 'recording', 30_010)).activity).toBe('recording');
      expect((await store.read(['cy', 'nobody'], 30_020)).get('nobody')).toEqual({ online: false, activity: null, lastSeen: null });
      expect(await store.leave('cy', 'here:1', 30_030)).toEqual({ online: false, activity: null, lastSeen: 30_030 });
    } finally {
      unreachable.disconnect();
    }
  });
});
