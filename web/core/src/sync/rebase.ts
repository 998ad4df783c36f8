/**
 * Local state = server state + the outbox replayed on top.
 *
 * Design: the `server` store keeps the last server-confirmed copy of every entity; the local-view
 * stores (conversations, messages, ...) are what the UI reads. Every local-view record equals its
 * server copy unless a pending outbox entry wrote it (its key is in that entry's `touched`). So
 * after server changes arrive, or entries leave the outbox, only these keys can be stale:
 *   the keys the server changed, and the keys any outbox entry (remaining or dropped) touched.
 * A rebase resets exactly those keys to their server copy (or removes them), then replays every
 * remaining outbox entry in order through the shared mutators, recording what each touches now.
 * That keeps the invariant, costs O(changes + outbox) rather than O(all data), and gives the same
 * answer as rebuilding everything from scratch.
 *
 * The server store holds a copy only where the local view differs from the server's state: a
 * local write first copies the record it changes there (local-tx.ts; `data: null` when the server
 * does not have it), and the rebase that resets the key drops the copy again. A key without a copy
 * (or with a copy without data, as an older version stored every pulled record) has a local view
 * equal to the server's state, so a first sync writes each pulled record once, to the local view.
 */
import { applyMutation, entitySchemas, parseMutation } from '@duet/shared';
import type { Change, EntityByKind, EntityKind, MutationContext } from '@duet/shared';
import { conversationOfTouched, LocalMutationTx, putLocalEntity } from './local-tx.ts';
import { entityKey, LOCAL_STORE, parseEntityKey } from './storage.ts';
import type { OutboxEntry, StorageTx, StoreName } from './storage.ts';

/** The local-view stores, cleared on a reset. */
export const LOCAL_VIEW_STORES = Object.values(LOCAL_STORE) as StoreName[];

/** Drops a space the user left or lost, and everything in it, from server state and local view. */
export async function dropSpace(tx: StorageTx, spaceId: string): Promise<string[]> {
  const keys = [entityKey('space', spaceId)];
  for (const record of await tx.getAllByIndex('server', 'bySpace', spaceId)) {
    keys.push(record.key);
    await tx.delete('server', record.key);
  }
  await tx.delete('spaces', spaceId);
  // Records that only exist locally (made by pending mutations) live in the local view alone.
  for (const message of await tx.getAllByIndex('messages', 'bySpace', spaceId)) await tx.delete('messages', message.id);
  for (const c of await tx.getAllByIndex('conversations', 'bySpace', spaceId)) await tx.delete('conversations', c.id);
  for (const t of await tx.getAllByIndex('transcripts', 'bySpace', spaceId)) await tx.delete('transcripts', t.id);
  for (const s of await tx.getAllByIndex('sessions', 'bySpace', spaceId)) await tx.delete('sessions', s.id);
  return keys;
}

export interface AppliedChanges {
  keys: string[];
  /**
   * What the server now holds for each key just pulled, already validated (null: deleted there):
   * the rebase writes the local view from it.
   */
  known: Map<string, EntityByKind[EntityKind] | null>;
  /** Changes whose data did not match the entity's schema: skipped rather than stored. */
  invalid: number;
}

/**
 * Requests queued at once before waiting for them: enough to keep IndexedDB busy, few enough that
 * no task on the page runs long (a put clones its value on the spot).
 */
export const WRITE_CHUNK = 200;

/** Queues writes, waiting for the queue to drain every WRITE_CHUNK of them. */
export class WriteQueue {
  readonly #pending: Array<Promise<unknown>> = [];

