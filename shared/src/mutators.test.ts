import { beforeEach, describe, expect, it } from 'vitest';
import { formatHlc } from './hlc.ts';
import { applyMutation, type MutationContext, type MutationOutcome } from './mutators.ts';
import { parseMutation, type Mutation, type MutationArgs, type MutationName } from './mutations.ts';
import { MemoryReplica } from './test-support/memory-replica.ts';
import { readMarkId } from './entities.ts';

const T0 = 1_763_980_000_000;
const MEMBERS = { p1: ['u1'], p2: ['u2'], shared: ['u1', 'u2'] };
const PERSONAL: Record<string, string> = { u1: 'p1', u2: 'p2' };

/** An hlc `ms` after T0 from a client: h(5, 'c2'). */
const h = (ms: number, clientId = 'c1', counter = 0) => formatHlc({ wall: T0 + ms, counter, clientId });

let replica: MemoryReplica;
let nextId = 1;

beforeEach(() => {
  replica = new MemoryReplica(MEMBERS);
  nextId = 1;
});

/** Parses and applies one mutation as `userId`; the server takes it 1 s after its hlc time. */
async function run<N extends MutationName>(userId: string, name: N, args: MutationArgs<N>, hlc: string) {
  const parsed = parseMutation({ id: nextId++, name, args, hlc });
  if (!parsed.ok) throw new Error(`${parsed.code}: ${parsed.message}`);
  const ctx: MutationContext = { userId, personalSpaceId: PERSONAL[userId] ?? 'none', now: Number(hlc.slice(0, 15)) + 1_000 };
  const recordedBefore = replica.conflicts.length;
  const outcome = await applyMutation(replica.txFor(userId), parsed.mutation satisfies Mutation, ctx);
  // Every call checks the conflict effect: exactly the conflicts the mutation recorded. The tests
  // below then look at the decision and the other effects.
  const recorded = replica.conflicts.slice(recordedBefore);
  expect(outcome.status === 'applied' ? (outcome.effects?.conflicts ?? []) : []).toEqual(recorded);
  return withoutConflicts(outcome);
}

function withoutConflicts(outcome: MutationOutcome): MutationOutcome {
  if (outcome.status !== 'applied' || !outcome.effects?.conflicts) return outcome;
  const { conflicts: _conflicts, ...rest } = outcome.effects;
  return Object.keys(rest).length > 0 ? { status: 'applied', effects: rest } : { status: 'applied' };
}

const applied = { status: 'applied' };
const rejectedWith = (code: string) => expect.objectContaining({ status: 'rejected', code });
/** The answer for an id that does not exist: an id in a space the user is not in must get exactly this. */
// Unknown and hidden (in a space the user is not in) get the same answer: PROTOCOL.md's `forbidden`.
const missing = (_what: string) => ({ status: 'rejected', code: 'forbidden', message: 'not allowed' });

