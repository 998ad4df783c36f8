/**
 * Writes the server makes on its own (a transcript's processing status and result): the same
 * space lock and version rules as a push, the same cache raise after the commit, a poke after that.
 */
import type { Transcript } from '@duet/shared';
import { TranscriptSchema } from '@duet/shared';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { inTransaction } from '../db/pool.ts';
import type { Bus } from '../realtime/bus.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';

export interface ServerWriteDeps {
  pool: pg.Pool;
  cache: SyncCache;
  bus: Bus;
}

/**
 * Changes a transcript under its space's lock. `change` sees the current state and returns the
 * next one, or null to write nothing. Returns what is stored afterwards (null: no such transcript).
 */
export async function changeTranscript(
  deps: ServerWriteDeps,
  id: string,
  change: (current: Transcript) => Transcript | null,
): Promise<Transcript | null> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const entities = new EntitiesRepo(client);
    const located = await entities.get('transcript', id);
    if (!located) return null;
    const spaces = new SpacesRepo(client);
    const heads = await spaces.lockHeads([located.spaceId]);
    // Read again under the lock: a push may have changed it meanwhile.
    const row = await entities.get('transcript', id);
    const parsed = TranscriptSchema.safeParse(row?.data);
    if (!row || !parsed.success) return null;
    const next = change(parsed.data);
    if (!next) return { transcript: parsed.data, changed: null };
    const version = (heads.get(row.spaceId) ?? 0) + 1;
    await entities.upsertMany([{ kind: 'transcript', id, spaceId: row.spaceId, version, deleted: row.deleted, data: next }]);
    const moved = new Map([[row.spaceId, version]]);
    await spaces.setHeads(moved);
    return { transcript: next, changed: row.spaceId, heads: moved };
  });
  if (!outcome) return null;
  if ('heads' in outcome) await deps.cache.raiseAfterCommit(outcome.heads);
  if (outcome.changed) deps.bus.publish({ type: 'poke', spaceIds: [outcome.changed] });
  return outcome.transcript;
}
