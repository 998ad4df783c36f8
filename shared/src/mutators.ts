/**
 * Applies a validated mutation to the records it touches. The server runs this inside its Postgres
 * transaction and the client inside its IndexedDB transaction, so both sides decide the same way.
 */
import type { Conflict, EntityByKind, EntityKind, FieldMeta, Message, Transcript } from './entities.ts';
import { readMarkId } from './entities.ts';
import { ErrorCode } from './error-codes.ts';
import { hlcClientId, hlcWall } from './hlc.ts';
import { mergeMessage, mergeSession, mergeTranscript, pickLww, type LwwField } from './merge.ts';
import type { Mutation, MutationArgs } from './mutations.ts';

export type NewConflict = Omit<Conflict, 'id'> & { loserUserId: string };

/** What a mutator may read and write; implemented over Postgres and over IndexedDB. */
export interface MutationTx {
  get<K extends EntityKind>(kind: K, id: string): Promise<EntityByKind[K] | undefined>;
  put<K extends EntityKind>(kind: K, entity: EntityByKind[K]): Promise<void>;
  /** Whether the acting user is a member of the space. */
  isMember(spaceId: string): Promise<boolean>;
  /** Records that a user's write lost; the client may ignore it. */
  recordConflict(conflict: NewConflict): Promise<void>;
}

export interface MutationContext {
  userId: string;
  personalSpaceId: string;
  /** The applying side's clock (ms): when the write was taken. */
  now: number;
}

/**
 * What an applied mutation set in motion beyond its own records, said by the mutator that decided
 * it (never inferred by comparing records afterwards): the server acts on these after its write.
 */
export interface MutationEffects {
  /** The transcript moved to a new `queued` submission: its analysis job is to be enqueued. */
  submitted?: { transcriptId: string; submission: number; spaceId: string };
  /** The transcript was deleted: its audio goes once the write commits. */
  deletedTranscript?: string;
  /** Writes of other devices this one overrode, each recorded for its loser (tx.recordConflict). */
  conflicts?: NewConflict[];
}

export type MutationOutcome = { status: 'applied'; effects?: MutationEffects } | { status: 'rejected'; code: ErrorCode; message: string };

const applied: MutationOutcome = { status: 'applied' };
const appliedWith = (effects: MutationEffects): MutationOutcome => ({ status: 'applied', effects });
const rejected = (code: ErrorCode, message: string): MutationOutcome => ({ status: 'rejected', code, message });
const forbidden = () => rejected(ErrorCode.forbidden, 'not allowed');
// A space the user is not in, an entity in such a space (PROTOCOL.md: `forbidden`) and an entity that
// does not exist all get this same answer, so no answer tells whether an id is used in someone else's
// space. `forbidden` also answers for what the user can see but may not do (a partner's message).

type ConflictEntityKind = Conflict['entityKind'];
type ConflictField = Conflict['field'];

/**
 * Resolves one last-writer-wins write and records a conflict when a concurrent write by another
 * device loses. Two writes are concurrent when the later one was made (by its hlc) before the
 * earlier one reached the server, so its author could not have seen it.
 */
async function resolveWrite<T>(
  tx: MutationTx,
  current: LwwField<T>,
  incoming: LwwField<T>,
  where: { entityKind: ConflictEntityKind; entityId: string; field: ConflictField },
): Promise<LwwField<T>> {
  const winner = pickLww(current, incoming);
  const sameValue = JSON.stringify(current.value) === JSON.stringify(incoming.value);
  const sameDevice = hlcClientId(current.meta.hlc) === hlcClientId(incoming.meta.hlc);
  if (sameValue || sameDevice) return winner;
  const loser = winner === incoming ? current : incoming;
  const concurrent = winner === current || hlcWall(incoming.meta.hlc) < current.meta.at;
  if (concurrent) {
    await tx.recordConflict({
      ...where,
      loserUserId: loser.meta.by,
      yourValue: loser.value,
      winningValue: winner.value,
      yourHlc: loser.meta.hlc,
      winningHlc: winner.meta.hlc,
      winningBy: winner.meta.by,
      at: incoming.meta.at,
    });
  }
  return winner;
}

function metaOf(m: Mutation, ctx: MutationContext): FieldMeta {
  return { hlc: m.hlc, by: ctx.userId, at: ctx.now };
}

