import { describe, expect, it } from 'vitest';
import { MemoryPresenceStore, strongestActivity } from './presence-store.ts';

const EXPIRY = 1000;

describe('MemoryPresenceStore (the in-process presence of one instance)', () => {
  it('keeps a person online until their last socket leaves, then remembers when', async () => {
    const store = new MemoryPresenceStore(EXPIRY);
    await store.join('ben', 'phone', 100);
    await store.join('ben', 'laptop', 110);
    expect(await store.leave('ben', 'phone', 200)).toEqual({ online: true, activity: null, lastSeen: null });
    expect(await store.leave('ben', 'laptop', 300)).toEqual({ online: false, activity: null, lastSeen: 300 });
    expect((await store.read(['ben'], 400)).get('ben')).toEqual({ online: false, activity: null, lastSeen: 300 });
  });

  it('expires sockets that stopped beating; their last beat is the last seen', async () => {
    const store = new MemoryPresenceStore(EXPIRY);
    await store.join('ben', 'a', 0);
    await store.beat([{ userId: 'ben', socketId: 'a' }], 800);
    expect((await store.read(['ben'], 1700)).get('ben')?.online).toBe(true);
    expect((await store.read(['ben'], 1801)).get('ben')).toEqual({ online: false, activity: null, lastSeen: 800 });
  });

  it('shares the strongest activity of the devices that share it, and none once they stop', async () => {
    const store = new MemoryPresenceStore(EXPIRY);
    await store.join('ana', 'phone', 0);
    await store.join('ana', 'tablet', 0);
    expect((await store.setActivity('ana', 'phone', 'reviewing', 10)).activity).toBe('reviewing');
    expect((await store.setActivity('ana', 'tablet', 'recording', 20)).activity).toBe('recording');
    expect((await store.setActivity('ana', 'tablet', null, 30)).activity).toBe('reviewing');
    expect((await store.leave('ana', 'phone', 40)).activity).toBeNull();
    // A socket that is not there cannot set an activity.
    expect((await store.setActivity('ana', 'gone', 'recording', 50)).activity).toBeNull();
  });

  it('ranks recording over reviewing over idle and ignores unknown values', () => {
    expect(strongestActivity(['idle', 'recording', 'reviewing'])).toBe('recording');
    expect(strongestActivity(['idle', 'reviewing'])).toBe('reviewing');
    expect(strongestActivity(['bogus'])).toBeNull();
  });
});
