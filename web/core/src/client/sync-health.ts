/**
 * The person's view of sync health: what waits to be sent (by kind), since when, the last
 * successful sync, recordings not uploaded yet, and how much the device stores. Read from the
 * client's public parts, so it needs no network and no change to the engine.
 */
import type { DuetClient } from './types.ts';

/** What a waiting change is about, from its mutation name ("message.add" → "message"). */
export type PendingKind = 'conversation' | 'message' | 'transcript' | 'session' | 'read' | 'other';

export interface SyncHealth {
  pending: number;
  pendingByKind: Partial<Record<PendingKind, number>>;
  /** When the oldest waiting change was made (ms), null when none waits. */
  oldestPendingAt: number | null;
  lastSyncAt: number | null;
  /** Recordings kept on this device whose upload has not finished. */
  audioWaiting: number;
  audioWaitingBytes: number;
  /** Recordings whose upload failed for good (the transcript screen offers a retry). */
  audioFailed: number;
  storage: { usage: number; quota: number } | null;
  /** null when the browser cannot tell. */
  persisted: boolean | null;
}

const KINDS = new Set<PendingKind>(['conversation', 'message', 'transcript', 'session']);

function kindOf(name: string): PendingKind {
  // "conversation.read" moves the read mark: the person thinks of it apart from their edits.
  if (name === 'conversation.read') return 'read';
  const prefix = name.slice(0, name.indexOf('.')) as PendingKind;
  return KINDS.has(prefix) ? prefix : 'other';
}

export async function readSyncHealth(
  client: Pick<DuetClient, 'engine' | 'audio' | 'storageEstimate'>,
  persisted: () => Promise<boolean | null> = async () => null,
): Promise<SyncHealth> {
  const outbox = await client.engine.read((tx) => tx.getAll('outbox'));
  const pendingByKind: Partial<Record<PendingKind, number>> = {};
  for (const entry of outbox) {
    const kind = kindOf(entry.name);
    pendingByKind[kind] = (pendingByKind[kind] ?? 0) + 1;
  }
  const recordings = await client.audio.store.all();
  const waiting = recordings.filter((r) => r.state === 'pending' || r.state === 'uploading');
  const [storage, isPersisted] = await Promise.all([client.storageEstimate().catch(() => null), persisted().catch(() => null)]);
  return {
    pending: outbox.length,
    pendingByKind,
    oldestPendingAt: outbox.reduce<number | null>((min, e) => (min === null || e.createdAt < min ? e.createdAt : min), null),
    lastSyncAt: client.engine.getStatus().lastSyncAt,
    audioWaiting: waiting.length,
    audioWaitingBytes: waiting.reduce((sum, r) => sum + Math.max(0, r.blob.size - r.uploadedBytes), 0),
    audioFailed: recordings.filter((r) => r.state === 'failed').length,
    storage,
    persisted: isPersisted,
  };
}