async function updateConversation(
  tx: MutationTx,
  id: string,
  change: { title?: string | undefined; archived?: boolean | undefined },
  meta: FieldMeta,
): Promise<MutationOutcome> {
  const current = await tx.get('conversation', id);
  if (!current || !(await tx.isMember(current.spaceId))) return forbidden();
  const next = { ...current, meta: { ...current.meta } };
  if (change.title !== undefined) {
    const won = await resolveWrite(
      tx,
      { value: current.title, meta: current.meta.title },
      { value: change.title, meta },
      {
        entityKind: 'conversation',
        entityId: id,
        field: 'title',
      },
    );
    next.title = won.value;
    next.meta.title = won.meta;
  }
  if (change.archived !== undefined) {
    const won = await resolveWrite(
      tx,
      { value: current.archived, meta: current.meta.archived },
      { value: change.archived, meta },
      {
        entityKind: 'conversation',
        entityId: id,
        field: 'archived',
      },
    );
    next.archived = won.value;
    next.meta.archived = won.meta;
  }
  await tx.put('conversation', next);
  return applied;
}

async function editMessage(tx: MutationTx, current: Message, body: string, meta: FieldMeta, userId: string) {
  if (!(await tx.isMember(current.spaceId))) return forbidden();
  if (current.authorId !== userId) return forbidden();
  // Delete wins over any edit, earlier or later: an edit of a deleted message leaves its body empty.
  // Its hlc and time still count, as they do when the edit comes first, so replicas agree on the
  // tombstone whichever of the two they saw first.
  if (current.deleted) await editLostToDelete(tx, current, body, meta);
  const won = current.deleted
    ? pickLww({ value: '', meta: current.meta.body }, { value: '', meta })
    : await resolveWrite(
        tx,
        { value: current.body, meta: current.meta.body },
        { value: body, meta },
        {
          entityKind: 'message',
          entityId: current.id,
          field: 'body',
        },
      );
  const changed = won.meta.hlc !== current.meta.body.hlc;
  await tx.put('message', {
    ...current,
    body: won.value,
    meta: current.meta.deleted ? { body: won.meta, deleted: current.meta.deleted } : { body: won.meta },
    editedAt: changed ? Math.max(current.editedAt ?? 0, hlcWall(meta.hlc)) : current.editedAt,
  });
  return applied;
}

/** An edit made on one device while another deleted the message: the edit is lost, say so. */
async function editLostToDelete(tx: MutationTx, current: Message, body: string, edit: FieldMeta) {
  const deletion = current.meta.deleted;
  if (!deletion || hlcClientId(deletion.hlc) === hlcClientId(edit.hlc)) return;
  await tx.recordConflict({
    entityKind: 'message',
    entityId: current.id,
    field: 'deleted',
    loserUserId: edit.by,
    yourValue: body,
    winningValue: null,
    yourHlc: edit.hlc,
    winningHlc: deletion.hlc,
    winningBy: deletion.by,
    at: edit.at,
  });
}

/** A delete arriving after another device's edit that it could not have seen: that edit is lost. */
async function deleteOverrodeEdit(tx: MutationTx, current: Message, deletion: FieldMeta) {
  const edit = current.meta.body;
  const concurrent = hlcWall(deletion.hlc) < edit.at;
  if (current.deleted || current.editedAt === null || !concurrent || hlcClientId(edit.hlc) === hlcClientId(deletion.hlc)) return;
  await tx.recordConflict({
    entityKind: 'message',
    entityId: current.id,
    field: 'deleted',
    loserUserId: edit.by,
    yourValue: current.body,
    winningValue: null,
    yourHlc: edit.hlc,
    winningHlc: deletion.hlc,
    winningBy: deletion.by,
    at: deletion.at,
  });
}

async function updateTranscriptText(tx: MutationTx, current: Transcript, text: string, meta: FieldMeta) {
  if (!(await tx.isMember(current.spaceId))) return forbidden();
  if (current.deleted) return applied;
  const won = await resolveWrite(
    tx,
    { value: current.text, meta: current.meta.text },
    { value: text, meta },
    {
      entityKind: 'transcript',
      entityId: current.id,
      field: 'text',
    },
  );
  await tx.put('transcript', { ...current, text: won.value, meta: { text: won.meta } });
  return applied;
}

type Mutator<N extends Mutation['name']> = (
  tx: MutationTx,
  args: MutationArgs<N>,
  m: Mutation,
  ctx: MutationContext,
) => Promise<MutationOutcome>;

