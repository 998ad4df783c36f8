/**
 * The engine's storage: named object stores behind a small transactional interface, implemented
 * over IndexedDB (db/idb-storage.ts) and in memory (sync/memory-storage.ts); one test suite runs
 * against both (storage.test.ts).
 *
 * Stores:
 * - spaces, conversations, messages, sessions, transcripts, conflicts, notifications, readMarks: the local view the UI reads
 *   (server state with the pending outbox replayed on top, see rebase.ts);
 * - server: the server-confirmed state of the entities whose local view differs from it (a pending
 *   mutation wrote them), one record per (kind, id); see rebase.ts;
 * - outbox: pending mutations by id, in order;
 * - meta: small typed values (see meta.ts).
 *
 * A transaction callback may only await the transaction's own operations: IndexedDB commits a
 * transaction as soon as it has nothing to do, so awaiting a fetch or a timer inside one fails.
 */
import { EntityKindSchema } from '@duet/shared';
import type { Conflict, Conversation, EntityKind, Message, Notification, ReadMark, Session, Space, Transcript } from '@duet/shared';

/** A server-confirmed entity's copy; `key` is entityKey(kind, id), the one spelling of an entity's key. */
export interface ServerRecord {
  key: string;
  kind: EntityKind;
  id: string;
  /** The space it belongs to (a space's own id for spaces); null for conflicts. */
  spaceId: string | null;
  version: number;
  /**
   * The server's copy; null when the server does not have the entity. Absent in records an older
   * version stored for every pulled entity: the local view then holds exactly the server state.
   */
  data?: unknown;
}

/** A pending mutation as stored; args are validated again when replayed. */
export interface OutboxEntry {
  id: number;
  name: string;
  args: unknown;
  hlc: string;
  /** Entity keys the mutation wrote when last applied locally; they are reset before a replay. */
  touched: string[];
  /** The conversation it concerns, for the per-conversation pending badge. */
  conversationId: string | null;
  createdAt: number;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface StoreRecords {
  spaces: Space;
  conversations: Conversation;
  messages: Message;
  sessions: Session;
  transcripts: Transcript;
  conflicts: Conflict;
  notifications: Notification;
  readMarks: ReadMark;
  server: ServerRecord;
  outbox: OutboxEntry;
  meta: MetaRecord;
}

export type StoreName = keyof StoreRecords;
export type StoreKey<S extends StoreName> = S extends 'outbox' ? number : string;

export const STORE_NAMES = [
  'spaces',
  'conversations',
  'messages',
  'sessions',
  'transcripts',
  'conflicts',
  'notifications',
  'readMarks',
  'server',
  'outbox',
  'meta',
] as const satisfies readonly StoreName[];

/** The primary key field of each store. */
export const KEY_PATHS: { [S in StoreName]: string } = {
  spaces: 'id',
  conversations: 'id',
  messages: 'id',
  sessions: 'id',
  transcripts: 'id',
  conflicts: 'id',
  notifications: 'id',
  readMarks: 'id',
  server: 'key',
  outbox: 'id',
  meta: 'key',
};

/**
 * Secondary indexes: records whose `field` equals a value, ordered by `orderBy` (the primary key
 * last, so order is total). Both implementations follow this table so they answer in one order.
 */
export const INDEXES = {
  messages: {
    byConversation: { field: 'conversationId', orderBy: ['createdAt', 'id'] },
    bySpace: { field: 'spaceId', orderBy: ['id'] },
  },
  conversations: { bySpace: { field: 'spaceId', orderBy: ['id'] } },
  transcripts: { bySpace: { field: 'spaceId', orderBy: ['id'] } },
  sessions: { bySpace: { field: 'spaceId', orderBy: ['id'] } },
  server: { bySpace: { field: 'spaceId', orderBy: ['key'] } },
} as const satisfies { [S in StoreName]?: Record<string, { field: string; orderBy: readonly string[] }> };

export type IndexedStore = keyof typeof INDEXES;
export type IndexName<S extends IndexedStore> = keyof (typeof INDEXES)[S] & string;

/** Which records of an index an answer holds, still in the index's order. */
export interface IndexQuery {
  /**
   * Only records whose leading `orderBy` fields come after these values: `after: [t]` on
   * messages.byConversation is the messages created after t.
   */
  after?: readonly (string | number)[];
  /** Only the first that many. */
  limit?: number;
  /** Only the last that many (with `limit`, `last` wins). */
  last?: number;
}

export interface StorageTx {
  get<S extends StoreName>(store: S, key: StoreKey<S>): Promise<StoreRecords[S] | undefined>;
  /** Records in key order; `after` excludes keys up to and including it. */
  getAll<S extends StoreName>(store: S, query?: { after?: StoreKey<S>; limit?: number }): Promise<StoreRecords[S][]>;
  /** Records whose indexed field equals `value`, in the index's order (see IndexQuery). */
  getAllByIndex<S extends IndexedStore>(store: S, index: IndexName<S>, value: string, options?: IndexQuery): Promise<StoreRecords[S][]>;
  count(store: StoreName): Promise<number>;
  put<S extends StoreName>(store: S, value: StoreRecords[S]): Promise<void>;
  delete<S extends StoreName>(store: S, key: StoreKey<S>): Promise<void>;
  clear(store: StoreName): Promise<void>;
}

/**
 * How hard a write commits. `strict`: the browser reports it done only once it is on disk, for
 * everything the person did (the outbox). `relaxed`: done once the system has it, for pulled
 * pages, which a lost transaction only makes the next pull fetch again (the cursor is in it).
 */
export type WriteDurability = 'strict' | 'relaxed';

export interface SyncStorage {
  readonly kind: 'indexeddb' | 'memory';
  /** Runs `fn` in a read-only transaction over every store. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one atomic read-write transaction over every store: all of it commits or none (strict unless told). */
  write<T>(fn: (tx: StorageTx) => Promise<T>, options?: { durability?: WriteDurability }): Promise<T>;
  /** Another tab needs a different database version; this store can no longer be used. */
  onUpgradeBlocked(listener: () => void): () => void;
  close(): void;
}

/** The one spelling of an entity's key, shared with the server. */
export { entityKey } from '@duet/shared';

export function parseEntityKey(key: string): { kind: EntityKind; id: string } | null {
  const slash = key.indexOf('/');
  if (slash < 0) return null;
  const kind = EntityKindSchema.safeParse(key.slice(0, slash));
  return kind.success ? { kind: kind.data, id: key.slice(slash + 1) } : null;
}

/** The local-view store holding each entity kind. */
export const LOCAL_STORE = {
  space: 'spaces',
  conversation: 'conversations',
  message: 'messages',
  session: 'sessions',
  transcript: 'transcripts',
  conflict: 'conflicts',
  notification: 'notifications',
  readMark: 'readMarks',
} as const satisfies { [K in EntityKind]: StoreName };
