/**
 * Whether a transcript exists on the server yet, from the local store: its create mutation has
 * left the outbox (pushed and accepted). A rejected create also leaves the outbox, but then the
 * transcript disappears from the local view, so it reads as missing.
 */
import { TranscriptSchema } from '@duet/shared';
import type { StorageTx } from '../sync/storage.ts';
import type { TranscriptPresence } from './upload-manager.ts';

type Reader = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

function createsTranscript(entry: { name: string; args: unknown }, transcriptId: string): boolean {
  if (entry.name !== 'transcript.create' || typeof entry.args !== 'object' || entry.args === null) return false;
  return (entry.args as { id?: unknown }).id === transcriptId;
}

export function transcriptPresence(read: Reader): (transcriptId: string) => Promise<TranscriptPresence> {
  return (transcriptId) =>
    read(async (tx) => {
      const parsed = TranscriptSchema.safeParse(await tx.get('transcripts', transcriptId));
      if (!parsed.success) return 'missing';
      if (parsed.data.deleted) return 'deleted';
      const outbox = await tx.getAll('outbox');
      return outbox.some((entry) => createsTranscript(entry, transcriptId)) ? 'pending' : 'confirmed';
    });
}
