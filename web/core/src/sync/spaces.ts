/**
 * Spaces learnt outside a pull (the answers of GET /api/me and of accepting an invite): stored as
 * server state right away, so the user can write into a newly joined space before the next pull.
 */
import type { Space } from '@duet/shared';
import { localMutationContext } from './local-tx.ts';
import { rebase } from './rebase.ts';
import { entityKey } from './storage.ts';
import type { StorageTx } from './storage.ts';

export async function storeKnownSpaces(tx: StorageTx, spaces: readonly Space[], now: number): Promise<void> {
  const keys: string[] = [];
  for (const space of spaces) {
    const key = entityKey('space', space.id);
    const existing = await tx.get('server', key);
    await tx.put('server', { key, kind: 'space', id: space.id, spaceId: space.id, version: existing?.version ?? 0, data: space });
    keys.push(key);
  }
  // Pending mutations in these spaces may now apply locally (membership is known).
  await rebase(tx, keys, await localMutationContext(tx, now));
}