describe('conversation', () => {
  it('creates one in a space of the user', async () => {
    expect(await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: ' Trip ' }, h(5))).toEqual(applied);
    expect(replica.read('conversation', 'k1')).toEqual({
      id: 'k1',
      spaceId: 'shared',
      title: 'Trip',
      archived: false,
      createdBy: 'u1',
      createdAt: T0 + 5,
      meta: { title: { hlc: h(5), by: 'u1', at: T0 + 1_005 }, archived: { hlc: h(5), by: 'u1', at: T0 + 1_005 } },
    });
  });

  it('rejects a space the user is not a member of, and writes nothing', async () => {
    expect(await run('u2', 'conversation.create', { id: 'k1', spaceId: 'p1', title: 'Mine' }, h(5))).toEqual(rejectedWith('forbidden'));
    expect(await run('u2', 'conversation.create', { id: 'k2', spaceId: 'nowhere', title: 'Mine' }, h(5))).toEqual(
      rejectedWith('forbidden'),
    );
    expect(replica.snapshot()).toEqual({});
  });

  it('treats creating an existing id as an update of its title', async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'First' }, h(5));
    expect(await run('u2', 'conversation.create', { id: 'k1', spaceId: 'p2', title: 'Second' }, h(9, 'c2'))).toEqual(applied);
    expect(replica.read('conversation', 'k1')).toMatchObject({ spaceId: 'shared', title: 'Second', createdBy: 'u1', createdAt: T0 + 5 });
    expect(await run('u2', 'conversation.create', { id: 'k1', spaceId: 'p2', title: 'Stale' }, h(1, 'c2'))).toEqual(applied);
    expect(replica.read('conversation', 'k1')?.title).toBe('Second');
  });

  it('updates title and archived by last writer wins, each on its own', async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    await run('u1', 'conversation.update', { id: 'k1', title: 'Trip to Lisbon' }, h(20));
    await run('u2', 'conversation.update', { id: 'k1', title: 'Lisbon', archived: true }, h(10, 'c2'));
    expect(replica.read('conversation', 'k1')).toMatchObject({ title: 'Trip to Lisbon', archived: true });
  });

  it('records a conflict for the user whose concurrent write lost', async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    await run('u1', 'conversation.update', { id: 'k1', title: 'By u1' }, h(20));
    await run('u2', 'conversation.update', { id: 'k1', title: 'By u2' }, h(10, 'c2'));
    expect(replica.conflicts).toEqual([
      expect.objectContaining({
        entityKind: 'conversation',
        entityId: 'k1',
        field: 'title',
        loserUserId: 'u2',
        yourValue: 'By u2',
        winningValue: 'By u1',
        yourHlc: h(10, 'c2'),
        winningHlc: h(20),
        winningBy: 'u1',
      }),
    ]);
  });

  it('records no conflict between writes of one device or of one value', async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    await run('u1', 'conversation.update', { id: 'k1', title: 'Later' }, h(20));
    await run('u1', 'conversation.update', { id: 'k1', title: 'Earlier' }, h(10));
    await run('u2', 'conversation.update', { id: 'k1', title: 'Later' }, h(5, 'c2'));
    expect(replica.read('conversation', 'k1')?.title).toBe('Later');
    expect(replica.conflicts).toEqual([]);
  });

  it('rejects updates of an unknown conversation and of one in another space with the same answer', async () => {
    expect(await run('u1', 'conversation.update', { id: 'k1', archived: true }, h(0))).toEqual(missing('conversation'));
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'p1', title: 'Private' }, h(0));
    expect(await run('u2', 'conversation.update', { id: 'k1', archived: true }, h(5, 'c2'))).toEqual(missing('conversation'));
    expect(await run('u2', 'conversation.create', { id: 'k1', spaceId: 'p2', title: 'Take over' }, h(6, 'c2'))).toEqual(
      missing('conversation'),
    );
    expect(replica.read('conversation', 'k1')).toMatchObject({ spaceId: 'p1', title: 'Private', archived: false });
  });
});

