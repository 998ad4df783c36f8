import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Conversation, FieldMeta, Message, Session, Transcript, TranscriptStatus } from './entities.ts';
import { ACTIVITY_KINDS, TRANSCRIPT_STATUSES } from './entities.ts';
import { formatHlc } from './hlc.ts';
import { isStatusAhead, mergeConversation, mergeMessage, mergeSession, mergeTranscript, pickLww } from './merge.ts';

const T0 = 1_763_980_000_000;

/** An hlc `ms` after T0, in the compact notation of the tables: h(5, 0, 'c1'). */
const h = (ms: number, counter = 0, clientId = 'c1') => formatHlc({ wall: T0 + ms, counter, clientId });
const meta = (hlc: string, by = 'u1'): FieldMeta => ({ hlc, by, at: T0 + 100_000 });

function conversation(title: string, titleHlc: string, archived = false, archivedHlc = h(0)): Conversation {
  return {
    id: 'k1',
    spaceId: 'sp',
    title,
    archived,
    createdBy: 'u1',
    createdAt: T0,
    meta: { title: meta(titleHlc), archived: meta(archivedHlc) },
  };
}

function message(body: string, bodyHlc: string, extra: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    spaceId: 'sp',
    conversationId: 'k1',
    authorId: 'u1',
    body,
    createdAt: T0,
    editedAt: null,
    deleted: false,
    meta: { body: meta(bodyHlc) },
    ...extra,
  };
}

const tombstone = (bodyHlc: string): Message => message('', bodyHlc, { deleted: true });

function session(startedAt: number, endedAt: number | null, activities: Session['activities'], lastActivityAt = startedAt): Session {
  return { id: 's1', spaceId: 'p1', userId: 'u1', startedAt, endedAt, lastActivityAt, activities };
}

function transcript(status: TranscriptStatus, submissions: number, extra: Partial<Transcript> = {}): Transcript {
  return {
    id: 't1',
    spaceId: 'sp',
    conversationId: null,
    createdBy: 'u1',
    createdAt: T0,
    text: 'hello',
    language: 'en',
    durationMs: null,
    status,
    submissions,
    result: null,
    error: null,
    meta: { text: meta(h(0)) },
    ...extra,
  };
}

/** Checks a merge both ways round, since every rule must hold whichever side arrives first. */
function bothWays<T>(merge: (a: T, b: T) => T, a: T, b: T): T {
  const ab = merge(a, b);
  expect(merge(b, a)).toEqual(ab);
  return ab;
}

describe('last writer wins per field', () => {
  it.each([
    ['a later wall clock wins', h(5), h(9, 0, 'c0'), 'b'],
    ['a later wall clock wins over a larger counter', h(9), h(5, 99), 'a'],
    ['at the same ms the larger counter wins', h(5, 2), h(5, 1, 'c9'), 'a'],
    ['at equal time the larger clientId wins', h(5, 1, 'c1'), h(5, 1, 'c2'), 'b'],
    ['clientIds compare as strings', h(5, 1, 'c10'), h(5, 1, 'c9'), 'b'],
  ])('%s', (_, hlcA, hlcB, winner) => {
    const a = { value: 'a', meta: meta(hlcA) };
    const b = { value: 'b', meta: meta(hlcB) };
    expect(pickLww(a, b).value).toBe(winner);
    expect(pickLww(b, a).value).toBe(winner);
  });

  it('picks one value deterministically for two values under one hlc', () => {
    const a = { value: 'a', meta: meta(h(5)) };
    const b = { value: 'b', meta: meta(h(5)) };
    expect(pickLww(a, b)).toBe(pickLww(b, a));
  });

  it('merges conversation title and archived independently', () => {
    const a = conversation('title by a', h(9), false, h(1));
    const b = conversation('title by b', h(3), true, h(4));
    const merged = bothWays(mergeConversation, a, b);
    expect(merged.title).toBe('title by a');
    expect(merged.meta.title.hlc).toBe(h(9));
    expect(merged.archived).toBe(true);
    expect(merged.meta.archived.hlc).toBe(h(4));
  });

  it.each([
    ['the later edit wins', message('old', h(1)), message('new', h(2)), 'new'],
    ['the larger clientId wins a tie', message('from c2', h(2, 0, 'c2')), message('from c1', h(2, 0, 'c1')), 'from c2'],
  ])('message body: %s', (_, a, b, body) => {
    expect(bothWays(mergeMessage, a, b).body).toBe(body);
  });

  it.each([
    ['the later text wins', h(1), h(8), 'b text'],
    ['the larger clientId wins a tie', h(4, 0, 'zz'), h(4, 0, 'aa'), 'a text'],
  ])('transcript text: %s', (_, hlcA, hlcB, text) => {
    const a = transcript('draft', 0, { text: 'a text', meta: { text: meta(hlcA) } });
    const b = transcript('draft', 0, { text: 'b text', meta: { text: meta(hlcB) } });
    expect(bothWays(mergeTranscript, a, b).text).toBe(text);
  });
});

