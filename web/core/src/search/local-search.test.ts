import { describe, expect, it } from 'vitest';
import type { Conversation, Message, Transcript } from '@duet/shared';
import { MemoryStorage } from '../sync/memory-storage.ts';
import { LocalSearch, normalizeTerm } from './local-search.ts';

const HLC = '001763980000000:00000:c1';
const meta = { hlc: HLC, by: 'u1', at: 1 };
const conversation = (id: string, title: string): Conversation => ({
  id,
  spaceId: 's',
  title,
  archived: false,
  createdBy: 'u1',
  createdAt: 1,
  meta: { title: meta, archived: meta },
});
const message = (id: string, conversationId: string, body: string, extra: Partial<Message> = {}): Message => ({
  id,
  spaceId: 's',
  conversationId,
  authorId: 'u1',
  body,
  createdAt: 2,
  editedAt: null,
  deleted: false,
  meta: { body: meta },
  ...extra,
});
const transcript = (id: string, text: string): Transcript => ({
  id,
  spaceId: 's',
  conversationId: 'k1',
  createdBy: 'u1',
  createdAt: 3,
  text,
  language: 'en',
  durationMs: null,
  status: 'draft',
  submissions: 0,
  result: null,
  error: null,
  meta: { text: meta },
});

function setup() {
  const storage = new MemoryStorage();
  const listeners = new Set<(stores: readonly string[]) => void>();
  let loads = 0;
  const search = new LocalSearch({
    read: (fn) => storage.read(fn),
    onLocalChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    loadMiniSearch: async () => {
      loads += 1;
      return (await import('minisearch')).default;
    },
  });
  const change = async (fn: Parameters<MemoryStorage['write']>[0], stores: string[]) => {
    await storage.write(fn);
    for (const l of listeners) l(stores);
  };
  return { search, change, loads: () => loads };
}

const ids = (hits: Array<{ kind: string; id: string }>) => hits.map((h) => `${h.kind}:${h.id}`).sort();

describe('LocalSearch', () => {
  it('finds titles, messages and transcripts, by prefix, ignoring case and accents, every word required', async () => {
    const { search, change, loads } = setup();
    await change(
      async (tx) => {
        await tx.put('conversations', conversation('k1', 'Viaje a Lisboa'));
        await tx.put('messages', message('m1', 'k1', 'Book the café near the river'));
        await tx.put('messages', message('m2', 'k1', 'The cafe closes early'));
        await tx.put('messages', message('m3', 'k1', 'gone', { deleted: true, body: '' }));
        await tx.put('transcripts', transcript('t1', 'Lena: we should book the cabin by the lake'));
      },
      ['conversations', 'messages', 'transcripts'],
    );
    expect(loads()).toBe(0);
    expect(ids(await search.search('CAFE'))).toEqual(['message:m1', 'message:m2']);
    expect(loads()).toBe(1);
    expect(ids(await search.search('book'))).toEqual(['message:m1', 'transcript:t1']);
    expect(ids(await search.search('book cab'))).toEqual(['transcript:t1']);
    expect(ids(await search.search('lisb'))).toEqual(['conversation:k1']);
    expect(await search.search('   ')).toEqual([]);
    expect(await search.search('gone')).toEqual([]);
    const [hit] = await search.search('river');
    expect(hit).toMatchObject({
      kind: 'message',
      id: 'm1',
      conversationId: 'k1',
      conversationTitle: 'Viaje a Lisboa',
      text: 'Book the café near the river',
    });
  });

  it('follows edits, deletes and new records after a local change, loading the library once', async () => {
    const { search, change, loads } = setup();
    await change(async (tx) => tx.put('messages', message('m1', 'k1', 'apples and pears')), ['messages']);
    expect(ids(await search.search('apples'))).toEqual(['message:m1']);
    await change(
      async (tx) => {
        await tx.put('messages', message('m1', 'k1', 'only pears now'));
        await tx.put('messages', message('m2', 'k1', 'apples again'));
      },
      ['messages'],
    );
    expect(ids(await search.search('apples'))).toEqual(['message:m2']);
    await change(async (tx) => tx.put('messages', message('m2', 'k1', '', { deleted: true })), ['messages']);
    expect(await search.search('apples')).toEqual([]);
    expect(search.size).toBe(1);
    expect(loads()).toBe(1);
  });

  it('matches Arabic with or without diacritics', async () => {
    const { search, change } = setup();
    await change(async (tx) => tx.put('messages', message('m1', 'k1', 'مَرْحَبًا بالعالم')), ['messages']);
    expect(ids(await search.search('مرحبا'))).toEqual(['message:m1']);
    expect(normalizeTerm('Ñandú')).toBe('nandu');
  });
});