describe('message', () => {
  beforeEach(async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    await run('u1', 'conversation.create', { id: 'k2', spaceId: 'p1', title: 'Notes' }, h(0));
  });

  it('adds one to a conversation, in its space', async () => {
    expect(await run('u2', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi' }, h(3, 'c2'))).toEqual(applied);
    expect(replica.read('message', 'm1')).toEqual({
      id: 'm1',
      spaceId: 'shared',
      conversationId: 'k1',
      authorId: 'u2',
      body: 'hi',
      createdAt: T0 + 3,
      editedAt: null,
      deleted: false,
      meta: { body: { hlc: h(3, 'c2'), by: 'u2', at: T0 + 1_003 } },
    });
  });

  it('rejects an unknown conversation and a conversation of another space with the same answer', async () => {
    expect(await run('u1', 'message.add', { id: 'm1', conversationId: 'nope', body: 'hi' }, h(3))).toEqual(missing('conversation'));
    expect(await run('u2', 'message.add', { id: 'm1', conversationId: 'k2', body: 'hi' }, h(3, 'c2'))).toEqual(missing('conversation'));
    expect(replica.read('message', 'm1')).toBeUndefined();
  });

  it('answers for a message in another space as for one that does not exist', async () => {
    await run('u1', 'message.add', { id: 'm2', conversationId: 'k2', body: 'private' }, h(3));
    for (const [name, args] of [
      ['message.edit', { id: 'm2', body: 'x' }],
      ['message.delete', { id: 'm2' }],
    ] as const) {
      const hidden = await run('u2', name, args, h(4, 'c2'));
      const unknown = await run('u2', name, { ...args, id: 'nope' }, h(4, 'c2'));
      expect(hidden, name).toEqual(missing('message'));
      expect(unknown, name).toEqual(hidden);
    }
    expect(await run('u2', 'message.add', { id: 'm2', conversationId: 'k1', body: 'take over' }, h(5, 'c2'))).toEqual(missing('message'));
    expect(replica.read('message', 'm2')).toMatchObject({ spaceId: 'p1', body: 'private', deleted: false });
  });

  it('lets only the author edit or delete', async () => {
    await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi' }, h(3));
    expect(await run('u2', 'message.edit', { id: 'm1', body: 'hijacked' }, h(9, 'c2'))).toEqual(rejectedWith('forbidden'));
    expect(await run('u2', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hijacked' }, h(9, 'c2'))).toEqual(
      rejectedWith('forbidden'),
    );
    expect(await run('u2', 'message.delete', { id: 'm1' }, h(9, 'c2'))).toEqual(rejectedWith('forbidden'));
    expect(await run('u1', 'message.edit', { id: 'nope', body: 'x' }, h(9))).toEqual(rejectedWith('forbidden'));
    expect(await run('u1', 'message.delete', { id: 'nope' }, h(9))).toEqual(rejectedWith('forbidden'));
    expect(replica.read('message', 'm1')).toMatchObject({ body: 'hi', deleted: false, editedAt: null });
  });

  it('edits by last writer wins and stamps the edit time', async () => {
    await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi' }, h(3));
    await run('u1', 'message.edit', { id: 'm1', body: 'hello' }, h(30, 'c1b'));
    await run('u1', 'message.edit', { id: 'm1', body: 'hey' }, h(20));
    expect(replica.read('message', 'm1')).toMatchObject({ body: 'hello', editedAt: T0 + 30 });
  });

  it.each([
    ['before', 10],
    ['after', 40],
  ])('lets a delete win over an edit made %s it, whichever arrives first', async (_, editAt) => {
    const deleteFirst = new MemoryReplica(MEMBERS);
    const editFirst = new MemoryReplica(MEMBERS);
    for (const [target, order] of [
      [deleteFirst, ['delete', 'edit']],
      [editFirst, ['edit', 'delete']],
    ] as const) {
      replica = target;
      await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
      await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi' }, h(3));
      for (const step of order) {
        const outcome =
          step === 'delete'
            ? await run('u1', 'message.delete', { id: 'm1' }, h(25))
            : await run('u1', 'message.edit', { id: 'm1', body: 'edited' }, h(editAt, 'c1b'));
        expect(outcome).toEqual(applied);
      }
      expect(target.read('message', 'm1')).toMatchObject({ deleted: true, body: '' });
    }
    expect(deleteFirst.snapshot()).toEqual(editFirst.snapshot());
  });

  it('re-adding a deleted message leaves it deleted', async () => {
    await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi' }, h(3));
    await run('u1', 'message.delete', { id: 'm1' }, h(4));
    expect(await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'hi again' }, h(5))).toEqual(applied);
    expect(replica.read('message', 'm1')).toMatchObject({ deleted: true, body: '' });
  });
});

describe('session', () => {
  it('starts one in the personal space and merges activities and end', async () => {
    expect(await run('u1', 'session.start', { id: 's1', startedAt: T0 }, h(0))).toEqual(applied);
    await run('u1', 'session.activity', { id: 's1', kind: 'review', at: T0 + 60_000 }, h(1));
    await run('u1', 'session.activity', { id: 's1', kind: 'chat', at: T0 + 30_000 }, h(2));
    await run('u1', 'session.end', { id: 's1', endedAt: T0 + 90_000 }, h(3));
    await run('u1', 'session.end', { id: 's1', endedAt: T0 + 80_000 }, h(4));
    expect(replica.read('session', 's1')).toEqual({
      id: 's1',
      spaceId: 'p1',
      userId: 'u1',
      startedAt: T0,
      endedAt: T0 + 90_000,
      lastActivityAt: T0 + 60_000,
      activities: ['chat', 'review'],
    });
  });

  it('takes the earliest start, even one reported late', async () => {
    await run('u1', 'session.activity', { id: 's1', kind: 'browse', at: T0 + 5_000 }, h(0));
    await run('u1', 'session.start', { id: 's1', startedAt: T0 }, h(1));
    expect(replica.read('session', 's1')).toMatchObject({ startedAt: T0, lastActivityAt: T0 + 5_000, activities: ['browse'] });
  });

  it("rejects writes to another user's session", async () => {
    await run('u1', 'session.start', { id: 's1', startedAt: T0 }, h(0));
    expect(await run('u2', 'session.end', { id: 's1', endedAt: T0 + 1 }, h(1, 'c2'))).toEqual(missing('session'));
    expect(await run('u2', 'session.activity', { id: 's1', kind: 'chat', at: T0 + 1 }, h(1, 'c2'))).toEqual(missing('session'));
    expect(replica.read('session', 's1')).toMatchObject({ userId: 'u1', endedAt: null, activities: [] });
  });
});