const mutators: { [N in Mutation['name']]: Mutator<N> } = {
  async 'conversation.create'(tx, args, m, ctx) {
    const existing = await tx.get('conversation', args.id);
    // A repeated create with no title leaves the title as it is.
    if (existing) return args.title ? updateConversation(tx, args.id, { title: args.title }, metaOf(m, ctx)) : applied;
    if (!(await tx.isMember(args.spaceId))) return forbidden();
    const meta = metaOf(m, ctx);
    await tx.put('conversation', {
      id: args.id,
      spaceId: args.spaceId,
      title: args.title,
      archived: false,
      createdBy: ctx.userId,
      createdAt: hlcWall(m.hlc),
      meta: { title: meta, archived: meta },
    });
    return applied;
  },

  async 'conversation.update'(tx, args, m, ctx) {
    return updateConversation(tx, args.id, { title: args.title, archived: args.archived }, metaOf(m, ctx));
  },

  async 'conversation.read'(tx, args, _m, ctx) {
    const conversation = await tx.get('conversation', args.id);
    if (!conversation || !(await tx.isMember(conversation.spaceId))) return forbidden();
    const id = readMarkId(ctx.userId, conversation.id);
    const current = await tx.get('readMark', id);
    // A read position only moves forward, so devices that read in any order agree on the furthest.
    if (current && current.readUpTo >= args.upTo) return applied;
    await tx.put('readMark', {
      id,
      spaceId: current?.spaceId ?? ctx.personalSpaceId,
      userId: ctx.userId,
      conversationId: conversation.id,
      readUpTo: args.upTo,
    });
    return applied;
  },

  async 'message.add'(tx, args, m, ctx) {
    const existing = await tx.get('message', args.id);
    if (existing) return editMessage(tx, existing, args.body, metaOf(m, ctx), ctx.userId);
    const conversation = await tx.get('conversation', args.conversationId);
    if (!conversation || !(await tx.isMember(conversation.spaceId))) return forbidden();
    if (args.replyTo !== undefined) {
      const original = await tx.get('message', args.replyTo);
      // One answer for a message elsewhere and one that does not exist: nothing leaks.
      if (!original || original.conversationId !== conversation.id) {
        return rejected(ErrorCode.invalidArgs, 'replyTo must name a message of the same conversation');
      }
    }
    await tx.put('message', {
      id: args.id,
      spaceId: conversation.spaceId,
      conversationId: conversation.id,
      authorId: ctx.userId,
      body: args.body,
      createdAt: hlcWall(m.hlc),
      editedAt: null,
      deleted: false,
      ...(args.replyTo !== undefined ? { replyTo: args.replyTo } : {}),
      meta: { body: metaOf(m, ctx) },
    });
    return applied;
  },

  async 'message.edit'(tx, args, m, ctx) {
    const current = await tx.get('message', args.id);
    if (!current) return forbidden();
    return editMessage(tx, current, args.body, metaOf(m, ctx), ctx.userId);
  },

  async 'message.delete'(tx, args, m, ctx) {
    const current = await tx.get('message', args.id);
    if (!current || !(await tx.isMember(current.spaceId))) return forbidden();
    if (current.authorId !== ctx.userId) return forbidden();
    const deletion = metaOf(m, ctx);
    await deleteOverrodeEdit(tx, current, deletion);
    await tx.put('message', mergeMessage(current, { ...current, deleted: true, body: '', meta: { ...current.meta, deleted: deletion } }));
    return applied;
  },

  async 'notification.read'(tx, args, _m, ctx) {
    const current = await tx.get('notification', args.id);
    // Notifications are the recipient's alone: anyone else's, like a missing one, is `forbidden`.
    if (!current || current.spaceId !== ctx.personalSpaceId) return forbidden();
    if (current.readAt !== null) return applied;
    await tx.put('notification', { ...current, readAt: ctx.now });
    return applied;
  },

  async 'session.start'(tx, args, _m, ctx) {
    return mergeSessionWrite(tx, ctx, args.id, { startedAt: args.startedAt, lastActivityAt: args.startedAt });
  },

  async 'session.activity'(tx, args, _m, ctx) {
    return mergeSessionWrite(tx, ctx, args.id, { startedAt: args.at, lastActivityAt: args.at, activities: [args.kind] });
  },

  async 'session.end'(tx, args, _m, ctx) {
    return mergeSessionWrite(tx, ctx, args.id, { endedAt: args.endedAt });
  },

  async 'transcript.create'(tx, args, m, ctx) {
    const meta = metaOf(m, ctx);
    const existing = await tx.get('transcript', args.id);
    if (existing) return updateTranscriptText(tx, existing, args.text, meta);
    if (!(await tx.isMember(args.spaceId))) return forbidden();
    if (args.conversationId !== undefined) {
      const conversation = await tx.get('conversation', args.conversationId);
      if (!conversation || conversation.spaceId !== args.spaceId) {
        return rejected(ErrorCode.invalidArgs, 'conversationId must name a conversation of the same space');
      }
    }
    await tx.put('transcript', {
      id: args.id,
      spaceId: args.spaceId,
      conversationId: args.conversationId ?? null,
      createdBy: ctx.userId,
      createdAt: hlcWall(m.hlc),
      text: args.text,
      language: args.language,
      durationMs: args.durationMs ?? null,
      status: 'draft',
      submissions: 0,
      result: null,
      error: null,
      meta: { text: meta },
    });
    return applied;
  },

  async 'transcript.update'(tx, args, m, ctx) {
    const current = await tx.get('transcript', args.id);
    if (!current) return forbidden();
    return updateTranscriptText(tx, current, args.text, metaOf(m, ctx));
  },

  async 'transcript.delete'(tx, args) {
    const current = await tx.get('transcript', args.id);
    if (!current || !(await tx.isMember(current.spaceId))) return forbidden();
    await tx.put('transcript', mergeTranscript(current, { ...current, deleted: true }));
    return appliedWith({ deletedTranscript: current.id });
  },

  async 'conflict.resolve'(tx, args, m, ctx) {
    const conflict = await tx.get('conflict', args.id);
    // A conflict lives in its loser's personal space; older ones do not name it, and only ever
    // reach their loser's own devices, so there it is the acting user's.
    if (!conflict || !(await tx.isMember(conflict.spaceId ?? ctx.personalSpaceId))) return forbidden();
    // The first resolution stands: a second device restoring after the first dismissed changes nothing.
    if (conflict.resolution) return applied;
    await tx.put('conflict', { ...conflict, resolution: args.resolution, resolvedAt: hlcWall(m.hlc) });
    return applied;
  },

  async 'transcript.submit'(tx, args) {
    const current = await tx.get('transcript', args.id);
    if (!current || !(await tx.isMember(current.spaceId))) return forbidden();
    if (current.deleted) return applied;
    // Submitting what is already waiting or running changes nothing; a draft, or a finished
    // transcript (edited since, say), starts a new submission.
    if (current.status === 'queued' || current.status === 'processing') return applied;
    const submission = current.submissions + 1;
    await tx.put(
      'transcript',
      mergeTranscript(current, {
        ...current,
        status: 'queued',
        submissions: submission,
        result: null,
        error: null,
      }),
    );
    return appliedWith({ submitted: { transcriptId: current.id, submission, spaceId: current.spaceId } });
  },
};