describe('message delete', () => {
  it.each([
    ['an edit made after it', tombstone(h(1)), message('edited later', h(9))],
    ['an edit made before it', tombstone(h(9)), message('edited earlier', h(1))],
    ['an edit with the same hlc', tombstone(h(5)), message('same time', h(5))],
    ['another delete', tombstone(h(2)), tombstone(h(3))],
  ])('wins over %s', (_, deleted, other) => {
    const merged = bothWays(mergeMessage, deleted, other);
    expect(merged.deleted).toBe(true);
    expect(merged.body).toBe('');
  });

  it('keeps the latest edit time and body hlc on the tombstone', () => {
    const merged = bothWays(mergeMessage, tombstone(h(1)), message('edited', h(9), { editedAt: T0 + 9 }));
    expect(merged.editedAt).toBe(T0 + 9);
    expect(merged.meta.body.hlc).toBe(h(9));
  });
});

describe('session', () => {
  it.each([
    [
      'activities are the union of kinds seen',
      session(10, null, ['chat']),
      session(10, null, ['review', 'chat']),
      session(10, null, ['chat', 'review']),
    ],
    ['startedAt is the minimum', session(30, null, []), session(10, null, []), session(10, null, [], 30)],
    ['endedAt is the maximum', session(10, 50, []), session(10, 90, []), session(10, 90, [])],
    ['an end beats no end', session(10, null, ['browse']), session(10, 40, []), session(10, 40, ['browse'])],
    ['lastActivityAt is the maximum', session(10, null, [], 70), session(10, null, [], 20), session(10, null, [], 70)],
  ])('%s', (_, a, b, expected) => {
    expect(bothWays(mergeSession, a, b)).toEqual(expected);
  });

  it('lists activities in one canonical order', () => {
    const merged = bothWays(mergeSession, session(0, null, ['review', 'browse']), session(0, null, ['transcript', 'chat']));
    expect(merged.activities).toEqual(['chat', 'transcript', 'review', 'browse']);
  });
});

describe('transcript status', () => {
  it.each<[TranscriptStatus, TranscriptStatus]>([
    ['queued', 'draft'],
    ['processing', 'queued'],
    ['done', 'processing'],
    ['failed', 'processing'],
    ['done', 'queued'],
  ])('moves forward within a submission: %s beats %s', (ahead, behind) => {
    const merged = bothWays(mergeTranscript, transcript(ahead, 1), transcript(behind, 1));
    expect(merged.status).toBe(ahead);
    expect(isStatusAhead(transcript(ahead, 1), transcript(behind, 1))).toBe(true);
    expect(isStatusAhead(transcript(behind, 1), transcript(ahead, 1))).toBe(false);
  });

  it('takes result and error with the status that won', () => {
    const done = transcript('done', 1, { result: { words: 2 } });
    const merged = bothWays(mergeTranscript, done, transcript('processing', 1));
    expect(merged.result).toEqual({ words: 2 });
  });

  it.each<[TranscriptStatus, TranscriptStatus]>([
    ['queued', 'done'],
    ['queued', 'failed'],
    ['draft', 'done'],
  ])('lets a later submission win: %s (2nd) beats %s (1st)', (later, earlier) => {
    const first = transcript(earlier, 1, { result: earlier === 'done' ? { words: 1 } : null, error: earlier === 'failed' ? 'boom' : null });
    const merged = bothWays(mergeTranscript, transcript(later, 2), first);
    expect(merged).toMatchObject({ status: later, submissions: 2, result: null, error: null });
  });

  it('keeps the text last-writer-wins apart from the status', () => {
    const a = transcript('queued', 1, { text: 'newer', meta: { text: meta(h(9)) } });
    const b = transcript('done', 1, { text: 'older', meta: { text: meta(h(1)) } });
    expect(bothWays(mergeTranscript, a, b)).toMatchObject({ text: 'newer', status: 'done' });
  });
});