describe('transcript', () => {
  beforeEach(async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
  });

  it('creates a draft', async () => {
    expect(
      await run(
        'u2',
        'transcript.create',
        { id: 't1', spaceId: 'shared', conversationId: 'k1', text: 'hola', language: 'es', durationMs: 1_500 },
        h(3, 'c2'),
      ),
    ).toEqual(applied);
    expect(replica.read('transcript', 't1')).toEqual({
      id: 't1',
      spaceId: 'shared',
      conversationId: 'k1',
      createdBy: 'u2',
      createdAt: T0 + 3,
      text: 'hola',
      language: 'es',
      durationMs: 1_500,
      status: 'draft',
      submissions: 0,
      result: null,
      error: null,
      meta: { text: { hlc: h(3, 'c2'), by: 'u2', at: T0 + 1_003 } },
    });
  });

  it('rejects a conversation of another space, and a space of someone else', async () => {
    expect(
      await run('u1', 'transcript.create', { id: 't1', spaceId: 'p1', conversationId: 'k1', text: 'x', language: 'en' }, h(3)),
    ).toEqual(rejectedWith('invalid_args'));
    expect(
      await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', conversationId: 'nope', text: 'x', language: 'en' }, h(3)),
    ).toEqual(rejectedWith('invalid_args'));
    expect(await run('u2', 'transcript.create', { id: 't1', spaceId: 'p1', text: 'x', language: 'en' }, h(3, 'c2'))).toEqual(
      rejectedWith('forbidden'),
    );
    expect(replica.read('transcript', 't1')).toBeUndefined();
  });

  it('updates the text by last writer wins', async () => {
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', text: 'one', language: 'en' }, h(3));
    await run('u2', 'transcript.update', { id: 't1', text: 'three' }, h(30, 'c2'));
    await run('u1', 'transcript.update', { id: 't1', text: 'two' }, h(20));
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', text: 'again', language: 'en' }, h(10));
    expect(replica.read('transcript', 't1')?.text).toBe('three');
    expect(await run('u1', 'transcript.update', { id: 'nope', text: 'x' }, h(40))).toEqual(rejectedWith('forbidden'));
  });

  it('queues on submit once per submission, and starts a new submission once finished', async () => {
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', text: 'one', language: 'en' }, h(3));
    await run('u1', 'transcript.submit', { id: 't1' }, h(4));
    await run('u2', 'transcript.submit', { id: 't1' }, h(5, 'c2'));
    expect(replica.read('transcript', 't1')).toMatchObject({ status: 'queued', submissions: 1 });

    // The server finished it; a submit after that is a new submission.
    const done = replica.read('transcript', 't1');
    if (!done) throw new Error('missing transcript');
    await replica.txFor('u1').put('transcript', { ...done, status: 'done', result: { words: 1 } });
    expect(await run('u1', 'transcript.submit', { id: 't1' }, h(6))).toEqual({
      status: 'applied',
      effects: { submitted: { transcriptId: 't1', submission: 2, spaceId: 'shared' } },
    });
    expect(replica.read('transcript', 't1')).toMatchObject({ status: 'queued', submissions: 2, result: null, error: null });
  });

  it('says in its outcome which submit queued a job and which delete removed a transcript', async () => {
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', text: 'one', language: 'en' }, h(3));
    expect(await run('u1', 'transcript.submit', { id: 't1' }, h(4))).toEqual({
      status: 'applied',
      effects: { submitted: { transcriptId: 't1', submission: 1, spaceId: 'shared' } },
    });
    // Already queued: applied, but nothing new to run.
    expect(await run('u2', 'transcript.submit', { id: 't1' }, h(5, 'c2'))).toEqual(applied);
    expect(await run('u1', 'transcript.update', { id: 't1', text: 'two' }, h(6))).toEqual(applied);
    expect(await run('u1', 'transcript.delete', { id: 't1' }, h(7))).toEqual({ status: 'applied', effects: { deletedTranscript: 't1' } });
    // A deleted transcript is not submitted again.
    expect(await run('u1', 'transcript.submit', { id: 't1' }, h(8))).toEqual(applied);
  });

  it('returns the conflict of the loser in the outcome of the write that won', async () => {
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'shared', text: 'one', language: 'en' }, h(3));
    await run('u1', 'transcript.update', { id: 't1', text: 'by u1' }, h(20));
    const parsed = parseMutation({ id: 99, name: 'transcript.update', args: { id: 't1', text: 'by u2' }, hlc: h(10, 'c2') });
    if (!parsed.ok) throw new Error(parsed.message);
    const outcome = await applyMutation(replica.txFor('u2'), parsed.mutation, { userId: 'u2', personalSpaceId: 'p2', now: T0 + 1_000 });
    expect(outcome).toEqual({
      status: 'applied',
      effects: {
        conflicts: [
          expect.objectContaining({
            entityKind: 'transcript',
            entityId: 't1',
            field: 'text',
            loserUserId: 'u2',
            yourValue: 'by u2',
            winningValue: 'by u1',
          }),
        ],
      },
    });
    expect(replica.read('transcript', 't1')?.text).toBe('by u1');
  });

  it('rejects submitting an unknown transcript and one of another space with the same answer', async () => {
    expect(await run('u1', 'transcript.submit', { id: 't1' }, h(3))).toEqual(missing('transcript'));
    await run('u1', 'transcript.create', { id: 't1', spaceId: 'p1', text: 'x', language: 'en' }, h(3));
    for (const [name, args] of [
      ['transcript.submit', { id: 't1' }],
      ['transcript.update', { id: 't1', text: 'y' }],
      ['transcript.delete', { id: 't1' }],
      ['transcript.create', { id: 't1', spaceId: 'p2', text: 'y', language: 'en' }],
    ] as const) {
      expect(await run('u2', name, args, h(4, 'c2')), name).toEqual(missing('transcript'));
    }
    expect(await run('u2', 'transcript.update', { id: 'nope', text: 'y' }, h(4, 'c2'))).toEqual(missing('transcript'));
    expect(replica.read('transcript', 't1')).toMatchObject({ status: 'draft', text: 'x' });
  });
});

