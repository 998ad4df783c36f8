/**
 * Reads of the local view for the UI. Every record read back is validated against its shared
 * schema; one that does not parse (written by an older version, or corrupted) is left out rather
 * than handed to a screen.
 */
import { entitySchemas } from '@duet/shared';
import type { Conflict, EntityByKind, EntityKind, Notification, ReadMark, Session, Space } from '@duet/shared';
import { readConversationActivity } from './conversation-activity.ts';
import { getMeta } from '../sync/meta.ts';
import { entityKey } from '../sync/storage.ts';
import type { OutboxEntry, StorageTx } from '../sync/storage.ts';
import type { ConversationView, LocalReads, MeView, MessageView, TranscriptView } from './types.ts';

type Reader = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

function valid<K extends EntityKind>(kind: K, records: readonly unknown[]): EntityByKind[K][] {
  const out: EntityByKind[K][] = [];
  for (const record of records) {
    const parsed = entitySchemas[kind].safeParse(record);
    if (parsed.success) out.push(parsed.data as EntityByKind[K]);
  }
  return out;
}

function pendingByConversation(outbox: readonly OutboxEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of outbox) if (e.conversationId) counts.set(e.conversationId, (counts.get(e.conversationId) ?? 0) + 1);
  return counts;
}

function pendingKeys(outbox: readonly OutboxEntry[]): Set<string> {
  return new Set(outbox.flatMap((e) => e.touched));
}

const newestFirst = <T extends { createdAt: number; id: string }>(a: T, b: T) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The person's id and read marks, which every conversation's activity needs. */
async function activityContext(tx: StorageTx): Promise<{ userId: string | null; marks: Map<string, ReadMark> }> {
  const user = await getMeta(tx, 'user');
  const marks = new Map(valid('readMark', await tx.getAll('readMarks')).map((m) => [m.id, m]));
  return { userId: user?.id ?? null, marks };
}

export function createLocalReads(read: Reader): LocalReads {
  const conversations = async (filter: { archived?: boolean; spaceId?: string } = {}): Promise<ConversationView[]> =>
    read(async (tx) => {
      const all = valid('conversation', await tx.getAll('conversations'));
      const pending = pendingByConversation(await tx.getAll('outbox'));
      const { userId, marks } = await activityContext(tx);
      const shown = all.filter(
        (c) =>
          (filter.archived === undefined || c.archived === filter.archived) &&
          (filter.spaceId === undefined || c.spaceId === filter.spaceId),
      );
      const views = await Promise.all(
        shown.map(async (c) => ({
          ...c,
          pendingChanges: pending.get(c.id) ?? 0,
          ...(await readConversationActivity(tx, c, userId, marks)),
        })),
      );
      return views.sort((a, b) => b.lastActivityAt - a.lastActivityAt || newestFirst(a, b));
    });

  const transcripts = async (filter: { conversationId?: string } = {}): Promise<TranscriptView[]> =>
    read(async (tx) => {
      const pending = pendingKeys(await tx.getAll('outbox'));
      return (
        valid('transcript', await tx.getAll('transcripts'))
          // Deleted transcripts are tombstones: kept for sync, never listed.
          .filter((t) => t.deleted !== true && (filter.conversationId === undefined || t.conversationId === filter.conversationId))
          .sort(newestFirst)
          .map((t) => ({ ...t, pending: pending.has(entityKey('transcript', t.id)) }))
      );
    });

  return {
    spaces: () => read(async (tx): Promise<Space[]> => valid('space', await tx.getAll('spaces'))),
    conversations,
    async conversation(id) {
      return read(async (tx) => {
        const [found] = valid(
          'conversation',
          [await tx.get('conversations', id)].filter((c) => c !== undefined),
        );
        if (!found) return null;
        const pending = pendingByConversation(await tx.getAll('outbox'));
        const { userId, marks } = await activityContext(tx);
        return { ...found, pendingChanges: pending.get(id) ?? 0, ...(await readConversationActivity(tx, found, userId, marks)) };
      });
    },
    messages: (conversationId, options = {}) =>
      read(async (tx): Promise<MessageView[]> => {
        const pending = pendingKeys(await tx.getAll('outbox'));
        // The index orders by (createdAt, id), the order the UI shows. Deleted messages (tombstones,
        // empty body) stay in place, so the UI can show where one was.
        return valid('message', await tx.getAllByIndex('messages', 'byConversation', conversationId, options)).map((m) => ({
          ...m,
          pending: pending.has(entityKey('message', m.id)),
        }));
      }),
    message: (id) =>
      read(async (tx): Promise<MessageView | null> => {
        const [found] = valid(
          'message',
          [await tx.get('messages', id)].filter((m) => m !== undefined),
        );
        if (!found) return null;
        return { ...found, pending: pendingKeys(await tx.getAll('outbox')).has(entityKey('message', id)) };
      }),
    transcripts,
    transcript: (id) =>
      read(async (tx): Promise<TranscriptView | null> => {
        const [found] = valid(
          'transcript',
          [await tx.get('transcripts', id)].filter((t) => t !== undefined),
        );
        if (!found) return null;
        return { ...found, pending: pendingKeys(await tx.getAll('outbox')).has(entityKey('transcript', id)) };
      }),
    sessions: () =>
      read(async (tx): Promise<Session[]> =>
        valid('session', await tx.getAll('sessions')).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1)),
      ),
    conflicts: () =>
      read(async (tx): Promise<Conflict[]> => {
        const dismissed = new Set(await getMeta(tx, 'dismissedConflicts'));
        // The server tells every device of the losing user; the device whose write won has
        // nothing to be told (its hlc ends with its own clientId).
        const clientId = await getMeta(tx, 'clientId');
        const wonHere = (c: Conflict) => clientId !== null && c.winningHlc.endsWith(`:${clientId}`);
        return (
          valid('conflict', await tx.getAll('conflicts'))
            // Dismissed here by an app from before resolutions were synced, or resolved on any device.
            .filter((c) => !dismissed.has(c.id) && c.resolution === undefined && !wonHere(c))
            .sort((a, b) => b.at - a.at)
        );
      }),
    notifications: () =>
      read(async (tx): Promise<Notification[]> =>
        valid('notification', await tx.getAll('notifications')).sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)),
      ),
    me: () =>
      read(async (tx): Promise<MeView | null> => {
        const user = await getMeta(tx, 'user');
        if (!user) return null;
        const spaces = valid('space', await tx.getAll('spaces'));
        return {
          user,
          spaces,
          personalSpaceId: spaces.find((s) => s.kind === 'personal')?.id ?? null,
          sharedSpaceId: spaces.find((s) => s.kind === 'shared')?.id ?? null,
        };
      }),
  };
}
