/**
 * Writes the server makes on its own (a transcript's processing status and result, its audio):
 * a space write like a push's (SpaceWriter), so the same locks, versions, cache raise and poke.
 */
import type { Transcript } from '@duet/shared';
import { TranscriptSchema } from '@duet/shared';
import type { SpaceWriter } from '../store/space-writer.ts';

export interface ServerWriteDeps {
  writer: SpaceWriter;
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
  return deps.writer.write(async (write) => {
    const located = await write.entities.get('transcript', id);
    if (!located) return null;
    await write.lock([located.spaceId]);
    // Read again under the lock: a push may have changed it meanwhile.
    const row = await write.entities.get('transcript', id);
    const parsed = TranscriptSchema.safeParse(row?.data);
    if (!row || !parsed.success) return null;
    const next = change(parsed.data);
    if (!next) return parsed.data;
    await write.put([{ kind: 'transcript', id, spaceId: row.spaceId, deleted: row.deleted, data: next }]);
    return next;
  });
}