describe('conversation.read', () => {
  it("keeps each person's read position in their personal space, moving only forward", async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    expect(await run('u1', 'conversation.read', { id: 'k1', upTo: T0 + 500 }, h(1))).toEqual(applied);
    expect(await run('u2', 'conversation.read', { id: 'k1', upTo: T0 + 100 }, h(1, 'c2'))).toEqual(applied);
    // An older position read on another device does not move it back.
    expect(await run('u1', 'conversation.read', { id: 'k1', upTo: T0 + 200 }, h(2, 'c3'))).toEqual(applied);
    expect(replica.read('readMark', readMarkId('u1', 'k1'))).toEqual({
      id: readMarkId('u1', 'k1'),
      spaceId: 'p1',
      userId: 'u1',
      conversationId: 'k1',
      readUpTo: T0 + 500,
    });
    expect(replica.read('readMark', readMarkId('u2', 'k1'))).toMatchObject({ spaceId: 'p2', readUpTo: T0 + 100 });
  });

  it('refuses a conversation the user cannot see, like any other unknown id', async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'p1', title: 'Mine' }, h(0));
    expect(await run('u2', 'conversation.read', { id: 'k1', upTo: T0 }, h(1, 'c2'))).toEqual(missing('conversation'));
    expect(await run('u2', 'conversation.read', { id: 'nope', upTo: T0 }, h(1, 'c2'))).toEqual(missing('conversation'));
    expect(replica.read('readMark', readMarkId('u2', 'k1'))).toBeUndefined();
  });
});

