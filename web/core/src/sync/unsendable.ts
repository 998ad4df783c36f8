/**
 * Changes the server keeps failing on (500s, see push.ts): reading them for the person to see, and
 * discarding them once the person chose to. Until then they stay in the outbox and are retried.
 */
import { localMutationContext } from './local-tx.ts';
import { rebase } from './rebase.ts';
import type { UnsendableChange } from './status.ts';
import type { StorageTx } from './storage.ts';

/** The outbox entries with these ids, as the notice shows them. */
export async function readUnsendable(tx: StorageTx, ids: readonly number[]): Promise<UnsendableChange[]> {
  const changes: UnsendableChange[] = [];
  for (const id of ids) {
    const entry = await tx.get('outbox', id);
    if (entry) changes.push({ id: entry.id, name: entry.name, args: entry.args, createdAt: entry.createdAt });
  }
  return changes;
}

/**
 * Removes these entries from the outbox and shows local data without them. The id gap left behind
 * is closed by the next push's out_of_order answer (push.ts), which knows whether the server ever
 * took these ids (a 500 after its commit).
 */
export async function discardEntries(tx: StorageTx, ids: readonly number[], now: number): Promise<void> {
  const stale: string[] = [];
  for (const id of ids) {
    const entry = await tx.get('outbox', id);
    if (!entry) continue;
    stale.push(...entry.touched);
    await tx.delete('outbox', id);
  }
  await rebase(tx, stale, await localMutationContext(tx, now));
}
