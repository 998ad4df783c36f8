/**
 * The shared mutators' view of the local store: a MutationTx over the local-view stores of one
 * storage transaction. It remembers which entities a mutation wrote, so a later rebase knows
 * what to reset before replaying it.
 */
import { entitySchemas } from '@duet/shared';
import type { EntityByKind, EntityKind, MutationContext, MutationTx } from '@duet/shared';
import { getMeta } from './meta.ts';
import { entityKey, LOCAL_STORE } from './storage.ts';
import type { StorageTx, StoreRecords } from './storage.ts';

/**
 * Sessions go to the user's personal space. Before the first pull delivered it the id is unknown;
 * the local copy then carries this placeholder until the server's copy replaces it.
 */
export const UNKNOWN_PERSONAL_SPACE = 'personal-space-unknown';

/** Reads one entity of the local view, validated: a record that no longer parses reads as absent. */
export async function getLocalEntity<K extends EntityKind>(tx: StorageTx, kind: K, id: string): Promise<EntityByKind[K] | undefined> {
  // Local-view stores are keyed by string ids; TypeScript cannot see that through the generic K.
  const store = LOCAL_STORE[kind] as 'conversations';
  const record: unknown = await tx.get(store, id);
  if (record === undefined) return undefined;
  const parsed = entitySchemas[kind].safeParse(record);
  return parsed.success ? (parsed.data as EntityByKind[K]) : undefined;
}

export async function putLocalEntity<K extends EntityKind>(tx: StorageTx, kind: K, entity: EntityByKind[K]): Promise<void> {
  const store = LOCAL_STORE[kind];
  await tx.put(store, entity as StoreRecords[typeof store]);
}

/**
 * Before the local view of an entity diverges from the server's state, the server store must hold
 * that state. Where it holds no copy (or one without data, see rebase.ts) the local view is that
 * state: it is copied there (`data: null` when there is no local record: the server does not have it).
 */
export async function materialiseServerCopy(tx: StorageTx, kind: EntityKind, id: string): Promise<void> {
  const key = entityKey(kind, id);
  const record = await tx.get('server', key);
  if (record && 'data' in record) return;
  const current = await tx.get(LOCAL_STORE[kind] as 'conversations', id);
  const spaceId = kind === 'space' ? id : ((current as { spaceId?: string } | undefined)?.spaceId ?? null);
  await tx.put('server', { key, kind, id, spaceId, version: record?.version ?? 0, data: current ?? null });
}

export class LocalMutationTx implements MutationTx {
  readonly touched = new Set<string>();
  readonly #tx: StorageTx;

  constructor(tx: StorageTx) {
    this.#tx = tx;
  }

  get<K extends EntityKind>(kind: K, id: string): Promise<EntityByKind[K] | undefined> {
    return getLocalEntity(this.#tx, kind, id);
  }

  async put<K extends EntityKind>(kind: K, entity: EntityByKind[K]): Promise<void> {
    const key = entityKey(kind, entity.id);
    if (!this.touched.has(key)) await materialiseServerCopy(this.#tx, kind, entity.id);
    this.touched.add(key);
    await putLocalEntity(this.#tx, kind, entity);
  }

  /** Membership as far as this device knows: the spaces the server has shown it. */
  async isMember(spaceId: string): Promise<boolean> {
    return (await this.#tx.get('spaces', spaceId)) !== undefined;
  }

  /** Conflicts are the server's to record; pulls deliver them. */
  async recordConflict(): Promise<void> {}
}

/** The context the mutators need, from what the store knows; null when no user owns the store. */
export async function localMutationContext(tx: StorageTx, now: number): Promise<MutationContext | null> {
  const user = await getMeta(tx, 'user');
  if (!user) return null;
  const spaces = await tx.getAll('spaces');
  const personal = spaces.find((s) => s.kind === 'personal');
  return { userId: user.id, personalSpaceId: personal?.id ?? UNKNOWN_PERSONAL_SPACE, now };
}

/** The conversation a mutation concerns, from what it wrote: for the pending badge. */
export async function conversationOfTouched(tx: StorageTx, touched: Iterable<string>): Promise<string | null> {
  for (const key of touched) {
    const [kind, id] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (kind === 'conversation') return id;
    if (kind === 'message') {
      const message = await tx.get('messages', id);
      if (message) return message.conversationId;
    }
    if (kind === 'transcript') {
      const transcript = await tx.get('transcripts', id);
      if (transcript?.conversationId) return transcript.conversationId;
    }
  }
  return null;
}