describe('message.add replying', () => {
  beforeEach(async () => {
    await run('u1', 'conversation.create', { id: 'k1', spaceId: 'shared', title: 'Trip' }, h(0));
    await run('u1', 'conversation.create', { id: 'k2', spaceId: 'p1', title: 'Notes' }, h(0));
    await run('u1', 'message.add', { id: 'm1', conversationId: 'k1', body: 'Lisbon?' }, h(1));
    await run('u1', 'message.add', { id: 'm9', conversationId: 'k2', body: 'private' }, h(1));
  });

  it('names the message it replies to, and the reply stays when the original is deleted', async () => {
    expect(await run('u2', 'message.add', { id: 'm2', conversationId: 'k1', body: 'Yes!', replyTo: 'm1' }, h(2, 'c2'))).toEqual(applied);
    await run('u1', 'message.delete', { id: 'm1' }, h(3));
    expect(replica.read('message', 'm2')).toMatchObject({ body: 'Yes!', replyTo: 'm1', deleted: false });
    expect(replica.read('message', 'm1')).toMatchObject({ body: '', deleted: true });
  });

  it('refuses a reply to a message of another conversation, or one it cannot see, with one answer', async () => {
    const wrong = { status: 'rejected', code: 'invalid_args', message: 'replyTo must name a message of the same conversation' };
    expect(await run('u2', 'message.add', { id: 'm3', conversationId: 'k1', body: 'x', replyTo: 'm9' }, h(2, 'c2'))).toEqual(wrong);
    expect(await run('u2', 'message.add', { id: 'm3', conversationId: 'k1', body: 'x', replyTo: 'nope' }, h(2, 'c2'))).toEqual(wrong);
    expect(replica.read('message', 'm3')).toBeUndefined();
  });
});

describe('conflict', () => {
  const conflict = (id: string, spaceId: string | undefined) => ({
    id,
    entityKind: 'conversation' as const,
    entityId: 'k1',
    field: 'title' as const,
    yourValue: 'Mine',
    winningValue: 'Theirs',
    yourHlc: h(10, 'c2'),
    winningHlc: h(20),
    winningBy: 'u1',
    at: T0 + 30,
    ...(spaceId ? { spaceId } : {}),
  });

  it('is resolved once, by its loser, on whichever device resolves it first', async () => {
    await replica.txFor('u2').put('conflict', conflict('x1', 'p2'));
    expect(await run('u2', 'conflict.resolve', { id: 'x1', resolution: 'dismissed' }, h(40, 'c3'))).toEqual(applied);
    expect(replica.read('conflict', 'x1')).toMatchObject({ resolution: 'dismissed', resolvedAt: T0 + 40 });
    // Another device of the same person restoring later changes nothing: the first answer stands.
    expect(await run('u2', 'conflict.resolve', { id: 'x1', resolution: 'restored' }, h(50, 'c4'))).toEqual(applied);
    expect(replica.read('conflict', 'x1')).toMatchObject({ resolution: 'dismissed', resolvedAt: T0 + 40 });
  });

  it("rejects another user's conflict and an unknown one with the same answer", async () => {
    await replica.txFor('u2').put('conflict', conflict('x1', 'p2'));
    expect(await run('u1', 'conflict.resolve', { id: 'x1', resolution: 'dismissed' }, h(40))).toEqual(missing('conflict'));
    expect(await run('u1', 'conflict.resolve', { id: 'nope', resolution: 'dismissed' }, h(40))).toEqual(missing('conflict'));
    expect(replica.read('conflict', 'x1')?.resolution).toBeUndefined();
  });

  it('resolves a conflict recorded before conflicts named their space, in the personal space', async () => {
    await replica.txFor('u2').put('conflict', conflict('old', undefined));
    expect(await run('u2', 'conflict.resolve', { id: 'old', resolution: 'restored' }, h(40, 'c3'))).toEqual(applied);
    expect(replica.read('conflict', 'old')?.resolution).toBe('restored');
  });
});