  async add(write: Promise<unknown>): Promise<void> {
    this.#pending.push(write);
    if (this.#pending.length >= WRITE_CHUNK) await this.drain();
  }

  async drain(): Promise<void> {
    await Promise.all(this.#pending.splice(0));
  }
}

/** The keys pending outbox entries have written locally. */
export function pendingKeysOf(outbox: readonly OutboxEntry[]): Set<string> {
  const keys = new Set<string>();
  for (const entry of outbox) for (const key of entry.touched) keys.add(key);
  return keys;
}

/**
 * Takes in a page of pulled changes; returns the keys they touched and what the server holds for
 * each. `pending` are the keys the outbox has written locally: their old server copies are dropped
 * (the rebase writes the local view from the fresh state, and replaying the outbox copies it again).
 */
export async function applyServerChanges(tx: StorageTx, changes: readonly Change[], pending: ReadonlySet<string>): Promise<AppliedChanges> {
  const keys: string[] = [];
  const known = new Map<string, EntityByKind[EntityKind] | null>();
  let invalid = 0;
  // Requests are queued without waiting for each answer: in IndexedDB every await is a round
  // trip to the storage process. A transaction runs its requests in order, so the result is the same.
  const writes = new WriteQueue();
  for (const change of changes) {
    const key = entityKey(change.kind, change.id);
    if (change.kind === 'space' && change.deleted) {
      await writes.drain();
      keys.push(...(await dropSpace(tx, change.id)));
      continue;
    }
    const parsed = entitySchemas[change.kind].safeParse(change.data);
    if (parsed.success) known.set(key, parsed.data);
    else if (change.deleted) known.set(key, null);
    else {
      invalid += 1;
      continue;
    }
    if (pending.has(key)) await writes.add(tx.delete('server', key));
    keys.push(key);
  }
  await writes.drain();
  return { keys, known, invalid };
}

/** Forgets all server state and the local view (a pull answered reset: true); the outbox stays. */
export async function clearServerState(tx: StorageTx): Promise<void> {
  await tx.clear('server');
  for (const store of LOCAL_VIEW_STORES) await tx.clear(store);
}

async function resetKeyToServer(tx: StorageTx, key: string, known?: ReadonlyMap<string, EntityByKind[EntityKind] | null>): Promise<void> {
  const parsedKey = parseEntityKey(key);
  if (!parsedKey) return;
  const { kind, id } = parsedKey;
  if (known?.has(key)) {
    const fresh = known.get(key);
    if (fresh) await putLocalEntity(tx, kind, fresh);
    else await tx.delete(LOCAL_STORE[kind], id);
    return;
  }
  const record = await tx.get('server', key);
  // No copy (or one without data): no local write touched it, so the local view is the server state.
  if (!record || !('data' in record)) return;
  const parsed = entitySchemas[kind].safeParse(record.data);
  if (parsed.success) await putLocalEntity(tx, kind, parsed.data);
  else await tx.delete(LOCAL_STORE[kind], id);
  // The local view is the server state again; replaying an entry that still touches it copies it anew.
  await tx.delete('server', key);
}

/**
 * The keys to reset and the entries to replay for these stale keys: the stale keys, closed over
 * the entries that touch them (an entry to replay has all its keys reset, and every entry touching
 * a reset key is replayed). Entries that touched nothing (refused locally, maybe only for lack of
 * a record the server has since sent) are always replayed. Every other local record already equals
 * its server copy plus the entries that touch it, so it is left alone: a page of a long pull costs
 * what it changed, not the whole outbox (after pushing 10,000 mutations, confirming them would
 * otherwise replay the outbox once per page).
 */
function affected(entries: readonly OutboxEntry[], staleKeys: Iterable<string>): { reset: Set<string>; replay: OutboxEntry[] } {
  const byKey = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    for (const key of entry.touched) byKey.set(key, [...(byKey.get(key) ?? []), index]);
  });
  const reset = new Set<string>();
  const chosen = new Set<number>();
  const queue = [...staleKeys];
  while (queue.length > 0) {
    const key = queue.pop() as string;
    if (reset.has(key)) continue;
    reset.add(key);
    for (const index of byKey.get(key) ?? []) {
      if (chosen.has(index)) continue;
      chosen.add(index);
      queue.push(...(entries[index]?.touched ?? []));
    }
  }
  entries.forEach((entry, index) => {
    if (entry.touched.length === 0) chosen.add(index);
  });
  return { reset, replay: entries.filter((_, index) => chosen.has(index)) };
}

/**
 * Resets the stale keys (and what the outbox touched there) to server state, then replays the
 * affected outbox entries in order; with `full`, every key the outbox touched and every entry.
 * Without a context (no user owns the store) nothing is replayed.
 */
export async function rebase(
  tx: StorageTx,
  staleKeys: Iterable<string>,
  ctx: MutationContext | null,
  options: { full?: boolean; known?: ReadonlyMap<string, EntityByKind[EntityKind] | null> } = {},
): Promise<void> {
  const all = await tx.getAll('outbox');
  let reset: Set<string>;
  let entries: OutboxEntry[];
  if (options.full) {
    reset = new Set(staleKeys);
    for (const entry of all) for (const key of entry.touched) reset.add(key);
    entries = all;
  } else {
    ({ reset, replay: entries } = affected(all, staleKeys));
  }
  // Each key on its own, queued together in chunks (see applyServerChanges).
  const writes = new WriteQueue();
  for (const key of reset) await writes.add(resetKeyToServer(tx, key, options.known));
  await writes.drain();
  if (!ctx) return;
  for (const entry of entries) {
    const parsed = parseMutation({ id: entry.id, name: entry.name, args: entry.args, hlc: entry.hlc });
    const local = new LocalMutationTx(tx);
    // A stored entry that no longer parses changes nothing locally; the server will judge it.
    if (parsed.ok) await applyMutation(local, parsed.mutation, ctx);
    const touched = [...local.touched];
    const conversationId = (await conversationOfTouched(tx, touched)) ?? entry.conversationId;
    if (touched.join('\n') !== entry.touched.join('\n') || conversationId !== entry.conversationId) {
      await tx.put('outbox', { ...entry, touched, conversationId });
    }
  }
}