// Arbitrary states of one entity (one id). Small pools make equal values, equal hlcs and equal
// creation times common, so that every tie-break gets exercised.
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const hlcArb = fc
  .record({ wall: fc.integer({ min: 0, max: 3 }), counter: fc.integer({ min: 0, max: 2 }), clientId: pick('c1', 'c2', 'c10') })
  .map(({ wall, counter, clientId }) => formatHlc({ wall: T0 + wall, counter, clientId }));
const metaArb: fc.Arbitrary<FieldMeta> = fc.record({ hlc: hlcArb, by: pick('u1', 'u2'), at: pick(T0, T0 + 1) });
const timeArb = fc.integer({ min: 0, max: 5 }).map((ms) => T0 + ms);
const spaceArb = pick('sp1', 'sp2');
const userArb = pick('u1', 'u2');

const conversationArb: fc.Arbitrary<Conversation> = fc.record({
  id: fc.constant('k1'),
  spaceId: spaceArb,
  title: pick('a', 'b', 'c'),
  archived: fc.boolean(),
  createdBy: userArb,
  createdAt: timeArb,
  meta: fc.record({ title: metaArb, archived: metaArb }),
});

const messageArb: fc.Arbitrary<Message> = fc
  .record({
    id: fc.constant('m1'),
    spaceId: spaceArb,
    conversationId: pick('k1', 'k2'),
    authorId: userArb,
    body: pick('a', 'b', 'c'),
    createdAt: timeArb,
    editedAt: fc.option(timeArb, { nil: null }),
    deleted: fc.boolean(),
    meta: fc.record({ body: metaArb }),
  })
  // A tombstone has an empty body.
  .map((m) => (m.deleted ? { ...m, body: '' } : m));

const sessionArb: fc.Arbitrary<Session> = fc.record({
  id: fc.constant('s1'),
  spaceId: spaceArb,
  userId: userArb,
  startedAt: timeArb,
  endedAt: fc.option(timeArb, { nil: null }),
  lastActivityAt: timeArb,
  activities: fc.subarray([...ACTIVITY_KINDS]),
});

const transcriptArb: fc.Arbitrary<Transcript> = fc.record({
  id: fc.constant('t1'),
  spaceId: spaceArb,
  conversationId: fc.option(pick('k1', 'k2'), { nil: null }),
  createdBy: userArb,
  createdAt: timeArb,
  text: pick('a', 'b', 'c'),
  language: pick('en', 'es'),
  durationMs: fc.option(pick(1_000, 2_000), { nil: null }),
  status: fc.constantFrom(...TRANSCRIPT_STATUSES),
  submissions: fc.integer({ min: 0, max: 2 }),
  result: fc.option(fc.record({ words: fc.integer({ min: 0, max: 2 }) }), { nil: null }),
  error: fc.option(pick('timeout', 'too long'), { nil: null }),
  meta: fc.record({ text: metaArb }),
});

/** The laws that make replicas converge whatever order and however often they see states. */
function describeMergeLaws<T>(name: string, state: fc.Arbitrary<T>, merge: (a: T, b: T) => T) {
  describe(`${name} laws`, () => {
    const runs = { numRuns: 500 };

    it('is commutative', () => {
      fc.assert(
        fc.property(state, state, (a, b) => {
          expect(merge(a, b)).toEqual(merge(b, a));
        }),
        runs,
      );
    });

    it('is associative', () => {
      fc.assert(
        fc.property(state, state, state, (a, b, c) => {
          expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
        }),
        runs,
      );
    });

    it('is idempotent', () => {
      fc.assert(
        fc.property(state, state, (a, b) => {
          expect(merge(a, a)).toEqual(a);
          const ab = merge(a, b);
          expect(merge(ab, b)).toEqual(ab);
          expect(merge(ab, ab)).toEqual(ab);
        }),
        runs,
      );
    });
  });
}

describeMergeLaws('mergeConversation', conversationArb, mergeConversation);
describeMergeLaws('mergeMessage', messageArb, mergeMessage);
describeMergeLaws('mergeSession', sessionArb, mergeSession);
describeMergeLaws('mergeTranscript', transcriptArb, mergeTranscript);