async function mergeSessionWrite(
  tx: MutationTx,
  ctx: MutationContext,
  id: string,
  change: {
    startedAt?: number;
    endedAt?: number;
    lastActivityAt?: number;
    activities?: Array<'chat' | 'transcript' | 'review' | 'browse'>;
  },
): Promise<MutationOutcome> {
  const current = await tx.get('session', id);
  // Another user's session is in their personal space: hidden, as above.
  if (current && current.userId !== ctx.userId) return forbidden();
  const at = change.startedAt ?? change.endedAt ?? ctx.now;
  const written = {
    id,
    spaceId: current?.spaceId ?? ctx.personalSpaceId,
    userId: ctx.userId,
    startedAt: change.startedAt ?? current?.startedAt ?? at,
    endedAt: change.endedAt ?? null,
    lastActivityAt: change.lastActivityAt ?? current?.lastActivityAt ?? at,
    activities: change.activities ?? [],
  };
  await tx.put('session', current ? mergeSession(current, written) : written);
  return applied;
}

/**
 * Applies one mutation whose args have been validated (see parseMutation). The conflicts its
 * mutator records are also returned in the outcome's effects.
 */
export async function applyMutation(tx: MutationTx, m: Mutation, ctx: MutationContext): Promise<MutationOutcome> {
  const mutator = mutators[m.name] as Mutator<typeof m.name>;
  const conflicts: NewConflict[] = [];
  const recording: MutationTx = {
    get: (kind, id) => tx.get(kind, id),
    put: (kind, entity) => tx.put(kind, entity),
    isMember: (spaceId) => tx.isMember(spaceId),
    recordConflict: async (conflict) => {
      conflicts.push(conflict);
      await tx.recordConflict(conflict);
    },
  };
  const outcome = await mutator(recording, m.args, m, ctx);
  if (outcome.status !== 'applied' || conflicts.length === 0) return outcome;
  return appliedWith({ ...outcome.effects, conflicts });
}
